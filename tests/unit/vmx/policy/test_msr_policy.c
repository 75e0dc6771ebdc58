// SOURCES: vmx/policy/msr_policy.c
/* The MSR policy table and the MSR bitmap generated from it (vmx/policy/msr_policy.c). */
#include "tests/unit/unit.h"

#include <stdbool.h>
#include <stdint.h>

#include "vmx/policy/msr_policy.h"

TEST(rows_sorted_disjoint_and_complete)
{
    for (unsigned i = 0; i < msr_rule_count; i++) {
        const struct msr_rule *r = &msr_rules[i];
        CHECK(r->first <= r->last);
        if (i)
            CHECK(msr_rules[i - 1].last < r->first);          /* sorted, no overlap */
        CHECK(r->name && r->name[0] && r->reason && r->reason[0]);
        CHECK(r->read <= MSR_VIRT && r->write <= MSR_VIRT);
        bool needs = r->read >= MSR_EMULATE || r->write >= MSR_EMULATE;
        CHECK(needs ? (r->handler > MSR_H_NONE && r->handler < MSR_H_COUNT) : r->handler == MSR_H_NONE);
        CHECK(msr_in_bitmap_range(r->first) && msr_in_bitmap_range(r->last));
        CHECK((r->first >= 0xc0000000u) == (r->last >= 0xc0000000u));   /* one range each */
    }
}

TEST(every_row_reachable)
{
    for (unsigned i = 0; i < msr_rule_count; i++) {
        const struct msr_rule *r = &msr_rules[i];
        CHECK(msr_policy_lookup(r->first) == r);
        CHECK(msr_policy_lookup(r->last) == r);
        CHECK(msr_policy_lookup(r->first + (r->last - r->first) / 2) == r);
    }
}

TEST(every_handler_used)
{
    for (unsigned h = MSR_H_NONE + 1; h < MSR_H_COUNT; h++) {
        bool used = false;
        for (unsigned i = 0; i < msr_rule_count; i++)
            used |= msr_rules[i].handler == h;
        CHECK(used);
    }
}

TEST(default_denies)
{
    static const uint32_t unknown[] = { 0x2, 0x11, 0x1f, 0x9f, 0x300, 0x1fff, 0x2000, 0x40000000, 0x4b564d00,
                                        0x80000000, 0xbfffffff, 0xc0000085, 0xc0001fff, 0xc0002000,
                                        0xc0010000, 0xffffffff };
    for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        CHECK(msr_policy_lookup(unknown[i]) == &msr_rule_default);
        CHECK_EQ(msr_policy_action(unknown[i], false), MSR_DENY);
        CHECK_EQ(msr_policy_action(unknown[i], true), MSR_DENY);
    }
}

TEST(bitmap_matches_table_for_every_msr)
{
    static uint8_t bm[4096];
    msr_policy_bitmap(bm);
    unsigned mismatches = 0, exits = 0;
    static const uint32_t bases[] = { 0, 0xc0000000u };
    for (unsigned r = 0; r < 2; r++)
        for (uint32_t m = bases[r]; m < bases[r] + 0x2000; m++)
            for (int w = 0; w < 2; w++) {
                bool want = msr_policy_action(m, w) != MSR_PASS;
                exits += want;
                mismatches += msr_bitmap_exits(bm, m, w) != want;
            }
    CHECK_EQ(mismatches, 0);
    CHECK(exits > 0 && exits < 4 * 0x2000);
    /* Outside the two ranges every access exits (SDM Vol. 3C 25.6.9). */
    CHECK(msr_bitmap_exits(bm, 0x2000, false) && msr_bitmap_exits(bm, 0xbfffffff, true));
}

/* The classes of issue 13: what each must do. */
TEST(classes)
{
    static const uint32_t denied_both[] = { 0x9b, 0x9e, 0x150, 0x1f2, 0x1f3, 0x480,
                                            0x491, 0x560, 0x561, 0x570, 0x571, 0x572, 0x580, 0x587, 0x600 };
    for (unsigned i = 0; i < sizeof(denied_both) / sizeof(denied_both[0]); i++) {
        CHECK_EQ(msr_policy_action(denied_both[i], false), MSR_DENY);
        CHECK_EQ(msr_policy_action(denied_both[i], true), MSR_DENY);
    }
    static const uint32_t mtrrs[] = { 0x200, 0x21f, 0x250, 0x258, 0x259, 0x268, 0x26f, 0x2ff };
    for (unsigned i = 0; i < sizeof(mtrrs) / sizeof(mtrrs[0]); i++) {
        CHECK_EQ(msr_policy_action(mtrrs[i], false), MSR_VIRT);
        CHECK_EQ(msr_policy_action(mtrrs[i], true), MSR_VIRT);
        CHECK_EQ(msr_policy_lookup(mtrrs[i])->handler, MSR_H_MTRR);
    }
    CHECK_EQ(msr_policy_action(0x79, true), MSR_VIRT);
    CHECK_EQ(msr_policy_action(0x3a, false), MSR_VIRT);
    CHECK_EQ(msr_policy_action(0x3a, true), MSR_DENY);
    static const uint32_t checked_writes[] = { 0x1b, 0x1d9, 0x277, 0x38f, 0x390, 0x830, 0xda0, 0xc0000080 };
    for (unsigned i = 0; i < sizeof(checked_writes) / sizeof(checked_writes[0]); i++)
        CHECK_EQ(msr_policy_action(checked_writes[i], true), MSR_EMULATE);
    for (uint32_t m = 0x3f1; m <= 0x3f7; m++)             /* PEBS: reads harmless, writes denied */
        CHECK(msr_policy_action(m, false) == MSR_PASS && msr_policy_action(m, true) == MSR_DENY);
    CHECK_EQ(msr_policy_action(0x982, true), MSR_DENY);
    CHECK_EQ(msr_policy_action(0x1a0, false), MSR_VIRT);   /* IA32_MISC_ENABLE: the guest's copy */
    CHECK_EQ(msr_policy_action(0x1a0, true), MSR_VIRT);
    CHECK_EQ(msr_policy_action(0xc80, true), MSR_DENY);
    /* What Linux needs at native speed. */
    static const uint32_t linux_pass[] = { 0x10, 0x3b, 0x48, 0x49, 0x10b, 0x174, 0x175, 0x176, 0x6e0, 0x800, 0x80b,
                                           0x82f, 0x831, 0x838, 0x83f, 0xc1, 0x186, 0x309, 0x38d,
                                           0xe7, 0xe8, 0x400, 0x47f, 0xc0000081, 0xc0000082, 0xc0000084,
                                           0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103 };
    for (unsigned i = 0; i < sizeof(linux_pass) / sizeof(linux_pass[0]); i++) {
        CHECK_EQ(msr_policy_action(linux_pass[i], false), MSR_PASS);
        CHECK_EQ(msr_policy_action(linux_pass[i], true), MSR_PASS);
    }
    static const uint32_t linux_reads[] = { 0x17, 0xce, 0xfe, 0x1b, 0x179, 0x345, 0x830, 0x8b, 0xda0 };
    for (unsigned i = 0; i < sizeof(linux_reads) / sizeof(linux_reads[0]); i++)
        CHECK_EQ(msr_policy_action(linux_reads[i], false), MSR_PASS);
}

UNIT_MAIN(T(rows_sorted_disjoint_and_complete), T(every_row_reachable), T(every_handler_used), T(default_denies),
          T(bitmap_matches_table_for_every_msr), T(classes))
