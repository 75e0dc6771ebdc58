#!/usr/bin/env python3
"""The layering check (tools/check_layers.py): this tree passes, and each rule fails when broken.

Each broken tree is a small copy made in a temporary folder: the real rules,
one include or README changed.  Ends with 'N passed, N failed'.
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import check_layers  # noqa: E402

passed = failed = 0


def result(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"FAIL - {name}: {detail}")


def tree(files):
    """A minimal tree: a README in every ranked folder, then the given files."""
    d = tempfile.mkdtemp(prefix="layers-")
    for folder in check_layers.RANKS + [check_layers.PROGRAMS]:
        os.makedirs(os.path.join(d, folder), exist_ok=True)
        with open(os.path.join(d, folder, "README.md"), "w") as f:
            f.write("x\n")
    for path, text in files.items():
        os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(d, path), "w") as f:
            f.write(text)
    return d


def inc(*paths):
    return "".join(f'#include "{p}"\n' for p in paths)


HEADERS = {p: "/* */\n" for p in (
    "kernel/cpu/cpu.h", "kernel/lib/lib.h", "vmx/core/vmcs.h", "vmx/core/hypercall.h", "vmx/exit/exit.h",
    "vmx/mem/ept.h", "guest/loader/loader.h", "guest/loader/builtin_abi.h", "guest/programs/common/com1.h",
    "guest/programs/builtin/guest.h", "vmx/smp/smp_guest.h", "vmx/vcpu/nmi.h", "guest/run/run.h")}

# The real tree.
n, nincs, v = check_layers.check(ROOT)
result(not v and n > 100 and nincs > 300, "this tree keeps its layers", "; ".join(v[:5]))

cases = [
    # (name, files, expected fragment or None for a clean tree)
    ("a room includes one below it", {"vmx/exit/a.c": inc("vmx/core/vmcs.h", "kernel/cpu/cpu.h")}, None),
    ("a room includes its own folder", {"kernel/cpu/a.c": inc("kernel/cpu/cpu.h", "cpu.h")}, None),
    ("kernel includes vmx", {"kernel/end/panic.c": inc("vmx/vcpu/nmi.h")}, "layers point down"),
    ("kernel includes guest", {"kernel/iommu/iommu.h": inc("guest/loader/loader.h")}, "layers point down"),
    ("a lower kernel room includes a higher one", {"kernel/lib/a.c": inc("kernel/cpu/cpu.h")},
     "layers point down"),
    ("a lower vmx room includes a higher one", {"vmx/mem/a.c": inc("vmx/exit/exit.h")}, "layers point down"),
    ("vmx/core includes vmx/smp", {"vmx/core/vmcs.c": inc("vmx/smp/smp_guest.h")}, "layers point down"),
    ("the loaders include the run's root", {"guest/loader/a.c": inc("guest/run/run.h")}, "layers point down"),
    ("the hypervisor includes a guest program", {"guest/loader/builtin.c": inc("guest/programs/builtin/guest.h")},
     "never includes a guest program"),
    ("a guest program includes the kernel", {"guest/programs/probe/a.c": inc("kernel/lib/lib.h")},
     "only its own folder"),
    ("a guest program includes common/ and the ABIs",
     {"guest/programs/probe/a.c": inc("guest/programs/common/com1.h", "vmx/core/hypercall.h",
                                      "guest/loader/builtin_abi.h")}, None),
    ("a folder without a rank", {"vmx/newroom/a.c": inc("vmx/core/vmcs.h")}, "has no rank"),
    ("a relative include is judged by where it lands", {"vmx/mem/a.c": inc("../exit/exit.h")},
     "layers point down"),
]
for name, files, expect in cases:
    d = tree({**HEADERS, **files})
    _, _, v = check_layers.check(d)
    if expect is None:
        result(not v, name, "; ".join(v))
    else:
        result(any(expect in x for x in v), name, "violations: " + ("; ".join(v) or "none"))

# A ranked folder without its README.
d = tree(HEADERS)
os.remove(os.path.join(d, "vmx/policy/README.md"))
_, _, v = check_layers.check(d)
result(any("vmx/policy/: no README.md" in x for x in v), "a room without a README", "; ".join(v) or "none")

# The command itself: exit status 1 and the summary line on a broken tree, 0 on a clean one.
bad = tree({**HEADERS, "kernel/end/panic.c": inc("vmx/vcpu/nmi.h")})
p = subprocess.run([sys.executable, os.path.join(ROOT, "tools/check_layers.py"), bad], capture_output=True, text=True)
result(p.returncode == 1 and "kernel/end/panic.c:1: includes vmx/vcpu/nmi.h" in p.stdout
       and p.stdout.rstrip().endswith("1 violations"), "the command fails on a broken tree", p.stdout)
good = tree(HEADERS)
p = subprocess.run([sys.executable, os.path.join(ROOT, "tools/check_layers.py"), good], capture_output=True, text=True)
result(p.returncode == 0 and p.stdout.rstrip().endswith("0 violations"), "the command passes a clean tree", p.stdout)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
