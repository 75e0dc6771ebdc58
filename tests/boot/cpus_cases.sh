#!/usr/bin/env bash
# CPUs Skiff does not manage, the console's settings and Skiff's owned pages (issue 13,
# items 7, 9, 10).  Sourced at the end of tests/boot/cases.sh.

BOOT_CASES+=(cpus_max_cpus_refused cpus_smp_off_unsafe cpus_owned_map)

# Two CPUs but max_cpus=1: the AP would be left to the firmware, where the guest could start it
# natively with INIT-SIPI-SIPI.  Skiff names it and refuses to start the guest (status 3).
case_cpus_max_cpus_refused() {
    BOCHS_CPUS=2 boot cpus_max_cpus_refused bochs:corei7_skylake_x "max_cpus=1" 120
    expect '^skiff: acpi: .*MADT: 2 CPU\(s\) \(APIC ids 0,1\)'
    expect "^skiff: error: CPU with APIC id 1 could not be put under VMX \\(beyond max_cpus=1\\): refusing to start the guest; smp=off leaves the other CPUs to the firmware \\(unsafe\\)$"
    expect_not '^skiff: smp: CPU 1 '                 # never started
    expect_not '^skiff: launching the guest'
    expect_not '^guest: '
    expect_status 3 bochs:
}

# smp=off is the explicit opt-out: its boot line says what it leaves open.
case_cpus_smp_off_unsafe() {
    boot cpus_smp_off_unsafe qemu "smp=off"
    expect '^skiff: smp: smp=off: the other CPUs are left to the firmware, where the guest can start them outside VMX \(unsafe against a hostile guest\)$'
    expect_status 3 qemu                             # QEMU has no VMX
}

# loglevel=debug names every page Skiff owns: the owned ranges are exactly the pages the EPT
# withholds (tests/boot/ownedmap.py), none unnamed, none in the guest's RAM; with two CPUs the
# per-CPU blocks, both VMXON regions and the VMCSs are named.
case_cpus_owned_map() {
    BOCHS_CPUS=2 boot cpus_owned_map bochs:corei7_skylake_x "loglevel=debug trace=64" 120
    local out
    out=$(python3 tests/boot/ownedmap.py "$LOG") || fail "owned map: $(echo "$out" | head -n 3 | tr '\n' ';')"
    echo "    note: $(echo "$out" | tail -n 1)"
    local r='^skiff: owned: 0x[0-9a-f]+-0x[0-9a-f]+ '
    expect "${r}image \\.text " "${r}image \\.rodata " "${r}image \\.data$" "${r}image \\.bss$" \
        "${r}stack \\(BSP, in \\.bss\\)$" "${r}IST stacks: #DF, NMI, #MC \\(BSP, in \\.bss\\)$" \
        "${r}host page tables$" "${r}VMXON region \\(BSP\\)$" "${r}VMXON regions \\(APs\\)$" \
        "${r}VMCS \\(vCPU 0\\)$" "${r}VMCSs \\(vCPUs 1 and up, one page each\\)$" "${r}EPT tables$" \
        "${r}MSR bitmap$" "${r}I/O bitmap A " "${r}I/O bitmap B " "${r}stacks \\(APs\\)$" \
        "${r}IST stacks: #DF, NMI, #MC \\(APs\\)$" "${r}per-CPU areas \\(APs\\)$" \
        "${r}GDT and TSS pages \\(APs\\)$" "${r}SMP start-up page \\(AP trampoline\\)$" \
        "${r}trace rings \\(trace=N\\)$" "${r}vCPU 0 structure: exit stack, registers \\(in \\.bss\\)$" \
        "${r}vCPU structures: exit stacks, registers \\(APs\\)$"
    # The trampoline page the smp line names is one of them.
    local page
    page=$(sed -nE 's/^skiff: smp: .*start-up page (0x[0-9a-f]+),.*/\1/p' "$LOG")
    expect "^skiff: owned: $page-0x[0-9a-f]+ SMP start-up page"
    expect '^guest: ok: smp: every AP runs the guest.s code in 64-bit mode$'
    expect_status 0 bochs:
}
