#!/usr/bin/env bash
# Bare-hardware cases (issue 8): the ACPI summary, ACPI power-off and reset at the
# end of a run, and the screen console.  Sourced by tests/boot/cases.sh.
#
# The screen cases boot QEMU WITHOUT the isa-debug-exit device and with
# onexit=halt, so Skiff halts after its last line; they then read the screen
# through the QEMU monitor (tests/boot/screencheck.py) and quit QEMU.

BOOT_CASES+=(acpi_qemu acpi_bochs onexit_poweroff_qemu onexit_reboot_qemu
             screen_text_bios screen_text_bochs screen_only_bios screen_fb_uefi screen_fb_uefi_scroll screen_off smp_bochs_2cpus smp_bochs_builtin smp_bochs_builtin4
             smp_bochs_builtin_tripwire hw_report_bochs)

SCREENCHECK=tests/boot/screencheck.py

# qemu_nodebug NAME FW CMDLINE [GRUB_LINES]: boot in the background (FW bios|uefi),
# no isa-debug-exit, monitor on $TESTDIR/NAME.mon.  Sets LOG, MON, QPID.
qemu_nodebug() {
    local name=$1 fw=$2 cmdline=$3 extra=${4:-}
    LOG=$TESTDIR/$name.log
    MON=$TESTDIR/$name.mon
    rm -f "$LOG" "$MON"
    grub_cfg "$TESTDIR/$name.cfg" "Skiff test $name" "    multiboot2 /boot/skiff.elf $cmdline" "$extra"
    tests/boot/mkiso.sh "$TESTDIR/$name.iso" "$TESTDIR/$name.cfg" "$SKIFF_ELF" || return 1
    local bios=()
    [ "$fw" = uefi ] && bios=(-bios /usr/share/ovmf/OVMF.fd)
    timeout 120 qemu-system-x86_64 "${bios[@]}" -m 256 -display none -serial "file:$LOG" \
        -monitor "unix:$MON,server,nowait" -cdrom "$TESTDIR/$name.iso" -no-reboot -net none \
        </dev/null >"$TESTDIR/$name.emu" 2>&1 &
    QPID=$!
}

# wait_serial REGEX SECONDS: until a line of $LOG matches (CRs dropped).
wait_serial() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        grep -qE -- "$1" <(tr -d '\r' < "$LOG" 2>/dev/null) && return 0
        kill -0 "$QPID" 2>/dev/null || break
        sleep 0.1
    done
    grep -qE -- "$1" <(tr -d '\r' < "$LOG" 2>/dev/null)
}

# qemu_quit: quit QEMU through its monitor, then normalise the serial log.
qemu_quit() {
    local i
    timeout 15 python3 "$SCREENCHECK" monitor "$MON" quit >/dev/null 2>&1 || true
    # QEMU does not always act on a quit that arrives right after another monitor
    # client: give it 5 s, then stop it (the test has what it needs by now).
    for ((i = 0; i < 50; i++)); do
        kill -0 "$QPID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$QPID" 2>/dev/null || true
    wait "$QPID" 2>/dev/null || true
    [ -f "$LOG" ] && tr -d '\r' < "$LOG" > "$LOG.txt" && mv "$LOG.txt" "$LOG"
    touch "$LOG"
}

# expected_screen COLS: Skiff's serial lines from the banner on, wrapped at COLS.
expected_screen() {
    # SCREEN_DROP: serial-log lines that never reach the screen (a guest's own UART output).
    # The run id is the serial console's alone: the screen, which a guest can read, never shows it.
    sed -n '/^skiff: Skiff /,$p' "$LOG" | sed -E 's/ run=[0-9a-f]{16}$//' |
        grep -avE -- "${SCREEN_DROP:-^\$^}" | python3 -c '
import sys
cols = int(sys.argv[1])
for line in sys.stdin.read().split("\n"):
    line = "".join(c if 32 <= ord(c) < 127 else "?" for c in line)
    if not line:
        continue
    while len(line) > cols:
        print(line[:cols].rstrip()); line = line[cols:]
    print(line.rstrip())' "$1"
}

