/*
 * Transient-execution mitigations (vmx/policy/spec_policy.h).
 *
 * Skiff runs one guest that owns the machine.  What that guest must not learn
 * is Skiff's own memory (its page tables, the VMCS, the EPT, the per-run id
 * that proves the verdict line) and what it must not steer is Skiff's control
 * flow.  The guest's secrets are its own: Skiff never separates one guest
 * context from another, so nothing here protects the guest from itself.
 *
 * Which CPU is affected by what comes from the CPU itself (the *_NO bits of
 * IA32_ARCH_CAPABILITIES, Intel's "affected processors" guidance); a CPU
 * without the MSR is taken as affected by everything it could be affected by
 * (Skylake and older), as Linux does (arch/x86/kernel/cpu/common.c).
 */
#include "vmx/policy/spec_policy.h"

const struct spec_row spec_rows[] = {
    { "Spectre v2 (host)",
      "ARCH_CAPABILITIES.IBRS_ALL (bit 1) with CPUID.(7,0).EDX[26]",
      "eIBRS: IA32_SPEC_CTRL.IBRS held set in VMX root; without it no legacy IBRS. skiff.elf is always "
      "built with retpolines (-mindirect-branch=thunk): no indirect CALL/JMP predicted from the BTB",
      "the exit dispatcher's table call is the one indirect branch a guest could train; eIBRS keeps the "
      "guest's predictions out of VMX root, retpolines make it a RET where eIBRS is missing; legacy IBRS "
      "costs a WRMSR per exit and slows Skiff, and adds nothing over retpolines" },
    { "IA32_SPEC_CTRL ownership",
      "Skiff's host value non-zero (eIBRS or BHI_DIS_S)",
      "the MSR passes to the guest; the VM-exit MSR-store list keeps the guest's value, the VM-exit "
      "MSR-load list restores Skiff's on every exit, the VM-entry MSR-load list gives the guest its own back",
      "the guest may clear IBRS or BHI_DIS_S at will; an intercept would cost an exit per guest write "
      "(Linux writes it on every kernel entry with IBRS); with a host value of 0 the guest's bits can "
      "only add protection, so nothing is switched" },
    { "IBPB",
      "CPUID.(7,0).EDX[26]",
      "never issued by Skiff; IA32_PRED_CMD passes to the guest",
      "IBPB separates two distrusting contexts that share a predictor mode; Skiff has one guest, no "
      "second guest or host process to switch to, and VMX root is a different predictor mode (eIBRS) or "
      "retpolined; the guest's kernel uses IBPB between its own processes" },
    { "L1TF",
      "not ARCH_CAPABILITIES.RDCL_NO (bit 0) and not SKIP_L1DFL_VMENTRY (bit 3); needs L1D_FLUSH "
      "(CPUID.(7,0).EDX[28])",
      "IA32_FLUSH_CMD.L1D_FLUSH written by the VM-entry MSR-load list on every VM entry",
      "a guest PTE that is not present can name any host-physical line still in the L1D, past EPT: "
      "the VMCS, Skiff's page tables and the run id are read during exits; without L1D_FLUSH "
      "(old microcode) it is reported open" },
    { "MDS, TAA",
      "CPUID.(7,0).EDX[10] MD_CLEAR and (not MDS_NO (bit 5), or RTM and not TAA_NO (bit 8))",
      "VERW just before every VMLAUNCH/VMRESUME (not when the L1D flush runs: with MD_CLEAR it also "
      "overwrites the buffers)",
      "store, fill and load buffers hold what Skiff's exit handler touched; VERW overwrites them" },
    { "MMIO stale data",
      "not (SBDR_SSDP_NO, FBSDP_NO and PSDP_NO: bits 13-15); FB_CLEAR (bit 17) or MD_CLEAR",
      "VERW before every entry, as MDS",
      "the guest owns every device and its MMIO, so it has the access the attack needs" },
    { "RFDS",
      "ARCH_CAPABILITIES.RFDS_CLEAR (bit 28) and not RFDS_NO (bit 27)",
      "VERW before every entry, as MDS (RFDS_CLEAR makes VERW clear the register files)",
      "Atom cores: stale register-file values of Skiff's exit handler; without RFDS_CLEAR the part is "
      "not affected or has no control" },
    { "RSB on exit",
      "no eIBRS: always; eIBRS: unless PBRSB_NO (bit 24); RSBA (bit 2) / RRSBA (bit 19) reported",
      "no eIBRS: 32 RSB entries overwritten at the top of the exit stub; eIBRS: one CALL and LFENCE",
      "the guest leaves return predictions behind; Skiff's RETs (and the retpolines themselves) would "
      "consume them; with eIBRS only the last CALL before the exit (PBRSB) can leak" },
    { "BHI",
      "not ARCH_CAPABILITIES.BHI_NO (bit 20); BHI_CTRL is CPUID.(7,2).EDX[4]",
      "IA32_SPEC_CTRL.BHI_DIS_S held set in the host where BHI_CTRL exists; else retpolines",
      "the guest's branch history can select a host-mode target for Skiff's indirect call under "
      "eIBRS; BHI_DIS_S stops it; retpolines leave no BTB-predicted indirect branch (RRSBA parts: see "
      "the README)" },
    { "SSB (Spectre v4)",
      "not ARCH_CAPABILITIES.SSB_NO (bit 4)",
      "no SSBD in the host; IA32_SPEC_CTRL.SSBD is the guest's",
      "a bypassed store leaks within one context: Skiff runs no code it does not trust" },
    { "SRBDS",
      "CPUID.(7,0).EDX[9] SRBDS_CTRL (parts in Linux's SRBDS list)",
      "nothing: the microcode's default (RDRAND serialised) is left on",
      "Skiff's one RDRAND (the run id) runs at boot, before the guest runs any instruction on any CPU" },
    { "GDS (Downfall)",
      "not ARCH_CAPABILITIES.GDS_NO (bit 26)",
      "nothing",
      "GDS leaks vector registers; Skiff is built -mgeneral-regs-only and never holds a secret in them" },
    { "STIBP, SMT",
      "CPUID.(7,0).EDX[27]",
      "not set",
      "every sibling thread runs the same guest; what a sibling can sample while the other thread is in "
      "VMX root is in the README" },
};
const unsigned spec_row_count = sizeof(spec_rows) / sizeof(spec_rows[0]);

