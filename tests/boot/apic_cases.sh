#!/usr/bin/env bash
# Local APIC writes with several vCPUs (issue 12, finding 4): the probe guest's
# `apic` probe (guest/probe/apic.c) writes APIC registers with every 32-bit
# instruction form natively and under Skiff with two CPUs, where the EPT maps the
# APIC page read-only and vmx/apic_write.c performs each write.  Sourced by
# tests/boot/cases.sh (which sources lib.sh).

BOOT_CASES+=(apic_write_forms)

# The same lines both ways, and Skiff trapped every form (at least one EPT
# violation each: the probe's set-up MOV before each form traps too).
case_apic_write_forms() {
    BOCHS_CPUS=2 compare_native apic_write_forms bochs:corei7_skylake_x probe=apic || return 1
    local forms ept
    forms=$(grep -cE '^probe: apic .*: value 0x' "$TESTDIR/apic_write_forms.skiff.txt")
    [ "$forms" -ge 55 ] || fail "the probe reported $forms APIC write forms, want at least 55"
    expect '^skiff: cpu0: smp: the guest gets 2 vCPUs, one per CPU$'
    ept=$(sed -nE 's/^skiff: exits: cpu0 total=[0-9]+ .*EPT_VIOLATION=([0-9]+).*/\1/p' "$LOG")
    [ -n "$ept" ] && [ "$ept" -ge "$forms" ] || fail "EPT_VIOLATION=$ept on CPU 0 for $forms forms: the writes were not trapped"
    expect_not 'local APIC .* Skiff does not emulate'
    expect_not 'HOST EXCEPTION'
    echo "    note: $forms forms, $ept APIC writes trapped"
}
