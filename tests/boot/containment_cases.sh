#!/usr/bin/env bash
# Containment, third round (issue 20, items 8, 10, 11), sourced at the end of tests/boot/cases.sh:
# the run end when the ending CPU's own APIC cannot send, a host fault on an AP, and a guest that
# halts or sleeps for good with interrupts off under the default options.

BOOT_CASES+=(apic_end_bsp_off apic_end_ap_off apic_end_bsp_x2apic apic_end_ap_svr
             selftest_fault_ap guest_hlt_cli_default guest_mwait_cli)

END_EMU=bochs:corei7_skylake_x

# Nothing but the final line after the final line, and it appears exactly once.
expect_final_last() {
    expect_count 1 '^skiff: exit status=[0-9]+ run=[0-9a-f]{16}$'
    local last
    last=$(grep -vE '^\s*$' "$LOG" | tail -n 1)
    [ "$last" = "$(grep -E '^skiff: exit status=' "$LOG" | tail -n 1)" ] && [[ $last =~ \ run=$(run_id)$ ]] ||
        fail "the log's last line is '$last', not the final line"
}

# apic_end_case WHO HOW: WHO (bsp or ap) changes its own APIC (HOW) and ends the run with status 0
# while the other vCPU spins without an exit: the other vCPU is stopped, the final line comes.
apic_end_case() {
    local name=apic_end_$1_$2 ender=0 other=1
    [ "$1" = ap ] && ender=1 other=0
    BOCHS_CPUS=2 boot "$name" "$END_EMU" "guest_test=$name" 480   # the idle check: up to ~1e9 instructions per CPU
    local who=CPU
    [ "$1" = ap ] && who=cpu
    expect "^guest: attack apic_end: $who $ender changed its APIC: $2$" \
        "^skiff: cpu$other: guest vCPU $other stopped: the run ended on CPU $ender$"
    expect_not 'HOST EXCEPTION'
    expect_not 'did not stop within'
    expect_final_last
    expect_status 0 "$END_EMU"
}
case_apic_end_bsp_off() { apic_end_case bsp off; }
case_apic_end_ap_off() { apic_end_case ap off; }
case_apic_end_bsp_x2apic() { apic_end_case bsp x2apic; }
case_apic_end_ap_svr() { apic_end_case ap svr; }

# A host fault on CPU 1 while both vCPUs print counters: the report, then every CPU stops before
# the final line; no guest line and no Skiff line follows it.
case_selftest_fault_ap() {
    BOCHS_CPUS=2 boot selftest_fault_ap "$END_EMU" "guest_test=counters selftest=fault_ap" 240
    expect_order '^skiff: cpu1: selftest=fault_ap: writing to an unmapped address on CPU 1' \
        '^skiff: cpu1: HOST EXCEPTION vector=14 \(#PF' '^skiff: exit status=4 run=[0-9a-f]{16}$'
    expect '^guest: counters: cpu 0 count [0-9]+$'
    expect_not_after '^skiff: exit status=' '^guest: '
    expect_final_last
    expect_status 4 "$END_EMU"
}

# Default options (hlt=pass, no watchdog): CPU 0 halted with interrupts off is still named.
case_guest_hlt_cli_default() {
    boot guest_hlt_cli_default "$END_EMU" "guest_test=hlt_cli" 120
    expect '^skiff: guest halted with interrupts disabled at RIP=0x[0-9a-f]+: it can never run again$'
    expect_not '^skiff: exits: .* HLT='
    expect_final_last
    expect_status 1 "$END_EMU"
}

# cli; MWAIT with default options: MONITOR/MWAIT are hidden by CPUID, so both raise #UD as on a CPU
# without them, and Skiff names the first one; the guest's #UD handler then ends the run.
case_guest_mwait_cli() {
    boot guest_mwait_cli "$END_EMU" "guest_test=mwait_cli" 120
    expect_order '^guest: attack mwait_cli: CPUID.1:ECX.MONITOR=0; ' '^guest: attack mwait_cli: MONITOR: #UD$' \
        '^guest: unexpected exception 6 '
    expect '^skiff: guest MONITOR at RIP=0x[0-9a-f]+: #UD \(CPUID.1:ECX.MONITOR=0: MONITOR/MWAIT are hidden\)$'
    expect_not 'still running'
    expect_final_last
    expect_status 1 "$END_EMU"
}
