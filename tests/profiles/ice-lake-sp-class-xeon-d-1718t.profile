# Bare Ice Lake server core (Intel Xeon D-1718T, Ice Lake-D, CPUID signature 0x606C1: the Sunny Cove server
# core of Ice Lake-SP, with AVX-512, LA57 and 5-level EPT; no SGX on this SKU).
# source, CPUID: anrieff/libcpuid tests/intel/core_10th_gen/ice-lake-xeon-d.test, logical CPU #0, leaves 0,
#   1, 6, 7.0, 0DH.0, 0DH.1, 14H.0, 80000000H, 80000001H, 80000008H as dumped.  The dump was taken under
#   Hyper-V (leaves 40000000H "Microsoft Hv"): leaf 1 ECX with the hypervisor bit cleared and VMX set, the
#   Hyper-V leaves left out.
# source, VMX: modelled, not captured: the Skylake values of skylake-sp-xeon-silver-4114.profile with what
#   Ice Lake adds (SDM Vol. 3D A.3-A.10): posted interrupts, PT-related exit/entry controls (clear/load
#   IA32_RTIT_CTL), sub-page write permissions, PT uses guest-physical addresses, TSC scaling, 5-level EPT;
#   no ENCLS exiting (no SGX), no user wait and pause (no WAITPKG on Ice Lake).
msr 0x480  0x00da040000000004   # IA32_VMX_BASIC (modelled)
msr 0x481  0x000000ff00000016   # IA32_VMX_PINBASED_CTLS
msr 0x482  0xfff9fffe0401e172   # IA32_VMX_PROCBASED_CTLS
msr 0x483  0x03ffffff00036dff   # IA32_VMX_EXIT_CTLS
msr 0x484  0x0007ffff000011ff   # IA32_VMX_ENTRY_CTLS
msr 0x485  0x000000007004c1e7   # IA32_VMX_MISC
msr 0x48b  0x03ff7fff00000000   # IA32_VMX_PROCBASED_CTLS2 (modelled)
msr 0x48c  0x00000f01067341c1   # IA32_VMX_EPT_VPID_CAP: 4- and 5-level walks
msr 0x48d  0x000000ff00000016   # IA32_VMX_TRUE_PINBASED_CTLS
msr 0x48e  0xfff9fffe04006172   # IA32_VMX_TRUE_PROCBASED_CTLS
msr 0x48f  0x03ffffff00036dfb   # IA32_VMX_TRUE_EXIT_CTLS
msr 0x490  0x0007ffff000011fb   # IA32_VMX_TRUE_ENTRY_CTLS
msr 0x491  0x0000000000000001   # IA32_VMX_VMFUNC: EPTP switching
cpuid 0x00000000 0x0 0x0000001b 0x756e6547 0x6c65746e 0x49656e69   # GenuineIntel
cpuid 0x00000001 0x0 0x000606c1 0x00200800 0x7ffaf3a7 0xbfebfbff
cpuid 0x00000006 0x0 0x00000073 0x00000002 0x00000009 0x00000000
cpuid 0x00000007 0x0 0x00000000 0xf3bfbfb9 0x00415f46 0xbc000410
cpuid 0x0000000d 0x0 0x000000e7 0x00000a80 0x00000a80 0x00000000
cpuid 0x0000000d 0x1 0x0000000f 0x00000980 0x00000000 0x00000000
cpuid 0x00000014 0x0 0x00000001 0x0000000f 0x00000007 0x00000000
cpuid 0x80000000 0x0 0x80000008 0x00000000 0x00000000 0x00000000
cpuid 0x80000001 0x0 0x00000000 0x00000000 0x00000121 0x2c100800
cpuid 0x80000008 0x0 0x0000392e 0x00000000 0x00000000 0x00000000   # 46-bit physical, 57-bit linear
