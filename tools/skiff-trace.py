#!/usr/bin/env python3
"""Read a Skiff serial log and explain it.

  skiff-trace.py LOG               exit table (from trace=stream/trace=N lines) and counters
  skiff-trace.py --timeline N LOG  the first N traced exits with TSC deltas
  skiff-trace.py --vmcs LOG        the VMCS dump(s), grouped and aligned
  skiff-trace.py --check LOG       exit 1 unless the traced exits match Skiff's own counters

Python 3 standard library only.
"""
import argparse
import collections
import re
import sys

# While several vCPUs run, Skiff's lines carry the CPU: `skiff: cpu1: trace: ...`; each
# vCPU numbers its exits from 0, and `skiff: exits: total=` is the sum over all of them.
TRACE = re.compile(r"skiff: (?:cpu(\d+): )?trace: seq=(\d+) tsc=(\d+) reason=(\w+) qual=(0x[0-9a-f]+) "
                   r"rip=(0x[0-9a-f]+) rax=(0x[0-9a-f]+) rcx=(0x[0-9a-f]+)")
COUNTERS = re.compile(r"^skiff: exits: total=(\d+)(.*)$")
VMCS = re.compile(r"^skiff: vmcs: (.*)$")


def parse(path):
    traces, counters, vmcs = [], None, []
    seen = set()
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            m = TRACE.search(line)
            if m:
                cpu, seq = int(m.group(1) or 0), int(m.group(2))
                if (cpu, seq) in seen:   # a ring dump repeats streamed records
                    continue
                seen.add((cpu, seq))
                traces.append({"cpu": cpu, "seq": seq, "tsc": int(m.group(3)), "reason": m.group(4),
                               "qual": m.group(5), "rip": m.group(6)})
                continue
            m = COUNTERS.match(line)
            if m:
                counts = {"total": int(m.group(1))}
                for kv in m.group(2).split():
                    k, _, v = kv.partition("=")
                    counts[k] = int(v)
                counters = counts
                continue
            m = VMCS.match(line)
            if m:
                vmcs.append(m.group(1))
    traces.sort(key=lambda t: (t["tsc"], t["cpu"], t["seq"]))
    return traces, counters, vmcs


def table(traces, counters):
    by = collections.Counter(t["reason"] for t in traces)
    rows = sorted(by.items(), key=lambda kv: (-kv[1], kv[0]))
    names = set(by) | set(k for k in (counters or {}) if k != "total")
    print(f"{'exit reason':<24}{'traced':>10}{'counter':>10}")
    for name in sorted(names, key=lambda n: (-by.get(n, 0), n)):
        c = counters.get(name, 0) if counters else "-"
        print(f"{name:<24}{by.get(name, 0):>10}{c:>10}")
    print(f"{'total':<24}{len(traces):>10}{counters['total'] if counters else '-':>10}")
    return rows


def matches(traces, counters):
    if counters is None:
        return False, "no 'skiff: exits:' line in the log"
    by = collections.Counter(t["reason"] for t in traces)
    want = {k: v for k, v in counters.items() if k != "total"}
    if dict(by) != want or len(traces) != counters["total"]:
        return False, f"traced {dict(by)} (total {len(traces)}), counters {counters}"
    return True, f"traced exits match Skiff's counters ({len(traces)} exits)"


def timeline(traces, n):
    prev = None
    print(f"{'seq':>8} {'tsc':>14} {'delta':>10}  {'reason':<20} {'rip':>18}  qual")
    for t in traces[:n]:
        delta = t["tsc"] - prev if prev is not None else 0
        prev = t["tsc"]
        print(f"{t['seq']:>8} {t['tsc']:>14} {delta:>10}  {t['reason']:<20} {t['rip']:>18}  {t['qual']}")


def vmcs_dump(lines):
    for line in lines:
        m = re.match(r"(\w+)\s*= (0x[0-9a-f]+)$", line)
        if m:
            print(f"    {m.group(1):<34} {int(m.group(2), 16):#018x}")
        else:
            print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("--timeline", type=int, metavar="N")
    ap.add_argument("--vmcs", action="store_true")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    traces, counters, vmcs = parse(a.log)
    if a.vmcs:
        vmcs_dump(vmcs)
        return 0
    if a.timeline:
        timeline(traces, a.timeline)
        return 0
    table(traces, counters)
    ok, why = matches(traces, counters)
    print(why)
    return 0 if ok or not a.check else 1


if __name__ == "__main__":
    sys.exit(main())
