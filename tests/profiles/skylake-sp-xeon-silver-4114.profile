# Bare Skylake-SP (Intel Xeon Silver 4114, CPUID signature 0x50654): Skiff booted from a USB stick on a server.
# source, CPUID: anrieff/libcpuid tests/intel/core_6th_gen/xeon-scalable-4114.test, leaves 0, 1, 6, 7.0,
#   0DH.0, 80000000H, 80000001H, 80000008H.  The dump was taken inside a guest: leaf 1 ECX is as dumped
#   with the hypervisor bit (31) cleared and VMX (5) set, as on the bare part.  No 0DH.1 in the dump.
# source, VMX: modelled, not captured on this part: the Skylake core's capability MSRs as VirtualBox logged
#   them on a Skylake-family host in GitHub myspaghetti/macos-virtualbox issues #135 and #224 (BASIC
#   0xda040000000004, PINBASED 0x7f00000016, PROCBASED 0xfff9fffe0401e172, TRUE_PROCBASED 0xfff9fffe04006172,
#   TRUE_ENTRY 0x3ffff000011fb, TRUE_EXIT 0x1ffffff00036dfb, MISC 0x7004c1e7, VMCS_ENUM 0x2e, EPT_VPID_CAP
#   0xf0106734141); the server part shares the core.  EXIT/ENTRY are the TRUE values with the default1 bits
#   (SDM Vol. 3D A.2); PROCBASED2 is modelled (bits 0-22 without 21, and TSC scaling: not in that excerpt);
#   CR0/CR4 fixed MSRs: the usual 0x80000021/0xffffffff and 0x2000, CR4_FIXED1 from this CPUID.
msr 0x480  0x00da040000000004   # IA32_VMX_BASIC: revision 4, 1 KiB, WB, INS/OUTS info, TRUE_* MSRs
msr 0x481  0x0000007f00000016   # IA32_VMX_PINBASED_CTLS (no posted interrupts)
msr 0x482  0xfff9fffe0401e172   # IA32_VMX_PROCBASED_CTLS
msr 0x483  0x01ffffff00036dff   # IA32_VMX_EXIT_CTLS
msr 0x484  0x0003ffff000011ff   # IA32_VMX_ENTRY_CTLS
msr 0x485  0x000000007004c1e7   # IA32_VMX_MISC: rate 7, LMA, HLT, shutdown, wait-for-SIPI, 4 CR3 targets
msr 0x486  0x0000000080000021   # IA32_VMX_CR0_FIXED0
msr 0x487  0x00000000ffffffff   # IA32_VMX_CR0_FIXED1
msr 0x488  0x0000000000002000   # IA32_VMX_CR4_FIXED0
msr 0x489  0x00000000003767ff   # IA32_VMX_CR4_FIXED1
msr 0x48a  0x000000000000002e   # IA32_VMX_VMCS_ENUM
msr 0x48b  0x025fffff00000000   # IA32_VMX_PROCBASED_CTLS2 (modelled)
msr 0x48c  0x00000f0106734141   # IA32_VMX_EPT_VPID_CAP
msr 0x48d  0x0000007f00000016   # IA32_VMX_TRUE_PINBASED_CTLS
msr 0x48e  0xfff9fffe04006172   # IA32_VMX_TRUE_PROCBASED_CTLS
msr 0x48f  0x01ffffff00036dfb   # IA32_VMX_TRUE_EXIT_CTLS
msr 0x490  0x0003ffff000011fb   # IA32_VMX_TRUE_ENTRY_CTLS
msr 0x491  0x0000000000000001   # IA32_VMX_VMFUNC: EPTP switching
cpuid 0x00000000 0x0 0x0000000d 0x756e6547 0x6c65746e 0x49656e69   # GenuineIntel
cpuid 0x00000001 0x0 0x00050654 0x00080800 0x7ffa3223 0x1fabfbff
cpuid 0x00000006 0x0 0x00000004 0x00000000 0x00000000 0x00000000
cpuid 0x00000007 0x0 0x00000000 0xd19f6ffb 0x00000008 0x0c000000
cpuid 0x0000000d 0x0 0x000002ff 0x00000a80 0x00000a88 0x00000000
cpuid 0x80000000 0x0 0x80000008 0x00000000 0x00000000 0x00000000
cpuid 0x80000001 0x0 0x00000000 0x00000000 0x00000121 0x2c100800
cpuid 0x80000008 0x0 0x0000302b 0x00000000 0x00000000 0x00000000
