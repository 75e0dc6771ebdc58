#!/usr/bin/env bash
# UEFI with VMX: Bochs runs Debian's OVMF (BOCHS_FW=uefi, tests/boot/lib.sh), which
# boots the same hybrid ISO through GRUB's EFI loader.  OVMF in Bochs leaves
# IA32_FEATURE_CONTROL unlocked and has no ACPI tables (it gets them from QEMU's
# fw_cfg): Skiff locks VMX on, says there is no RSDP, and runs each kind of guest.
# OVMF takes about 10 s to reach GRUB.

BOOT_CASES+=(uefi_bochs_builtin uefi_bochs_multiboot uefi_bochs_linux)

# What every UEFI boot reports where a BIOS boot reports the firmware's tables.
expect_uefi_report() {
    expect_boot_report
    expect '^skiff: loader: GRUB .* firmware UEFI$'
    expect '^skiff: acpi: no RSDP in the boot information: no ACPI power-off or reset$'
    expect '^skiff: console: (no screen: .*|screen: framebuffer .*)$'
    expect '^skiff: vmx: IA32_FEATURE_CONTROL=0x0 unlocked: enabling VMX outside SMX and locking it$'
    expect_not '^skiff: error'
}

case_uefi_bochs_builtin() {
    BOCHS_FW=uefi boot uefi_bochs_builtin bochs:corei7_skylake_x "" 180
    expect_uefi_report
    expect_builtin_guest_run
}

case_uefi_bochs_multiboot() {
    BOCHS_FW=uefi MODULE_FILES="$BUILD/guest/mbtest.elf" \
        MODULES="    module2 /boot/mbtest.elf guest=multiboot mbtest-arg=1" \
        boot uefi_bochs_multiboot bochs:corei7_skylake_x "" 180
    expect_uefi_report
    expect_order "^mbtest: cmdline='mbtest-arg=1'$" \
        '^mbtest: wrote and read back [0-9]+ usable pages \([0-9]+ map entries\), no EPT violation$' \
        '^skiff: guest exited with status 0$'
    expect_status 0 bochs:
}

# Linux reaches its initramfs.  With no ACPI tables it cannot power off: `poweroff -f`
# ends in "reboot: System halted" (HLT with interrupts off), Skiff's halted verdict (hlt=exit).
case_uefi_bochs_linux() {
    BOCHS_FW=uefi linux_boot uefi_bochs_linux corei7_skylake_x "guest_mem=128M hlt=exit" 400 || return 1
    expect_uefi_report
    expect_order '^skiff: launching the guest' \
        "^SKIFF-LINUX-OK uname=$(cat "$BUILD/linux/kernel-version") hypervisor=yes vmx=no nproc=1$" \
        '^skiff: guest halted with interrupts disabled at RIP=0x[0-9a-f]+: it can never run again$'
    expect_not '^skiff: EPT violation'
    expect_status 1 bochs:
}
