// SOURCES: vmx/policy/xss_policy.c vmx/policy/msr_policy.c
/* The supervisor state component rules (vmx/policy/xss_policy.c) against the MSR policy. */
#include "tests/unit/unit.h"

#include <stdbool.h>
#include <stdint.h>

#include "vmx/policy/msr_policy.h"
#include "vmx/policy/xss_policy.h"

/* XRSTORS loads a component's MSRs without the policy's check: a component is the guest's
 * exactly when the policy passes every write of every MSR it holds to the CPU. */
TEST(allowed_exactly_when_every_msr_passes)
{
    for (unsigned i = 0; i < xss_rule_count; i++) {
        const struct xss_rule *r = &xss_rules[i];
        bool all_pass = true;
        unsigned n = 0;
        for (unsigned k = 0; k < XSS_MAX_RANGES && r->msrs[k].first; k++, n++)
            for (uint32_t m = r->msrs[k].first; m <= r->msrs[k].last; m++)
                all_pass &= msr_policy_action(m, true) == MSR_PASS;
        CHECK(n >= 1);
        if (r->allowed != all_pass)
            printf("    component %u (%s): allowed=%d, its MSRs all pass=%d\n", r->bit, r->name, r->allowed, all_pass);
        CHECK(r->allowed == all_pass);
        CHECK(r->name && r->name[0] && r->reason && r->reason[0]);
        CHECK(r->bit >= 8 && r->bit < 64 && r->bit != 9);      /* supervisor components only (9 is PKRU) */
    }
}

TEST(pt_hdc_uintr_denied_others_allowed)
{
    uint64_t m = xss_guest_mask();
    CHECK(!(m & (1ull << 8)));             /* PT: IA32_RTIT_* are denied */
    CHECK(!(m & (1ull << 13)));            /* HDC: IA32_PM_CTL1 not in the policy */
    CHECK(!(m & (1ull << 14)));            /* UINTR */
    CHECK(m & (1ull << 10));               /* PASID */
    CHECK(m & (1ull << 11));               /* CET_U */
    CHECK(m & (1ull << 12));               /* CET_S */
    CHECK(m & (1ull << 15));               /* LBR */
    CHECK(m & (1ull << 16));               /* HWP */
    CHECK_EQ(m, (1ull << 10) | (1ull << 11) | (1ull << 12) | (1ull << 15) | (1ull << 16));
}

TEST(user_and_unknown_bits_denied)
{
    for (unsigned b = 0; b < 64; b++)
        if (!xss_rule_for(b))
            CHECK(!(xss_guest_mask() & (1ull << b)));
    CHECK(!xss_write_ok(1ull << 0));       /* x87: an XCR0 component */
    CHECK(!xss_write_ok(1ull << 9));       /* PKRU: XCR0 */
    CHECK(!xss_write_ok(1ull << 63));
}

TEST(write_check)
{
    CHECK(xss_write_ok(0));
    CHECK(xss_write_ok((1ull << 11) | (1ull << 12)));
    CHECK(!xss_write_ok(1ull << 8));
    CHECK(!xss_write_ok((1ull << 11) | (1ull << 8)));
}

/* The XSS-exiting bitmap catches every component the guest may not set, and no allowed one:
 * XRSTORS/XSAVES exit when EDX:EAX, IA32_XSS and the bitmap share a bit (SDM Vol. 3C 26.1.3). */
TEST(exit_bitmap_is_the_complement)
{
    CHECK_EQ(xss_exit_bitmap() & xss_guest_mask(), 0ull);
    CHECK_EQ(xss_exit_bitmap() | xss_guest_mask(), ~0ull);
    CHECK(xss_exit_bitmap() & (1ull << 8));
}

TEST(denied_names)
{
    char b[64];
    CHECK(strcmp(xss_denied_names(b, sizeof(b)), "PT HDC UINTR") == 0);
    CHECK(strcmp(xss_denied_names(b, 4), "PT ") == 0);
}

UNIT_MAIN(T(allowed_exactly_when_every_msr_passes), T(pt_hdc_uintr_denied_others_allowed),
          T(user_and_unknown_bits_denied), T(write_check), T(exit_bitmap_is_the_complement), T(denied_names))