struct spec_plan spec_plan_for(const struct spec_cpu *cpu)
{
    struct spec_plan p = { 0 };
    uint32_t edx = cpu->cpuid7_edx;
    uint64_t ac = (edx & CPUID7_EDX_ARCH_CAP) ? cpu->arch_cap : 0;
    bool spec_ctrl = edx & CPUID7_EDX_IBRS_IBPB;

    p.in_force |= SPEC_M_RETPOLINE;
    bool eibrs = spec_ctrl && (ac & ARCH_CAP_IBRS_ALL);
    if (eibrs) {
        p.in_force |= SPEC_M_EIBRS;
        p.host_spec_ctrl |= SPEC_CTRL_IBRS;
    }

    p.bhi = !(ac & ARCH_CAP_BHI_NO);
    if (p.bhi && spec_ctrl && (cpu->cpuid7_2_edx & CPUID7_2_EDX_BHI_CTRL)) {
        p.in_force |= SPEC_M_BHI_DIS_S;
        p.host_spec_ctrl |= SPEC_CTRL_BHI_DIS_S;
    }
    if (p.host_spec_ctrl)
        p.in_force |= SPEC_M_SPEC_CTRL_SWAP;

    p.l1tf = !(ac & ARCH_CAP_RDCL_NO);
    if (p.l1tf && !(ac & ARCH_CAP_SKIP_L1DFL_VMENTRY))
        p.in_force |= (edx & CPUID7_EDX_L1D_FLUSH) ? SPEC_M_L1D_FLUSH : SPEC_M_L1TF_OPEN;

    p.mds = !(ac & ARCH_CAP_MDS_NO);
    p.taa = (cpu->cpuid7_ebx & CPUID7_EBX_RTM) && !(ac & ARCH_CAP_TAA_NO);
    p.mmio = !((ac & ARCH_CAP_SBDR_SSDP_NO) && (ac & ARCH_CAP_FBSDP_NO) && (ac & ARCH_CAP_PSDP_NO));
    p.rfds = (ac & ARCH_CAP_RFDS_CLEAR) && !(ac & ARCH_CAP_RFDS_NO);
    bool md_clear = edx & CPUID7_EDX_MD_CLEAR;
    bool verw = (md_clear && (p.mds || p.taa || p.mmio)) || ((ac & ARCH_CAP_FB_CLEAR) && p.mmio) || p.rfds;
    /* With MD_CLEAR microcode the L1D flush also overwrites the buffers VERW clears (Intel's MDS
     * guidance; Linux's KVM skipped VERW after the flush); RFDS needs VERW itself. */
    if (verw && (!(p.in_force & SPEC_M_L1D_FLUSH) || p.rfds))
        p.in_force |= SPEC_M_VERW;
    if ((p.mds || p.taa || p.mmio) && !verw && !(p.in_force & SPEC_M_L1D_FLUSH && md_clear))
        p.in_force |= SPEC_M_MDS_OPEN;

