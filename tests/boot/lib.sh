#!/usr/bin/env bash
# Helpers for Skiff's emulator boot tests: build an ISO for one command line,
# boot it headless in QEMU (BIOS or UEFI) or Bochs (a chosen CPU model), and
# assert on the serial log.  Sourced by tests/boot/cases.sh.

BUILD=${BUILD:-build}
TESTDIR=$BUILD/test
mkdir -p "$TESTDIR"
SKIFF_ELF=$BUILD/skiff.elf

# grub_cfg FILE TITLE ENTRY_LINES [EXTRA_LINES]: a grub.cfg on the serial console,
# no menu delay, one entry TITLE made of ENTRY_LINES and `boot`; EXTRA_LINES go
# before the timeout.
grub_cfg() {
    cat > "$1" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
${4:+$4
}set timeout=0
menuentry "$2" {
$3
    boot
}
CFG
}

# make_iso NAME CMDLINE [MODULE_LINES]: $TESTDIR/NAME.iso whose only entry boots
# Skiff with CMDLINE; MODULE_LINES are extra grub.cfg lines (module2 ...),
# and every file named in MODULE_FILES is copied to /boot/.
make_iso() {
    local name=$1 cmdline=$2 modules=${3:-}
    grub_cfg "$TESTDIR/$name.cfg" "Skiff test $name" "    multiboot2 /boot/skiff.elf $cmdline
$modules"
    tests/boot/mkiso.sh "$TESTDIR/$name.iso" "$TESTDIR/$name.cfg" "$SKIFF_ELF" ${MODULE_FILES:-}
}

# boot NAME EMU CMDLINE [TIMEOUT]: EMU is qemu, uefi or bochs:<cpu model>[:<MiB>].
# Leaves the serial log in $TESTDIR/NAME.log and the emulator's status in EMU_RC.
boot() {
    local name=$1 emu=$2 cmdline=$3 timeout=${4:-60}
    make_iso "$name" "$cmdline" "${MODULES:-}" || { EMU_RC=255; return 1; }
    boot_iso "$name" "$emu" "$TESTDIR/$name.iso" "$timeout"
}

# boot_iso NAME EMU ISO [TIMEOUT]: boot an ISO that make_iso or make_native_iso
# built; the serial log goes to $TESTDIR/NAME.log, the status to EMU_RC.
boot_iso() {
    local name=$1 emu=$2 iso=$3 timeout=${4:-60}
    LOG=$TESTDIR/$name.log
    rm -f "$LOG"
    EMU_RC=0
    case $emu in
    qemu|uefi)
        local fw=()
        [ "$emu" = uefi ] && fw=(-bios /usr/share/ovmf/OVMF.fd)
        # QEMU_ARGS: extra arguments, split on spaces (e.g. "-machine q35 -device intel-iommu").
        local extra=()
        read -r -a extra <<< "${QEMU_ARGS:-}"
        timeout "$timeout" qemu-system-x86_64 "${fw[@]}" "${extra[@]}" -m "${QEMU_MEM:-256}" -display none \
            -serial "file:$LOG" -device isa-debug-exit,iobase=0xf4,iosize=4 \
            -cdrom "$iso" -no-reboot -net none </dev/null >"$TESTDIR/$name.emu" 2>&1 || EMU_RC=$?
        ;;
    bochs:*)
        local model mem
        model=$(echo "$emu" | cut -d: -f2)
        mem=$(echo "$emu" | cut -d: -f3)
        write_bochsrc "$TESTDIR/$name.bochsrc" "$model" "${mem:-256}" "$iso" "$LOG" \
            "$TESTDIR/$name.bochs.log"
        # A Bochs killed by `timeout` leaves its disk's lock file behind: the next run could not open it.
        [ -n "${BOCHS_DISK:-}" ] && rm -f "$BOCHS_DISK.lock"
        # BOCHS_RC_EXTRA: debugger commands run where Skiff's magic break (status 0) stops.
        printf 'c\n%squit\n' "${BOCHS_RC_EXTRA:+$BOCHS_RC_EXTRA
}" > "$TESTDIR/bochs.rc"
        timeout "$timeout" bochs -q -f "$TESTDIR/$name.bochsrc" -rc "$TESTDIR/bochs.rc" \
            </dev/null >"$TESTDIR/$name.emu" 2>&1 || EMU_RC=$?
        bochs_settle_rc "$TESTDIR/$name.bochs.log"
        ;;
    *)
        echo "unknown emulator $emu" >&2
        EMU_RC=255
        ;;
    esac
    [ -f "$LOG" ] && tr -d '\r' < "$LOG" > "$LOG.txt" && mv "$LOG.txt" "$LOG"
    touch "$LOG"
    emu_check "$emu" "$TESTDIR/$name.emu" "$TESTDIR/$name.bochs.log" "$timeout"
}

