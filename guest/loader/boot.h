/* Preparing the selected guest: staging its modules and calling its loader. */
#ifndef SKIFF_GUEST_BOOT_H
#define SKIFF_GUEST_BOOT_H

#include "guest/loader/loader.h"
#include "guest/loader/select.h"
#include "kernel/config/cmdline.h"
#include "kernel/firmware/mb2.h"

/*
 * Put the guest selected by `sel` into guest memory (described by `map`) and
 * fill *gs.  Returns 0, or a SKIFF_* status after printing a named error.
 */
int guest_boot_prepare(const struct skiff_config *cfg, const struct mb2_info *mb,
                       const struct guest_selection *sel, const struct guest_memmap *map,
                       struct guest_start *gs);

#endif
