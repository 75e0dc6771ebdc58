/*
 * VMX self-tests.
 *
 * selftest=vmx issues the wrong instruction for each launch state (SDM Vol.
 * 3C 31.4: error 5 "VMRESUME with non-launched VMCS", error 4 "VMLAUNCH with
 * non-clear VMCS"), names both errors and recovers.
 *
 * selftest=vmcheck breaks Skiff's own valid VMCS in one field at a time
 * (vmx/check/vmcheck_cases.c), checks that the checker names the intended SDM
 * section and field, restores the field, and with vmcheck=warn also lets the
 * CPU try each broken state and reports its verdict.
 */
#include "vmx/debug/selftest.h"

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/end/runend.h"
#include "kernel/lib/lib.h"
#include "vmx/check/vmcheck.h"
#include "vmx/check/vmcheck_live.h"
#include "vmx/core/hypercall.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_errors.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/vcpu/vcpu_run.h"

static struct vcpu vcpu_selftest;

/* The second VMCS: the real guest's setup, entered at a VMCALL stub. */
static int selftest_vmcs(struct vcpu *guest, const struct guest_start *real, uint64_t stub_rip,
                         uint64_t io_a, uint64_t io_b, uint64_t msr)
{
    struct vcpu *s = &vcpu_selftest;
    struct guest_start gs = *real;

    s->vpid = 2;
    s->eptp = guest->eptp;
    s->quiet = true;
    s->end = GUEST_RUNNING;
    if (!s->vmcs_phys ? vmcs_create(s) : vmcs_clear(s))
        return SKIFF_VMX_FAILED;
    if (vmcs_load(s))
        return SKIFF_VMX_FAILED;
    gs.rip = stub_rip;
    s->regs = (struct guest_regs){ .rax = HC_EXIT, .rbx = 0 };
    return vmcs_setup(s, &gs, io_a, io_b, msr) ? SKIFF_VMX_FAILED : 0;
}

int selftest_vmx(struct vcpu *guest, const struct guest_start *gs, uint64_t stub_rip, uint64_t io_a, uint64_t io_b,
                 uint64_t msr)
{
    struct vcpu *s = &vcpu_selftest;
    int st;

    kprintf("skiff: selftest=vmx: a second VMCS runs a VMCALL stub\n");
    if (selftest_vmcs(guest, gs, stub_rip, io_a, io_b, msr))
        return SKIFF_VMX_FAILED;

    /* 1: VMRESUME while the VMCS is Clear -> VMfailValid, error 5. */
    st = vmx_vmresume();
    vmx_report_fail("selftest=vmx: VMRESUME on a Clear VMCS", st);
    if (st != VMX_FAIL_VALID || vmcs_read(VM_INSTRUCTION_ERROR) != 5)
        return SKIFF_VMX_FAILED;

    /* The guarded path launches it properly: Clear -> VMLAUNCH -> Launched. */
    if (vcpu_run(s) || s->launch_state != VMCS_STATE_LAUNCHED)
        return SKIFF_VMX_FAILED;

    /* 2: VMLAUNCH while the VMCS is Launched -> VMfailValid, error 4. */
    st = vmx_vmlaunch();
    vmx_report_fail("selftest=vmx: VMLAUNCH on a Launched VMCS", st);
    if (st != VMX_FAIL_VALID || vmcs_read(VM_INSTRUCTION_ERROR) != 4)
        return SKIFF_VMX_FAILED;

    /* Recover: VMCLEAR makes it Clear again; back to the real guest's VMCS. */
    if (vmcs_clear(s) || vmcs_load(guest))
        return SKIFF_VMX_FAILED;
    kprintf("skiff: selftest=vmx: recovered (VMCLEAR -> Clear, VMPTRLD of the guest's VMCS)\n");
    return 0;
}

static bool snap_read(uint32_t enc, uint64_t *val) { return vmx_vmread(enc, val) == VMX_OK; }

