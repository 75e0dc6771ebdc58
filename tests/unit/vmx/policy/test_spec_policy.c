// SOURCES: vmx/policy/spec_policy.c
/*
 * The transient-execution table (vmx/policy/spec_policy.c) against what real CPUs enumerate.
 *
 * Where the values come from (no byte dump of any of these machines was available; each bit
 * below is what the named part enumerates with current microcode):
 * - which issues a part has: Linux arch/x86/kernel/cpu/common.c, cpu_vuln_blacklist
 *   (SKYLAKE: MMIO | RETBLEED | GDS | SRBDS; SKYLAKE_X, which includes Cascade Lake:
 *   MMIO | RETBLEED | GDS; ICELAKE_X: MMIO | GDS; ATOM_TREMONT*: MMIO, RFDS; Sapphire Rapids in
 *   none of the MDS/MMIO/GDS rows) and Intel's "Affected Processors: Transient Execution
 *   Attacks" table;
 * - bit names and positions: Linux arch/x86/include/asm/msr-index.h (ARCH_CAP_*) and
 *   cpufeatures.h (CPUID.(7,0).EDX, CPUID.(7,2).EDX);
 * - Bochs 2.7's IA32_ARCH_CAPABILITIES: bochs cpu/msr.cc, a constant 0x1F (RDCL_NO, IBRS_ALL,
 *   RSBA, SKIP_L1DFL_VMENTRY, SSB_NO) on models with the SCA mitigations.
 */
#include "tests/unit/unit.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vmx/policy/spec_policy.h"

#define EDX_FULL (CPUID7_EDX_MD_CLEAR | CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP | CPUID7_EDX_L1D_FLUSH | \
                  CPUID7_EDX_SSBD)

/* Skylake client (family 6 model 0x5E, i7-6700K) with the 2019+ microcode: MD_CLEAR, IBRS/IBPB,
 * STIBP, L1D_FLUSH, SSBD; no IA32_ARCH_CAPABILITIES; TSX (RTM) enumerated. */
static const struct spec_cpu skylake_client = { EDX_FULL, CPUID7_EBX_RTM, 0, 0 };

/* Cascade Lake (family 6 model 0x55 stepping 7, Xeon Gold 62xx): RDCL_NO, IBRS_ALL, SKIP_L1DFL_VMENTRY,
 * MDS_NO, TSX_CTRL; TAA affected (no TAA_NO); MMIO affected, FB_CLEAR from the 2022 microcode;
 * GDS_CTRL from the 2023 microcode. */
static const struct spec_cpu cascade_lake = {
    EDX_FULL | CPUID7_EDX_ARCH_CAP, CPUID7_EBX_RTM, 0,
    ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_SKIP_L1DFL_VMENTRY | ARCH_CAP_MDS_NO | ARCH_CAP_TSX_CTRL |
        ARCH_CAP_FB_CLEAR | ARCH_CAP_GDS_CTRL,
};

/* Ice Lake server (family 6 model 0x6A, Xeon 83xx): as Cascade Lake plus PSCHANGE_MC_NO and TAA_NO;
 * MMIO affected (FB_CLEAR); GDS affected (GDS_CTRL); BHI affected, no BHI_CTRL. */
static const struct spec_cpu icelake_server = {
    EDX_FULL | CPUID7_EDX_ARCH_CAP, CPUID7_EBX_RTM, 0,
    ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_SKIP_L1DFL_VMENTRY | ARCH_CAP_MDS_NO |
        ARCH_CAP_PSCHANGE_MC_NO | ARCH_CAP_TSX_CTRL | ARCH_CAP_TAA_NO | ARCH_CAP_FB_CLEAR | ARCH_CAP_GDS_CTRL,
};

/* Sapphire Rapids (family 6 model 0x8F): not affected by MDS, TAA, MMIO (SBDR_SSDP_NO, FBSDP_NO,
 * PSDP_NO), GDS (GDS_NO); RRSBA behaviour; BHI affected with BHI_CTRL in CPUID.(7,2).EDX. */
static const struct spec_cpu sapphire_rapids = {
    EDX_FULL | CPUID7_EDX_ARCH_CAP, CPUID7_EBX_RTM, CPUID7_2_EDX_BHI_CTRL,
    ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_SKIP_L1DFL_VMENTRY | ARCH_CAP_MDS_NO |
        ARCH_CAP_PSCHANGE_MC_NO | ARCH_CAP_TAA_NO | ARCH_CAP_SBDR_SSDP_NO | ARCH_CAP_FBSDP_NO |
        ARCH_CAP_PSDP_NO | ARCH_CAP_RRSBA | ARCH_CAP_GDS_NO | ARCH_CAP_RFDS_NO,
};

