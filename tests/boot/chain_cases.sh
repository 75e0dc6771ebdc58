#!/usr/bin/env bash
# guest=chain (issue 22): the BIOS boots a disk under Skiff.  The disk is
# build/guest/chainprobe.img (guest/programs/chainprobe/), a boot sector that
# prints the firmware's memory answers (E820 in both entry sizes with the
# continuation values, E801h, 88h, INT 12h, the BDA's base-memory word, DL) and
# tests every usable page above 1 MiB.  Natively GRUB chain-loads it
# (`chainloader (hd0)+1`) in the same Bochs, with the same disk and ISO drives.
# Sourced by tests/boot/cases.sh.

BOOT_CASES+=(chain_probe chain_probe_2cpus chain_no_signature chain_no_drive chain_read_error chain_uefi make_run_disk chain_linux chain_linux_2cpus)

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
    grep '^chainprobe: ' "$LOG" > "$TESTDIR/$name.txt" || true
}

# chain_skiff_run NAME CMDLINE: Skiff with CMDLINE (guest=chain ...) from the ISO, the probe's disk as drive 0x80.
chain_skiff_run() {
    local name=$1 cmdline=$2
    make_iso "$name" "$cmdline" || return 1
    cp "$CHAIN_IMG" "$TESTDIR/$name.img"
    BOCHS_DISK=$TESTDIR/$name.img boot_iso "$name" "$CHAIN_EMU" "$TESTDIR/$name.iso" 120 || return 1
    grep '^chainprobe: ' "$LOG" > "$TESTDIR/$name.txt" || true
}

# The probe natively, then under Skiff: the same map but for Skiff's withheld ranges
# (tests/boot/chaindiff.py), every usable page above 1 MiB written and read back, status 0.
case_chain_probe() {
    chain_probe_run chain_probe
}

# Two CPUs: the AP start-up page joins the hook page at the top of base memory (kernel/smp/smp.c).
case_chain_probe_2cpus() {
    BOCHS_CPUS=2 chain_probe_run chain_probe_2cpus
    expect '^skiff: owned: 0x9d000-0x9dfff guest=chain: BIOS hook page' '^skiff: owned: 0x9e000-0x9efff SMP start-up page' \
        '^chainprobe: int12 ax=0x00000274$'
}

chain_probe_run() {
    local name=$1
    chain_native_run $name.native
    expect '^chainprobe: dl=0x00000080$' '^chainprobe: end$'
    [ "$EMU_RC" -eq 1 ] || fail "native: Bochs exit status $EMU_RC, want 1 (the shutdown port)"
    local native=$LOG
    chain_skiff_run $name "guest=chain loglevel=debug"
    expect '^skiff: chain: BIOS drive 0x80 \(default\); hook page ' \
        '^skiff: (cpu0: )?chain: drive 0x80: boot sector read with INT 13h AH=02h, signature 0x55AA' \
        '^chainprobe: end$' '^skiff: (cpu0: )?guest powered off \(port 0x8900\)$' \
        '^skiff: chain: BIOS calls answered: E820h=[1-9][0-9]* E801h/E881h=1 88h=1 INT12h=1;'
    expect_not 'EPT violation'
    expect_status 0 "$CHAIN_EMU"
    python3 tests/boot/chaindiff.py "$native" "$LOG" || fail "the probe's memory answers differ (above)"
}

# A disk whose sector 0 has no 0x55AA: named, and the stub never jumps to it.
case_chain_no_signature() {
    local img=$TESTDIR/chain_no_signature.img
    make_iso chain_no_signature "guest=chain"
    cp "$CHAIN_IMG" "$img"
    printf '\0\0' | dd of="$img" bs=1 seek=510 conv=notrunc status=none
    BOCHS_DISK=$img boot_iso chain_no_signature "$CHAIN_EMU" "$TESTDIR/chain_no_signature.iso" 120
    expect '^skiff: error: chain: drive 0x80: no boot signature \(0x55AA\) at the end of its boot sector$' \
        '^skiff: guest stopped: chain-boot failed: no boot signature$'
    expect_not '^chainprobe: '
    expect_status 1 "$CHAIN_EMU"
}

