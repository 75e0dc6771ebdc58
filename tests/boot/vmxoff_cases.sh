#!/usr/bin/env bash
# vmx=off (issue 21, "firmware-facing loader paths under QEMU"): QEMU TCG has no VMX, so Skiff's
# VMX runs cannot boot there; with vmx=off (UNSAFE, a diagnostic) Skiff runs the same guest
# selection, staging, memory map and Linux loader and jumps to Linux natively.  Asserted on
# Linux's own output: it used the RSDP Skiff gave it (acpi_rsdp_addr), brought up every CPU
# itself (INIT-SIPI-SIPI from the firmware's state), and drew its console on the screen Skiff
# described in screen_info: under OVMF the GOP framebuffer (efifb, and a screendump whose rows
# have the shapes of Linux's log lines), under SeaBIOS the EGA text screen (vgacon, read back).
# Sourced by tests/boot/cases.sh.

BOOT_CASES+=(vmxoff_linux_uefi vmxoff_linux_bios vmxoff_multiboot_bios vmxoff_refused)

VMXOFF_ARGS="console=tty0 console=ttyS0 cryptomgr.notests panic=-1"
VMXOFF_SCREEN=tests/boot/screencheck.py

# vmxoff_boot NAME FW [SKIFF_OPTIONS]: Skiff with vmx=off and the Linux guest on QEMU q35, 2 CPUs,
# FW bios|uefi, in the background with -no-shutdown (Linux's power-off stops the machine and
# its screen stays to be read), monitor on $TESTDIR/NAME.mon.  Waits for Linux's power-off; a
# Skiff that ends its run instead leaves QEMU through isa-debug-exit.
vmxoff_boot() {
    local name=$1 fw=$2 opts=${3:-}
    tests/linux/build_inputs.sh "$BUILD/linux" >/dev/null || { fail "cannot build the Linux inputs"; return 1; }
    LOG=$TESTDIR/$name.log
    MON=$TESTDIR/$name.mon
    rm -f "$MON"
    : > "$LOG"
    grub_cfg "$TESTDIR/$name.cfg" "Skiff test $name" "    multiboot2 /boot/skiff.elf vmx=off $opts
    module2 /boot/vmlinuz guest=linux $VMXOFF_ARGS
    module2 /boot/initrd.img initrd" "$([ "$fw" = uefi ] && echo 'insmod all_video')"
    tests/boot/mkiso.sh "$TESTDIR/$name.iso" "$TESTDIR/$name.cfg" "$SKIFF_ELF" \
        "$BUILD/linux/vmlinuz" "$BUILD/linux/initrd.img" || return 1
    local bios=()
    [ "$fw" = uefi ] && bios=(-bios /usr/share/ovmf/OVMF.fd)
    VMXOFF_T0=$(date +%s.%N)
    timeout 120 qemu-system-x86_64 -machine q35 -smp 2 "${bios[@]}" -m 512 -display none \
        -serial "file:$LOG" -monitor "unix:$MON,server,nowait" -cdrom "$TESTDIR/$name.iso" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -no-shutdown -net none </dev/null >"$TESTDIR/$name.emu" 2>&1 &
    QPID=$!
    # Also stop at a halt or a panic (no ACPI: no power-off), not only at the time limit.
    wait_serial '^\[ *[0-9.]+\] (reboot: (Power down|System halted)|Kernel panic)' 90
    grep -qE '^\[ *[0-9.]+\] reboot: Power down' "$LOG"
    local r=$?
    [ $r -eq 0 ] && echo "    note: $name: Linux powered off $(echo "$(date +%s.%N) - $VMXOFF_T0" | bc | cut -c1-5) s after QEMU started"
    return $r
}

# The lines common to both firmwares: Skiff's UNSAFE line and hand-over, Linux's RSDP (the address
# Skiff gave), both CPUs, the initramfs' nproc.
vmxoff_expect_linux() {
    expect_order '^skiff: vmx=off: UNSAFE diagnostic mode: the guest runs without VMX \(this CPU has no VMX\), owns the machine and Skiff.s memory; nothing is contained$' \
        '^skiff: smp: smp=off: ' \
        "^skiff: guest: linux image, [0-9]+ bytes with an initrd, command line '$VMXOFF_ARGS'$" \
        '^skiff: guest: acpi_rsdp_addr 0x[0-9a-f]+$' \
        '^skiff: guest: entry at 0x[0-9a-f]+ in 64-bit mode$' \
        '^skiff: vmx=off: jumping to the guest at 0x[0-9a-f]+ natively ' \
        '^\[ *[0-9.]+\] ACPI: RSDP 0x[0-9A-F]+ ' \
        '^\[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs$' \
        '^SKIFF-LINUX-OK uname=.* nproc=2$'
    expect_not '^skiff: error'
    expect_not '^skiff: launching the guest'
    local addr linux
    addr=$(sed -nE 's/^skiff: guest: acpi_rsdp_addr (0x[0-9a-f]+)$/\1/p' "$LOG")
    linux=$(sed -nE 's/^\[ *[0-9.]+\] ACPI: RSDP (0x[0-9A-F]+) .*/\1/p' "$LOG" | head -n 1)
    [ -n "$addr" ] && [ -n "$linux" ] && [ $((addr)) -eq $((linux)) ] ||
        fail "Skiff gave acpi_rsdp_addr '$addr', Linux used the RSDP at '$linux'"
}