# compare_screen SCREEN_FILE COLS: the screen's rows are the tail of the expected rows
# (all of them when nothing scrolled away), and the banner is the first row.
compare_screen() {
    local got=$1 cols=$2 want=$TESTDIR/screen.want
    expected_screen "$cols" > "$want"
    sed -i '/^$/d' "$got"
    local n
    n=$(wc -l < "$got")
    [ "$n" -ge 3 ] || { fail "only $n text rows recognised on the screen"; return 1; }
    diff <(tail -n "$n" "$want") "$got" > "$TESTDIR/screen.diff" ||
        { fail "screen differs from the serial log: $(head -c 600 "$TESTDIR/screen.diff")"; return 1; }
    ! grep -qE 'run=[0-9a-f]' "$got" || { fail "the run id is on the screen"; return 1; }
    [ -n "$(run_id)" ] && ! grep -qF "$(run_id)" "$got" || { fail "no run id on the serial line, or it is on the screen"; return 1; }
    local first
    first=$(head -n 1 "$got")
    # The banner is the first row while Skiff's lines fit the screen; once they outnumber its
    # rows the screen has scrolled, and the diff above already holds it to the log's tail.
    if [ "$(wc -l < "$want")" -le "$n" ]; then
        [ "$first" = "$(head -n 1 "$want")" ] && [[ $first =~ ^skiff:\ Skiff\ [0-9]+\.[0-9]+\.[0-9]+ ]] ||
            fail "first screen row is not the banner: '$first'"
    fi
    echo "    note: screen rows recognised: $n; first: '$first'"
}

# ---- ACPI -------------------------------------------------------------------

ACPI_LINE='^skiff: acpi: RSDP rev [0-9]+, FADT reset (none|0x[0-9a-f]+ \((io|mem|pci)\) value 0x[0-9a-f]+), PM1a_CNT 0x[0-9a-f]+, S5 SLP_TYP 0x[0-7], MADT: 1 CPU\(s\) \(APIC ids 0\), IOAPIC at 0xfec00000$'

case_acpi_qemu() {
    boot acpi_qemu qemu "onexit=poweroff"
    expect "$ACPI_LINE"
    expect '^skiff: acpi: RSDP rev 0, .* PM1a_CNT 0x604, S5 SLP_TYP 0x0,'
    expect_order '^skiff: memory: ' '^skiff: acpi: ' '^skiff: resident phys='
    expect_status 3 qemu
}

# Bochs' BIOS (rombios32) tables: PIIX4 PM1a_CNT at 0xb004, _S5_ = Package { 0, 0, ... }.
case_acpi_bochs() {
    boot acpi_bochs bochs:ryzen "onexit=poweroff"
    expect "$ACPI_LINE"
    expect '^skiff: acpi: .* PM1a_CNT 0xb004, S5 SLP_TYP 0x0, '
    expect_not '^skiff: smp: '            # one CPU: nothing to start
    expect_status 3 bochs:
}

# No isa-debug-exit: after its last line Skiff powers the machine off through
# ACPI S5 (QEMU then exits by itself, status 0).
case_onexit_poweroff_qemu() {
    qemu_nodebug onexit_poweroff_qemu bios "onexit=poweroff" || return 1
    local rc=0
    wait "$QPID" || rc=$?
    tr -d '\r' < "$LOG" > "$LOG.txt" && mv "$LOG.txt" "$LOG"
    [ "$rc" -eq 0 ] || fail "QEMU did not power off by itself (status $rc, 124 = timeout)"
    expect_status 3 none
}

# onexit=reboot: the machine resets (QEMU -no-reboot exits, status 0).
case_onexit_reboot_qemu() {
    qemu_nodebug onexit_reboot_qemu bios "onexit=reboot" || return 1
    local rc=0
    wait "$QPID" || rc=$?
    tr -d '\r' < "$LOG" > "$LOG.txt" && mv "$LOG.txt" "$LOG"
    [ "$rc" -eq 0 ] || fail "QEMU did not reset (status $rc, 124 = timeout)"
    expect_status 3 none
}

# ---- the screen console -----------------------------------------------------

