#!/usr/bin/env bash
# kvm_check.sh BUILD: `make kvm-check`, for a user with an Intel host.  Boots the
# built-in guest and the Linux guest under QEMU with nested KVM, with 1 and 2 CPUs,
# through BIOS (SeaBIOS) and UEFI (OVMF), and writes a short report to paste into
# a bug report: the host's facts (tests/boot/kvm_host.sh), then one line per run
# with its verdict and the Skiff lines that say why.  The serial logs stay in
# BUILD/kvm-check/.  Status 0 when every run ended with `skiff: exit status=0`.
#
# KVM_CHECK_RUNS picks runs (e.g. "linux-uefi-2"); KVM_CHECK_ACCEL=tcg runs the
# same boots without KVM (Skiff then stops at its VMX check): how the report
# itself is tested on a machine without VMX.
set -uo pipefail
export BUILD=${1:-build}
# shellcheck source=tests/boot/lib.sh
source tests/boot/lib.sh
# shellcheck source=tests/boot/kvm_host.sh
source tests/boot/kvm_host.sh
TESTDIR=$BUILD/kvm-check
mkdir -p "$TESTDIR"
report=$TESTDIR/report.txt
accel=${KVM_CHECK_ACCEL:-kvm}
runs=${KVM_CHECK_RUNS:-builtin-bios-1 builtin-bios-2 builtin-uefi-1 builtin-uefi-2 linux-bios-1 linux-bios-2 linux-uefi-1 linux-uefi-2}

# The lines of a run's log that say what happened: Skiff's VMX summary, errors,
# refusals and verdicts, the Linux guest's own report, and the last line.
KEY_LINES='^skiff: (vmx: VMX|error|warning|iommu|guest (exited|powered|reset)|exit status|exits: total|cpus|smp)|^SKIFF-LINUX-OK|^vmcheck: '

host_facts() {
    echo "skiff kvm-check report ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo "skiff: $(git describe --always --dirty 2>/dev/null || echo unknown)"
    echo "host: Linux $(uname -r); $(grep -m 1 '^model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "host: microcode $(grep -m 1 '^microcode' /proc/cpuinfo | sed 's/.*: //')"
    echo "qemu: $(qemu-system-x86_64 --version 2>/dev/null | head -n 1)"
    echo "accel: $accel"
}

{
    host_facts
    kvm_host_check
    echo "kvm host: status $?"
} > "$report"
cat "$report"
if [ "$accel" = kvm ] && ! grep -q '^kvm host: status 0$' "$report"; then
    echo "kvm-check: FAIL: nested KVM is not usable here (the kvm host lines say why)" | tee -a "$report"
    exit 1
fi

bad=0
for r in $runs; do
    IFS=- read -r guest fw cpus <<< "$r"
    case $fw in bios) emu=qemu ;; uefi) emu=uefi ;; *) echo "kvm-check: unknown run $r" >&2; exit 2 ;; esac
    qargs="-smp $cpus"
    [ "$accel" = kvm ] && qargs="-enable-kvm -cpu host,+vmx $qargs"
    case $guest in
    builtin)
        QEMU_ARGS=$qargs boot "$r" "$emu" "" 120 ;;
    linux)
        tests/linux/build_inputs.sh "$BUILD/linux" >/dev/null || { echo "kvm-check: cannot build the Linux inputs" >&2; exit 1; }
        QEMU_ARGS=$qargs QEMU_MEM=512 MODULE_FILES="$BUILD/linux/vmlinuz $BUILD/linux/initrd.img" \
        MODULES="    module2 /boot/vmlinuz guest=linux console=ttyS0 quiet cryptomgr.notests panic=-1
    module2 /boot/initrd.img initrd" \
            boot "$r" "$emu" "guest_mem=128M" 300 ;;
    *) echo "kvm-check: unknown run $r" >&2; exit 2 ;;
    esac > "$TESTDIR/$r.boot" 2>&1
    last=$(grep -E '^skiff: exit status=' "$LOG" | tail -n 1)
    if [ "${last%% run=*}" = "skiff: exit status=0" ]; then verdict=ok
    else verdict="FAIL (${last:-no final Skiff line; emulator status $EMU_RC})"; bad=$((bad + 1))
    fi
    {
        echo "run $r: $verdict"
        sed 's/^/    | /' "$TESTDIR/$r.boot"
        grep -E "$KEY_LINES" "$LOG" | head -n 20 | sed 's/^/    /'
    } | tee -a "$report"
done
echo "kvm-check: $(( $(wc -w <<< "$runs") - bad )) of $(wc -w <<< "$runs") runs ok; report in $report" | tee -a "$report"
[ "$bad" -eq 0 ]
