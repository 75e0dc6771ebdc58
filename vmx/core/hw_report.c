/*
 * The hardware report (vmx/core/hw_report.h).  Every MSR is read with rdmsr_safe: one the CPU
 * (or a KVM L0) does not have is left out, as the profile format reads a missing MSR as absent.
 * CPUID sub-leaves are enumerated as the SDM Vol. 2A CPUID reference says each leaf counts them.
 */
#include "vmx/core/hw_report.h"

#include "kernel/config/skiff.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/extable.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/policy/cpuid_msr.h"       /* enum cpuid_reg */

/* The MSRs a profile holds beyond the VMX capability MSRs (0x480-0x492), each for a reason, each
 * read only where CPUID enumerates it (a CPU or an emulator may answer 0 for an MSR it lacks). */
static const struct {
    uint32_t msr, leaf;
    uint8_t reg, bit;               /* enumerated by CPUID.(leaf,0):reg[bit] (enum cpuid_reg) */
    const char *name;
} report_msrs[] = {
    { 0x03a, 1, CPUID_ECX, 5, "IA32_FEATURE_CONTROL: whether VMX is enabled and locked" },
    { 0x0cf, 7, CPUID_EDX, 30, "IA32_CORE_CAPABILITIES: read by the CPUID backing table" },
    { 0x10a, 7, CPUID_EDX, 29, "IA32_ARCH_CAPABILITIES: the speculation and x2APIC-lock bits" },
    { 0x1a0, 1, CPUID_EDX, 5, "IA32_MISC_ENABLE: MONITOR/MWAIT, limit CPUID maxval (with RDMSR, CPUID.1:EDX.MSR)" },
    { 0x345, 1, CPUID_ECX, 15, "IA32_PERF_CAPABILITIES (PDCM): LBR format, KVM's DEBUGCTL rule" },
};

static bool enumerated(uint32_t leaf, unsigned reg, unsigned bit)
{
    if (cpuid(0, 0).eax < leaf)
        return false;
    struct cpuid_regs r = cpuid(leaf, 0);
    uint32_t v = reg == CPUID_EAX ? r.eax : reg == CPUID_EBX ? r.ebx : reg == CPUID_ECX ? r.ecx : r.edx;
    return v & (1u << bit);
}

static void leaf(uint32_t l, uint32_t sub)
{
    struct cpuid_regs r = cpuid(l, sub);
    kprintf(HW_REPORT_PREFIX "cpuid 0x%08x 0x%x 0x%08x 0x%08x 0x%08x 0x%08x\n", l, sub, r.eax, r.ebx, r.ecx, r.edx);
}

/* How many sub-leaves leaf l has (sub-leaf 0 included), capped at 64. */
static uint32_t subleaves(uint32_t l)
{
    struct cpuid_regs r0 = cpuid(l, 0);
    uint32_t n = 1;
    switch (l) {
    case 0x4:                       /* deterministic cache parameters: until cache type 0 */
        while (n < 16 && (cpuid(l, n).eax & 0x1f))
            n++;
        return n;
    case 0x7: case 0x14: case 0x17: case 0x18: case 0x1d: case 0x20:   /* EAX of sub-leaf 0: the last */
        return (r0.eax < 63 ? r0.eax : 63) + 1;
    case 0xb: case 0x1f:            /* extended topology: until level type 0 */
        while (n < 8 && (cpuid(l, n).ecx & 0xff00))
            n++;
        return n + 1;
    case 0xd:                       /* XSAVE: sub-leaves 0-63 */
    case 0x10: case 0x12: case 0xf:
        return l == 0xd ? 64 : 4;
    default:
        return 1;
    }
}

void hw_report_print(void)
{
    if (skiff_cfg.loglevel < LOG_DEBUG)
        return;
    struct cpuid_regs v = cpuid(0, 0), x = cpuid(0x80000000, 0);
    char brand[49] = { 0 };
    if (x.eax >= 0x80000004)
        for (uint32_t i = 0; i < 3; i++) {
            struct cpuid_regs b = cpuid(0x80000002 + i, 0);
            uint32_t w[4] = { b.eax, b.ebx, b.ecx, b.edx };
            for (unsigned k = 0; k < 16; k++)
                brand[16 * i + k] = (char)(w[k / 4] >> (8 * (k % 4)));
        }
    kprintf(HW_REPORT_PREFIX "# source: Skiff's hardware report (loglevel=debug) on \"%s\", signature 0x%08x\n",
            brand[0] ? brand : "(no brand string)", cpuid(1, 0).eax);
    /* The capability MSRs exist where CPUID.1:ECX.VMX[bit 5] is 1 (SDM Vol. 3D A.1). */
    for (uint32_t m = MSR_IA32_VMX_BASIC; m <= 0x492 && enumerated(1, CPUID_ECX, 5); m++) {
        uint64_t val;
        if (rdmsr_safe(m, &val))
            kprintf(HW_REPORT_PREFIX "msr 0x%x 0x%016llx\n", m, (unsigned long long)val);
    }
    for (unsigned i = 0; i < sizeof(report_msrs) / sizeof(report_msrs[0]); i++) {
        uint64_t val;
        if (enumerated(report_msrs[i].leaf, report_msrs[i].reg, report_msrs[i].bit) &&
            rdmsr_safe(report_msrs[i].msr, &val))
            kprintf(HW_REPORT_PREFIX "msr 0x%x 0x%016llx   # %s\n", report_msrs[i].msr, (unsigned long long)val,
                    report_msrs[i].name);
    }
    uint32_t max = v.eax < 0x30 ? v.eax : 0x30;
    for (uint32_t l = 0; l <= max; l++) {
        uint32_t n = subleaves(l);
        for (uint32_t s = 0; s < n; s++) {
            struct cpuid_regs r = cpuid(l, s);
            if (s < 2 || r.eax | r.ebx | r.ecx | r.edx)
                leaf(l, s);
        }
    }
    if (cpuid(1, 0).ecx & (1u << 31)) {         /* a hypervisor below: its leaves (KVM's signature) */
        uint32_t hmax = cpuid(0x40000000, 0).eax;
        for (uint32_t l = 0x40000000; l <= hmax && l <= 0x40000010; l++)
            leaf(l, 0);
    }
    uint32_t xmax = x.eax >= 0x80000000 && x.eax <= 0x80000028 ? x.eax : 0x80000028;
    for (uint32_t l = 0x80000000; l <= xmax && x.eax >= 0x80000000; l++)
        leaf(l, 0);
    kprintf(HW_REPORT_PREFIX "# end of the hardware report\n");
}
