/* Host tests: VMCS field table, error and exit-reason names, qualification decoders. */
// SOURCES: vmx/core/vmcs_fields.c vmx/core/vmx_errors.c vmx/core/exit_reasons.c
#include "tests/unit/unit.h"
#include "vmx/core/exit_reasons.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_errors.h"
#include "vmx/core/vmx_insn.h" /* must compile on the host; only constants are used */

TEST(insn_error_names)
{
    CHECK_STR(vmx_insn_error_name(4), "VMLAUNCH with non-clear VMCS");
    CHECK_STR(vmx_insn_error_name(5), "VMRESUME with non-launched VMCS");
    CHECK_STR(vmx_insn_error_name(7), "VM entry with invalid control field(s)");
    CHECK_STR(vmx_insn_error_name(8), "VM entry with invalid host-state field(s)");
    CHECK_STR(vmx_insn_error_name(12), "VMREAD/VMWRITE from/to unsupported VMCS component");
    CHECK_STR(vmx_insn_error_name(28), "invalid operand to INVEPT/INVVPID");
    CHECK_STR(vmx_insn_error_name(14), "reserved");
    CHECK_STR(vmx_insn_error_name(0), "unknown VM-instruction error");
    CHECK_STR(vmx_insn_error_name(29), "unknown VM-instruction error");
    CHECK_STR(vmx_insn_error_name(0xffffffffu), "unknown VM-instruction error");
    for (uint32_t n = 1; n <= VMXERR_MAX; n++) {
        const char *s = vmx_insn_error_name(n);
        CHECK(s && *s && strcmp(s, "unknown VM-instruction error") != 0);
    }
}

TEST(exit_reason_names)
{
    CHECK_STR(vmx_exit_reason_name(EXIT_REASON_EXCEPTION_NMI), "exception or NMI");
    CHECK_STR(vmx_exit_reason_name(10), "CPUID");
    CHECK_STR(vmx_exit_reason_name(18), "VMCALL");
    CHECK_STR(vmx_exit_reason_name(30), "I/O instruction");
    CHECK_STR(vmx_exit_reason_name(48), "EPT violation");
    CHECK_STR(vmx_exit_reason_name(52), "VMX-preemption timer expired");
    CHECK_STR(vmx_exit_reason_name(33), "VM-entry failure due to invalid guest state");
    CHECK_STR(vmx_exit_reason_name(35), "unknown exit reason");
    CHECK_STR(vmx_exit_reason_name(EXIT_REASON_MAX), "unknown exit reason");
    CHECK_STR(vmx_exit_reason_name(0xffff), "unknown exit reason");
    CHECK_STR(vmx_exit_reason_name(EXIT_REASON_MAX - 1), "WRMSRNS with immediate");
    CHECK_EQ(EXIT_REASON_FAILED_VMENTRY, 0x80000000u);
    CHECK_EQ(EXIT_REASON_HLT, 12);
    CHECK_EQ(EXIT_REASON_CR_ACCESS, 28);
    CHECK_EQ(EXIT_REASON_MSR_LOADING, 34);
    CHECK_EQ(EXIT_REASON_MTF, 37);
    CHECK_EQ(EXIT_REASON_XSETBV, 55);
    CHECK_EQ(EXIT_REASON_TDCALL, 77);
    /* a failed entry: bit 31 plus basic reason 33 */
    uint32_t raw = EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_INVALID_GUEST_STATE;
    CHECK_EQ(raw & EXIT_REASON_BASIC_MASK, 33);

    /* Every name is distinct */
    for (uint32_t a = 0; a < EXIT_REASON_MAX; a++)
        for (uint32_t b = a + 1; b < EXIT_REASON_MAX; b++) {
            const char *x = vmx_exit_reason_name(a), *y = vmx_exit_reason_name(b);
            if (strcmp(x, "unknown exit reason") != 0)
                CHECK(strcmp(x, y) != 0);
        }
}