# BIOS: GRUB leaves the EGA text screen (Multiboot2 framebuffer type 2); read it with `xp`.
# loglevel=warn keeps the run within 25 rows, so the banner is still on screen.
case_screen_text_bios() {
    qemu_nodebug screen_text_bios bios "onexit=halt loglevel=warn" || return 1
    wait_serial '^skiff: exit status=' 60 || { qemu_quit; fail "no exit status line"; return 1; }
    # Read the screen until it shows the last line (a monitor read can fail transiently).
    local i got=$TESTDIR/screen_text_bios.screen
    for ((i = 0; i < 20; i++)); do
        timeout 15 python3 "$SCREENCHECK" vgatext "$MON" 25 > "$got" 2>&1 &&
            grep -qE '^skiff: exit status=3 *$' "$got" && break
        sleep 0.5
    done
    qemu_quit
    compare_screen "$TESTDIR/screen_text_bios.screen" 80
    expect_status 3 none
}

# console=screen alone: nothing from Skiff on the serial line, everything on the screen.
case_screen_only_bios() {
    qemu_nodebug screen_only_bios bios "onexit=halt loglevel=warn console=screen" || return 1
    local i got=$TESTDIR/screen_only_bios.screen
    for ((i = 0; i < 300; i++)); do
        # The monitor may not answer yet (or at all, late in a slow run): keep polling.
        timeout 15 python3 "$SCREENCHECK" vgatext "$MON" 25 > "$got" 2>/dev/null || true
        grep -qE '^skiff: exit status=3 *$' "$got" && break
        sleep 0.2
    done
    qemu_quit
    expect_not '^skiff: '
    grep -qE '^skiff: Skiff [0-9]+\.[0-9]+\.[0-9]+' "$got" || fail "no banner on the screen: $(head -n 2 "$got")"
    grep -q '^skiff: error: VMX not available on this CPU' "$got" || fail "no VMX error on the screen"
    [ "$(tail -n 1 "$got" | sed 's/ *$//')" = "skiff: exit status=3" ] || fail "last screen row: '$(tail -n 1 "$got")'"
}

# UEFI: with GRUB's video drivers loaded, GOP gives a linear framebuffer; Skiff draws
# with its own font and screencheck.py recognises the text in a screendump.
case_screen_fb_uefi() {
    qemu_nodebug screen_fb_uefi uefi "onexit=halt" "insmod all_video" || return 1
    wait_serial '^skiff: exit status=' 90 || { qemu_quit; fail "no exit status line"; return 1; }
    local ppm=$TESTDIR/screen_fb_uefi.ppm
    rm -f "$ppm"
    python3 "$SCREENCHECK" monitor "$MON" "screendump $ppm" >/dev/null
    qemu_quit
    [ -s "$ppm" ] || { fail "no screendump"; return 1; }
    expect '^skiff: console: screen: framebuffer [0-9]+x[0-9]+x(16|24|32) at 0x[0-9a-f]+ \([0-9]+x[0-9]+ characters\)$'
    expect '^skiff: loader: GRUB .* firmware UEFI$'
    expect "$ACPI_LINE"
    local cols
    cols=$(sed -nE 's/^skiff: console: screen: framebuffer .*\(([0-9]+)x[0-9]+ characters\)$/\1/p' "$LOG")
    python3 "$SCREENCHECK" decode "$ppm" 1000 > "$TESTDIR/screen_fb_uefi.screen" 2> "$TESTDIR/screen_fb_uefi.decode"
    grep -q ', 0 unrecognised$' "$TESTDIR/screen_fb_uefi.decode" ||
        fail "unrecognised cells: $(cat "$TESTDIR/screen_fb_uefi.decode")"
    compare_screen "$TESTDIR/screen_fb_uefi.screen" "${cols:-100}"
    expect_status 3 none
}

