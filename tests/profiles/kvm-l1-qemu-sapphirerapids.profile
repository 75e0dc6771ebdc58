# KVM L1 with QEMU's named model SapphireRapids(-v1): what an L1 hypervisor sees under
# `qemu-system-x86_64 -accel kvm -cpu SapphireRapids,+vmx`.
# source: QEMU target/i386/cpu.c, the SapphireRapids model as added by "[PATCH 6/6] i386: Add new CPU model
#   SapphireRapids" (Wang Lei, qemu-devel, 2022-10-27): its feature words FEAT_1_EDX/ECX, FEAT_7_0_EBX/ECX/EDX,
#   FEAT_7_1_EAX, FEAT_XSAVE (leaf 0DH sub-leaf 1 EAX), FEAT_6_EAX, FEAT_8000_0001_EDX/ECX, FEAT_ARCH_CAPABILITIES
#   and FEAT_VMX_* words, taken bit by bit.
# how the values were built: each VMX control MSR is (word | default1) << 32 | default1, as QEMU's
#   make_vmx_msr_value does, with KVM's default1 bits (pin 0x16, processor-based 0x0401e172, TRUE 0x04006172,
#   exit 0x36dff, TRUE 0x36dfb, entry 0x11ff, TRUE 0x11fb; SDM Vol. 3D A.2); "host address-space size" is added
#   for a 64-bit model as QEMU does.  IA32_VMX_BASIC is KVM's VMCS12 (nested_vmx_setup_basic).  MISC is the
#   model's word (STORE_LMA, HLT, VMWRITE to exit fields) with KVM's emulated timer rate 5: 0x20000065, the
#   value an L1 reported in lxylxy123456/uberxmhf bug_082 (a named-model L1: no wait-for-SIPI activity state).
#   CPUID leaf 1 ECX: the model's bits plus VMX (+vmx) and the hypervisor bit KVM sets.  Leaf 7.0 EAX = 1
#   (the model has sub-leaf 1).  CR0/CR4 fixed MSRs: not collected.
msr 0x480  0x00d8100011e57ed0   # IA32_VMX_BASIC: VMCS12 revision 0x11e57ed0, 4 KiB, WB, INS/OUTS info, TRUE_* MSRs
msr 0x481  0x000000ff00000016   # IA32_VMX_PINBASED_CTLS
msr 0x482  0xfff9fffe0401e172   # IA32_VMX_PROCBASED_CTLS
msr 0x483  0x007fffff00036dff   # IA32_VMX_EXIT_CTLS
msr 0x484  0x0000f3ff000011ff   # IA32_VMX_ENTRY_CTLS
msr 0x485  0x0000000020000065   # IA32_VMX_MISC: rate 5, LMA, HLT, VMWRITE any field
msr 0x48b  0x00137bff00000000   # IA32_VMX_PROCBASED_CTLS2
msr 0x48c  0x00000f01063340c1   # IA32_VMX_EPT_VPID_CAP
msr 0x48d  0x000000ff00000016   # IA32_VMX_TRUE_PINBASED_CTLS
msr 0x48e  0xfff9fffe04006172   # IA32_VMX_TRUE_PROCBASED_CTLS
msr 0x48f  0x007fffff00036dfb   # IA32_VMX_TRUE_EXIT_CTLS
msr 0x490  0x0000f3ff000011fb   # IA32_VMX_TRUE_ENTRY_CTLS
msr 0x10a  0x000000000000016b   # IA32_ARCH_CAPABILITIES: RDCL_NO IBRS_ALL SKIP_L1DFL_VMENTRY MDS_NO PSCHANGE_MC_NO TAA_NO
cpuid 0x00000000 0x0 0x00000020 0x756e6547 0x6c65746e 0x49656e69   # level 0x20, GenuineIntel
cpuid 0x00000001 0x0 0x000806f4 0x00000000 0xf7fa3223 0x078bfbff   # family 6 model 143 stepping 4
cpuid 0x00000006 0x0 0x00000004 0x00000000 0x00000000 0x00000000   # ARAT
cpuid 0x00000007 0x0 0x00000001 0xf1bf0fb9 0x01415f4e 0xa7c14010
cpuid 0x00000007 0x1 0x00000030 0x00000000 0x00000000 0x00000000   # AVX_VNNI AVX512_BF16
cpuid 0x0000000d 0x1 0x0000001f 0x00000000 0x00000000 0x00000000   # XSAVEOPT XSAVEC XGETBV1 XSAVES XFD
cpuid 0x40000000 0x0 0x40000001 0x4b4d564b 0x564b4d56 0x0000004d   # KVM's signature "KVMKVMKVM" (Linux Documentation/virt/kvm/x86/cpuid.rst): marks a KVM L1
cpuid 0x80000000 0x0 0x80000008 0x00000000 0x00000000 0x00000000
cpuid 0x80000001 0x0 0x00000000 0x00000000 0x00000121 0x2c100800
