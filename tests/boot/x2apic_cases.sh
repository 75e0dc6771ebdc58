#!/usr/bin/env bash
# Firmware that left x2APIC on (issue 21 item 8), sourced at the end of tests/boot/cases.sh.
# selftest=firmware_x2apic turns x2APIC mode on first thing on every CPU, as firmware may leave
# it.  Bochs cannot lock it (no IA32_XAPIC_DISABLE_STATUS): the locked case and the lock the
# guest reads are unit-tested (tests/unit/vmx/policy/test_apic_lock.c).

BOOT_CASES+=(fw_x2apic_builtin)

# The built-in guest on 2 CPUs from a machine whose firmware left x2APIC on: Skiff names the mode,
# starts its AP and ends the run through the x2APIC ICR (kernel/smp/smp.c), and the guest, which
# finds IA32_APIC_BASE in x2APIC mode, starts its AP through the ICR MSR, which Skiff traps for
# INIT and SIPI (vmx/exit/exit_msr.c).  Linux cannot be shown here: without interrupt remapping
# it leaves x2APIC mode (x2APIC -> disabled -> xAPIC), and Bochs 2.7 never enables a disabled
# APIC again (README, "Real hardware").
case_fw_x2apic_builtin() {
    smp_builtin fw_x2apic_builtin 2 "selftest=firmware_x2apic"
    expect_order '^skiff: selftest=firmware_x2apic: x2APIC mode turned on before anything else' \
        '^skiff: apic: x2APIC on \(left on by the firmware, not locked\): kept; the guest may return to xAPIC mode' \
        '^skiff: smp: CPU 1 \(APIC id 1\) started: 64-bit mode, VMXON ok'
    expect '^guest: smp: the APIC is in x2APIC mode \(IA32_APIC_BASE=(0x)?fee00d00\): INIT and SIPI through the ICR MSR 0x830$'
}
