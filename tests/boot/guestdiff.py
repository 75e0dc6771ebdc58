#!/usr/bin/env python3
"""guestdiff.py MODE NATIVE SKIFF: compare what a guest reported on the bare
(emulated) machine with what it reported under Skiff, and accept only the
differences the README documents ("What a guest sees").

MODE probe: the probe guest's `probe: ` lines (guest/programs/probe/).  CPUID lines are
compared register by register and bit by bit: Skiff's value must equal the
native one except for the documented bits, which must have Skiff's value
(whatever the native one); Skiff's hypervisor leaves (0x40000000-0x400000ff)
are Skiff's own.  Every other line must be identical.

MODE cpuinfo: two lines of Linux's /proc/cpuinfo `flags` (space-separated
names).  Skiff's set must be exactly the native set with the documented
flags removed and `hypervisor` added, apart from the flags Linux itself
sets differently in a VM (CPUINFO_LINUX_VM, each with its reason).

GUESTDIFF_HYPERVISOR_BIT=0 (a run with `hypervisor_bit=hide`): the hypervisor bit
must read 0 under Skiff, as natively, and Linux's flags gain no `hypervisor`.

Prints every difference with the rule that accepts it, or UNDOCUMENTED;
exit status 1 when any difference is undocumented.
"""
import os
import re
import sys

HYPERVISOR_BIT = int(os.environ.get("GUESTDIFF_HYPERVISOR_BIT", "1"))

# (leaf, subleaf or None for all, register index 0-3 = EAX EBX ECX EDX, bit, Skiff's value, why)
CPUID_BITS = [
    (0x1, None, 2, 5, 0, "VMX hidden"),
    (0x1, None, 2, 3, 0, "MONITOR/MWAIT hidden"),
    (0x1, None, 2, 31, HYPERVISOR_BIT, "hypervisor bit" + ("" if HYPERVISOR_BIT else " hidden (hypervisor_bit=hide)")),
    (0x1, None, 3, 21, 0, "debug store hidden"),
    (0x1, None, 2, 4, 0, "debug store hidden"),
    (0x1, None, 2, 2, 0, "debug store hidden"),
]
# The CPUID backing table (vmx/core/cpuid_backing.c, README "What a guest sees"): bits always hidden,
# because Skiff never offers them or the MSR policy denies their MSRs.
CPUID_BITS += [
    (0x1, None, 2, 6, 0, "SMX hidden: GETSEC raises #UD"),
    (0x1, None, 2, 18, 0, "DCA hidden: its MSRs are denied"),
    (0x6, None, 0, 13, 0, "HDC hidden: IA32_PKG_HDC_CTL/IA32_PM_CTL1 are denied"),
    (0x6, None, 0, 19, 0, "HFI hidden: IA32_HW_FEEDBACK_PTR is denied"),
    (0x6, None, 0, 23, 0, "thread director hidden: its MSRs are denied"),
    (0x7, 0, 1, 2, 0, "SGX hidden"),
    (0x7, 0, 1, 25, 0, "Intel PT hidden: IA32_RTIT_* are denied"),
    (0x7, 0, 2, 24, 0, "bus-lock detection hidden: IA32_DEBUGCTL bit 2 is refused"),
    (0x7, 0, 2, 30, 0, "SGX launch control hidden"),
    (0x7, 0, 3, 5, 0, "user interrupts hidden: IA32_UINTR_* are denied"),
    (0x7, 0, 3, 18, 0, "PCONFIG hidden"),
    (0x7, 1, 0, 17, 0, "FRED hidden: its MSRs are denied"),
    (0x7, 1, 0, 22, 0, "HRESET hidden: IA32_HRESET_ENABLE is denied"),
    (0x7, 1, 0, 27, 0, "RDMSRLIST/WRMSRLIST hidden"),
]
# Instructions that raise #UD in VMX non-root without their control: hidden where the CPU does not
# offer the control (vmx/core/cpuid_backing.c).  Skiff may clear them; it never sets one.
CPUID_CONTROL_BITS = [
    (0x80000001, 3, 27, "RDTSCP without 'enable RDTSCP'"),
    (0x7, 2, 22, "RDPID without 'enable RDTSCP'"),
    (0x7, 1, 10, "INVPCID without 'enable INVPCID'"),
    (0xD, 0, 3, "XSAVES without 'enable XSAVES/XRSTORS'"),
    (0x7, 2, 5, "WAITPKG without 'enable user wait and pause'"),
]
# Leaves of hidden features read all zeros: 12H (SGX), 14H (Intel PT).
ZERO_LEAVES = {0x12: "SGX hidden", 0x14: "Intel PT hidden"}
# Supervisor state components the guest may not enable in IA32_XSS (vmx/policy/xss_policy.c): PT,
# HDC and UINTR, whose MSRs the MSR policy denies.  CPUID.(0DH,1):ECX never reports them; their
# own sub-leaves of leaf 0DH read all zeros (an invalid sub-leaf).
XSS_DENIED = {8: "Intel PT state (IA32_RTIT_* are denied)", 13: "HDC state (IA32_PM_CTL1 is denied)",
              14: "UINTR state (IA32_UINTR_* are denied)"}
