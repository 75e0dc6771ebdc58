#!/usr/bin/env bash
# NMIs and machine checks (issue 13, items 1 and 8), sourced at the end of tests/boot/cases.sh.
# Each NMI case sends an NMI only once the guest's handler counted the one before, so the
# counts must match exactly; 2 and 4 CPUs (BOCHS_CPUS), where the guest's APIC writes are
# Skiff's to perform and the NMI reaches the host first, and 1 CPU, where it is an NMI exit.

BOOT_CASES+=(nmi_self nmi_self_smp nmi_ipi nmi_ipi4 nmi_ipi_vmcheck_always nmi_wait_sipi nmi_wait_sipi4 apic_rename
             apic_rename4 selftest_mce)

NMI_EMU=bochs:corei7_skylake_x

# nmi_boot NAME CPUS TEST: boot guest_test=TEST; the guest's checks held, status 0, no host fault.
nmi_boot() {
    BOCHS_CPUS=$2 boot "$1" "$NMI_EMU" "guest_test=$3${NMI_EXTRA:+ $NMI_EXTRA}" 180
    expect '^skiff: vmx: NMIs: NMI exiting yes, virtual NMIs yes, NMI-window exiting yes$' \
        "^guest: attack $3: done, 0 check\\(s\\) failed$"
    expect_not 'HOST EXCEPTION'
    expect_not '^guest: FAILED'
    expect_not 'did not stop within about a second'
    expect_no_leak
    expect_status 0 "$NMI_EMU"
}

# nmi_injected WHO: Skiff's count of injected NMIs for one vCPU (`cpuN`, or "" alone).
nmi_injected() {
    sed -nE "s/^skiff: nmi: ${1:+$1 }taken in VMX root=[0-9]+ NMI exits=[0-9]+ injected=([0-9]+) pending=0 .*/\\1/p" "$LOG"
}

# nmi_self_case NAME CPUS WHO: 1000 NMIs to itself, a burst of 100, and 10 sent from inside the
# handler (blocked: they come back by NMI-window exits, one each); Skiff injected what the guest took.
nmi_self_case() {
    nmi_boot "$1" "$2" nmi_self
    expect '^guest: attack nmi_self: sent 1000, handled 1000$' \
        '^guest: attack nmi_self: 10 NMIs sent from inside the NMI handler: 10 handled, 0 nested$'
    local burst want got
    burst=$(sed -nE 's/^guest: attack nmi_self: a burst of 100 NMIs: ([0-9]+) handled$/\1/p' "$LOG")
    want=$((1000 + burst + 11))
    got=$(nmi_injected "$3")
    [ "$got" = "$want" ] || fail "Skiff injected '$got' NMIs, the guest handled $want"
    expect "^skiff: exits: ${3:+$3 }total=[0-9]+ .*NMI_WINDOW=10( |$)"
}
case_nmi_self() { nmi_self_case nmi_self 1 ""; }
case_nmi_self_smp() {
    nmi_self_case nmi_self_smp 2 cpu0
    expect '^skiff: nmi: cpu0 taken in VMX root=1[0-9]{3} NMI exits=0 '   # Skiff's own ICR write
}

# nmi_per_ap NAME CPUS TEST: nmi_boot, then TEST_ap C (its checks) for every AP C.
nmi_per_ap() {
    local n=$2 c
    nmi_boot "$1" "$n" "$3"
    for ((c = 1; c < n; c++)); do "$3_ap" "$c"; done
}