# chain_drive= naming a drive the BIOS does not have (one hard disk: 0x80 only).
case_chain_no_drive() {
    chain_skiff_run chain_no_drive "guest=chain chain_drive=0x81"
    expect '^skiff: chain: BIOS drive 0x81 \(chain_drive=\)' \
        '^skiff: error: chain: no such drive 0x81 \(INT 13h AH=08h: CF set, status 0x01: invalid function or parameter\)$' \
        '^skiff: guest stopped: chain-boot failed: no such drive$'
    expect_not '^chainprobe: '
    expect_status 1 "$CHAIN_EMU"
}

# chain_drive= naming a drive that is there but cannot be read: the diskette drive (0x00)
# with no diskette.  The Bochs BIOS answers INT 13h AH=08h for it (a 1.44 MB drive); each
# AH=02h read goes to the diskette controller, which finds no medium and never answers
# (Bochs: "attempt to read/write sector 1 with media not present"), so the BIOS times out:
# CF set, status 80h.  The verdict names that status.
case_chain_read_error() {
    BOCHS_EMPTY_FLOPPY=1 chain_skiff_run chain_read_error "guest=chain chain_drive=0x00"
    expect '^skiff: chain: BIOS drive 0x00 \(chain_drive=\)' \
        '^skiff: error: chain: drive 0x00: INT 13h read of the boot sector failed: status 0x80 \(timeout \(drive not ready\); AH=02h, 3 tries with a reset between\)$' \
        '^skiff: guest stopped: chain-boot failed: read error$'
    expect_not '^chainprobe: '
    expect_status 1 "$CHAIN_EMU"
}

# Booted through UEFI (OVMF in Bochs): refused by name before VMX is on.
case_chain_uefi() {
    BOCHS_FW=uefi boot chain_uefi bochs:corei7_skylake_x:256 "guest=chain" 180
    expect '^skiff: error: guest=chain: this machine was booted through UEFI; chain-boot is the BIOS path \(INT 13h, INT 15h\): UEFI chain-boot is not there yet$'
    expect_not '^skiff: launching the guest'
    expect_status 3 bochs:corei7_skylake_x
}

# `make run DISK=image`'s Bochs path (tests/boot/run.sh): the probe's disk under guest=chain.
case_make_run_disk() {
    LOG=$TESTDIR/make_run_disk.log
    local rc=0 disk=$TESTDIR/make_run_disk.img
    cp "$CHAIN_IMG" "$disk"
    make --no-print-directory iso BUILD="$BUILD" >/dev/null || { fail "make iso failed"; return 1; }
    DISK=$disk timeout 300 tests/boot/run.sh bochs "$BUILD/skiff.iso" >"$LOG" 2>"$TESTDIR/make_run_disk.err" </dev/null || rc=$?
    tr -d '\r' < "$LOG" > "$LOG.txt" && mv "$LOG.txt" "$LOG"
    [ "$rc" -eq 0 ] || fail "DISK=... tests/boot/run.sh bochs exited with $rc: $(tail -n 3 "$TESTDIR/make_run_disk.err")"
    expect "^skiff: command line: 'guest=chain ?'$" '^chainprobe: memtest pages=0x[0-9a-f]+ bad=0x00000000 ' \
        '^skiff: guest powered off \(port 0x8900\)$'
    local last
    last=$(grep -E '^skiff: ' "$LOG" | tail -n 1)
    [ "$last" = "skiff: exit status=0 run=$(run_id)" ] || fail "make run's last Skiff line is '$last'"
}