# The same at 640x480 (GRUB's gfxpayload) with loglevel=debug: more lines than the framebuffer
# has rows, so Skiff's console scrolls it several times (kernel/console/fbcon.c redraws from its shadow of the text, never
# reading video memory back): every row of the final screendump must be the serial log's
# tail, and the banner must have scrolled away.
case_screen_fb_uefi_scroll() {
    qemu_nodebug screen_fb_uefi_scroll uefi "onexit=halt loglevel=debug" "insmod all_video
set gfxpayload=640x480" || return 1
    wait_serial '^skiff: exit status=' 90 || { qemu_quit; fail "no exit status line"; return 1; }
    local ppm=$TESTDIR/screen_fb_uefi_scroll.ppm got=$TESTDIR/screen_fb_uefi_scroll.screen
    rm -f "$ppm"
    python3 "$SCREENCHECK" monitor "$MON" "screendump $ppm" >/dev/null
    qemu_quit
    [ -s "$ppm" ] || { fail "no screendump"; return 1; }
    local cols rows
    cols=$(sed -nE 's/^skiff: console: screen: framebuffer .*\(([0-9]+)x[0-9]+ characters\)$/\1/p' "$LOG")
    rows=$(sed -nE 's/^skiff: console: screen: framebuffer .*\([0-9]+x([0-9]+) characters\)$/\1/p' "$LOG")
    [ -n "$cols" ] && [ -n "$rows" ] || { fail "no framebuffer console line"; return 1; }
    python3 "$SCREENCHECK" decode "$ppm" 1000 > "$got" 2> "$TESTDIR/screen_fb_uefi_scroll.decode"
    grep -q ', 0 unrecognised$' "$TESTDIR/screen_fb_uefi_scroll.decode" ||
        fail "unrecognised cells: $(cat "$TESTDIR/screen_fb_uefi_scroll.decode")"
    expected_screen "$cols" > "$TESTDIR/screen_scroll.want"
    local lines n
    lines=$(wc -l < "$TESTDIR/screen_scroll.want")
    [ "$lines" -gt $((rows + 4)) ] || { fail "only $lines lines for $rows rows: too few to scroll"; return 1; }
    sed -i '/^$/d' "$got"
    n=$(wc -l < "$got")
    [ "$n" -ge $((rows - 1)) ] || { fail "only $n of $rows rows recognised"; return 1; }
    diff <(tail -n "$n" "$TESTDIR/screen_scroll.want") "$got" > "$TESTDIR/screen_scroll.diff" ||
        fail "scrolled screen differs from the serial log's tail: $(head -c 600 "$TESTDIR/screen_scroll.diff")"
    ! grep -q '^skiff: Skiff ' "$got" || fail "the banner is still on the screen: nothing scrolled"
    echo "    note: $lines lines through $rows rows; rows recognised: $n"
    expect_status 3 none
}

# console=ttyS0 names the serial console only: the screen is left alone.
# Bochs (VGA, BIOS): the built-in guest's run, then Bochs' debugger reads the EGA text
# memory at the magic break that ends it (`xp`), and the rows must be the serial log's
# tail.  The guest's COM1 lines go to the serial port only; its hypercall prints go through
# Skiff's console, so to the screen as well.
case_screen_text_bochs() {
    BOCHS_RC_EXTRA='xp /2000hx 0xb8000' boot screen_text_bochs bochs:corei7_skylake_x "loglevel=warn" 60
    expect '^skiff: exit status=0 run=[0-9a-f]{16}$'
    local got=$TESTDIR/screen_text_bochs.screen
    python3 "$SCREENCHECK" bochsxp "$TESTDIR/screen_text_bochs.emu" > "$got" ||
        { fail "no EGA text memory in Bochs' output"; return 1; }
    SCREEN_DROP='^guest: (ok|hello|cpuid|rdmsr|cr|rep|outsb|done)' compare_screen "$got" 80
    expect_status 0 bochs:
}

case_screen_off() {
    boot screen_off qemu "console=ttyS0"
    expect_not '^skiff: console: screen'
    expect_status 3 qemu
}

# ---- SMP: the application processors ------------------------------------------

