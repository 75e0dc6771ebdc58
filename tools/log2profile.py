#!/usr/bin/env python3
"""log2profile.py LOG [OUT]: turn the hardware report in a Skiff serial log into a capability
profile (tests/profiles/README.md).

Skiff booted with loglevel=debug prints one `skiff: profile: ` line per MSR and CPUID leaf
(vmx/core/hw_report.c).  This keeps those lines of the first report in the log, prefix removed,
in order, and writes them to OUT (standard output without it).  It fails (status 1, a named
reason on standard error) when the log holds no complete report: no `msr 0x480` line (IA32_VMX_BASIC),
no CPUID leaf 1, or no end line (a truncated log).
"""
import re
import sys

PREFIX = "skiff: profile: "
LINE = re.compile(r"^(# .*|msr 0x[0-9a-f]+ 0x[0-9a-f]+( +# .*)?|cpuid( 0x[0-9a-f]+){6})$")


def convert(text):
    out, started, ended = [], False, False
    for raw in text.splitlines():
        raw = raw.rstrip("\r")
        i = raw.find(PREFIX)
        if i < 0:
            continue
        body = raw[i + len(PREFIX):].rstrip()
        if body.startswith("# source:"):
            if started:
                break               # a second report (another CPU, a second boot): keep the first
            started = True
        if not started:
            continue
        if not LINE.match(body):
            raise ValueError("malformed report line: %r" % raw)
        out.append(body)
        if body == "# end of the hardware report":
            ended = True
            break
    if not started:
        raise ValueError("no hardware report in the log (boot Skiff with loglevel=debug)")
    if not ended:
        raise ValueError("the hardware report is truncated (no end line)")
    leaf1 = [l.split() for l in out if l.startswith("cpuid 0x00000001 0x0 ")]
    if not leaf1:
        raise ValueError("no CPUID leaf 1")
    if not int(leaf1[0][5], 16) & (1 << 5):
        raise ValueError("CPUID.1:ECX.VMX[bit 5] = 0: no VMX on this CPU (or VT-x hidden by a hypervisor)")
    if not any(l.startswith("msr 0x480 ") for l in out):
        raise ValueError("no IA32_VMX_BASIC (msr 0x480) in the report")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], errors="replace") as f:
        text = f.read()
    try:
        profile = convert(text)
    except ValueError as e:
        sys.stderr.write("log2profile: %s: %s\n" % (argv[1], e))
        return 1
    if len(argv) == 3:
        with open(argv[2], "w") as f:
            f.write(profile)
    else:
        sys.stdout.write(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
