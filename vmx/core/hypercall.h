/*
 * Skiff's hypercall ABI (VMCALL), shared by Skiff and the guests it ships.
 *
 *   RAX = number, RBX/RCX/RDX = arguments; the result comes back in RAX
 *   (negative values are errors).  Only CPL 0 may call.
 */
#ifndef SKIFF_VMX_HYPERCALL_H
#define SKIFF_VMX_HYPERCALL_H

#define HC_NOP    0   /* nothing; returns 0 */
#define HC_PRINT  1   /* RBX = guest-linear address, RCX = length (<= 4096): print it */
#define HC_EXIT   2   /* RBX = status: the guest is done */
#define HC_TSC    3   /* returns Skiff's TSC (also EDX = bits 63:32, for 32-bit callers) */
#define HC_ENTRY_TSC 4 /* the TSC at Skiff's first instruction, its Multiboot2 entry (EDX as HC_TSC) */
#define HC_EXIT_COUNT 5 /* this vCPU's VM exits so far, this VMCALL's own included (EDX as HC_TSC) */

#define HC_ENOSYS ((unsigned long long)-1)   /* no such hypercall */
#define HC_EFAULT ((unsigned long long)-2)   /* a pointer does not reach guest memory */
#define HC_EINVAL ((unsigned long long)-3)   /* an argument is out of range */
#define HC_EPERM  ((unsigned long long)-4)   /* called from CPL > 0 */

/* CPUID leaves Skiff answers (0x40000000 range). */
#define SKIFF_CPUID_SIGNATURE_LEAF 0x40000000
#define SKIFF_CPUID_INFO_LEAF      0x40000001
#define SKIFF_CPUID_MAX_LEAF       0x40000001
/* "Skiff VMM\0\0\0" in EBX, ECX, EDX */
#define SKIFF_CPUID_SIG_EBX 0x66696b53
#define SKIFF_CPUID_SIG_ECX 0x4d562066
#define SKIFF_CPUID_SIG_EDX 0x0000004d

#endif
