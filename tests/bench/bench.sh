#!/usr/bin/env bash
# bench.sh BUILD: Skiff's benchmark (`make bench`).
#
#  1. The benchmark guest (guest/programs/bench/) in Bochs, corei7_skylake_x, console=none:
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
#  4. The workload guest (guest/programs/perf/) natively and under Skiff (console on COM1,
#     Skiff's default), corei7_skylake_x, 1 CPU: each phase (com1, idle, timer)
#     timed by wall clock between its mark lines (tests/bench/phase_times.py
#     follows the serial log), its TSC delta and, under Skiff, its exits.
#  5. Linux with 2 and 4 CPUs (BOCHS_CPUS), under Skiff and natively: wall-time
#     ratios, exits by reason (the total line), the guest APIC writes trapped.
#  6. The nested-cost model (vmx/core/vmcs_shadow.c): the counting build
#     (make NESTED_COST=1, in BUILD/nested) runs the benchmark guest (CPUID, I/O,
#     MSR exits), guest_test=ap_restart on 2 CPUs (INIT and SIPI exits, trapped
#     APIC writes) and guest_test=nmi_ipi on 2 CPUs (NMI exits, the VMCS re-check
#     after a control change); `skiff: nested-cost:` gives the L0 round trips per
#     exit under nested KVM beyond the exit itself.  Bochs' i440FX has no ECAM.
# BENCH_ONLY=SECTION[,SECTION...] runs some: exits (1), linux (2), perf (4),
#  7. The same timer both ways (timer): with the hypervisor bit Linux drives its APIC
#     timer in TSC-deadline mode, natively on Bochs' Skylake (microcode 0) it does not,
#     and Bochs runs TSC-deadline slowly in a VMX guest, so section 5 compares Bochs'
#     two timer paths as much as Skiff.  Here Linux with 2 and 4 CPUs (BENCH_TIMER_CPUS)
#     runs with lapic=notscdeadline on both sides, and again with Skiff's
#     hypervisor_bit=hide (the guest takes every native path): the figures that compare Skiff.
#  8. A disk booted by its own boot path (chain): tests/linux/mkdisk.sh's disk (Debian's GRUB
#     from its MBR, the Debian cloud kernel and the busybox initramfs), 1 CPU, 256 MiB,
#     natively (GRUB's chainloader from the ISO) and under Skiff's guest=chain, the same run
#     as the boot case chain_linux (tests/boot/chain_cases.sh, its assertions included):
#     each Bochs's wall seconds from its start (the BIOS) to its exit (Linux's power-off),
#     the ratio, and Skiff's exits by reason.
# BENCH_ONLY=SECTION[,SECTION...] runs some: exits (1), linux (2), perf (4),
# smp (5), nested (6), timer (7), chain (8); default all but timer (about 20 minutes more;
# chain adds about two minutes).  The size (3) is measured every time.
# Prints a table and writes the figures to BUILD/bench.json: the sections run
# replace their own keys, keys of sections not run stay from earlier runs
# ("measured" says when each section last ran).
set -uo pipefail
BUILD=${1:-build}
export BUILD
# shellcheck source=tests/boot/lib.sh
source tests/boot/lib.sh
out=$BUILD/bench.json
die() { echo "bench: $*" >&2; exit 1; }
only=${BENCH_ONLY:-exits,linux,perf,smp,nested,chain}
want() { [[ ",$only," == *",$1,"* ]]; }
for s in ${only//,/ }; do
    case $s in exits|linux|perf|smp|nested|timer|chain) ;; *) die "BENCH_ONLY: unknown section '$s' (exits, linux, perf, smp, nested, timer, chain)" ;; esac
done
frag=$BUILD/bench.d
rm -rf "$frag"
mkdir -p "$frag"
# section_time NAME START: how long section NAME took, for the summary.
section_time() { awk -v a="$2" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }' > "$frag/$1.seconds"; }

