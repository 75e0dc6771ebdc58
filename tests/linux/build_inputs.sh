#!/usr/bin/env bash
# build_inputs.sh OUTDIR: the Linux guest test inputs, built from Debian packages only.
#   OUTDIR/vmlinuz         the current linux-image-*-cloud-amd64 kernel
#   OUTDIR/kernel-version  its release (what `uname -r` prints in the guest)
#   OUTDIR/initrd.img      a gzip'd newc initramfs: busybox-static and an /init that
#                          prints one line
#     SKIFF-LINUX-OK uname=<release> hypervisor=<yes|no> vmx=<yes|no> nproc=<n>
#                          (from the `flags` line of /proc/cpuinfo), then
#     SKIFF-LINUX-FLAGS <the flags line's names>
#     SKIFF-LINUX-MEM MemTotal=<n> kB
#                          (/proc/meminfo's MemTotal), and runs `poweroff -f`
#   OUTDIR/packages        the Debian packages and versions used
# Cached: nothing is done while vmlinuz and initrd.img exist and are newer than this script.
# Needs root (apt-get update, if the package lists are missing, and device nodes).
set -euo pipefail

die() { echo "build_inputs: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
out=$1
self=${BASH_SOURCE[0]}

if [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ] &&
   [ "$out/vmlinuz" -nt "$self" ] && [ "$out/initrd.img" -nt "$self" ]; then
    echo "build_inputs: up to date: $out/vmlinuz ($(cat "$out/kernel-version" 2>/dev/null || echo '?')), $out/initrd.img"
    exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (Debian packages are required)"
command -v dpkg >/dev/null || die "dpkg not found"
command -v gzip >/dev/null || die "gzip not found"

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/apt.log

# kernel_pkg: the package that linux-image-cloud-amd64 depends on, else the newest
# linux-image-<abi>-cloud-amd64 that apt-cache search knows (unsigned variant skipped).
kernel_pkg() {
    local p
    p=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n 1)
    if [ -z "$p" ]; then
        p=$(apt-cache search --names-only '^linux-image-[0-9].*-cloud-amd64$' 2>/dev/null |
            awk '{print $1}' | grep -v -- '-unsigned$' | sort -V | tail -n 1)
    fi
    echo "$p"
}

kpkg=$(kernel_pkg)
if [ -z "$kpkg" ] || [ -z "$(apt-cache policy busybox-static 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)')" ]; then
    [ "$(id -u)" -eq 0 ] || die "package lists lack the cloud kernel or busybox-static; run 'apt-get update' as root"
    apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
    kpkg=$(kernel_pkg)
fi
[ -n "$kpkg" ] || die "no linux-image-*-cloud-amd64 package found in the apt lists"

# apt-get download as root warns about the unsandboxed download: run it in a directory
# _apt can write to and keep its output in the log unless it fails.
dl=$work/dl
mkdir -p "$dl"
chmod 777 "$dl"
(cd "$dl" && apt-get download -qq "$kpkg" busybox-static) >"$log" 2>&1 ||
    { cat "$log" >&2; die "apt-get download $kpkg busybox-static failed"; }
kdeb=$(ls "$dl"/"$kpkg"_*.deb 2>/dev/null | head -n 1)
bdeb=$(ls "$dl"/busybox-static_*.deb 2>/dev/null | head -n 1)
[ -n "$kdeb" ] || die "apt-get download produced no $kpkg .deb"
[ -n "$bdeb" ] || die "apt-get download produced no busybox-static .deb"
kver=$(dpkg-deb -f "$kdeb" Version)
bver=$(dpkg-deb -f "$bdeb" Version)

# --- kernel ------------------------------------------------------------------
dpkg -x "$kdeb" "$work/k" || die "dpkg -x $kdeb failed"
vmlinuz=$(ls "$work"/k/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die "$kpkg has no boot/vmlinuz-*"
release=${vmlinuz##*/vmlinuz-}

# --- initramfs ---------------------------------------------------------------
dpkg -x "$bdeb" "$work/b" || die "dpkg -x $bdeb failed"
bb=$work/b/bin/busybox
[ -x "$bb" ] || die "busybox-static has no bin/busybox"
# (Captured first: under pipefail, grep -q closing the pipe early would fail the check.)
cpio_help=$("$bb" cpio --help 2>&1)
grep -q -- '-o' <<<"$cpio_help" || die "this busybox cannot create cpio archives (no cpio -o)"

applets=$("$bb" --list)
root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys}
cp "$bb" "$root/bin/busybox"
for applet in sh mount uname grep cat nproc poweroff echo sleep; do
    grep -qx "$applet" <<<"$applets" || die "busybox-static lacks the $applet applet"
    ln -s busybox "$root/bin/$applet"
done
ln -s ../bin/poweroff "$root/sbin/poweroff"
# The kernel needs /dev/console in the archive to give /init a stdout.
if [ "$(id -u)" -eq 0 ]; then
    mknod -m 600 "$root/dev/console" c 5 1
    mknod -m 666 "$root/dev/null" c 1 3
fi
cat > "$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
flags=$(grep -m 1 '^flags' /proc/cpuinfo)
hv=no; vmx=no
echo "$flags" | grep -qw hypervisor && hv=yes
echo "$flags" | grep -qw vmx && vmx=yes
echo "SKIFF-LINUX-OK uname=$(uname -r) hypervisor=$hv vmx=$vmx nproc=$(nproc)"
echo "SKIFF-LINUX-FLAGS ${flags#*: }"
set -- $(grep -m 1 '^MemTotal:' /proc/meminfo)
echo "SKIFF-LINUX-MEM MemTotal=$2 kB"
# The last characters written before power-off can be lost: pause first.
sleep 1
poweroff -f
INIT
chmod 755 "$root/init"

(cd "$root" && find . | LC_ALL=C sort | "$bb" cpio -o -H newc 2>"$work/cpio.log") > "$work/initrd.cpio" ||
    { cat "$work/cpio.log" >&2; die "busybox cpio failed"; }
gzip -9 -n < "$work/initrd.cpio" > "$work/initrd.img" || die "gzip failed"

cp "$vmlinuz" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$release" > "$out/kernel-version"
printf '%s %s\nbusybox-static %s\n' "$kpkg" "$kver" "$bver" > "$out/packages"
mv "$work/initrd.img" "$out/initrd.img"
echo "build_inputs: $kpkg $kver -> $out/vmlinuz ($(stat -c %s "$out/vmlinuz") B), busybox-static $bver -> $out/initrd.img ($(stat -c %s "$out/initrd.img") B)"