    if (!eibrs)
        p.in_force |= SPEC_M_RSB_FILL;
    else if (!(ac & ARCH_CAP_PBRSB_NO))
        p.in_force |= SPEC_M_RSB_LITE;

    p.gds = !(ac & ARCH_CAP_GDS_NO);
    p.ssb = !(ac & ARCH_CAP_SSB_NO);
    return p;
}

const char *spec_row_verdict(unsigned i, const struct spec_cpu *cpu, const struct spec_plan *p)
{
    uint32_t f = p->in_force;
    switch (i) {
    case 0: return (f & SPEC_M_EIBRS) ? "in force: eIBRS in the host, retpolines" : "in force: retpolines (no eIBRS)";
    case 1: return (f & SPEC_M_SPEC_CTRL_SWAP) ? "in force: switched by the VM-exit/entry MSR lists"
                                              : "guest's value kept (host value 0)";
    case 2: return "not used (one guest)";
    case 3: return (f & SPEC_M_L1D_FLUSH) ? "in force: L1D flush on entry"
                   : (f & SPEC_M_L1TF_OPEN) ? "OPEN: affected, no L1D_FLUSH" : "not needed (not affected)";
    case 4: return !(p->mds || p->taa) ? "not affected"
                   : (f & SPEC_M_VERW) ? "in force: VERW on entry"
                   : (f & SPEC_M_L1D_FLUSH) && (cpu->cpuid7_edx & CPUID7_EDX_MD_CLEAR) ? "in force: the L1D flush"
                   : "OPEN: affected, no MD_CLEAR";
    case 5: return !p->mmio ? "not affected"
                   : (f & SPEC_M_VERW) ? "in force: VERW on entry"
                   : (f & SPEC_M_L1D_FLUSH) && (cpu->cpuid7_edx & CPUID7_EDX_MD_CLEAR) ? "in force: the L1D flush"
                   : "OPEN: affected, no FB_CLEAR or MD_CLEAR";
    case 6: return p->rfds ? "in force: VERW on entry" : "not affected or no RFDS_CLEAR";
    case 7: return (f & SPEC_M_RSB_FILL) ? "in force: 32-entry fill on exit"
                   : (f & SPEC_M_RSB_LITE) ? "in force: one CALL+LFENCE on exit" : "not needed (PBRSB_NO)";
    case 8: return !p->bhi ? "not affected" : (f & SPEC_M_BHI_DIS_S) ? "in force: BHI_DIS_S in the host"
                                                                     : "retpolines";
    case 9: return p->ssb ? "affected: guest's own SSBD" : "not affected";
    case 10: return "left on (microcode default)";
    case 11: return p->gds ? "affected: no vector secrets in Skiff" : "not affected";
    case 12: return "not set";
    }
    return "?";
}

static void add(char *buf, unsigned size, unsigned *n, const char *s)
{
    if (*n && *n + 2 < size) {
        buf[(*n)++] = ',';
        buf[(*n)++] = ' ';
    }
    while (*s && *n + 1 < size)
        buf[(*n)++] = *s++;
    if (size)
        buf[*n < size ? *n : size - 1] = 0;
}

void spec_plan_summary(const struct spec_plan *p, char *buf, unsigned size)
{
    unsigned n = 0;
    uint32_t f = p->in_force;
    if (size)
        buf[0] = 0;
    add(buf, size, &n, (f & SPEC_M_EIBRS) ? "eIBRS in the host" : "retpolines in the host (no eIBRS)");
    if (f & SPEC_M_BHI_DIS_S)
        add(buf, size, &n, "BHI_DIS_S");
    if (f & SPEC_M_SPEC_CTRL_SWAP)
        add(buf, size, &n, "SPEC_CTRL restored on exit");
    add(buf, size, &n, (f & SPEC_M_RSB_FILL) ? "RSB filled on exit" : (f & SPEC_M_RSB_LITE) ? "RSB CALL on exit"
                                                                                          : "no RSB fill");
    bool buffers = p->mds || p->taa || p->mmio || p->rfds;
    add(buf, size, &n, (f & SPEC_M_VERW) ? "VERW on entry"
                       : !buffers ? "no VERW (not affected)"
                       : (f & SPEC_M_MDS_OPEN) ? "no VERW (affected, no MD_CLEAR: MDS open)"
                                               : "no VERW (the L1D flush clears the buffers)");
    add(buf, size, &n, (f & SPEC_M_L1D_FLUSH) ? "L1D flush on entry"
                       : (f & SPEC_M_L1TF_OPEN) ? "no L1D flush (affected, no L1D_FLUSH: L1TF open)"
                                                : "no L1D flush (not affected)");
    add(buf, size, &n, "no IBPB (one guest)");
}
