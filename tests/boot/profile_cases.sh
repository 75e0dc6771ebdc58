#!/usr/bin/env bash
# Restricted runs (issue 21, "Restricted runs in Bochs"): vmx_profile= makes Skiff use only what the
# CPU and the named restrictions both offer (vmx/core/vmx_profile.c), so the paths of a KVM L1 on an
# older host and of KVM with vpid=0 run here.  Today's main refuses the option ("unknown option
# 'vmx_profile=...'", status 2) and, on a CPU without VPID, refuses to start ("VMX feature missing:
# VPID").  Sourced by tests/boot/cases.sh.

BOOT_CASES+=(profile_linux_smp_kvm_old_no_vpid profile_builtin_smp_no_vpid profile_linux_no_ug)

PROFILE_LINE='^skiff: vmx: vmx_profile=%s: Skiff uses what the CPU and the profile both offer: %s$'

# A KVM L1 on a host before Linux 5.10 (no wait-for-SIPI activity state), here also without 1 GiB EPT
# pages and run with kvm_intel.vpid=0: the EPT is built from 2 MiB leaves (the on-demand space), the
# guest's APIC writes stay trapped for the whole run, since a later INIT/SIPI could not exit by itself,
# and every VM entry and exit flushes the guest's linear mappings.  One Linux boot on 2 CPUs takes all
# three degraded paths at once (two boots took 170 s of the suite); the built-in guest's SMP checks
# below run without VPID alone.
case_profile_linux_smp_kvm_old_no_vpid() {
    linux_smp profile_linux_smp_kvm_old_no_vpid 2 "vmx_profile=kvm-old,no-1g-ept,no-vpid" || return 1
    # shellcheck disable=SC2059
    expect "$(printf "$PROFILE_LINE" 'kvm-old,no-1g-ept,no-vpid' 'kvm-old: removed the wait-for-SIPI activity state \(IA32_VMX_MISC bit 8\); no-1g-ept: removed 1 GiB EPT pages \(IA32_VMX_EPT_VPID_CAP bit 17\); no-vpid: removed VPID \(secondary control bit 5, INVVPID\)')"
    expect '^skiff: vmx: VMX ok: revision 0x[0-9a-f]+, EPT 2M, VPID no \(every VM entry and exit flushes the guest.s TLB\), '
    expect '^skiff: launching the guest: VMLAUNCH \(VMCS at 0x[0-9a-f]+, launch state Clear, VPID off\)$'
    expect '^skiff: ept: guest-physical = host-physical .*2M/4K leaves'
    expect '^skiff: apic: [0-9]+ guest APIC writes trapped \([0-9]+ ICR\), to the end of the run$'
    expect_not 'every AP runs: the guest.s APIC writes no longer exit'
    expect_not '^vmcheck: '
}

profile_no_vpid_lines() {
    # shellcheck disable=SC2059
    expect "$(printf "$PROFILE_LINE" 'no-vpid' 'no-vpid: removed VPID \(secondary control bit 5, INVVPID\)')"
    expect '^skiff: vmx: VMX ok: revision 0x[0-9a-f]+, EPT 1G 2M, VPID no \(every VM entry and exit flushes the guest.s TLB\), '
    expect '^skiff: launching the guest: VMLAUNCH \(VMCS at 0x[0-9a-f]+, launch state Clear, VPID off\)$'
    expect_not '^vmcheck: '
}

# The built-in guest on two CPUs without VPID: its SMP checks (every AP in 64-bit mode) hold.
case_profile_builtin_smp_no_vpid() {
    smp_builtin profile_builtin_smp_no_vpid 2 "vmx_profile=no-vpid" || return 1
    profile_no_vpid_lines
}

# Without unrestricted guest (Nehalem-era CPUs, KVM with kvm_intel.unrestricted_guest=0): the Linux
# loader enters the kernel in 64-bit mode, which needs no real mode, so Linux runs; CR0.PE and PG
# stay fixed to 1 for the guest (IA32_VMX_CR0_FIXED0 without the unrestricted-guest exception).
case_profile_linux_no_ug() {
    boot_linux profile_linux_no_ug corei7_skylake_x "vmx_profile=no-ug" || return 1
    # shellcheck disable=SC2059
    expect "$(printf "$PROFILE_LINE" 'no-ug' 'no-ug: removed unrestricted guest \(secondary control bit 7\)')"
    expect '^skiff: vmx: VMX ok: .*, unrestricted guest no, '
}
