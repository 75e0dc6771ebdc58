/*
 * VMCS checker: SDM Vol. 3C 26.2 and 26.3.1 as plain C over a snapshot.
 *
 * Each rule is one small block: the condition the SDM states, and the
 * fields a violation names (the main one, and a second one when the rule
 * ties two fields together).  Rules run in SDM order, so the first
 * violation is in the class the CPU reports: VM-instruction error 7
 * (26.2.1), error 8 (26.2.2-26.2.4), or exit reason 33 (26.3).
 *
 * Not covered: checks that need memory the snapshot cannot hold unless
 * env->read_phys64 is given (link-pointer VMCS, PDPTEs without EPT, VTPR),
 * tertiary controls, FRED, IA32_PERF_GLOBAL_CTRL/RTIT/LBR reserved bits
 * (model-specific), and the MSR-load/store area contents (26.4, 27.4).
 */
#include "vmx/check/vmcheck.h"

#include "kernel/lib/format.h"

/* Control bits vmx/core/vmx_caps.h does not name */
#define P2_SUB_PAGE_WRITE     (1u << 23)   /* secondary: sub-page write permissions */
#define EXIT_LOAD_PKRS        (1u << 29)
#define ENTRY_LOAD_PKRS       (1u << 22)

#define CR0_PE    (1ull << 0)
#define CR0_WP    (1ull << 16)
#define CR0_PG    (1ull << 31)
#define CR4_PAE   (1ull << 5)
#define CR4_PCIDE (1ull << 17)
#define CR4_CET   (1ull << 23)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
/* IA32_EFER bits Intel defines: SCE, LME, LMA, NXE */
#define EFER_VALID 0x0d01ull
/* IA32_DEBUGCTL bits defined architecturally: LBR, BTF, 15:6 */
#define DEBUGCTL_VALID 0xffc3ull
#define DEBUGCTL_BTF   (1ull << 1)

#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_VM (1ull << 17)
#define RFLAGS_RESERVED 0xffffffffffc08028ull   /* 63:22, 15, 5, 3 */

#define AR_UNUSABLE (1u << 16)
#define AR_L        (1u << 13)
#define AR_DB       (1u << 14)
#define AR_G        (1u << 15)

#define INTR_VALID  (1u << 31)
#define INTR_EC     (1u << 11)
enum { EV_EXTINT = 0, EV_RESERVED = 1, EV_NMI = 2, EV_HWEXC = 3, EV_SWINT = 4,
       EV_PRIV_SWEXC = 5, EV_SWEXC = 6, EV_OTHER = 7 };
enum { ACT_ACTIVE = 0, ACT_HLT = 1, ACT_SHUTDOWN = 2, ACT_WAIT_SIPI = 3 };
#define INTERRUPTIBILITY_STI     (1u << 0)
#define INTERRUPTIBILITY_MOVSS   (1u << 1)
#define INTERRUPTIBILITY_SMI     (1u << 2)
#define INTERRUPTIBILITY_NMI     (1u << 3)
#define INTERRUPTIBILITY_ENCLAVE (1u << 4)
#define PDE_RESERVED 0xfffffffffffeaff0ull      /* 11:4, 13, 15, 63:17 */
#define PDE_BS       (1ull << 14)
#define PDE_RTM      (1ull << 16)

const struct vmcheck_rule vmcheck_rules[VR_COUNT] = {
#define VMCHECK_RULE_ENTRY_(id, sec, text) [VR_##id] = { sec, text, "VR_" #id },
    VMCHECK_RULES(VMCHECK_RULE_ENTRY_)
#undef VMCHECK_RULE_ENTRY_
};

/* ---- Snapshot ------------------------------------------------------------ */

static int snap_slot(uint32_t enc)
{
    const struct vmcs_field_info *f = vmcs_field_lookup(enc);
    if (!f)
        return -1;
    long i = f - vmcs_field_table;
    return i < VMCS_SNAPSHOT_SLOTS ? (int)i : -1;
}

void vmcs_snap_clear(struct vmcs_snapshot *s)
{
    for (unsigned i = 0; i < VMCS_SNAPSHOT_SLOTS; i++)
        s->value[i] = 0;
    for (unsigned i = 0; i < VMCS_SNAPSHOT_SLOTS / 8; i++)
        s->present[i] = 0;
}

bool vmcs_snap_has(const struct vmcs_snapshot *s, uint32_t enc)
{
    int i = snap_slot(enc);
    return i >= 0 && (s->present[i / 8] >> (i % 8)) & 1;
}

uint64_t vmcs_snap_get(const struct vmcs_snapshot *s, uint32_t enc)
{
    int i = snap_slot(enc);
    return i >= 0 && ((s->present[i / 8] >> (i % 8)) & 1) ? s->value[i] : 0;
}

void vmcs_snap_set(struct vmcs_snapshot *s, uint32_t enc, uint64_t v)
{
    int i = snap_slot(enc);
    if (i < 0)
        return;
    /* VMWRITE keeps the low 16 or 32 bits of 16-bit and 32-bit fields (25.11.2) */
    if (vmcs_field_width(enc) == VMCS_WIDTH_16)
        v &= 0xffff;
    else if (vmcs_field_width(enc) == VMCS_WIDTH_32)
        v &= 0xffffffff;
    s->value[i] = v;
    s->present[i / 8] |= (uint8_t)(1u << (i % 8));
}

unsigned vmcs_snap_fill(struct vmcs_snapshot *s, bool (*read)(uint32_t enc, uint64_t *val))
{
    unsigned n = 0;
    vmcs_snap_clear(s);
    for (unsigned i = 0; i < vmcs_field_count && i < VMCS_SNAPSHOT_SLOTS; i++) {
        uint64_t v;
        if (read(vmcs_field_table[i].encoding, &v)) {
            vmcs_snap_set(s, vmcs_field_table[i].encoding, v);
            n++;
        }
    }
    return n;
}

unsigned vmcs_snap_refresh(struct vmcs_snapshot *s, bool (*read)(uint32_t enc, uint64_t *val),
                           bool (*fresh)(uint32_t enc))
{
    unsigned n = 0;
    for (unsigned i = 0; i < vmcs_field_count && i < VMCS_SNAPSHOT_SLOTS; i++) {
        uint32_t enc = vmcs_field_table[i].encoding;
        if (!vmcs_snap_has(s, enc) || !fresh(enc))
            continue;
        uint64_t v;
        n++;
        if (read(enc, &v)) {
            vmcs_snap_set(s, enc, v);
        } else {
            int k = snap_slot(enc);
            s->present[k / 8] &= (uint8_t)~(1u << (k % 8));
        }
    }
    return n;
}

/* ---- Checker state and helpers ------------------------------------------- */

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

struct ck {
    const struct vmcs_snapshot *s;
    const struct vmcheck_env *env;
    const struct vmx_caps *caps;
    struct vmcheck_violation *out;
    size_t max, n;
    unsigned pa_bits;       /* MAXPHYADDR */
    unsigned ctl_pa_bits;   /* for structures a VMCS pointer references (32 when BASIC[48]) */
    unsigned la_bits;       /* linear-address width for "canonical" */
    uint32_t pin, proc, proc2, exit, entry;
    bool ia32e, ug, ept, host64, v86, inject;
    unsigned ev_type, ev_vector;
    uint64_t cr0, cr4, rflags;
};

static uint64_t get(const struct ck *c, uint32_t f) { return vmcs_snap_get(c->s, f); }

static void fail(struct ck *c, enum vmcheck_rule_id r, uint32_t f, uint32_t f2)
{
    if (c->n < c->max) {
        struct vmcheck_violation *v = &c->out[c->n];
        v->section = vmcheck_rules[r].section;
        v->rule = vmcheck_rules[r].text;
        v->field = f;
        v->value = get(c, f);
        v->field2 = f2;
        v->value2 = f2 ? get(c, f2) : 0;
    }
    c->n++;
}

static bool beyond(uint64_t addr, unsigned bits) { return bits < 64 && (addr >> bits) != 0; }

static bool canonical(const struct ck *c, uint64_t v)
{
    unsigned sh = 64 - c->la_bits;
    return (uint64_t)((int64_t)(v << sh) >> sh) == v;
}

/* A 4-KByte structure referenced by a VMCS pointer: aligned, inside the physical-address width. */
static void page_addr(struct ck *c, uint32_t f, enum vmcheck_rule_id r_align, enum vmcheck_rule_id r_width)
{
    uint64_t a = get(c, f);
    if (a & 0xfff)
        fail(c, r_align, f, 0);
    if (beyond(a, c->ctl_pa_bits))
        fail(c, r_width, f, 0);
}