/* Tremont (Atom, family 6 model 0x9C, Jasper Lake): no TSX; MMIO affected (FB_CLEAR); RFDS affected
 * (RFDS_CLEAR from the 2024 microcode); not in GDS's list (no AVX). */
static const struct spec_cpu tremont = {
    EDX_FULL | CPUID7_EDX_ARCH_CAP, 0, 0,
    ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_SKIP_L1DFL_VMENTRY | ARCH_CAP_MDS_NO |
        ARCH_CAP_PSCHANGE_MC_NO | ARCH_CAP_TAA_NO | ARCH_CAP_FB_CLEAR | ARCH_CAP_RFDS_CLEAR,
};

/* Bochs 2.7 with the SCA mitigations: CPUID bits 26-29, 31 and ARCH_CAPABILITIES = 0x1F. */
static const struct spec_cpu bochs_sca = {
    CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP | CPUID7_EDX_L1D_FLUSH | CPUID7_EDX_ARCH_CAP | CPUID7_EDX_SSBD, 0, 0,
    0x1f,
};

/* A CPU with none of it (Bochs 2.7 corei7_skylake_x, Skylake before the 2018 microcode). */
static const struct spec_cpu bare = { 0, 0, 0, 0 };

TEST(skylake_client_flushes_l1d_and_fills_the_rsb)
{
    struct spec_plan p = spec_plan_for(&skylake_client);
    CHECK_EQ(p.in_force, SPEC_M_RETPOLINE | SPEC_M_RSB_FILL | SPEC_M_L1D_FLUSH);
    CHECK_EQ(p.host_spec_ctrl, 0);
    CHECK(p.l1tf && p.mds && p.taa && p.mmio && p.gds && p.bhi);
}

TEST(cascade_lake_eibrs_and_verw)
{
    struct spec_plan p = spec_plan_for(&cascade_lake);
    CHECK_EQ(p.in_force, SPEC_M_RETPOLINE | SPEC_M_EIBRS | SPEC_M_SPEC_CTRL_SWAP | SPEC_M_VERW | SPEC_M_RSB_LITE);
    CHECK_EQ(p.host_spec_ctrl, SPEC_CTRL_IBRS);
    CHECK(!p.l1tf && !p.mds && p.taa && p.mmio);
}

TEST(icelake_server_verw_for_mmio_only)
{
    struct spec_plan p = spec_plan_for(&icelake_server);
    CHECK_EQ(p.in_force, SPEC_M_RETPOLINE | SPEC_M_EIBRS | SPEC_M_SPEC_CTRL_SWAP | SPEC_M_VERW | SPEC_M_RSB_LITE);
    CHECK(!p.l1tf && !p.mds && !p.taa && p.mmio && p.gds && p.bhi);
}

TEST(sapphire_rapids_needs_no_buffer_clearing)
{
    struct spec_plan p = spec_plan_for(&sapphire_rapids);
    CHECK_EQ(p.in_force, SPEC_M_RETPOLINE | SPEC_M_EIBRS | SPEC_M_BHI_DIS_S | SPEC_M_SPEC_CTRL_SWAP |
                             SPEC_M_RSB_LITE);
    CHECK_EQ(p.host_spec_ctrl, SPEC_CTRL_IBRS | SPEC_CTRL_BHI_DIS_S);
    CHECK(!p.l1tf && !p.mds && !p.taa && !p.mmio && !p.rfds && !p.gds);
}

TEST(tremont_verw_for_mmio_and_rfds)
{
    struct spec_plan p = spec_plan_for(&tremont);
    CHECK_EQ(p.in_force, SPEC_M_RETPOLINE | SPEC_M_EIBRS | SPEC_M_SPEC_CTRL_SWAP | SPEC_M_VERW | SPEC_M_RSB_LITE);
    CHECK(p.rfds && p.mmio && !p.taa && !p.mds);
}

TEST(bochs_sca_model)
{
    struct spec_plan p = spec_plan_for(&bochs_sca);
    /* 0x1F has no MDS_NO: MDS affected, but no MD_CLEAR to clear with. */
    CHECK_EQ(p.in_force, SPEC_M_RETPOLINE | SPEC_M_EIBRS | SPEC_M_SPEC_CTRL_SWAP | SPEC_M_RSB_LITE | SPEC_M_MDS_OPEN);
    CHECK(!p.l1tf && p.mds);
}

TEST(bare_cpu_reports_what_it_cannot_mitigate)
{
    struct spec_plan p = spec_plan_for(&bare);
    CHECK_EQ(p.in_force, SPEC_M_RETPOLINE | SPEC_M_RSB_FILL | SPEC_M_L1TF_OPEN | SPEC_M_MDS_OPEN);
    CHECK_EQ(p.host_spec_ctrl, 0);
}