# bochs_settle_rc BOCHS_LOG: Bochs 2.7 now and then crashes while tearing down
# after it has decided its exit status; its log records that decision.
bochs_settle_rc() {
    if [ "$EMU_RC" -ge 128 ] && [ "$EMU_RC" -ne 137 ] && [ "$EMU_RC" -ne 124 ]; then
        local q
        q=$(sed -nE 's/.*quit_sim called with exit code ([0-9]+).*/\1/p' "$1" 2>/dev/null | tail -n 1)
        [ -n "$q" ] && { echo "note: Bochs crashed at exit (status $EMU_RC) after quit_sim($q)"; EMU_RC=$q; }
    fi
    return 0
}

# QEMU's intel-iommu reports every DMA fault it records on stderr too: those are
# the guest's (or a self-test's) doing, not QEMU's own errors.
QEMU_IOMMU_NOTES='^qemu-system-x86_64: (vtd_[a-z_]+: |Interrupt Mask set|New fault is not recorded)'

# emu_check EMU EMU_OUTPUT EMU_LOG TIMEOUT: an emulator that died (a signal, a
# status it never gives for a guest's run, an error before the first
# instruction) or ran out of time is reported by name with the last lines of
# what it printed, and the boot fails (status 1) instead of leaving an empty
# serial log to puzzle over.  Bochs ends a run with 0 (magic break) or 1 (a
# power-off, the shutdown port, a triple fault); QEMU with isa-debug-exit's
# (N << 1) | 1 or 0 (its own power-off), and prints "qemu-system-x86_64:" for
# errors of its own.
emu_check() {
    local emu=$1 out=$2 elog=$3 limit=$4 why=
    case $emu in
    bochs:*)
        if [ "$EMU_RC" -eq 124 ]; then why="still running after ${limit}s (killed by timeout)"
        elif [ "$EMU_RC" -gt 1 ]; then why="died with exit status $EMU_RC$(signal_name "$EMU_RC")"
        fi ;;
    qemu|uefi|qemu:*)
        if [ "$EMU_RC" -eq 124 ]; then why="still running after ${limit}s (killed by timeout)"
        elif [ "$EMU_RC" -ge 128 ]; then why="died with exit status $EMU_RC$(signal_name "$EMU_RC")"
        elif grep -v -E "$QEMU_IOMMU_NOTES" "$out" 2>/dev/null | grep -c '^qemu-system-x86_64: ' >/dev/null; then
            why="reported an error"
        fi ;;
    esac
    [ -z "$why" ] && return 0
    [ "${EMU_TIMEOUT_OK:-0}" = 1 ] && [ "$EMU_RC" -eq 124 ] && return 0
    echo "    EMULATOR: ${emu%%:*} $why; its last lines:"
    tail -n 5 "$out" 2>/dev/null | sed 's/^/    | /'
    [ -f "$elog" ] && grep -E 'PANIC|ERROR|buffer overflow' "$elog" 2>/dev/null | tail -n 3 | sed 's/^/    | /'
    return 1
}

# signal_name STATUS: " (SIGNAME)" for a shell status above 128.
signal_name() {
    [ "$1" -gt 128 ] && [ "$1" -lt 160 ] && echo " (killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null))"
    return 0
}