# vmxoff_screen NAME: the screendump taken at Linux's power-off is Linux's console: Linux's font is
# not Skiff's, so its rows are matched by shape (which cells are lit) against the serial log's
# lines, in order (tests/boot/screencheck.py shape): 90% of the rows, 20 of them Linux's kernel
# lines, the last one its power-off line.
vmxoff_screen() {
    local ppm=$TESTDIR/$1.ppm out rows matched kernel
    [ -s "$ppm" ] || { fail "no screendump"; return 1; }
    out=$(python3 "$VMXOFF_SCREEN" shape "$ppm" "$LOG") || { fail "screencheck shape failed"; return 1; }
    echo "$out" > "$TESTDIR/$1.shape"
    read -r rows matched kernel < <(echo "$out" | sed -nE 's/^shape: ([0-9]+) rows, ([0-9]+) matched in order, ([0-9]+) of them kernel lines$/\1 \2 \3/p')
    echo "    note: screendump: ${rows:-?} text rows, ${matched:-?} with the shape of a log line in order, ${kernel:-?} of them Linux's"
    [ "${kernel:-0}" -ge 20 ] && [ $((matched * 10)) -ge $((rows * 9)) ] ||
        fail "the screen is not Linux's console: $rows rows, $matched matched, $kernel kernel lines"
    echo "$out" | tail -n 1 | grep -qE '^\[ *[0-9.]+\] reboot: Power down$' ||
        fail "the screen's last matched row is not Linux's power-off line: '$(echo "$out" | tail -n 1)'"
}

# vmxoff_run NAME FW: boot, screendump at the power-off, quit QEMU.
vmxoff_run() {
    vmxoff_boot "$1" "$2"
    local ok=$?
    rm -f "$TESTDIR/$1.ppm"
    [ $ok -eq 0 ] && python3 "$VMXOFF_SCREEN" monitor "$MON" "screendump $TESTDIR/$1.ppm" >/dev/null
    qemu_quit
    [ $ok -eq 0 ] || { fail "Linux did not power off"; tail -n 3 "$LOG" | sed 's/^/    | /'; return 1; }
}

# OVMF: Skiff finds the RSDP through the EFI system table and passes GRUB's GOP framebuffer as
# VIDEO_TYPE_EFI; Linux, which gets no EFI system table from Skiff, has only acpi_rsdp_addr and
# screen_info to go on.
case_vmxoff_linux_uefi() {
    vmxoff_run vmxoff_linux_uefi uefi || return 1
    vmxoff_expect_linux
    expect '^skiff: acpi: RSDP at 0x[0-9a-f]+, found in the EFI configuration table$'
    expect_order '^skiff: guest: screen: framebuffer [0-9]+x[0-9]+x(24|32) at 0x[0-9a-f]+ \(UEFI GOP\)$' \
        '^\[ *[0-9.]+\] efifb: framebuffer at 0x[0-9a-f]+, ' \
        '^\[ *[0-9.]+\] Console: switching to colour frame buffer device [0-9]+x[0-9]+$' \
        '^\[ *[0-9.]+\] fb0: EFI VGA frame buffer device$'
    local fb efifb
    fb=$(sed -nE 's/^skiff: guest: screen: framebuffer .* at (0x[0-9a-f]+) \(UEFI GOP\)$/\1/p' "$LOG")
    efifb=$(sed -nE 's/^\[ *[0-9.]+\] efifb: framebuffer at (0x[0-9a-f]+), .*/\1/p' "$LOG")
    [ -n "$fb" ] && [ -n "$efifb" ] && [ $((fb)) -eq $((efifb)) ] || fail "Skiff passed the framebuffer at '$fb', efifb used '$efifb'"
    vmxoff_screen vmxoff_linux_uefi
}