TEST(arch_capabilities_ignored_without_its_cpuid_bit)
{
    struct spec_cpu c = skylake_client;
    c.arch_cap = ~0ull;                 /* garbage: the MSR does not exist */
    struct spec_plan a = spec_plan_for(&c), b = spec_plan_for(&skylake_client);
    CHECK_EQ(a.in_force, b.in_force);
}

TEST(eibrs_needs_spec_ctrl)
{
    struct spec_cpu c = { CPUID7_EDX_ARCH_CAP, 0, CPUID7_2_EDX_BHI_CTRL, ARCH_CAP_IBRS_ALL };
    struct spec_plan p = spec_plan_for(&c);
    CHECK(!(p.in_force & (SPEC_M_EIBRS | SPEC_M_BHI_DIS_S | SPEC_M_SPEC_CTRL_SWAP)));
    CHECK_EQ(p.host_spec_ctrl, 0);
}

TEST(l1d_flush_skipped_when_the_cpu_says_so)
{
    struct spec_cpu c = skylake_client;
    c.cpuid7_edx |= CPUID7_EDX_ARCH_CAP;
    c.arch_cap = ARCH_CAP_SKIP_L1DFL_VMENTRY;
    struct spec_plan p = spec_plan_for(&c);
    CHECK(!(p.in_force & SPEC_M_L1D_FLUSH) && (p.in_force & SPEC_M_VERW));   /* VERW takes over MDS */
}

TEST(swap_exactly_when_the_host_value_is_not_zero)
{
    const struct spec_cpu *all[] = { &skylake_client, &cascade_lake, &icelake_server, &sapphire_rapids,
                                     &tremont, &bochs_sca, &bare };
    for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        struct spec_plan p = spec_plan_for(all[i]);
        CHECK_EQ(!!(p.in_force & SPEC_M_SPEC_CTRL_SWAP), p.host_spec_ctrl != 0);
        CHECK(p.in_force & SPEC_M_RETPOLINE);
        CHECK(!((p.in_force & SPEC_M_RSB_FILL) && (p.in_force & SPEC_M_RSB_LITE)));
        CHECK(!((p.in_force & SPEC_M_L1D_FLUSH) && (p.in_force & SPEC_M_L1TF_OPEN)));
        for (unsigned r = 0; r < spec_row_count; r++) {
            const char *v = spec_row_verdict(r, all[i], &p);
            CHECK(v && v[0] && strcmp(v, "?") != 0);
        }
    }
}

TEST(rows_complete)
{
    CHECK_EQ(spec_row_count, 13);
    for (unsigned r = 0; r < spec_row_count; r++)
        CHECK(spec_rows[r].name[0] && spec_rows[r].condition[0] && spec_rows[r].does[0] && spec_rows[r].why[0]);
    struct spec_plan p = { 0 };
    CHECK(strcmp(spec_row_verdict(spec_row_count, &bare, &p), "?") == 0);
}

TEST(summary_line)
{
    char buf[256];
    struct spec_plan p = spec_plan_for(&cascade_lake);
    spec_plan_summary(&p, buf, sizeof(buf));
    CHECK(strcmp(buf, "eIBRS in the host, SPEC_CTRL restored on exit, RSB CALL on exit, VERW on entry, "
                      "no L1D flush (not affected), no IBPB (one guest)") == 0);
    p = spec_plan_for(&skylake_client);
    spec_plan_summary(&p, buf, sizeof(buf));
    CHECK(strcmp(buf, "retpolines in the host (no eIBRS), RSB filled on exit, no VERW (the L1D flush clears the buffers), "
                      "L1D flush on entry, "
                      "no IBPB (one guest)") == 0);
    char tiny[8];
    spec_plan_summary(&p, tiny, sizeof(tiny));
    CHECK(strlen(tiny) == 7);
}

UNIT_MAIN(T(skylake_client_flushes_l1d_and_fills_the_rsb), T(cascade_lake_eibrs_and_verw), T(icelake_server_verw_for_mmio_only), T(sapphire_rapids_needs_no_buffer_clearing), T(tremont_verw_for_mmio_and_rfds), T(bochs_sca_model), T(bare_cpu_reports_what_it_cannot_mitigate), T(arch_capabilities_ignored_without_its_cpuid_bit), T(eibrs_needs_spec_ctrl), T(l1d_flush_skipped_when_the_cpu_says_so), T(swap_exactly_when_the_host_value_is_not_zero), T(rows_complete), T(summary_line))
