#!/usr/bin/env bash
# run.sh BUILD_DIR: build every tests/unit/**/test_*.c (each beside the room it tests) with the host compiler,
# AddressSanitizer and UBSan, run it, and end with the summed
# "N passed, N failed".  Each test file names the sources it links in a
# line "// SOURCES: a.c b.c".  Then the layering check (tools/check_layers.py)
# with its own tests (tests/unit/test_layers.py).
set -uo pipefail
build=${1:-build}/unit
mkdir -p "$build"
CFLAGS=(-std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -fsanitize=address,undefined
        -fno-sanitize-recover=all -fno-omit-frame-pointer
        -Dsnprintf=skiff_snprintf -Dvsnprintf=skiff_vsnprintf)
passed=0 failed=0

# count NAME STATUS OUTPUT: print a test program's lines and add its "N passed, N failed".
count() {
    local name=$1 rc=$2 out=$3 summary p f
    echo "$out" | sed "s/^/[$name] /" | grep -v ' passed, .* failed$'
    summary=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$summary" ]; then
        echo "FAIL - $name (crashed or printed no summary, status $rc)"
        failed=$((failed + 1))
        return
    fi
    p=${summary%% passed*}
    f=${summary#*, }; f=${f%% failed*}
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && { echo "FAIL - $name (exit status $rc)"; failed=$((failed + 1)); }
}

for t in $(find tests/unit -name 'test_*.c' | sort); do
    name=$(basename "$t" .c)
    srcs=$(sed -n 's|^// SOURCES:||p' "$t")
    if ! ${HOSTCC:-gcc} "${CFLAGS[@]}" "$t" $srcs -o "$build/$name" 2>"$build/$name.cc.log"; then
        cat "$build/$name.cc.log"
        echo "FAIL - $name (does not compile)"
        failed=$((failed + 1))
        continue
    fi
    out=$("$build/$name" 2>&1)
    count "$name" $? "$out"
done
# The layering rule (tools/check_layers.py) over this tree, and the check's own tests.
out=$(python3 tests/unit/test_layers.py 2>&1)
count test_layers $? "$out"
# tools/log2profile.py (the hardware report's converter, issue 21).
out=$(python3 tests/unit/test_log2profile.py 2>&1)
count test_log2profile $? "$out"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
