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
