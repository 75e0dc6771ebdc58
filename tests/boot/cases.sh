#!/usr/bin/env bash
# Emulator boot cases.  Each case_NAME boots the real ISO and asserts on the
# serial log; run_all.sh runs them in this order, one emulator at a time.
# shellcheck source=tests/boot/lib.sh
source tests/boot/lib.sh

BOOT_CASES=(qemu_bios qemu_uefi bochs_skylake bad_cmdline bad_console selftest_fault loglevel)

# The common boot report: banner first, memory map, resident range above 16 MiB.
expect_boot_report() {
    local first
    first=$(grep -m1 -E '^skiff: ' "$LOG")
    [[ $first =~ ^skiff:\ Skiff\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "first Skiff line is not the banner: '$first'"
    expect_order '^skiff: memory map \([0-9]+ entries\):' '^skiff:   mem 0x0000000000100000-0x[0-9a-f]+ usable' \
        '^skiff: memory: [0-9]+ MiB usable' '^skiff: resident phys=0x[0-9a-f]+-0x[0-9a-f]+$'
    local start
    start=$(sed -nE 's/^skiff: resident phys=0x([0-9a-f]+)-.*/\1/p' "$LOG")
    [ $((16#$start)) -ge $((16 << 20)) ] || fail "Skiff resident at 0x$start, below 16 MiB"
}

case_qemu_bios() {
    boot qemu_bios qemu ""
    expect_boot_report
    expect '^skiff: loader: GRUB .* firmware BIOS$'
    expect '^skiff: error: VMX not available on this CPU'
    expect_status 3 qemu
}

case_qemu_uefi() {
    boot qemu_uefi uefi "" 90
    expect_boot_report
    expect '^skiff: loader: GRUB .* firmware UEFI$'
    expect '^skiff: error: VMX not available on this CPU'
    expect_status 3 uefi
}

case_bochs_skylake() {
    boot bochs_skylake bochs:corei7_skylake_x ""
    expect_boot_report
    expect '^skiff: vmx: '
    expect_status 0 bochs:
}

case_bad_cmdline() {
    boot bad_cmdline qemu "loglevel=debug frobnicate=1"
    expect "^skiff: error: bad command line: unknown option 'frobnicate=1'$"
    expect_not '^skiff: memory map'
    expect_status 2 qemu
}

case_bad_console() {
    boot bad_console qemu "console=ttyS7"
    expect "^skiff: error: bad command line: bad value in 'console=ttyS7'$"
    expect_status 2 qemu
}

case_selftest_fault() {
    boot selftest_fault qemu "selftest=fault"
    expect_order '^skiff: selftest=fault' \
        '^skiff: HOST EXCEPTION vector=14 \(#PF page fault\) error_code=0x2$' \
        '^skiff: RIP=ffffffff8[0-9a-f]{7} CS=0008 RFLAGS=[0-9a-f]{16} RSP=ffffffff8[0-9a-f]{7} SS=0010$' \
        '^skiff: CR0=[0-9a-f]{16} CR2=00000dead0000000 CR3=[0-9a-f]{16} CR4=[0-9a-f]{16}$' \
        '^skiff: RAX=[0-9a-f]{16} RBX=' '^skiff: RSI=' '^skiff: R8 =' '^skiff: R12=' \
        '^skiff: stack trace:$' '^skiff:   #0 0xffffffff8' '^skiff:   #1 0xffffffff8'
    expect_status 4 qemu
}

case_loglevel() {
    boot loglevel qemu "loglevel=error"
    expect_not '^skiff: memory map'
    expect '^skiff: resident phys='
    expect_status 3 qemu
}
