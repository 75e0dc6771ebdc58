/*
 * Injection cases for a boot-time self-test of the VMCS checker: each case
 * breaks one VM-entry rule of Skiff's valid VMCS with a single VMWRITE
 * (set a value, OR a mask, AND-NOT a mask, XOR a mask) and names the
 * section and field the checker, and the CPU's failure class
 * (vmcheck_section_outcome), should report.
 *
 * The cases prefer rules every VMX implementation enforces, Bochs included:
 * reserved control bits, host CR0/CR4 fixed bits, host selectors, canonical
 * addresses, guest CR0/CR4, segment access rights, RFLAGS, activity and
 * interruptibility state, the link pointer, the EPTP.  A case applies only
 * when its precondition holds on the live VMCS (need_*), e.g. "IA-32e mode
 * guest" for CS.L+D.  Values avoid memory references: no case points a
 * structure at real memory.
 */
#include "vmx/check/vmcheck.h"

#define ALWAYS 0, 0, 0
#define NEED(f, mask) f, (mask), (mask)
#define NEED_CLEAR(f, mask) f, (mask), 0

#define NEED_IA32E      NEED(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE)
#define NEED_UG         NEED(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_UNRESTRICTED_GUEST)
#define NEED_VPID       NEED(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_VPID)
#define NEED_EPT        NEED(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_EPT)
#define NEED_SECONDARY  NEED(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
#define NEED_IO_BITMAPS NEED(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_IO_BITMAPS)
#define NEED_MSR_BITMAPS NEED(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_MSR_BITMAPS)
#define NEED_NO_TPR     NEED_CLEAR(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW)
#define NEED_NO_NMI_EXIT NEED_CLEAR(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_NMI_EXITING)
#define NEED_NO_VNMI    NEED_CLEAR(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS)
#define NEED_NO_TIMER   NEED_CLEAR(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER)
#define NEED_EXIT_EFER  NEED(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_EFER)
#define NEED_EXIT_PAT   NEED(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_PAT)
#define NEED_ENTRY_EFER NEED(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_EFER)
#define NEED_ENTRY_PAT  NEED(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_PAT)
#define NEED_ENTRY_DBG  NEED(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS)
#define NEED_PG         NEED(GUEST_CR0, 1ull << 31)
#define NEED_PE         NEED(GUEST_CR0, 1ull << 0)
#define NEED_IF_CLEAR   NEED_CLEAR(GUEST_RFLAGS, 1ull << 9)
#define NEED_SS_USABLE  NEED_CLEAR(GUEST_SS_AR_BYTES, 1ull << 16)
#define NEED_DS_USABLE  NEED_CLEAR(GUEST_DS_AR_BYTES, 1ull << 16)
#define NEED_CS_G       NEED(GUEST_CS_AR_BYTES, 1ull << 15)
#define NEED_TR_G_CLEAR NEED_CLEAR(GUEST_TR_AR_BYTES, 1ull << 15)
#define NEED_PDPTE0     NEED(GUEST_PDPTR0, 1)

