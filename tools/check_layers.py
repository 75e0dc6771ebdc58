#!/usr/bin/env python3
"""check_layers.py [ROOT]: Skiff's layering rule, checked over every #include.

Each folder of the hypervisor has a rank; a file may include a file of its own
folder or of a folder of lower rank, never one of equal or higher rank.  The
guest programs (guest/programs) are cargo: no hypervisor file includes them,
and they include only their own folder, guest/programs/common and the ABI
headers named below.  Every ranked folder says in a README.md what it holds
and what it may include.  Prints one line per broken rule and ends with
'layers: N files, N includes, N violations'; exits 1 on any violation.
"""
import os
import re
import sys

# Lowest first.  boot <- kernel <- vmx <- the loaders <- the run's composition root.
RANKS = [
    "boot",
    "kernel/lib",     # memory and string routines, formatting
    "kernel/cpu",     # descriptor tables, exceptions, per-CPU data, privileged instructions
    "kernel/firmware",  # parsers: Multiboot2 information, ACPI tables, the DMAR
    "kernel/config",  # the command line and the parsed configuration
    "kernel/console", # serial, framebuffer and VGA text
    "kernel/acpi",    # the machine's ACPI: tables found, sleep, power-off, reset
    "kernel/time",    # the TSC calibrated once, udelay and millisecond budgets
    "kernel/end",     # panic, machine checks, the run's end
    "kernel/mem",     # physical pages, Skiff's page tables, ownership, the guest's e820 map
    "kernel/pci",     # PCI configuration access
    "kernel/smp",     # the other CPUs, held in VMX root operation
    "kernel/iommu",   # VT-d
    "kernel",         # kernel_init: the host set up, in order
    "vmx/mem",        # EPT tables, the EPT space, memory types
    "vmx/policy",     # MSR, I/O, PCI, XSETBV, XSS, CPUID-MSR tables and the bitmaps built from them
    "vmx/core",       # VT-x: instructions, VMCS, capabilities, names, VMXON, the exit stub
    "vmx/check",      # the software VM-entry checks
    "vmx/trace",      # the exit trace
    "vmx/vcpu",       # entering a vCPU, events into it, stopping it
    "vmx/emulate",    # instruction decoding and emulation, guest memory access
    "vmx/pci",        # PCI configuration mediation
    "vmx/smp",        # the guest's APs: INIT/SIPI, the bring-up APIC trap
    "vmx/debug",      # the gdb stub, the VMX self-tests
    "vmx/tripwire",   # the state Skiff protects, checked at the run end and after exits
    "vmx/exit",       # the dispatcher and the exit handlers
    "guest/loader",   # guest images into guest memory
    "guest/run",      # the composition root of a run
]
RANK = {folder: i for i, folder in enumerate(RANKS)}

PROGRAMS = "guest/programs"
# Headers the guest programs share with Skiff: ABIs, no code.
PROGRAM_ABI = {"vmx/core/hypercall.h", "guest/loader/builtin_abi.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path):
    return os.path.dirname(path)


def check(root):
    violations = []
    nfiles = nincs = 0
    for top in ("boot", "kernel", "vmx", "guest"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith((".c", ".h", ".S")):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), root)
                nfiles += 1
                with open(os.path.join(root, path), encoding="utf-8") as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    inc = resolve(root, path, m.group(1))
                    if inc is None:
                        continue        # generated, a system header, or outside the tree
                    nincs += 1
                    why = judge(path, inc)
                    if why:
                        line = text.count("\n", 0, m.start()) + 1
                        violations.append(f"{path}:{line}: includes {inc}: {why}")
    for folder in RANKS + [PROGRAMS]:
        if os.path.isdir(os.path.join(root, folder)) and not os.path.isfile(os.path.join(root, folder, "README.md")):
            violations.append(f"{folder}/: no README.md (what it holds, what it may include)")
    return nfiles, nincs, violations


def resolve(root, path, name):
    """The file an #include "name" in path reaches, as the compiler looks: beside path, then -I."""
    for cand in (os.path.join(folder_of(path), name), name):
        cand = os.path.normpath(cand)
        if not cand.startswith("..") and os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def judge(path, inc):
    src, dst = folder_of(path), folder_of(inc)
    if src == dst:
        return None
    if src.startswith(PROGRAMS):
        if dst == PROGRAMS + "/common" or inc in PROGRAM_ABI:
            return None
        return "a guest program includes only its own folder, guest/programs/common and the ABI headers"
    if dst.startswith(PROGRAMS):
        return "the hypervisor never includes a guest program (cargo)"
    if src not in RANK:
        return f"{src} has no rank in tools/check_layers.py"
    if dst not in RANK:
        return f"{dst} has no rank in tools/check_layers.py"
    if RANK[dst] >= RANK[src]:
        return f"{src} (rank {RANK[src]}) may not include {dst} (rank {RANK[dst]}): layers point down"
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    nfiles, nincs, violations = check(root)
    for v in violations:
        print(v)
    print(f"layers: {nfiles} files, {nincs} includes, {len(violations)} violations")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
