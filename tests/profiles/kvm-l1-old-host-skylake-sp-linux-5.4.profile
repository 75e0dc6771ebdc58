# KVM L1 with `-cpu host` on a Skylake-SP host (Intel Xeon Silver 4114) whose L0 runs Linux 5.4 (< 5.10):
# KVM offers no wait-for-SIPI activity state there, so Skiff holds APs in VMX root (vmx_tick_all).
# source, CPUID: anrieff/libcpuid tests/intel/core_6th_gen/xeon-scalable-4114.test, leaves 0, 1, 6, 7.0,
#   0DH.0, 80000000H, 80000001H, 80000008H as dumped.  That dump was taken inside a guest (leaf 1 ECX bit
#   31 set, VMX clear): kept as an L1 sees it, with VMX (bit 5) set as nested=1 gives it.  The dump has no
#   0DH.1: XSAVES reads as absent.  Leaf 40000000H: KVM's signature (Linux Documentation/virt/kvm/x86/cpuid.rst).
# source, VMX: modelled, not captured: Linux 5.4 arch/x86/kvm/vmx/nested.c nested_vmx_setup_{pinbased,exit,
#   entry,cpubased,secondary}_ctls, nested_vmx_setup_misc_data (no VMX_MISC_ACTIVITY_WAIT_SIPI before 5.10)
#   and nested_vmx_setup_basic, intersected with what a Skylake-SP offers (no WAITPKG, no TSC scaling for
#   an L1 before Linux 5.14).  MISC 0x20000065 is the value an L1 reported under such an L0 in
#   lxylxy123456/uberxmhf bug_082 (/work/shared/real-cpu-sources.md).  EPT: WB only (KVM offers its L1 no UC).
#   Control MSRs are (offered | default1) << 32 | default1 with KVM's default1 bits.
msr 0x480  0x00d8100011e57ed0   # IA32_VMX_BASIC: VMCS12 revision 0x11e57ed0, 4 KiB, WB, INS/OUTS info, TRUE_* MSRs
msr 0x481  0x000000ff00000016   # IA32_VMX_PINBASED_CTLS
msr 0x482  0xfff9fffe0401e172   # IA32_VMX_PROCBASED_CTLS
msr 0x483  0x007fffff00036dff   # IA32_VMX_EXIT_CTLS
msr 0x484  0x0001f3ff000011ff   # IA32_VMX_ENTRY_CTLS (load IA32_BNDCFGS: Skylake-SP has MPX)
msr 0x485  0x0000000020000065   # IA32_VMX_MISC: rate 5, LMA, HLT, VMWRITE any field; NO wait-for-SIPI
msr 0x48b  0x00137bff00000000   # IA32_VMX_PROCBASED_CTLS2: no TSC scaling, no user wait and pause
msr 0x48c  0x00000f0106334041   # IA32_VMX_EPT_VPID_CAP
msr 0x48d  0x000000ff00000016   # IA32_VMX_TRUE_PINBASED_CTLS
msr 0x48e  0xfff9fffe04006172   # IA32_VMX_TRUE_PROCBASED_CTLS
msr 0x48f  0x007fffff00036dfb   # IA32_VMX_TRUE_EXIT_CTLS
msr 0x490  0x0001f3ff000011fb   # IA32_VMX_TRUE_ENTRY_CTLS
cpuid 0x00000000 0x0 0x0000000d 0x756e6547 0x6c65746e 0x49656e69   # GenuineIntel
cpuid 0x00000001 0x0 0x00050654 0x00080800 0xfffa3223 0x1fabfbff   # family 6 model 85 stepping 4; VMX set
cpuid 0x00000006 0x0 0x00000004 0x00000000 0x00000000 0x00000000
cpuid 0x00000007 0x0 0x00000000 0xd19f6ffb 0x00000008 0x0c000000
cpuid 0x0000000d 0x0 0x000002ff 0x00000a80 0x00000a88 0x00000000
cpuid 0x40000000 0x0 0x40000001 0x4b4d564b 0x564b4d56 0x0000004d   # KVM's signature "KVMKVMKVM"
cpuid 0x80000000 0x0 0x80000008 0x00000000 0x00000000 0x00000000
cpuid 0x80000001 0x0 0x00000000 0x00000000 0x00000121 0x2c100800
cpuid 0x80000008 0x0 0x0000302b 0x00000000 0x00000000 0x00000000   # 43-bit physical, 48-bit linear