CPUID_BITS += [(0xD, 1, 2, b, 0, "IA32_XSS: " + why) for b, why in XSS_DENIED.items()]
# Bits Skiff clears when the CPU lacks the MSR the bit promises (vmx/policy/cpuid_msr.c; SDM Vol. 4
# Table 2-2): only emulators have such bits (Bochs' corei7_skylake_x sets DTS without
# IA32_THERM_STATUS).  Skiff may clear them; it never sets one.
CPUID_MSR_BITS = [
    (0x1, 3, 22, "ACPI thermal monitor without IA32_THERM_CONTROL"),
    (0x6, 0, 0, "digital thermal sensor without IA32_THERM_STATUS"),
    (0x6, 0, 6, "package thermal management without IA32_PACKAGE_THERM_STATUS"),
    (0x6, 2, 0, "APERF/MPERF without IA32_APERF/IA32_MPERF"),
    (0x6, 2, 3, "energy-performance bias without IA32_ENERGY_PERF_BIAS"),
]
HYPERVISOR_LEAVES = (0x40000000, 0x400000FF)
# probe=uart: how many times longer a line takes at divisor 12 than at divisor 1 (README: console UART speed).
UART_RATIO = re.compile(r"^probe: uart transmit time at divisor 12 / at divisor 1: ([0-9]+)$")
REGS = "EAX EBX ECX EDX".split()

# Linux flags that go with the documented CPUID bits: VMX's own and the VMX
# features Linux lists among the flags (arch/x86 "synthetic" VMX flags).
CPUINFO_REMOVED = {
    "vmx": "VMX hidden", "tpr_shadow": "VMX hidden", "vnmi": "VMX hidden",
    "flexpriority": "VMX hidden", "ept": "VMX hidden", "vpid": "VMX hidden",
    "ept_ad": "VMX hidden", "monitor": "MONITOR/MWAIT hidden",
    "dts": "debug store hidden", "ds_cpl": "debug store hidden", "bts": "debug store hidden",
    "pebs": "debug store hidden", "dtes64": "debug store hidden",
    "smx": "SMX hidden", "dca": "DCA hidden", "hfi": "HFI hidden", "intel_pt": "Intel PT hidden",
    "sgx": "SGX hidden", "sgx_lc": "SGX launch control hidden", "bus_lock_detect": "bus-lock detection hidden",
    "pconfig": "PCONFIG hidden", "hreset": "HRESET hidden", "fred": "FRED hidden", "uintr": "user interrupts hidden",
}
# Flags of instructions that need a VM-execution control: removed only where the CPU does not offer it.
CPUINFO_MAY_REMOVE = {
    "rdtscp": "RDTSCP without its control", "rdpid": "RDPID without its control",
    "invpcid": "INVPCID without its control", "xsaves": "XSAVES without its control",
    "waitpkg": "WAITPKG without its control",
}
CPUINFO_ADDED = {"hypervisor": "hypervisor bit"} if HYPERVISOR_BIT else {}
# Flags Linux itself decides differently once it sees the hypervisor bit (6.1,
# arch/x86/kernel): it never enables ART in a VM (tsc.c detect_art), and it
# skips the TSC-deadline microcode errata check that disables the deadline
# timer natively on Bochs' Skylake, whose microcode revision reads 0
# (apic.c apic_check_deadline_errata).  Either may or may not differ.
CPUINFO_LINUX_VM = {"art": "Linux enables ART only outside a VM (hypervisor bit)",
                    "tsc_deadline_timer": "Linux skips its TSC-deadline errata check in a VM (hypervisor bit)"}