TEST(vmcs_table_entries_unique_and_consistent)
{
    REQUIRE(vmcs_field_count > 150);
    for (unsigned i = 0; i < vmcs_field_count; i++) {
        const struct vmcs_field_info *f = &vmcs_field_table[i];
        REQUIRE(f->name != NULL);
        CHECK(f->name[0] != '\0');
        CHECK_EQ(f->group, vmcs_field_type(f->encoding));
        CHECK(!vmcs_field_is_high(f->encoding));
        CHECK_EQ(f->encoding & 0xffff9000u, 0); /* bits 31:15 and 12 reserved */
        /* SDM order (width 16/64/32/natural, then type, then index) is ascending encoding */
        if (i > 0)
            CHECK(vmcs_field_table[i - 1].encoding < f->encoding);
        for (unsigned j = i + 1; j < vmcs_field_count; j++) {
            CHECK(vmcs_field_table[j].encoding != f->encoding);
            CHECK(strcmp(vmcs_field_table[j].name, f->name) != 0);
        }
    }
}

TEST(vmcs_field_widths_and_types)
{
    CHECK_EQ(vmcs_field_width(VIRTUAL_PROCESSOR_ID), VMCS_WIDTH_16);
    CHECK_EQ(vmcs_field_width(GUEST_ES_SELECTOR), VMCS_WIDTH_16);
    CHECK_EQ(vmcs_field_width(EPT_POINTER), VMCS_WIDTH_64);
    CHECK_EQ(vmcs_field_width(EPT_POINTER + 1), VMCS_WIDTH_64); /* _HIGH */
    CHECK(vmcs_field_is_high(EPT_POINTER + 1));
    CHECK_EQ(vmcs_field_width(VM_EXIT_REASON), VMCS_WIDTH_32);
    CHECK_EQ(vmcs_field_width(GUEST_CS_AR_BYTES), VMCS_WIDTH_32);
    CHECK_EQ(vmcs_field_width(HOST_RIP), VMCS_WIDTH_NATURAL);
    CHECK_EQ(vmcs_field_width(EXIT_QUALIFICATION), VMCS_WIDTH_NATURAL);

    CHECK_EQ(vmcs_field_type(PIN_BASED_VM_EXEC_CONTROL), VMCS_TYPE_CONTROL);
    CHECK_EQ(vmcs_field_type(CR0_GUEST_HOST_MASK), VMCS_TYPE_CONTROL);
    CHECK_EQ(vmcs_field_type(VM_INSTRUCTION_ERROR), VMCS_TYPE_EXIT_INFO);
    CHECK_EQ(vmcs_field_type(GUEST_PHYSICAL_ADDRESS), VMCS_TYPE_EXIT_INFO);
    CHECK_EQ(vmcs_field_type(VMCS_LINK_POINTER), VMCS_TYPE_GUEST);
    CHECK_EQ(vmcs_field_type(VMX_PREEMPTION_TIMER_VALUE), VMCS_TYPE_GUEST);
    CHECK_EQ(vmcs_field_type(HOST_ES_SELECTOR), VMCS_TYPE_HOST);
    CHECK_EQ(vmcs_field_type(HOST_IA32_EFER), VMCS_TYPE_HOST);
    CHECK_EQ(vmcs_field_index(GUEST_RIP), 0xf);

    CHECK_STR(vmcs_group_name(VMCS_TYPE_EXIT_INFO), "exit-information");
    CHECK_STR(vmcs_group_name(VMCS_TYPE_GUEST), "guest-state");
    CHECK_STR(vmcs_width_name(VMCS_WIDTH_NATURAL), "natural-width");
}

