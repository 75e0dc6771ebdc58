/* Host tests: the VMCS checker (SDM 26.2, 26.3.1) and its injection cases. */
// SOURCES: vmx/check/vmcheck.c vmx/check/vmcheck_cases.c vmx/core/vmcs_fields.c vmx/core/vmx_caps.c kernel/lib/format.c
#include "tests/unit/unit.h"
#include "vmx/check/vmcheck.h"

/* ---- CPU: Skylake-class capability MSRs (as in test_vmx_caps.c) ----------- */

#define SKL_BASIC          0x00da040000000012ull   /* rev 0x12, 4 KiB, WB, INS/OUTS info, TRUE ctls */
#define SKL_PINBASED       0x0000007f00000016ull
#define SKL_PROCBASED      0xfff9fffe0401e172ull
#define SKL_EXIT           0x01ffffff00036dffull
#define SKL_ENTRY          0x0003ffff000011ffull
#define SKL_MISC           0x000000007004c1e7ull   /* HLT/shutdown/SIPI, 4 CR3 targets, len-0 injection */
#define SKL_PROCBASED2     0x0057ffff00000000ull
#define SKL_EPT_VPID       0x00000f0106734141ull
#define SKL_TRUE_PINBASED  0x0000007f00000016ull
#define SKL_TRUE_PROCBASED 0xfff9fffe04006172ull
#define SKL_TRUE_EXIT      0x01ffffff00036dfbull
#define SKL_TRUE_ENTRY     0x0003ffff000011fbull
#define SKL_VMFUNC         0x0000000000000001ull   /* EPTP switching */

#define MAXPHY 39
#define CR0_PE (1ull << 0)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_VMXE (1ull << 13)
#define CR4_PCIDE (1ull << 17)
#define CR4_CET (1ull << 23)
#define NONCANON (1ull << 62)
#define BEYOND (1ull << MAXPHY)
#define AR_G (1u << 15)
#define AR_UNUSABLE (1u << 16)

/* Environments: Skylake plus one change each */
enum envk {
    E_STD,       /* Skylake, memory reader, current VMCS 0x6000 */
    E_NOMEM,     /* no memory reader */
    E_LEGACY,    /* VMLAUNCH from outside IA-32e mode (32-bit host) */
    E_SMM,       /* VM entry from SMM */
    E_NO_MTF,    /* no monitor trap flag */
    E_NO_AD,     /* no EPT accessed/dirty flags */
    E_NO_SIPI,   /* no wait-for-SIPI activity state */
    E_PROC2_A0,  /* a secondary control reserved to 1 (descriptor-table exiting) */
    E_CET,       /* CET and PKS: CR4.CET, load CET state, load PKRS */
    E_BIG,       /* every control allowed (posted interrupts, SPP, ...) */
    E_OLD,       /* no TRUE_* MSRs (BASIC bit 55 clear) */
    E_NO_LEN0,   /* no zero-length software-interrupt injection (MISC bit 30 clear) */
    E_COUNT
};

static struct vmx_caps caps_store[E_COUNT];

static struct vmx_caps make_caps(enum envk e)
{
    struct vmx_caps c = {
        .basic = SKL_BASIC, .pinbased = SKL_PINBASED, .procbased = SKL_PROCBASED,
        .exit = SKL_EXIT, .entry = SKL_ENTRY, .misc = SKL_MISC,
        .cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
        .cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3767ff,
        .procbased2 = SKL_PROCBASED2, .ept_vpid = SKL_EPT_VPID,
        .true_pinbased = SKL_TRUE_PINBASED, .true_procbased = SKL_TRUE_PROCBASED,
        .true_exit = SKL_TRUE_EXIT, .true_entry = SKL_TRUE_ENTRY, .vmfunc = SKL_VMFUNC,
    };
    switch (e) {
    case E_NO_MTF:
        c.procbased &= ~((uint64_t)CPU_BASED_MONITOR_TRAP_FLAG << 32);
        c.true_procbased &= ~((uint64_t)CPU_BASED_MONITOR_TRAP_FLAG << 32);
        break;
    case E_NO_AD:
        c.ept_vpid &= ~VMX_EPT_AD;
        break;
    case E_NO_SIPI:
        c.misc &= ~VMX_MISC_ACT_WAIT_SIPI;
        break;
    case E_PROC2_A0:
        c.procbased2 |= SECONDARY_EXEC_DESC;
        break;
    case E_CET:
        c.cr4_fixed1 |= CR4_CET;
        c.true_exit |= (uint64_t)(VM_EXIT_LOAD_CET_STATE | (1u << 29)) << 32;
        c.true_entry |= (uint64_t)(VM_ENTRY_LOAD_CET_STATE | (1u << 22)) << 32;
        break;
    case E_BIG:
        c.true_pinbased |= 0xffull << 32;
        c.procbased2 |= 0xffffffffull << 32;
        c.true_exit |= 0xffffffffull << 32;
        c.true_entry |= 0xffffffffull << 32;
        break;
    case E_OLD:
        c.basic &= ~VMX_BASIC_TRUE_CTLS;
        break;
    case E_NO_LEN0:
        c.misc &= ~(1ull << 30);
        break;
    default:
        break;
    }
    vmx_caps_decode(&c);
    return c;
}

/* Fake physical memory for the checks that read it */
static bool fake_read(uint64_t pa, uint64_t *v)
{
    switch (pa) {
    case 0x6000: *v = 0x12; return true;          /* the current VMCS */
    case 0x7000: *v = 0x12; return true;          /* another ordinary VMCS */
    case 0x8000: *v = 0x13; return true;          /* wrong revision identifier */
    case 0x9000: *v = 0x80000012; return true;    /* a shadow VMCS */
    case 0xa080: *v = 0x20; return true;          /* VTPR: priority class 2 */
    case 0xb000: case 0xb008: case 0xb010: case 0xb018:   /* valid PDPT */
        *v = 0x100001 + (pa - 0xb000) * 0x200;
        return true;
    case 0xc000: case 0xc008: case 0xc018:
        *v = 0x100001;
        return true;
    case 0xc010: *v = 0x100021; return true;      /* PDPTE 2: reserved bit 5 */
    default: return false;
    }
}

static struct vmcheck_env make_env(enum envk e)
{
    return (struct vmcheck_env){
        .caps = &caps_store[e], .maxphyaddr = MAXPHY, .linaddr_bits = 48,
        .cet_supported = e == E_CET || e == E_BIG, .in_smm = e == E_SMM,
        .host_outside_ia32e = e == E_LEGACY, .current_vmcs = 0x6000,
        .read_phys64 = e == E_NOMEM ? NULL : fake_read,
    };
}

/* ---- Baselines: what Skiff programs (vmx/core/vmcs.c) on that CPU ------------- */

enum base { B64, B32, BREAL, BV86, BHOST32 };
static const char *const base_names[] = { "64-bit", "32-bit PAE", "real mode (UG)", "virtual-8086",
                                         "32-bit host" };

static void S(struct vmcs_snapshot *s, uint32_t f, uint64_t v) { vmcs_snap_set(s, f, v); }

static void set_seg(struct vmcs_snapshot *s, unsigned i, uint16_t sel, uint64_t base, uint32_t limit,
                    uint32_t ar)
{
    S(s, GUEST_ES_SELECTOR + 2 * i, sel);
    S(s, GUEST_ES_BASE + 2 * i, base);
    S(s, GUEST_ES_LIMIT + 2 * i, limit);
    S(s, GUEST_ES_AR_BYTES + 2 * i, ar);
}

