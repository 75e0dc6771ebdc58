#!/usr/bin/env bash
# mkiso.sh OUT.iso GRUB.CFG SKIFF.ELF [FILE...]: a hybrid BIOS+UEFI GRUB ISO
# with Skiff at /boot/skiff.elf and each extra FILE under /boot/.
set -euo pipefail
out=$1 cfg=$2 elf=$3
shift 3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$elf" "$root/boot/skiff.elf"
cp "$cfg" "$root/boot/grub/grub.cfg"
for f in "$@"; do cp "$f" "$root/boot/"; done
grub-file --is-x86-multiboot2 "$root/boot/skiff.elf" || {
    echo "mkiso: $elf is not accepted by grub-file --is-x86-multiboot2" >&2
    exit 1
}
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out.tmp" "$root" >/dev/null 2>"$out.log" || { cat "$out.log" >&2; exit 1; }
mv "$out.tmp" "$out"
