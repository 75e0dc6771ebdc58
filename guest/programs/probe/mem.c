/*
 * Physical addresses outside RAM: the PCI hole below 4 GiB and unbacked
 * addresses above it, up to the last page below 2^MAXPHYADDR.  Each is read,
 * written and read back; on the bare machine an unbacked address reads all
 * ones and drops writes, and under Skiff it must do the same (identity EPT,
 * SDM Vol. 3C 29.3).  One line an address:
 * `probe: mem 0xADDR: read 0x... wrote 0x... read back 0x...`.
 *
 * 32-bit code reaches addresses above 4 GiB through PAE paging (SDM Vol. 3A
 * 4.4): the low 4 GiB identity-mapped with 2 MiB pages, and one 2 MiB window
 * whose PDE is pointed at each high address in turn.  Paging is off again
 * before the probe returns.  The first address at 2^MAXPHYADDR sets a
 * reserved PDE bit: #PF with RSVD (4.4.2), the same natively and under Skiff.
 */
#include "guest/programs/probe/probe.h"

#define PAE_P   0x1ull
#define PAE_RW  0x2ull
#define PAE_PS  0x80ull                       /* PDE maps a 2 MiB page */
#define CR0_PG  (1u << 31)
#define CR4_PAE (1u << 5)
#define MEM_WINDOW 0x7fe00000u                /* linear 2 MiB window: unbacked RAM-wise */

static uint64_t pae_pd[4][512] __attribute__((aligned(4096)));
static uint64_t pae_pdpt[4] __attribute__((aligned(32)));

static unsigned maxphyaddr(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
    if (a < 0x80000008u)
        return 36;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000008u), "c"(0));
    return a & 0xff;
}

static void paging_on(void)
{
    for (unsigned i = 0; i < 4; i++) {
        for (unsigned j = 0; j < 512; j++)
            pae_pd[i][j] = (((uint64_t)i << 30) + ((uint64_t)j << 21)) | PAE_PS | PAE_RW | PAE_P;
        pae_pdpt[i] = (uint32_t)pae_pd[i] | PAE_P;
    }
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | CR4_PAE));
    __asm__ volatile("mov %0, %%cr3" ::"r"((uint32_t)pae_pdpt) : "memory");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | CR0_PG) : "memory");
}

static void paging_off(void)
{
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0 & ~CR0_PG) : "memory");
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 & ~CR4_PAE));
}

/* The linear address of physical `pa`: itself below 4 GiB, else through the window. */
static volatile uint32_t *mem_at(uint64_t pa)
{
    if (pa < (1ull << 32))
        return (volatile uint32_t *)(uint32_t)pa;
    pae_pd[MEM_WINDOW >> 30][(MEM_WINDOW >> 21) & 511] = (pa & ~0x1fffffull) | PAE_PS | PAE_RW | PAE_P;
    __asm__ volatile("invlpg (%0)" ::"r"(MEM_WINDOW) : "memory");
    return (volatile uint32_t *)(MEM_WINDOW + (uint32_t)(pa & 0x1fffff));
}

static void mem_line(uint64_t pa)
{
    volatile uint32_t *p = mem_at(pa);
    uint32_t pattern = 0x5a5a0000u ^ (uint32_t)(pa >> 12);
    uint32_t before = 0, after = 0;
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("movl (%2), %0; movl %3, (%2); movl (%2), %1")
                     : "+r"(before), "+r"(after) : "r"(p), "r"(pattern) : "memory");
    if (probe_fault.vector != 0xffffffffu) {
        probe_printf("probe: mem 0x%016llx: vector %u error 0x%x\n", pa, probe_fault.vector, probe_fault.error);
        return;
    }
    probe_printf("probe: mem 0x%016llx: read 0x%08x wrote 0x%08x read back 0x%08x\n", pa, before, pattern, after);
}

void probe_mem(void)
{
    unsigned m = maxphyaddr();
    uint64_t top = 1ull << m;
    probe_printf("probe: mem maxphyaddr %u\n", m);
    paging_on();
    /* The PCI hole (not the local APIC, IOAPIC or HPET pages), then above 4 GiB. */
    static const uint64_t fixed[] = {
        0xd0000000ull, 0xe0000000ull, 0xf0000000ull, 0xfebff000ull,
        0x100001000ull, 0x1000000000ull, 0x8000200000ull,
    };
    for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (fixed[i] < top)
            mem_line(fixed[i]);
    mem_line(top / 2 + 0x40000000ull);
    mem_line(top - 0x200000ull);
    mem_line(top - 0x1000ull);
    mem_line(top);                            /* a reserved PDE bit: #PF */
    paging_off();
}