# --- 1. exit costs and boot ----------------------------------------------------
if want exits; then
ts=$(date +%s.%N)
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
cat > "$frag/exits.json" <<JSON
{"cpuid_exit_instructions": $cpuid0, "cpuid_skiff_leaf_exit_instructions": $cpuids,
 "vmcall_exit_instructions": $vmcall, "rdmsr_exit_instructions": $rdmsr,
 "out_exit_instructions": $outp, "cpuid_fast_path_vmx_accesses": $cpuid_vmx,
 "cpuid_fast_path_instructions": $cpuid_path, "boot_instructions": $boot}
JSON
section_time exits "$ts"
fi

# exits_json LOG: the `skiff: exits: total=` line as {reason: count}; with several vCPUs
# the per-vCPU lines (`skiff: exits: cpuN total=...`) come first and the sum last.
exits_json() {
    python3 - "$1" <<'PY'
import json, re, sys
line = [l for l in open(sys.argv[1], errors="replace") if re.match(r"^skiff: exits: total=", l)]
d = {}
for kv in (line[-1].split()[2:] if line else []):
    k, _, v = kv.partition("=")
    if k != "total" and v.isdigit():
        d[k] = int(v)
print(json.dumps(d))
PY
}

# --- 2. Linux under Skiff and natively ----------------------------------------
# linux_run CPUS NAME TIMEOUT [KERNEL_ARGS [SKIFF_ARGS]]: Linux under Skiff, then natively, with
# CPUS CPUs and KERNEL_ARGS added on both sides; sets skiff_wall, native_wall, ratio and LOG
# (Skiff's serial log).
linux_run() {
    local cpus=$1 name=$2 kargs=${4:-} t0 t1 native_out
    t0=$(date +%s.%N)
    BOCHS_CPUS=$cpus BOCHS_BAD_MSRS=1 MODULE_FILES="$BUILD/linux/vmlinuz $BUILD/linux/initrd.img" \
    MODULES="    module2 /boot/vmlinuz guest=linux console=ttyS0 quiet cryptomgr.notests panic=-1${kargs:+ $kargs}
    module2 /boot/initrd.img initrd" \
        boot "$name" bochs:corei7_skylake_x:128 "guest_mem=128M${5:+ $5}" "$3"
    t1=$(date +%s.%N)
    grep -q '^SKIFF-LINUX-OK' "$LOG" || die "Linux ($cpus CPUs) under Skiff did not reach its marker (see $LOG)"
    skiff_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    native_out=$(BOCHS_CPUS=$cpus LINUX_TIMEOUT=$3 LINUX_MEM=128 LINUX_EXTRA=$kargs tests/linux/native.sh) ||
        die "native Linux boot ($cpus CPUs) failed: $native_out"
    native_wall=$(echo "$native_out" | sed -nE 's/.*wall=([0-9.]+)s.*/\1/p')
    ratio=$(awk -v a="$skiff_wall" -v b="$native_wall" 'BEGIN { printf "%.3f", a / b }')
}

if want linux || want smp; then
    tests/linux/build_inputs.sh "$BUILD/linux" >/dev/null || die "cannot build the Linux inputs"
fi
if want linux; then
ts=$(date +%s.%N)
linux_run 1 bench_linux 300
withheld=$(sed -nE "s/^skiff: ept: guest-physical = host-physical minus Skiff's ([0-9]+) pages.*/\\1/p" "$LOG")
ex=$(exits_json "$LOG")
cat > "$frag/linux.json" <<JSON
{"withheld_pages": $withheld, "linux_exits": $ex, "linux_wall_skiff_s": $skiff_wall,
 "linux_wall_native_s": $native_wall, "linux_wall_ratio": $ratio}
JSON
section_time linux "$ts"
fi

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
echo "{\"image_bytes\": $image}" > "$frag/size.json"