# A disk no one here wrote the boot path of (tests/linux/mkdisk.sh): Debian's GRUB from its
# MBR, the Debian cloud kernel and the busybox initramfs from the disk.  Natively (GRUB's
# chainloader, as for the probe) and under Skiff, in the same Bochs: Linux reaches its
# initramfs, sees CHAIN_LINUX_CPUS CPUs, prints the same e820 map but for Skiff's withheld
# ranges, counts that much less memory (`Memory: A/BK available`, and MemTotal by the
# withheld pages above 1 MiB: chaindiff.py), and its /proc/cpuinfo flags differ only as
# the README documents.
CHAIN_LINUX_ARGS="console=ttyS0 cryptomgr.notests panic=-1"
chain_linux_run() {
    local name=$1 cpus=$2 disk=$TESTDIR/chain_linux_disk.raw geom t0 t1 t2 t3
    tests/linux/build_inputs.sh "$BUILD/linux" >/dev/null || { fail "cannot build the Linux inputs"; return 1; }
    geom=$(tests/linux/mkdisk.sh "$disk" "$BUILD/linux/vmlinuz" "$BUILD/linux/initrd.img" "$CHAIN_LINUX_ARGS") ||
        { fail "cannot build the disk"; return 1; }
    local emu=bochs:corei7_skylake_x:256
    grub_cfg "$TESTDIR/$name.native.cfg" "native $name" "    set root=(hd0)
    chainloader +1"
    tests/boot/mkiso.sh "$TESTDIR/$name.native.iso" "$TESTDIR/$name.native.cfg" "$SKIFF_ELF" || return 1
    cp "$disk" "$TESTDIR/$name.native.img"
    t0=$(date +%s.%N)
    BOCHS_CPUS=$cpus BOCHS_BAD_MSRS=1 BOCHS_DISK=$TESTDIR/$name.native.img BOCHS_DISK_GEOM=$geom \
        boot_iso "$name.native" "$emu" "$TESTDIR/$name.native.iso" $((300 * cpus)) || return 1
    t1=$(date +%s.%N)
    expect '^disk-grub: loading the kernel from ' "^SKIFF-LINUX-OK uname=.* hypervisor=no vmx=yes nproc=$cpus$" || return 1
    local native=$LOG
    sed -n 's/^SKIFF-LINUX-FLAGS //p' "$native" > "$TESTDIR/$name.native.txt"
    make_iso "$name" "guest=chain" || return 1
    cp "$disk" "$TESTDIR/$name.img"
    t2=$(date +%s.%N)
    BOCHS_CPUS=$cpus BOCHS_BAD_MSRS=1 BOCHS_DISK=$TESTDIR/$name.img BOCHS_DISK_GEOM=$geom \
        boot_iso "$name" "$emu" "$TESTDIR/$name.iso" $((400 * cpus)) || return 1
    t3=$(date +%s.%N)
    # Each side's Bochs from its start (the BIOS) to its exit (Linux's power-off): make bench's chain row.
    awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "native=%.2f skiff=%.2f\n", b - a, d - c }' \
        > "$TESTDIR/$name.wall"
    echo "    wall time (BIOS, GRUB, Linux to power-off): $(cat "$TESTDIR/$name.wall") s"
    expect_order '^skiff: (cpu0: )?chain: drive 0x80: boot sector read with INT 13h AH=02h' \
        '^disk-grub: loading the kernel from ' "^SKIFF-LINUX-OK uname=.* hypervisor=yes vmx=no nproc=$cpus$" \
        '^skiff: (cpu0: )?guest powered off \(port 0x[0-9a-f]+\)$' '^skiff: chain: BIOS calls answered: E820h=[1-9]'
    expect_not 'EPT violation'
    expect_status 0 "$emu"
    grep -E '^skiff: (exits: |chain: BIOS calls)' "$LOG" | sed 's/^/    /'
    sed -n 's/^SKIFF-LINUX-FLAGS //p' "$LOG" > "$TESTDIR/$name.skiff.txt"
    local diff_rc=0
    python3 tests/boot/chaindiff.py --linux "$native" "$LOG" > "$TESTDIR/$name.chaindiff.txt" || diff_rc=$?
    sed 's/^/    /' "$TESTDIR/$name.chaindiff.txt"
    [ "$diff_rc" -eq 0 ] || fail "Linux's e820 map or memory figures differ beyond Skiff's pages (above)"
    python3 tests/boot/guestdiff.py cpuinfo "$TESTDIR/$name.native.txt" "$TESTDIR/$name.skiff.txt" ||
        fail "Linux's /proc/cpuinfo flags differ from native beyond the README's list"
}

case_chain_linux() {
    chain_linux_run chain_linux 1
}

# Two CPUs: the chain-booted Linux starts its AP with INIT/SIPI long after launch, under Skiff.
case_chain_linux_2cpus() {
    chain_linux_run chain_linux_2cpus 2
}