# Two CPUs in Bochs with smp=park: the AP is started (INIT-SIPI-SIPI through the page below 1 MiB),
# reaches 64-bit mode on Skiff's tables, turns VMX on (which blocks INIT) and waits there;
# its start-up page is withheld from the guest; the built-in guest still runs on CPU 0.
case_smp_bochs_2cpus() {
    BOCHS_CPUS=2 boot smp_bochs_2cpus bochs:corei7_skylake_x "smp=park" 300
    expect '^skiff: acpi: .*MADT: 2 CPU\(s\) \(APIC ids 0,1\)'
    expect_order '^skiff: smp: CPU 1 \(APIC id 1\) started: 64-bit mode, VMXON ok \(INIT blocked\)$' \
        '^skiff: smp: 2 of 2 CPU\(s\) online \(start-up page 0x[0-9a-f]+, withheld from the guest\)$' \
        '^skiff: smp: the guest runs on CPU 0 only \(smp=park\); the other CPUs wait in VMX root operation, where INIT is blocked$' \
        '^skiff: launching the guest' "^guest: hello from Skiff's built-in guest" '^guest: done, ' \
        '^skiff: guest exited with status '
    local page
    page=$(sed -nE 's/^skiff: smp: .*start-up page (0x[0-9a-f]+),.*/\1/p' "$LOG")
    [ -n "$page" ] && [ $((page)) -lt $((0x100000)) ] && [ $((page % 4096)) -eq 0 ] ||
        fail "start-up page '$page' is not a page below 1 MiB"
    expect_not '^skiff: EPT violation'
    expect_not '^skiff: HOST EXCEPTION'
    expect_idle_sleeps 2 0               # asleep from VMXON to the run's end (tests/boot/time_cases.sh)
}

# N CPUs, smp=on (the default): CPU k gets vCPU k with its own VMCS and VPID and waits in VMX
# root for the guest's SIPI.  The built-in guest starts its APs as an OS does (INIT-SIPI-SIPI to
# all but itself through its local APIC, a real-mode trampoline at 0x9000 that enters 64-bit
# mode); each AP reports in by hypercall.  The guest's end stops every vCPU, and the exits are
# counted per CPU, then summed.  Each AP sleeps while it waits: at most one wake-up for its vCPU
# and one for the guest's SIPI (and one for a SIPI that raced the wait).
smp_builtin() {
    local name=$1 n=$2 c id vpid
    BOCHS_CPUS=$n boot "$name" bochs:corei7_skylake_x "${3:-}" 300
    expect_order "^skiff: smp: $n of $n CPU\\(s\\) online" \
        '^skiff: launching the guest' "^skiff: cpu0: smp: the guest gets $n vCPUs, one per CPU$" \
        "^guest: smp: $n vCPU\\(s\\): INIT-SIPI-SIPI to all but myself, start-up code at 0x9000$" \
        "^guest: smp: $((n - 1)) of $((n - 1)) AP\\(s\\) up$" \
        '^guest: ok: smp: every AP runs the guest.s code in 64-bit mode$' \
        '^guest: done, 0 check\(s\) failed' '^skiff: cpu0: guest exited with status 0$' \
        '^skiff: exits: cpu0 total=[0-9]+ .*VMCALL=7' '^skiff: exits: total=[0-9]+ '
    for ((c = 1; c < n; c++)); do
        vpid="VPID $((c + 1))"; [[ ${3:-} == *no-vpid* ]] && vpid="VPID off"
        id=$(sed -nE "s/^skiff: cpu$c: smp: vCPU $c on CPU $c \\(APIC id ([0-9]+)\\): VMCS at 0x[0-9a-f]+, $vpid, waiting for the guest's SIPI$/\\1/p" "$LOG")
        [ -n "$id" ] || fail "no 'waiting for the guest's SIPI' line for vCPU $c"
        expect "^skiff: cpu$c: smp: vCPU $c: SIPI vector 0x09: starting in real mode at 0x09000 \\(VMLAUNCH\\)$" \
            "^guest: cpu [0-9]+ \\(APIC id $id\\) is up in 64-bit mode under Skiff$" \
            "^skiff: exits: cpu$c total=[0-9]+ .*CPUID=1 .*VMCALL=1"
    done
    # Every vCPU has a VMCS of its own.
    local vmcs
    vmcs=$( (sed -nE 's/^skiff: launching the guest: VMLAUNCH \(VMCS at (0x[0-9a-f]+),.*/\1/p' "$LOG"
             sed -nE 's/^skiff: cpu[0-9]+: smp: vCPU [0-9]+ on .*VMCS at (0x[0-9a-f]+),.*/\1/p' "$LOG") | sort -u | wc -l)
    [ "$vmcs" -eq "$n" ] || fail "$vmcs distinct VMCS addresses for $n vCPUs"
    expect_not '^skiff: (cpu[0-9]+: )?EPT violation'
    expect_not 'HOST EXCEPTION'
    expect_idle_sleeps "$n" 3
    expect_status 0 bochs:
}
# With every exit traced: each vCPU dumps its own ring when it stops, and tools/skiff-trace.py
# rebuilds the summed counters from both CPUs' records.
case_smp_bochs_builtin() {
    smp_builtin smp_bochs_builtin 2 trace=4096
    expect '^skiff: cpu1: trace: seq=0 tsc=[0-9]+ reason=MSR_WRITE .* rcx=0xc0000080$'   # the trampoline's EFER.LME
    local out
    out=$(tools/skiff-trace.py --check "$LOG") || fail "trace decoder: $(echo "$out" | tail -n 1)"
}
case_smp_bochs_builtin4() { smp_builtin smp_bochs_builtin4 4; }
# tripwire=always with two vCPUs: the APs' MTRRs, the x2APIC ICR bit released once they run.
case_smp_bochs_builtin_tripwire() {
    smp_builtin smp_bochs_builtin_tripwire 2 tripwire=always
    expect '^skiff: tripwire: [0-9]+ items armed .* and after every exit \(tripwire=always\)$'
    expect_not '^skiff: (cpu[0-9]+: )?tripwire: .* changed'
    expect '^skiff: (cpu[0-9]+: )?tripwire: [0-9]+ items intact$'
}

