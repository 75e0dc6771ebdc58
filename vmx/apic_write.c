/*
 * The guest's writes to the local APIC while several vCPUs run.
 *
 * The APIC page stays the real one (reads go straight to it), but the EPT
 * maps it read-only, so each write exits as an EPT violation and Skiff does
 * it for the guest (vmx/insn_store.c decodes the store).  INIT and SIPI IPIs
 * for the guest's vCPUs are Skiff's to deliver (vmx/smp_guest.c).
 */
#include "vmx/apic_write.h"

#include "kernel/console.h"
#include "kernel/cpu.h"
#include "vmx/exit.h"
#include "vmx/guest_mem.h"
#include "vmx/insn_store.h"
#include "vmx/smp_guest.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fields.h"

uint64_t apic_write_page;                /* the APIC page's address, 0 = writes not trapped */

#define APIC_ICR_LOW  0x300
#define APIC_ICR_HIGH 0x310

bool apic_write_exit(struct vcpu *v, uint64_t gpa, enum exit_action *act)
{
    if (!apic_write_page || (gpa & ~0xfffull) != apic_write_page || !(vcpu_qual(v) & 2))
        return false;
    uint8_t bytes[15] = { 0 };
    size_t n = 0;
    uint64_t cs_base = vmcs_read(GUEST_CS_BASE);
    while (n < sizeof(bytes) && guest_read(cs_base + v->guest_rip + n, &bytes[n], 1))
        n++;
    bool long_mode = vmcs_read(GUEST_CS_AR_BYTES) & (1u << 13);
    bool code32 = vmcs_read(GUEST_CS_AR_BYTES) & (1u << 14);
    struct insn_store st;
    if ((!long_mode && !code32) || !insn_decode_store32(bytes, n, long_mode, &st)) {
        kprintf("skiff: error: guest write to the local APIC (offset 0x%llx) by an instruction Skiff "
                "does not emulate: %02x %02x %02x %02x %02x %02x at RIP 0x%llx\n",
                (unsigned long long)(gpa & 0xfff), bytes[0], bytes[1], bytes[2], bytes[3], bytes[4],
                bytes[5], (unsigned long long)v->guest_rip);
        vcpu_dump(v);
        *act = vcpu_stop(v, GUEST_STOPPED, 1, "stopped: unsupported local APIC write");
        return true;
    }
    uint32_t val = st.is_imm ? st.imm : (uint32_t)*vcpu_gpr(v, st.reg);
    volatile uint32_t *apic = (volatile uint32_t *)apic_write_page;   /* identity mapped */
    unsigned off = (unsigned)(gpa & 0xff0);
    if (!(off == APIC_ICR_LOW && smp_guest_icr_write(val, apic[APIC_ICR_HIGH / 4] >> 24)))
        apic[off / 4] = val;
    vcpu_skip_insn_len(v, st.len);
    *act = EXIT_RESUME;
    return true;
}