/* Let the CPU try the broken state; say what it did. */
static void cpu_verdict(struct vcpu *s, unsigned i, const struct vmcheck_case *c)
{
    s->end = GUEST_RUNNING;
    s->exit_reason = 0;
    int st = vmx_enter(s, 0);
    if (st == VMX_FAIL_VALID) {
        uint32_t err = (uint32_t)vmcs_read(VM_INSTRUCTION_ERROR);
        kprintf("skiff: vmcheck selftest: case %u %s: CPU: VMfailValid, VM-instruction error %u (%s)\n",
                i, c->name, err, vmx_insn_error_name(err));
    } else if (st == VMX_FAIL_INVALID) {
        kprintf("skiff: vmcheck selftest: case %u %s: CPU: VMfailInvalid\n", i, c->name);
    } else if (s->exit_reason & EXIT_REASON_FAILED_VMENTRY) {
        kprintf("skiff: vmcheck selftest: case %u %s: CPU: VM-entry failure, exit reason %u (%s)\n",
                i, c->name, s->exit_reason & 0xffff, vmx_exit_reason_name(s->exit_reason & 0xffff));
    } else {
        kprintf("skiff: vmcheck selftest: case %u %s: CPU: entered the guest (this CPU does not "
                "enforce the rule)\n", i, c->name);
    }
}

int selftest_vmcheck(struct vcpu *guest, const struct guest_start *gs, uint64_t stub_rip, uint64_t io_a, uint64_t io_b,
                     uint64_t msr)
{
    static struct vmcs_snapshot base;
    struct vcpu *s = &vcpu_selftest;
    unsigned injected = 0, named = 0, skipped = 0;
    bool warn = vmcheck_mode == VMCHECK_WARN;

    kprintf("skiff: selftest=vmcheck: breaking one VM-entry rule at a time in a second VMCS%s\n",
            warn ? ", and letting the CPU try each (vmcheck=warn)" : "");
    if (selftest_vmcs(guest, gs, stub_rip, io_a, io_b, msr))
        return SKIFF_VMX_FAILED;
    if (vmcheck_current("in the VMCS Skiff built")) {
        kprintf("skiff: error: selftest=vmcheck: Skiff's own VMCS fails the checks\n");
        return SKIFF_VMX_FAILED;
    }
    vmcs_snap_clear(&base);
    vmcs_snap_fill(&base, snap_read);

    for (unsigned i = 0; i < vmcheck_case_count; i++) {
        const struct vmcheck_case *c = &vmcheck_cases[i];
        uint64_t old;
        if (!vmcheck_case_applies(c, &base) || vmx_vmread(c->field, &old) != VMX_OK ||
            vmx_vmwrite(c->field, vmcheck_case_value(c, old)) != VMX_OK) {
            skipped++;
            continue;
        }
        injected++;

        static struct vmcs_snapshot snap;
        static struct vmcheck_violation viol[64];
        struct vmcheck_env env = { .caps = &vmx_caps };
        struct cpuid_regs r = cpuid(0x80000008, 0);
        env.maxphyaddr = r.eax & 0xff;
        env.linaddr_bits = (r.eax >> 8) & 0xff;
        vmcs_snap_clear(&snap);
        vmcs_snap_fill(&snap, snap_read);
        size_t n = vmcheck_run(&snap, &env, viol, ARRAY_SIZE(viol));
        bool ok = false;
        for (size_t k = 0; k < n && k < ARRAY_SIZE(viol); k++) {
            char line[240];
            vmcheck_format(&viol[k], line, sizeof(line));
            kprintf("%s\n", line);
            if (!strcmp(viol[k].section, c->section) &&
                (viol[k].field == c->expect_field || viol[k].field2 == c->expect_field))
                ok = true;
        }
        named += ok;
        kprintf("skiff: vmcheck selftest: case %u %s: %s %s %s\n", i, c->name,
                ok ? "named" : "NOT named", c->section, vmcs_field_name(c->expect_field));
        if (warn)
            cpu_verdict(s, i, c);
        /* Restore: a launched VMCS goes back to Clear, the field to its value. */
        if (s->launch_state == VMCS_STATE_LAUNCHED && selftest_vmcs(guest, gs, stub_rip, io_a, io_b, msr))
            return SKIFF_VMX_FAILED;
        vmx_vmwrite(c->field, old);
    }
    kprintf("skiff: vmcheck selftest %u of %u named (%u cases do not apply to this CPU)\n", named,
            injected, skipped);
    if (vmcs_clear(s) || vmcs_load(guest))
        return SKIFF_VMX_FAILED;
    vmcheck_dirty = true;
    this_cpu()->vmcheck_stale = true;    /* the cases wrote fields with plain VMWRITEs */
    return named == injected ? 0 : SKIFF_VMX_FAILED;
}
