/*
 * guest=chain: the BIOS's memory calls answered by Skiff (vmx/exit/exit_bios.c).
 *
 * The hook page is one of Skiff's pages below 640 KiB (withheld from the
 * guest's e820 map like every other), which the EPT maps read and execute
 * only.  It holds real-mode code (guest/loader/chain_stub.S) at the offsets
 * below.  IVT vectors 15h and 12h point at HOOK15 and HOOK12; each starts with
 * VMCALL, which exits unconditionally in VMX non-root operation (SDM Vol. 3C
 * 26.1.2).  Skiff knows the VMCALL by its linear address (CS base + IP) in the
 * hook page: for INT 15h E820h, E801h, E881h and 88h and for INT 12h it writes
 * the answer into the guest's registers (and ES:DI buffer, and the CF of the
 * FLAGS image the INT pushed) and resumes at the IRET that follows the VMCALL;
 * every other INT 15h function resumes at the far jump to the vector the BIOS
 * had (CHAIN15).  The chain stub (BOOT) reads the boot sector with INT 13h and
 * reports with a VMCALL at one of the REPORT offsets.
 */
#ifndef SKIFF_VMX_EXIT_BIOS_HOOK_H
#define SKIFF_VMX_EXIT_BIOS_HOOK_H

#define BIOS_HOOK_HOOK15      0x000   /* VMCALL; IRET (+3); JMP FAR [ORIG15] (+4) */
#define BIOS_HOOK_HOOK12      0x010   /* VMCALL; IRET (+3); JMP FAR [ORIG12] (+4) */
#define BIOS_HOOK_BOOT        0x020   /* the chain stub: the guest's first instruction */
#define BIOS_HOOK_LOADED      0x100   /* VMCALL: boot sector read, signature 0x55AA; continues (+3) */
#define BIOS_HOOK_NO_DRIVE    0x110   /* VMCALL: INT 13h AH=08h failed (AH = status) */
#define BIOS_HOOK_READ_FAILED 0x120   /* VMCALL: INT 13h AH=02h failed three times (AH = status) */
#define BIOS_HOOK_NO_SIG      0x130   /* VMCALL: no 0x55AA at 0:7DFE */
#define BIOS_HOOK_ORIG15      0x1f0   /* the BIOS's INT 15h vector (offset, segment) */
#define BIOS_HOOK_ORIG12      0x1f4   /* the BIOS's INT 12h vector */
#define BIOS_HOOK_DRIVE       0x1f8   /* the BIOS drive number (one byte) */
#define BIOS_HOOK_CODE_END    0x200

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "kernel/mem/memmap.h"
#include "vmx/core/vcpu.h"
#include "vmx/exit/exit.h"

struct bios_hook {
    uint64_t page;                      /* guest-physical (= host-physical) address; 0 = no hook */
    const struct guest_memmap *map;     /* the answers' source: the guest's e820 map */
    uint16_t base_kib;                  /* INT 12h: KiB of base memory (the BDA word at 0x413) */
    uint8_t drive;
    uint64_t e820_calls, e801_calls, e88_calls, int12_calls, chained;
};

extern struct bios_hook bios_hook;

/* A VMCALL at a hook-page offset: answered here.  False: not the hook page's. */
static inline bool bios_hook_owns(const struct vcpu *v, uint64_t cs_base)
{
    uint64_t lin = cs_base + v->guest_rip;
    return bios_hook.page && lin >= bios_hook.page && lin < bios_hook.page + BIOS_HOOK_CODE_END;
}

enum exit_action bios_hook_vmcall(struct vcpu *v, uint64_t cs_base);

/* `skiff: chain: BIOS calls answered: ...` (the run's end). */
void bios_hook_print_counts(void);

#endif
#endif