MISC_MISSING = re.compile(r"^probe: misc rdmsr IA32_MISC_ENABLE: vector 13 ")
CPUID_RE = re.compile(r"^probe: cpuid ([0-9a-f]{8})\.([0-9a-f]+): ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})$")


def cpuid_diffs(leaf, sub, nat, sk):
    """Yields (documented, text) for each differing or documented bit."""
    if HYPERVISOR_LEAVES[0] <= leaf <= HYPERVISOR_LEAVES[1]:
        if nat != sk:
            yield True, f"cpuid {leaf:#x}.{sub}: Skiff's hypervisor leaf (native {nat}, Skiff {sk})"
        return
    if leaf in ZERO_LEAVES:
        if any(sk):
            yield False, f"cpuid {leaf:#x}.{sub}: Skiff {sk}, want all zeros ({ZERO_LEAVES[leaf]})"
        elif nat != sk:
            yield True, f"cpuid {leaf:#x}.{sub}: native {nat}, Skiff zeros ({ZERO_LEAVES[leaf]})"
        return
    if leaf == 0xD and sub in XSS_DENIED:
        if any(sk):
            yield False, f"cpuid {leaf:#x}.{sub}: Skiff {sk}, want all zeros (IA32_XSS: {XSS_DENIED[sub]})"
        elif nat != sk:
            yield True, f"cpuid {leaf:#x}.{sub}: native {nat}, Skiff zeros (IA32_XSS: {XSS_DENIED[sub]})"
        return
    for r in range(4):
        rules = {b: (val, why) for (l, s, reg, b, val, why) in CPUID_BITS
                 if l == leaf and (s is None or s == sub) and reg == r}
        for b in range(32):
            n, k = nat[r] >> b & 1, sk[r] >> b & 1
            if b in rules:
                val, why = rules[b]
                if k != val:
                    yield False, f"cpuid {leaf:#x}.{sub} {REGS[r]} bit {b}: Skiff {k}, want {val} ({why})"
                elif n != k:
                    yield True, f"cpuid {leaf:#x}.{sub} {REGS[r]} bit {b}: native {n}, Skiff {k} ({why})"
            elif n != k:
                why = [w for (l, reg, bit, w) in CPUID_MSR_BITS + CPUID_CONTROL_BITS
                       if l == leaf and reg == r and bit == b]
                if why and n == 1 and k == 0:
                    yield True, f"cpuid {leaf:#x}.{sub} {REGS[r]} bit {b}: native 1, Skiff 0 (hidden: {why[0]})"
                else:
                    yield False, f"cpuid {leaf:#x}.{sub} {REGS[r]} bit {b}: native {n}, Skiff {k}"


