#!/usr/bin/env bash
# Firmware that left x2APIC on (issue 21 item 8), sourced at the end of tests/boot/cases.sh.
# selftest=firmware_x2apic turns x2APIC mode on first thing on every CPU, as firmware may leave
# it.  Bochs cannot lock it (no IA32_XAPIC_DISABLE_STATUS): the locked case and the lock the
# guest reads are unit-tested (tests/unit/vmx/policy/test_apic_lock.c).

BOOT_CASES+=(fw_x2apic_builtin fw_x2apic_linux_as_native)

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

# Linux 6.1 from firmware that left x2APIC on, in Bochs, natively (GRUB's wrmsr turns it on before
# `linux`) and under Skiff (selftest=firmware_x2apic): without interrupt remapping Linux leaves
# x2APIC mode, Bochs never enables the disabled APIC again, and Linux stops at the same place both
# ways.  This shows the limit of the emulator, and that Skiff adds nothing to it: Skiff names the
# mode, tells Linux it is unlocked (every APIC id is below 255), and allows the way out.
case_fw_x2apic_linux_as_native() {
    local args="console=ttyS0 quiet loglevel=5 cryptomgr.notests panic=-1"
    local stop='^\[ *[0-9.]+\] kernel BUG at arch/x86/kernel/apic/apic.c:[0-9]+!$'
    BOCHS_BAD_MSRS=1 NATIVE_FILES="$BUILD/linux/vmlinuz $BUILD/linux/initrd.img" \
        boot_native fw_x2apic_linux_as_native.native bochs:corei7_skylake_x:256 \
        "    insmod wrmsr
    wrmsr 0x1b 0xfee00d00
    linux /boot/vmlinuz $args
    initrd /boot/initrd.img" 300 || return 1
    expect "$stop"
    local native
    native=$(grep -m 1 -E "$stop" "$LOG" | sed -E 's/^\[ *[0-9.]+\] //')
    LINUX_ARGS=$args linux_boot fw_x2apic_linux_as_native corei7_skylake_x \
        "guest_mem=128M selftest=firmware_x2apic" 300 || return 1
    expect_order '^skiff: selftest=firmware_x2apic: x2APIC mode turned on before anything else' \
        '^skiff: apic: x2APIC on \(left on by the firmware, not locked\): kept; the guest may return to xAPIC mode' \
        '^skiff: launching the guest' "$stop"
    [ "$(grep -m 1 -E "$stop" "$LOG" | sed -E 's/^\[ *[0-9.]+\] //')" = "$native" ] ||
        fail "Linux stopped elsewhere under Skiff than natively ('$native')"
    expect_not '^skiff: msr: .*0x1b'
    expect_not 'HOST EXCEPTION'
}
