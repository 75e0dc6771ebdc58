/*
 * PAE paging in 32-bit mode and when the PDPTEs are loaded (SDM Vol. 3A
 * 4.4.1): the CPU keeps the four PDPTEs in registers, loaded from CR3 by
 * MOV to CR3, and by MOV to CR0/CR4 when PAE paging is in use afterwards
 * (the SDM promises a load when CD, NW, PG, PAE, PGE, PSE or SMEP change;
 * Bochs loads them on every MOV to CR0 with PG set); an edit of the PDPT
 * in memory is not seen until then.  A present PDPTE with a reserved bit
 * makes the load's MOV raise #GP.
 *
 * Two PDPTs views: PDPTE0 points at a page directory mapping the first
 * GiB with 2 MiB pages except its last 2 MiB, whose first 4 KiB page is
 * page A, or (the "alternate" directory) page B.  The probe reads one
 * byte there (after INVLPG, so only the PDPTE registers decide) and prints
 * which page it saw, after each CR write.  The writes that change CR0.NE
 * are the ones Skiff emulates (NE is fixed to 1 in VMX operation).
 */
#include "guest/programs/probe/probe.h"

#define PTE_P   0x1u
#define PTE_RW  0x2u
#define PDE_PS  0x80u
#define CR0_NE  (1u << 5)
#define CR0_NW  (1u << 29)
#define CR0_CD  (1u << 30)
#define CR0_PG  (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_PGE (1u << 7)
#define WINDOW  0x3fe00000u                    /* the last 2 MiB of the first GiB */

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_main[512] __attribute__((aligned(4096)));
static uint64_t pd_alt[512] __attribute__((aligned(4096)));
static uint64_t pt_a[512] __attribute__((aligned(4096)));
static uint64_t pt_b[512] __attribute__((aligned(4096)));
static volatile uint8_t page_a[4096] __attribute__((aligned(4096)));
static volatile uint8_t page_b[4096] __attribute__((aligned(4096)));

static uint32_t cr0_read(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
static uint32_t cr4_read(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
static void cr0_write(uint32_t v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static void cr4_write(uint32_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
static void cr3_write(uint32_t v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }

/* Which page the window shows now: 'A', 'B', or '?'. */
static char window(void)
{
    __asm__ volatile("invlpg (%0)" ::"r"(WINDOW) : "memory");
    uint8_t c = *(volatile uint8_t *)WINDOW;
    return (c == 'A' || c == 'B') ? (char)c : '?';
}

static void line(const char *what)
{
    probe_printf("probe: pae %s: cr0 0x%08x cr4 0x%08x window %c\n", what, cr0_read() & ~(CR0_CD | CR0_NW),
                 cr4_read(), window());
}

/* The PDPT in memory: PDPTE0 -> the main or the alternate directory (no MOV to CR3). */
static void pdpt_point(const uint64_t *pd) { pdpt[0] = (uint32_t)pd | PTE_P; }

static void cr0_try(const char *what, uint32_t v)
{
    probe_try_reset();
    __asm__ volatile(PROBE_TRY("mov %0, %%cr0") ::"r"(v) : "memory");
    probe_report_fault(what);
}

void probe_pae(void)
{
    uint32_t cr0_entry = cr0_read(), cr4_entry = cr4_read();

    for (unsigned i = 0; i < 511; i++)
        pd_main[i] = pd_alt[i] = ((uint64_t)i << 21) | PDE_PS | PTE_RW | PTE_P;
    pd_main[511] = (uint32_t)pt_a | PTE_RW | PTE_P;
    pd_alt[511] = (uint32_t)pt_b | PTE_RW | PTE_P;
    for (unsigned i = 0; i < 512; i++)
        pt_a[i] = pt_b[i] = 0;
    pt_a[0] = (uint32_t)page_a | PTE_RW | PTE_P;
    pt_b[0] = (uint32_t)page_b | PTE_RW | PTE_P;
    page_a[0] = 'A';
    page_b[0] = 'B';
    pdpt[1] = pdpt[2] = pdpt[3] = 0;
    pdpt_point(pd_main);

    /* Caching on, NE clear, paging off: the same start natively and under Skiff. */
    uint32_t cr0 = (cr0_entry & ~(CR0_CD | CR0_NW | CR0_NE | CR0_PG));
    cr0_write(cr0);
    cr3_write((uint32_t)pdpt);
    cr4_write((cr4_entry | CR4_PAE) & ~CR4_PGE);

    /* 1. PG and NE set by one MOV (Skiff emulates it): the PDPTEs come from CR3. */
    cr0_write(cr0 | CR0_PG | CR0_NE);
    line("PG and NE set together");

    /* 2. The PDPT edited in memory: not seen until a load. */
    pdpt_point(pd_alt);
    line("PDPTE0 edited in memory");

    /* 3. NE alone cleared (Skiff emulates it; Bochs loads the PDPTEs on every MOV to CR0). */
    cr0_write(cr0 | CR0_PG);
    line("NE cleared");

    /* 4. CD and NE changed by one MOV (Skiff emulates it; the SDM promises a load for CD). */
    pdpt_point(pd_main);
    cr0_write(cr0 | CR0_PG | CR0_NE | CR0_CD);
    line("CD and NE set together");
    cr0_write(cr0 | CR0_PG | CR0_NE);

    /* 5. CR4.PGE and PSE toggled (no exit under Skiff): a load each. */
    pdpt_point(pd_alt);
    cr4_write(cr4_read() | CR4_PGE);
    line("PGE set");
    pdpt_point(pd_main);
    cr4_write(cr4_read() ^ CR4_PSE);
    line("PSE toggled");

    /* 6. MOV to CR3 with the same value: a load. */
    pdpt_point(pd_alt);
    cr3_write((uint32_t)pdpt);
    line("CR3 reloaded");

    /* 7. Paging off, then PG and NE set by one MOV again, with the alternate directory. */
    cr0_write(cr0 | CR0_NE);
    cr0_write(cr0 | CR0_PG);
    line("PG and NE changed together");

    /* 8. A reserved bit (bit 1) in a present PDPTE: the MOV to CR0 that loads the PDPTEs raises #GP. */
    pdpt[1] = (uint32_t)pd_main | PTE_RW | PTE_P;
    cr0_try("pae NE set with a reserved PDPTE bit", cr0 | CR0_PG | CR0_NE);
    line("after the #GP");
    pdpt[1] = 0;

    /* Back to the entry state (paging off; CD and NW stay clear). */
    cr0_write(cr0);
    cr4_write(cr4_entry);
    cr0_write((cr0_entry & ~(CR0_CD | CR0_NW)));
    probe_printf("probe: pae: paging off again: cr0 0x%08x cr4 0x%08x\n", cr0_read() & ~(CR0_CD | CR0_NW),
                 cr4_read());
}