# make_native_iso NAME ENTRY FILE...: $TESTDIR/NAME.iso whose only entry is
# GRUB straight to a guest, without Skiff: ENTRY is the menu entry's body
# (`multiboot /boot/x.elf ARGS`, `linux /boot/vmlinuz ARGS` and `initrd ...`),
# each FILE is copied to /boot/.
make_native_iso() {
    local name=$1 entry=$2
    shift 2
    grub_cfg "$TESTDIR/$name.cfg" "native $name" "$entry"
    tests/boot/mkiso.sh "$TESTDIR/$name.iso" "$TESTDIR/$name.cfg" "$SKIFF_ELF" "$@"
}

# boot_native NAME EMU ENTRY [TIMEOUT] with NATIVE_FILES: the same guest on the bare
# (emulated) machine, in the same emulator and CPU model as its Skiff run.
boot_native() {
    local name=$1 emu=$2 entry=$3 timeout=${4:-60}
    # shellcheck disable=SC2086
    make_native_iso "$name" "$entry" ${NATIVE_FILES:-} || { EMU_RC=255; return 1; }
    boot_iso "$name" "$emu" "$TESTDIR/$name.iso" "$timeout"
}

# compare_native NAME EMU PROBE_ARGS [SKIFF_CMDLINE]: the probe guest
# (guest/programs/probe/) natively and under Skiff, in the same emulator and model;
# its `probe: ` lines land in $TESTDIR/NAME.native.txt and NAME.skiff.txt,
# and tests/boot/guestdiff.py checks that every difference between them is
# one the README documents (it prints each difference and its rule).
compare_native() {
    local name=$1 emu=$2 args=$3 cmdline=${4:-}
    local elf=$BUILD/guest/probe.elf
    NATIVE_FILES=$elf EMU_TIMEOUT_OK=0 boot_native "$name.native" "$emu" \
        "    multiboot /boot/probe.elf $args" 120 || return 1
    grep -q '^probe: end$' "$LOG" || { fail "the probe guest did not finish natively (see $LOG)"; return 1; }
    grep '^probe: ' "$LOG" > "$TESTDIR/$name.native.txt"
    MODULE_FILES=$elf MODULES="    module2 /boot/probe.elf guest=multiboot $args" \
        boot "$name" "$emu" "$cmdline" 120 || return 1
    grep -q '^probe: end$' "$LOG" || { fail "the probe guest did not finish under Skiff (see $LOG)"; return 1; }
    expect '^skiff: (cpu0: )?guest powered off \(port 0x8900\)$'   # cpu0: with several vCPUs
    grep '^probe: ' "$LOG" > "$TESTDIR/$name.skiff.txt"
    python3 tests/boot/guestdiff.py probe "$TESTDIR/$name.native.txt" "$TESTDIR/$name.skiff.txt" ||
        fail "the probe guest saw differences the README does not document"
}

# write_bochsrc FILE MODEL MEM_MIB ISO SERIAL_LOG BOCHS_LOG
# BOCHS_FW=uefi: Debian's OVMF instead of the Bochs BIOS; OVMF reads MSR 0x17
# (IA32_PLATFORM_ID), which Bochs' models lack, so unknown MSRs are ignored there.
# `sound: driver=dummy`: without a sound card Bochs 2.7 aborts in its ALSA plugin.
# BOCHS_DISK=IMAGE: a raw hard disk as ata0-master (BIOS drive 0x80) with the geometry
# BOCHS_DISK_GEOM, and the ISO moves to ata0-slave (still the boot device).
# BOCHS_EMPTY_FLOPPY=1: a 1.44 MB diskette drive (BIOS drive 0x00) with no diskette in it.
write_bochsrc() {
    local rom="file=/usr/share/bochs/BIOS-bochs-latest" bad=${BOCHS_BAD_MSRS:-0}
    local ata="ata0-master: type=cdrom, path=$4, status=inserted"
    [ -n "${BOCHS_DISK:-}" ] && ata="ata0-master: type=disk, path=$BOCHS_DISK, mode=flat, ${BOCHS_DISK_GEOM:-cylinders=20, heads=16, spt=63}
ata0-slave: type=cdrom, path=$4, status=inserted"
    [ "${BOCHS_EMPTY_FLOPPY:-0}" = 1 ] && ata+="
floppya: type=1_44"
    if [ "${BOCHS_FW:-bios}" = uefi ]; then
        rom="file=/usr/share/ovmf/OVMF.fd, address=0xffe00000"
        bad=1
    fi
    cat > "$1" <<RC
romimage: $rom
vgaromimage: file=/usr/share/vgabios/vgabios.bin
display_library: rfb, options="timeout=0"
sound: driver=dummy
cpu: model=$2, count=${BOCHS_CPUS:-1}, ips=${BOCHS_IPS:-50000000}, reset_on_triple_fault=0, ignore_bad_msrs=$bad
memory: guest=$3, host=$3
$ata
boot: cdrom
clock: sync=none, time0=local
com1: enabled=1, mode=file, dev=$5
magic_break: enabled=1
port_e9_hack: enabled=1
panic: action=fatal
log: $6
RC
}