# The hardware report (issue 21): loglevel=debug prints the CPU's VMX MSRs and CPUID leaves as
# `skiff: profile: ` lines; tools/log2profile.py turns the serial log into a profile, and the
# profile checks of make check (tests/unit/vmx/core/test_cpuid_profiles.c, built by the unit
# run before the boot cases) run on it: Skiff's VMCS for Bochs's Skylake passes vmcheck in every
# entry state (5 with wait-for-SIPI), and every CPUID bit its guest sees is backed.  The profile lands in
# $BUILD/hwreport/bochs-2.7-skylake.profile.
case_hw_report_bochs() {
    boot hw_report_bochs bochs:corei7_skylake_x "loglevel=debug"
    expect '^skiff: profile: # source: Skiff.s hardware report \(loglevel=debug\) on ' \
        '^skiff: profile: msr 0x480 0x[0-9a-f]{16}$' '^skiff: profile: msr 0x48c 0x[0-9a-f]{16}$' \
        '^skiff: profile: cpuid 0x00000007 0x0 ' '^skiff: profile: # end of the hardware report$'
    expect_order '^skiff: profile: # end of the hardware report$' '^skiff: vmx: VMX ok: '
    expect_status 0 bochs:
    local dir=$BUILD/hwreport unit=$BUILD/unit/test_cpuid_profiles out
    rm -rf "$dir" && mkdir -p "$dir"
    python3 tools/log2profile.py "$LOG" "$dir/bochs-2.7-skylake.profile" || { fail "log2profile.py refused the log"; return 1; }
    [ -x "$unit" ] || { fail "$unit not built (the unit tests run first: tests/run_all.sh)"; return 1; }
    out=$(SKIFF_PROFILE_EXTRA=$dir "$unit" 2>&1)
    echo "$out" > "$TESTDIR/hw_report_bochs.unit"
    LOG=$TESTDIR/hw_report_bochs.unit
    expect '^    bochs-2\.7-skylake\.profile: 5 entry states built, 0 violations$' \
        '^    bochs-2\.7-skylake\.profile: secondary controls 0x[0-9a-f]{8}, [0-9]+ backed rows shown' \
        '^ok - vmcs_passes_the_entry_checks_on_every_profile$' '^ok - every_visible_bit_is_backed_on_every_profile$' \
        '^ok - profiles_are_there_and_name_their_source$' '^[0-9]+ passed, 0 failed$'
}
