#!/usr/bin/env bash
# guest=chain (issue 22): the BIOS boots a disk under Skiff.  The disk is
# build/guest/chainprobe.img (guest/programs/chainprobe/), a boot sector that
# prints the firmware's memory answers (E820 in both entry sizes with the
# continuation values, E801h, 88h, INT 12h, the BDA's base-memory word, DL) and
# tests every usable page above 1 MiB.  Natively GRUB chain-loads it
# (`chainloader (hd0)+1`) in the same Bochs, with the same disk and ISO drives.
# Sourced by tests/boot/cases.sh.

BOOT_CASES+=(chain_native)

CHAIN_EMU=bochs:corei7_skylake_x:128
CHAIN_IMG=$BUILD/guest/chainprobe.img

# chain_native_run NAME: the probe through GRUB's chainloader; its lines in $TESTDIR/NAME.txt.
chain_native_run() {
    local name=$1
    grub_cfg "$TESTDIR/$name.cfg" "native $name" "    set root=(hd0)
    chainloader +1"
    tests/boot/mkiso.sh "$TESTDIR/$name.iso" "$TESTDIR/$name.cfg" "$SKIFF_ELF" || return 1
    cp "$CHAIN_IMG" "$TESTDIR/$name.img"        # Bochs locks (and may write) its disk: a copy per run
    BOCHS_DISK=$TESTDIR/$name.img boot_iso "$name" "$CHAIN_EMU" "$TESTDIR/$name.iso" 120 || return 1
    grep '^chainprobe: ' "$LOG" > "$TESTDIR/$name.txt"
}

case_chain_native() {
    chain_native_run chain_native
    expect '^chainprobe: dl=0x00000080$' '^chainprobe: e820 size=0x00000018 cont=0x00000000 ' \
        '^chainprobe: memtest pages=0x[0-9a-f]+ bad=0x00000000 ' '^chainprobe: end$'
    expect_not '^chainprobe: error'
    [ "$EMU_RC" -eq 1 ] || fail "Bochs exit status $EMU_RC, want 1 (the shutdown port)"
}