def compare_probe(native, skiff):
    def parse(lines):
        cpuid, other = {}, []
        for line in lines:
            m = CPUID_RE.match(line)
            if m:
                cpuid[(int(m[1], 16), int(m[2], 16))] = [int(m[i], 16) for i in range(3, 7)]
            else:
                other.append(line)
        return cpuid, other

    (nc, no), (sc, so) = parse(native), parse(skiff)
    out = []
    # IA32_MISC_ENABLE (probe=misc): where the CPU lacks the MSR (Bochs 2.7, every model: RDMSR raises
    # #GP natively) the guest has Skiff's virtual copy (vmx/policy/misc_enable.h), so its lines are
    # Skiff's own; the boot case checks them.  Where the CPU has it, they must match.
    if any(MISC_MISSING.match(line) for line in no):
        out.append((True, "IA32_MISC_ENABLE: the CPU lacks it natively; under Skiff the guest's virtual copy"))
        no = [line for line in no if not line.startswith("probe: misc")]
        so = [line for line in so if not line.startswith("probe: misc")]
    # Console UART speed (probe=uart): the UART keeps Skiff's divisor, whatever the guest wrote (it
    # reads back its own).  Natively the transmit time follows the divisor (Bochs paces its UART);
    # under Skiff the line at divisor 12 takes about as long as at divisor 1.  Only that value of
    # only that line may differ.
    nu = [line for line in no if UART_RATIO.match(line)]
    su = [line for line in so if UART_RATIO.match(line)]
    if nu and su and nu != su:
        ok = len(su) == 1 and UART_RATIO.match(su[0])[1] == "1"
        out.append((ok, f"console UART speed: native '{nu[0]}', Skiff '{su[0]}'"))
        no = [line for line in no if not UART_RATIO.match(line)]
        so = [line for line in so if not UART_RATIO.match(line)]
    for key in sorted(set(nc) | set(sc)):
        if key not in nc or key not in sc:
            hv = HYPERVISOR_LEAVES[0] <= key[0] <= HYPERVISOR_LEAVES[1]
            out.append((hv, f"cpuid {key[0]:#x}.{key[1]}: only {'natively' if key in nc else 'under Skiff'}"))
            continue
        out.extend(cpuid_diffs(key[0], key[1], nc[key], sc[key]))
    if no != so:
        import difflib
        for d in difflib.unified_diff(no, so, "native", "skiff", lineterm="", n=0):
            if d.startswith(("-", "+")) and not d.startswith(("---", "+++")):
                out.append((False, d))
    return out


def compare_cpuinfo(native, skiff):
    def flags(lines):
        for line in lines:
            if line.strip():
                return set(line.split())
        return set()

    n, s = flags(native), flags(skiff)
    out = []
    removed = {**CPUINFO_REMOVED, **CPUINFO_LINUX_VM, **CPUINFO_MAY_REMOVE}
    added = {**CPUINFO_ADDED, **CPUINFO_LINUX_VM}
    for f in sorted(n - s):
        out.append((f in removed, f"flag {f}: native only" + (f" ({removed[f]})" if f in removed else "")))
    for f in sorted(s - n):
        out.append((f in added, f"flag {f}: under Skiff only" + (f" ({added[f]})" if f in added else "")))
    for f in sorted(set(CPUINFO_REMOVED) & s):
        out.append((False, f"flag {f}: still shown under Skiff ({CPUINFO_REMOVED[f]})"))
    for f in sorted(set(CPUINFO_ADDED) - s):
        out.append((False, f"flag {f}: missing under Skiff ({CPUINFO_ADDED[f]})"))
    if not n or not s:
        out.append((False, "no flags line " + ("natively" if not n else "under Skiff")))
    return out


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("probe", "cpuinfo"):
        sys.exit(__doc__)
    mode, a, b = sys.argv[1:]
    native = open(a).read().splitlines()
    skiff = open(b).read().splitlines()
    diffs = (compare_probe if mode == "probe" else compare_cpuinfo)(native, skiff)
    bad = 0
    for ok, text in diffs:
        print(f"    {'documented' if ok else 'UNDOCUMENTED'}: {text}")
        bad += not ok
    print(f"    guestdiff {mode}: {len(diffs) - bad} documented, {bad} undocumented difference(s)"
          f" ({len(native)} native lines, {len(skiff)} under Skiff)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
