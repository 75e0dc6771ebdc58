#!/usr/bin/env bash
# check_indirect.sh ELF: skiff.elf's .text has no indirect CALL or JMP outside GCC's retpoline
# thunks (__x86_indirect_thunk_<reg>, built by -mindirect-branch=thunk: see the Makefile's RETPOLINE
# and vmx/policy/spec_policy.c, "Spectre v2 (host)").  The boot code (the .boot section) runs before any
# guest exists and is not checked.  Prints each offender and exits 1; prints a count and exits 0.
set -euo pipefail
elf=${1:?usage: check_indirect.sh ELF}
bad=$(objdump -d --no-show-raw-insn -j .text "$elf" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $2; next }
    /\t(call|jmp)[a-z]* +\*/ || /\t(call|jmp)[a-z]* +\*%/ {
        if (fn !~ /^<__x86_indirect_thunk_/) print fn " " $0
    }')
thunks=$(objdump -d -j .text "$elf" | grep -c 'call.*<__x86_indirect_thunk_\|jmp.*<__x86_indirect_thunk_' || true)
if [ -n "$bad" ]; then
    echo "check_indirect: indirect branches outside the retpoline thunks in $elf:"
    echo "$bad"
    exit 1
fi
echo "check_indirect: no bare indirect branch in .text ($thunks through the retpoline thunks)"
