/* A guest store to a write-protected page, performed by Skiff (vmx/emulate/mmio_write.h). */
#include "vmx/emulate/mmio_write.h"

#include "kernel/console/console.h"
#include "kernel/lib/format.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/emulate/insn_decode.h"
#include "vmx/emulate/insn_emulate.h"

/* The segment-base fields in the Sreg order of enum insn_seg. */
static const uint32_t mmio_seg_base[] = {
    [INSN_ES] = GUEST_ES_BASE, [INSN_CS] = GUEST_CS_BASE, [INSN_SS] = GUEST_SS_BASE,
    [INSN_DS] = GUEST_DS_BASE, [INSN_FS] = GUEST_FS_BASE, [INSN_GS] = GUEST_GS_BASE,
};

/* Offset -> linear address: in 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.2.4);
 * otherwise base + offset wraps at 4 GiB.  The CPU already did the limit checks. */
static uint64_t mmio_linear(enum insn_mode mode, unsigned seg, uint64_t off)
{
    if (mode == INSN_MODE_64)
        return seg >= INSN_FS ? vmcs_read(mmio_seg_base[seg]) + off : off;
    return (vmcs_read(mmio_seg_base[seg]) + off) & 0xffffffffull;
}

/* The code mode: CS.L in IA-32e mode, else CS.D (SDM Vol. 3A 5.2.1). */
static enum insn_mode mmio_code_mode(void)
{
    uint64_t ar = vmcs_read(GUEST_CS_AR_BYTES);
    if ((ar & (1u << 13)) && (vmcs_read(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE))
        return INSN_MODE_64;
    return (ar & (1u << 14)) ? INSN_MODE_32 : INSN_MODE_16;
}

/* Stop the guest on a write Skiff cannot perform, naming the instruction's bytes. */
static void mmio_refuse(struct vcpu *v, uint64_t gpa, const struct mmio_write_ops *ops, const uint8_t *bytes,
                        size_t n, const char *why, enum exit_action *act)
{
    char hex[3 * 15 + 1] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%s%02x", i ? " " : "", bytes[i]);
    kprintf("skiff: error: guest write to %s (GPA 0x%llx) %s: %s at RIP 0x%llx\n", ops->what,
            (unsigned long long)gpa, why, hex, (unsigned long long)v->guest_rip);
    vcpu_dump(v);
    *act = vcpu_stop(v, GUEST_STOPPED, 1, "stopped: unsupported write to %s", ops->what);
}

/* MOVS: the source element, through the guest's paging (from the protected page too). */
static bool mmio_read_source(const struct insn *d, enum insn_mode mode, const uint64_t gpr[16], uint64_t page,
                             const struct mmio_write_ops *ops, uint64_t *val)
{
    uint64_t la = mmio_linear(mode, d->seg, insn_src_offset(d, gpr)), pa;
    *val = 0;
    if (!guest_linear_to_phys(la, 0, &pa))
        return false;
    if ((pa & ~0xfffull) == page) {
        if ((pa & 0xfff) + d->opsize > 0x1000)
            return false;
        *val = ops->load(pa, d->opsize);
        return true;
    }
    return guest_read(la, val, d->opsize);
}

void mmio_write_emulate(struct vcpu *v, uint64_t gpa, uint64_t page, const struct mmio_write_ops *ops,
                        enum exit_action *act)
{
    uint8_t bytes[15] = { 0 };
    size_t n = 0;
    enum insn_mode mode = mmio_code_mode();
    /* A write by the CPU delivering an event (its frame pushed onto this page) is no
     * instruction's: nothing to emulate (SDM Vol. 3C 28.2.4, IDT-vectoring information). */
    if (vmcs_read(IDT_VECTORING_INFO_FIELD) & INTR_VALID)
        return mmio_refuse(v, gpa, ops, bytes, 0, "while delivering an event (the guest's stack is there)", act);
    while (n < sizeof(bytes) && guest_fetch(mmio_linear(mode, INSN_CS, v->guest_rip + n), &bytes[n], 1))
        n++;
    struct insn d;
    if (!insn_decode(bytes, n, mode, &d))
        return mmio_refuse(v, gpa, ops, bytes, n, "by an instruction Skiff does not emulate", act);

    struct insn_regs r, before;
    for (unsigned i = 0; i < 16; i++)
        r.gpr[i] = *vcpu_gpr(v, i);
    r.rflags = vmcs_read(GUEST_RFLAGS);
    before = r;
    /* The access Skiff would perform must be the one that exited (the bytes could have
     * changed since, or a write could straddle the page). */
    uint64_t la = mmio_linear(mode, d.string ? INSN_ES : d.seg, insn_dest_offset(&d, r.gpr, v->guest_rip)), pa;
    if (!guest_linear_to_phys(la, 0, &pa) || pa != gpa || (gpa & 0xfff) + d.opsize > 0x1000)
        return mmio_refuse(v, gpa, ops, bytes, d.len, "not at the address its instruction names", act);
    uint64_t old = insn_ops[d.op].reads_dest ? ops->load(gpa, d.opsize) : 0, src = 0;
    if (d.src == INSN_SRC_MEM && !mmio_read_source(&d, mode, r.gpr, page, ops, &src))
        return mmio_refuse(v, gpa, ops, bytes, d.len, "from a source Skiff cannot read", act);

    struct insn_result res = insn_emulate(&d, &r, old, src);
    if (res.write) {
        bool stopped = false;
        const char *why = ops->store(v, gpa, d.opsize, res.value, &stopped, act);
        if (stopped)
            return;
        if (why)
            return mmio_refuse(v, gpa, ops, bytes, d.len, why, act);
    }
    for (unsigned i = 0; i < 16; i++)
        if (r.gpr[i] != before.gpr[i]) {
            if (i == INSN_RSP)
                vmcs_write(GUEST_RSP, r.gpr[i]);
            else
                *vcpu_gpr(v, i) = r.gpr[i];
        }
    if (r.rflags != before.rflags)
        vmcs_write(GUEST_RFLAGS, r.rflags);
    if (res.done)
        vcpu_skip_insn_len(v, d.len);
    *act = EXIT_RESUME;
}
