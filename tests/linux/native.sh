#!/usr/bin/env bash
# native.sh: boot the Debian cloud kernel and the busybox initramfs NATIVELY (no Skiff)
# under GRUB in Bochs, and check that /init's marker line reaches the serial port.
# Prints `native-linux: wall=<s>s marker=<yes|no> bochs_rc=<n>`; exits 0 only if the
# marker appeared.  Environment: BUILD (default build), LINUX_MODEL (corei7_skylake_x),
# LINUX_MEM (MiB, default 128; GRUB needs >= 96 for this kernel), LINUX_TIMEOUT (180),
# LINUX_BAD_MSRS (1: Bochs ignores unimplemented MSRs; 0: they #GP).  The default is 1:
# the kernel's decompressor (verify_cpu, Intel family 6) reads IA32_MISC_ENABLE (0x1a0),
# which corei7_skylake_x does not implement, and with 0 that #GP triple-faults at once.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
. tests/boot/lib.sh                           # write_bochsrc

dir=$BUILD/linux
model=${LINUX_MODEL:-corei7_skylake_x}
mem=${LINUX_MEM:-128}
limit=${LINUX_TIMEOUT:-180}
bad_msrs=${LINUX_BAD_MSRS:-1}
marker_re='^SKIFF-LINUX-OK uname=[^ ]+ hypervisor=(yes|no) vmx=(yes|no) nproc=[0-9]+$'

tests/linux/build_inputs.sh "$dir" || { echo "native-linux: FAIL: cannot build the inputs"; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$dir/vmlinuz" "$dir/initrd.img" "$root/boot/"
# LINUX_EXTRA: more kernel arguments (make bench: lapic=notscdeadline).
cat > "$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry "Linux, native" {
    linux /boot/vmlinuz console=ttyS0 quiet cryptomgr.notests panic=-1${LINUX_EXTRA:+ $LINUX_EXTRA}
    initrd /boot/initrd.img
    boot
}
CFG
iso=$dir/native.iso
grub-mkrescue -o "$iso.tmp" "$root" >/dev/null 2>"$dir/native.iso.log" ||
    { cat "$dir/native.iso.log" >&2; echo "native-linux: FAIL: grub-mkrescue failed"; exit 1; }
mv "$iso.tmp" "$iso"

log=$dir/native.log
rm -f "$log"
write_bochsrc "$dir/native.bochsrc" "$model" "$mem" "$iso" "$log" "$dir/native.bochs.log"
sed -i "s/ignore_bad_msrs=0/ignore_bad_msrs=$bad_msrs/" "$dir/native.bochsrc"
printf 'c\nquit\n' > "$dir/bochs.rc"
start=$(date +%s.%N)
rc=0
timeout "$limit" bochs -q -f "$dir/native.bochsrc" -rc "$dir/bochs.rc" </dev/null >"$dir/native.emu" 2>&1 || rc=$?
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
[ -f "$log" ] && tr -d '\r' < "$log" > "$log.txt" && mv "$log.txt" "$log"
touch "$log"

note=
msrs=$(grep -oE '(RD|WR)MSR: Unknown register 0x[0-9a-f]+' "$dir/native.bochs.log" 2>/dev/null |
       sed 's/: Unknown register /:/' | sort | uniq -c | awk '{printf "%s%s(x%d)", sep, $2, $1; sep=","}')
end_reason=$(grep -m 1 '>>PANIC<<' "$dir/native.bochs.log" 2>/dev/null | sed 's/.*>>PANIC<< //')
[ -n "$end_reason" ] && note="$note bochs_end=\"$end_reason\""
[ "$rc" -eq 124 ] && note="$note timed_out=${limit}s"
if line=$(grep -m 1 -E -- "$marker_re" "$log"); then
    echo "native-linux: wall=${wall}s marker=yes bochs_rc=$rc mem=${mem}M model=$model ignore_bad_msrs=$bad_msrs$note"
    echo "native-linux: $line"
    [ -n "$msrs" ] && echo "native-linux: unimplemented MSRs (ignored): $msrs"
    exit 0
fi
echo "native-linux: wall=${wall}s marker=no bochs_rc=$rc mem=${mem}M model=$model ignore_bad_msrs=$bad_msrs$note"
[ -n "$msrs" ] && echo "native-linux: unimplemented MSRs: $msrs"
grep -q 'error: out of memory' "$log" && echo "native-linux: GRUB ran out of memory loading the kernel: raise LINUX_MEM (>= 96)"
echo "native-linux: FAIL: no marker line in $log; last lines:"
tail -n 5 "$log" | sed 's/^/    /'
exit 1
