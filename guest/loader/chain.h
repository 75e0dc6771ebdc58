/*
 * guest=chain (issue 22): the BIOS boots a disk in the guest.  Not an image
 * loader: the guest is the firmware GRUB came from, so this writes the three
 * things a BIOS boot needs straight into low guest memory (IVT vectors 15h
 * and 12h, the BDA's base-memory word) and puts the hook page in place
 * (vmx/exit/bios_hook.h has the page's layout and the mechanism).
 */
#ifndef SKIFF_GUEST_CHAIN_H
#define SKIFF_GUEST_CHAIN_H

#include "kernel/config/cmdline.h"
#include "kernel/firmware/mb2.h"
#include "kernel/mem/memmap.h"
#include "vmx/core/vmcs.h"

/*
 * Before the guest's memory is built: refuse a UEFI boot (named), and claim
 * the hook page, the last whole page of base memory below the BDA's
 * base-memory word (0x413), as Skiff's.  Returns 0 or a SKIFF_* status.
 */
int chain_reserve(const struct mb2_info *mb);

/*
 * Once the EPT is built: the stub into the hook page (mapped read and
 * execute), the IVT and BDA patched, *gs the real-mode start at the stub.
 */
int chain_prepare(const struct skiff_config *cfg, const struct mb2_info *mb, const struct guest_memmap *map,
                  struct guest_start *gs);

#endif
