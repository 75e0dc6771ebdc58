#!/usr/bin/env bash
# deps.sh [run|test]: make sure the Debian packages Skiff's build, `make run`
# and `make test` need are installed.  As root it installs what is missing
# (apt-get, Debian packages only); otherwise it prints the exact command.
set -euo pipefail
pkgs=(gcc make binutils git clang libclang-rt-14-dev grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
      bochs bochsbios vgabios qemu-system-x86 ovmf gdb
      iproute2 python3 busybox-static memtest86+ procps)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "skiff: missing Debian packages: ${missing[*]}" >&2
    echo "skiff: run as root:  apt-get update && $cmd" >&2
    exit 1
fi
echo "skiff: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
$cmd >/dev/null
