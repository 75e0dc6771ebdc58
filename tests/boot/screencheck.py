#!/usr/bin/env python3
"""Read what Skiff wrote on the screen of a QEMU machine (standard library only).

  screencheck.py monitor SOCK CMD...      run QEMU monitor (HMP) commands, print their output
  screencheck.py decode FILE.ppm [N]      recognise the text in a screendump with Skiff's own
                                          font (kernel/console/font.c): print the first N non-empty rows
  screencheck.py vgatext SOCK [N]         read the EGA text screen (0xb8000) through the monitor's
                                          `xp` and print its first N non-empty rows
  screencheck.py bochsxp FILE [N]         the same from Bochs' debugger output of
                                          `xp /2000hx 0xb8000` in FILE
  screencheck.py shape FILE.ppm LOG       text drawn in another font (Linux's fbcon, vgacon): which
                                          cells are lit, row by row, against the lines of LOG

shape: without the other font's glyphs, a row of text still has a shape: its
cell is lit exactly where the character is not a space.  Each non-empty screen
row is looked for among LOG's lines (cut at the screen's width, as a console
wraps them), in order; prints "shape: R rows, M matched in order, K of them
kernel lines ([ time ] ...)" and the matched rows' log text.

decode: the screen is cut into 8x16 cells from the top-left corner; a pixel is
lit when any channel exceeds 0x40 (Skiff draws light grey on black); each cell's
16 row bitmaps are looked up in the glyph table built from kernel/console/font.c exactly
as font_row() builds it.  A cell that matches no glyph reads as '\\x00' (shown
as '?' with a count on stderr).
"""
import os
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FONT_C = os.path.join(HERE, "..", "..", "kernel", "console", "font.c")


