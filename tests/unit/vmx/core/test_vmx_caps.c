/* Host tests: VMX capability decoding, control adjustment, Skiff's requirements. */
// SOURCES: vmx/core/vmx_caps.c
#include "tests/unit/unit.h"
#include "vmx/core/vmx_caps.h"

/* Skylake-class values (client part with TRUE_* controls, EPT A/D, INVVPID) */
#define SKL_BASIC          0x00da040000000004ull
#define SKL_PINBASED       0x0000007f00000016ull
#define SKL_PROCBASED      0xfff9fffe0401e172ull
#define SKL_EXIT           0x01ffffff00036dffull
#define SKL_ENTRY          0x0003ffff000011ffull
#define SKL_MISC           0x000000007004c1e7ull
#define SKL_PROCBASED2     0x0057ffff00000000ull
#define SKL_EPT_VPID       0x00000f0106734141ull
#define SKL_TRUE_PINBASED  0x0000007f00000016ull
#define SKL_TRUE_PROCBASED 0xfff9fffe04006172ull
#define SKL_TRUE_EXIT      0x01ffffff00036dfbull
#define SKL_TRUE_ENTRY     0x0003ffff000011fbull
/* Core 2 (Merom): VMX without secondary controls, MTF, or TRUE_* MSRs */
#define CORE2_BASIC        0x005a08000000000dull
#define CORE2_PROCBASED    0x77f9fffe0401e172ull

static struct vmx_caps skylake(void)
{
    struct vmx_caps c = {
        .basic = SKL_BASIC, .pinbased = SKL_PINBASED, .procbased = SKL_PROCBASED,
        .exit = SKL_EXIT, .entry = SKL_ENTRY, .misc = SKL_MISC,
        .cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
        .cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3767ff,
        .procbased2 = SKL_PROCBASED2, .ept_vpid = SKL_EPT_VPID,
        .true_pinbased = SKL_TRUE_PINBASED, .true_procbased = SKL_TRUE_PROCBASED,
        .true_exit = SKL_TRUE_EXIT, .true_entry = SKL_TRUE_ENTRY,
    };
    vmx_caps_decode(&c);
    return c;
}

TEST(adjust_controls)
{
    uint32_t want = CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS |
                    CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
    /* TRUE MSR: CR3-load/store exiting (bits 15, 16) may be 0 */
    CHECK_EQ(vmx_adjust_controls(want, SKL_TRUE_PROCBASED), 0x960061f2);
    /* Plain MSR: the default1 bits, CR3 exiting included, are forced on */
    CHECK_EQ(vmx_adjust_controls(want, SKL_PROCBASED), 0x9601e1f2);
    CHECK_EQ(vmx_adjust_controls(0, SKL_PROCBASED), CPU_BASED_DEFAULT1);
    /* Bits 17 (tertiary) and 18 may not be 1 here: dropped */
    CHECK_EQ(vmx_adjust_controls(want | (3u << 17), SKL_TRUE_PROCBASED), 0x960061f2);
    CHECK_EQ(vmx_controls_unsupported(want | (1u << 17), SKL_TRUE_PROCBASED), 1u << 17);
    CHECK_EQ(vmx_controls_unsupported(want, SKL_TRUE_PROCBASED), 0);

    /* Secondary: EPT + VPID + unrestricted guest + RDTSCP + INVPCID + XSAVES */
    uint32_t want2 = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID |
                     SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_RDTSCP |
                     SECONDARY_EXEC_ENABLE_INVPCID | SECONDARY_EXEC_ENABLE_XSAVES;
    CHECK_EQ(vmx_adjust_controls(want2, SKL_PROCBASED2), want2);
    CHECK_EQ(vmx_adjust_controls(SECONDARY_EXEC_TSC_SCALING, SKL_PROCBASED2), 0);

    /* Pin-based, exit, entry with their default1 bits */
    CHECK_EQ(vmx_adjust_controls(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING, SKL_PINBASED),
             PIN_BASED_DEFAULT1 | 0x9);
    CHECK_EQ(vmx_adjust_controls(VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
                                     VM_EXIT_LOAD_IA32_EFER, SKL_TRUE_EXIT),
             0x00336ffb);
    CHECK_EQ(vmx_adjust_controls(VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_EFER, SKL_TRUE_ENTRY),
             0x000093fb);

    /* Core 2: no secondary controls and no MTF */
    CHECK_EQ(vmx_adjust_controls(want | CPU_BASED_MONITOR_TRAP_FLAG, CORE2_PROCBASED),
             0x1601e1f2);
    CHECK_EQ(vmx_controls_unsupported(want | CPU_BASED_MONITOR_TRAP_FLAG, CORE2_PROCBASED),
             CPU_BASED_ACTIVATE_SECONDARY_CONTROLS | CPU_BASED_MONITOR_TRAP_FLAG);
}

