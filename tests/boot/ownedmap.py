#!/usr/bin/env python3
"""Check Skiff's owned map against its EPT (tests/boot/cpus_cases.sh).

Reads a serial log with loglevel=debug: every `skiff: ept: withheld A-B` page
must be named by exactly one `skiff: owned: A-B <what>` line and every owned
page withheld (the owned lines, merged, are the withheld ranges); none is
unnamed; no owned page lies in a guest e820 range the EPT maps (usable, ACPI).
Prints one line per problem and exits 1 if there is any.
"""
import re
import sys

RANGE = r'0x([0-9a-f]+)-0x([0-9a-f]+)'


def ranges(lines, pat):
    out = []
    for line in lines:
        m = re.match(pat, line)
        if m:
            out.append((int(m.group(1), 16), int(m.group(2), 16) + 1) + m.groups()[2:])
    return out


def merge(rs):
    out = []
    for b, e in sorted(rs):
        if out and b <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((b, e))
    return out


def main():
    lines = open(sys.argv[1], errors='replace').read().splitlines()
    withheld = ranges(lines, r'^skiff: ept: withheld ' + RANGE + r' \(Skiff\)$')
    owned = ranges(lines, r'^skiff: owned: ' + RANGE + r' (.+)$')
    mapped = ranges(lines, r'^skiff: guest e820: ' + RANGE + r' (usable|ACPI data|ACPI NVS)$')
    bad = []
    if not withheld:
        bad.append('no withheld lines')
    if not owned:
        bad.append('no owned lines')
    prev_end = 0
    for b, e, what in sorted(owned):
        if b & 0xfff or e & 0xfff:
            bad.append(f'owned 0x{b:x}-0x{e - 1:x} is not whole pages')
        if b < prev_end:
            bad.append(f'owned 0x{b:x}-0x{e - 1:x} overlaps the range before it')
        prev_end = e
        if what == 'unnamed':
            bad.append(f'owned 0x{b:x}-0x{e - 1:x} is unnamed')
        for mb, me, _ in mapped:
            if b < me and mb < e:
                bad.append(f'owned 0x{b:x}-0x{e - 1:x} ({what}) lies in guest RAM 0x{mb:x}-0x{me - 1:x}')
    if merge([(b, e) for b, e, _ in owned]) != merge([(b, e) for b, e in withheld]):
        bad.append('the owned ranges, merged, are not the withheld ranges')
    for msg in bad:
        print(msg)
    print(f'{len(owned)} owned range(s) over {len(withheld)} withheld range(s)')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