/* An MSR area of count 16-byte entries (26.2.1.2, 26.2.1.3). */
static void msr_area(struct ck *c, uint32_t count_f, uint32_t addr_f, enum vmcheck_rule_id r_align,
                     enum vmcheck_rule_id r_width)
{
    uint64_t n = get(c, count_f), a = get(c, addr_f);
    if (n == 0)
        return;
    if (a & 0xf)
        fail(c, r_align, addr_f, count_f);
    if (beyond(a, c->ctl_pa_bits) || beyond(a + n * 16 - 1, c->ctl_pa_bits))
        fail(c, r_width, addr_f, count_f);
}

/* IA32_PAT: every byte one of UC(0), WC(1), WT(4), WP(5), WB(6), UC-(7). */
static bool pat_valid(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = (pat >> (8 * i)) & 0xff;
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

static uint32_t seg_sel(unsigned i) { return GUEST_ES_SELECTOR + 2 * i; }
static uint32_t seg_base(unsigned i) { return GUEST_ES_BASE + 2 * i; }
static uint32_t seg_limit(unsigned i) { return GUEST_ES_LIMIT + 2 * i; }
static uint32_t seg_ar(unsigned i) { return GUEST_ES_AR_BYTES + 2 * i; }
static uint32_t ar_of(const struct ck *c, unsigned i) { return (uint32_t)get(c, seg_ar(i)); }
static bool usable(const struct ck *c, unsigned i) { return !(ar_of(c, i) & AR_UNUSABLE); }
static unsigned ar_type(uint32_t ar) { return ar & 0xf; }
static unsigned ar_dpl(uint32_t ar) { return (ar >> 5) & 3; }

/* ---- 26.2.1.1 VM-execution control fields --------------------------------- */

static void check_exec_controls(struct ck *c)
{
    const struct vmx_caps *k = c->caps;
    const uint32_t P = PIN_BASED_VM_EXEC_CONTROL, C = CPU_BASED_VM_EXEC_CONTROL,
                   S = SECONDARY_VM_EXEC_CONTROL;
    uint32_t pin = c->pin, proc = c->proc, proc2 = c->proc2;

    /* Reserved bits: each control class obeys its allowed-0/allowed-1 settings (A.3). */
    if (~pin & vmx_allowed0(k->pin_ctls))
        fail(c, VR_PIN_MUST1, P, 0);
    if (pin & ~vmx_allowed1(k->pin_ctls))
        fail(c, VR_PIN_MUST0, P, 0);
    if (~proc & vmx_allowed0(k->proc_ctls))
        fail(c, VR_PROC_MUST1, C, 0);
    if (proc & ~vmx_allowed1(k->proc_ctls))
        fail(c, VR_PROC_MUST0, C, 0);
    /* The secondary controls count only when "activate secondary controls" is 1. */
    if (proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) {
        if (~proc2 & vmx_allowed0(k->proc2_ctls))
            fail(c, VR_PROC2_MUST1, S, C);
        if (proc2 & ~vmx_allowed1(k->proc2_ctls))
            fail(c, VR_PROC2_MUST0, S, C);
    }

    /* The CR3-target count is at most what IA32_VMX_MISC bits 24:16 report (4 today). */
    if (get(c, CR3_TARGET_COUNT) > k->cr3_target_count)
        fail(c, VR_CR3_TARGETS, CR3_TARGET_COUNT, 0);

    /* "use I/O bitmaps": both bitmap addresses 4-KByte aligned and inside the width. */
    if (proc & CPU_BASED_USE_IO_BITMAPS) {
        page_addr(c, IO_BITMAP_A, VR_IO_A_ALIGN, VR_IO_A_WIDTH);
        page_addr(c, IO_BITMAP_B, VR_IO_B_ALIGN, VR_IO_B_WIDTH);
    }

    /* "use MSR bitmaps": the same for the MSR bitmap. */
    if (proc & CPU_BASED_USE_MSR_BITMAPS)
        page_addr(c, MSR_BITMAP, VR_MSR_BITMAP_ALIGN, VR_MSR_BITMAP_WIDTH);

    if (proc & CPU_BASED_TPR_SHADOW) {
        /* "use TPR shadow": the virtual-APIC page is a valid 4-KByte page. */
        page_addr(c, VIRTUAL_APIC_PAGE_ADDR, VR_VAPIC_ALIGN, VR_VAPIC_WIDTH);
        /* Without virtual-interrupt delivery the TPR threshold is a 4-bit value... */
        uint64_t thr = get(c, TPR_THRESHOLD);
        if (!(proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) && (thr & ~0xfull))
            fail(c, VR_TPR_THRESHOLD_RSVD, TPR_THRESHOLD, 0);
        /* ...not above VTPR[7:4] (byte 80H of the virtual-APIC page) unless APIC
         * accesses are virtualized too; needs memory. */
        uint64_t vapic = get(c, VIRTUAL_APIC_PAGE_ADDR), w;
        if (!(proc2 & (SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY | SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES)) &&
            !(thr & ~0xfull) && !(vapic & 0xfff) && c->env->read_phys64 &&
            c->env->read_phys64(vapic + 0x80, &w) && (thr & 0xf) > ((w >> 4) & 0xf))
            fail(c, VR_TPR_THRESHOLD_VTPR, TPR_THRESHOLD, VIRTUAL_APIC_PAGE_ADDR);
    } else {
        /* Without "use TPR shadow": no x2APIC virtualization, APIC-register
         * virtualization or virtual-interrupt delivery. */
        if (proc2 & SECONDARY_EXEC_VIRTUALIZE_X2APIC)
            fail(c, VR_X2APIC_NO_TPR, S, C);
        if (proc2 & SECONDARY_EXEC_APIC_REGISTER_VIRT)
            fail(c, VR_APICREG_NO_TPR, S, C);
        if (proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)
            fail(c, VR_VID_NO_TPR, S, C);
    }

    /* "virtualize x2APIC mode" excludes "virtualize APIC accesses". */
    if ((proc2 & SECONDARY_EXEC_VIRTUALIZE_X2APIC) && (proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES))
        fail(c, VR_X2APIC_AND_APIC_ACCESS, S, 0);

    /* "virtual-interrupt delivery" needs "external-interrupt exiting". */
    if ((proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) && !(pin & PIN_BASED_EXT_INTR_MASK))
        fail(c, VR_VID_NO_EXTINT, S, P);

    if (pin & PIN_BASED_POSTED_INTR) {
        /* "process posted interrupts" needs virtual-interrupt delivery, ... */
        if (!(proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY))
            fail(c, VR_PI_NO_VID, P, S);
        /* ... "acknowledge interrupt on exit", ... */
        if (!(c->exit & VM_EXIT_ACK_INTR_ON_EXIT))
            fail(c, VR_PI_NO_ACK, P, VM_EXIT_CONTROLS);
        /* ... an 8-bit notification vector, ... */
        if (get(c, POSTED_INTR_NV) & 0xff00)
            fail(c, VR_PI_VECTOR, POSTED_INTR_NV, 0);
        /* ... and a 64-byte aligned descriptor inside the width. */
        uint64_t d = get(c, POSTED_INTR_DESC_ADDR);
        if (d & 0x3f)
            fail(c, VR_PI_DESC_ALIGN, POSTED_INTR_DESC_ADDR, 0);
        if (beyond(d, c->ctl_pa_bits))
            fail(c, VR_PI_DESC_WIDTH, POSTED_INTR_DESC_ADDR, 0);
    }

    /* "virtual NMIs" needs "NMI exiting". */
    if ((pin & PIN_BASED_VIRTUAL_NMIS) && !(pin & PIN_BASED_NMI_EXITING))
        fail(c, VR_VNMI_NO_NMI_EXIT, P, 0);

    /* "NMI-window exiting" needs "virtual NMIs". */
    if ((proc & CPU_BASED_NMI_WINDOW_EXITING) && !(pin & PIN_BASED_VIRTUAL_NMIS))
        fail(c, VR_NMIWIN_NO_VNMI, C, P);

    /* "virtualize APIC accesses": the APIC-access page is a valid 4-KByte page. */
    if (proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES)
        page_addr(c, APIC_ACCESS_ADDR, VR_APIC_ACCESS_ALIGN, VR_APIC_ACCESS_WIDTH);

    /* "enable VPID": VPID 0 belongs to VMX root operation. */
    if ((proc2 & SECONDARY_EXEC_ENABLE_VPID) && get(c, VIRTUAL_PROCESSOR_ID) == 0)
        fail(c, VR_VPID_ZERO, VIRTUAL_PROCESSOR_ID, S);

    if (c->ept) {
        uint64_t eptp = get(c, EPT_POINTER);
        unsigned mt = eptp & 7, walk = (eptp >> 3) & 7;
        /* EPTP bits 2:0: a memory type IA32_VMX_EPT_VPID_CAP allows (UC bit 8, WB bit 14). */
        if (!((mt == 0 && k->ept_uc) || (mt == 6 && k->ept_wb)))
            fail(c, VR_EPTP_MEMTYPE, EPT_POINTER, 0);
        /* Bits 5:3 are the page-walk length minus 1: 3, or 4 with 5-level EPT. */
        if (!((walk == 3 && k->ept_walk_4) || (walk == 4 && (k->ept_vpid & VMX_EPT_PAGE_WALK_5))))
            fail(c, VR_EPTP_WALK, EPT_POINTER, 0);
        /* Bit 6 (accessed/dirty flags) only if IA32_VMX_EPT_VPID_CAP bit 21. */
        if ((eptp & (1u << 6)) && !k->ept_ad)
            fail(c, VR_EPTP_AD, EPT_POINTER, 0);
        /* Bits 11:7 reserved (bit 7, supervisor shadow-stack control, needs CET). */
        if (eptp & (c->env->cet_supported ? 0xf00u : 0xf80u))
            fail(c, VR_EPTP_RSVD, EPT_POINTER, 0);
        /* Bits 63:MAXPHYADDR reserved. */
        if (beyond(eptp, c->pa_bits))
            fail(c, VR_EPTP_WIDTH, EPT_POINTER, 0);
    }

    /* "unrestricted guest" needs "enable EPT". */
    if (c->ug && !c->ept)
        fail(c, VR_UG_NO_EPT, S, 0);

    /* "mode-based execute control for EPT" needs "enable EPT". */
    if ((proc2 & SECONDARY_EXEC_MODE_BASED_EPT_EXEC) && !c->ept)
        fail(c, VR_MBEC_NO_EPT, S, 0);

    /* "sub-page write permissions for EPT" needs "enable EPT". */
    if ((proc2 & P2_SUB_PAGE_WRITE) && !c->ept)
        fail(c, VR_SPP_NO_EPT, S, 0);

    /* "enable PML" needs "enable EPT" and a valid PML page. */
    if (proc2 & SECONDARY_EXEC_ENABLE_PML) {
        if (!c->ept)
            fail(c, VR_PML_NO_EPT, S, 0);
        page_addr(c, PML_ADDRESS, VR_PML_ALIGN, VR_PML_WIDTH);
    }

    /* "EPT-violation #VE": a valid virtualization-exception information page. */
    if (proc2 & SECONDARY_EXEC_EPT_VIOLATION_VE)
        page_addr(c, VE_INFORMATION_ADDRESS, VR_VE_ALIGN, VR_VE_WIDTH);

    if (proc2 & SECONDARY_EXEC_ENABLE_VMFUNC) {
        uint64_t f = get(c, VM_FUNCTION_CONTROL);
        /* "enable VM functions": only VM functions IA32_VMX_VMFUNC offers. */
        if (f & ~k->vmfunc)
            fail(c, VR_VMFUNC_RSVD, VM_FUNCTION_CONTROL, 0);
        /* EPTP switching (VM function 0) needs EPT and a valid EPTP list. */
        if (f & 1) {
            if (!c->ept)
                fail(c, VR_EPTP_SWITCH_NO_EPT, VM_FUNCTION_CONTROL, S);
            page_addr(c, EPTP_LIST_ADDRESS, VR_EPTP_LIST_ALIGN, VR_EPTP_LIST_WIDTH);
        }
    }

    /* "VMCS shadowing": valid VMREAD and VMWRITE bitmaps. */
    if (proc2 & SECONDARY_EXEC_SHADOW_VMCS) {
        page_addr(c, VMREAD_BITMAP, VR_VMREAD_BITMAP_ALIGN, VR_VMREAD_BITMAP_WIDTH);
        page_addr(c, VMWRITE_BITMAP, VR_VMWRITE_BITMAP_ALIGN, VR_VMWRITE_BITMAP_WIDTH);
    }
}

/* ---- 26.2.1.2 VM-exit control fields ---------------------------------------- */

static void check_exit_controls(struct ck *c)
{
    const uint32_t X = VM_EXIT_CONTROLS;

    /* Reserved bits per the allowed-0/allowed-1 settings (A.4). */
    if (~c->exit & vmx_allowed0(c->caps->exit_ctls))
        fail(c, VR_EXIT_MUST1, X, 0);
    if (c->exit & ~vmx_allowed1(c->caps->exit_ctls))
        fail(c, VR_EXIT_MUST0, X, 0);

    /* "save VMX-preemption timer value" needs "activate VMX-preemption timer". */
    if ((c->exit & VM_EXIT_SAVE_VMX_PREEMPTION_TIMER) && !(c->pin & PIN_BASED_VMX_PREEMPTION_TIMER))
        fail(c, VR_SAVE_TIMER_NO_TIMER, X, PIN_BASED_VM_EXEC_CONTROL);

    /* MSR-store and MSR-load areas: 16-byte aligned, last byte inside the width. */
    msr_area(c, VM_EXIT_MSR_STORE_COUNT, VM_EXIT_MSR_STORE_ADDR, VR_EXIT_MSR_STORE_ALIGN,
             VR_EXIT_MSR_STORE_WIDTH);
    msr_area(c, VM_EXIT_MSR_LOAD_COUNT, VM_EXIT_MSR_LOAD_ADDR, VR_EXIT_MSR_LOAD_ALIGN,
             VR_EXIT_MSR_LOAD_WIDTH);
}

/* ---- 26.2.1.3 VM-entry control fields --------------------------------------- */

static bool pushes_error_code(unsigned vector)
{
    /* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP */
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

static void check_entry_controls(struct ck *c)
{
    const struct vmx_caps *k = c->caps;
    const uint32_t E = VM_ENTRY_CONTROLS, I = VM_ENTRY_INTR_INFO_FIELD;

    /* Reserved bits per the allowed-0/allowed-1 settings (A.5). */
    if (~c->entry & vmx_allowed0(k->entry_ctls))
        fail(c, VR_ENTRY_MUST1, E, 0);
    if (c->entry & ~vmx_allowed1(k->entry_ctls))
        fail(c, VR_ENTRY_MUST0, E, 0);

    if (c->inject) {
        uint32_t info = (uint32_t)get(c, I);
        unsigned t = c->ev_type, v = c->ev_vector;
        bool ec = info & INTR_EC;

        /* Interruption type 1 is reserved. */
        if (t == EV_RESERVED)
            fail(c, VR_INTR_TYPE_RSVD, I, 0);
        /* Type 7 (other event) only with "monitor trap flag" support ... */
        if (t == EV_OTHER && !(vmx_allowed1(k->proc_ctls) & CPU_BASED_MONITOR_TRAP_FLAG))
            fail(c, VR_INTR_OTHER_UNSUPPORTED, I, 0);
        /* ... and then vector 0 (pending MTF VM exit). */
        if (t == EV_OTHER && v != 0)
            fail(c, VR_INTR_OTHER_VECTOR, I, 0);
        /* An NMI has vector 2. */
        if (t == EV_NMI && v != 2)
            fail(c, VR_INTR_NMI_VECTOR, I, 0);
        /* A hardware exception has a vector 0-31. */
        if (t == EV_HWEXC && v > 31)
            fail(c, VR_INTR_HWEXC_VECTOR, I, 0);
        /* Bits 30:12 are reserved. */
        if (info & 0x7ffff000)
            fail(c, VR_INTR_RSVD, I, 0);

        /* Deliver-error-code: set exactly for hardware exceptions that push one
         * (8, 10-14, 17, 21) in protected mode (CR0.PE, or unrestricted guest off);
         * IA32_VMX_BASIC[56] lifts the vector restriction. */
        bool pm = !c->ug || (c->cr0 & CR0_PE);
        bool any_vector = k->basic & VMX_BASIC_NO_HW_ERRCODE;
        if (!ec && t == EV_HWEXC && pm && !any_vector && pushes_error_code(v))
            fail(c, VR_INTR_EC_MISSING, I, 0);
        if (ec && (t != EV_HWEXC || !pm || (!any_vector && !pushes_error_code(v))))
            fail(c, VR_INTR_EC_EXTRA, I, pm ? 0 : GUEST_CR0);

        /* With deliver-error-code, error-code bits 31:16 are 0. */
        if (ec && (get(c, VM_ENTRY_EXCEPTION_ERROR_CODE) & 0xffff0000))
            fail(c, VR_INTR_EC_RSVD, VM_ENTRY_EXCEPTION_ERROR_CODE, I);

        /* Software interrupts and exceptions: instruction length 1-15 (0 allowed
         * when IA32_VMX_MISC bit 30 says so). */
        if (t == EV_SWINT || t == EV_PRIV_SWEXC || t == EV_SWEXC) {
            uint64_t len = get(c, VM_ENTRY_INSTRUCTION_LEN);
            if (len > 15 || (len == 0 && !(k->misc & (1ull << 30))))
                fail(c, VR_INTR_INSN_LEN, VM_ENTRY_INSTRUCTION_LEN, I);
        }
    }

    /* VM-entry MSR-load area: 16-byte aligned, last byte inside the width. */
    msr_area(c, VM_ENTRY_MSR_LOAD_COUNT, VM_ENTRY_MSR_LOAD_ADDR, VR_ENTRY_MSR_LOAD_ALIGN,
             VR_ENTRY_MSR_LOAD_WIDTH);

    /* "entry to SMM" and "deactivate dual-monitor treatment" only from SMM. */
    if ((c->entry & VM_ENTRY_SMM) && !c->env->in_smm)
        fail(c, VR_ENTRY_SMM, E, 0);
    if ((c->entry & VM_ENTRY_DEACT_DUAL_MONITOR) && !c->env->in_smm)
        fail(c, VR_ENTRY_DEACT_DUAL, E, 0);
}

/* ---- 26.2.2 host control registers, MSRs and SSP ----------------------------- */

static void check_host_cr_msr(struct ck *c)
{
    const struct vmx_caps *k = c->caps;
    uint64_t cr0 = get(c, HOST_CR0), cr4 = get(c, HOST_CR4);

    /* CR0 and CR4 hold only values allowed in VMX operation (A.7, A.8). */
    if (~cr0 & k->cr0_fixed0)
        fail(c, VR_HOST_CR0_FIXED0, HOST_CR0, 0);
    if (cr0 & ~k->cr0_fixed1)
        fail(c, VR_HOST_CR0_FIXED1, HOST_CR0, 0);
    if (~cr4 & k->cr4_fixed0)
        fail(c, VR_HOST_CR4_FIXED0, HOST_CR4, 0);
    if (cr4 & ~k->cr4_fixed1)
        fail(c, VR_HOST_CR4_FIXED1, HOST_CR4, 0);

    /* CR3 sets no bit beyond the physical-address width. */
    if (beyond(get(c, HOST_CR3), c->pa_bits))
        fail(c, VR_HOST_CR3_WIDTH, HOST_CR3, 0);

    /* CR4.CET needs CR0.WP. */
    if ((cr4 & CR4_CET) && !(cr0 & CR0_WP))
        fail(c, VR_HOST_CET_WP, HOST_CR4, HOST_CR0);

    /* IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical. */
    if (!canonical(c, get(c, HOST_IA32_SYSENTER_ESP)))
        fail(c, VR_HOST_SYSENTER_ESP, HOST_IA32_SYSENTER_ESP, 0);
    if (!canonical(c, get(c, HOST_IA32_SYSENTER_EIP)))
        fail(c, VR_HOST_SYSENTER_EIP, HOST_IA32_SYSENTER_EIP, 0);

    if (c->exit & VM_EXIT_LOAD_CET_STATE) {
        /* "load CET state": IA32_S_CET bits 9:6 reserved, SSP table address canonical. */
        if (get(c, HOST_S_CET) & 0x3c0)
            fail(c, VR_HOST_S_CET_RSVD, HOST_S_CET, 0);
        if (!canonical(c, get(c, HOST_INTR_SSP_TABLE)))
            fail(c, VR_HOST_SSP_TABLE, HOST_INTR_SSP_TABLE, 0);
    }

    /* "load IA32_PAT": every PAT entry a valid memory type. */
    if ((c->exit & VM_EXIT_LOAD_IA32_PAT) && !pat_valid(get(c, HOST_IA32_PAT)))
        fail(c, VR_HOST_PAT, HOST_IA32_PAT, 0);

    if (c->exit & VM_EXIT_LOAD_IA32_EFER) {
        uint64_t efer = get(c, HOST_IA32_EFER);
        /* "load IA32_EFER": reserved bits 0, ... */
        if (efer & ~EFER_VALID)
            fail(c, VR_HOST_EFER_RSVD, HOST_IA32_EFER, 0);
        /* ... LMA and LME equal to "host address-space size". */
        if (!!(efer & EFER_LMA) != c->host64)
            fail(c, VR_HOST_EFER_LMA, HOST_IA32_EFER, VM_EXIT_CONTROLS);
        if (!!(efer & EFER_LME) != c->host64)
            fail(c, VR_HOST_EFER_LME, HOST_IA32_EFER, VM_EXIT_CONTROLS);
    }

    /* "load PKRS": IA32_PKRS bits 63:32 are 0. */
    if ((c->exit & EXIT_LOAD_PKRS) && (get(c, HOST_IA32_PKRS) >> 32))
        fail(c, VR_HOST_PKRS, HOST_IA32_PKRS, 0);
}

/* ---- 26.2.3 host segment and descriptor-table registers ---------------------- */

static void check_host_segments(struct ck *c)
{
    static const uint32_t sels[] = { HOST_ES_SELECTOR, HOST_CS_SELECTOR, HOST_SS_SELECTOR,
                                     HOST_DS_SELECTOR, HOST_FS_SELECTOR, HOST_GS_SELECTOR,
                                     HOST_TR_SELECTOR };

    /* Every selector has RPL = 0 and TI = 0. */
    for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++)
        if (get(c, sels[i]) & 7)
            fail(c, VR_HOST_SEL_RPL_TI, sels[i], 0);

    /* CS and TR are never null. */
    if (get(c, HOST_CS_SELECTOR) == 0)
        fail(c, VR_HOST_CS_ZERO, HOST_CS_SELECTOR, 0);
    if (get(c, HOST_TR_SELECTOR) == 0)
        fail(c, VR_HOST_TR_ZERO, HOST_TR_SELECTOR, 0);

    /* SS is null only for a 64-bit host. */
    if (!c->host64 && get(c, HOST_SS_SELECTOR) == 0)
        fail(c, VR_HOST_SS_ZERO, HOST_SS_SELECTOR, VM_EXIT_CONTROLS);

    /* FS, GS, GDTR, IDTR and TR bases are canonical. */
    if (!canonical(c, get(c, HOST_FS_BASE)))
        fail(c, VR_HOST_FS_BASE, HOST_FS_BASE, 0);
    if (!canonical(c, get(c, HOST_GS_BASE)))
        fail(c, VR_HOST_GS_BASE, HOST_GS_BASE, 0);
    if (!canonical(c, get(c, HOST_GDTR_BASE)))
        fail(c, VR_HOST_GDTR_BASE, HOST_GDTR_BASE, 0);
    if (!canonical(c, get(c, HOST_IDTR_BASE)))
        fail(c, VR_HOST_IDTR_BASE, HOST_IDTR_BASE, 0);
    if (!canonical(c, get(c, HOST_TR_BASE)))
        fail(c, VR_HOST_TR_BASE, HOST_TR_BASE, 0);
}

/* ---- 26.2.4 address-space size ---------------------------------------------- */

static void check_address_space(struct ck *c)
{
    uint64_t cr4 = get(c, HOST_CR4), rip = get(c, HOST_RIP);

    if (c->env->host_outside_ia32e) {
        /* Entered from outside IA-32e mode: neither a 64-bit guest nor a 64-bit host. */
        if (c->ia32e)
            fail(c, VR_ADDR_LEGACY_GUEST, VM_ENTRY_CONTROLS, 0);
        if (c->host64)
            fail(c, VR_ADDR_LEGACY_HOST, VM_EXIT_CONTROLS, 0);
    } else if (!c->host64) {
        /* Entered from IA-32e mode: "host address-space size" must be 1. */
        fail(c, VR_ADDR_HOST_SIZE_0, VM_EXIT_CONTROLS, 0);
    }

    if (!c->host64) {
        /* 32-bit host: no IA-32e mode guest, no CR4.PCIDE, RIP below 4 GBytes. */
        if (c->ia32e)
            fail(c, VR_ADDR_GUEST_HOST32, VM_ENTRY_CONTROLS, VM_EXIT_CONTROLS);
        if (cr4 & CR4_PCIDE)
            fail(c, VR_ADDR_HOST_PCIDE, HOST_CR4, VM_EXIT_CONTROLS);
        if (rip >> 32)
            fail(c, VR_ADDR_HOST_RIP_HIGH, HOST_RIP, VM_EXIT_CONTROLS);
    } else {
        /* 64-bit host: CR4.PAE set, RIP canonical. */
        if (!(cr4 & CR4_PAE))
            fail(c, VR_ADDR_HOST_PAE, HOST_CR4, 0);
        if (!canonical(c, rip))
            fail(c, VR_ADDR_HOST_RIP_CANON, HOST_RIP, 0);
    }
}

/* ---- 26.3.1.1 guest control registers, debug registers and MSRs -------------- */

static void check_guest_cr_msr(struct ck *c)
{
    const struct vmx_caps *k = c->caps;
    const uint32_t E = VM_ENTRY_CONTROLS;
    uint64_t cr0 = c->cr0, cr4 = c->cr4;

    /* CR0: fixed bits, except PE and PG with "unrestricted guest" (A.7). */
    uint64_t fixed0 = k->cr0_fixed0 & ~(c->ug ? CR0_PE | CR0_PG : 0);
    if (~cr0 & fixed0)
        fail(c, VR_G_CR0_FIXED0, GUEST_CR0, 0);
    if (cr0 & ~k->cr0_fixed1)
        fail(c, VR_G_CR0_FIXED1, GUEST_CR0, 0);

    /* CR0.PG needs CR0.PE. */
    if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
        fail(c, VR_G_CR0_PG_NO_PE, GUEST_CR0, 0);

    /* CR4: fixed bits (A.8). */
    if (~cr4 & k->cr4_fixed0)
        fail(c, VR_G_CR4_FIXED0, GUEST_CR4, 0);
    if (cr4 & ~k->cr4_fixed1)
        fail(c, VR_G_CR4_FIXED1, GUEST_CR4, 0);

    /* CR4.CET needs CR0.WP. */
    if ((cr4 & CR4_CET) && !(cr0 & CR0_WP))
        fail(c, VR_G_CET_WP, GUEST_CR4, GUEST_CR0);

    if (c->entry & VM_ENTRY_LOAD_DEBUG_CONTROLS) {
        /* "load debug controls": IA32_DEBUGCTL reserved bits 0, DR7 bits 63:32 0. */
        if (get(c, GUEST_IA32_DEBUGCTL) & ~DEBUGCTL_VALID)
            fail(c, VR_G_DEBUGCTL_RSVD, GUEST_IA32_DEBUGCTL, 0);
        if (get(c, GUEST_DR7) >> 32)
            fail(c, VR_G_DR7_HIGH, GUEST_DR7, 0);
    }

    if (c->ia32e) {
        /* IA-32e mode guest: paging with PAE. */
        if (!(cr0 & CR0_PG))
            fail(c, VR_G_IA32E_NO_PG, GUEST_CR0, E);
        if (!(cr4 & CR4_PAE))
            fail(c, VR_G_IA32E_NO_PAE, GUEST_CR4, E);
    } else if (cr4 & CR4_PCIDE) {
        /* Outside IA-32e mode: no PCIDs. */
        fail(c, VR_G_PCIDE_LEGACY, GUEST_CR4, E);
    }

    /* CR3 sets no bit beyond the physical-address width. */
    if (beyond(get(c, GUEST_CR3), c->pa_bits))
        fail(c, VR_G_CR3_WIDTH, GUEST_CR3, 0);

    /* IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical. */
    if (!canonical(c, get(c, GUEST_SYSENTER_ESP)))
        fail(c, VR_G_SYSENTER_ESP, GUEST_SYSENTER_ESP, 0);
    if (!canonical(c, get(c, GUEST_SYSENTER_EIP)))
        fail(c, VR_G_SYSENTER_EIP, GUEST_SYSENTER_EIP, 0);

    /* "load IA32_PAT": every PAT entry a valid memory type. */
    if ((c->entry & VM_ENTRY_LOAD_IA32_PAT) && !pat_valid(get(c, GUEST_IA32_PAT)))
        fail(c, VR_G_PAT, GUEST_IA32_PAT, 0);

    if (c->entry & VM_ENTRY_LOAD_IA32_EFER) {
        uint64_t efer = get(c, GUEST_IA32_EFER);
        /* "load IA32_EFER": reserved bits 0, ... */
        if (efer & ~EFER_VALID)
            fail(c, VR_G_EFER_RSVD, GUEST_IA32_EFER, 0);
        /* ... LMA equal to "IA-32e mode guest", ... */
        if (!!(efer & EFER_LMA) != c->ia32e)
            fail(c, VR_G_EFER_LMA, GUEST_IA32_EFER, E);
        /* ... and, with CR0.PG, LME too. */
        if ((cr0 & CR0_PG) && !!(efer & EFER_LME) != c->ia32e)
            fail(c, VR_G_EFER_LME, GUEST_IA32_EFER, E);
    }

    if (c->entry & VM_ENTRY_LOAD_BNDCFGS) {
        uint64_t b = get(c, GUEST_BNDCFGS);
        /* "load IA32_BNDCFGS": bits 11:2 reserved, base (63:12) canonical. */
        if (b & 0xffc)
            fail(c, VR_G_BNDCFGS_RSVD, GUEST_BNDCFGS, 0);
        if (!canonical(c, b & ~0xfffull))
            fail(c, VR_G_BNDCFGS_CANON, GUEST_BNDCFGS, 0);
    }

    if (c->entry & VM_ENTRY_LOAD_CET_STATE) {
        /* "load CET state": IA32_S_CET bits 9:6 reserved, SSP table address canonical. */
        if (get(c, GUEST_S_CET) & 0x3c0)
            fail(c, VR_G_S_CET_RSVD, GUEST_S_CET, 0);
        if (!canonical(c, get(c, GUEST_INTR_SSP_TABLE)))
            fail(c, VR_G_SSP_TABLE, GUEST_INTR_SSP_TABLE, 0);
    }

    /* "load PKRS": IA32_PKRS bits 63:32 are 0. */
    if ((c->entry & ENTRY_LOAD_PKRS) && (get(c, GUEST_IA32_PKRS) >> 32))
        fail(c, VR_G_PKRS, GUEST_IA32_PKRS, 0);
}

/* ---- 26.3.1.2 guest segment registers ---------------------------------------- */

/* S, P, reserved bits and G/limit consistency, for CS, usable ES-GS, usable LDTR, TR. */
static void seg_common(struct ck *c, unsigned i, bool system)
{
    uint32_t ar = ar_of(c, i), limit = (uint32_t)get(c, seg_limit(i));
    bool s = ar & (1u << 4);

    /* S: 1 for code/data segments, 0 for LDTR and TR. */
    if (!system && !s)
        fail(c, (enum vmcheck_rule_id)(VR_SEG_S_ES + i), seg_ar(i), 0);
    if (system && s)
        fail(c, i == SEG_TR ? VR_SEG_S_TR : VR_SEG_S_LDTR, seg_ar(i), 0);
    /* P must be 1. */
    if (!(ar & (1u << 7)))
        fail(c, (enum vmcheck_rule_id)(VR_SEG_P_ES + i), seg_ar(i), 0);
    /* Access-rights bits 11:8 and 31:17 are reserved. */
    if (ar & 0xf00)
        fail(c, (enum vmcheck_rule_id)(VR_SEG_RSVD_LO_ES + i), seg_ar(i), 0);
    if (ar & 0xfffe0000)
        fail(c, (enum vmcheck_rule_id)(VR_SEG_RSVD_HI_ES + i), seg_ar(i), 0);
    /* G: 0 if any of limit bits 11:0 is 0; 1 if any of limit bits 31:20 is 1. */
    if ((ar & AR_G) && (limit & 0xfff) != 0xfff)
        fail(c, (enum vmcheck_rule_id)(VR_SEG_G_SET_ES + i), seg_ar(i), seg_limit(i));
    if (!(ar & AR_G) && (limit & 0xfff00000))
        fail(c, (enum vmcheck_rule_id)(VR_SEG_G_CLEAR_ES + i), seg_ar(i), seg_limit(i));
}

static void check_guest_segments(struct ck *c)
{
    uint32_t cs = ar_of(c, SEG_CS), ss = ar_of(c, SEG_SS);
    unsigned cs_type = ar_type(cs);

    /* -- Selectors -- */
    /* TR: TI flag 0. */
    if (get(c, GUEST_TR_SELECTOR) & 4)
        fail(c, VR_G_TR_TI, GUEST_TR_SELECTOR, 0);
    /* LDTR, if usable: TI flag 0. */
    if (usable(c, SEG_LDTR) && (get(c, GUEST_LDTR_SELECTOR) & 4))
        fail(c, VR_G_LDTR_TI, GUEST_LDTR_SELECTOR, 0);
    /* SS.RPL = CS.RPL, unless virtual-8086 or unrestricted guest. */
    if (!c->v86 && !c->ug && (get(c, GUEST_SS_SELECTOR) & 3) != (get(c, GUEST_CS_SELECTOR) & 3))
        fail(c, VR_G_SS_RPL, GUEST_SS_SELECTOR, GUEST_CS_SELECTOR);

    /* -- Bases -- */
    /* Virtual-8086: base = selector << 4 for CS, SS, DS, ES, FS, GS. */
    if (c->v86)
        for (unsigned i = SEG_ES; i <= SEG_GS; i++)
            if (get(c, seg_base(i)) != get(c, seg_sel(i)) << 4)
                fail(c, (enum vmcheck_rule_id)(VR_V86_BASE_ES + i), seg_base(i), seg_sel(i));
    /* TR, FS, GS: canonical. */
    if (!canonical(c, get(c, GUEST_TR_BASE)))
        fail(c, VR_G_TR_BASE, GUEST_TR_BASE, 0);
    if (!canonical(c, get(c, GUEST_FS_BASE)))
        fail(c, VR_G_FS_BASE, GUEST_FS_BASE, 0);
    if (!canonical(c, get(c, GUEST_GS_BASE)))
        fail(c, VR_G_GS_BASE, GUEST_GS_BASE, 0);
    /* LDTR, if usable: canonical. */
    if (usable(c, SEG_LDTR) && !canonical(c, get(c, GUEST_LDTR_BASE)))
        fail(c, VR_G_LDTR_BASE, GUEST_LDTR_BASE, 0);
    /* CS: bits 63:32 zero. */
    if (get(c, GUEST_CS_BASE) >> 32)
        fail(c, VR_G_CS_BASE_HIGH, GUEST_CS_BASE, 0);
    /* SS, DS, ES, if usable: bits 63:32 zero. */
    if (usable(c, SEG_SS) && (get(c, GUEST_SS_BASE) >> 32))
        fail(c, VR_G_SS_BASE_HIGH, GUEST_SS_BASE, 0);
    if (usable(c, SEG_DS) && (get(c, GUEST_DS_BASE) >> 32))
        fail(c, VR_G_DS_BASE_HIGH, GUEST_DS_BASE, 0);
    if (usable(c, SEG_ES) && (get(c, GUEST_ES_BASE) >> 32))
        fail(c, VR_G_ES_BASE_HIGH, GUEST_ES_BASE, 0);

    /* -- Limits and access rights in virtual-8086 mode -- */
    if (c->v86) {
        for (unsigned i = SEG_ES; i <= SEG_GS; i++) {
            /* Limit 0xffff. */
            if (get(c, seg_limit(i)) != 0xffff)
                fail(c, (enum vmcheck_rule_id)(VR_V86_LIMIT_ES + i), seg_limit(i), 0);
            /* Access rights 0xf3: present, DPL 3, read/write accessed data. */
            if (get(c, seg_ar(i)) != 0xf3)
                fail(c, (enum vmcheck_rule_id)(VR_V86_AR_ES + i), seg_ar(i), 0);
        }
    } else {
        /* CS type: accessed code (9, 11, 13, 15), or read/write accessed data (3)
         * with "unrestricted guest". */
        if (!(cs_type == 9 || cs_type == 11 || cs_type == 13 || cs_type == 15 ||
              (cs_type == 3 && c->ug)))
            fail(c, VR_CS_TYPE, GUEST_CS_AR_BYTES, 0);
        /* CS.DPL: 0 for type 3; = SS.DPL for non-conforming; <= SS.DPL for conforming. */
        if (cs_type == 3 && c->ug && ar_dpl(cs) != 0)
            fail(c, VR_CS_DPL_DATA, GUEST_CS_AR_BYTES, 0);
        if ((cs_type == 9 || cs_type == 11) && ar_dpl(cs) != ar_dpl(ss))
            fail(c, VR_CS_DPL_NONCONF, GUEST_CS_AR_BYTES, GUEST_SS_AR_BYTES);
        if ((cs_type == 13 || cs_type == 15) && ar_dpl(cs) > ar_dpl(ss))
            fail(c, VR_CS_DPL_CONF, GUEST_CS_AR_BYTES, GUEST_SS_AR_BYTES);
        /* CS: S, P, reserved bits, G (CS is always checked). */
        seg_common(c, SEG_CS, false);
        /* CS.D/B is 0 when CS.L is 1 in IA-32e mode. */
        if (c->ia32e && (cs & AR_L) && (cs & AR_DB))
            fail(c, VR_CS_LD, GUEST_CS_AR_BYTES, 0);

        /* SS, if usable: type 3 or 7 (read/write data, accessed), S, P, reserved, G. */
        if (usable(c, SEG_SS)) {
            if (ar_type(ss) != 3 && ar_type(ss) != 7)
                fail(c, VR_SS_TYPE, GUEST_SS_AR_BYTES, 0);
            seg_common(c, SEG_SS, false);
        }
        /* SS.DPL = SS.RPL without "unrestricted guest" ... */
        if (!c->ug && ar_dpl(ss) != (get(c, GUEST_SS_SELECTOR) & 3))
            fail(c, VR_SS_DPL_RPL, GUEST_SS_AR_BYTES, GUEST_SS_SELECTOR);
        /* ... and 0 when CS is type 3 or CR0.PE is 0 (CPL 0). */
        if ((cs_type == 3 || !(c->cr0 & CR0_PE)) && ar_dpl(ss) != 0)
            fail(c, VR_SS_DPL_REAL, GUEST_SS_AR_BYTES, cs_type == 3 ? GUEST_CS_AR_BYTES : GUEST_CR0);

        /* DS, ES, FS, GS, if usable. */
        static const unsigned data[4] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
        for (unsigned k = 0; k < 4; k++) {
            unsigned i = data[k];
            uint32_t ar = ar_of(c, i);
            if (!usable(c, i))
                continue;
            /* Type: accessed ... */
            if (!(ar & 1))
                fail(c, (enum vmcheck_rule_id)(VR_DATA_ACCESSED_ES + k), seg_ar(i), 0);
            /* ... and readable if code. */
            if ((ar & 8) && !(ar & 2))
                fail(c, (enum vmcheck_rule_id)(VR_DATA_EXEC_ONLY_ES + k), seg_ar(i), 0);
            /* DPL >= RPL for data and non-conforming code, without "unrestricted guest". */
            if (!c->ug && ar_type(ar) <= 11 && ar_dpl(ar) < (get(c, seg_sel(i)) & 3))
                fail(c, (enum vmcheck_rule_id)(VR_DATA_DPL_ES + k), seg_ar(i), seg_sel(i));
            seg_common(c, i, false);
        }
    }

    /* TR (always usable): a busy TSS, 64-bit in IA-32e mode; S=0, P, reserved, G. */
    uint32_t tr = ar_of(c, SEG_TR);
    if (c->ia32e && ar_type(tr) != 11)
        fail(c, VR_TR_TYPE_64, GUEST_TR_AR_BYTES, 0);
    if (!c->ia32e && ar_type(tr) != 3 && ar_type(tr) != 11)
        fail(c, VR_TR_TYPE_32, GUEST_TR_AR_BYTES, 0);
    seg_common(c, SEG_TR, true);
    if (tr & AR_UNUSABLE)
        fail(c, VR_TR_UNUSABLE, GUEST_TR_AR_BYTES, 0);

    /* LDTR, if usable: type 2 (LDT); S=0, P, reserved, G. */
    if (usable(c, SEG_LDTR)) {
        if (ar_type(ar_of(c, SEG_LDTR)) != 2)
            fail(c, VR_LDTR_TYPE, GUEST_LDTR_AR_BYTES, 0);
        seg_common(c, SEG_LDTR, true);
    }
}

/* ---- 26.3.1.3 guest descriptor-table registers -------------------------------- */

static void check_guest_dtr(struct ck *c)
{
    /* GDTR and IDTR bases canonical, limits 16-bit. */
    if (!canonical(c, get(c, GUEST_GDTR_BASE)))
        fail(c, VR_GDTR_BASE, GUEST_GDTR_BASE, 0);
    if (!canonical(c, get(c, GUEST_IDTR_BASE)))
        fail(c, VR_IDTR_BASE, GUEST_IDTR_BASE, 0);
    if (get(c, GUEST_GDTR_LIMIT) >> 16)
        fail(c, VR_GDTR_LIMIT, GUEST_GDTR_LIMIT, 0);
    if (get(c, GUEST_IDTR_LIMIT) >> 16)
        fail(c, VR_IDTR_LIMIT, GUEST_IDTR_LIMIT, 0);
}

/* ---- 26.3.1.4 guest RIP and RFLAGS ------------------------------------------ */

static void check_guest_rip_rflags(struct ck *c)
{
    uint64_t rip = get(c, GUEST_RIP), rf = c->rflags;
    bool mode64 = c->ia32e && (ar_of(c, SEG_CS) & AR_L);

    /* RIP: bits 63:32 zero outside 64-bit mode, canonical in 64-bit mode. */
    if (!mode64 && (rip >> 32))
        fail(c, VR_RIP_HIGH, GUEST_RIP, GUEST_CS_AR_BYTES);
    if (mode64 && !canonical(c, rip))
        fail(c, VR_RIP_CANON, GUEST_RIP, 0);

    /* RFLAGS: bits 63:22, 15, 5 and 3 zero; bit 1 one. */
    if (rf & RFLAGS_RESERVED)
        fail(c, VR_RFLAGS_RSVD, GUEST_RFLAGS, 0);
    if (!(rf & 2))
        fail(c, VR_RFLAGS_BIT1, GUEST_RFLAGS, 0);

    /* RFLAGS.VM is 0 in IA-32e mode and in real mode (CR0.PE = 0). */
    if ((rf & RFLAGS_VM) && (c->ia32e || !(c->cr0 & CR0_PE)))
        fail(c, VR_RFLAGS_VM, GUEST_RFLAGS, c->ia32e ? VM_ENTRY_CONTROLS : GUEST_CR0);

    /* Injecting an external interrupt needs RFLAGS.IF = 1. */
    if (c->inject && c->ev_type == EV_EXTINT && !(rf & RFLAGS_IF))
        fail(c, VR_RFLAGS_IF, GUEST_RFLAGS, VM_ENTRY_INTR_INFO_FIELD);
}

/* ---- 26.3.1.5 guest non-register state --------------------------------------- */

static bool event_allowed_in(unsigned act, unsigned t, unsigned v)
{
    switch (act) {
    case ACT_ACTIVE:
        return true;
    case ACT_HLT:   /* external interrupts, NMIs, #DB, #MC, pending MTF */
        return t == EV_EXTINT || t == EV_NMI || (t == EV_HWEXC && (v == 1 || v == 18)) ||
               (t == EV_OTHER && v == 0);
    case ACT_SHUTDOWN:  /* NMIs and #MC */
        return t == EV_NMI || (t == EV_HWEXC && v == 18);
    default:        /* wait-for-SIPI: nothing */
        return false;
    }
}

static void check_guest_nonreg(struct ck *c)
{
    const struct vmx_caps *k = c->caps;
    const uint32_t A = GUEST_ACTIVITY_STATE, N = GUEST_INTERRUPTIBILITY_INFO,
                   D = GUEST_PENDING_DBG_EXCEPTIONS;
    uint64_t act = get(c, A), intr = get(c, N), pde = get(c, D);

    /* -- Activity state -- */
    /* 0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI ... */
    if (act > 3)
        fail(c, VR_ACT_RANGE, A, 0);
    /* ... and supported per IA32_VMX_MISC bits 8:6. */
    else if ((act == ACT_HLT && !k->act_hlt) || (act == ACT_SHUTDOWN && !k->act_shutdown) ||
             (act == ACT_WAIT_SIPI && !k->act_wait_sipi))
        fail(c, VR_ACT_UNSUPPORTED, A, 0);
    /* HLT only at CPL 0 (SS.DPL = 0). */
    if (act == ACT_HLT && ar_dpl(ar_of(c, SEG_SS)) != 0)
        fail(c, VR_ACT_HLT_DPL, A, GUEST_SS_AR_BYTES);
    /* STI or MOV-SS blocking only in the active state. */
    if (act != ACT_ACTIVE && (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)))
        fail(c, VR_ACT_BLOCKING, A, N);
    /* Event injection only of the events the activity state accepts. */
    if (c->inject && act <= 3 && !event_allowed_in((unsigned)act, c->ev_type, c->ev_vector))
        fail(c, VR_ACT_EVENT, A, VM_ENTRY_INTR_INFO_FIELD);
    /* "entry to SMM" never enters wait-for-SIPI. */
    if ((c->entry & VM_ENTRY_SMM) && act == ACT_WAIT_SIPI)
        fail(c, VR_ACT_SIPI_SMM, A, VM_ENTRY_CONTROLS);

    /* -- Interruptibility state -- */
    /* Bits 31:5 reserved. */
    if (intr & ~0x1full)
        fail(c, VR_INT_RSVD, N, 0);
    /* Blocking by STI and by MOV SS not both. */
    if ((intr & INTERRUPTIBILITY_STI) && (intr & INTERRUPTIBILITY_MOVSS))
        fail(c, VR_INT_STI_MOVSS, N, 0);
    /* Blocking by STI only with RFLAGS.IF = 1. */
    if ((intr & INTERRUPTIBILITY_STI) && !(c->rflags & RFLAGS_IF))
        fail(c, VR_INT_STI_IF, N, GUEST_RFLAGS);
    /* No STI/MOV-SS blocking when injecting an external interrupt. */
    if (c->inject && c->ev_type == EV_EXTINT && (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)))
        fail(c, VR_INT_EXTINT, N, VM_ENTRY_INTR_INFO_FIELD);
    /* No MOV-SS blocking when injecting an NMI. */
    if (c->inject && c->ev_type == EV_NMI && (intr & INTERRUPTIBILITY_MOVSS))
        fail(c, VR_INT_NMI_MOVSS, N, VM_ENTRY_INTR_INFO_FIELD);
    /* Blocking by SMI only in SMM ... */
    if ((intr & INTERRUPTIBILITY_SMI) && !c->env->in_smm)
        fail(c, VR_INT_SMI, N, 0);
    /* ... and always with "entry to SMM". */
    if ((c->entry & VM_ENTRY_SMM) && !(intr & INTERRUPTIBILITY_SMI))
        fail(c, VR_INT_SMI_ENTRY, N, VM_ENTRY_CONTROLS);
    /* With "virtual NMIs", no blocking by NMI when injecting an NMI. */
    if ((c->pin & PIN_BASED_VIRTUAL_NMIS) && c->inject && c->ev_type == EV_NMI &&
        (intr & INTERRUPTIBILITY_NMI))
        fail(c, VR_INT_VNMI, N, VM_ENTRY_INTR_INFO_FIELD);
    /* Enclave interruption excludes MOV-SS blocking. */
    if ((intr & INTERRUPTIBILITY_ENCLAVE) && (intr & INTERRUPTIBILITY_MOVSS))
        fail(c, VR_INT_ENCLAVE, N, 0);

    /* -- Pending debug exceptions -- */
    /* Bits 11:4, 13, 15 and 63:17 reserved. */
    if (pde & PDE_RESERVED)
        fail(c, VR_PDE_RSVD, D, 0);
    /* Under STI/MOV-SS blocking or in HLT, BS reflects a pending single step:
     * set iff RFLAGS.TF = 1 and IA32_DEBUGCTL.BTF = 0. */
    if ((intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)) || act == ACT_HLT) {
        bool step = (c->rflags & RFLAGS_TF) && !(get(c, GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF);
        if (step && !(pde & PDE_BS))
            fail(c, VR_PDE_BS_NEEDED, D, GUEST_RFLAGS);
        if (!step && (pde & PDE_BS))
            fail(c, VR_PDE_BS_FORBIDDEN, D, GUEST_RFLAGS);
    }
    /* RTM (bit 16): bits 11:0 and 14 clear, bit 12 set, no MOV-SS blocking. */
    if ((pde & PDE_RTM) && ((pde & 0x5fff) != 0x1000 || (intr & INTERRUPTIBILITY_MOVSS)))
        fail(c, VR_PDE_RTM, D, N);

    /* -- VMCS link pointer -- */
    uint64_t link = get(c, VMCS_LINK_POINTER);
    if (link != ~0ull) {
        /* 4-KByte aligned, inside the width, ... */
        bool bad = false;
        if (link & 0xfff) {
            fail(c, VR_LINK_ALIGN, VMCS_LINK_POINTER, 0);
            bad = true;
        }
        if (beyond(link, c->ctl_pa_bits)) {
            fail(c, VR_LINK_WIDTH, VMCS_LINK_POINTER, 0);
            bad = true;
        }
        /* ... not the current VMCS (outside SMM), ... */
        if (!bad && !c->env->in_smm && c->env->current_vmcs && link == c->env->current_vmcs)
            fail(c, VR_LINK_CURRENT, VMCS_LINK_POINTER, 0);
        /* ... and a VMCS region: revision identifier, shadow indicator = "VMCS shadowing". */
        uint64_t w;
        bool shadowing = c->proc2 & SECONDARY_EXEC_SHADOW_VMCS;
        if (!bad && c->env->read_phys64) {
            if (c->env->read_phys64(link, &w)) {
                if ((w & 0x7fffffff) != k->revision_id)
                    fail(c, VR_LINK_REVISION, VMCS_LINK_POINTER, 0);
                if (!!(w & 0x80000000u) != shadowing)
                    fail(c, VR_LINK_SHADOW, VMCS_LINK_POINTER, SECONDARY_VM_EXEC_CONTROL);
            }
        } else if (!bad && !shadowing) {
            /* Memory not readable here: without shadowing, ask for the usual ~0. */
            fail(c, VR_LINK_UNCHECKED, VMCS_LINK_POINTER, SECONDARY_VM_EXEC_CONTROL);
        }
    }
}

