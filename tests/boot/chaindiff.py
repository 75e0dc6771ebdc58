#!/usr/bin/env python3
"""Compare the chain-boot probe natively and under Skiff (tests/boot/chain_cases.sh).

chaindiff.py --linux NATIVE_LOG SKIFF_LOG: the same rule for the e820 map Linux prints, and
Linux's memory figures: the pages it counts (`Memory: A/BK available`, B) are the native
ones less every withheld usable page, and /proc/meminfo's MemTotal (the initramfs's
`SKIFF-LINUX-MEM` line) is the native one less the withheld usable pages at or above 1 MiB
(see linux_mem()).

chaindiff.py NATIVE_LOG SKIFF_LOG: the `chainprobe:` lines of both serial logs
and Skiff's `skiff: ept: withheld A-B (Skiff)` and `skiff: guest e820:` lines.
Rules (issue 22):
  - both E820 walks (24- and 20-byte entries) under Skiff list exactly Skiff's
    `guest e820:` map, and that map is the native walk with Skiff's withheld
    ranges turned reserved (adjacent entries of one type merged on both sides);
  - INT 12h and the BDA word under Skiff are the KiB below the lowest withheld
    page under 640 KiB (native: equal to each other);
  - E801h and 88h under Skiff are the contiguous RAM from 1 MiB (at most
    15 MiB / 63 MiB) and from 16 MiB (64 KiB blocks) of Skiff's map;
  - DL is the same; the memory test found no bad page in either run and
    covered every usable page at or above 1 MiB of its own map.
Prints every mismatch and exits 1 if there is any.
"""
import re
import sys

E820 = re.compile(r'^chainprobe: e820 size=0x([0-9a-f]+) cont=0x[0-9a-f]+ base=0x([0-9a-f]+) '
                  r'len=0x([0-9a-f]+) type=0x([0-9a-f]+) ')
GUEST = re.compile(r'^skiff: guest e820: 0x([0-9a-f]+)-0x([0-9a-f]+) (\S+)')
WITHHELD = re.compile(r'^skiff: ept: withheld 0x([0-9a-f]+)-0x([0-9a-f]+) \(Skiff\)')
TYPES = {'usable': 1, 'reserved': 2, 'ACPI': 3, 'NVS': 4, 'unusable': 5}


def lines(path):
    with open(path, errors='replace') as f:
        return [l.rstrip('\n') for l in f]


def walks(ls):
    out = {}
    for l in ls:
        m = E820.match(l)
        if m:
            size = int(m.group(1), 16)
            out.setdefault(size, []).append((int(m.group(2), 16), int(m.group(2), 16) + int(m.group(3), 16),
                                             int(m.group(4), 16)))
    return out


def merge(es):
    out = []
    for b, e, t in sorted(es):
        if out and out[-1][2] == t and out[-1][1] == b:
            out[-1] = (out[-1][0], e, t)
        else:
            out.append((b, e, t))
    return out


def minus(es, holes):
    """RAM in `es` that a hole covers becomes reserved."""
    out = []
    for b, e, t in es:
        cuts = sorted((max(b, hb), min(e, he)) for hb, he in holes if t == 1 and hb < e and he > b)
        at = b
        for cb, ce in cuts:
            if at < cb:
                out.append((at, cb, t))
            out.append((cb, ce, 2))
            at = ce
        if at < e:
            out.append((at, e, t))
    return out


def value(ls, key, field):
    for l in ls:
        if l.startswith('chainprobe: ' + key + ' ') or l.startswith('chainprobe: ' + key + '='):
            m = re.search(r'\b' + field + r'=(0x[0-9a-f]+|\d+)', l)
            if m:
                return int(m.group(1), 0)
    return None