# SeaBIOS: the EGA text screen (Multiboot2 tag type 2 -> VIDEO_TYPE_VGAC): vgacon takes it (it
# scrolls by the CRTC start address, so the screen is read as QEMU renders it, not at 0xb8000).
case_vmxoff_linux_bios() {
    vmxoff_run vmxoff_linux_bios bios || return 1
    vmxoff_expect_linux
    expect '^skiff: acpi: RSDP at 0x[0-9a-f]+, found in the (BIOS area|EBDA)$'
    expect_order '^skiff: guest: screen: EGA text 80x25 at 0xb8000$' '^\[ *[0-9.]+\] Console: colour VGA\+ 80x25$'
    expect_not 'Console: colour dummy device'
    vmxoff_screen vmxoff_linux_bios
}

# Refused where it makes no sense: with an option that needs VMX (named by the option table,
# kernel/config/cmdline.c) and without a guest module (the built-in guest needs VM exits).
case_vmxoff_refused() {
    boot vmxoff_refused_gdb qemu "vmx=off gdb=ttyS1" || return 1
    expect '^skiff: error: bad command line: vmx=off cannot go with gdb=: the gdb stub works through VM exits$'
    expect_status 2 qemu
    boot vmxoff_refused_builtin qemu "vmx=off" || return 1
    expect '^skiff: vmx=off: UNSAFE diagnostic mode: '
    expect "^skiff: error: bad command line: vmx=off needs a guest module "
    expect_status 2 qemu
}

# A 32-bit entry: the Multiboot test guest (QEMU q35, SeaBIOS), entered natively in 32-bit protected
# mode with paging off (guest/run/native_entry.S leaves IA-32e mode on the way): Multiboot's EAX and
# information structure, its command line, module, EGA text screen and memory map (Skiff's image
# reserved in it), every usable page written and read back.  Its exit hypercall (VMCALL) then
# raises #UD with no IDT: a triple fault, which -no-reboot turns into QEMU's exit 0.
case_vmxoff_multiboot_bios() {
    printf 'hello module\n' > "$TESTDIR/hello.txt"
    QEMU_ARGS="-machine q35" MODULE_FILES="$BUILD/guest/mbtest.elf $TESTDIR/hello.txt" \
    MODULES="    module2 /boot/mbtest.elf guest=multiboot mbtest-arg=1
    module2 /boot/hello.txt module greeting" boot vmxoff_multiboot_bios qemu "vmx=off" || return 1
    expect_order '^skiff: vmx=off: UNSAFE diagnostic mode: ' \
        '^skiff: guest: multiboot image, [0-9]+ bytes, command line .mbtest-arg=1.$' \
        '^skiff: guest: screen: EGA text 80x25 at 0xb8000$' \
        '^skiff: guest: entry at 0x[0-9a-f]+ in 32-bit protected mode$' \
        '^skiff: vmx=off: jumping to the guest at 0x[0-9a-f]+ natively \(32-bit protected mode, paging off, CS=0x10, EAX=0x2badb002, EBX=0x17000\)' \
        '^mbtest: hello from the Multiboot test guest$' "^mbtest: cmdline='mbtest-arg=1'$" \
        '^mbtest: framebuffer type 2 80x25x16 pitch 160 at 0x00000000000b8000$' \
        "^mbtest: module 0 'greeting' 13 bytes at 0x[0-9a-f]+, starts with 'hello module'$" \
        '^mbtest: wrote and read back [0-9]+ usable pages \([0-9]+ map entries\)'
    expect_not '^mbtest: FAILED'
    expect_not '^skiff: (error|exit status)'
    local rs re s e t ok=0 n=0 line
    read -r rs re < <(sed -nE 's/^skiff: resident phys=(0x[0-9a-f]+)-(0x[0-9a-f]+)$/\1 \2/p' "$LOG")
    while read -r s e t; do
        [ "$t" = reserved ] && [ $((s)) -le $((rs)) ] && [ $((e)) -ge $((re)) ] && ok=1
        if [ "$t" = usable ]; then
            printf -v line 'skiff: guest e820: 0x%016x-0x%016x usable' "$((s))" "$((e))"
            grep -qxF "$line" "$LOG" || fail "guest's usable range $s-$e is not in Skiff's e820 report"
            n=$((n + 1))
        fi
    done < <(sed -nE 's/^mbtest: mmap (0x[0-9a-f]+)-(0x[0-9a-f]+) ([a-z]+)$/\1 \2 \3/p' "$LOG")
    [ "$ok" = 1 ] || fail "Skiff's image $rs-$re is not reserved in the guest's map"
    [ "$n" -ge 2 ] || fail "the guest reported only $n usable ranges"
    [ "$EMU_RC" -eq 0 ] || fail "QEMU exit status $EMU_RC, want 0 (the guest's triple fault with -no-reboot)"
}
