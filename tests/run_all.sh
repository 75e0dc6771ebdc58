#!/usr/bin/env bash
# run_all.sh BUILD_DIR: host unit tests, then every emulator boot case.
# The last line is "N passed, N failed"; the status is non-zero on any failure.
set -uo pipefail
export BUILD=${1:-build}
start=$(date +%s)
unit_out=$(tests/unit/run.sh "$BUILD" 2>&1)
echo "$unit_out"
summary=$(echo "$unit_out" | tail -n 1)
passed=$(echo "$summary" | sed -E 's/^unit: ([0-9]+) passed.*/\1/')
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed$/\1/')
[[ $passed =~ ^[0-9]+$ ]] || { passed=0; failed=1; }

# Short libFuzzer runs of every parser harness (make fuzz runs them longer).
if [ -z "${ONLY:-}" ]; then
    fuzz_out=$(tests/fuzz/run.sh "${FUZZ_SECONDS:-5}" "$BUILD" 2>&1)
    echo "$fuzz_out"
    fsum=$(echo "$fuzz_out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -n "$fsum" ]; then
        passed=$((passed + ${fsum%% passed*}))
        f=${fsum#*, }; failed=$((failed + ${f%% failed*}))
    else
        echo "FAIL - fuzz (no summary)"
        failed=$((failed + 1))
    fi
fi

# shellcheck source=tests/boot/cases.sh
source tests/boot/cases.sh
for c in "${BOOT_CASES[@]}"; do
    if [ -n "${ONLY:-}" ] && [[ ! $c =~ $ONLY ]]; then continue; fi
    t0=$(date +%s)
    out=$( (set -e; "case_$c") 2>&1 )
    rc=$?
    dt=$(( $(date +%s) - t0 ))
    if [ "$rc" -eq 0 ]; then
        echo "ok - boot/$c (${dt}s)"
        passed=$((passed + 1))
    elif [ "$rc" -eq 77 ]; then
        echo "skip - boot/$c: $out"
    else
        echo "FAIL - boot/$c (${dt}s)"
        echo "$out"
        [ -n "${LOG:-}" ] && echo "    log: $LOG"
        echo "    --- serial log tail ($BUILD/test/$c.log) ---"
        tail -n 25 "$BUILD/test/$c.log" 2>/dev/null | sed 's/^/    | /'
        failed=$((failed + 1))
    fi
done
echo "total time $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
