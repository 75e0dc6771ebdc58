/* The built-in guest: placing it in guest memory and describing how it starts. */
#ifndef SKIFF_GUEST_BUILTIN_H
#define SKIFF_GUEST_BUILTIN_H

#include "kernel/config/cmdline.h"
#include "vmx/core/vmcs.h"

/* Is `name` a guest_test= the built-in guest knows ("" is the normal run)? */
bool builtin_test_known(const char *name);
const char *builtin_test_names(void);

/*
 * Write the guest's page tables, GDT, info block and image into guest memory
 * (which must already be in the EPT) and fill *gs.  Returns 0, or a
 * SKIFF_* status after reporting why.
 */
int builtin_guest_load(const struct skiff_config *cfg, struct guest_start *gs);

/* A 3-byte VMCALL stub the VMX self-test launches (RAX = HC_EXIT, RBX = 0). */
uint64_t builtin_selftest_stub(void);

#endif
