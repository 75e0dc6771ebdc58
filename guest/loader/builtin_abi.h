/* What Skiff hands its built-in guest (RDI points at a struct builtin_info). */
#ifndef SKIFF_GUEST_BUILTIN_ABI_H
#define SKIFF_GUEST_BUILTIN_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define BUILTIN_INFO_MAGIC 0x46494b53u   /* "SKIF" */

/* Guest-physical layout Skiff sets up for the built-in guest (64-bit mode). */
#define BUILTIN_SELFTEST_STUB 0x8000     /* VMCALL stub used by selftest=vmx */
#define BUILTIN_AP_TRAMP      0x9000     /* real-mode AP start-up code: SIPI vector 0x09 */
#define BUILTIN_MAX_APS       15
#define BUILTIN_INFO_ADDR     0x10000
#define BUILTIN_PML4_ADDR     0x100000   /* PML4, PDPT, 4 PDs: identity map of 0-4 GiB */
#define BUILTIN_GDT_ADDR      0x106000
#define BUILTIN_LOAD_ADDR     0x200000   /* the image, linked here */
#define BUILTIN_STACK_TOP     0x400000
#define BUILTIN_END           0x400000   /* everything the guest uses lies below */

#ifndef __ASSEMBLER__
struct builtin_info {
    uint32_t magic;
    uint32_t reserved;
    uint64_t skiff_start, skiff_end;     /* Skiff's resident range: the guest must not reach it */
    char test[64];                       /* guest_test= on Skiff's command line, "" = normal run */
    /* Physical addresses of Skiff's own pages (vmx/core/host_pages.h), for guest/programs/builtin/attack.c. */
    uint64_t vmcs, vmxon, ept_pml4, io_bitmap_a, io_bitmap_b, msr_bitmap;
    uint64_t exit_stack, host_stack, host_cr3;
    uint64_t seed, count;                /* guest_seed=, guest_count= (0 = the test's default) */
    uint64_t ncpus;                      /* vCPUs Skiff gives the guest (the others wait for SIPI) */
};

#endif

#endif