def load_font(path=FONT_C):
    """{cell bitmap (16 row bytes): character} from kernel/console/font.c's 5x8 table."""
    text = open(path).read()
    table = {}
    for m in re.finditer(r"/\*\s*(\d+) '.*?' \*/ \{([^}]*)\}", text):
        code = int(m.group(1))
        rows = [int(v, 16) for v in m.group(2).split(",")]
        assert len(rows) == 8, code
        cell = tuple((rows[y // 2] << 2) & 0xFF for y in range(16))
        table[cell] = chr(code)
    if len(table) != 95:
        raise SystemExit(f"screencheck: {path}: found {len(table)} distinct glyphs, want 95")
    return table


def read_ppm(path):
    data = open(path, "rb").read()
    # P6 <ws> width <ws> height <ws> maxval <single ws> pixels; comments start with '#'.
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise SystemExit(f"screencheck: {path}: not an 8-bit binary PPM")
    w, h = int(fields[1]), int(fields[2])
    px = data[pos:pos + w * h * 3]
    if len(px) != w * h * 3:
        raise SystemExit(f"screencheck: {path}: truncated PPM")
    return w, h, px


def decode(path, nrows=None):
    font = load_font()
    w, h, px = read_ppm(path)
    lit = bytes(1 if max(px[i], px[i + 1], px[i + 2]) > 0x40 else 0 for i in range(0, len(px), 3))
    rows, unknown = [], 0
    for cy in range(h // 16):
        line = []
        for cx in range(w // 8):
            cell = []
            for y in range(16):
                base = (cy * 16 + y) * w + cx * 8
                bits = 0
                for x in range(8):
                    bits = bits << 1 | lit[base + x]
                cell.append(bits)
            ch = font.get(tuple(cell))
            if ch is None:
                unknown += 1
                ch = "?"
            line.append(ch)
        rows.append("".join(line).rstrip())
    return rows, unknown, (w, h)


def cell_masks(path):
    """Per row of cells of the screendump: '#' for a cell with a lit pixel, ' ' for a dark one.
    Cells are 8x16, or 9x16 on QEMU's 720x400 rendering of the 80x25 text mode."""
    w, h, px = read_ppm(path)
    cw = 9 if (w, h) == (720, 400) else 8
    rows = []
    for cy in range(h // 16):
        line = []
        for cx in range(w // cw):
            lit = False
            for y in range(16):
                base = ((cy * 16 + y) * w + cx * cw) * 3
                if max(px[base:base + 3 * cw]) > 0x40:
                    lit = True
                    break
            line.append("#" if lit else " ")
        rows.append("".join(line).rstrip())
    return rows, w // cw


def shape(ppm, log):
    rows, cols = cell_masks(ppm)
    segs = []                      # (mask, text) of every log line, cut at the screen's width
    for line in open(log, errors="replace").read().splitlines():
        line = line.expandtabs(8)
        for at in range(0, max(len(line), 1), cols):
            seg = line[at:at + cols]
            segs.append(("".join(" " if c == " " else "#" for c in seg).rstrip(), seg))
    nonempty = [r for r in rows if r]
    matched, kernel, at = [], 0, 0
    for r in nonempty:
        for i in range(at, len(segs)):
            if segs[i][0] == r:
                matched.append(segs[i][1])
                kernel += bool(re.match(r"^\[ *[0-9]+\.[0-9]+\] ", segs[i][1]))
                at = i + 1
                break
    print(f"shape: {len(nonempty)} rows, {len(matched)} matched in order, {kernel} of them kernel lines")
    for t in matched:
        print(t)
    return 0


class Monitor:
    """A QEMU human monitor on a unix socket."""

    def __init__(self, path, timeout=10):
        deadline = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.s.settimeout(timeout)
        self.read_prompt()

    def read_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = self.s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf.decode("latin-1")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        if line.strip() == "quit":
            try:
                self.s.recv(65536)
            except OSError:
                pass
            return ""
        out = self.read_prompt()
        out = out.split("\n", 1)[1] if "\n" in out else ""   # readline's echo of the command
        return out[: -len("(qemu) ")] if out.endswith("(qemu) ") else out


def vgatext(sock, cols=80, nrows=25, out=None):
    if out is None:
        out = Monitor(sock).cmd(f"xp /{cols * nrows}hx 0xb8000")
    cells = []
    for line in out.splitlines():
        # QEMU: `00000000000b8000: 0x0773 ...`; Bochs: `0x00000000000b8000 <bogus+ 0>:\t0x0773 ...`
        m = re.match(r"^\s*(?:0x)?[0-9a-f]+(?: <[^>]*>)?:((?:\s+0x[0-9a-f]+)+)\s*$", line)
        if m:
            cells += [int(v, 16) for v in m.group(1).split()]
    if len(cells) < cols * nrows:
        raise SystemExit(f"screencheck: read {len(cells)} text cells, want {cols * nrows}")
    rows = []
    for r in range(nrows):
        chars = [c & 0xFF for c in cells[r * cols:(r + 1) * cols]]
        rows.append("".join(chr(c) if 32 <= c < 127 else "?" for c in chars).rstrip())
    return rows


def main(argv):
    if len(argv) >= 3 and argv[1] == "monitor":
        mon = Monitor(argv[2])
        for c in argv[3:]:
            sys.stdout.write(mon.cmd(c))
        return 0
    if len(argv) >= 3 and argv[1] == "decode":
        n = int(argv[3]) if len(argv) > 3 else 5
        rows, unknown, (w, h) = decode(argv[2])
        print(f"screen {w}x{h}, {w // 8}x{h // 16} cells, {unknown} unrecognised", file=sys.stderr)
        for r in [r for r in rows if r][:n]:
            print(r)
        return 0
    if len(argv) == 4 and argv[1] == "shape":
        return shape(argv[2], argv[3])
    if len(argv) >= 3 and argv[1] == "bochsxp":
        n = int(argv[3]) if len(argv) > 3 else 25
        with open(argv[2], errors="replace") as f:
            rows = vgatext(None, out=f.read())
        for r in [r for r in rows if r][:n]:
            print(r)
        return 0
    if len(argv) >= 3 and argv[1] == "vgatext":
        n = int(argv[3]) if len(argv) > 3 else 5
        for r in [r for r in vgatext(argv[2]) if r][:n]:
            print(r)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
