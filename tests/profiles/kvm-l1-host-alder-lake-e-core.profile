# KVM L1 with `-cpu host` pinned to an E-core of the same Alder Lake (i7-12700H): the Atom-class core
# (Gracemont, CPUID leaf 1AH core type 20H), Linux >= 5.10.  Like Tremont it has WAITPKG.
# source, CPUID: anrieff/libcpuid tests/intel/core_12th_gen/alder-lake-p-i7.test, logical CPU #16 (leaf 1AH
#   reads 0x20000001 "Atom"), leaves 0, 1, 6, 7.0, 7.1, 0DH.1, 12H.0, 14H.0, 1AH, 80000000H, 80000001H as
#   dumped; KVM's own CPUID filtering is not applied (as kvm-l1-host-alder-lake-i7-12700h.profile).
# source, VMX: as kvm-l1-host-alder-lake-i7-12700h.profile (Linux arch/x86/kvm/vmx/nested.c
#   nested_vmx_setup_*; the E-core offers the same VMX controls: the hybrid part enumerates one feature set).
msr 0x480  0x00d8100011e57ed0   # IA32_VMX_BASIC: VMCS12 revision 0x11e57ed0, 4 KiB, WB, INS/OUTS info, TRUE_* MSRs
msr 0x481  0x000000ff00000016   # IA32_VMX_PINBASED_CTLS
msr 0x482  0xfff9fffe0401e172   # IA32_VMX_PROCBASED_CTLS
msr 0x483  0x007fffff00036dff   # IA32_VMX_EXIT_CTLS
msr 0x484  0x0000f3ff000011ff   # IA32_VMX_ENTRY_CTLS
msr 0x485  0x0000000020000165   # IA32_VMX_MISC: rate 5, LMA, HLT, wait-for-SIPI, VMWRITE any field
msr 0x48b  0x06137bff00000000   # IA32_VMX_PROCBASED_CTLS2
msr 0x48c  0x00000f0106334041   # IA32_VMX_EPT_VPID_CAP
msr 0x48d  0x000000ff00000016   # IA32_VMX_TRUE_PINBASED_CTLS
msr 0x48e  0xfff9fffe04006172   # IA32_VMX_TRUE_PROCBASED_CTLS
msr 0x48f  0x007fffff00036dfb   # IA32_VMX_TRUE_EXIT_CTLS
msr 0x490  0x0000f3ff000011fb   # IA32_VMX_TRUE_ENTRY_CTLS
cpuid 0x00000000 0x0 0x00000020 0x756e6547 0x6c65746e 0x49656e69   # GenuineIntel
cpuid 0x00000001 0x0 0x000906a2 0x38800800 0x7ffafbff 0xbfebfbff
cpuid 0x00000006 0x0 0x00dfcff7 0x00000002 0x00000409 0x00070003
cpuid 0x00000007 0x0 0x00000001 0x239ca7eb 0x98c007ac 0xfc18c410
cpuid 0x00000007 0x1 0x00400810 0x00000000 0x00000000 0x00000000
cpuid 0x0000000d 0x1 0x0000000f 0x000003d0 0x00019900 0x00000000
cpuid 0x00000012 0x0 0x00000000 0x00000000 0x00000000 0x00000000
cpuid 0x00000014 0x0 0x00000001 0x0000005f 0x80000007 0x00000000
cpuid 0x0000001a 0x0 0x20000001 0x00000000 0x00000000 0x00000000   # core type 20H: Atom (Gracemont)
cpuid 0x40000000 0x0 0x40000001 0x4b4d564b 0x564b4d56 0x0000004d   # KVM's signature "KVMKVMKVM" (Linux Documentation/virt/kvm/x86/cpuid.rst): marks a KVM L1
cpuid 0x80000000 0x0 0x80000008 0x00000000 0x00000000 0x00000000
cpuid 0x80000001 0x0 0x00000000 0x00000000 0x00000121 0x2c100000
