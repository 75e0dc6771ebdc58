/* VMCALL: Skiff's hypercalls (ABI in vmx/core/hypercall.h). */
#include "kernel/config/skiff.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "vmx/core/hypercall.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/exit/bios_hook.h"
#include "vmx/exit/exit.h"

extern uint64_t boot_tsc_entry;   /* boot/entry32.S */

static uint64_t hc_print(uint64_t gla, uint64_t len)
{
    char buf[256];
    if (len > 4096)
        return HC_EINVAL;
    while (len) {
        uint64_t n = len < sizeof(buf) ? len : sizeof(buf);
        if (!guest_read(gla, buf, n))
            return HC_EFAULT;
        console_write(buf, n);
        gla += n;
        len -= n;
    }
    return 0;
}

/*
 * selftest=fault_ap: a host fault on an AP while the guest runs on every CPU (issue 20, item
 * 11): vCPU 1's 20th print (CPU 0 prints too by then), a write to an unmapped address in VMX root operation.  The page
 * fault's report and the run end must stop every other CPU before the final line.
 */
static void selftest_fault_ap(struct vcpu *v)
{
    static uint32_t prints;
    if (v->cpu != 1 || __atomic_add_fetch(&prints, 1, __ATOMIC_RELAXED) != 20)
        return;
    pr_info("skiff: selftest=fault_ap: writing to an unmapped address on CPU 1, expect a page fault\n");
    *(volatile uint64_t *)0x00000dead0000000ull = 0x5ca1ab1e;
}

/* Everything but the no-op, out of line: the no-op is the exit path's benchmark. */
static __attribute__((noinline)) enum exit_action hc_slow(struct vcpu *v)
{
    struct guest_regs *r = &v->regs;
    uint64_t ret;

    /* CPL = SS.DPL (SDM Vol. 3A 5.5); real mode counts as CPL 0. */
    if ((vmcs_read_fast(GUEST_SS_AR_BYTES) >> 5) & 3) {
        r->rax = HC_EPERM;
        vcpu_skip_insn(v);
        return EXIT_RESUME;
    }
    switch (r->rax) {
    case HC_PRINT:
        ret = hc_print(r->rbx, r->rcx);
        if (__builtin_expect(skiff_cfg.selftest == SELFTEST_FAULT_AP, 0))
            selftest_fault_ap(v);
        break;
    case HC_EXIT:
        vcpu_skip_insn(v);
        return vcpu_stop(v, GUEST_EXITED, r->rbx, "exited with status %llu",
                         (unsigned long long)r->rbx);
    case HC_TSC:
    case HC_ENTRY_TSC:
        ret = r->rax == HC_TSC ? rdtsc() : boot_tsc_entry;
        r->rdx = ret >> 32;          /* 32-bit callers read EDX:EAX */
        break;
    case HC_EXIT_COUNT:
        ret = v->exits;              /* the dispatcher has counted this exit already */
        r->rdx = ret >> 32;
        break;
    default:
        ret = HC_ENOSYS;
        break;
    }
    r->rax = ret;
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}

enum exit_action handle_vmcall(struct vcpu *v)
{
    /* guest=chain: the BIOS hooks' VMCALLs, known by where they are (vmx/exit/bios_hook.h). */
    if (__builtin_expect(bios_hook.page != 0, 0)) {
        uint64_t cs_base = vmcs_read_fast(GUEST_CS_BASE);
        if (bios_hook_owns(v, cs_base))
            return bios_hook_vmcall(v, cs_base);
    }
    /* HC_NOP from CPL 0 answers here; CPL 3 gets HC_EPERM for it too. */
    if (v->regs.rax != HC_NOP || ((vmcs_read_fast(GUEST_SS_AR_BYTES) >> 5) & 3))
        return hc_slow(v);
    v->regs.rax = 0;
    vcpu_skip_insn(v);
    return EXIT_RESUME;
}
