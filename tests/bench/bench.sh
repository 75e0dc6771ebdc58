#!/usr/bin/env bash
# bench.sh BUILD: Skiff's benchmark (`make bench`).
#
#  1. The benchmark guest (guest/bench/) in Bochs, corei7_skylake_x, console=none:
#     host instructions per exit for CPUID (leaf 0, Skiff's leaf), VMCALL,
#     RDMSR of an intercepted MSR and OUT to an intercepted port, and the boot
#     cost (Skiff's entry TSC to the guest's first instruction).  In Bochs the
#     TSC counts retired instructions, so these are exact and repeatable.
#     console=none: the time a UART needs to send characters (87 us each at
#     115200 baud) is waiting, not work, and Bochs would count it as instructions.
#  2. The Linux guest under Skiff and natively under GRUB, one after the other
#     in the same Bochs: exits by reason and the wall-time ratio.
#  3. The loadable image size without the embedded guests, and the pages Skiff
#     withholds from a 128 MiB guest.
# Prints a table and writes the same figures to BUILD/bench.json.
set -uo pipefail
BUILD=${1:-build}
export BUILD
# shellcheck source=tests/boot/lib.sh
source tests/boot/lib.sh
out=$BUILD/bench.json
die() { echo "bench: $*" >&2; exit 1; }

# --- 1. exit costs and boot ----------------------------------------------------
MODULE_FILES="$BUILD/guest/bench.elf" MODULES="    module2 /boot/bench.elf guest=multiboot" \
    boot bench_guest bochs:corei7_skylake_x "console=none" 120
grep -q '^bench: done' "$LOG" || die "the benchmark guest did not finish (see $LOG)"
cost() { sed -nE "s/^bench: $1 exit=([0-9]+) .*/\\1/p" "$LOG"; }
cpuid0=$(cost cpuid_leaf0) cpuids=$(cost cpuid_skiff) vmcall=$(cost vmcall_nop)
rdmsr=$(cost rdmsr_feature_control) outp=$(cost out_intercepted_port)
boot=$(sed -nE 's/^bench: first_tsc=.* boot=([0-9]+)$/\1/p' "$LOG")

# VMX field accesses on the CPUID fast path: from the stub to its VMRESUME.
stub=$(objdump -d --no-show-raw-insn "$BUILD/skiff.elf" | sed -n '/<vmx_exit_stub>:/,/vmresume/p')
cpuid_vmx=$(echo "$stub" | grep -cE '\s(vmread|vmwrite)\s')
cpuid_path=$(echo "$stub" | grep -cE '^\s*[0-9a-f]+:')

# --- 2. Linux under Skiff and natively ----------------------------------------
tests/linux/build_inputs.sh "$BUILD/linux" >/dev/null || die "cannot build the Linux inputs"
t0=$(date +%s.%N)
BOCHS_BAD_MSRS=1 MODULE_FILES="$BUILD/linux/vmlinuz $BUILD/linux/initrd.img" \
MODULES="    module2 /boot/vmlinuz guest=linux console=ttyS0 quiet cryptomgr.notests panic=-1
    module2 /boot/initrd.img initrd" \
    boot bench_linux bochs:corei7_skylake_x:128 "guest_mem=128M" 300
t1=$(date +%s.%N)
grep -q '^SKIFF-LINUX-OK' "$LOG" || die "Linux under Skiff did not reach its marker (see $LOG)"
skiff_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
exits_line=$(grep '^skiff: exits: ' "$LOG")
withheld=$(sed -nE "s/^skiff: ept: guest-physical = host-physical minus Skiff's ([0-9]+) pages.*/\\1/p" "$LOG")
native_out=$(LINUX_MEM=128 tests/linux/native.sh) || die "native Linux boot failed: $native_out"
native_wall=$(echo "$native_out" | sed -nE 's/.*wall=([0-9.]+)s.*/\1/p')
ratio=$(awk -v a="$skiff_wall" -v b="$native_wall" 'BEGIN { printf "%.3f", a / b }')

# --- 3. size: loadable bytes (PT_LOAD file sizes) minus the embedded built-in guest ---
image=$(python3 - "$BUILD/skiff.elf" <<'PY'
import subprocess, sys
elf = sys.argv[1]
ph = subprocess.run(["readelf", "-lW", elf], capture_output=True, text=True).stdout
load = sum(int(l.split()[4], 16) for l in ph.splitlines() if l.split()[:1] == ["LOAD"])
syms = {}
for l in subprocess.run(["nm", elf], capture_output=True, text=True).stdout.splitlines():
    p = l.split()
    if len(p) == 3:
        syms[p[2]] = int(p[0], 16)
print(load - (syms["builtin_guest_image_end"] - syms["builtin_guest_image"]))
PY
)

python3 - "$out" <<PY
import json, sys
exits = {}
for kv in """$exits_line""".split()[2:]:
    k, _, v = kv.partition("=")
    if k != "total":
        exits[k] = int(v)
d = {
    "cpuid_exit_instructions": int("$cpuid0"),
    "cpuid_skiff_leaf_exit_instructions": int("$cpuids"),
    "vmcall_exit_instructions": int("$vmcall"),
    "rdmsr_exit_instructions": int("$rdmsr"),
    "out_exit_instructions": int("$outp"),
    "cpuid_fast_path_vmx_accesses": int("$cpuid_vmx"),
    "cpuid_fast_path_instructions": int("$cpuid_path"),
    "boot_instructions": int("$boot"),
    "image_bytes": int("$image"),
    "withheld_pages": int("$withheld"),
    "linux_exits": exits,
    "linux_exits_total": sum(exits.values()),
    "linux_wall_skiff_s": float("$skiff_wall"),
    "linux_wall_native_s": float("$native_wall"),
    "linux_wall_ratio": float("$ratio"),
}
json.dump(d, open(sys.argv[1], "w"), indent=2)
rows = [
    ("CPUID leaf 0 round trip (fast path)", d["cpuid_exit_instructions"], "host instructions", "<= 30"),
    ("CPUID Skiff leaf round trip (C)", d["cpuid_skiff_leaf_exit_instructions"], "host instructions", ""),
    ("VMCALL no-op round trip (C dispatcher)", d["vmcall_exit_instructions"], "host instructions", "<= 60"),
    ("RDMSR IA32_FEATURE_CONTROL round trip", d["rdmsr_exit_instructions"], "host instructions", ""),
    ("OUT to an intercepted port round trip", d["out_exit_instructions"], "host instructions", ""),
    ("VMREAD/VMWRITE per CPUID exit", d["cpuid_fast_path_vmx_accesses"], "", "<= 4"),
    ("boot: entry to first guest instruction", d["boot_instructions"], "host instructions", "<= 1000000"),
    ("loadable image without guests", d["image_bytes"], "bytes", "<= 98304"),
    ("pages withheld from a 128 MiB guest", d["withheld_pages"], "pages", ""),
    ("Linux boot wall time under Skiff", d["linux_wall_skiff_s"], "s", ""),
    ("Linux boot wall time native", d["linux_wall_native_s"], "s", ""),
    ("Linux wall-time ratio Skiff/native", d["linux_wall_ratio"], "", "<= 1.10"),
]
print(f"{'measure':<42}{'value':>12}  {'unit':<18}{'target':<10}")
for name, val, unit, target in rows:
    print(f"{name:<42}{val:>12}  {unit:<18}{target:<10}")
print("Linux guest exits by reason: " + ", ".join(f"{k}={v}" for k, v in sorted(exits.items(), key=lambda kv: -kv[1])))
print(f"written to {sys.argv[1]}")
PY
