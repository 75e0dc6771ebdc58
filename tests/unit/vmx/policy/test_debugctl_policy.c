// SOURCES: vmx/policy/debugctl_policy.c
/*
 * The guest's IA32_DEBUGCTL bits (vmx/policy/debugctl_policy.c) against KVM's rule for an
 * L1's VMCS (issue 21 item 7): every value the guest may write must pass KVM's
 * vmx_is_valid_debugctl for every configuration of the L1, else Skiff's next VM entry fails
 * with exit reason 33 under nested KVM.
 */
#include "tests/unit/unit.h"

#include "vmx/policy/debugctl_policy.h"

#define LBR                (1ull << 0)
#define BTF                (1ull << 1)
#define BUS_LOCK_DETECT    (1ull << 2)
#define FREEZE_LBRS_ON_PMI (1ull << 11)
#define RTM_DEBUG          (1ull << 15)

/* What KVM knows of the L1 vCPU. */
struct kvm_l1 {
    bool bus_lock;       /* host and L1 CPUID have BUS_LOCK_DETECT */
    bool lbr;            /* KVM gave the vCPU LBRs (intel_pmu_lbr_is_enabled: the VMM set lbr-fmt) */
    bool rtm;            /* host and L1 CPUID have RTM (the 2025 RTM_DEBUG change) */
};

/*
 * A model of Linux's vmx_get_supported_debugctl + vmx_is_valid_debugctl (arch/x86/kvm/vmx/vmx.c
 * as of the 2025 series "KVM: nVMX: Check vmcs12->guest_ia32_debugctl on nested VM-Enter"),
 * written from its description, not its code: the supported bits are BUS_LOCK_DETECT with its
 * CPUID bit, LBR and FREEZE_LBRS_ON_PMI with LBRs enabled, RTM_DEBUG with RTM; BTF and LBR
 * outside that set are exempted (accepted, logged as unimplemented); anything else is invalid.
 */
static bool kvm_is_valid_debugctl(const struct kvm_l1 *k, uint64_t data)
{
    uint64_t supported = 0;
    if (k->bus_lock)
        supported |= BUS_LOCK_DETECT;
    if (k->lbr)
        supported |= LBR | FREEZE_LBRS_ON_PMI;
    if (k->rtm)
        supported |= RTM_DEBUG;
    uint64_t invalid = data & ~supported;
    invalid &= ~(BTF | LBR);
    return invalid == 0;
}

/* The mask today's main let the guest set (msr_policy.h: LBR, BTF, 11, 12, 14, 15). */
#define OLD_MASK (LBR | BTF | (1ull << 11) | (1ull << 12) | (1ull << 14) | (1ull << 15))

/* Values made of mask's bits: every subset of the low 16 bits within mask, and bit 63. */
static unsigned refused_by_kvm(uint64_t mask, const struct kvm_l1 *k)
{
    unsigned bad = 0;
    for (uint64_t v = 0; v < 0x10000; v++)
        if (!(v & ~mask) && !kvm_is_valid_debugctl(k, v))
            bad++;
    return bad;
}

TEST(the_model_can_refuse)
{
    struct kvm_l1 none = { false, false, false };
    CHECK(kvm_is_valid_debugctl(&none, 0));
    CHECK(kvm_is_valid_debugctl(&none, LBR | BTF));               /* the exemption */
    CHECK(!kvm_is_valid_debugctl(&none, 1ull << 12));
    CHECK(!kvm_is_valid_debugctl(&none, FREEZE_LBRS_ON_PMI));
    struct kvm_l1 lbr = { false, true, false };
    CHECK(kvm_is_valid_debugctl(&lbr, LBR | FREEZE_LBRS_ON_PMI));
    /* Today's main: the perf user's write of bits 11, 12, 14, 15 passes Skiff and fails KVM. */
    CHECK(refused_by_kvm(OLD_MASK, &none) > 0);
}

/* Every KVM configuration, the weakest included (no LBRs, no bus-lock detection, no RTM). */
TEST(guest_values_pass_kvm_everywhere)
{
    uint64_t mask = debugctl_guest_mask();
    for (unsigned c = 0; c < 8; c++) {
        struct kvm_l1 k = { c & 1, c & 2, c & 4 };
        CHECK_EQ(refused_by_kvm(mask, &k), 0u);
    }
}

/* Nothing the CPU reserves, no bit twice, a reason per row; LBR and BTF stay (debuggers use BTF). */
TEST(table_rows)
{
    uint64_t seen = 0;
    for (unsigned i = 0; i < debugctl_bit_count; i++) {
        const struct debugctl_bit *b = &debugctl_bits[i];
        CHECK(b->bit < 16 && !(b->bit >= 3 && b->bit <= 5));      /* 5:3 and 63:16 reserved (Table 2-2) */
        CHECK(!(seen & (1ull << b->bit)));
        seen |= 1ull << b->bit;
        CHECK(b->reason && b->reason[0]);
    }
    CHECK_EQ(debugctl_guest_mask(), LBR | BTF);
}

TEST(writes)
{
    CHECK(debugctl_write_ok(0));
    CHECK(debugctl_write_ok(LBR | BTF));
    CHECK(!debugctl_write_ok(1ull << 7));              /* BTS: #GP */
    CHECK(!debugctl_write_ok(1ull << 12));             /* refused by KVM: #GP, as under KVM */
    CHECK(!debugctl_write_ok(1ull << 14));
    CHECK(!debugctl_write_ok(1ull << 40));             /* reserved */
}

UNIT_MAIN(T(the_model_can_refuse), T(guest_values_pass_kvm_everywhere), T(table_rows), T(writes))
