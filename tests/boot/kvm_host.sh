#!/usr/bin/env bash
# kvm_host.sh: can this host run Skiff under nested KVM, and what will the L1 lack?
# Sourced by run.sh and kvm_check.sh; run alone it prints its lines and exits 0 when
# nested KVM is usable, 1 when it is not.
#
# kvm_intel's module parameters decide what KVM offers an L1 hypervisor
# (Linux arch/x86/kvm/vmx/vmx.c and nested.c): with ept=N an L1 gets no EPT, with
# unrestricted_guest=N no unrestricted guest, with vpid=N no VPID, and with
# enable_shadow_vmcs=N every VMREAD and VMWRITE of L1 is a round trip to L0.
# KVM_SYSFS (default /sys) and KVM_CPUINFO (default /proc/cpuinfo) let the tests
# point the check at a made-up host.

# One row per parameter: name, what Skiff does when it is off.
KVM_HOST_PARAMS=(
    "nested|Skiff cannot run: KVM offers no VMX to its guests (modprobe kvm_intel nested=1)"
    "ept|Skiff refuses to start: it needs EPT (SDM 29.3) to keep the guest out of its memory"
    "unrestricted_guest|no guest can run with CR0.PE or CR0.PG clear (SDM 26.3.1.1): real-mode and unpaged guest code cannot run under Skiff"
    "vpid|Skiff runs without VPID and flushes the guest's TLB entries on every VM entry and exit (slower)"
    "enable_shadow_vmcs|every VMREAD and VMWRITE Skiff executes is an exit to L0 (each exit of the guest costs many L0 round trips)"
)

# kvm_param NAME: the kvm_intel parameter's value, Y or N (1/0 read as Y/N), or "absent".
kvm_param() {
    local f=${KVM_SYSFS:-/sys}/module/kvm_intel/parameters/$1 v
    [ -r "$f" ] || { echo absent; return; }
    v=$(cat "$f")
    case $v in 1|Y|y) echo Y ;; 0|N|n) echo N ;; *) echo "$v" ;; esac
}

# kvm_host_check: one line per fact, `kvm host: ...`; status 0 when nested KVM can run Skiff.
kvm_host_check() {
    local ok=0 row name why v
    if [ ! -e /dev/kvm ] && [ -z "${KVM_SYSFS:-}" ]; then
        echo "kvm host: /dev/kvm is missing (no KVM module loaded, or not a Linux host)"
        return 1
    fi
    if [ -z "${KVM_SYSFS:-}" ] && { [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; }; then
        echo "kvm host: /dev/kvm is not readable and writable by $(id -un) (add the user to group kvm)"
        ok=1
    fi
    if ! grep -qw vmx "${KVM_CPUINFO:-/proc/cpuinfo}"; then
        echo "kvm host: the CPU has no vmx flag (not an Intel CPU with VT-x, or VT-x is off in the firmware setup)"
        return 1
    fi
    for row in "${KVM_HOST_PARAMS[@]}"; do
        name=${row%%|*} why=${row#*|}
        v=$(kvm_param "$name")
        case $v in
        Y) echo "kvm host: kvm_intel $name=Y" ;;
        absent)
            echo "kvm host: kvm_intel $name: not reported (kvm_intel not loaded?)"
            [ "$name" = nested ] && ok=1
            ;;
        *)
            echo "kvm host: kvm_intel $name=$v is off: $why"
            case $name in nested|ept) ok=1 ;; esac
            ;;
        esac
    done
    return $ok
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    kvm_host_check
fi
