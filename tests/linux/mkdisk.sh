#!/usr/bin/env bash
# mkdisk.sh OUT.img VMLINUZ INITRD "KERNEL ARGS": a raw hard-disk image whose MBR boots
# Debian's GRUB for BIOS (grub-mkrescue's hybrid image, used as a disk: its MBR loads
# GRUB with the BIOS's INT 13h as from a USB stick), whose grub.cfg boots VMLINUZ with
# INITRD from that disk, on the serial console.  Padded to whole cylinders of 16 heads
# and 63 sectors; prints the geometry line for Bochs (cylinders=N, heads=16, spt=63).
# Built from Debian packages only (grub-pc-bin, xorriso, mtools); no loop devices.
set -euo pipefail
out=$1 vmlinuz=$2 initrd=$3 args=$4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$vmlinuz" "$root/boot/vmlinuz"
cp "$initrd" "$root/boot/initrd.img"
cat > "$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry "Debian cloud kernel from the disk" {
    echo "disk-grub: loading the kernel from \$root"
    linux /boot/vmlinuz $args
    initrd /boot/initrd.img
    boot
}
CFG
# BIOS only: the disk's boot path is the MBR's.
grub-mkrescue -d /usr/lib/grub/i386-pc -o "$out.tmp" "$root" >/dev/null 2>"$out.log" || { cat "$out.log" >&2; exit 1; }
cyl_bytes=$((16 * 63 * 512))
size=$(stat -c %s "$out.tmp")
cyls=$(( (size + cyl_bytes - 1) / cyl_bytes ))
truncate -s $((cyls * cyl_bytes)) "$out.tmp"
mv "$out.tmp" "$out"
echo "cylinders=$cyls, heads=16, spt=63"