# CPU 0 -> each AP and each AP -> CPU 0, 200 each way.
nmi_ipi_ap() {
    expect "^guest: attack nmi_ipi: to cpu $1 \\(APIC id [0-9]+\\): sent 200, handled 200$" \
        "^guest: attack nmi_ipi: from cpu $1 to CPU 0: sent 200, handled 200$"
    [ "$(nmi_injected "cpu$1")" = 200 ] || fail "Skiff injected '$(nmi_injected "cpu$1")' NMIs into vCPU $1"
}
nmi_ipi_case() {
    nmi_per_ap "$1" "$2" nmi_ipi
    [ "$(nmi_injected cpu0)" = $((200 * ($2 - 1))) ] || fail "Skiff injected '$(nmi_injected cpu0)' NMIs into vCPU 0"
}
case_nmi_ipi() { nmi_ipi_case nmi_ipi 2; }
case_nmi_ipi4() { nmi_ipi_case nmi_ipi4 4; }
# The same under vmcheck=always: every entry checked, and the snapshot the checker keeps between
# checks (vmx/check/vmcheck_live.c) compared with every field read afresh.  The APs enter IA-32e
# mode without an exit (guest/programs/builtin/ap.S sets CR0.PG on its own, as Linux's trampoline
# does), so the CPU's own update of "IA-32e mode guest" must be seen; a kept VM_ENTRY_CONTROLS
# made the NMI injection's re-check refuse the entry.
case_nmi_ipi_vmcheck_always() {
    NMI_EXTRA=vmcheck=always nmi_ipi_case nmi_ipi_vmcheck_always 2 || return 1
    expect_not '^skiff: (cpu[0-9]+: )?vmcheck: '
}

# 50 NMIs to all but itself while the APs wait for their SIPI: each AP survives them in VMX
# root and drops them, as a CPU in wait-for-SIPI state; an NMI after its start arrives once.
nmi_wait_sipi_ap() {
    expect "^guest: attack nmi_wait_sipi: cpu $1 \\(APIC id [0-9]+\\): 1 NMI\\(s\\) after its start, 1 handled$" \
        "^skiff: nmi: cpu$1 taken in VMX root=[0-9]+ NMI exits=[0-9]+ injected=1 pending=0 dropped \\(waiting for SIPI\\)=50 merged \\(one already pending\\)=0$"
}
case_nmi_wait_sipi() { nmi_per_ap nmi_wait_sipi 2 nmi_wait_sipi; }
case_nmi_wait_sipi4() { nmi_per_ap nmi_wait_sipi4 4 nmi_wait_sipi; }

# Each AP moves its xAPIC id (Bochs ignores the write), turns its APIC off and spins without an
# exit; CPU 0 ends the run.  Skiff's run-end INIT goes by the ICR shorthand, so a new id changes
# nothing, but on hardware a disabled APIC takes no IPI: the APIC_BASE write starts that vCPU's
# run-end tick (the preemption timer, a PREEMPTION_TIMER exit about every 1 ms of guest time),
# which stops it; Bochs still delivers the INIT to a disabled APIC, so here both may come.
apic_rename_ap() {
    expect "^guest: attack apic_rename: cpu $1: APIC id [0-9]+ -> [0-9]+, APIC disabled$" \
        "^skiff: cpu$1: smp: vCPU $1: the guest disabled its local APIC \\(IA32_APIC_BASE bit 11\\), which then takes no IPI: the run-end tick \\(VMX-preemption timer, 1 ms\\) watches it instead$" \
        "^skiff: cpu$1: guest vCPU $1 stopped: the run ended on CPU 0$" \
        "^skiff: exits: cpu$1 total=[0-9]+ .*PREEMPTION_TIMER=[1-9]"
}
case_apic_rename() { nmi_per_ap apic_rename 2 apic_rename; }
case_apic_rename4() { nmi_per_ap apic_rename4 4 apic_rename; }

# selftest=mce: INT 18 on the host takes the #MC gate once both CPUs are Skiff's: the report
# names its CPU, and the last line carries none.
case_selftest_mce() {
    BOCHS_CPUS=2 boot selftest_mce "$NMI_EMU" "selftest=mce" 120
    expect_order '^skiff: cpu0: selftest=mce: INT 18 on the host' \
        '^skiff: cpu0: MACHINE CHECK in VMX root operation \(Skiff\): IA32_MCG_STATUS(=0x[0-9a-f]+ \([A-Z ]+|none\)| unreadable), [0-9]+ bank\(s\)$'
    expect '^skiff: cpu0: MACHINE CHECK: no bank holds a valid error'
    expect_not 'HOST EXCEPTION'
    expect_not '^skiff: cpu0: cpu0:'
    expect_status 4 "$NMI_EMU"
}
