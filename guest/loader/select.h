/*
 * Which guest to run, from the GRUB modules' command lines (the syntax users'
 * grub.cfg files rely on):
 *
 *   module2 FILE guest=linux <kernel command line>
 *   module2 FILE initrd
 *   module2 FILE guest=multiboot <its command line>
 *   module2 FILE module <string>              (any number, after guest=multiboot)
 *   module2 FILE guest=elf
 *   module2 FILE guest=flat addr=<hex> entry=<hex> mode=<16|32|64>
 *
 * No guest module: the built-in guest.  Pure code, unit-tested and fuzzed.
 */
#ifndef SKIFF_GUEST_SELECT_H
#define SKIFF_GUEST_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/firmware/mb2.h"

/* GUEST_CHAIN comes from Skiff's own command line (guest=chain), not a module: guest/loader/chain.h. */
enum guest_kind { GUEST_BUILTIN, GUEST_LINUX, GUEST_MULTIBOOT, GUEST_ELF, GUEST_FLAT, GUEST_CHAIN };

struct guest_selection {
    enum guest_kind kind;
    int image;                         /* module index of the guest image, -1 for built-in */
    const char *cmdline;               /* words after guest=KIND (NUL-terminated tail) */
    int initrd;                        /* module index, -1 if none */
    size_t nmods;                      /* guest=multiboot: its own modules, in order */
    int mods[MB2_MAX_MODULES];
    const char *mod_strings[MB2_MAX_MODULES];
    uint64_t flat_addr, flat_entry;
    unsigned flat_mode;
};

int guest_select(const struct mb2_module *mods, size_t nmods, struct guest_selection *sel,
                 char *err, size_t errlen);

const char *guest_kind_name(enum guest_kind k);

#endif
