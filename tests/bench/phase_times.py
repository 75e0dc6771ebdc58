#!/usr/bin/env python3
"""phase_times.py LOG OUT [LIMIT_S]: follow the serial log LOG while the emulator
writes it and record when each `perf: mark <phase>_start|_end` line appears.

Bochs writes its serial file byte by byte as the guest sends, so the time a
mark line's newline lands in the file is the time the guest finished sending
it.  The log is read every 2 ms (time.monotonic()); the helper waits for LOG
to appear, stops at `perf: end` or after LIMIT_S seconds (default 900), and
on SIGTERM.  Each mark goes to OUT as it is seen, `mark <name> <seconds>`,
then `phase <phase> <end - start>` once a phase has both marks; seconds
count from the helper's start.
"""
import os
import re
import signal
import sys
import time

POLL_S = 0.002                             # 2 ms: a native phase of a few tens of ms is still resolved
MARK = re.compile(r"^perf: mark ([a-z0-9]+)_(start|end)\s*$")


def main():
    log, out = sys.argv[1], sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 900.0
    t0 = time.monotonic()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    marks = {}
    f = None
    ino = None
    buf = b""
    with open(out, "w") as o:
        while not stop and time.monotonic() - t0 < limit:
            if f is None:
                try:
                    f = open(log, "rb")
                    ino = os.fstat(f.fileno()).st_ino
                except FileNotFoundError:
                    time.sleep(POLL_S)
                    continue
            data = f.read()
            now = time.monotonic() - t0
            if not data:
                try:
                    if os.stat(log).st_ino != ino:
                        break                      # the harness rewrote the log: the run is over
                except FileNotFoundError:
                    break
                time.sleep(POLL_S)
                continue
            buf += data
            *lines, buf = buf.split(b"\n")
            done = False
            for raw in lines:
                text = raw.decode("ascii", "replace").rstrip("\r")
                m = MARK.match(text)
                if m and (m.group(1), m.group(2)) not in marks:
                    marks[(m.group(1), m.group(2))] = now
                    o.write(f"mark {m.group(1)}_{m.group(2)} {now:.3f}\n")
                    if m.group(2) == "end" and (m.group(1), "start") in marks:
                        o.write(f"phase {m.group(1)} {now - marks[(m.group(1), 'start')]:.3f}\n")
                    o.flush()
                if text.startswith("perf: end"):
                    done = True
            if done:
                break
            time.sleep(POLL_S)


if __name__ == "__main__":
    main()
