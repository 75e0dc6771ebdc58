#!/usr/bin/env bash
# run.sh EMU ISO: boot Skiff interactively with the serial console on this
# terminal, until Skiff ends.  EMU is kvm, kvm-q35, kvm-uefi, bochs, bochs-uefi,
# qemu, uefi, or empty for the best available: QEMU with nested KVM when /dev/kvm
# offers VMX, else Bochs (Intel model with EPT), else QEMU TCG (boot path only, no VMX).
set -uo pipefail
emu=${1:-} iso=$2
mem=${MEM:-256}
guest=${GUEST:-}
model=${BOCHS_CPU:-corei7_skylake_x}

# shellcheck source=tests/boot/kvm_host.sh
source "$(dirname "$0")/kvm_host.sh"
kvm_has_vmx() { kvm_host_check >/dev/null 2>&1; }

if [ -z "$emu" ]; then
    if kvm_has_vmx; then emu=kvm
    elif command -v bochs >/dev/null; then emu=bochs
    else emu=qemu
    fi
fi
EMUS="kvm|kvm-q35|kvm-uefi|bochs|bochs-uefi|qemu|uefi"
echo "skiff run: backend=$emu (make run EMU=$EMUS to choose)" >&2

# GUEST=linux: the Debian cloud kernel with a busybox initramfs (tests/linux/);
# GUEST=multiboot: the Multiboot test guest.  Each gets an ISO of its own.
if [ -n "$guest" ]; then
    build=$(dirname "$iso")
    cfg=$build/run-$guest.cfg
    files=()
    case $guest in
    linux)
        tests/linux/build_inputs.sh "$build/linux" || exit 1
        files=("$build/linux/vmlinuz" "$build/linux/initrd.img")
        entry="    multiboot2 /boot/skiff.elf guest_mem=128M ${SKIFF_ARGS:-}
    module2 /boot/vmlinuz guest=linux console=ttyS0 quiet cryptomgr.notests panic=-1
    module2 /boot/initrd.img initrd"
        export BOCHS_BAD_MSRS=1        # Bochs' Skylake lacks MSRs the kernel reads
        ;;
    multiboot)
        files=("$build/guest/mbtest.elf")
        entry="    multiboot2 /boot/skiff.elf ${SKIFF_ARGS:-}
    module2 /boot/mbtest.elf guest=multiboot"
        ;;
    *) echo "skiff run: unknown GUEST=$guest (linux, multiboot)" >&2; exit 2 ;;
    esac
    printf 'serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\nset timeout=0\nmenuentry "Skiff, %s guest" {\n%s\n    boot\n}\n' \
        "$guest" "$entry" > "$cfg"
    iso=$build/run-$guest.iso
    tests/boot/mkiso.sh "$iso" "$cfg" "$build/skiff.elf" "${files[@]}" || exit 1
fi

# DISK=IMAGE: Skiff with guest=chain, IMAGE as the first hard disk (BIOS drive 0x80): the
# BIOS boots it in the guest.  Raw images everywhere; qcow2 (and whatever else QEMU reads)
# with kvm only: Bochs reads raw images.  The ISO stays the boot device.
disk=${DISK:-}
disk_qemu=()
if [ -n "$disk" ]; then
    [ -n "$guest" ] && { echo "skiff run: DISK= and GUEST= both given; the disk is the guest" >&2; exit 2; }
    [ -r "$disk" ] || { echo "skiff run: DISK=$disk: no such readable file" >&2; exit 2; }
    build=$(dirname "$iso")
    cfg=$build/run-disk.cfg
    printf 'serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\nset timeout=0\nmenuentry "Skiff, the disk" {\n    multiboot2 /boot/skiff.elf guest=chain %s\n    boot\n}\n' \
        "${SKIFF_ARGS:-}" > "$cfg"
    iso=$build/run-disk.iso
    tests/boot/mkiso.sh "$iso" "$cfg" "$build/skiff.elf" || exit 1
    fmt=raw
    qemu-img info "$disk" 2>/dev/null | grep -q '^file format: qcow2' && fmt=qcow2
    case $emu in
    kvm|kvm-q35) disk_qemu=(-drive "file=$disk,format=$fmt,if=ide,index=0,snapshot=on" -boot d) ;;
    bochs)
        [ "$fmt" = raw ] || { echo "skiff run: Bochs reads raw images only: qemu-img convert -O raw $disk disk.raw" >&2; exit 2; }
        cyls=$(( $(stat -c %s "$disk") / (16 * 63 * 512) ))
        [ "$cyls" -ge 1 ] || { echo "skiff run: DISK=$disk is smaller than one cylinder (516096 bytes)" >&2; exit 2; }
        export BOCHS_DISK=$disk BOCHS_DISK_GEOM="cylinders=$cyls, heads=16, spt=63" BOCHS_BAD_MSRS=1
        ;;
    *) echo "skiff run: DISK= is the BIOS path with VMX: EMU=kvm, kvm-q35 or bochs (not $emu)" >&2; exit 2 ;;
    esac
