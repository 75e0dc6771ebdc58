#!/usr/bin/env bash
# DMA isolation with VT-d (kernel/iommu/iommu.c, README "IOMMU"): QEMU q35 with
# intel-iommu and the edu DMA device.  QEMU has no VMX, so selftest=iommu runs
# before the VMX check: the same domain as for a guest, then edu DMA both ways
# to a guest page (must work) and to each kind of Skiff page (must be blocked).
# Sourced at the end of tests/boot/cases.sh.

IOMMU_QEMU="-machine q35 -device intel-iommu -device edu,dma_mask=0xffffffff"

BOOT_CASES+=(iommu_attack_without iommu_selftest_bios iommu_selftest_uefi iommu_required_none iommu_none_bochs)

# The attack first: with iommu=off the edu device overwrites and reads Skiff's pages.
case_iommu_attack_without() {
    QEMU_ARGS=$IOMMU_QEMU boot iommu_attack_without qemu "selftest=iommu iommu=off"
    expect '^skiff: iommu: off \(iommu=off\): devices the guest programs can read and write Skiff.s memory$'
    expect '^skiff: iommu selftest: DMA write to a guest page 0x[0-9a-f]+: ok, data checked$'
    expect_count 4 "^skiff: iommu selftest: DMA write to .*: went through: the device overwrote Skiff's page$"
    expect_count 4 "^skiff: iommu selftest: DMA read from .*: went through: the device read Skiff's page$"
    expect_not '^skiff: iommu: DMA (read|write) fault'
    expect '^skiff: iommu selftest: DMA write to PCI configuration space \(ECAM 0x[0-9a-f]+, .*\): went through: the device wrote a configuration register$'
    expect "^skiff: iommu selftest 2 of 11 ok \(iommu=off: the device reached Skiff's pages\)$"
    expect_status 1 qemu
}

# expect_iommu_selftest: every Skiff page blocked both ways with its fault line, the guest page reached.
expect_iommu_selftest() {
    expect_order '^skiff: iommu: DMAR: host address width [0-9]+, .*1 DRHD 0xfed90000' \
        '^skiff: iommu: unit 0 at 0xfed90000: VT-d [0-9.]+, ' \
        '^skiff: iommu: DMAR table at 0x[0-9a-f]+ hidden from the guest \(signature now XMAR\); interrupt remapping off$' \
        '^skiff: iommu selftest: edu at 00:[0-9a-f]{2}\.0, BAR0 0x[0-9a-f]+, id 0x[0-9a-f]*ed$' \
        '^skiff: iommu: DMA remapping on: 1 unit\(s\)' \
        '^skiff: iommu selftest: DMA read from a guest page 0x[0-9a-f]+: ok$' \
        '^skiff: iommu selftest: DMA write to a guest page 0x[0-9a-f]+: ok, data checked$'
    local kind
    for kind in "Skiff's image" "a Skiff stack" "a VMCS-like page" "Skiff's page table" \
        "the IOMMU's root table" "the IOMMU's second-level table"; do
        expect_order "^skiff: iommu: DMA write fault: device 00:[0-9a-f]{2}\.0, address 0x[0-9a-f]+000, reason 5 \(write to a page without write permission\): the page belongs to Skiff$" \
            "^skiff: iommu selftest: DMA write to $kind.* 0x[0-9a-f]+: blocked, the page unchanged$"
        expect_order "^skiff: iommu: DMA read fault: device 00:[0-9a-f]{2}\.0, address 0x[0-9a-f]+000, reason 6 \(read from a page without read permission\): the page belongs to Skiff$" \
            "^skiff: iommu selftest: DMA read from $kind.* 0x[0-9a-f]+: blocked$"
    done
    # PCI configuration space (issue 20, item 5): the domain leaves ECAM out, a DMA write there faults.
    expect '^skiff: pci: chipset 8086:29c0 \(Q35 MCH\) known; chipset functions 00:00.0 8086:29c0 host bridge, 00:1f.0 8086:2918 LPC/ISA bridge, 00:1f.3 8086:2930 SMBus: writes Skiff cannot judge are refused$'
    expect '^skiff: iommu: ECAM 0xb0000000-0xbfffffff \(segment 0, buses 0-255\) absent from the domain: no device writes PCI configuration space$'
    expect_order "^skiff: iommu: DMA write fault: device 00:[0-9a-f]{2}\.0, address 0xb00[0-9a-f]{2}000, reason 5 \(write to a page without write permission\): PCI configuration space \(ECAM\)$" \
        '^skiff: iommu selftest: DMA write to PCI configuration space \(ECAM 0xb00[0-9a-f]{2}030, the device.s interrupt line 0x[0-9a-f]+ -> 0x[0-9a-f]+\): blocked, the register unchanged$'
    expect_count 7 '^skiff: iommu: DMA write fault: '
    expect_count 6 '^skiff: iommu: DMA read fault: '
    expect_not 'went through|FAILED|other fault'
    expect '^skiff: iommu selftest 15 of 15 ok$'
}

case_iommu_selftest_bios() {
    QEMU_ARGS=$IOMMU_QEMU boot iommu_selftest_bios qemu "selftest=iommu"
    expect_iommu_selftest
    expect '^skiff: iommu: unit 0 at 0xfed90000: .*39-bit 3-level tables'
    expect_status 0 qemu
}

# OVMF, and 48-bit 4-level tables.
case_iommu_selftest_uefi() {
    QEMU_ARGS="${IOMMU_QEMU/intel-iommu/intel-iommu,aw-bits=48}" boot iommu_selftest_uefi uefi "selftest=iommu iommu=required" 120
    expect '^skiff: loader: GRUB .* firmware UEFI$'
    expect_iommu_selftest
    expect '^skiff: iommu: unit 0 at 0xfed90000: .*48-bit 4-level tables'
    expect_status 0 uefi
}

# A machine without an IOMMU: iommu=required is a named error.
case_iommu_required_none() {
    boot iommu_required_none qemu "iommu=required"
    expect_order "^skiff: iommu: none \(no ACPI DMAR table\): devices the guest programs can read and write Skiff's memory$" \
        '^skiff: error: iommu=required but no usable IOMMU: no ACPI DMAR table$'
    expect_not '^skiff: launching the guest'
    expect_status 3 qemu
}

# Bochs has no IOMMU: the default policy says so once, and the guest runs as before.
case_iommu_none_bochs() {
    boot iommu_none_bochs bochs:corei7_skylake_x ""
    expect_count 1 '^skiff: iommu: '
    expect_order "^skiff: iommu: none \(no ACPI DMAR table\): devices the guest programs can read and write Skiff's memory$" \
        '^skiff: launching the guest: VMLAUNCH'
    expect_status 0 bochs:corei7_skylake_x
}