# --- 4. the workload guest natively and under Skiff -----------------------------
# perf_boot native|skiff: one boot with all three phases; phase_times.py follows
# the serial log meanwhile and leaves `phase NAME SECONDS` lines in NAME.times.
perf_boot() {
    local kind=$1 name=perf_$1 poller
    local elf=$BUILD/guest/perf.elf args="perf=com1,idle,timer"
    rm -f "$TESTDIR/$name.log" "$TESTDIR/$name.times"
    python3 tests/bench/phase_times.py "$TESTDIR/$name.log" "$TESTDIR/$name.times" 900 &
    poller=$!
    if [ "$kind" = native ]; then
        NATIVE_FILES=$elf boot_native "$name" bochs:corei7_skylake_x "    multiboot /boot/perf.elf $args" 600
    else
        MODULE_FILES=$elf MODULES="    module2 /boot/perf.elf guest=multiboot $args" \
            boot "$name" bochs:corei7_skylake_x "" 600
    fi
    kill "$poller" 2>/dev/null
    wait "$poller" 2>/dev/null
    grep -q '^perf: end$' "$LOG" || die "the workload guest did not finish ($kind, see $LOG)"
}

if want perf; then
ts=$(date +%s.%N)
perf_boot native
perf_boot skiff
grep -qE '^skiff: (cpu0: )?guest powered off \(port 0x8900\)$' "$TESTDIR/perf_skiff.log" ||
    die "the workload guest's power-off was not reported under Skiff (see $TESTDIR/perf_skiff.log)"
python3 - "$TESTDIR/perf_native" "$TESTDIR/perf_skiff" "$frag/perf.json" <<'PY'
import json, re, sys
def load(base):
    times = {}
    for l in open(base + ".times"):
        p = l.split()
        if p[0] == "phase":
            times[p[1]] = float(p[2])
    tsc, exits, mode = {}, {}, None
    for l in open(base + ".log", errors="replace"):
        m = re.match(r"^perf: (com1|idle|timer) .*tsc=([0-9]+)$", l.strip())
        if m:
            tsc[m.group(1)] = int(m.group(2))
        m = re.match(r"^perf: (com1|idle|timer) exits=([0-9]+|native)$", l.strip())
        if m:
            exits[m.group(1)] = int(m.group(2)) if m.group(2).isdigit() else None
        m = re.match(r"^perf: timer .*mode=(\S+)", l.strip())
        if m:
            mode = m.group(1)
    for ph in ("com1", "idle", "timer"):
        if ph not in times or ph not in tsc:
            sys.exit(f"bench: {base}: no wall time or tsc for phase {ph}")
    return times, tsc, exits, mode
nt, ntsc, _, nmode = load(sys.argv[1])
st, stsc, sx, smode = load(sys.argv[2])
n = 102400
res = 0.01                                   # phase_times.py polls every 10 ms
d = {
    "phase_wall_resolution_s": res,
    "com1_bytes_per_s_native": round(n / nt["com1"], 1),
    "com1_bytes_per_s_skiff": round(n / st["com1"], 1),
    "com1_throughput_ratio": round((n / st["com1"]) / (n / nt["com1"]), 3),
    "com1_exits": sx["com1"],
    "idle_exits": sx["idle"],
    "idle_exits_per_second": round(sx["idle"] / st["idle"], 1),
    "timer_loop_ratio": round(st["timer"] / nt["timer"], 3),
    "timer_exits": sx["timer"],
    "timer_mode_native": nmode,
    "timer_mode_skiff": smode,
}
for ph in ("com1", "idle", "timer"):
    d[f"{ph}_wall_native_s"] = nt[ph]
    d[f"{ph}_wall_skiff_s"] = st[ph]
    d[f"{ph}_tsc_native"] = ntsc[ph]
    d[f"{ph}_tsc_skiff"] = stsc[ph]
json.dump(d, open(sys.argv[3], "w"))
PY
[ $? -eq 0 ] || die "cannot compute the workload figures"
section_time perf "$ts"
fi