TEST(default1_masks)
{
    CHECK_EQ(vmx_allowed0(SKL_PINBASED), PIN_BASED_DEFAULT1);
    CHECK_EQ(vmx_allowed0(SKL_PROCBASED), CPU_BASED_DEFAULT1);
    CHECK_EQ(vmx_allowed0(SKL_EXIT), VM_EXIT_DEFAULT1);
    CHECK_EQ(vmx_allowed0(SKL_ENTRY), VM_ENTRY_DEFAULT1);
    CHECK_EQ(MSR_IA32_VMX_BASIC, 0x480);
    CHECK_EQ(MSR_IA32_VMX_EPT_VPID_CAP, 0x48c);
    CHECK_EQ(MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x48d);
    CHECK_EQ(MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x490);
    CHECK_EQ(MSR_IA32_VMX_VMFUNC, 0x491);
}

TEST(decode_skylake)
{
    struct vmx_caps c = skylake();
    CHECK_EQ(c.revision_id, 4);
    CHECK_EQ(c.vmcs_size, 0x400);
    CHECK_EQ(c.vmcs_memtype, 6);
    CHECK(c.true_ctls);
    CHECK_EQ(c.preemption_timer_rate, 7);
    CHECK(c.act_hlt && c.act_shutdown && c.act_wait_sipi);
    CHECK_EQ(c.cr3_target_count, 4);
    CHECK_EQ(c.pin_ctls, SKL_TRUE_PINBASED);
    CHECK_EQ(c.proc_ctls, SKL_TRUE_PROCBASED);
    CHECK_EQ(c.exit_ctls, SKL_TRUE_EXIT);
    CHECK_EQ(c.entry_ctls, SKL_TRUE_ENTRY);
    CHECK_EQ(c.proc2_ctls, SKL_PROCBASED2);
    CHECK(c.ept_execute_only && c.ept_walk_4 && c.ept_uc && c.ept_wb);
    CHECK(c.ept_2m && c.ept_1g && c.ept_ad);
    CHECK(c.invept && c.invept_single && c.invept_all);
    CHECK(c.invvpid && c.invvpid_addr && c.invvpid_single && c.invvpid_all);
    CHECK(vmx_caps_missing(&c) == NULL);

    /* Without BASIC bit 55 the plain MSRs are the effective ones */
    c.basic &= ~VMX_BASIC_TRUE_CTLS;
    vmx_caps_decode(&c);
    CHECK(!c.true_ctls);
    CHECK_EQ(c.proc_ctls, SKL_PROCBASED);
    CHECK_EQ(c.exit_ctls, SKL_EXIT);
    CHECK(vmx_caps_missing(&c) == NULL);
}

TEST(missing_core2_reports_ept)
{
    struct vmx_caps c = { .basic = CORE2_BASIC, .pinbased = 0x0000003f00000016ull,
                          .procbased = CORE2_PROCBASED, .exit = 0x0003ffff00036dffull,
                          .entry = 0x00003fff000011ffull, .misc = 0x403c0 };
    /* garbage in MSRs that do not exist on this CPU must be ignored */
    c.procbased2 = SKL_PROCBASED2;
    c.ept_vpid = SKL_EPT_VPID;
    vmx_caps_decode(&c);
    CHECK_EQ(c.proc2_ctls, 0);
    CHECK(!c.ept_wb && !c.invept && !c.invvpid);
    const char *m = vmx_caps_missing(&c);
    REQUIRE(m != NULL);
    CHECK(strncmp(m, "EPT", 3) == 0);
}

TEST(missing_ept)
{
    struct vmx_caps c = skylake();
    c.procbased2 &= ~((uint64_t)SECONDARY_EXEC_ENABLE_EPT << 32);
    vmx_caps_decode(&c);
    CHECK_STR(vmx_caps_missing(&c), "EPT (secondary control 'enable EPT')");
}

/* VPID is optional (issue 21, item 7): without it, or without INVVPID single-context, Skiff runs
 * with VPID off instead of refusing the CPU. */
TEST(missing_vpid)
{
    struct vmx_caps c = skylake();
    CHECK(vmx_vpid_usable(&c));
    c.procbased2 &= ~((uint64_t)SECONDARY_EXEC_ENABLE_VPID << 32);
    vmx_caps_decode(&c);
    CHECK(vmx_caps_missing(&c) == NULL);
    CHECK(!vmx_vpid_usable(&c));
    c = skylake();
    c.ept_vpid &= ~VMX_VPID_INVVPID_SINGLE;
    vmx_caps_decode(&c);
    CHECK(vmx_caps_missing(&c) == NULL);
    CHECK(!vmx_vpid_usable(&c));
}

TEST(missing_invept_single)
{
    struct vmx_caps c = skylake();
    c.ept_vpid &= ~VMX_EPT_INVEPT_SINGLE;
    vmx_caps_decode(&c);
    CHECK(!c.invept_single && c.invept);
    CHECK_STR(vmx_caps_missing(&c), "INVEPT single-context");
}

