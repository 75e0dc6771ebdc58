#!/usr/bin/env python3
"""Write the seed corpus for fuzz_mb2: a few valid Multiboot2 information
blocks (Multiboot2 specification, section 3.6), like those GRUB hands over.

    python3 tests/fuzz/gen_mb2_seeds.py [OUT_DIR]   (default tests/fuzz/corpus/mb2)
"""
import os
import struct
import sys


def tag(type_, body=b""):
    t = struct.pack("<II", type_, 8 + len(body)) + body
    return t + b"\0" * (-len(t) % 8)


def string(type_, s):
    return tag(type_, s.encode() + b"\0")


def module(start, end, s):
    return tag(3, struct.pack("<II", start, end) + s.encode() + b"\0")


def meminfo(lower, upper):
    return tag(4, struct.pack("<II", lower, upper))


def mmap(entries, esize=24):
    body = struct.pack("<II", esize, 0)
    for base, length, type_ in entries:
        e = struct.pack("<QQI", base, length, type_)
        body += e + b"\0" * (esize - len(e))
    return tag(6, body)


def framebuffer(addr, pitch, w, h, bpp, fbtype):
    body = struct.pack("<QIIIBBH", addr, pitch, w, h, bpp, fbtype, 0)
    if fbtype == 1:
        body += bytes([16, 8, 8, 8, 0, 8])
    return tag(8, body)


RSDP_V1 = b"RSD PTR \x11BOCHS \x00\x10\x00\xfe\x07"
RSDP_V2 = RSDP_V1 + b"\x24\x00\x00\x00" + struct.pack("<Q", 0x7fe14e8) + b"\x5b\x00\x00\x00"
assert len(RSDP_V1) == 20 and len(RSDP_V2) == 36

BIOS_MAP = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
            (0x100000, 0x7ee0000, 1), (0x7fe0000, 0x20000, 2), (0xfffc0000, 0x40000, 2)]
UEFI_MAP = [(0, 0xa0000, 1), (0x100000, 0x700000, 1), (0x800000, 0x8000, 4),
            (0x808000, 0x3000, 1), (0x80b000, 0x1000, 4), (0x80c000, 0x5000, 1),
            (0x811000, 0xef000, 4), (0x900000, 0x7e00000, 1), (0x7f00000, 0xf0000, 3),
            (0xb0000000, 0x10000000, 2), (0x100000000, 0x40000000, 1)]


def block(*tags):
    body = b"".join(tags) + tag(0)
    return struct.pack("<II", 8 + len(body), 0) + body


SEEDS = {
    "minimal": block(),
    "grub_bios": block(
        string(1, "/boot/skiff.elf console=ttyS0 loglevel=debug"),
        string(2, "GRUB 2.06-13+deb12u1"),
        meminfo(639, 129920),
        tag(5, struct.pack("<III", 0x80, 0xffffffff, 0xffffffff)),
        mmap(BIOS_MAP),
        framebuffer(0xb8000, 160, 80, 25, 16, 2),
        tag(14, RSDP_V1),
        tag(21, struct.pack("<I", 0x200000))),
    "grub_uefi": block(
        string(1, "/boot/skiff.elf onexit=reboot guest_mem=64M"),
        string(2, "GRUB 2.06"),
        module(0x10a000, 0x10c345, "/boot/guest.bin"),
        module(0x10d000, 0x10d000, ""),
        meminfo(640, 1047552),
        mmap(UEFI_MAP),
        framebuffer(0x80000000, 5120, 1280, 800, 32, 1),
        tag(12, struct.pack("<Q", 0x7f9e018)),
        tag(18),
        tag(20, struct.pack("<Q", 0x7e4a318)),
        tag(14, RSDP_V1),
        tag(15, RSDP_V2),
        tag(17, struct.pack("<II", 48, 1) + b"\0" * 96),
        tag(21, struct.pack("<I", 0x1000000))),
    "modules": block(*[module(0x200000 + i * 0x10000, 0x208000 + i * 0x10000, "mod%d arg" % i)
                       for i in range(16)]),
    "mmap_32byte_entries": block(mmap(BIOS_MAP, esize=32), string(1, "")),
    "unknown_tags": block(tag(99, b"x" * 13), tag(9, b"\0" * 12), tag(13, b"\x02\x08"),
                          tag(16, b"\0" * 20), string(1, "a")),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "mb2")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        assert len(data) % 8 == 0
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
