#!/usr/bin/env bash
# Time (issue 21, items 6 and 9): Skiff's clock is the TSC calibrated at boot, and idle CPUs
# sleep.  Sourced at the end of tests/boot/cases.sh.

BOOT_CASES+=(time_watchdog_clock)

# watchdog=1000 is one second of the machine's own clock whatever rate its TSC runs at.  In
# Bochs the TSC counts instructions and `ips` sets how many of them make a second of the PIT and
# the PM timer, so two ips settings give two TSC rates for the same PM timer.  The built-in guest
# (guest_test=pm_clock) prints the PM timer's time every 50 ms until the watchdog stops it: its
# last line is the guest's run time by the machine's clock, which must be 1000 ms +-10%.  With
# the 1 GHz guess the watchdog waits 10^9 TSC ticks: 50 s of PM timer at ips=20M, 10 s at 100M.
case_time_watchdog_clock() {
    local ips ms
    for ips in 20000000 100000000; do
        BOCHS_IPS=$ips boot "time_watchdog_clock_$ips" bochs:corei7_skylake_x "guest_test=pm_clock watchdog=1000" 240
        expect '^skiff: guest stopped: watchdog expired after 1000 ms at RIP=0x[0-9a-f]+$'
        ms=$(sed -nE 's/^guest: pm clock: ([0-9]+) ms$/\1/p' "$LOG" | tail -n 1)
        echo "    note: ips=$ips: the guest's PM timer at the watchdog: ${ms:-none} ms; $(grep -m1 '^skiff: tsc: ' "$LOG" || echo 'no tsc line')"
        [ -n "$ms" ] || fail "the guest printed no PM-timer time"
        [ "$ms" -ge 900 ] && [ "$ms" -le 1100 ] ||
            fail "ips=$ips: watchdog=1000 stopped the guest after $ms ms of its PM timer (want 900-1100)"
        expect '^skiff: tsc: [0-9]+ MHz, calibrated against '
        expect_status 1 bochs:
    done
}

# expect_idle_sleeps N MAX: each of CPUs 1..N-1 reports `skiff: cpuC idle: W wake-ups` with W <= MAX.
# An AP that waits in VMX root (for its vCPU, for the guest's SIPI, or to the end under smp=park)
# sleeps in HLT and wakes only when another CPU hands it something (kernel/cpu/idle.h); one that
# spins would count every pass of its loop (millions, issue 21 item 9).  Used by the SMP cases
# (tests/boot/hardware_cases.sh).
expect_idle_sleeps() {
    local n=$1 max=$2 c w
    for ((c = 1; c < n; c++)); do
        w=$(sed -nE "s/^skiff: cpu$c idle: ([0-9]+) wake-ups$/\1/p" "$LOG" | tail -n 1)
        echo "    note: cpu$c idle: ${w:-no line} wake-ups"
        [ -n "$w" ] || { fail "no 'skiff: cpu$c idle: N wake-ups' line"; return 1; }
        [ "$w" -le "$max" ] || { fail "cpu$c woke $w times from idle (want <= $max): it does not sleep"; return 1; }
    done
}

BOOT_CASES+=(time_tsc_pit)

# The fallback reference: tsc_ref=pit measures against the PIT's channel 2 (ports 0x42/0x43, OUT2
# read at 0x61) although Bochs' FADT names a PM timer.  At ips=50000000 the TSC runs at 50 MHz.
case_time_tsc_pit() {
    boot time_tsc_pit bochs:corei7_skylake_x "tsc_ref=pit guest_test=loop watchdog=50" 120
    expect '^skiff: tsc: (49|50|51) MHz, calibrated against the PIT channel 2 \(CPUID 15H/16H base frequency says 3500 MHz: the TSC does not run at it\)$'
    expect '^skiff: guest stopped: watchdog expired after 50 ms at RIP=0x[0-9a-f]+$'
}