TEST(vmcs_field_encodings)
{
    CHECK_EQ(VIRTUAL_PROCESSOR_ID, 0x0000);
    CHECK_EQ(GUEST_ES_SELECTOR, 0x0800);
    CHECK_EQ(GUEST_TR_SELECTOR, 0x080e);
    CHECK_EQ(HOST_ES_SELECTOR, 0x0c00);
    CHECK_EQ(HOST_TR_SELECTOR, 0x0c0c);
    CHECK_EQ(IO_BITMAP_A, 0x2000);
    CHECK_EQ(MSR_BITMAP, 0x2004);
    CHECK_EQ(TSC_OFFSET, 0x2010);
    CHECK_EQ(EPT_POINTER, 0x201a);
    CHECK_EQ(XSS_EXIT_BITMAP, 0x202c);
    CHECK_EQ(VMCS_LINK_POINTER, 0x2800);
    CHECK_EQ(GUEST_IA32_PAT, 0x2804);
    CHECK_EQ(GUEST_IA32_EFER, 0x2806);
    CHECK_EQ(GUEST_PDPTR3, 0x2810);
    CHECK_EQ(HOST_IA32_EFER, 0x2c02);
    CHECK_EQ(PIN_BASED_VM_EXEC_CONTROL, 0x4000);
    CHECK_EQ(CPU_BASED_VM_EXEC_CONTROL, 0x4002);
    CHECK_EQ(VM_EXIT_CONTROLS, 0x400c);
    CHECK_EQ(VM_ENTRY_CONTROLS, 0x4012);
    CHECK_EQ(SECONDARY_VM_EXEC_CONTROL, 0x401e);
    CHECK_EQ(VM_INSTRUCTION_ERROR, 0x4400);
    CHECK_EQ(VM_EXIT_REASON, 0x4402);
    CHECK_EQ(VMX_INSTRUCTION_INFO, 0x440e);
    CHECK_EQ(GUEST_CS_AR_BYTES, 0x4816);
    CHECK_EQ(GUEST_INTERRUPTIBILITY_INFO, 0x4824);
    CHECK_EQ(GUEST_SYSENTER_CS, 0x482a);
    CHECK_EQ(VMX_PREEMPTION_TIMER_VALUE, 0x482e);
    CHECK_EQ(HOST_IA32_SYSENTER_CS, 0x4c00);
    CHECK_EQ(CR0_GUEST_HOST_MASK, 0x6000);
    CHECK_EQ(CR3_TARGET_VALUE3, 0x600e);
    CHECK_EQ(EXIT_QUALIFICATION, 0x6400);
    CHECK_EQ(GUEST_LINEAR_ADDRESS, 0x640a);
    CHECK_EQ(GUEST_CR0, 0x6800);
    CHECK_EQ(GUEST_RFLAGS, 0x6820);
    CHECK_EQ(GUEST_SYSENTER_EIP, 0x6826);
    CHECK_EQ(HOST_RSP, 0x6c14);
    CHECK_EQ(HOST_RIP, 0x6c16);
}

TEST(vmcs_field_names)
{
    CHECK_STR(vmcs_field_name(0x0000), "VIRTUAL_PROCESSOR_ID");
    CHECK_STR(vmcs_field_name(0x201a), "EPT_POINTER");
    CHECK_STR(vmcs_field_name(GUEST_CS_AR_BYTES), "GUEST_CS_AR_BYTES");
    CHECK_STR(vmcs_field_name(0x6c16), "HOST_RIP");
    CHECK_STR(vmcs_field_name(0x4402), "VM_EXIT_REASON");
    CHECK_STR(vmcs_field_name(0x201b), "unknown VMCS field");
    CHECK_STR(vmcs_field_name(0x482c), "unknown VMCS field");
    CHECK(vmcs_field_lookup(0x482c) == NULL);
    const struct vmcs_field_info *f = vmcs_field_lookup(GUEST_CR3);
    REQUIRE(f != NULL);
    CHECK_EQ(f->group, VMCS_TYPE_GUEST);
    CHECK_EQ(vmcs_field_table[0].encoding, VIRTUAL_PROCESSOR_ID);
    CHECK_EQ(vmcs_field_table[vmcs_field_count - 1].encoding, HOST_INTR_SSP_TABLE);
}

TEST(decode_cr_access)
{
    struct cr_access a;
    /* mov %rbx, %cr3: cr 3, type 0, gpr 3 */
    vmx_decode_cr_access(0x0303, &a);
    CHECK_EQ(a.cr, 3);
    CHECK_EQ(a.type, CR_ACCESS_MOV_TO_CR);
    CHECK_EQ(a.gpr, 3);
    /* mov %cr0, %r12: cr 0, type 1, gpr 12 */
    vmx_decode_cr_access(0x0c10, &a);
    CHECK_EQ(a.cr, 0);
    CHECK_EQ(a.type, CR_ACCESS_MOV_FROM_CR);
    CHECK_EQ(a.gpr, 12);
    /* clts */
    vmx_decode_cr_access(0x0020, &a);
    CHECK_EQ(a.type, CR_ACCESS_CLTS);
    /* lmsw from memory with source data 0x0011 */
    vmx_decode_cr_access(0x00110070, &a);
    CHECK_EQ(a.type, CR_ACCESS_LMSW);
    CHECK(a.lmsw_memory);
    CHECK_EQ(a.lmsw_data, 0x0011);
    /* mov %rax, %cr4 */
    vmx_decode_cr_access(0x0004, &a);
    CHECK_EQ(a.cr, 4);
    CHECK_EQ(a.gpr, 0);
    CHECK(!a.lmsw_memory);
}