TEST(missing_other_requirements)
{
    struct vmx_caps c = skylake();
    c.ept_vpid &= ~VMX_EPT_MT_WB;
    vmx_caps_decode(&c);
    CHECK_STR(vmx_caps_missing(&c), "EPT write-back memory type");

    c = skylake();
    c.ept_vpid &= ~VMX_EPT_PAGE_WALK_4;
    vmx_caps_decode(&c);
    CHECK_STR(vmx_caps_missing(&c), "EPT 4-level page walk");

    c = skylake();
    c.true_procbased &= ~((uint64_t)CPU_BASED_USE_MSR_BITMAPS << 32);
    vmx_caps_decode(&c);
    CHECK_STR(vmx_caps_missing(&c), "MSR bitmaps");

    c = skylake();
    c.true_exit &= ~((uint64_t)VM_EXIT_HOST_ADDR_SPACE_SIZE << 32);
    vmx_caps_decode(&c);
    CHECK_STR(vmx_caps_missing(&c), "64-bit host (exit control 'host address-space size')");

    c = skylake();
    c.true_entry &= ~((uint64_t)VM_ENTRY_LOAD_IA32_EFER << 32);
    vmx_caps_decode(&c);
    CHECK_STR(vmx_caps_missing(&c), "load IA32_EFER on VM entry");
}

static uint64_t fake_msrs[0x20];
static unsigned fake_reads;
static uint64_t fake_rdmsr(uint32_t msr)
{
    fake_reads |= 1u << (msr - 0x480);
    return msr >= 0x480 && msr < 0x4a0 ? fake_msrs[msr - 0x480] : 0;
}

TEST(read_respects_msr_existence)
{
    struct vmx_caps c;
    memset(fake_msrs, 0xff, sizeof(fake_msrs));
    fake_msrs[0] = CORE2_BASIC;
    fake_msrs[2] = CORE2_PROCBASED;
    fake_reads = 0;
    vmx_caps_read(&c, fake_rdmsr);
    CHECK_EQ(fake_reads, 0x7ff); /* 0x480..0x48a only */
    CHECK_EQ(c.procbased2, 0);
    CHECK_EQ(c.true_procbased, 0);
    CHECK_EQ(c.proc_ctls, CORE2_PROCBASED);

    fake_msrs[0] = SKL_BASIC;
    fake_msrs[2] = SKL_PROCBASED;
    fake_msrs[0xb] = SKL_PROCBASED2;
    fake_msrs[0xc] = SKL_EPT_VPID;
    fake_msrs[0xe] = SKL_TRUE_PROCBASED;
    fake_reads = 0;
    vmx_caps_read(&c, fake_rdmsr);
    CHECK_EQ(fake_reads, 0x3ffff); /* all 18, VMFUNC included */
    CHECK_EQ(c.proc_ctls, SKL_TRUE_PROCBASED);
    CHECK_EQ(c.ept_vpid, SKL_EPT_VPID);
    CHECK(c.invept_single);
}

TEST(fixed_cr)
{
    struct vmx_caps c = skylake();
    /* CR0 = ET only: PE, NE, PG forced on */
    CHECK_EQ(vmx_fixed_cr(0x10, c.cr0_fixed0, c.cr0_fixed1), 0x80000031);
    /* CR4: VMXE forced on, bits not in fixed1 (e.g. bit 23) forced off */
    CHECK_EQ(vmx_fixed_cr(0x20 | (1u << 23), c.cr4_fixed0, c.cr4_fixed1), 0x2020);
    CHECK_EQ(vmx_guest_cr0_fixed0(&c, false), 0x80000021);
    CHECK_EQ(vmx_guest_cr0_fixed0(&c, true), 0x20);
    CHECK_EQ(vmx_fixed_cr(0x10, vmx_guest_cr0_fixed0(&c, true), c.cr0_fixed1), 0x30);
}

/* Real firmware leaves IA32_FEATURE_CONTROL unlocked, locked on or locked off. */
TEST(feature_control_action)
{
    CHECK_EQ(vmx_feature_control_action(0x0), FC_ENABLE_AND_LOCK);       /* unlocked, nothing set */
    CHECK_EQ(vmx_feature_control_action(0x4), FC_ENABLE_AND_LOCK);       /* unlocked, enable bit set */
    CHECK_EQ(vmx_feature_control_action(0x5), FC_PROCEED);               /* Bochs' BIOS value */
    CHECK_EQ(vmx_feature_control_action(0x7), FC_PROCEED);               /* in and outside SMX */
    CHECK_EQ(vmx_feature_control_action(0x1), FC_DISABLED_BY_FIRMWARE);  /* locked off */
    CHECK_EQ(vmx_feature_control_action(0x3), FC_DISABLED_BY_FIRMWARE);  /* SMX only */
    CHECK_EQ(vmx_feature_control_action(0xff01), FC_DISABLED_BY_FIRMWARE);
}

UNIT_MAIN(T(feature_control_action), T(adjust_controls), T(default1_masks), T(decode_skylake), T(missing_core2_reports_ept),
          T(missing_ept), T(missing_vpid), T(missing_invept_single), T(missing_other_requirements),
          T(read_respects_msr_existence), T(fixed_cr))
