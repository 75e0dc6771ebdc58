# KVM L1 with `-cpu host` on an Alder Lake (12th Gen Intel Core i7-12700H), L0 Linux >= 5.10: the nested
# path most users take on a recent Intel laptop (`make run EMU=kvm`).
# source, CPUID: libcpuid's test dump anrieff/libcpuid tests/intel/core_12th_gen/alder-lake-p-i7.test (an
#   AIDA64/InstLatx64-style dump of a real i7-12700H), logical CPU #0 (a P-core), leaves 0, 1, 6, 7.0, 7.1,
#   0DH.1, 12H.0, 14H.0, 80000000H, 80000001H as dumped.  KVM's own CPUID filtering for its L1 (it drops
#   e.g. HFI, ITD, HRESET and, by default, Intel PT) is NOT applied: the host's bits are the stricter input,
#   every one of them must be backed or hidden.  VMX (bit 5) is as dumped (L1 gets it with nested=1).
# source, VMX: Linux arch/x86/kvm/vmx/nested.c, nested_vmx_setup_{pinbased,exit,entry,cpubased,secondary}_ctls,
#   nested_vmx_setup_misc_data and nested_vmx_setup_basic: the controls KVM offers an L1, each kept where the
#   host has the feature (KVM intersects with the host's VMCS configuration).  Host features assumed from this
#   CPUID: the instruction controls of its instructions (RDTSCP, INVPCID, XSAVES, and "enable user wait and
#   pause" for WAITPKG: Alder Lake offers bit 26, projectacrn/acrn-hypervisor issue #6006 "Cannot boot to 5.10
#   sos on ADL" is that bug in ACRN), TSC scaling, no MPX (no BNDCFGS controls), no LA57 (no 5-level EPT).
#   MISC: rate 5, LMA, HLT, wait-for-SIPI (KVM offers it since 5.10), VMWRITE to exit fields.
#   Control MSRs are (offered | default1) << 32 | default1 with KVM's default1 bits.  CR0/CR4 fixed MSRs and
#   IA32_ARCH_CAPABILITIES: not in the source.
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
cpuid 0x00000001 0x0 0x000906a2 0x00800800 0x7ffafbff 0xbfebfbff
cpuid 0x00000006 0x0 0x00dfcff7 0x00000002 0x00000409 0x00000003
cpuid 0x00000007 0x0 0x00000001 0x239ca7eb 0x98c007ac 0xfc18c410
cpuid 0x00000007 0x1 0x00400810 0x00000000 0x00000000 0x00000000
cpuid 0x0000000d 0x1 0x0000000f 0x000003d0 0x00019900 0x00000000
cpuid 0x00000012 0x0 0x00000000 0x00000000 0x00000000 0x00000000
cpuid 0x00000014 0x0 0x00000001 0x0000005f 0x00000007 0x00000000
cpuid 0x40000000 0x0 0x40000001 0x4b4d564b 0x564b4d56 0x0000004d   # KVM's signature "KVMKVMKVM" (Linux Documentation/virt/kvm/x86/cpuid.rst): marks a KVM L1
cpuid 0x80000000 0x0 0x80000008 0x00000000 0x00000000 0x00000000
cpuid 0x80000001 0x0 0x00000000 0x00000000 0x00000121 0x2c100000