fi

# qemu_run ARGS...: QEMU on this terminal; its own errors (stderr) and a death
# by signal fail the run loudly.  Skiff's exit status comes back through
# isa-debug-exit as (N << 1) | 1.
qemu_run() {
    local err rc=0
    err=$(mktemp)
    qemu-system-x86_64 "$@" -display none -serial mon:stdio -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -cdrom "$iso" -no-reboot -net none 2>"$err" || rc=$?
    if grep -q . "$err" || [ "$rc" -ge 128 ]; then
        cat "$err" >&2
        rm -f "$err"
        echo "skiff run: FAIL: QEMU died or refused to start (status $rc)" >&2
        exit 1
    fi
    rm -f "$err"
}

case $emu in
kvm|kvm-q35|kvm-uefi)
    # The host check names each kvm_intel parameter that is off and what follows for Skiff.
    kvm_host_check | sed 's/^/skiff run: /' >&2
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "skiff run: FAIL: nested KVM is not usable here (the lines above say why)" >&2; exit 1; }
    # kvm-q35 and kvm-uefi: a q35 chipset with an Intel IOMMU (interrupt remapping needs the
    # split irqchip), so Skiff finds a DMAR and contains DMA; kvm-uefi boots it through OVMF.
    machine=()
    [ "$emu" != kvm ] && machine=(-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on)
    [ "$emu" = kvm-uefi ] && machine+=(-bios /usr/share/ovmf/OVMF.fd)
    qemu_run -enable-kvm -cpu host,+vmx "${machine[@]}" -smp "${CPUS:-1}" -m "$mem" "${disk_qemu[@]}"
    ;;
qemu|uefi)
    fw=()
    [ "$emu" = uefi ] && fw=(-bios /usr/share/ovmf/OVMF.fd)
    qemu_run "${fw[@]}" -m "$mem"
    ;;
bochs|bochs-uefi)
    [ "$emu" = bochs-uefi ] && export BOCHS_FW=uefi
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    # shellcheck source=tests/boot/lib.sh
    BUILD=$dir source "$(dirname "$0")/lib.sh"
    BOCHS_CPUS=${CPUS:-1} write_bochsrc "$dir/bochsrc" "$model" "$mem" "$iso" "$dir/serial.log" "$dir/bochs.log"
    printf 'c\nquit\n' > "$dir/rc"
    : > "$dir/serial.log"
    bochs -q -f "$dir/bochsrc" -rc "$dir/rc" </dev/null >"$dir/bochs.out" 2>&1 &
    bochs_pid=$!
    tail --pid=$bochs_pid -n +1 -f "$dir/serial.log"
    EMU_RC=0
    wait "$bochs_pid" || EMU_RC=$?
    bochs_settle_rc "$dir/bochs.log" >&2
    if ! emu_check bochs: "$dir/bochs.out" "$dir/bochs.log" 0 >&2; then
        echo "skiff run: FAIL: Bochs died (see the lines above)" >&2
        exit 1
    fi
    # Skiff's verdict carries the banner's run id; a guest's imitation cannot.
    id=$(tr -d '\r' < "$dir/serial.log" | sed -nE 's/^skiff: Skiff .* run=([0-9a-f]{16})$/\1/p' | head -n 1)
    [ -n "$id" ] && tr -d '\r' < "$dir/serial.log" | grep -qE "^skiff: exit status=[0-9]+ run=$id\$" ||
        { echo "skiff run: FAIL: Bochs ended (status $EMU_RC) before Skiff's last line" >&2; exit 1; }
    ;;
*)
    echo "skiff run: unknown EMU=$emu ($EMUS)" >&2
    exit 2
    ;;
esac
# Skiff's own last line (`skiff: exit status=N run=ID`, ID as in the banner) tells how the run ended.
exit 0