/* ---- 26.3.1.6 PDPTEs ------------------------------------------------------ */

static void check_guest_pdptes(struct ck *c)
{
    /* PAE paging outside IA-32e mode: present PDPTEs have bits 2:1, 8:5 and
     * 63:MAXPHYADDR clear. */
    if (!(c->cr0 & CR0_PG) || !(c->cr4 & CR4_PAE) || c->ia32e)
        return;
    for (unsigned i = 0; i < 4; i++) {
        if (c->ept) {
            /* With EPT the PDPTEs come from the VMCS. */
            uint32_t f = GUEST_PDPTR0 + 2 * i;
            uint64_t e = get(c, f);
            if (!(e & 1))
                continue;
            if (e & 0x1e6)
                fail(c, VR_PDPTE_RSVD, f, 0);
            if (beyond(e, c->pa_bits))
                fail(c, VR_PDPTE_WIDTH, f, 0);
        } else if (c->env->read_phys64) {
            /* Without EPT they are read from the 32-byte table CR3 points at. */
            uint64_t e;
            if (c->env->read_phys64((get(c, GUEST_CR3) & 0xffffffe0ull) + 8 * i, &e) && (e & 1) &&
                ((e & 0x1e6) || beyond(e, c->pa_bits))) {
                fail(c, VR_PDPTE_MEM, GUEST_CR3, 0);
                break;
            }
        }
    }
}

