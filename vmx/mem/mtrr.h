/*
 * Memory Type Range Registers (SDM Vol. 3A 12.11): the effective MTRR memory
 * type of physical addresses, so the EPT can give guest RAM and MMIO the
 * memory type the firmware programmed (EPT memory types use the same
 * encoding, SDM Vol. 3C 29.3.7).
 *
 * Pure code over a snapshot of the MSRs (struct mtrr_state): no MSR access
 * except through the reader passed to mtrr_read.  Unit-tested on the host.
 */
#ifndef SKIFF_VMX_MTRR_H
#define SKIFF_VMX_MTRR_H

#include <stdbool.h>
#include <stdint.h>

/* Memory types (12.11.1 Table 12-8; the same values as EPT memory types). */
#define MTRR_TYPE_UC 0
#define MTRR_TYPE_WC 1
#define MTRR_TYPE_WT 4
#define MTRR_TYPE_WP 5
#define MTRR_TYPE_WB 6

/* MSRs (12.11.1, 12.11.2). */
#define MSR_IA32_MTRRCAP          0xfe
#define MSR_IA32_MTRR_PHYSBASE0   0x200     /* PHYSBASEn = 0x200 + 2n, PHYSMASKn = 0x201 + 2n */
#define MSR_IA32_MTRR_PHYSMASK0   0x201
#define MSR_IA32_MTRR_FIX64K_00000 0x250
#define MSR_IA32_MTRR_FIX16K_80000 0x258
#define MSR_IA32_MTRR_FIX16K_A0000 0x259
#define MSR_IA32_MTRR_FIX4K_C0000  0x268    /* ... FIX4K_F8000 = 0x26f */
#define MSR_IA32_MTRR_DEF_TYPE    0x2ff

/* IA32_MTRRCAP */
#define MTRRCAP_VCNT_MASK  0xffull          /* bits 7:0: number of variable ranges */
#define MTRRCAP_FIX        (1ull << 8)      /* fixed ranges supported */
#define MTRRCAP_WC         (1ull << 10)
#define MTRRCAP_SMRR       (1ull << 11)

/* IA32_MTRR_DEF_TYPE */
#define MTRR_DEF_TYPE_MASK 0xffull          /* bits 7:0: default memory type */
#define MTRR_DEF_FE        (1ull << 10)     /* fixed ranges enabled */
#define MTRR_DEF_E         (1ull << 11)     /* MTRRs enabled */

/* IA32_MTRR_PHYSBASEn / PHYSMASKn */
#define MTRR_PHYSBASE_TYPE_MASK 0xffull
#define MTRR_PHYSMASK_VALID     (1ull << 11)

#define MTRR_FIXED_COUNT 11                 /* 0x250, 0x258, 0x259, 0x268..0x26f */
#define MTRR_VAR_MAX     32                 /* variable ranges kept; more are ignored */

struct mtrr_state {
    uint64_t cap;                           /* IA32_MTRRCAP */
    uint64_t def_type;                      /* IA32_MTRR_DEF_TYPE */
    uint64_t fixed[MTRR_FIXED_COUNT];       /* 0x250, 0x258, 0x259, 0x268..0x26f */
    uint64_t var_base[MTRR_VAR_MAX];        /* IA32_MTRR_PHYSBASEn */
    uint64_t var_mask[MTRR_VAR_MAX];        /* IA32_MTRR_PHYSMASKn */
    unsigned maxphyaddr;                    /* CPUID.80000008H:EAX[7:0]; 0 = 36 */
};

/*
 * Read the MTRR MSRs: IA32_MTRRCAP, IA32_MTRR_DEF_TYPE, the fixed-range MSRs
 * when IA32_MTRRCAP.FIX says they exist, and min(VCNT, MTRR_VAR_MAX)
 * variable-range pairs.  Registers not read are zeroed; maxphyaddr is left as
 * the caller set it (it comes from CPUID).  The caller checks CPUID.1:EDX.MTRR.
 */
void mtrr_read(struct mtrr_state *s, uint64_t (*rdmsr)(uint32_t msr));

/*
 * The effective MTRR memory type of physical address `addr` (12.11.4.1):
 * MTRRs disabled: UC.  Below 1 MiB with fixed ranges supported and enabled:
 * the fixed range's type.  Otherwise the variable ranges: none matches, the
 * default type; one, its type; several, the same type, that type; UC among
 * them, UC; only WT and WB, WT; any other combination is undefined and taken
 * as UC.  A reserved type value (2, 3, 7 and up) is taken as UC.
 */
unsigned mtrr_type_of(const struct mtrr_state *s, uint64_t addr);

/*
 * The type at `base` (as mtrr_type_of), and in *uniform_len how many bytes
 * from `base` (at most `len`) have that same type, so that [base, base +
 * *uniform_len) can be mapped with one memory type.  len == 0 gives 0.
 * When base + len passes the top of the 64-bit space, len is cut to end there.
 */
unsigned mtrr_range_type(const struct mtrr_state *s, uint64_t base, uint64_t len, uint64_t *uniform_len);

/*
 * The MTRR MSRs as a guest sees them when Skiff keeps them in a shadow
 * (vmx/policy/msr_policy.c): mtrr_msr_get reads one (false: no such MSR on this CPU,
 * #GP), mtrr_msr_set checks a write against 12.11.2-12.11.3 (valid memory
 * types, WC only with MTRRCAP.WC, reserved bits, bits at and above
 * MAXPHYADDR, fixed ranges only with MTRRCAP.FIX, variable pairs below
 * VCNT) and stores it; false means #GP and nothing stored.  IA32_MTRRCAP
 * itself is read-only.
 */
bool mtrr_msr_get(const struct mtrr_state *s, uint32_t msr, uint64_t *value);
bool mtrr_msr_set(struct mtrr_state *s, uint32_t msr, uint64_t value);

/* "UC", "WC", "WT", "WP", "WB" or "reserved". */
const char *mtrr_type_name(unsigned type);

#endif