TEST(decode_io)
{
    struct io_access io;
    /* outb %al, $0x80: size 0 (1 byte), out, immediate operand, port 0x80 */
    vmx_decode_io(0x00800040, &io);
    CHECK_EQ(io.size, 1);
    CHECK(!io.in);
    CHECK(!io.string);
    CHECK(!io.rep);
    CHECK(io.imm_operand);
    CHECK_EQ(io.port, 0x80);
    /* inl (%dx), port 0xcfc: size 3 (4 bytes), in */
    vmx_decode_io(0x0cfc000b, &io);
    CHECK_EQ(io.size, 4);
    CHECK(io.in);
    CHECK(!io.imm_operand);
    CHECK_EQ(io.port, 0xcfc);
    /* rep outsw to 0x3f8: size 1 (2 bytes), string, rep */
    vmx_decode_io(0x03f80031, &io);
    CHECK_EQ(io.size, 2);
    CHECK(!io.in);
    CHECK(io.string);
    CHECK(io.rep);
    CHECK_EQ(io.port, 0x3f8);
    /* port 0xffff */
    vmx_decode_io(0xffff0008, &io);
    CHECK_EQ(io.port, 0xffff);
    CHECK(io.in);
}

TEST(decode_ept_violation)
{
    struct ept_violation v;
    /* write to a read-only page, linear address valid and final translation */
    vmx_decode_ept_violation(0x18a, &v);
    CHECK(!v.read);
    CHECK(v.write);
    CHECK(!v.fetch);
    CHECK(v.readable);
    CHECK(!v.writable);
    CHECK(!v.executable);
    CHECK(v.gla_valid);
    CHECK(v.gla_final);
    CHECK_STR(vmx_ept_access_name(0x18a), "write");
    /* read of a non-present page */
    vmx_decode_ept_violation(0x181, &v);
    CHECK(v.read);
    CHECK(!v.readable && !v.writable && !v.executable);
    CHECK_STR(vmx_ept_access_name(0x181), "read");
    /* fetch from a readable+writable, non-executable page */
    vmx_decode_ept_violation(0x19c, &v);
    CHECK(v.fetch);
    CHECK(v.readable && v.writable && !v.executable);
    CHECK_STR(vmx_ept_access_name(0x19c), "instruction fetch");
    /* paging-structure access (bit 8 clear), NMI unblocking, read-modify-write */
    vmx_decode_ept_violation(0x1083, &v);
    CHECK(v.read && v.write);
    CHECK(v.gla_valid && !v.gla_final);
    CHECK(v.nmi_unblocking);
    CHECK_STR(vmx_ept_access_name(0x1083), "write");
    /* advanced information bits 9-11, 13 and user-mode execute bit 6 */
    vmx_decode_ept_violation(0x2e44, &v);
    CHECK(v.user_executable && v.user_mode && v.rw_page && v.nx_page && v.shadow_stack);
    CHECK(!v.gla_valid);
}

TEST(insn_status_constants)
{
    CHECK_EQ(vmx_status(false, false), VMX_OK);
    CHECK_EQ(vmx_status(false, true), VMX_FAIL_VALID);
    CHECK_EQ(vmx_status(true, false), VMX_FAIL_INVALID);
    CHECK_EQ(INVEPT_SINGLE_CONTEXT, 1);
    CHECK_EQ(INVVPID_SINGLE_CONTEXT, 1);
    /* Taking the addresses makes the compiler emit (and the assembler check) the asm. */
    uintptr_t fns[] = {
        (uintptr_t)vmx_on, (uintptr_t)vmx_off, (uintptr_t)vmx_vmclear,
        (uintptr_t)vmx_vmptrld, (uintptr_t)vmx_vmptrst, (uintptr_t)vmx_vmread,
        (uintptr_t)vmx_vmwrite, (uintptr_t)vmx_vmlaunch, (uintptr_t)vmx_vmresume,
        (uintptr_t)vmx_invept, (uintptr_t)vmx_invvpid, (uintptr_t)vmcs_read,
        (uintptr_t)vmcs_write,
    };
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        CHECK(fns[i] != 0);
}

UNIT_MAIN(T(insn_error_names), T(exit_reason_names), T(vmcs_table_entries_unique_and_consistent),
          T(vmcs_field_widths_and_types), T(vmcs_field_encodings), T(vmcs_field_names),
          T(decode_cr_access), T(decode_io), T(decode_ept_violation), T(insn_status_constants))