#define CASE(nm, f, op, arg, need, sec, ef, r) \
    { nm, f, VMCHECK_OP_##op, arg, need, VMCHECK_SEC_##sec, ef, VR_##r }

/* A value no linear-address width makes canonical once XORed in: bit 62 flips. */
#define NONCANON (1ull << 62)

const struct vmcheck_case vmcheck_cases[] = {
    /* 26.2.1.1: VM-execution controls (VM-instruction error 7) */
    CASE("pin: clear default1 bit 1", PIN_BASED_VM_EXEC_CONTROL, ANDNOT, 1u << 1, ALWAYS,
         EXEC, PIN_BASED_VM_EXEC_CONTROL, PIN_MUST1),
    CASE("pin: set reserved bit 31", PIN_BASED_VM_EXEC_CONTROL, OR, 1u << 31, ALWAYS,
         EXEC, PIN_BASED_VM_EXEC_CONTROL, PIN_MUST0),
    CASE("proc: clear default1 bit 1", CPU_BASED_VM_EXEC_CONTROL, ANDNOT, 1u << 1, ALWAYS,
         EXEC, CPU_BASED_VM_EXEC_CONTROL, PROC_MUST1),
    CASE("proc: set reserved bit 0", CPU_BASED_VM_EXEC_CONTROL, OR, 1u << 0, ALWAYS,
         EXEC, CPU_BASED_VM_EXEC_CONTROL, PROC_MUST0),
    CASE("proc2: set reserved bit 31", SECONDARY_VM_EXEC_CONTROL, OR, 1u << 31, NEED_SECONDARY,
         EXEC, SECONDARY_VM_EXEC_CONTROL, PROC2_MUST0),
    CASE("CR3-target count 5", CR3_TARGET_COUNT, SET, 5, ALWAYS,
         EXEC, CR3_TARGET_COUNT, CR3_TARGETS),
    CASE("I/O bitmap A misaligned", IO_BITMAP_A, OR, 0x800, NEED_IO_BITMAPS,
         EXEC, IO_BITMAP_A, IO_A_ALIGN),
    CASE("I/O bitmap B misaligned", IO_BITMAP_B, OR, 0x10, NEED_IO_BITMAPS,
         EXEC, IO_BITMAP_B, IO_B_ALIGN),
    CASE("I/O bitmap A beyond MAXPHYADDR", IO_BITMAP_A, OR, 1ull << 52, NEED_IO_BITMAPS,
         EXEC, IO_BITMAP_A, IO_A_WIDTH),
    CASE("MSR bitmap misaligned", MSR_BITMAP, OR, 0x8, NEED_MSR_BITMAPS,
         EXEC, MSR_BITMAP, MSR_BITMAP_ALIGN),
    CASE("MSR bitmap beyond MAXPHYADDR", MSR_BITMAP, OR, 1ull << 52, NEED_MSR_BITMAPS,
         EXEC, MSR_BITMAP, MSR_BITMAP_WIDTH),
    CASE("virtual NMIs without NMI exiting", PIN_BASED_VM_EXEC_CONTROL, OR, PIN_BASED_VIRTUAL_NMIS,
         NEED_NO_NMI_EXIT, EXEC, PIN_BASED_VM_EXEC_CONTROL, VNMI_NO_NMI_EXIT),
    CASE("NMI-window exiting without virtual NMIs", CPU_BASED_VM_EXEC_CONTROL, OR,
         CPU_BASED_NMI_WINDOW_EXITING, NEED_NO_VNMI, EXEC, CPU_BASED_VM_EXEC_CONTROL, NMIWIN_NO_VNMI),
    CASE("virtualize x2APIC without TPR shadow", SECONDARY_VM_EXEC_CONTROL, OR,
         SECONDARY_EXEC_VIRTUALIZE_X2APIC, NEED_NO_TPR, EXEC, SECONDARY_VM_EXEC_CONTROL, X2APIC_NO_TPR),
    CASE("APIC-register virtualization without TPR shadow", SECONDARY_VM_EXEC_CONTROL, OR,
         SECONDARY_EXEC_APIC_REGISTER_VIRT, NEED_NO_TPR, EXEC, SECONDARY_VM_EXEC_CONTROL, APICREG_NO_TPR),
    CASE("VPID 0 with enable VPID", VIRTUAL_PROCESSOR_ID, SET, 0, NEED_VPID,
         EXEC, VIRTUAL_PROCESSOR_ID, VPID_ZERO),
    CASE("EPTP memory type 7", EPT_POINTER, OR, 0x1, NEED_EPT,
         EXEC, EPT_POINTER, EPTP_MEMTYPE),
    CASE("EPTP page-walk length 1", EPT_POINTER, ANDNOT, 0x18, NEED_EPT,
         EXEC, EPT_POINTER, EPTP_WALK),
    CASE("EPTP reserved bit 8", EPT_POINTER, OR, 1u << 8, NEED_EPT,
         EXEC, EPT_POINTER, EPTP_RSVD),
    CASE("EPTP beyond MAXPHYADDR", EPT_POINTER, OR, 1ull << 52, NEED_EPT,
         EXEC, EPT_POINTER, EPTP_WIDTH),
    CASE("unrestricted guest without EPT", SECONDARY_VM_EXEC_CONTROL, ANDNOT,
         SECONDARY_EXEC_ENABLE_EPT, NEED_UG, EXEC, SECONDARY_VM_EXEC_CONTROL, UG_NO_EPT),

    /* 26.2.1.2: VM-exit controls (error 7) */
    CASE("exit: clear default1 bit 0", VM_EXIT_CONTROLS, ANDNOT, 1u << 0, ALWAYS,
         EXIT, VM_EXIT_CONTROLS, EXIT_MUST1),
    CASE("save preemption timer without the timer", VM_EXIT_CONTROLS, OR,
         VM_EXIT_SAVE_VMX_PREEMPTION_TIMER, NEED_NO_TIMER, EXIT, VM_EXIT_CONTROLS, SAVE_TIMER_NO_TIMER),

    /* 26.2.1.3: VM-entry controls and event injection (error 7) */
    CASE("entry: clear default1 bit 0", VM_ENTRY_CONTROLS, ANDNOT, 1u << 0, ALWAYS,
         ENTRY, VM_ENTRY_CONTROLS, ENTRY_MUST1),
    CASE("entry: set reserved bit 31", VM_ENTRY_CONTROLS, OR, 1u << 31, ALWAYS,
         ENTRY, VM_ENTRY_CONTROLS, ENTRY_MUST0),
    CASE("entry to SMM outside SMM", VM_ENTRY_CONTROLS, OR, VM_ENTRY_SMM, ALWAYS,
         ENTRY, VM_ENTRY_CONTROLS, ENTRY_SMM),
    CASE("deactivate dual-monitor outside SMM", VM_ENTRY_CONTROLS, OR, VM_ENTRY_DEACT_DUAL_MONITOR,
         ALWAYS, ENTRY, VM_ENTRY_CONTROLS, ENTRY_DEACT_DUAL),
    CASE("inject type 1 (reserved)", VM_ENTRY_INTR_INFO_FIELD, SET, 0x80000100, ALWAYS,
         ENTRY, VM_ENTRY_INTR_INFO_FIELD, INTR_TYPE_RSVD),
    CASE("inject NMI with vector 3", VM_ENTRY_INTR_INFO_FIELD, SET, 0x80000203, ALWAYS,
         ENTRY, VM_ENTRY_INTR_INFO_FIELD, INTR_NMI_VECTOR),
    CASE("inject hardware exception vector 32", VM_ENTRY_INTR_INFO_FIELD, SET, 0x80000320, ALWAYS,
         ENTRY, VM_ENTRY_INTR_INFO_FIELD, INTR_HWEXC_VECTOR),
    CASE("inject #UD with reserved bit 12", VM_ENTRY_INTR_INFO_FIELD, SET, 0x80001306, ALWAYS,
         ENTRY, VM_ENTRY_INTR_INFO_FIELD, INTR_RSVD),
    CASE("inject #GP without error code", VM_ENTRY_INTR_INFO_FIELD, SET, 0x8000030d, NEED_PE,
         ENTRY, VM_ENTRY_INTR_INFO_FIELD, INTR_EC_MISSING),
    CASE("inject NMI with error code", VM_ENTRY_INTR_INFO_FIELD, SET, 0x80000a02, ALWAYS,
         ENTRY, VM_ENTRY_INTR_INFO_FIELD, INTR_EC_EXTRA),

    /* 26.2.2: host control registers and MSRs (error 8) */
    CASE("host CR0.PE clear", HOST_CR0, ANDNOT, 1u << 0, ALWAYS,
         HOST_CR, HOST_CR0, HOST_CR0_FIXED0),
    CASE("host CR0.PG clear", HOST_CR0, ANDNOT, 1ull << 31, ALWAYS,
         HOST_CR, HOST_CR0, HOST_CR0_FIXED0),
    CASE("host CR0 bit 32 set", HOST_CR0, OR, 1ull << 32, ALWAYS,
         HOST_CR, HOST_CR0, HOST_CR0_FIXED1),
    CASE("host CR4.VMXE clear", HOST_CR4, ANDNOT, 1u << 13, ALWAYS,
         HOST_CR, HOST_CR4, HOST_CR4_FIXED0),
    CASE("host CR4 bit 32 set", HOST_CR4, OR, 1ull << 32, ALWAYS,
         HOST_CR, HOST_CR4, HOST_CR4_FIXED1),
    CASE("host CR3 beyond MAXPHYADDR", HOST_CR3, OR, 1ull << 52, ALWAYS,
         HOST_CR, HOST_CR3, HOST_CR3_WIDTH),
    CASE("host SYSENTER_ESP non-canonical", HOST_IA32_SYSENTER_ESP, XOR, NONCANON, ALWAYS,
         HOST_CR, HOST_IA32_SYSENTER_ESP, HOST_SYSENTER_ESP),
    CASE("host SYSENTER_EIP non-canonical", HOST_IA32_SYSENTER_EIP, XOR, NONCANON, ALWAYS,
         HOST_CR, HOST_IA32_SYSENTER_EIP, HOST_SYSENTER_EIP),
    CASE("host EFER reserved bit 1", HOST_IA32_EFER, OR, 1u << 1, NEED_EXIT_EFER,
         HOST_CR, HOST_IA32_EFER, HOST_EFER_RSVD),
    CASE("host EFER.LMA clear", HOST_IA32_EFER, ANDNOT, 1u << 10, NEED_EXIT_EFER,
         HOST_CR, HOST_IA32_EFER, HOST_EFER_LMA),
    CASE("host PAT entry 0 type 2", HOST_IA32_PAT, SET, 0x0007040600070402ull, NEED_EXIT_PAT,
         HOST_CR, HOST_IA32_PAT, HOST_PAT),

    /* 26.2.3: host selectors and bases (error 8) */
    CASE("host CS RPL 1", HOST_CS_SELECTOR, OR, 1, ALWAYS, HOST_SEG, HOST_CS_SELECTOR, HOST_SEL_RPL_TI),
    CASE("host SS TI 1", HOST_SS_SELECTOR, OR, 4, ALWAYS, HOST_SEG, HOST_SS_SELECTOR, HOST_SEL_RPL_TI),
    CASE("host DS RPL 3", HOST_DS_SELECTOR, OR, 3, ALWAYS, HOST_SEG, HOST_DS_SELECTOR, HOST_SEL_RPL_TI),
    CASE("host ES RPL 2", HOST_ES_SELECTOR, OR, 2, ALWAYS, HOST_SEG, HOST_ES_SELECTOR, HOST_SEL_RPL_TI),
    CASE("host FS TI 1", HOST_FS_SELECTOR, OR, 4, ALWAYS, HOST_SEG, HOST_FS_SELECTOR, HOST_SEL_RPL_TI),
    CASE("host GS RPL 1", HOST_GS_SELECTOR, OR, 1, ALWAYS, HOST_SEG, HOST_GS_SELECTOR, HOST_SEL_RPL_TI),
    CASE("host TR TI 1", HOST_TR_SELECTOR, OR, 4, ALWAYS, HOST_SEG, HOST_TR_SELECTOR, HOST_SEL_RPL_TI),
    CASE("host CS selector 0", HOST_CS_SELECTOR, SET, 0, ALWAYS, HOST_SEG, HOST_CS_SELECTOR, HOST_CS_ZERO),
    CASE("host TR selector 0", HOST_TR_SELECTOR, SET, 0, ALWAYS, HOST_SEG, HOST_TR_SELECTOR, HOST_TR_ZERO),
    CASE("host FS base non-canonical", HOST_FS_BASE, XOR, NONCANON, ALWAYS,
         HOST_SEG, HOST_FS_BASE, HOST_FS_BASE),
    CASE("host GS base non-canonical", HOST_GS_BASE, XOR, NONCANON, ALWAYS,
         HOST_SEG, HOST_GS_BASE, HOST_GS_BASE),
    CASE("host GDTR base non-canonical", HOST_GDTR_BASE, XOR, NONCANON, ALWAYS,
         HOST_SEG, HOST_GDTR_BASE, HOST_GDTR_BASE),
    CASE("host IDTR base non-canonical", HOST_IDTR_BASE, XOR, NONCANON, ALWAYS,
         HOST_SEG, HOST_IDTR_BASE, HOST_IDTR_BASE),
    CASE("host TR base non-canonical", HOST_TR_BASE, XOR, NONCANON, ALWAYS,
         HOST_SEG, HOST_TR_BASE, HOST_TR_BASE),

    /* 26.2.4: address-space size (error 8) */
    CASE("host RIP non-canonical", HOST_RIP, XOR, NONCANON, ALWAYS, ADDR, HOST_RIP, ADDR_HOST_RIP_CANON),
    CASE("host CR4.PAE clear", HOST_CR4, ANDNOT, 1u << 5, ALWAYS, ADDR, HOST_CR4, ADDR_HOST_PAE),

    /* 26.3.1.1: guest control registers and MSRs (exit reason 33) */
    CASE("guest CR0.PG without PE", GUEST_CR0, ANDNOT, 1u << 0, NEED_PG,
         G_CR, GUEST_CR0, G_CR0_PG_NO_PE),
    CASE("guest CR0.NE clear", GUEST_CR0, ANDNOT, 1u << 5, ALWAYS, G_CR, GUEST_CR0, G_CR0_FIXED0),
    CASE("guest CR0 bit 32 set", GUEST_CR0, OR, 1ull << 32, ALWAYS, G_CR, GUEST_CR0, G_CR0_FIXED1),
    CASE("guest CR4.VMXE clear", GUEST_CR4, ANDNOT, 1u << 13, ALWAYS, G_CR, GUEST_CR4, G_CR4_FIXED0),
    CASE("guest CR4 bit 32 set", GUEST_CR4, OR, 1ull << 32, ALWAYS, G_CR, GUEST_CR4, G_CR4_FIXED1),
    CASE("IA-32e guest with CR4.PAE clear", GUEST_CR4, ANDNOT, 1u << 5, NEED_IA32E,
         G_CR, GUEST_CR4, G_IA32E_NO_PAE),
    CASE("guest CR3 beyond MAXPHYADDR", GUEST_CR3, OR, 1ull << 52, ALWAYS, G_CR, GUEST_CR3, G_CR3_WIDTH),
    CASE("guest DR7 bit 32 set", GUEST_DR7, OR, 1ull << 32, NEED_ENTRY_DBG, G_CR, GUEST_DR7, G_DR7_HIGH),
    CASE("guest DEBUGCTL reserved bit 2", GUEST_IA32_DEBUGCTL, OR, 1u << 2, NEED_ENTRY_DBG,
         G_CR, GUEST_IA32_DEBUGCTL, G_DEBUGCTL_RSVD),
    CASE("guest EFER.LMA flipped", GUEST_IA32_EFER, XOR, 1u << 10, NEED_ENTRY_EFER,
         G_CR, GUEST_IA32_EFER, G_EFER_LMA),
    CASE("guest EFER reserved bit 1", GUEST_IA32_EFER, OR, 1u << 1, NEED_ENTRY_EFER,
         G_CR, GUEST_IA32_EFER, G_EFER_RSVD),
    CASE("guest PAT entry 0 type 2", GUEST_IA32_PAT, SET, 0x0007040600070402ull, NEED_ENTRY_PAT,
         G_CR, GUEST_IA32_PAT, G_PAT),
    CASE("guest SYSENTER_ESP non-canonical", GUEST_SYSENTER_ESP, XOR, NONCANON, ALWAYS,
         G_CR, GUEST_SYSENTER_ESP, G_SYSENTER_ESP),

    /* 26.3.1.2: guest segment registers */
    CASE("guest CS.L and CS.D", GUEST_CS_AR_BYTES, OR, 1u << 14, NEED_IA32E,
         G_SEG, GUEST_CS_AR_BYTES, CS_LD),
    CASE("guest CS not present", GUEST_CS_AR_BYTES, ANDNOT, 1u << 7, ALWAYS,
         G_SEG, GUEST_CS_AR_BYTES, SEG_P_CS),
    CASE("guest CS type 1", GUEST_CS_AR_BYTES, ANDNOT, 0xa, ALWAYS, G_SEG, GUEST_CS_AR_BYTES, CS_TYPE),
    CASE("guest CS AR reserved bit 8", GUEST_CS_AR_BYTES, OR, 1u << 8, ALWAYS,
         G_SEG, GUEST_CS_AR_BYTES, SEG_RSVD_LO_CS),
    CASE("guest CS.DPL 3 with SS.DPL 0", GUEST_CS_AR_BYTES, OR, 3u << 5, ALWAYS,
         G_SEG, GUEST_CS_AR_BYTES, CS_DPL_NONCONF),
    CASE("guest CS limit 0xfffffffe with G", GUEST_CS_LIMIT, ANDNOT, 1, NEED_CS_G,
         G_SEG, GUEST_CS_AR_BYTES, SEG_G_SET_CS),
    CASE("guest CS base bit 32", GUEST_CS_BASE, OR, 1ull << 32, ALWAYS,
         G_SEG, GUEST_CS_BASE, G_CS_BASE_HIGH),
    CASE("guest SS type 11 (code)", GUEST_SS_AR_BYTES, OR, 0x8, NEED_SS_USABLE,
         G_SEG, GUEST_SS_AR_BYTES, SS_TYPE),
    CASE("guest DS not accessed", GUEST_DS_AR_BYTES, ANDNOT, 0x1, NEED_DS_USABLE,
         G_SEG, GUEST_DS_AR_BYTES, DATA_ACCESSED_DS),
    CASE("guest FS base non-canonical", GUEST_FS_BASE, XOR, NONCANON, ALWAYS,
         G_SEG, GUEST_FS_BASE, G_FS_BASE),
    CASE("guest TR available TSS (type 9)", GUEST_TR_AR_BYTES, ANDNOT, 0x2, ALWAYS,
         G_SEG, GUEST_TR_AR_BYTES, TR_TYPE_64),
    CASE("guest TR.S set", GUEST_TR_AR_BYTES, OR, 1u << 4, ALWAYS, G_SEG, GUEST_TR_AR_BYTES, SEG_S_TR),
    CASE("guest TR unusable", GUEST_TR_AR_BYTES, OR, 1u << 16, ALWAYS,
         G_SEG, GUEST_TR_AR_BYTES, TR_UNUSABLE),
    CASE("guest TR limit above 1 MByte without G", GUEST_TR_LIMIT, OR, 1u << 20, NEED_TR_G_CLEAR,
         G_SEG, GUEST_TR_AR_BYTES, SEG_G_CLEAR_TR),
    CASE("guest TR selector TI", GUEST_TR_SELECTOR, OR, 4, ALWAYS, G_SEG, GUEST_TR_SELECTOR, G_TR_TI),
    CASE("guest LDTR usable with type 3", GUEST_LDTR_AR_BYTES, SET, 0x83, ALWAYS,
         G_SEG, GUEST_LDTR_AR_BYTES, LDTR_TYPE),

    /* 26.3.1.3: descriptor-table registers */
    CASE("guest GDTR limit bit 16", GUEST_GDTR_LIMIT, OR, 1u << 16, ALWAYS,
         G_DT, GUEST_GDTR_LIMIT, GDTR_LIMIT),
    CASE("guest IDTR base non-canonical", GUEST_IDTR_BASE, XOR, NONCANON, ALWAYS,
         G_DT, GUEST_IDTR_BASE, IDTR_BASE),

    /* 26.3.1.4: RIP and RFLAGS */
    CASE("guest RFLAGS bit 1 clear", GUEST_RFLAGS, ANDNOT, 1u << 1, ALWAYS,
         G_RIP, GUEST_RFLAGS, RFLAGS_BIT1),
    CASE("guest RFLAGS reserved bit 3", GUEST_RFLAGS, OR, 1u << 3, ALWAYS,
         G_RIP, GUEST_RFLAGS, RFLAGS_RSVD),
    CASE("guest RFLAGS.VM in IA-32e mode", GUEST_RFLAGS, OR, 1u << 17, NEED_IA32E,
         G_RIP, GUEST_RFLAGS, RFLAGS_VM),
    CASE("guest RIP non-canonical", GUEST_RIP, XOR, NONCANON, NEED_IA32E,
         G_RIP, GUEST_RIP, RIP_CANON),

    /* 26.3.1.5: non-register state */
    CASE("guest activity state 4", GUEST_ACTIVITY_STATE, SET, 4, ALWAYS,
         G_NONREG, GUEST_ACTIVITY_STATE, ACT_RANGE),
    CASE("guest blocking by STI and MOV SS", GUEST_INTERRUPTIBILITY_INFO, SET, 3, ALWAYS,
         G_NONREG, GUEST_INTERRUPTIBILITY_INFO, INT_STI_MOVSS),
    CASE("guest interruptibility bit 5", GUEST_INTERRUPTIBILITY_INFO, SET, 1u << 5, ALWAYS,
         G_NONREG, GUEST_INTERRUPTIBILITY_INFO, INT_RSVD),
    CASE("guest blocking by SMI outside SMM", GUEST_INTERRUPTIBILITY_INFO, SET, 4, ALWAYS,
         G_NONREG, GUEST_INTERRUPTIBILITY_INFO, INT_SMI),
    CASE("guest STI blocking with IF clear", GUEST_INTERRUPTIBILITY_INFO, SET, 1, NEED_IF_CLEAR,
         G_NONREG, GUEST_INTERRUPTIBILITY_INFO, INT_STI_IF),
    CASE("guest pending debug reserved bit 4", GUEST_PENDING_DBG_EXCEPTIONS, OR, 1u << 4, ALWAYS,
         G_NONREG, GUEST_PENDING_DBG_EXCEPTIONS, PDE_RSVD),
    CASE("VMCS link pointer misaligned", VMCS_LINK_POINTER, SET, 0x800, ALWAYS,
         G_NONREG, VMCS_LINK_POINTER, LINK_ALIGN),
    CASE("VMCS link pointer beyond MAXPHYADDR", VMCS_LINK_POINTER, SET, 1ull << 52, ALWAYS,
         G_NONREG, VMCS_LINK_POINTER, LINK_WIDTH),

    /* 26.3.1.6: PDPTEs (32-bit PAE guests with EPT) */
    CASE("guest PDPTE0 reserved bit 5", GUEST_PDPTR0, OR, 1u << 5, NEED_PDPTE0,
         G_PDPTE, GUEST_PDPTR0, PDPTE_RSVD),
};

const size_t vmcheck_case_count = sizeof(vmcheck_cases) / sizeof(vmcheck_cases[0]);

uint64_t vmcheck_case_value(const struct vmcheck_case *c, uint64_t old)
{
    switch (c->op) {
    case VMCHECK_OP_SET:
        return c->arg;
    case VMCHECK_OP_OR:
        return old | c->arg;
    case VMCHECK_OP_ANDNOT:
        return old & ~c->arg;
    default:
        return old ^ c->arg;
    }
}

bool vmcheck_case_applies(const struct vmcheck_case *c, const struct vmcs_snapshot *s)
{
    return (vmcs_snap_get(s, c->need_field) & c->need_mask) == c->need_value;
}

void vmcheck_case_apply(const struct vmcheck_case *c, struct vmcs_snapshot *s)
{
    vmcs_snap_set(s, c->field, vmcheck_case_value(c, vmcs_snap_get(s, c->field)));
}