def run(npath, spath):
    nl, sl = lines(npath), lines(spath)
    bad = []
    nw, sw = walks(nl), walks(sl)
    holes = [(int(m.group(1), 16), int(m.group(2), 16) + 1) for m in map(WITHHELD.match, sl) if m]
    guest = [(int(m.group(1), 16), int(m.group(2), 16) + 1, TYPES.get(m.group(3), -1))
             for m in map(GUEST.match, sl) if m]
    if not holes:
        bad.append('no `skiff: ept: withheld` line in the Skiff log')
    for size in (0x18, 0x14):
        if size not in nw or size not in sw:
            bad.append('an E820 walk with %d-byte entries is missing' % size)
            continue
        want = merge(minus(nw[size], holes))
        got = merge(sw[size])
        if got != want:
            bad.append('E820 (%d-byte entries) under Skiff %s != native minus withheld %s' % (size, got, want))
        if got != merge(guest):
            bad.append('E820 (%d-byte entries) under Skiff %s != `skiff: guest e820:` %s' % (size, got, merge(guest)))
    low = [b for b, e in holes if b < 0xa0000]
    kib = min(low) >> 10 if low else value(nl, 'int12', 'ax')
    for key, field in (('int12', 'ax'), ('bda413', 'bda413')):
        n, s = value(nl, key, field), value(sl, key, field)
        if s != kib:
            bad.append('%s under Skiff %s, want %s (native %s)' % (key, s, kib, n))
    ram = [(b, e) for b, e, t in merge(sw.get(0x14, [])) if t == 1]

    def run_from(a):
        at = a
        for b, e in ram:
            if b <= at < e:
                at = e
        return at - a
    ext1, above16 = run_from(0x100000) >> 10, run_from(0x1000000) >> 16
    want = {('e801', 'ax'): min(ext1, 0x3c00), ('e801', 'cx'): min(ext1, 0x3c00),
            ('e801', 'bx'): above16 if ext1 >= 0x3c00 else 0, ('e801', 'dx'): above16 if ext1 >= 0x3c00 else 0,
            ('88', 'ax'): min(ext1, 0xfc00), ('e801', 'cf'): 0, ('88', 'cf'): 0}
    for (key, field), w in want.items():
        s = value(sl, key, field)
        if s != w:
            bad.append('%s %s under Skiff %s, want %s (native %s)' % (key, field, s, w, value(nl, key, field)))
    if value(nl, 'dl', 'dl') != value(sl, 'dl', 'dl'):
        bad.append('DL native %s, under Skiff %s' % (value(nl, 'dl', 'dl'), value(sl, 'dl', 'dl')))
    for name, ls, walk in (('native', nl, nw), ('Skiff', sl, sw)):
        pages = sum((min(e, 1 << 32) - max(b, 0x100000)) >> 12 for b, e, t in walk.get(0x14, [])
                    if t == 1 and e > 0x100000 and b < 1 << 32)
        got, nbad = value(ls, 'memtest', 'pages'), value(ls, 'memtest', 'bad')
        if got != pages or nbad != 0:
            bad.append('memtest (%s): pages=%s bad=%s, want pages=%d bad=0' % (name, got, nbad, pages))
    for b in bad:
        print('chaindiff: ' + b)
    if not bad:
        print('chaindiff: same map natively and under Skiff but for the withheld ranges %s' %
              ', '.join('0x%x-0x%x' % (b, e - 1) for b, e in holes))
    return 1 if bad else 0


LINUX_E820 = re.compile(r'^\[ *[0-9.]+\] BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (.+)$')
LINUX_TYPES = {'usable': 1, 'reserved': 2, 'ACPI data': 3, 'ACPI NVS': 4, 'unusable': 5}


def linux(npath, spath):
    """--linux: the e820 map Linux prints (BIOS-e820 lines, which GRUB got from INT 15h E820h)."""
    nl, sl = lines(npath), lines(spath)
    holes = [(int(m.group(1), 16), int(m.group(2), 16) + 1) for m in map(WITHHELD.match, sl) if m]

    def e820(ls):
        return [(int(m.group(1), 16), int(m.group(2), 16) + 1, LINUX_TYPES.get(m.group(3), -1))
                for m in map(LINUX_E820.match, ls) if m]
    n, s = e820(nl), e820(sl)
    want, got = merge(minus(n, holes)), merge(s)
    if not n or not s or got != want:
        print('chaindiff: Linux e820 under Skiff %s != native minus withheld %s' % (got, want))
        return 1
    print('chaindiff: Linux e820 the same natively and under Skiff but for the withheld ranges %s' %
          ', '.join('0x%x-0x%x' % (b, e - 1) for b, e in holes))
    return linux_mem(nl, sl, n, holes)


