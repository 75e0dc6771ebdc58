#!/usr/bin/env bash
# The harness itself, as a new user meets it: `make run`'s Bochs path shows the
# built-in guest's whole run, and an emulator that dies is named, both by the
# boot tests and by `make run` (issue 12: on a machine without a sound card
# Bochs 2.7 used to abort before its first instruction, silently).

BOOT_CASES+=(make_run_bochs emulator_death_named)

case_make_run_bochs() {
    LOG=$TESTDIR/make_run_bochs.log
    local rc=0
    make --no-print-directory iso BUILD="$BUILD" >/dev/null || { fail "make iso failed"; return 1; }
    timeout 300 tests/boot/run.sh bochs "$BUILD/skiff.iso" >"$LOG" 2>"$TESTDIR/make_run_bochs.err" </dev/null || rc=$?
    tr -d '\r' < "$LOG" > "$LOG.txt" && mv "$LOG.txt" "$LOG"
    [ "$rc" -eq 0 ] || fail "tests/boot/run.sh bochs exited with $rc: $(tail -n 3 "$TESTDIR/make_run_bochs.err")"
    expect "^guest: done, 0 check\\(s\\) failed$" '^skiff: guest exited with status 0$'
    local last
    last=$(grep -E '^skiff: ' "$LOG" | tail -n 1)
    [ "$last" = "skiff: exit status=0 run=$(run_id)" ] || fail "make run's last Skiff line is '$last'"
}

# A stand-in `bochs` that aborts as Bochs 2.7 does in its ALSA plugin (SIGABRT, status 134).
case_emulator_death_named() {
    local fake=$TESTDIR/fakebin out rc=0
    mkdir -p "$fake"
    printf '#!/bin/sh\necho "*** buffer overflow detected ***: terminated" >&2\nkill -ABRT $$\n' > "$fake/bochs"
    chmod +x "$fake/bochs"
    out=$( (PATH=$fake:$PATH; boot emulator_death bochs:corei7_skylake_x "") 2>&1) && rc=0 || rc=$?
    echo "$out" | sed 's/^/    boot| /'
    [ "$rc" -ne 0 ] || fail "boot returned 0 for an emulator that died"
    grep -qE 'EMULATOR: bochs died with exit status 134 \(killed by SIGABRT\); its last lines:' <<<"$out" ||
        fail "the boot did not name the emulator's death"
    grep -qF 'buffer overflow detected' <<<"$out" || fail "the emulator's last lines were not shown"
    out=$(PATH=$fake:$PATH timeout 60 tests/boot/run.sh bochs "$BUILD/skiff.iso" 2>&1 </dev/null) && rc=0 || rc=$?
    echo "$out" | tail -n 4 | sed 's/^/    run| /'
    [ "$rc" -ne 0 ] || fail "make run's script exited 0 for an emulator that died"
    grep -qF 'skiff run: FAIL: Bochs died' <<<"$out" || fail "make run did not name the emulator's death"
    LOG=$TESTDIR/emulator_death.log
}

# Nested KVM, as far as a machine without VMX can show it (issue 21): the host check names
# every kvm_intel parameter that is off with what follows for Skiff; `make run EMU=kvm`
# refuses loudly where nested KVM is missing; `make kvm-check`'s report, run here with TCG
# (Skiff then stops at its VMX check), carries the host's facts and each run's own lines.
BOOT_CASES+=(kvm_host_check_off kvm_run_refused kvm_check_report)

case_kvm_host_check_off() {
    local d=$TESTDIR/kvm_sysfs out rc=0 p
    mkdir -p "$d/module/kvm_intel/parameters"
    for p in nested:Y ept:N unrestricted_guest:0 vpid:N enable_shadow_vmcs:N; do
        echo "${p#*:}" > "$d/module/kvm_intel/parameters/${p%%:*}"
    done
    echo 'flags		: fpu vme vmx ept' > "$d/cpuinfo"
    LOG=$TESTDIR/kvm_host_check_off.log
    KVM_SYSFS=$d KVM_CPUINFO=$d/cpuinfo tests/boot/kvm_host.sh > "$LOG" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] || fail "the host check returned $rc for a host with ept=N (expected 1)"
    expect '^kvm host: kvm_intel nested=Y$'
    for p in ept unrestricted_guest vpid enable_shadow_vmcs; do
        expect "^kvm host: kvm_intel $p=N is off: "
    done
    echo Y > "$d/module/kvm_intel/parameters/ept"
    KVM_SYSFS=$d KVM_CPUINFO=$d/cpuinfo tests/boot/kvm_host.sh > "$LOG.2" 2>&1 || fail "ept=Y, vpid=N: the host check refused"
    echo 'flags		: fpu vme svm' > "$d/cpuinfo"
    KVM_SYSFS=$d KVM_CPUINFO=$d/cpuinfo tests/boot/kvm_host.sh > "$LOG.3" 2>&1 && fail "a CPU without vmx passed the host check"
    grep -q '^kvm host: the CPU has no vmx flag' "$LOG.3" || fail "a CPU without vmx was not named"
}

case_kvm_run_refused() {
    LOG=$TESTDIR/kvm_run_refused.log
    local rc=0
    if tests/boot/kvm_host.sh >/dev/null 2>&1; then
        echo "nested KVM is usable here: this case shows the refusal on machines without it"; return 77
    fi
    timeout 60 tests/boot/run.sh kvm "$BUILD/skiff.iso" >"$LOG" 2>&1 </dev/null || rc=$?
    [ "$rc" -eq 1 ] || fail "make run EMU=kvm exited $rc on a machine without nested KVM"
    expect '^skiff run: kvm host: '
    expect '^skiff run: FAIL: nested KVM is not usable here'
}

case_kvm_check_report() {
    local rc=0 r=$BUILD/kvm-check/report.txt
    LOG=$TESTDIR/kvm_check_report.log
    rm -f "$r"
    KVM_CHECK_ACCEL=tcg KVM_CHECK_RUNS="builtin-bios-1 linux-uefi-2" tests/kvm_check.sh "$BUILD" >"$LOG" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] || fail "kvm-check exited $rc although every run failed (no VMX under TCG)"
    LOG=$r
    expect '^host: Linux ' '^qemu: QEMU emulator version ' '^kvm host: '
    expect_order '^run builtin-bios-1: FAIL \(skiff: exit status=3 run=[0-9a-f]+\)$' \
        '^    skiff: error: VMX not available on this CPU' \
        '^run linux-uefi-2: FAIL \(skiff: exit status=3 run=[0-9a-f]+\)$' \
        '^    skiff: error: ' '^kvm-check: 0 of 2 runs ok; report in '
    # The report's lines come from the runs' own serial logs.
    grep -qE '^skiff: error: VMX not available on this CPU' "$BUILD/kvm-check/builtin-bios-1.log" ||
        fail "the run's serial log lacks the line the report quotes"
}
