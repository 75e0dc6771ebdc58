#!/usr/bin/env python3
"""Write the seed corpus for fuzz_loaders: valid images for each loader
(bzImage, Multiboot ELF32 and a.out kludge, ELF32/ELF64, flat), each behind
the harness's 12-byte control prefix (see tests/fuzz/fuzz_loaders.c), sized
for its 8 MiB fake guest memory.

    python3 tests/fuzz/gen_loader_seeds.py [OUT_DIR]   (default tests/fuzz/corpus/loaders)
"""
import os
import struct
import sys


def prefix(sel, b1, tail=0, addr=0, entry=0):
    return struct.pack("<BBHII", sel, b1, tail, addr, entry)


def bzimage(ksize=0x800, version=0x020F, pref=0x100000, init_size=0x100000):
    setup = bytearray(2 * 512)                      # setup_sects = 1
    setup[0x1F1] = 1
    struct.pack_into("<H", setup, 0x1FE, 0xAA55)
    setup[0x200:0x202] = b"\xeb\x6a"
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, version)
    setup[0x211] = 0x01                             # LOADED_HIGH
    struct.pack_into("<I", setup, 0x22C, 0x7FFFFFFF)
    struct.pack_into("<I", setup, 0x230, 0x200000)
    setup[0x234] = 1
    struct.pack_into("<H", setup, 0x236, 0x3)       # XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
    struct.pack_into("<I", setup, 0x238, 2047)
    struct.pack_into("<Q", setup, 0x258, pref)
    struct.pack_into("<I", setup, 0x260, init_size)
    return bytes(setup) + bytes((i * 7 + 3) & 0xFF for i in range(ksize))


def elf(is64, machine, entry, segs, total):
    eh, ph = (64, 56) if is64 else (52, 32)
    d = bytearray(total)
    d[0:7] = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1])
    if is64:
        struct.pack_into("<HHIQQQIHHHHHH", d, 16, 2, machine, 1, entry, eh, 0, 0, eh, ph,
                         len(segs), 0, 0, 0)
    else:
        struct.pack_into("<HHIIIIIHHHHHH", d, 16, 2, machine, 1, entry, eh, 0, 0, eh, ph,
                         len(segs), 0, 0, 0)
    for i, (off, vaddr, paddr, filesz, memsz) in enumerate(segs):
        if is64:
            struct.pack_into("<IIQQQQQQ", d, eh + i * ph, 1, 7, off, vaddr, paddr, filesz, memsz,
                             0x1000)
        else:
            struct.pack_into("<IIIIIIII", d, eh + i * ph, 1, off, vaddr, paddr, filesz, memsz, 7,
                             0x1000)
        d[off:off + filesz] = bytes((j * 13 + i) & 0xFF for j in range(filesz))
    return d


def mb_header(d, off, flags, extra=b""):
    struct.pack_into("<III", d, off, 0x1BADB002, flags, (-(0x1BADB002 + flags)) & 0xFFFFFFFF)
    d[off + 12:off + 12 + len(extra)] = extra
    return d


def seeds():
    yield "linux_initrd", prefix(0, 1 | 2, 0x1000) + bzimage() + b"\x42" * 0x1000
    yield "linux_plain", prefix(0, 0) + bzimage(version=0x020C)
    yield "linux_relocate", prefix(0, 0) + bzimage(pref=0x400000, init_size=0x200000)
    k = elf(False, 3, 0xC0100010, [(0x1000, 0xC0100000, 0x100000, 0x800, 0x800),
                                   (0x1800, 0xC0101000, 0x101000, 0x100, 0x2000)], 0x1900)
    yield "mb_elf_mods", prefix(1, 2 | 4, 0x100) + bytes(mb_header(k, 0x100, 3)) + b"\x17" * 0x100
    a = bytearray(0x800)
    mb_header(a, 0x20, 1 << 16, struct.pack("<IIIII", 0x200020, 0x200000, 0x200600, 0x201000,
                                            0x200040))
    yield "mb_aout", prefix(1, 1, 0x80) + bytes(a)
    yield "elf32", prefix(2, 0) + bytes(elf(False, 3, 0x100000,
                                            [(0x1000, 0x100000, 0x100000, 0x400, 0x1000)], 0x1400))
    yield "elf64", prefix(2, 0) + bytes(elf(True, 62, 0xFFFFFFFF80200010,
                                            [(0x1000, 0xFFFFFFFF80200000, 0x200000, 0x400, 0x400),
                                             (0x1400, 0xFFFFFFFF80201000, 0x201000, 0x10, 0x3000)],
                                            0x1410))
    yield "flat16", prefix(3, 0, 0, 0x7C00, 0x7C00) + b"\xfa\xf4" + b"\x90" * 510
    yield "flat32", prefix(3, 1, 0, 0x100000, 0x100000) + b"\xf4" * 256
    yield "flat64", prefix(3, 2 | 4, 0, 0x200000, 0x10) + b"\xf4" * 256


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/loaders"
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