# --- 5. Linux with 2 and 4 CPUs ----------------------------------------------------
if want smp; then
ts=$(date +%s.%N)
linux_run 2 bench_linux_smp2 900
s2=$skiff_wall n2=$native_wall r2=$ratio ex2=$(exits_json "$LOG")
linux_run 4 bench_linux_smp4 900
s4=$skiff_wall n4=$native_wall r4=$ratio ex4=$(exits_json "$LOG")
# Skiff's run-end line `skiff: apic: N guest APIC writes trapped (M ICR), until every AP ran`.
apic_n=$(sed -nE 's/^skiff: apic: ([0-9]+) guest APIC writes trapped \(([0-9]+) ICR\)(, .*)?$/\1/p' "$LOG" | tail -n 1)
apic_icr=$(sed -nE 's/^skiff: apic: ([0-9]+) guest APIC writes trapped \(([0-9]+) ICR\)(, .*)?$/\2/p' "$LOG" | tail -n 1)
if [ -n "$apic_n" ]; then
    apic_src='"skiff: apic: line (4-CPU run)"'
else
    apic_n=$(echo "$ex4" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("EPT_VIOLATION", 0))')
    apic_icr=null
    apic_src='"EPT_VIOLATION exits of the 4-CPU run (no skiff: apic: line)"'
fi
cat > "$frag/smp.json" <<JSON
{"linux_smp2_wall_skiff_s": $s2, "linux_smp2_wall_native_s": $n2, "linux_smp2_wall_ratio": $r2,
 "linux_smp2_exits": $ex2,
 "linux_smp4_wall_skiff_s": $s4, "linux_smp4_wall_native_s": $n4, "linux_smp4_wall_ratio": $r4,
 "linux_smp4_exits": $ex4,
 "linux_smp_apic_write_exits": $apic_n, "linux_smp_apic_icr_write_exits": $apic_icr,
 "linux_smp_apic_write_exits_source": $apic_src}
JSON
section_time smp "$ts"
fi

# --- 6. the nested-cost model ------------------------------------------------------
# nested_costs LOG: the `skiff: nested-cost:` line as {NAME: [round trips, events]}.
nested_costs() {
    python3 - "$1" <<'PY'
import json, re, sys
line = [l for l in open(sys.argv[1], errors="replace") if l.startswith("skiff: nested-cost:")]
d = {}
for kv in (line[-1].split()[2:] if line else []):
    k, _, v = kv.partition("=")
    a, _, b = v.partition("/")
    d[k] = [int(a), int(b)]
print(json.dumps(d))
PY
}
if want nested; then
ts=$(date +%s.%N)
make --no-print-directory all BUILD="$BUILD/nested" NESTED_COST=1 >/dev/null || die "cannot build the counting build"
saved_elf=$SKIFF_ELF
SKIFF_ELF=$BUILD/nested/skiff.elf
MODULE_FILES="$BUILD/guest/bench.elf" MODULES="    module2 /boot/bench.elf guest=multiboot" \
    boot nested_bench bochs:corei7_skylake_x "" 120
grep -q '^bench: done' "$LOG" || die "the benchmark guest (counting build) did not finish (see $LOG)"
n1=$(nested_costs "$LOG")
BOCHS_CPUS=2 boot nested_ap_restart bochs:corei7_skylake_x "guest_test=ap_restart" 180
grep -q "INIT, then SIPI vector" "$LOG" || die "ap_restart (counting build) saw no steady-state INIT (see $LOG)"
n2=$(nested_costs "$LOG")
BOCHS_CPUS=2 boot nested_nmi_ipi bochs:corei7_skylake_x "guest_test=nmi_ipi" 180
grep -q '^guest: attack nmi_ipi: done, 0 check(s) failed$' "$LOG" || die "nmi_ipi (counting build) failed (see $LOG)"
n3=$(nested_costs "$LOG")
SKIFF_ELF=$saved_elf
python3 - "$n1" "$n2" "$n3" "$frag/nested.json" <<'PY'
import json, sys
runs = [json.loads(a) for a in sys.argv[1:4]]
# key: (run, slot): the bench guest for CPUID, I/O and MSR; ap_restart for INIT, SIPI and the APIC;
# nmi_ipi for NMIs and the re-check.
rows = {"cpuid": (0, "CPUID"), "io": (0, "IO_INSTRUCTION"), "msr": (0, "MSR_READ"), "vmcall": (0, "VMCALL"),
        "init": (1, "INIT_WAIT_SIPI"), "sipi": (1, "SIPI"), "ept_apic": (1, "EPT_VIOLATION_APIC"),
        "nmi": (2, "EXCEPTION_NMI"), "vmcheck_recheck": (2, "VMCHECK_RECHECK")}
