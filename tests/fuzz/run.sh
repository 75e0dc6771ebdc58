#!/usr/bin/env bash
# run.sh SECONDS [BUILD_DIR]: build every tests/fuzz/fuzz_*.c as a libFuzzer
# binary (clang, ASan + UBSan) and run each for SECONDS on a scratch copy of
# its seed corpus tests/fuzz/corpus/<name>/ (and tests/fuzz/<name>.dict when
# present).  Prints "ok - fuzz/<name> (<execs> execs)" or "FAIL - fuzz/<name>"
# per harness, then "N passed, N failed"; non-zero status on any finding.
# Each harness names the sources it links in a line "// SOURCES: a.c b.c".
# Needs clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
set -uo pipefail
secs=${1:?usage: tests/fuzz/run.sh SECONDS [BUILD_DIR]}
build=${2:-build}/fuzz
cc=${FUZZ_CC:-clang}
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -fno-omit-frame-pointer -I. -Dsnprintf=skiff_snprintf -Dvsnprintf=skiff_vsnprintf)
mkdir -p "$build"
passed=0 failed=0
for h in tests/fuzz/fuzz_*.c; do
    bin=$(basename "$h" .c)
    name=${bin#fuzz_}
    srcs=$(sed -n 's|^// SOURCES:||p' "$h")
    if ! "$cc" "${CFLAGS[@]}" "$h" $srcs -o "$build/$bin" 2>"$build/$bin.cc.log"; then
        sed 's/^/    /' "$build/$bin.cc.log" | tail -n 20
        echo "    (needs clang with libFuzzer: Debian packages clang, libclang-rt-14-dev)"
        echo "FAIL - fuzz/$name (does not compile)"
        failed=$((failed + 1))
        continue
    fi
    corpus=$build/corpus-$name
    artifacts=$build/artifacts-$name
    rm -rf "$corpus" "$artifacts"
    mkdir -p "$corpus" "$artifacts"
    [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$corpus/"
    opts=(-max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$artifacts/")
    [ -f "tests/fuzz/$name.dict" ] && opts+=(-dict="tests/fuzz/$name.dict")
    "$build/$bin" "${opts[@]}" "$corpus" >"$build/$bin.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$bin.log" | tail -n 1)
    if [ "$rc" -eq 0 ] && [ -n "$execs" ] && [ -z "$(ls -A "$artifacts")" ]; then
        echo "ok - fuzz/$name ($execs execs)"
        passed=$((passed + 1))
    else
        echo "FAIL - fuzz/$name (status $rc, log $build/$bin.log)"
        grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$build/$bin.log" | head -n 10 |
            sed 's/^/    /'
        for a in "$artifacts"/*; do
            [ -e "$a" ] && echo "    reproduce: $build/$bin $a"
        done
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
