/*
 * CPUID as the guest sees it: every basic and extended leaf up to the
 * maximum each range reports, with the subleaves of the leaves that have
 * them (4, 7, 0xb, 0xd, 0xf, 0x10, 0x12, 0x14, 0x17, 0x18, 0x1f), and the
 * hypervisor range's first leaf.  One line a leaf:
 * `probe: cpuid LEAF.SUB: EAX EBX ECX EDX`.
 */
#include "guest/programs/probe/probe.h"

static void cpuid_line(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
    probe_printf("probe: cpuid %08x.%x: %08x %08x %08x %08x\n", leaf, sub, r[0], r[1], r[2], r[3]);
}

/* Subleaves to dump for a leaf (0: the leaf has none). */
static uint32_t subleaves(uint32_t leaf, const uint32_t r0[4])
{
    switch (leaf) {
    case 0x4: return 8;                    /* cache levels: until type 0 */
    case 0x7: return r0[0] + 1;            /* EAX of subleaf 0: the last subleaf */
    case 0xb: case 0x1f: return 4;         /* topology levels */
    case 0xd: return 20;                   /* state components */
    case 0xf: case 0x10: case 0x12: case 0x14: case 0x17: case 0x18: return 4;
    default: return 0;
    }
}

static void dump_range(uint32_t base)
{
    uint32_t r[4], r0[4];
    __asm__ volatile("cpuid" : "=a"(r0[0]), "=b"(r0[1]), "=c"(r0[2]), "=d"(r0[3]) : "a"(base), "c"(0));
    uint32_t max = r0[0];
    if (max < base || max > base + 0x40)
        max = base;
    for (uint32_t leaf = base; leaf <= max; leaf++) {
        cpuid_line(leaf, 0, r);
        uint32_t n = subleaves(leaf, r);
        for (uint32_t sub = 1; sub < n; sub++)
            cpuid_line(leaf, sub, r);
    }
}

void probe_cpuid(void)
{
    dump_range(0);
    dump_range(0x80000000u);
    uint32_t r[4];
    cpuid_line(0x40000000u, 0, r);
}