# --- assertions: each prints why it failed and returns 1 -------------------

fail() { echo "    FAIL: $*"; return 1; }

# expect REGEX...: every extended regex matches some line of $LOG.
expect() {
    local re
    for re in "$@"; do
        grep -qE -- "$re" "$LOG" || fail "no line matches /$re/"
    done
}

# expect_not REGEX: no line matches.
expect_not() {
    ! grep -qE -- "$1" "$LOG" || fail "unexpected line matches /$1/: $(grep -m1 -E -- "$1" "$LOG")"
}

# expect_not_after MARKER REGEX: no line after the first MARKER line matches REGEX.
expect_not_after() {
    local m n
    m=$(grep -nE -m1 -- "$1" "$LOG" | cut -d: -f1)
    [ -n "$m" ] || return 0
    n=$(awk -F: -v s="$m" '$1 > s { print $1; exit }' < <(grep -nE -- "$2" "$LOG"))
    [ -z "$n" ] || fail "unexpected line $n after /$1/ matches /$2/"
}

# expect_order REGEX...: the regexes match lines in this order.
# (No pipelines that stop reading early: with pipefail a SIGPIPE would count as failure.)
expect_order() {
    local line=0 re n
    for re in "$@"; do
        # grep does the matching (awk's regexes differ between awks); awk picks the line.
        n=$(awk -F: -v s="$line" '$1 > s { print $1; exit }' < <(grep -nE -- "$re" "$LOG"))
        [ -n "$n" ] || { fail "no line matches /$re/ after line $line"; return 1; }
        line=$n
    done
}

# expect_count N REGEX: exactly N lines match.
expect_count() {
    local n
    n=$(grep -cE -- "$2" "$LOG")
    [ "$n" -eq "$1" ] || fail "expected $1 lines matching /$2/, saw $n"
}

# run_id [LOG]: the id that ends Skiff's banner, `skiff: Skiff ... run=ID` (16 hex digits).
run_id() {
    sed -nE 's/^skiff: Skiff [0-9]+\.[0-9]+\.[0-9]+[^ ]* - .* run=([0-9a-f]{16})$/\1/p' "${1:-$LOG}" | head -n 1
}

# expect_status N EMU: Skiff's last line is `skiff: exit status=N run=ID` with the banner's id
# (a line a guest prints cannot carry it), and the emulator's own exit status agrees
# (QEMU: (N<<1)|1; Bochs: 0 for N=0, else 1).
expect_status() {
    local want=$1 emu=$2 last id
    last=$(grep -E '^skiff: ' "$LOG" | tail -n 1)
    id=$(run_id)
    [ -n "$id" ] || { fail "no run id in Skiff's banner"; return 1; }
    [ "$last" = "skiff: exit status=$want run=$id" ] ||
        { fail "last Skiff line is '$last', want 'skiff: exit status=$want run=$id'"; return 1; }
    case $emu in
    qemu|uefi) [ "$EMU_RC" -eq $(((want << 1) | 1)) ] || fail "QEMU exit status $EMU_RC, want $(((want << 1) | 1))" ;;
    bochs:*)
        local b=1
        [ "$want" -eq 0 ] && b=0
        [ "$EMU_RC" -eq "$b" ] || fail "Bochs exit status $EMU_RC, want $b"
        ;;
    esac
}