LINUX_MEMORY = re.compile(r'^\[ *[0-9.]+\] Memory: (\d+)K/(\d+)K available ')
LINUX_MEMTOTAL = re.compile(r'^SKIFF-LINUX-MEM MemTotal=(\d+) kB$')


def first(ls, rx):
    for l in ls:
        m = rx.match(l)
        if m:
            return [int(g) for g in m.groups()]
    return None


def linux_mem(nl, sl, native_e820, holes):
    """Linux's memory figures natively and under Skiff.

    Skiff's withheld pages are E820 reserved for the guest, so Linux never adds
    them to memblock.memory: the page count B of `Memory: A/BK available` (the
    pages memblock knows as memory) drops by every withheld usable page.
    MemTotal (totalram_pages: the pages handed to the page allocator, plus
    what is freed later, the initrd and init sections, the same in both runs)
    drops by the withheld usable pages at or above 1 MiB only: Linux reserves
    the whole first MiB (memblock_reserve(0, 1 MiB) in reserve_real_mode since
    Linux 5.13, "x86/setup: always reserve the first 1M of RAM"), so natively
    the hook page and the AP start-up page below 640 KiB are counted in B but
    never reach MemTotal either.  Nothing else may differ: the memmap (struct
    page) is allocated per 128 MiB section (SPARSEMEM_VMEMMAP), present in both
    runs; any other allocation that differed (a page table for the direct map
    around a hole, say) would show as a 4 KiB mismatch here.  Exact, no
    tolerance.  (Debian's 6.1 cloud kernel in Bochs, 256 MiB: on 1 CPU MemTotal
    drops by 756 kB of the 760 KiB withheld, on 2 CPUs by 836 kB of 844 KiB;
    the difference is the hook page, and the AP start-up page, below 1 MiB.)"""
    usable = [(b, e) for b, e, t in native_e820 if t == 1]

    def withheld(lo):
        return sum(max(0, min(e, he) - max(b, hb, lo)) for b, e in usable for hb, he in holes) >> 10
    all_kib, high_kib = withheld(0), withheld(0x100000)
    bad = []
    nm, sm = first(nl, LINUX_MEMORY), first(sl, LINUX_MEMORY)
    nt, st = first(nl, LINUX_MEMTOTAL), first(sl, LINUX_MEMTOTAL)
    if not nm or not sm:
        bad.append('no `Memory: A/BK available` line (native %s, Skiff %s)' % (nm, sm))
    elif nm[1] - sm[1] != all_kib:
        bad.append('Linux counts %dK of memory natively, %dK under Skiff: %dK less, want %dK (every withheld '
                   'usable page)' % (nm[1], sm[1], nm[1] - sm[1], all_kib))
    if not nt or not st:
        bad.append('no `SKIFF-LINUX-MEM MemTotal=` line (native %s, Skiff %s)' % (nt, st))
    elif nt[0] - st[0] != high_kib:
        bad.append('MemTotal %d kB natively, %d kB under Skiff: %d kB less, want %d kB (the withheld usable '
                   'pages at or above 1 MiB)' % (nt[0], st[0], nt[0] - st[0], high_kib))
    for b in bad:
        print('chaindiff: ' + b)
    if bad:
        return 1
    print('chaindiff: Linux memory: %dK natively, %dK under Skiff (withheld usable: %dK); MemTotal %d kB natively, '
          '%d kB under Skiff (withheld usable at or above 1 MiB: %d kB)' % (nm[1], sm[1], all_kib, nt[0], st[0],
                                                                            high_kib))
    return 0


if __name__ == '__main__':
    if sys.argv[1] == '--linux':
        sys.exit(linux(sys.argv[2], sys.argv[3]))
    sys.exit(run(sys.argv[1], sys.argv[2]))