static void build(struct vmcs_snapshot *s, enum base b, const struct vmx_caps *k)
{
    vmcs_snap_clear(s);

    /* Controls, chosen as vmx/core/vmcs.c chooses them */
    uint32_t pin = vmx_adjust_controls(0, k->pin_ctls);
    uint32_t proc = vmx_adjust_controls(CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS |
                                            CPU_BASED_USE_MSR_BITMAPS |
                                            CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, k->proc_ctls);
    proc &= ~((CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING) & ~vmx_allowed0(k->proc_ctls));
    uint32_t proc2 = vmx_adjust_controls(SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID |
                                             SECONDARY_EXEC_UNRESTRICTED_GUEST |
                                             SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_ENABLE_INVPCID |
                                             SECONDARY_EXEC_ENABLE_XSAVES, k->proc2_ctls);
    uint32_t exit = vmx_adjust_controls(VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
                                            VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_DEBUG_CONTROLS |
                                            VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT, k->exit_ctls);
    exit &= ~(VM_EXIT_ACK_INTR_ON_EXIT & ~vmx_allowed0(k->exit_ctls));
    uint32_t entry = vmx_adjust_controls(VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_DEBUG_CONTROLS |
                                             VM_ENTRY_LOAD_IA32_PAT, k->entry_ctls);
    if (b == B64)
        entry |= VM_ENTRY_IA32E_MODE;
    if (b == BHOST32)
        exit &= ~VM_EXIT_HOST_ADDR_SPACE_SIZE;

    S(s, PIN_BASED_VM_EXEC_CONTROL, pin);
    S(s, CPU_BASED_VM_EXEC_CONTROL, proc);
    S(s, SECONDARY_VM_EXEC_CONTROL, proc2);
    S(s, VM_EXIT_CONTROLS, exit);
    S(s, VM_ENTRY_CONTROLS, entry);
    S(s, EXCEPTION_BITMAP, 0);
    S(s, PAGE_FAULT_ERROR_CODE_MASK, 0);
    S(s, PAGE_FAULT_ERROR_CODE_MATCH, 0);
    S(s, CR3_TARGET_COUNT, 0);
    S(s, VM_EXIT_MSR_STORE_COUNT, 0);
    S(s, VM_EXIT_MSR_LOAD_COUNT, 0);
    S(s, VM_ENTRY_MSR_LOAD_COUNT, 0);
    S(s, VM_ENTRY_INTR_INFO_FIELD, 0);
    S(s, VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
    S(s, VM_ENTRY_INSTRUCTION_LEN, 0);
    S(s, IO_BITMAP_A, 0x2000);
    S(s, IO_BITMAP_B, 0x3000);
    S(s, MSR_BITMAP, 0x4000);
    S(s, TSC_OFFSET, 0);
    S(s, VIRTUAL_PROCESSOR_ID, 1);
    S(s, EPT_POINTER, 0x5000 | (3 << 3) | 6);          /* 4-level, WB */
    S(s, CR0_GUEST_HOST_MASK, 0xffffffff7fffffdeull);
    S(s, CR4_GUEST_HOST_MASK, 0xffffffffffc89800ull);

    /* Host: Skiff's own long-mode state, RPL/TI 0 selectors */
    S(s, HOST_CR0, 0x80050033);
    S(s, HOST_CR3, 0x103000);
    S(s, HOST_CR4, 0x26a0);
    S(s, HOST_CS_SELECTOR, 0x08);
    S(s, HOST_SS_SELECTOR, 0x10);
    S(s, HOST_DS_SELECTOR, 0x10);
    S(s, HOST_ES_SELECTOR, 0x10);
    S(s, HOST_FS_SELECTOR, 0);
    S(s, HOST_GS_SELECTOR, 0);
    S(s, HOST_TR_SELECTOR, 0x18);
    S(s, HOST_FS_BASE, 0);
    S(s, HOST_GS_BASE, 0);
    S(s, HOST_TR_BASE, 0xffffffff80120000ull);
    S(s, HOST_GDTR_BASE, 0xffffffff80121000ull);
    S(s, HOST_IDTR_BASE, 0xffffffff80122000ull);
    S(s, HOST_IA32_SYSENTER_CS, 0);
    S(s, HOST_IA32_SYSENTER_ESP, 0);
    S(s, HOST_IA32_SYSENTER_EIP, 0);
    S(s, HOST_IA32_EFER, 0xd01);
    S(s, HOST_IA32_PAT, 0x0007040600070406ull);
    S(s, HOST_RSP, 0xffffffff80200000ull);
    S(s, HOST_RIP, 0xffffffff80101234ull);

    /* Guest: a flat 64-bit guest */
    S(s, CR0_READ_SHADOW, 0x80000011);
    S(s, CR4_READ_SHADOW, 0x20);
    S(s, GUEST_CR0, 0x80000031);
    S(s, GUEST_CR4, 0x2020);
    S(s, GUEST_CR3, 0x100000);
    S(s, GUEST_DR7, 0x400);
    S(s, GUEST_IA32_DEBUGCTL, 0);
    S(s, GUEST_IA32_EFER, 0x500);
    S(s, GUEST_IA32_PAT, 0x0007040600070406ull);
    set_seg(s, 1, 0x08, 0, 0xffffffff, 0xa09b);
    for (unsigned i = 0; i < 6; i++)
        if (i != 1)
            set_seg(s, i, 0x10, 0, 0xffffffff, 0xc093);
    set_seg(s, 6, 0, 0, 0, AR_UNUSABLE);
    set_seg(s, 7, 0, 0, 0x67, 0x8b);
    S(s, GUEST_GDTR_BASE, 0x1000);
    S(s, GUEST_GDTR_LIMIT, 0x27);
    S(s, GUEST_IDTR_BASE, 0);
    S(s, GUEST_IDTR_LIMIT, 0);
    S(s, GUEST_RIP, 0x100000);
    S(s, GUEST_RSP, 0x80000);
    S(s, GUEST_RFLAGS, 2);
    S(s, GUEST_SYSENTER_CS, 0);
    S(s, GUEST_SYSENTER_ESP, 0);
    S(s, GUEST_SYSENTER_EIP, 0);
    S(s, GUEST_ACTIVITY_STATE, 0);
    S(s, GUEST_INTERRUPTIBILITY_INFO, 0);
    S(s, GUEST_PENDING_DBG_EXCEPTIONS, 0);
    S(s, VMCS_LINK_POINTER, ~0ull);

    if (b == B32 || b == BV86 || b == BHOST32) {
        /* 32-bit protected mode with PAE paging; EPT supplies the PDPTEs */
        S(s, GUEST_IA32_EFER, 0);
        S(s, GUEST_CR3, 0xb000);
        set_seg(s, 1, 0x08, 0, 0xffffffff, 0xc09b);
        for (unsigned i = 0; i < 4; i++)
            S(s, GUEST_PDPTR0 + 2 * i, 0x100001 + i * 0x1000);
    }
    if (b == BV86) {
        S(s, GUEST_RFLAGS, 0x20002);
        for (unsigned i = 0; i < 6; i++)
            set_seg(s, i, (uint16_t)(0x1000 + 0x100 * i), (0x1000 + 0x100 * i) << 4, 0xffff, 0xf3);
    }
    if (b == BHOST32) {
        S(s, HOST_IA32_EFER, 0x800);
        S(s, HOST_RIP, 0x101234);
        S(s, HOST_RSP, 0x200000);
        S(s, HOST_TR_BASE, 0x120000);
        S(s, HOST_GDTR_BASE, 0x121000);
        S(s, HOST_IDTR_BASE, 0x122000);
    }
    if (b == BREAL) {
        /* Unrestricted guest at the reset vector: CR0.PE = CR0.PG = 0 */
        S(s, GUEST_IA32_EFER, 0);
        S(s, GUEST_CR0, 0x30);
        S(s, GUEST_CR4, 0x2000);
        S(s, GUEST_CR3, 0);
        set_seg(s, 1, 0xf000, 0xf0000, 0xffff, 0x9b);
        for (unsigned i = 0; i < 6; i++)
            if (i != 1)
                set_seg(s, i, 0, 0, 0xffff, 0x93);
        S(s, GUEST_GDTR_BASE, 0);
        S(s, GUEST_GDTR_LIMIT, 0xffff);
        S(s, GUEST_IDTR_LIMIT, 0x3ff);
        S(s, GUEST_RIP, 0xfff0);
        S(s, GUEST_RSP, 0);
    }
}

/* ---- Helpers --------------------------------------------------------------- */

#define MAXV 64
static struct vmcheck_violation out[MAXV];

static size_t run(const struct vmcs_snapshot *s, enum envk e)
{
    struct vmcheck_env env = make_env(e);
    return vmcheck_run(s, &env, out, MAXV);
}

static void dump(size_t n)
{
    char line[256];
    for (size_t i = 0; i < n && i < MAXV; i++) {
        vmcheck_format(&out[i], line, sizeof(line));
        printf("      %s\n", line);
    }
}

static bool covered[VR_COUNT];
static unsigned rule_tests;

struct mod {
    bool used;
    uint32_t f;
    uint8_t op;
    uint64_t v;
};
#define M(f, op, v) { true, f, VMCHECK_OP_##op, v }

struct tcase {
    int rule;
    enum base base;
    enum envk env;
    uint32_t field;       /* field the violation must name (main or second) */
    bool multi;           /* other rules may fire too */
    struct mod m[10];     /* all but the last: preparation (must stay valid); last: the break */
};

static void apply(struct vmcs_snapshot *s, const struct mod *m)
{
    struct vmcheck_case c = { .field = m->f, .op = m->op, .arg = m->v };
    vmcheck_case_apply(&c, s);
}

/* Break one rule from a baseline; the rule must be reported naming the field. */
static bool check_rule(const struct tcase *t)
{
    static struct vmcs_snapshot s;
    const char *id = vmcheck_rules[t->rule].id;
    unsigned nm = 0;
    size_t n;
    bool ok = true;

    while (nm < 10 && t->m[nm].used)
        nm++;
    build(&s, t->base, &caps_store[E_STD]);
    for (unsigned i = 0; i + 1 < nm; i++)
        apply(&s, &t->m[i]);
    if (nm >= 1 && (n = run(&s, t->env)) != 0) {
        UNIT_FAIL_("%s: preparation already invalid (%s baseline):", id, base_names[t->base]);
        dump(n);
        return false;
    }
    if (nm)
        apply(&s, &t->m[nm - 1]);
    n = run(&s, t->env);

    bool found = false;
    for (size_t i = 0; i < n && i < MAXV; i++) {
        if (vmcheck_rule_of(&out[i]) == t->rule &&
            (out[i].field == t->field || (out[i].field2 && out[i].field2 == t->field)) &&
            strcmp(out[i].section, vmcheck_rules[t->rule].section) == 0)
            found = true;
        else if (!t->multi)
            ok = false;
    }
    if (!found || !ok) {
        UNIT_FAIL_("%s (%s, field %s): %s; got %zu violation(s):", id, base_names[t->base],
                   vmcs_field_name(t->field), found ? "other rules fired too" : "not reported", n);
        dump(n);
        return false;
    }
    covered[t->rule] = true;
    rule_tests++;
    return true;
}

static void check_rules(const struct tcase *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_rule(&t[i]);
}

#define R(rule, base, env, field, ...) { VR_##rule, base, env, field, false, { __VA_ARGS__ } }
#define RM(rule, base, env, field, ...) { VR_##rule, base, env, field, true, { __VA_ARGS__ } }
#define ARR(a) (sizeof(a) / sizeof((a)[0]))

/* Frequently used preparations */
#define PIN PIN_BASED_VM_EXEC_CONTROL
#define PROC CPU_BASED_VM_EXEC_CONTROL
#define PROC2 SECONDARY_VM_EXEC_CONTROL
#define EXITC VM_EXIT_CONTROLS
#define ENTRYC VM_ENTRY_CONTROLS
#define INFO VM_ENTRY_INTR_INFO_FIELD
#define INTR GUEST_INTERRUPTIBILITY_INFO
#define TPR_ON M(PROC, OR, CPU_BASED_TPR_SHADOW), M(VIRTUAL_APIC_PAGE_ADDR, SET, 0xa000)
#define NO_UG M(PROC2, ANDNOT, SECONDARY_EXEC_UNRESTRICTED_GUEST)
#define NO_EPT M(PROC2, ANDNOT, SECONDARY_EXEC_ENABLE_EPT)
#define LDTR_ON M(GUEST_LDTR_SELECTOR, SET, 0x28), M(GUEST_LDTR_AR_BYTES, SET, 0x82)
#define IF_ON M(GUEST_RFLAGS, OR, 0x200)
#define PI_ON TPR_ON, M(PIN, OR, PIN_BASED_EXT_INTR_MASK),                               \
              M(PROC2, OR, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY),                       \
              M(EXITC, OR, VM_EXIT_ACK_INTR_ON_EXIT), M(POSTED_INTR_DESC_ADDR, SET, 0xe000), \
              M(POSTED_INTR_NV, SET, 0xf2), M(PIN, OR, PIN_BASED_POSTED_INTR)

/* ---- Baselines are valid --------------------------------------------------- */

TEST(baselines_valid)
{
    static struct vmcs_snapshot s;
    size_t n;

    for (int e = 0; e < E_COUNT; e++)
        caps_store[e] = make_caps((enum envk)e);
    REQUIRE(vmcs_field_count <= VMCS_SNAPSHOT_SLOTS);

    build(&s, B64, &caps_store[E_STD]);
    n = run(&s, E_STD);
    CHECK_EQ(n, 0);
    dump(n);
    /* What Skiff chooses on this CPU (matches test_vmx_caps.c) */
    CHECK_EQ(vmcs_snap_get(&s, CPU_BASED_VM_EXEC_CONTROL), 0x960061f2);
    CHECK_EQ(vmcs_snap_get(&s, SECONDARY_VM_EXEC_CONTROL), 0x1010aa);

    build(&s, B32, &caps_store[E_STD]);
    CHECK_EQ(n = run(&s, E_STD), 0);
    dump(n);
    build(&s, BREAL, &caps_store[E_STD]);
    CHECK_EQ(n = run(&s, E_STD), 0);
    dump(n);
    build(&s, BV86, &caps_store[E_STD]);
    CHECK_EQ(n = run(&s, E_STD), 0);
    dump(n);
    build(&s, BHOST32, &caps_store[E_STD]);
    CHECK_EQ(n = run(&s, E_LEGACY), 0);
    dump(n);
    /* The 32-bit host baseline is wrong for a host in IA-32e mode */
    CHECK(run(&s, E_STD) > 0);

    /* Every environment accepts the 64-bit baseline except the one that makes it invalid */
    build(&s, B64, &caps_store[E_STD]);
    for (int e = 0; e < E_COUNT; e++) {
        if (e == E_LEGACY || e == E_PROC2_A0 || e == E_OLD)
            continue;
        n = run(&s, (enum envk)e);
        if (n) {
            UNIT_FAIL_("environment %d rejects the 64-bit baseline", e);
            dump(n);
        }
    }

    /* Without TRUE_* MSRs Skiff keeps the default1 CR3 exits; that VMCS is valid too */
    build(&s, B64, &caps_store[E_OLD]);
    CHECK_EQ(n = run(&s, E_OLD), 0);
    dump(n);
    CHECK(vmcs_snap_get(&s, CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_CR3_LOAD_EXITING);
}

TEST(valid_variants)
{
    static struct vmcs_snapshot s;

    /* A link pointer to an ordinary VMCS region (right revision, not shadow) is fine */
    build(&s, B64, &caps_store[E_STD]);
    S(&s, VMCS_LINK_POINTER, 0x7000);
    CHECK_EQ(run(&s, E_STD), 0);
    /* ... and a shadow VMCS with VMCS shadowing */
    S(&s, VMCS_LINK_POINTER, 0x9000);
    S(&s, SECONDARY_VM_EXEC_CONTROL, vmcs_snap_get(&s, SECONDARY_VM_EXEC_CONTROL) | SECONDARY_EXEC_SHADOW_VMCS);
    CHECK_EQ(run(&s, E_STD), 0);

    /* Non-present PDPTEs may hold anything */
    build(&s, B32, &caps_store[E_STD]);
    S(&s, GUEST_PDPTR3, 0x1e6 | BEYOND);
    CHECK_EQ(run(&s, E_STD), 0);
    /* PDPTEs are not checked in IA-32e mode */
    build(&s, B64, &caps_store[E_STD]);
    S(&s, GUEST_PDPTR0, 0x1e7);
    CHECK_EQ(run(&s, E_STD), 0);

    /* Secondary controls are ignored while not activated */
    build(&s, B64, &caps_store[E_STD]);
    S(&s, SECONDARY_VM_EXEC_CONTROL, 0xffffffff);
    S(&s, CPU_BASED_VM_EXEC_CONTROL,
      vmcs_snap_get(&s, CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
    CHECK_EQ(run(&s, E_STD), 0);

    /* Event injection that is right: #PF with error code, ext. interrupt with IF=1, INT3 len 1 */
    build(&s, B64, &caps_store[E_STD]);
    S(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000b0e);
    S(&s, VM_ENTRY_EXCEPTION_ERROR_CODE, 0x2);
    CHECK_EQ(run(&s, E_STD), 0);
    S(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000030);
    S(&s, GUEST_RFLAGS, 0x202);
    CHECK_EQ(run(&s, E_STD), 0);
    S(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000603);
    S(&s, VM_ENTRY_INSTRUCTION_LEN, 1);
    CHECK_EQ(run(&s, E_STD), 0);
    /* Real mode under unrestricted guest: #GP is delivered without an error code */
    build(&s, BREAL, &caps_store[E_STD]);
    S(&s, VM_ENTRY_INTR_INFO_FIELD, 0x8000030d);
    CHECK_EQ(run(&s, E_STD), 0);

    /* HLT with an NMI to inject; pending single step under STI blocking */
    build(&s, B64, &caps_store[E_STD]);
    S(&s, GUEST_ACTIVITY_STATE, 1);
    S(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000202);
    CHECK_EQ(run(&s, E_STD), 0);
    build(&s, B64, &caps_store[E_STD]);
    S(&s, GUEST_RFLAGS, 0x302);
    S(&s, GUEST_INTERRUPTIBILITY_INFO, 1);
    S(&s, GUEST_PENDING_DBG_EXCEPTIONS, 1ull << 14);
    CHECK_EQ(run(&s, E_STD), 0);

    /* 0x0000800000000000 is canonical only with 57-bit linear addresses */
    build(&s, B64, &caps_store[E_STD]);
    S(&s, HOST_FS_BASE, 0x0000800000000000ull);
    CHECK(run(&s, E_STD) == 1);
    struct vmcheck_env env = make_env(E_STD);
    env.linaddr_bits = 57;
    CHECK_EQ(vmcheck_run(&s, &env, out, MAXV), 0);
}

/* ---- Each rule, broken once ------------------------------------------------ */

TEST(rules_vm_execution_controls)
{
    static const struct tcase t[] = {
        R(PIN_MUST1, B64, E_STD, PIN, M(PIN, ANDNOT, 1u << 1)),
        R(PIN_MUST0, B64, E_STD, PIN, M(PIN, OR, 1u << 31)),
        R(PROC_MUST1, B64, E_STD, PROC, M(PROC, ANDNOT, 1u << 1)),
        R(PROC_MUST0, B64, E_STD, PROC, M(PROC, OR, 1u << 0)),
        R(PROC2_MUST1, B64, E_PROC2_A0, PROC2),
        R(PROC2_MUST0, B64, E_STD, PROC2, M(PROC2, OR, 1u << 31)),
        R(CR3_TARGETS, B64, E_STD, CR3_TARGET_COUNT, M(CR3_TARGET_COUNT, SET, 5)),
        R(IO_A_ALIGN, B64, E_STD, IO_BITMAP_A, M(IO_BITMAP_A, OR, 0x800)),
        R(IO_A_WIDTH, B64, E_STD, IO_BITMAP_A, M(IO_BITMAP_A, OR, BEYOND)),
        R(IO_B_ALIGN, B64, E_STD, IO_BITMAP_B, M(IO_BITMAP_B, OR, 0x10)),
        R(IO_B_WIDTH, B64, E_STD, IO_BITMAP_B, M(IO_BITMAP_B, OR, BEYOND)),
        R(MSR_BITMAP_ALIGN, B64, E_STD, MSR_BITMAP, M(MSR_BITMAP, OR, 0x8)),
        R(MSR_BITMAP_WIDTH, B64, E_STD, MSR_BITMAP, M(MSR_BITMAP, OR, BEYOND)),
        R(VAPIC_ALIGN, B64, E_STD, VIRTUAL_APIC_PAGE_ADDR, TPR_ON, M(VIRTUAL_APIC_PAGE_ADDR, OR, 0x10)),
        R(VAPIC_WIDTH, B64, E_STD, VIRTUAL_APIC_PAGE_ADDR, TPR_ON, M(VIRTUAL_APIC_PAGE_ADDR, OR, BEYOND)),
        R(TPR_THRESHOLD_RSVD, B64, E_STD, TPR_THRESHOLD, TPR_ON, M(TPR_THRESHOLD, SET, 0x10)),
        R(TPR_THRESHOLD_VTPR, B64, E_STD, TPR_THRESHOLD, TPR_ON, M(TPR_THRESHOLD, SET, 2),
          M(TPR_THRESHOLD, SET, 3)),
        R(X2APIC_NO_TPR, B64, E_STD, PROC2, M(PROC2, OR, SECONDARY_EXEC_VIRTUALIZE_X2APIC)),
        R(APICREG_NO_TPR, B64, E_STD, PROC2, M(PROC2, OR, SECONDARY_EXEC_APIC_REGISTER_VIRT)),
        R(VID_NO_TPR, B64, E_STD, PROC2, M(PIN, OR, PIN_BASED_EXT_INTR_MASK),
          M(PROC2, OR, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)),
        R(X2APIC_AND_APIC_ACCESS, B64, E_STD, PROC2, TPR_ON,
          M(PROC2, OR, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES), M(APIC_ACCESS_ADDR, SET, 0xd000),
          M(PROC2, OR, SECONDARY_EXEC_VIRTUALIZE_X2APIC)),
        R(VID_NO_EXTINT, B64, E_STD, PIN, TPR_ON, M(PROC2, OR, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)),
        R(PI_NO_VID, B64, E_BIG, PROC2, TPR_ON, M(EXITC, OR, VM_EXIT_ACK_INTR_ON_EXIT),
          M(POSTED_INTR_DESC_ADDR, SET, 0xe000), M(PIN, OR, PIN_BASED_POSTED_INTR)),
        R(PI_NO_ACK, B64, E_BIG, EXITC, TPR_ON, M(PIN, OR, PIN_BASED_EXT_INTR_MASK),
          M(PROC2, OR, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY), M(POSTED_INTR_DESC_ADDR, SET, 0xe000),
          M(PIN, OR, PIN_BASED_POSTED_INTR)),
        R(PI_VECTOR, B64, E_BIG, POSTED_INTR_NV, PI_ON, M(POSTED_INTR_NV, SET, 0x1f2)),
        R(PI_DESC_ALIGN, B64, E_BIG, POSTED_INTR_DESC_ADDR, PI_ON, M(POSTED_INTR_DESC_ADDR, OR, 0x20)),
        R(PI_DESC_WIDTH, B64, E_BIG, POSTED_INTR_DESC_ADDR, PI_ON, M(POSTED_INTR_DESC_ADDR, OR, BEYOND)),
        R(VNMI_NO_NMI_EXIT, B64, E_STD, PIN, M(PIN, OR, PIN_BASED_VIRTUAL_NMIS)),
        R(NMIWIN_NO_VNMI, B64, E_STD, PROC, M(PROC, OR, CPU_BASED_NMI_WINDOW_EXITING)),
        R(APIC_ACCESS_ALIGN, B64, E_STD, APIC_ACCESS_ADDR,
          M(PROC2, OR, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES), M(APIC_ACCESS_ADDR, SET, 0xd000),
          M(APIC_ACCESS_ADDR, OR, 0x8)),
        R(APIC_ACCESS_WIDTH, B64, E_STD, APIC_ACCESS_ADDR,
          M(PROC2, OR, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES), M(APIC_ACCESS_ADDR, SET, 0xd000),
          M(APIC_ACCESS_ADDR, OR, BEYOND)),
        R(VPID_ZERO, B64, E_STD, VIRTUAL_PROCESSOR_ID, M(VIRTUAL_PROCESSOR_ID, SET, 0)),
        R(EPTP_MEMTYPE, B64, E_STD, EPT_POINTER, M(EPT_POINTER, OR, 1)),
        R(EPTP_MEMTYPE, B64, E_STD, EPT_POINTER, M(EPT_POINTER, XOR, 6 ^ 1)),   /* WC */
        R(EPTP_WALK, B64, E_STD, EPT_POINTER, M(EPT_POINTER, ANDNOT, 0x18)),
        R(EPTP_WALK, B64, E_STD, EPT_POINTER, M(EPT_POINTER, XOR, 0x38)),       /* 5-level: not on SKL */
        R(EPTP_AD, B64, E_NO_AD, EPT_POINTER, M(EPT_POINTER, OR, 0x40)),
        R(EPTP_RSVD, B64, E_STD, EPT_POINTER, M(EPT_POINTER, OR, 1u << 8)),
        R(EPTP_RSVD, B64, E_STD, EPT_POINTER, M(EPT_POINTER, OR, 1u << 7)),     /* no CET */
        R(EPTP_WIDTH, B64, E_STD, EPT_POINTER, M(EPT_POINTER, OR, BEYOND)),
        R(UG_NO_EPT, B64, E_STD, PROC2, NO_EPT),
        R(MBEC_NO_EPT, B64, E_STD, PROC2, NO_UG, M(PROC2, OR, SECONDARY_EXEC_MODE_BASED_EPT_EXEC), NO_EPT),
        R(SPP_NO_EPT, B64, E_BIG, PROC2, NO_UG, M(PROC2, OR, 1u << 23), NO_EPT),
        R(PML_NO_EPT, B64, E_STD, PROC2, NO_UG, M(PROC2, OR, SECONDARY_EXEC_ENABLE_PML),
          M(PML_ADDRESS, SET, 0xf000), NO_EPT),
        R(PML_ALIGN, B64, E_STD, PML_ADDRESS, M(PROC2, OR, SECONDARY_EXEC_ENABLE_PML),
          M(PML_ADDRESS, SET, 0xf000), M(PML_ADDRESS, OR, 0x100)),
        R(PML_WIDTH, B64, E_STD, PML_ADDRESS, M(PROC2, OR, SECONDARY_EXEC_ENABLE_PML),
          M(PML_ADDRESS, SET, 0xf000), M(PML_ADDRESS, OR, BEYOND)),
        R(VE_ALIGN, B64, E_STD, VE_INFORMATION_ADDRESS, M(PROC2, OR, SECONDARY_EXEC_EPT_VIOLATION_VE),
          M(VE_INFORMATION_ADDRESS, SET, 0x10000), M(VE_INFORMATION_ADDRESS, OR, 4)),
        R(VE_WIDTH, B64, E_STD, VE_INFORMATION_ADDRESS, M(PROC2, OR, SECONDARY_EXEC_EPT_VIOLATION_VE),
          M(VE_INFORMATION_ADDRESS, SET, 0x10000), M(VE_INFORMATION_ADDRESS, OR, BEYOND)),
        R(VMFUNC_RSVD, B64, E_STD, VM_FUNCTION_CONTROL, M(PROC2, OR, SECONDARY_EXEC_ENABLE_VMFUNC),
          M(VM_FUNCTION_CONTROL, SET, 2)),
        R(EPTP_SWITCH_NO_EPT, B64, E_STD, VM_FUNCTION_CONTROL, NO_UG,
          M(PROC2, OR, SECONDARY_EXEC_ENABLE_VMFUNC), M(VM_FUNCTION_CONTROL, SET, 1),
          M(EPTP_LIST_ADDRESS, SET, 0x11000), NO_EPT),
        R(EPTP_LIST_ALIGN, B64, E_STD, EPTP_LIST_ADDRESS, M(PROC2, OR, SECONDARY_EXEC_ENABLE_VMFUNC),
          M(VM_FUNCTION_CONTROL, SET, 1), M(EPTP_LIST_ADDRESS, SET, 0x11000),
          M(EPTP_LIST_ADDRESS, OR, 0x80)),
        R(EPTP_LIST_WIDTH, B64, E_STD, EPTP_LIST_ADDRESS, M(PROC2, OR, SECONDARY_EXEC_ENABLE_VMFUNC),
          M(VM_FUNCTION_CONTROL, SET, 1), M(EPTP_LIST_ADDRESS, SET, 0x11000),
          M(EPTP_LIST_ADDRESS, OR, BEYOND)),
        R(VMREAD_BITMAP_ALIGN, B64, E_STD, VMREAD_BITMAP, M(PROC2, OR, SECONDARY_EXEC_SHADOW_VMCS),
          M(VMREAD_BITMAP, SET, 0x12000), M(VMWRITE_BITMAP, SET, 0x13000), M(VMREAD_BITMAP, OR, 1)),
        R(VMREAD_BITMAP_WIDTH, B64, E_STD, VMREAD_BITMAP, M(PROC2, OR, SECONDARY_EXEC_SHADOW_VMCS),
          M(VMREAD_BITMAP, SET, 0x12000), M(VMWRITE_BITMAP, SET, 0x13000), M(VMREAD_BITMAP, OR, BEYOND)),
        R(VMWRITE_BITMAP_ALIGN, B64, E_STD, VMWRITE_BITMAP, M(PROC2, OR, SECONDARY_EXEC_SHADOW_VMCS),
          M(VMREAD_BITMAP, SET, 0x12000), M(VMWRITE_BITMAP, SET, 0x13000), M(VMWRITE_BITMAP, OR, 2)),
        R(VMWRITE_BITMAP_WIDTH, B64, E_STD, VMWRITE_BITMAP, M(PROC2, OR, SECONDARY_EXEC_SHADOW_VMCS),
          M(VMREAD_BITMAP, SET, 0x12000), M(VMWRITE_BITMAP, SET, 0x13000), M(VMWRITE_BITMAP, OR, BEYOND)),
    };
    check_rules(t, ARR(t));
}

TEST(rules_vm_exit_and_entry_controls)
{
    static const struct tcase t[] = {
        R(EXIT_MUST1, B64, E_STD, EXITC, M(EXITC, ANDNOT, 1u << 0)),
        R(EXIT_MUST0, B64, E_STD, EXITC, M(EXITC, OR, 1u << 31)),
        R(SAVE_TIMER_NO_TIMER, B64, E_STD, PIN, M(EXITC, OR, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER)),
        R(EXIT_MSR_STORE_ALIGN, B64, E_STD, VM_EXIT_MSR_STORE_ADDR, M(VM_EXIT_MSR_STORE_COUNT, SET, 2),
          M(VM_EXIT_MSR_STORE_ADDR, SET, 0x14000), M(VM_EXIT_MSR_STORE_ADDR, OR, 8)),
        /* the area's last byte crosses the width even though its start does not */
        R(EXIT_MSR_STORE_WIDTH, B64, E_STD, VM_EXIT_MSR_STORE_ADDR, M(VM_EXIT_MSR_STORE_COUNT, SET, 2),
          M(VM_EXIT_MSR_STORE_ADDR, SET, 0x14000), M(VM_EXIT_MSR_STORE_ADDR, SET, BEYOND - 16)),
        R(EXIT_MSR_LOAD_ALIGN, B64, E_STD, VM_EXIT_MSR_LOAD_ADDR, M(VM_EXIT_MSR_LOAD_COUNT, SET, 1),
          M(VM_EXIT_MSR_LOAD_ADDR, SET, 0x14000), M(VM_EXIT_MSR_LOAD_ADDR, OR, 4)),
        R(EXIT_MSR_LOAD_WIDTH, B64, E_STD, VM_EXIT_MSR_LOAD_COUNT, M(VM_EXIT_MSR_LOAD_COUNT, SET, 1),
          M(VM_EXIT_MSR_LOAD_ADDR, SET, 0x14000), M(VM_EXIT_MSR_LOAD_ADDR, OR, BEYOND)),
        R(ENTRY_MUST1, B64, E_STD, ENTRYC, M(ENTRYC, ANDNOT, 1u << 0)),
        R(ENTRY_MUST0, B64, E_STD, ENTRYC, M(ENTRYC, OR, 1u << 31)),
        R(INTR_TYPE_RSVD, B64, E_STD, INFO, M(INFO, SET, 0x80000100)),
        R(INTR_OTHER_UNSUPPORTED, B64, E_NO_MTF, INFO, M(INFO, SET, 0x80000700)),
        R(INTR_OTHER_VECTOR, B64, E_STD, INFO, M(INFO, SET, 0x80000701)),
        R(INTR_NMI_VECTOR, B64, E_STD, INFO, M(INFO, SET, 0x80000203)),
        R(INTR_HWEXC_VECTOR, B64, E_STD, INFO, M(INFO, SET, 0x80000320)),
        R(INTR_RSVD, B64, E_STD, INFO, M(INFO, SET, 0x80001306)),
        R(INTR_EC_MISSING, B64, E_STD, INFO, M(INFO, SET, 0x8000030e)),
        R(INTR_EC_EXTRA, B64, E_STD, INFO, M(INFO, SET, 0x80000b06)),
        /* real mode under unrestricted guest: no error code at all */
        R(INTR_EC_EXTRA, BREAL, E_STD, GUEST_CR0, M(INFO, SET, 0x80000b0d)),
        R(INTR_EC_RSVD, B64, E_STD, VM_ENTRY_EXCEPTION_ERROR_CODE,
          M(VM_ENTRY_EXCEPTION_ERROR_CODE, SET, 0x10000), M(INFO, SET, 0x80000b0d)),
        R(INTR_INSN_LEN, B64, E_STD, VM_ENTRY_INSTRUCTION_LEN, M(VM_ENTRY_INSTRUCTION_LEN, SET, 16),
          M(INFO, SET, 0x80000480)),
        R(INTR_INSN_LEN, B64, E_NO_LEN0, VM_ENTRY_INSTRUCTION_LEN, M(INFO, SET, 0x80000603)),
        R(ENTRY_MSR_LOAD_ALIGN, B64, E_STD, VM_ENTRY_MSR_LOAD_ADDR, M(VM_ENTRY_MSR_LOAD_COUNT, SET, 3),
          M(VM_ENTRY_MSR_LOAD_ADDR, SET, 0x14000), M(VM_ENTRY_MSR_LOAD_ADDR, OR, 1)),
        R(ENTRY_MSR_LOAD_WIDTH, B64, E_STD, VM_ENTRY_MSR_LOAD_ADDR, M(VM_ENTRY_MSR_LOAD_COUNT, SET, 3),
          M(VM_ENTRY_MSR_LOAD_ADDR, SET, 0x14000), M(VM_ENTRY_MSR_LOAD_ADDR, SET, BEYOND - 32)),
        RM(ENTRY_SMM, B64, E_STD, ENTRYC, M(ENTRYC, OR, VM_ENTRY_SMM)),
        R(ENTRY_DEACT_DUAL, B64, E_STD, ENTRYC, M(ENTRYC, OR, VM_ENTRY_DEACT_DUAL_MONITOR)),
    };
    check_rules(t, ARR(t));
}

TEST(rules_host_state)
{
    static const struct tcase t[] = {
        R(HOST_CR0_FIXED0, B64, E_STD, HOST_CR0, M(HOST_CR0, ANDNOT, CR0_NE)),
        R(HOST_CR0_FIXED1, B64, E_STD, HOST_CR0, M(HOST_CR0, OR, 1ull << 32)),
        R(HOST_CR4_FIXED0, B64, E_STD, HOST_CR4, M(HOST_CR4, ANDNOT, CR4_VMXE)),
        R(HOST_CR4_FIXED1, B64, E_STD, HOST_CR4, M(HOST_CR4, OR, 1ull << 22)),
        R(HOST_CR3_WIDTH, B64, E_STD, HOST_CR3, M(HOST_CR3, OR, BEYOND)),
        R(HOST_CET_WP, B64, E_CET, HOST_CR0, M(HOST_CR4, OR, CR4_CET), M(HOST_CR0, ANDNOT, CR0_WP)),
        R(HOST_SYSENTER_ESP, B64, E_STD, HOST_IA32_SYSENTER_ESP, M(HOST_IA32_SYSENTER_ESP, XOR, NONCANON)),
        R(HOST_SYSENTER_EIP, B64, E_STD, HOST_IA32_SYSENTER_EIP, M(HOST_IA32_SYSENTER_EIP, SET, 0x0000800000000000ull)),
        R(HOST_S_CET_RSVD, B64, E_CET, HOST_S_CET, M(EXITC, OR, VM_EXIT_LOAD_CET_STATE), M(HOST_S_CET, SET, 0x40)),
        R(HOST_SSP_TABLE, B64, E_CET, HOST_INTR_SSP_TABLE, M(EXITC, OR, VM_EXIT_LOAD_CET_STATE),
          M(HOST_INTR_SSP_TABLE, SET, NONCANON)),
        R(HOST_PAT, B64, E_STD, HOST_IA32_PAT, M(HOST_IA32_PAT, SET, 0x0007040600070402ull)),
        R(HOST_PAT, B64, E_STD, HOST_IA32_PAT, M(HOST_IA32_PAT, SET, 0x0807040600070406ull)),
        R(HOST_EFER_RSVD, B64, E_STD, HOST_IA32_EFER, M(HOST_IA32_EFER, OR, 1u << 1)),
        R(HOST_EFER_LMA, B64, E_STD, HOST_IA32_EFER, M(HOST_IA32_EFER, ANDNOT, 1u << 10)),
        R(HOST_EFER_LME, B64, E_STD, HOST_IA32_EFER, M(HOST_IA32_EFER, ANDNOT, 1u << 8)),
        R(HOST_PKRS, B64, E_CET, HOST_IA32_PKRS, M(EXITC, OR, 1u << 29), M(HOST_IA32_PKRS, SET, 1ull << 32)),
        R(HOST_SEL_RPL_TI, B64, E_STD, HOST_ES_SELECTOR, M(HOST_ES_SELECTOR, OR, 2)),
        R(HOST_SEL_RPL_TI, B64, E_STD, HOST_CS_SELECTOR, M(HOST_CS_SELECTOR, OR, 1)),
        R(HOST_SEL_RPL_TI, B64, E_STD, HOST_SS_SELECTOR, M(HOST_SS_SELECTOR, OR, 4)),
        R(HOST_SEL_RPL_TI, B64, E_STD, HOST_DS_SELECTOR, M(HOST_DS_SELECTOR, OR, 3)),
        R(HOST_SEL_RPL_TI, B64, E_STD, HOST_FS_SELECTOR, M(HOST_FS_SELECTOR, OR, 4)),
        R(HOST_SEL_RPL_TI, B64, E_STD, HOST_GS_SELECTOR, M(HOST_GS_SELECTOR, OR, 1)),
        R(HOST_SEL_RPL_TI, B64, E_STD, HOST_TR_SELECTOR, M(HOST_TR_SELECTOR, OR, 4)),
        R(HOST_CS_ZERO, B64, E_STD, HOST_CS_SELECTOR, M(HOST_CS_SELECTOR, SET, 0)),
        R(HOST_TR_ZERO, B64, E_STD, HOST_TR_SELECTOR, M(HOST_TR_SELECTOR, SET, 0)),
        R(HOST_SS_ZERO, BHOST32, E_LEGACY, HOST_SS_SELECTOR, M(HOST_SS_SELECTOR, SET, 0)),
        R(HOST_FS_BASE, B64, E_STD, HOST_FS_BASE, M(HOST_FS_BASE, XOR, NONCANON)),
        R(HOST_GS_BASE, B64, E_STD, HOST_GS_BASE, M(HOST_GS_BASE, XOR, NONCANON)),
        R(HOST_GDTR_BASE, B64, E_STD, HOST_GDTR_BASE, M(HOST_GDTR_BASE, XOR, NONCANON)),
        R(HOST_IDTR_BASE, B64, E_STD, HOST_IDTR_BASE, M(HOST_IDTR_BASE, XOR, NONCANON)),
        R(HOST_TR_BASE, B64, E_STD, HOST_TR_BASE, M(HOST_TR_BASE, XOR, NONCANON)),
        RM(ADDR_LEGACY_GUEST, BHOST32, E_LEGACY, ENTRYC, M(ENTRYC, OR, VM_ENTRY_IA32E_MODE)),
        RM(ADDR_LEGACY_HOST, BHOST32, E_LEGACY, EXITC, M(EXITC, OR, VM_EXIT_HOST_ADDR_SPACE_SIZE)),
        RM(ADDR_HOST_SIZE_0, B64, E_STD, EXITC, M(EXITC, ANDNOT, VM_EXIT_HOST_ADDR_SPACE_SIZE)),
        RM(ADDR_GUEST_HOST32, BHOST32, E_LEGACY, ENTRYC, M(ENTRYC, OR, VM_ENTRY_IA32E_MODE)),
        R(ADDR_HOST_PCIDE, BHOST32, E_LEGACY, HOST_CR4, M(HOST_CR4, OR, CR4_PCIDE)),
        R(ADDR_HOST_RIP_HIGH, BHOST32, E_LEGACY, HOST_RIP, M(HOST_RIP, OR, 1ull << 32)),
        R(ADDR_HOST_PAE, B64, E_STD, HOST_CR4, M(HOST_CR4, ANDNOT, CR4_PAE)),
        R(ADDR_HOST_RIP_CANON, B64, E_STD, HOST_RIP, M(HOST_RIP, XOR, NONCANON)),
    };
    check_rules(t, ARR(t));
}

TEST(rules_guest_registers_and_msrs)
{
    static const struct tcase t[] = {
        R(G_CR0_FIXED0, B64, E_STD, GUEST_CR0, M(GUEST_CR0, ANDNOT, CR0_NE)),
        /* without unrestricted guest PG (and PE) are fixed to 1 */
        R(G_CR0_FIXED0, B32, E_STD, GUEST_CR0, NO_UG, M(GUEST_CR0, ANDNOT, CR0_PG)),
        R(G_CR0_FIXED1, B64, E_STD, GUEST_CR0, M(GUEST_CR0, OR, 1ull << 32)),
        R(G_CR0_PG_NO_PE, B64, E_STD, GUEST_CR0, M(GUEST_CR0, ANDNOT, CR0_PE)),
        R(G_CR4_FIXED0, B64, E_STD, GUEST_CR4, M(GUEST_CR4, ANDNOT, CR4_VMXE)),
        R(G_CR4_FIXED1, B64, E_STD, GUEST_CR4, M(GUEST_CR4, OR, 1ull << 22)),
        R(G_CET_WP, B64, E_CET, GUEST_CR0, M(GUEST_CR0, OR, CR0_WP), M(GUEST_CR4, OR, CR4_CET),
          M(GUEST_CR0, ANDNOT, CR0_WP)),
        R(G_DEBUGCTL_RSVD, B64, E_STD, GUEST_IA32_DEBUGCTL, M(GUEST_IA32_DEBUGCTL, OR, 1u << 2)),
        R(G_DEBUGCTL_RSVD, B64, E_STD, GUEST_IA32_DEBUGCTL, M(GUEST_IA32_DEBUGCTL, OR, 1ull << 40)),
        R(G_IA32E_NO_PG, B64, E_STD, GUEST_CR0, M(GUEST_CR0, ANDNOT, CR0_PG)),
        R(G_IA32E_NO_PAE, B64, E_STD, GUEST_CR4, M(GUEST_CR4, ANDNOT, CR4_PAE)),
        R(G_PCIDE_LEGACY, B32, E_STD, GUEST_CR4, M(GUEST_CR4, OR, CR4_PCIDE)),
        R(G_CR3_WIDTH, B64, E_STD, GUEST_CR3, M(GUEST_CR3, OR, BEYOND)),
        R(G_DR7_HIGH, B64, E_STD, GUEST_DR7, M(GUEST_DR7, OR, 1ull << 32)),
        R(G_SYSENTER_ESP, B64, E_STD, GUEST_SYSENTER_ESP, M(GUEST_SYSENTER_ESP, XOR, NONCANON)),
        R(G_SYSENTER_EIP, B64, E_STD, GUEST_SYSENTER_EIP, M(GUEST_SYSENTER_EIP, SET, 0x00007fffffffffffull + 1)),
        R(G_PAT, B64, E_STD, GUEST_IA32_PAT, M(GUEST_IA32_PAT, SET, 0x0007040600070403ull)),
        R(G_EFER_RSVD, B64, E_STD, GUEST_IA32_EFER, M(GUEST_IA32_EFER, OR, 1u << 1)),
        R(G_EFER_LMA, B64, E_STD, ENTRYC, M(GUEST_IA32_EFER, ANDNOT, 1u << 10)),
        R(G_EFER_LMA, B32, E_STD, GUEST_IA32_EFER, M(GUEST_IA32_EFER, OR, 1u << 10)),
        R(G_EFER_LME, B64, E_STD, GUEST_IA32_EFER, M(GUEST_IA32_EFER, ANDNOT, 1u << 8)),
        R(G_BNDCFGS_RSVD, B64, E_STD, GUEST_BNDCFGS, M(ENTRYC, OR, VM_ENTRY_LOAD_BNDCFGS),
          M(GUEST_BNDCFGS, SET, 4)),
        R(G_BNDCFGS_CANON, B64, E_STD, GUEST_BNDCFGS, M(ENTRYC, OR, VM_ENTRY_LOAD_BNDCFGS),
          M(GUEST_BNDCFGS, SET, NONCANON | 1)),
        R(G_S_CET_RSVD, B64, E_CET, GUEST_S_CET, M(ENTRYC, OR, VM_ENTRY_LOAD_CET_STATE),
          M(GUEST_S_CET, SET, 0x80)),
        R(G_SSP_TABLE, B64, E_CET, GUEST_INTR_SSP_TABLE, M(ENTRYC, OR, VM_ENTRY_LOAD_CET_STATE),
          M(GUEST_INTR_SSP_TABLE, SET, NONCANON)),
        R(G_PKRS, B64, E_CET, GUEST_IA32_PKRS, M(ENTRYC, OR, 1u << 22), M(GUEST_IA32_PKRS, SET, 1ull << 33)),
    };
    check_rules(t, ARR(t));
}

TEST(rules_guest_segments)
{
    static const struct tcase t[] = {
        R(G_TR_TI, B64, E_STD, GUEST_TR_SELECTOR, M(GUEST_TR_SELECTOR, OR, 4)),
        R(G_LDTR_TI, B64, E_STD, GUEST_LDTR_SELECTOR, LDTR_ON, M(GUEST_LDTR_SELECTOR, OR, 4)),
        R(G_SS_RPL, B32, E_STD, GUEST_SS_SELECTOR, NO_UG, M(GUEST_CS_SELECTOR, OR, 3)),
        R(G_TR_BASE, B64, E_STD, GUEST_TR_BASE, M(GUEST_TR_BASE, XOR, NONCANON)),
        R(G_FS_BASE, B64, E_STD, GUEST_FS_BASE, M(GUEST_FS_BASE, XOR, NONCANON)),
        R(G_GS_BASE, B64, E_STD, GUEST_GS_BASE, M(GUEST_GS_BASE, XOR, NONCANON)),
        R(G_LDTR_BASE, B64, E_STD, GUEST_LDTR_BASE, LDTR_ON, M(GUEST_LDTR_BASE, XOR, NONCANON)),
        R(G_CS_BASE_HIGH, B64, E_STD, GUEST_CS_BASE, M(GUEST_CS_BASE, OR, 1ull << 32)),
        R(G_SS_BASE_HIGH, B64, E_STD, GUEST_SS_BASE, M(GUEST_SS_BASE, OR, 1ull << 32)),
        R(G_DS_BASE_HIGH, B64, E_STD, GUEST_DS_BASE, M(GUEST_DS_BASE, OR, 1ull << 32)),
        R(G_ES_BASE_HIGH, B64, E_STD, GUEST_ES_BASE, M(GUEST_ES_BASE, OR, 1ull << 32)),
        R(CS_TYPE, B64, E_STD, GUEST_CS_AR_BYTES, M(GUEST_CS_AR_BYTES, ANDNOT, 0xa)),
        /* type 3 is allowed only with unrestricted guest */
        R(CS_TYPE, B32, E_STD, GUEST_CS_AR_BYTES, NO_UG, M(GUEST_CS_AR_BYTES, ANDNOT, 0x8)),
        R(CS_DPL_DATA, BREAL, E_STD, GUEST_CS_AR_BYTES, M(GUEST_CS_AR_BYTES, SET, 0x93),
          M(GUEST_CS_AR_BYTES, SET, 0xf3)),
        R(CS_DPL_NONCONF, B64, E_STD, GUEST_SS_AR_BYTES, M(GUEST_CS_AR_BYTES, OR, 3u << 5)),
        R(CS_DPL_CONF, B64, E_STD, GUEST_CS_AR_BYTES, M(GUEST_CS_AR_BYTES, SET, 0xa09f),
          M(GUEST_CS_AR_BYTES, SET, 0xa0ff)),
        R(CS_LD, B64, E_STD, GUEST_CS_AR_BYTES, M(GUEST_CS_AR_BYTES, OR, 1u << 14)),
        R(SS_TYPE, B64, E_STD, GUEST_SS_AR_BYTES, M(GUEST_SS_AR_BYTES, OR, 0x8)),
        RM(SS_DPL_RPL, B32, E_STD, GUEST_SS_SELECTOR, NO_UG, M(GUEST_SS_AR_BYTES, OR, 3u << 5)),
        RM(SS_DPL_REAL, BREAL, E_STD, GUEST_CR0, M(GUEST_SS_AR_BYTES, OR, 3u << 5)),
        R(SS_DPL_REAL, BREAL, E_STD, GUEST_CS_AR_BYTES, M(GUEST_CS_AR_BYTES, SET, 0x93),
          M(GUEST_SS_AR_BYTES, OR, 3u << 5)),
        R(TR_TYPE_64, B64, E_STD, GUEST_TR_AR_BYTES, M(GUEST_TR_AR_BYTES, ANDNOT, 0x8)),
        R(TR_TYPE_32, B32, E_STD, GUEST_TR_AR_BYTES, M(GUEST_TR_AR_BYTES, ANDNOT, 0x2)),
        R(TR_UNUSABLE, B64, E_STD, GUEST_TR_AR_BYTES, M(GUEST_TR_AR_BYTES, OR, AR_UNUSABLE)),
        R(LDTR_TYPE, B64, E_STD, GUEST_LDTR_AR_BYTES, M(GUEST_LDTR_AR_BYTES, SET, 0x83)),
        R(SEG_S_LDTR, B64, E_STD, GUEST_LDTR_AR_BYTES, LDTR_ON, M(GUEST_LDTR_AR_BYTES, OR, 0x10)),
        R(SEG_S_TR, B64, E_STD, GUEST_TR_AR_BYTES, M(GUEST_TR_AR_BYTES, OR, 0x10)),
    };
    check_rules(t, ARR(t));

    /* Families that exist once per segment register */
    static const unsigned data[4] = { 0, 3, 4, 5 };   /* ES, DS, FS, GS */
    for (unsigned i = 0; i < 6; i++) {
        uint32_t sel = GUEST_ES_SELECTOR + 2 * i, base = GUEST_ES_BASE + 2 * i,
                 lim = GUEST_ES_LIMIT + 2 * i, ar = GUEST_ES_AR_BYTES + 2 * i;
        const struct tcase f[] = {
            { VR_V86_BASE_ES + i, BV86, E_STD, base, false, { M(base, OR, 0x10) } },
            { VR_V86_LIMIT_ES + i, BV86, E_STD, lim, false, { M(lim, SET, 0xfffff) } },
            { VR_V86_AR_ES + i, BV86, E_STD, ar, false, { M(ar, SET, 0xfb) } },
            { VR_SEG_S_ES + i, B64, E_STD, ar, false, { M(ar, ANDNOT, 0x10) } },
        };
        check_rules(f, ARR(f));
        (void)sel;
    }
    for (unsigned k = 0; k < 4; k++) {
        unsigned i = data[k];
        uint32_t sel = GUEST_ES_SELECTOR + 2 * i, ar = GUEST_ES_AR_BYTES + 2 * i;
        const struct tcase f[] = {
            { VR_DATA_ACCESSED_ES + k, B64, E_STD, ar, false, { M(ar, ANDNOT, 1) } },
            { VR_DATA_EXEC_ONLY_ES + k, B64, E_STD, ar, false, { M(ar, SET, 0xc099) } },
            { VR_DATA_DPL_ES + k, B32, E_STD, sel, false, { NO_UG, M(sel, OR, 3) } },
            /* a conforming code segment may have DPL < RPL */
            { VR_DATA_DPL_ES + k, B32, E_STD, sel, false,
              { NO_UG, M(ar, SET, 0xc09f), M(sel, OR, 3), M(ar, SET, 0xc09b) } },
        };
        check_rules(f, ARR(f));
    }
    for (unsigned i = 0; i < 8; i++) {
        uint32_t lim = GUEST_ES_LIMIT + 2 * i, ar = GUEST_ES_AR_BYTES + 2 * i;
        bool ldtr = i == 6, tr = i == 7;
        struct tcase f[] = {
            { VR_SEG_P_ES + i, B64, E_STD, ar, false, { M(ar, ANDNOT, 0x80) } },
            { VR_SEG_RSVD_LO_ES + i, B64, E_STD, ar, false, { M(ar, OR, 0x100) } },
            { VR_SEG_RSVD_HI_ES + i, B64, E_STD, ar, false, { M(ar, OR, 1u << 17) } },
            /* flat segments have G=1 and limit 0xffffffff; TR and LDTR G=0 */
            { VR_SEG_G_SET_ES + i, B64, E_STD, lim, false,
              { ldtr || tr ? (struct mod)M(ar, OR, AR_G) : (struct mod)M(lim, ANDNOT, 1) } },
            { VR_SEG_G_CLEAR_ES + i, B64, E_STD, lim, false,
              { ldtr || tr ? (struct mod)M(lim, OR, 1u << 20) : (struct mod)M(ar, ANDNOT, AR_G) } },
        };
        if (ldtr) {
            /* usable LDTR first, then the break */
            for (unsigned j = 0; j < ARR(f); j++) {
                struct mod brk = f[j].m[0];
                f[j].m[0] = (struct mod)M(GUEST_LDTR_SELECTOR, SET, 0x28);
                f[j].m[1] = (struct mod)M(GUEST_LDTR_AR_BYTES, SET, 0x82);
                f[j].m[2] = brk;
            }
        }
        check_rules(f, ARR(f));
    }
}

TEST(rules_guest_dtr_rip_rflags)
{
    static const struct tcase t[] = {
        R(GDTR_BASE, B64, E_STD, GUEST_GDTR_BASE, M(GUEST_GDTR_BASE, XOR, NONCANON)),
        R(IDTR_BASE, B64, E_STD, GUEST_IDTR_BASE, M(GUEST_IDTR_BASE, XOR, NONCANON)),
        R(GDTR_LIMIT, B64, E_STD, GUEST_GDTR_LIMIT, M(GUEST_GDTR_LIMIT, OR, 1u << 16)),
        R(IDTR_LIMIT, B64, E_STD, GUEST_IDTR_LIMIT, M(GUEST_IDTR_LIMIT, OR, 1u << 31)),
        R(RIP_HIGH, B32, E_STD, GUEST_RIP, M(GUEST_RIP, OR, 1ull << 32)),
        /* compatibility mode (IA-32e, CS.L = 0) is not 64-bit mode either */
        R(RIP_HIGH, B64, E_STD, GUEST_RIP, M(GUEST_CS_AR_BYTES, SET, 0xc09b), M(GUEST_RIP, OR, 1ull << 32)),
        R(RIP_CANON, B64, E_STD, GUEST_RIP, M(GUEST_RIP, XOR, NONCANON)),
        R(RFLAGS_RSVD, B64, E_STD, GUEST_RFLAGS, M(GUEST_RFLAGS, OR, 1u << 3)),
        R(RFLAGS_RSVD, B64, E_STD, GUEST_RFLAGS, M(GUEST_RFLAGS, OR, 1ull << 22)),
        R(RFLAGS_BIT1, B64, E_STD, GUEST_RFLAGS, M(GUEST_RFLAGS, ANDNOT, 2)),
        RM(RFLAGS_VM, B64, E_STD, ENTRYC, M(GUEST_RFLAGS, OR, 1u << 17)),
        RM(RFLAGS_VM, BREAL, E_STD, GUEST_CR0, M(GUEST_RFLAGS, OR, 1u << 17)),
        R(RFLAGS_IF, B64, E_STD, INFO, M(INFO, SET, 0x80000030)),
    };
    check_rules(t, ARR(t));
}

TEST(rules_guest_non_register_state)
{
    static const struct tcase t[] = {
        R(ACT_RANGE, B64, E_STD, GUEST_ACTIVITY_STATE, M(GUEST_ACTIVITY_STATE, SET, 4)),
        R(ACT_UNSUPPORTED, B64, E_NO_SIPI, GUEST_ACTIVITY_STATE, M(GUEST_ACTIVITY_STATE, SET, 3)),
        R(ACT_HLT_DPL, B64, E_STD, GUEST_SS_AR_BYTES, M(GUEST_CS_AR_BYTES, OR, 3u << 5),
          M(GUEST_SS_AR_BYTES, OR, 3u << 5), M(GUEST_ACTIVITY_STATE, SET, 1)),
        R(ACT_BLOCKING, B64, E_STD, INTR, IF_ON, M(INTR, SET, 1), M(GUEST_ACTIVITY_STATE, SET, 1)),
        R(ACT_EVENT, B64, E_STD, INFO, M(GUEST_ACTIVITY_STATE, SET, 1), M(INFO, SET, 0x80000306)),
        R(ACT_EVENT, B64, E_STD, INFO, M(GUEST_ACTIVITY_STATE, SET, 2), M(INFO, SET, 0x80000301)),
        R(ACT_EVENT, B64, E_STD, INFO, M(GUEST_ACTIVITY_STATE, SET, 3), M(INFO, SET, 0x80000202)),
        R(ACT_SIPI_SMM, B64, E_SMM, ENTRYC, M(ENTRYC, OR, VM_ENTRY_SMM), M(INTR, SET, 4),
          M(GUEST_ACTIVITY_STATE, SET, 3)),
        R(INT_RSVD, B64, E_STD, INTR, M(INTR, SET, 1u << 5)),
        R(INT_STI_MOVSS, B64, E_STD, INTR, IF_ON, M(INTR, SET, 3)),
        R(INT_STI_IF, B64, E_STD, GUEST_RFLAGS, M(INTR, SET, 1)),
        R(INT_EXTINT, B64, E_STD, INFO, IF_ON, M(INTR, SET, 2), M(INFO, SET, 0x80000030)),
        R(INT_NMI_MOVSS, B64, E_STD, INFO, M(INTR, SET, 2), M(INFO, SET, 0x80000202)),
        R(INT_SMI, B64, E_STD, INTR, M(INTR, SET, 4)),
        R(INT_SMI_ENTRY, B64, E_SMM, ENTRYC, M(ENTRYC, OR, VM_ENTRY_SMM)),
        R(INT_VNMI, B64, E_STD, INTR, M(PIN, OR, PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS),
          M(INTR, SET, 8), M(INFO, SET, 0x80000202)),
        R(INT_ENCLAVE, B64, E_STD, INTR, M(INTR, SET, 0x12)),
        R(PDE_RSVD, B64, E_STD, GUEST_PENDING_DBG_EXCEPTIONS, M(GUEST_PENDING_DBG_EXCEPTIONS, OR, 1u << 4)),
        R(PDE_RSVD, B64, E_STD, GUEST_PENDING_DBG_EXCEPTIONS, M(GUEST_PENDING_DBG_EXCEPTIONS, OR, 1ull << 17)),
        R(PDE_BS_NEEDED, B64, E_STD, GUEST_RFLAGS, IF_ON, M(INTR, SET, 1), M(GUEST_RFLAGS, OR, 0x100)),
        R(PDE_BS_NEEDED, B64, E_STD, GUEST_RFLAGS, M(GUEST_ACTIVITY_STATE, SET, 1), M(GUEST_RFLAGS, OR, 0x100)),
        R(PDE_BS_FORBIDDEN, B64, E_STD, GUEST_PENDING_DBG_EXCEPTIONS, IF_ON, M(INTR, SET, 1),
          M(GUEST_PENDING_DBG_EXCEPTIONS, OR, 1u << 14)),
        /* BTF makes single steps branch steps: BS must then be clear */
        R(PDE_BS_FORBIDDEN, B64, E_STD, GUEST_RFLAGS, M(GUEST_RFLAGS, OR, 0x300), M(INTR, SET, 1),
          M(GUEST_PENDING_DBG_EXCEPTIONS, OR, 1u << 14), M(GUEST_IA32_DEBUGCTL, OR, 2)),
        R(PDE_RTM, B64, E_STD, GUEST_PENDING_DBG_EXCEPTIONS, M(GUEST_PENDING_DBG_EXCEPTIONS, SET, 1u << 16)),
        R(PDE_RTM, B64, E_STD, INTR, M(GUEST_PENDING_DBG_EXCEPTIONS, SET, 0x11000), M(INTR, SET, 2)),
        R(LINK_ALIGN, B64, E_STD, VMCS_LINK_POINTER, M(VMCS_LINK_POINTER, SET, 0x7800)),
        R(LINK_WIDTH, B64, E_STD, VMCS_LINK_POINTER, M(VMCS_LINK_POINTER, SET, BEYOND)),
        R(LINK_CURRENT, B64, E_STD, VMCS_LINK_POINTER, M(VMCS_LINK_POINTER, SET, 0x6000)),
        R(LINK_REVISION, B64, E_STD, VMCS_LINK_POINTER, M(VMCS_LINK_POINTER, SET, 0x8000)),
        R(LINK_SHADOW, B64, E_STD, VMCS_LINK_POINTER, M(VMCS_LINK_POINTER, SET, 0x9000)),
        R(LINK_SHADOW, B64, E_STD, PROC2, M(PROC2, OR, SECONDARY_EXEC_SHADOW_VMCS),
          M(VMCS_LINK_POINTER, SET, 0x7000)),
        R(LINK_UNCHECKED, B64, E_NOMEM, VMCS_LINK_POINTER, M(VMCS_LINK_POINTER, SET, 0x7000)),
        R(PDPTE_RSVD, B32, E_STD, GUEST_PDPTR1, M(GUEST_PDPTR1, OR, 1u << 5)),
        R(PDPTE_RSVD, B32, E_STD, GUEST_PDPTR3, M(GUEST_PDPTR3, OR, 1u << 1)),
        R(PDPTE_WIDTH, B32, E_STD, GUEST_PDPTR2, M(GUEST_PDPTR2, OR, BEYOND)),
        R(PDPTE_MEM, B32, E_STD, GUEST_CR3, NO_UG, NO_EPT, M(GUEST_CR3, SET, 0xc000)),
    };
    check_rules(t, ARR(t));
}

/* ---- Formatting, API details ----------------------------------------------- */

TEST(format_lines)
{
    static struct vmcs_snapshot s;
    char line[256];

    build(&s, B64, &caps_store[E_STD]);
    S(&s, GUEST_CS_AR_BYTES, 0xe09b);
    REQUIRE(run(&s, E_STD) == 1);
    CHECK_EQ(vmcheck_format(&out[0], line, sizeof(line)), strlen(line));
    CHECK_STR(line, "vmcheck: 26.3.1.2 guest CS.L and CS.D both set in IA-32e mode (GUEST_CS_AR_BYTES=0xe09b)");

    build(&s, B64, &caps_store[E_STD]);
    S(&s, VIRTUAL_PROCESSOR_ID, 0);
    REQUIRE(run(&s, E_STD) == 1);
    vmcheck_format(&out[0], line, sizeof(line));
    CHECK_STR(line, "vmcheck: 26.2.1.1 VPID is 0 with enable VPID "
                    "(VIRTUAL_PROCESSOR_ID=0x0, SECONDARY_VM_EXEC_CONTROL=0x1010aa)");

    build(&s, B64, &caps_store[E_STD]);
    S(&s, HOST_CS_SELECTOR, 0x09);
    REQUIRE(run(&s, E_STD) == 1);
    vmcheck_format(&out[0], line, sizeof(line));
    CHECK_STR(line, "vmcheck: 26.2.3 host selector RPL or TI not 0 (HOST_CS_SELECTOR=0x9)");

    build(&s, B64, &caps_store[E_STD]);
    S(&s, GUEST_RFLAGS, 0);
    REQUIRE(run(&s, E_STD) == 1);
    vmcheck_format(&out[0], line, sizeof(line));
    CHECK_STR(line, "vmcheck: 26.3.1.4 guest RFLAGS bit 1 clear (GUEST_RFLAGS=0x0)");

    /* Truncation: snprintf semantics */
    char small[16];
    int need = vmcheck_format(&out[0], small, sizeof(small));
    CHECK_EQ(need, strlen(line));
    CHECK_STR(small, "vmcheck: 26.3.1");
}

TEST(run_counts_beyond_max)
{
    static struct vmcs_snapshot s;
    struct vmcheck_env env = make_env(E_STD);
    struct vmcheck_violation two[2];

    build(&s, B64, &caps_store[E_STD]);
    S(&s, GUEST_RFLAGS, 0x8);              /* reserved bit 3 and bit 1 clear */
    S(&s, HOST_CS_SELECTOR, 0);            /* CS null */
    S(&s, PIN_BASED_VM_EXEC_CONTROL, 0);   /* default1 bits clear */
    size_t n = vmcheck_run(&s, &env, two, 2);
    CHECK_EQ(n, 4);
    /* SDM order: controls first */
    CHECK_STR(two[0].section, "26.2.1.1");
    CHECK_STR(two[1].section, "26.2.3");
    CHECK_EQ(vmcheck_run(&s, &env, NULL, 0), 4);
    CHECK_EQ(vmcheck_section_outcome(two[0].section), VMCHECK_OUTCOME_ERR_CONTROLS);
    CHECK_EQ(vmcheck_section_outcome(two[1].section), VMCHECK_OUTCOME_ERR_HOST);
    CHECK_EQ(vmcheck_section_outcome("26.2.4"), VMCHECK_OUTCOME_ERR_HOST);
    CHECK_EQ(vmcheck_section_outcome("26.3.1.5"), VMCHECK_OUTCOME_EXIT_GUEST);
    CHECK_EQ(vmcheck_section_outcome("27.1"), VMCHECK_OUTCOME_UNKNOWN);
}

TEST(snapshot_api)
{
    static struct vmcs_snapshot s;

    vmcs_snap_clear(&s);
    CHECK(!vmcs_snap_has(&s, GUEST_RIP));
    CHECK_EQ(vmcs_snap_get(&s, GUEST_RIP), 0);
    vmcs_snap_set(&s, GUEST_RIP, 0xffffffff81000000ull);
    CHECK(vmcs_snap_has(&s, GUEST_RIP));
    CHECK_EQ(vmcs_snap_get(&s, GUEST_RIP), 0xffffffff81000000ull);
    /* Truncated to the field width, as VMWRITE does */
    vmcs_snap_set(&s, GUEST_CS_SELECTOR, 0x12345);
    CHECK_EQ(vmcs_snap_get(&s, GUEST_CS_SELECTOR), 0x2345);
    vmcs_snap_set(&s, GUEST_CS_LIMIT, 0x1ffffffffull);
    CHECK_EQ(vmcs_snap_get(&s, GUEST_CS_LIMIT), 0xffffffff);
    /* Unknown encodings (and _HIGH halves) are ignored */
    vmcs_snap_set(&s, 0x7ffe, 1);
    CHECK_EQ(vmcs_snap_get(&s, 0x7ffe), 0);
    vmcs_snap_set(&s, EPT_POINTER + 1, 1);
    CHECK(!vmcs_snap_has(&s, EPT_POINTER));
}

static unsigned reads;
static bool fake_vmread(uint32_t enc, uint64_t *v)
{
    reads++;
    if (vmcs_field_type(enc) == VMCS_TYPE_EXIT_INFO)
        return false;                 /* pretend these fail */
    *v = enc;
    return true;
}

TEST(snapshot_fill)
{
    static struct vmcs_snapshot s;
    unsigned expect = 0;

    for (unsigned i = 0; i < vmcs_field_count; i++)
        expect += vmcs_field_table[i].group != VMCS_TYPE_EXIT_INFO;
    reads = 0;
    CHECK_EQ(vmcs_snap_fill(&s, fake_vmread), expect);
    CHECK_EQ(reads, vmcs_field_count);
    CHECK_EQ(vmcs_snap_get(&s, GUEST_CR0), GUEST_CR0);
    CHECK_EQ(vmcs_snap_get(&s, HOST_RIP), HOST_RIP);
    CHECK(!vmcs_snap_has(&s, VM_EXIT_REASON));
}

/* The refresh reads only what `fresh` names, among the fields the fill found. */
static uint64_t bump;
static bool bumped_vmread(uint32_t enc, uint64_t *v)
{
    reads++;
    if (enc == GUEST_RSP && bump == 2)
        return false;                 /* a field that stops reading is dropped */
    *v = enc + bump;
    return vmcs_field_type(enc) != VMCS_TYPE_EXIT_INFO;
}
static bool fresh_guest(uint32_t enc) { return vmcs_field_type(enc) == VMCS_TYPE_GUEST; }

TEST(snapshot_refresh)
{
    static struct vmcs_snapshot s;
    unsigned guest = 0;

    for (unsigned i = 0; i < vmcs_field_count; i++)
        guest += vmcs_field_table[i].group == VMCS_TYPE_GUEST;
    bump = 0;
    vmcs_snap_fill(&s, bumped_vmread);
    bump = 1;
    reads = 0;
    CHECK_EQ(vmcs_snap_refresh(&s, bumped_vmread, fresh_guest), guest);
    CHECK_EQ(reads, guest);                               /* no control, host or exit-information read */
    CHECK_EQ(vmcs_snap_get(&s, GUEST_CR0), GUEST_CR0 + 1);
    CHECK_EQ(vmcs_snap_get(&s, HOST_RIP), HOST_RIP);      /* kept */
    CHECK_EQ(vmcs_snap_get(&s, EPT_POINTER), EPT_POINTER);
    CHECK(!vmcs_snap_has(&s, VM_EXIT_REASON));            /* absent at the fill: not asked again */
    bump = 2;
    vmcs_snap_refresh(&s, bumped_vmread, fresh_guest);
    CHECK(!vmcs_snap_has(&s, GUEST_RSP));
    CHECK_EQ(vmcs_snap_get(&s, GUEST_RIP), GUEST_RIP + 2);
}

TEST(rule_table)
{
    CHECK(VR_COUNT >= 60);
    for (int i = 0; i < VR_COUNT; i++) {
        const struct vmcheck_rule *r = &vmcheck_rules[i];
        REQUIRE(r->section && r->text && r->id);
        CHECK(strcmp(vmcheck_section_title(r->section), "unknown section") != 0);
        CHECK(vmcheck_section_outcome(r->section) != VMCHECK_OUTCOME_UNKNOWN);
        for (int j = 0; j < i; j++)
            if (strcmp(vmcheck_rules[j].text, r->text) == 0)
                UNIT_FAIL_("rules %s and %s share their text", vmcheck_rules[j].id, r->id);
        struct vmcheck_violation v = { .rule = r->text };
        CHECK_EQ(vmcheck_rule_of(&v), i);
    }
    CHECK_STR(vmcheck_section_title("26.3.1.2"), "Checks on Guest Segment Registers");
    CHECK_STR(vmcheck_section_title("26.2.1.1"), "VM-Execution Control Fields");
    CHECK_STR(vmcheck_section_title("9.9"), "unknown section");
    CHECK_STR(vmcheck_section_title(NULL), "unknown section");
}

/* ---- The boot-time injection cases, on the host ---------------------------- */

TEST(injection_cases)
{
    static struct vmcs_snapshot s;
    static const enum base bases[] = { B64, B32, BREAL };
    unsigned named = 0;

    CHECK(vmcheck_case_count >= 45);
    for (size_t i = 0; i < vmcheck_case_count; i++) {
        const struct vmcheck_case *c = &vmcheck_cases[i];
        bool applied = false, ok = true;

        for (unsigned b = 0; b < ARR(bases); b++) {
            build(&s, bases[b], &caps_store[E_STD]);
            if (!vmcheck_case_applies(c, &s))
                continue;
            vmcheck_case_apply(c, &s);
            size_t n = run(&s, E_STD);
            bool named_here = false, rule_here = false;
            for (size_t j = 0; j < n && j < MAXV; j++) {
                if (strcmp(out[j].section, c->section) == 0 &&
                    (out[j].field == c->expect_field || (out[j].field2 && out[j].field2 == c->expect_field)))
                    named_here = true;
                if (vmcheck_rule_of(&out[j]) == c->rule)
                    rule_here = true;
            }
            /* The CPU reports the first failing class: it must be the expected one. */
            bool class_ok = n > 0 && vmcheck_section_outcome(out[0].section) ==
                                         vmcheck_section_outcome(c->section);
            if (!named_here || !class_ok || (!applied && !rule_here)) {
                UNIT_FAIL_("case \"%s\" on the %s baseline: %s", c->name, base_names[bases[b]],
                           !named_here ? "section/field not named"
                           : !class_ok ? "first violation in another class" : "expected rule missing");
                dump(n);
                ok = false;
            }
            applied = true;
        }
        if (!applied) {
            UNIT_FAIL_("case \"%s\" applies to no baseline", c->name);
            ok = false;
        }
        named += ok;
    }
    printf("    injection cases: %u of %zu named\n", named, vmcheck_case_count);
    CHECK_EQ(named, vmcheck_case_count);
}

/* Last: every rule was broken by at least one test above. */
TEST(every_rule_tested)
{
    unsigned n = 0;
    for (int i = 0; i < VR_COUNT; i++) {
        if (covered[i])
            n++;
        else
            UNIT_FAIL_("no test breaks %s (%s %s)", vmcheck_rules[i].id, vmcheck_rules[i].section,
                       vmcheck_rules[i].text);
    }
    printf("    rules: %d, covered: %u, rule tests passed: %u\n", VR_COUNT, n, rule_tests);
}

UNIT_MAIN(T(baselines_valid), T(valid_variants), T(rules_vm_execution_controls),
          T(rules_vm_exit_and_entry_controls), T(rules_host_state), T(rules_guest_registers_and_msrs),
          T(rules_guest_segments), T(rules_guest_dtr_rip_rflags), T(rules_guest_non_register_state),
          T(format_lines), T(run_counts_beyond_max), T(snapshot_api), T(snapshot_fill), T(snapshot_refresh), T(rule_table),
          T(injection_cases), T(every_rule_tested))