d = {}
for key, (run, slot) in rows.items():
    l0, n = runs[run].get(slot, [0, 0])
    d[f"nested_l0_extra_{key}"] = round(l0 / n, 4) if n else None
    d[f"nested_l0_events_{key}"] = n
d["nested_l0_extra_ept_ecam"] = None            # Bochs' i440FX has no ECAM
d["nested_l0_runs"] = runs
json.dump(d, open(sys.argv[4], "w"))
PY
[ $? -eq 0 ] || die "cannot compute the nested-cost figures"
section_time nested "$ts"
fi

# --- 7. the same timer both ways ---------------------------------------------------
if want timer; then
ts=$(date +%s.%N)
json="{"
for n in ${BENCH_TIMER_CPUS:-2 4}; do
    linux_run "$n" "bench_linux_smp${n}_notscdeadline" 900 lapic=notscdeadline
    json+="\"linux_smp${n}_notscdeadline_wall_skiff_s\": $skiff_wall, \"linux_smp${n}_notscdeadline_wall_native_s\": $native_wall,
 \"linux_smp${n}_notscdeadline_wall_ratio\": $ratio, \"linux_smp${n}_notscdeadline_exits\": $(exits_json "$LOG"),
"
    linux_run "$n" "bench_linux_smp${n}_hvhide" 900 "" hypervisor_bit=hide
    grep -q 'hypervisor=no' "$LOG" || die "Linux under hypervisor_bit=hide still saw the hypervisor bit (see $LOG)"
    json+="\"linux_smp${n}_hvhide_wall_skiff_s\": $skiff_wall, \"linux_smp${n}_hvhide_wall_native_s\": $native_wall,
 \"linux_smp${n}_hvhide_wall_ratio\": $ratio, \"linux_smp${n}_hvhide_exits\": $(exits_json "$LOG"),
"
done
echo "${json%,*}}" > "$frag/timer.json"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$frag/timer.json" || die "timer figures: bad JSON"
section_time timer "$ts"
fi

# --- 8. a disk's own boot path, natively and under guest=chain -----------------------
if want chain; then
ts=$(date +%s.%N)
# shellcheck source=tests/boot/chain_cases.sh
source tests/boot/chain_cases.sh
# The boot case's run with its assertions (set -e: the first failed one ends it).
( set -e; chain_linux_run bench_chain_linux 1 ) > "$frag/chain.out" 2>&1 ||
    die "the chain-booted disk failed (see $frag/chain.out): $(grep -m 1 'FAIL' "$frag/chain.out")"
wall=$TESTDIR/bench_chain_linux.wall
cn=$(sed -n 's/.*native=\([0-9.]*\).*/\1/p' "$wall")
cs=$(sed -n 's/.*skiff=\([0-9.]*\).*/\1/p' "$wall")
[ -n "$cn" ] && [ -n "$cs" ] || die "no wall times in $wall"
cat > "$frag/chain.json" <<JSON
{"chain_linux_wall_native_s": $cn, "chain_linux_wall_skiff_s": $cs,
 "chain_linux_wall_ratio": $(awk -v a="$cs" -v b="$cn" 'BEGIN { printf "%.3f", a / b }'),
 "chain_linux_exits": $(exits_json "$TESTDIR/bench_chain_linux.log")}
JSON
section_time chain "$ts"
fi

