#!/usr/bin/env bash
# hostile.sh fuzz|platfuzz FIRST_SEED LAST_SEED COUNT | soak EXITS   (BUILD=build)
#
# The long runs of the fuzz guest, the platform fuzzer (platfuzz: each seed in
# both modes on 1 and 2 CPUs, check_platfuzz_seed) and the exit soak in Bochs,
# one at a time, with the checks of tests/boot/attack_cases.sh.  fuzz: one boot per seed;
# a seed whose guest Skiff stops with a named verdict is counted ("stopped"),
# a host exception, a wrong or missing final line, or a leak fails.  Prints
# "ok - ..." / "stopped - ..." / "FAIL - ..." lines and "N passed, N failed".
# Replay a seed by booting the same command line (guest_test=fuzz guest_seed=S
# guest_count=N, see README.md "Hostile guests and fuzzing"): Bochs is
# deterministic, so the run repeats exactly.
set -uo pipefail
export BUILD=${BUILD:-build}
# shellcheck source=tests/boot/cases.sh
source tests/boot/cases.sh
passed=0 failed=0 stopped=0
case ${1:-} in
fuzz)
    first=${2:?first seed} last=${3:?last seed} count=${4:?count}
    export FUZZ_ALLOW_STOP=1
    for ((s = first; s <= last; s++)); do
        t0=$(date +%s)
        out=$( (set -e; check_fuzz_seed "$s" "$count"; echo "STOPPED=$FUZZ_STOPPED") 2>&1 )
        rc=$? dt=$(( $(date +%s) - t0 ))
        st=$(sed -n 's/^STOPPED=//p' <<<"$out")
        if [ "$rc" -ne 0 ]; then
            echo "FAIL - guestfuzz/seed=$s (${dt}s): replay with guest_test=fuzz guest_seed=$s guest_count=$count"
            grep -v '^STOPPED=' <<<"$out"
            echo "    log: $BUILD/test/guest_fuzz_seed$s.log"
            failed=$((failed + 1))
        elif [ -n "$st" ]; then
            echo "stopped - guestfuzz/seed=$s (${dt}s): $st"
            stopped=$((stopped + 1)) passed=$((passed + 1))
        else
            echo "ok - guestfuzz/seed=$s ($count instructions, ${dt}s)"
            passed=$((passed + 1))
        fi
    done
    echo "guest fuzz: seeds $first..$last, $count instructions each, $stopped stopped by Skiff"
    ;;
platfuzz)
    # The platform fuzzer: each seed in both modes, on 1 and on 2 CPUs.  A seed that Skiff stops
    # with a named verdict (platfuzz_end) is counted ("stopped"); anything else that is not the
    # run's own end with every tripwire intact fails.
    first=${2:?first seed} last=${3:?last seed} count=${4:?count}
    for ((s = first; s <= last; s++)); do
        for cpus in 1 2; do
            for mode in safe end; do
                t0=$(date +%s)
                t=platfuzz
                [ "$mode" = end ] && t=platfuzz_end
                out=$( (set -e; check_platfuzz_seed "$s" "$count" "$cpus" "$mode"; echo "STOPPED=$PLATFUZZ_STOPPED") 2>&1 )
                rc=$? dt=$(( $(date +%s) - t0 ))
                st=$(sed -n 's/^STOPPED=//p' <<<"$out")
                what="platfuzz/seed=$s/$mode/cpus=$cpus"
                if [ "$rc" -ne 0 ]; then
                    echo "FAIL - $what (${dt}s): replay with BOCHS_CPUS=$cpus, guest_test=$t guest_seed=$s guest_count=$count tripwire=always"
                    grep -v '^STOPPED=' <<<"$out"
                    echo "    log: $BUILD/test/guest_${t}_seed${s}_cpus$cpus.log"
                    failed=$((failed + 1))
                elif [ -n "$st" ]; then
                    echo "stopped - $what (${dt}s): $st"
                    stopped=$((stopped + 1)) passed=$((passed + 1))
                else
                    echo "ok - $what ($count operations per CPU, ${dt}s)"
                    passed=$((passed + 1))
                fi
            done
        done
    done
    echo "platform fuzz: seeds $first..$last, $count operations per CPU, $stopped stopped by Skiff"
    ;;
soak)
    exits=${2:?exits}
    t0=$(date +%s)
    if out=$( (set -e; check_soak "$exits" soak_long) 2>&1 ); then
        echo "ok - soak ($exits exits, $(( $(date +%s) - t0 ))s)"
        grep -E '^(guest: soak: done|skiff: exits:|skiff: memory: free)' "$BUILD/test/soak_long.log" | sed 's/^/    /'
        passed=1
    else
        echo "FAIL - soak ($exits exits, $(( $(date +%s) - t0 ))s)"
        echo "$out"
        tail -n 15 "$BUILD/test/soak_long.log" | sed 's/^/    | /'
        failed=1
    fi
    # The long boot kept out of make test: Linux on 4 CPUs.
    t0=$(date +%s)
    if out=$( (set -e; case_linux_smp4) 2>&1 ); then
        echo "ok - linux_smp4 ($(( $(date +%s) - t0 ))s)"
        passed=$((passed + 1))
    else
        echo "FAIL - linux_smp4 ($(( $(date +%s) - t0 ))s)"
        echo "$out"
        tail -n 15 "$BUILD/test/linux_smp4.log" | sed 's/^/    | /'
        failed=$((failed + 1))
    fi
    ;;
*)
    echo "usage: $0 fuzz|platfuzz FIRST_SEED LAST_SEED COUNT | soak EXITS" >&2
    exit 2
    ;;
esac
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
