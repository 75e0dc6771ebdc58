// SOURCES: vmx/vcpu/insn_skip.c
/* Retiring an emulated instruction (vmx/vcpu/insn_skip.c): blocking ends, a single step becomes pending. */
#include "tests/unit/unit.h"

#include "vmx/vcpu/insn_skip.h"

#define STI    GUEST_INTR_STATE_STI
#define MOVSS  GUEST_INTR_STATE_MOV_SS
#define NMIB   GUEST_INTR_STATE_NMI
#define SMIB   (1u << 2)
#define TF     X86_RFLAGS_TF
#define BTF    INSN_SKIP_DEBUGCTL_BTF
#define BS     GUEST_PENDING_DBG_BS

/*
 * The VM-entry check on BS (SDM Vol. 3C 27.3.1.5), as the CPU makes it: under STI or MOV-SS
 * blocking, or in HLT, BS must be 1 iff RFLAGS.TF = 1 and DEBUGCTL.BTF = 0.  A model written
 * from the SDM, separate from vmx/check/vmcheck.c.
 */
static bool entry_bs_ok(const struct insn_skip_state *s, bool hlt)
{
    if (!(s->interruptibility & (STI | MOVSS)) && !hlt)
        return true;
    bool step = (s->rflags & TF) && !(s->debugctl & BTF);
    return step == !!(s->pending_dbg & BS);
}

TEST(nothing_to_do)
{
    CHECK(!insn_skip_needs_work(0x2, 0));
    CHECK(!insn_skip_needs_work(0x202, NMIB | SMIB));       /* NMI/SMI blocking is not the instruction's */
    struct insn_skip_state s = { 0x202, NMIB, 0, 0 };
    CHECK_EQ(insn_skip_apply(&s), 0u);
    CHECK_EQ(s.interruptibility, (uint32_t)NMIB);
    CHECK_EQ(s.pending_dbg, 0ull);
}

/* STI; CPUID with TF clear: the shadow ends with the CPUID (Vol. 3A 6.8.3). */
TEST(sti_blocking_ends)
{
    CHECK(insn_skip_needs_work(0x202, STI));
    struct insn_skip_state s = { 0x202, STI | NMIB, 0, 0 };
    CHECK_EQ(insn_skip_apply(&s), INSN_SKIP_WRITE_INTR);
    CHECK_EQ(s.interruptibility, (uint32_t)NMIB);
    CHECK_EQ(s.pending_dbg, 0ull);
}

TEST(mov_ss_blocking_ends)
{
    CHECK(insn_skip_needs_work(0x2, MOVSS));
    struct insn_skip_state s = { 0x2, MOVSS | SMIB, 0, 0 };
    CHECK_EQ(insn_skip_apply(&s), INSN_SKIP_WRITE_INTR);
    CHECK_EQ(s.interruptibility, SMIB);
}

/* TF set: the step after the instruction is pending; breakpoint bits already there stay. */
TEST(single_step_pending)
{
    CHECK(insn_skip_needs_work(0x302, 0));
    struct insn_skip_state s = { 0x302, 0, 0, 0 };
    CHECK_EQ(insn_skip_apply(&s), INSN_SKIP_WRITE_PDE);
    CHECK_EQ(s.pending_dbg, BS);
    struct insn_skip_state b = { 0x302, 0, 0x1001, 0 };       /* B0 and enabled breakpoint */
    CHECK_EQ(insn_skip_apply(&b), INSN_SKIP_WRITE_PDE);
    CHECK_EQ(b.pending_dbg, 0x1001ull | BS);
}

/* MOV SS; CPUID with TF: the exit saved BS (the MOV's step, held by the blocking); one step, no write. */
TEST(mov_ss_step_already_pending)
{
    struct insn_skip_state s = { 0x302, MOVSS, BS, 0 };
    CHECK_EQ(insn_skip_apply(&s), INSN_SKIP_WRITE_INTR);
    CHECK_EQ(s.pending_dbg, BS);
    CHECK_EQ(s.interruptibility, 0u);
}

/* BTF: TF steps on branches only (Vol. 3B 18.4.3); nothing Skiff emulates branches. */
TEST(btf_no_step)
{
    struct insn_skip_state s = { 0x302, 0, 0, BTF };
    CHECK_EQ(insn_skip_apply(&s), 0u);
    CHECK_EQ(s.pending_dbg, 0ull);
}

/*
 * Every combination: RIP-only skipping (today's main) leaves blocking that the instruction
 * ended and loses the step; the skip clears exactly the STI/MOV-SS bits, sets BS exactly when
 * a step is due, changes nothing else, reports exactly the fields it changed, and the state
 * passes the VM-entry check even if the guest is then put in HLT.  The inputs are the states an
 * instruction's VM exit can save.
 */
TEST(all_combinations)
{
    unsigned old_model_wrong = 0;
    for (unsigned m = 0; m < 64; m++) {
        struct insn_skip_state in = {
            .rflags = 0x2 | ((m & 1) ? TF : 0),
            .debugctl = (m & 2) ? BTF : 0,
            .interruptibility = ((m & 4) ? STI : 0) | ((m & 8) ? MOVSS : 0) | ((m & 16) ? NMIB : 0),
            .pending_dbg = (m & 32) ? BS : 0,
        };
        if ((in.interruptibility & STI) && (in.interruptibility & MOVSS))
            continue;                                         /* never both (27.3.1.5) */
        if (!entry_bs_ok(&in, false))
            continue;                                         /* no CPU exits with such a state */
        if ((in.pending_dbg & BS) && !(in.interruptibility & MOVSS))
            continue;                                         /* saved as clear but under MOV SS (28.3.4) */
        struct insn_skip_state s = in;
        unsigned w = insn_skip_apply(&s);
        bool step = (in.rflags & TF) && !(in.debugctl & BTF);
        CHECK_EQ(s.interruptibility, in.interruptibility & ~(STI | MOVSS));
        CHECK_EQ(s.pending_dbg, in.pending_dbg | (step ? BS : 0));
        CHECK_EQ(s.rflags, in.rflags);
        CHECK_EQ(s.debugctl, in.debugctl);
        CHECK_EQ(!!(w & INSN_SKIP_WRITE_INTR), s.interruptibility != in.interruptibility);
        CHECK_EQ(!!(w & INSN_SKIP_WRITE_PDE), s.pending_dbg != in.pending_dbg);
        CHECK(entry_bs_ok(&s, true));
        if (!insn_skip_needs_work(in.rflags, in.interruptibility))
            CHECK_EQ(w, 0u);
        /* RIP only: the old skip kept the state as the exit saved it. */
        if ((in.interruptibility & (STI | MOVSS)) || (step && !(in.pending_dbg & BS)))
            old_model_wrong++;
    }
    CHECK(old_model_wrong > 0);
}

UNIT_MAIN(T(nothing_to_do), T(sti_blocking_ends), T(mov_ss_blocking_ends), T(single_step_pending),
          T(mov_ss_step_already_pending), T(btf_no_step), T(all_combinations))