# --- the table and bench.json ----------------------------------------------------
python3 - "$out" "$frag" "$only" "$(git describe --always --dirty 2>/dev/null || echo unknown)" <<'PY'
import glob, json, os, sys, time
out, frag, only, version = sys.argv[1:5]
try:
    d = json.load(open(out))
except (OSError, ValueError):
    d = {}
measured = d.get("measured", {})
stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + " " + version
new = {}
for f in sorted(glob.glob(os.path.join(frag, "*.json"))):
    sec = os.path.basename(f)[:-5]
    new.update(json.load(open(f)))
    measured[sec] = stamp
for f in sorted(glob.glob(os.path.join(frag, "*.seconds"))):
    new[f"bench_{os.path.basename(f)[:-8]}_seconds"] = float(open(f).read())
d.update(new)
if "linux_exits" in d:
    d["linux_exits_total"] = sum(d["linux_exits"].values())
if "chain_linux_exits" in d:
    d["chain_linux_exits_total"] = sum(d["chain_linux_exits"].values())
d["measured"] = measured
json.dump(d, open(out, "w"), indent=2)

rows = [
    ("CPUID leaf 0 round trip (fast path)", "cpuid_exit_instructions", "host instructions", "<= 30"),
    ("CPUID Skiff leaf round trip (C)", "cpuid_skiff_leaf_exit_instructions", "host instructions", ""),
    ("VMCALL no-op round trip (C dispatcher)", "vmcall_exit_instructions", "host instructions", "<= 60"),
    ("RDMSR IA32_FEATURE_CONTROL round trip", "rdmsr_exit_instructions", "host instructions", ""),
    ("OUT to an intercepted port round trip", "out_exit_instructions", "host instructions", "<= 200"),
    ("VMREAD/VMWRITE per CPUID exit", "cpuid_fast_path_vmx_accesses", "", "<= 4"),
    ("boot: entry to first guest instruction", "boot_instructions", "host instructions", "<= 1000000"),
    ("loadable image without guests", "image_bytes", "bytes", "<= 98304"),
    ("pages withheld from a 128 MiB guest", "withheld_pages", "pages", ""),
    ("Linux boot wall time under Skiff", "linux_wall_skiff_s", "s", ""),
    ("Linux boot wall time native", "linux_wall_native_s", "s", ""),
    ("Linux wall-time ratio Skiff/native", "linux_wall_ratio", "", "<= 1.10"),
    ("disk boot (guest=chain) wall time native", "chain_linux_wall_native_s", "s", ""),
    ("disk boot (guest=chain) wall time under Skiff", "chain_linux_wall_skiff_s", "s", ""),
    ("disk boot wall-time ratio Skiff/native", "chain_linux_wall_ratio", "", ""),
    ("disk boot exits under Skiff", "chain_linux_exits_total", "exits", ""),
    ("COM1 bytes/s native", "com1_bytes_per_s_native", "bytes/s", ""),
    ("COM1 bytes/s under Skiff", "com1_bytes_per_s_skiff", "bytes/s", ""),
    ("COM1 throughput ratio Skiff/native", "com1_throughput_ratio", "", ">= 0.9"),
    ("COM1 phase exits (102400 bytes)", "com1_exits", "exits", ""),
    ("idle phase exits (100 ticks)", "idle_exits", "exits", ""),
    ("idle exits per second", "idle_exits_per_second", "exits/s", "0"),
    ("timer loop wall ratio Skiff/native", "timer_loop_ratio", "", "<= 1.1"),
    ("timer phase exits (20000 wakeups)", "timer_exits", "exits", ""),
    ("Linux 2 CPUs wall-time ratio", "linux_smp2_wall_ratio", "", "<= 1.05"),
    ("Linux 4 CPUs wall-time ratio", "linux_smp4_wall_ratio", "", "<= 1.05"),
    ("Linux 4 CPUs guest APIC writes trapped", "linux_smp_apic_write_exits", "exits", "bring-up only"),
    ("Linux 2 CPUs ratio, lapic=notscdeadline", "linux_smp2_notscdeadline_wall_ratio", "", "<= 1.05"),
    ("Linux 4 CPUs ratio, lapic=notscdeadline", "linux_smp4_notscdeadline_wall_ratio", "", "<= 1.05"),
    ("Linux 2 CPUs ratio, hypervisor_bit=hide", "linux_smp2_hvhide_wall_ratio", "", "<= 1.05"),
    ("Linux 4 CPUs ratio, hypervisor_bit=hide", "linux_smp4_hvhide_wall_ratio", "", "<= 1.05"),
    ("nested: extra L0 round trips per CPUID exit", "nested_l0_extra_cpuid", "round trips", "0"),
    ("nested: extra L0 round trips per I/O exit", "nested_l0_extra_io", "round trips", "0"),
    ("nested: extra L0 round trips per RDMSR exit", "nested_l0_extra_msr", "round trips", "0"),
    ("nested: extra L0 round trips per VMCALL exit", "nested_l0_extra_vmcall", "round trips", ""),
    ("nested: ... per EPT violation (APIC write)", "nested_l0_extra_ept_apic", "round trips", ""),
    ("nested: ... per EPT violation (ECAM write)", "nested_l0_extra_ept_ecam", "round trips", "no ECAM in Bochs"),
    ("nested: ... per NMI exit", "nested_l0_extra_nmi", "round trips", ""),
    ("nested: ... per INIT exit (steady state)", "nested_l0_extra_init", "round trips", "minimal"),
    ("nested: ... per SIPI exit", "nested_l0_extra_sipi", "round trips", ""),
    ("nested: ... per VMCS re-check (control change)", "nested_l0_extra_vmcheck_recheck", "round trips", "not ~200"),
]
print(f"{'measure':<48}{'value':>12}  {'unit':<18}{'target':<10}")
for name, key, unit, target in rows:
    if key in d:
        print(f"{name:<48}{str(d[key]):>12}  {unit:<18}{target:<10}")