/* ---- Driver ------------------------------------------------------------------ */

size_t vmcheck_run(const struct vmcs_snapshot *s, const struct vmcheck_env *env,
                   struct vmcheck_violation *out, size_t max)
{
    struct ck ck = { .s = s, .env = env, .caps = env->caps, .out = out, .max = out ? max : 0 };
    struct ck *c = &ck;
    const struct vmx_caps *k = env->caps;

    c->pa_bits = env->maxphyaddr ? env->maxphyaddr : 36;
    c->ctl_pa_bits = (k->basic & VMX_BASIC_ADDR32) && c->pa_bits > 32 ? 32 : c->pa_bits;
    c->la_bits = env->linaddr_bits ? env->linaddr_bits : 48;
    if (c->la_bits > 64)
        c->la_bits = 64;
    c->pin = (uint32_t)get(c, PIN_BASED_VM_EXEC_CONTROL);
    c->proc = (uint32_t)get(c, CPU_BASED_VM_EXEC_CONTROL);
    /* 25.6.2: the secondary controls act as 0 when not activated */
    c->proc2 = (c->proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
                   ? (uint32_t)get(c, SECONDARY_VM_EXEC_CONTROL) : 0;
    c->exit = (uint32_t)get(c, VM_EXIT_CONTROLS);
    c->entry = (uint32_t)get(c, VM_ENTRY_CONTROLS);
    c->ia32e = c->entry & VM_ENTRY_IA32E_MODE;
    c->ug = c->proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST;
    c->ept = c->proc2 & SECONDARY_EXEC_ENABLE_EPT;
    c->host64 = c->exit & VM_EXIT_HOST_ADDR_SPACE_SIZE;
    c->cr0 = get(c, GUEST_CR0);
    c->cr4 = get(c, GUEST_CR4);
    c->rflags = get(c, GUEST_RFLAGS);
    c->v86 = c->rflags & RFLAGS_VM;
    uint64_t info = get(c, VM_ENTRY_INTR_INFO_FIELD);
    c->inject = info & INTR_VALID;
    c->ev_type = (info >> 8) & 7;
    c->ev_vector = info & 0xff;

    check_exec_controls(c);
    check_exit_controls(c);
    check_entry_controls(c);
    check_host_cr_msr(c);
    check_host_segments(c);
    check_address_space(c);
    check_guest_cr_msr(c);
    check_guest_segments(c);
    check_guest_dtr(c);
    check_guest_rip_rflags(c);
    check_guest_nonreg(c);
    check_guest_pdptes(c);
    return c->n;
}

/* ---- Reporting ------------------------------------------------------------- */

int vmcheck_format(const struct vmcheck_violation *v, char *buf, size_t len)
{
    if (v->field2)
        return snprintf(buf, len, "vmcheck: %s %s (%s=0x%llx, %s=0x%llx)", v->section, v->rule,
                        vmcs_field_name(v->field), (unsigned long long)v->value,
                        vmcs_field_name(v->field2), (unsigned long long)v->value2);
    return snprintf(buf, len, "vmcheck: %s %s (%s=0x%llx)", v->section, v->rule,
                    vmcs_field_name(v->field), (unsigned long long)v->value);
}

static bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static bool str_prefix(const char *s, const char *p)
{
    while (*p && *s == *p)
        s++, p++;
    return *p == 0;
}

const char *vmcheck_section_title(const char *section)
{
    static const struct { const char *sec, *title; } t[] = {
        { "26.2", "Checks on VMX Controls and Host-State Area" },
        { "26.2.1", "Checks on VMX Controls" },
        { VMCHECK_SEC_EXEC, "VM-Execution Control Fields" },
        { VMCHECK_SEC_EXIT, "VM-Exit Control Fields" },
        { VMCHECK_SEC_ENTRY, "VM-Entry Control Fields" },
        { VMCHECK_SEC_HOST_CR, "Checks on Host Control Registers, MSRs, and SSP" },
        { VMCHECK_SEC_HOST_SEG, "Checks on Host Segment and Descriptor-Table Registers" },
        { VMCHECK_SEC_ADDR, "Checks Related to Address-Space Size" },
        { "26.3", "Checking and Loading Guest State" },
        { "26.3.1", "Checks on the Guest State Area" },
        { VMCHECK_SEC_G_CR, "Checks on Guest Control Registers, Debug Registers, and MSRs" },
        { VMCHECK_SEC_G_SEG, "Checks on Guest Segment Registers" },
        { VMCHECK_SEC_G_DT, "Checks on Guest Descriptor-Table Registers" },
        { VMCHECK_SEC_G_RIP, "Checks on Guest RIP, RFLAGS, and SSP" },
        { VMCHECK_SEC_G_NONREG, "Checks on Guest Non-Register State" },
        { VMCHECK_SEC_G_PDPTE, "Checks on Guest Page-Directory-Pointer-Table Entries" },
    };
    for (unsigned i = 0; section && i < sizeof(t) / sizeof(t[0]); i++)
        if (str_eq(section, t[i].sec))
            return t[i].title;
    return "unknown section";
}

int vmcheck_rule_of(const struct vmcheck_violation *v)
{
    for (int i = 0; i < VR_COUNT; i++)
        if (v->rule == vmcheck_rules[i].text ||
            (v->rule && str_eq(v->rule, vmcheck_rules[i].text)))
            return i;
    return -1;
}

enum vmcheck_outcome vmcheck_section_outcome(const char *section)
{
    if (!section)
        return VMCHECK_OUTCOME_UNKNOWN;
    if (str_prefix(section, "26.2.1"))
        return VMCHECK_OUTCOME_ERR_CONTROLS;
    if (str_prefix(section, "26.2."))
        return VMCHECK_OUTCOME_ERR_HOST;
    if (str_prefix(section, "26.3"))
        return VMCHECK_OUTCOME_EXIT_GUEST;
    return VMCHECK_OUTCOME_UNKNOWN;
}
