#!/usr/bin/env python3
"""Tests of tools/log2profile.py: a report in a noisy serial log becomes a profile; a log without a
complete report of a VMX CPU is refused with a named reason.  Prints "N passed, N failed"."""
import os
import subprocess
import sys
import tempfile

TOOL = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "log2profile.py")
P = "skiff: profile: "
REPORT = [P + "# source: Skiff's hardware report (loglevel=debug) on \"X\", signature 0x00050654",
          P + "msr 0x480 0x00d810000000002b",
          P + "msr 0x3a 0x0000000000000005   # IA32_FEATURE_CONTROL: whether VMX is enabled and locked",
          P + "cpuid 0x00000001 0x0 0x00050654 0x00010800 0x77faf3bf 0xbfebfbff",
          P + "# end of the hardware report"]
passed = failed = 0


def run(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    try:
        r = subprocess.run([sys.executable, TOOL, f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return r.returncode, r.stdout, r.stderr


def case(name, ok):
    global passed, failed
    print(("ok - " if ok else "FAIL - ") + name)
    passed, failed = passed + ok, failed + (not ok)


rc, out, _ = run(["GRUB loading", "skiff: Skiff 1.0", *[l + "\r" for l in REPORT], "skiff: vmx: VMX ok", *REPORT])
case("a report among other lines becomes the profile, prefix and CRs dropped, the first report only",
     rc == 0 and out.splitlines() == [l[len(P):] for l in REPORT])
rc, _, err = run(REPORT[:-1])
case("a truncated report is refused", rc == 1 and "truncated" in err)
rc, _, err = run([l.replace("0x77faf3bf", "0x77faf39f") for l in REPORT])
case("a CPU without VMX (CPUID.1:ECX bit 5 clear) is refused", rc == 1 and "no VMX" in err)
rc, _, err = run(["skiff: Skiff 1.0", "skiff: exit status=0"])
case("a log without a report names loglevel=debug", rc == 1 and "loglevel=debug" in err)
rc, _, err = run(REPORT[:2] + [P + "cpuid 0x1 0x0 0x1"] + REPORT[2:])
case("a malformed line is refused", rc == 1 and "malformed" in err)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