if "perf" in measured and "com1_wall_native_s" in d:
    print("workload guest phases (wall s native/Skiff, tsc native/Skiff, Skiff exits):")
    for ph in ("com1", "idle", "timer"):
        print(f"  {ph:<6} wall {d[ph + '_wall_native_s']}/{d[ph + '_wall_skiff_s']} s"
              f"  tsc {d[ph + '_tsc_native']}/{d[ph + '_tsc_skiff']}  exits {d[ph + '_exits']}")
    print(f"  timer mode: native {d.get('timer_mode_native')}, Skiff {d.get('timer_mode_skiff')}")
    res = d.get("phase_wall_resolution_s", 0.01)
    short = [ph for ph in ("com1", "idle", "timer") if d[ph + "_wall_native_s"] < 5 * res]
    if short:
        print(f"  note: native {', '.join(short)} shorter than {5 * res:.2f} s: the log is polled every "
              f"{res} s, so those walls and their ratios are bounded by the resolution (Bochs skips halted time)")
if "linux_smp_apic_write_exits_source" in d:
    print(f"APIC writes: from {d['linux_smp_apic_write_exits_source']}")
for label, key in (("Linux guest", "linux_exits"), ("Linux 2 CPUs", "linux_smp2_exits"),
                   ("Linux 4 CPUs", "linux_smp4_exits"), ("disk boot (guest=chain)", "chain_linux_exits")):
    if key in d:
        print(f"{label} exits by reason: " + ", ".join(f"{k}={v}" for k, v in sorted(d[key].items(), key=lambda kv: -kv[1])))
ran = {k: v for k, v in new.items() if k.startswith("bench_") and k.endswith("_seconds")}
print("sections run (" + only + "): " + ", ".join(f"{k[6:-8]} {v} s" for k, v in ran.items()))
stale = sorted(s for s in measured if s not in [os.path.basename(f)[:-5] for f in glob.glob(os.path.join(frag, "*.json"))])
if stale:
    print("kept from earlier runs: " + ", ".join(f"{s} ({measured[s]})" for s in stale))
print(f"written to {out}")
PY
