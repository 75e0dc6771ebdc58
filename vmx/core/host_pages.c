/* Skiff's own page addresses, for the built-in guest's attack cases (vmx/core/host_pages.h). */
#include "vmx/core/host_pages.h"

#include "kernel/cpu/cpu.h"
#include "kernel/mem/memory.h"

extern char _image_start[];
extern char boot_stack_top[];

struct host_pages host_pages;

/* A pointer into Skiff's image (linked at its virtual address) to its physical address. */
static uint64_t image_virt_to_phys(const void *p)
{
    return image_phys_start() + (uint64_t)((const char *)p - _image_start);
}

void host_pages_note(uint64_t vmcs, uint64_t ept_pml4, uint64_t io_a, uint64_t io_b, uint64_t msr,
                     const void *exit_stack_top)
{
    host_pages = (struct host_pages){
        .vmcs = vmcs,
        .vmxon = vmx_vmxon_phys(),
        .ept_pml4 = ept_pml4,
        .io_bitmap_a = io_a,
        .io_bitmap_b = io_b,
        .msr_bitmap = msr,
        .exit_stack = image_virt_to_phys(exit_stack_top) - 8,
        .host_stack = image_virt_to_phys(boot_stack_top) - 8,
        .host_cr3 = read_cr3() & ~0xfffull,
    };
}
