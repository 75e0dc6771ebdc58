/*
 * Hostile variants of the built-in guest (guest_test=NAME on Skiff's command
 * line): each attacks Skiff one way and says what it expects to observe; the
 * boot tests (tests/boot/cases.sh, attack_*) assert both the guest's view and
 * Skiff's verdict.  Three kinds of ending:
 *
 *   - the guest observes a fault or a value (#GP, #UD, a hypercall error) and
 *     ends with the exit hypercall, status 0 when every check held;
 *   - Skiff stops the guest with a named verdict (EPT violation, triple
 *     fault, INIT, reset, string I/O outside the guest);
 *   - fuzz: random privileged and exiting instructions (guest_seed=,
 *     guest_count=), every fault caught by the guest's own IDT;
 *   - soak: guest_count= exits of mixed kinds, with a checksum of what came back.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/programs/builtin/guest.h"
#include "vmx/core/hypercall.h"

#define COM1 0x3f8
#define SCRATCH_PAGE 0x500000            /* guest RAM the variants use for page tables */

static inline void o8(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void o16(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t i8(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rd_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t rd_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t rd_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }

static int fails;

static void ck(bool ok, const char *what)
{
    check(ok, what);
    if (!ok)
        fails++;
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static const char *after(const char *s, const char *prefix)
{
    while (*prefix && *s == *prefix)
        s++, prefix++;
    return *prefix ? 0 : s;
}

static __attribute__((noreturn)) void finish(const char *name)
{
    say("attack %s: done, %u check(s) failed", name, (uint64_t)fails);
    guest_exit(fails ? 1 : 0);
}

static __attribute__((noreturn)) void survived(const char *name)
{
    say("attack %s: still running, this should not happen", name);
    guest_exit(3);
}

static void cpuid4(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static int try_wrmsr(uint32_t msr, uint64_t val)
{
    return GUEST_FAULT("wrmsr", "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

static int try_cr0(uint64_t v) { return GUEST_FAULT("mov %[v], %%cr0", [v] "r"(v)); }
static int try_cr3(uint64_t v) { return GUEST_FAULT("mov %[v], %%cr3", [v] "r"(v)); }
static int try_cr4(uint64_t v) { return GUEST_FAULT("mov %[v], %%cr4", [v] "r"(v)); }

static unsigned max_phys_bits(void)
{
    uint32_t r[4];
    cpuid4(0x80000000, 0, r);
    if (r[0] < 0x80000008)
        return 36;
    cpuid4(0x80000008, 0, r);
    return r[0] & 0xff;
}

/* ---- Skiff's pages by physical address: {read,write,exec}_<page> ---- */

static uint64_t page_of(const char *kind)
{
    static const struct { const char *name; unsigned off; } pages[] = {
        { "vmcs", __builtin_offsetof(struct builtin_info, vmcs) },
        { "vmxon", __builtin_offsetof(struct builtin_info, vmxon) },
        { "ept", __builtin_offsetof(struct builtin_info, ept_pml4) },
        { "msr_bitmap", __builtin_offsetof(struct builtin_info, msr_bitmap) },
        { "io_bitmap_a", __builtin_offsetof(struct builtin_info, io_bitmap_a) },
        { "io_bitmap_b", __builtin_offsetof(struct builtin_info, io_bitmap_b) },
        { "exit_stack", __builtin_offsetof(struct builtin_info, exit_stack) },
        { "host_stack", __builtin_offsetof(struct builtin_info, host_stack) },
        { "host_pt", __builtin_offsetof(struct builtin_info, host_cr3) },
    };
    for (unsigned i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
        if (streq(kind, pages[i].name))
            return *(const uint64_t *)((const char *)info + pages[i].off);
    return 0;
}

static bool page_attack(const char *t)
{
    const char *kind;
    int access;
    if ((kind = after(t, "read_")))
        access = 0;
    else if ((kind = after(t, "write_")))
        access = 1;
    else if ((kind = after(t, "exec_")))
        access = 2;
    else
        return false;
    uint64_t pa = page_of(kind);
    if (!pa)
        return false;
    say("attack %s: Skiff's %s page at %x: expect Skiff to stop me (EPT violation)", t, kind, pa);
    if (access == 0)
        say("read %x", *(volatile uint64_t *)pa);
    else if (access == 1)
        *(volatile uint64_t *)pa = 0xbadbadbadull;
    else
        ((void (*)(void))pa)();
    survived(t);
}

/* ---- Skiff's pages through the guest's own paging and string I/O ---- */

static void map_vmcs(void)
{
    uint64_t *pd = (uint64_t *)(BUILTIN_PML4_ADDR + 2 * 4096);   /* 4 PDs, 2048 entries */
    uint64_t *pt = (uint64_t *)SCRATCH_PAGE;
    for (int i = 0; i < 512; i++)
        pt[i] = 0;
    pt[0] = info->vmcs | 3;
    pd[512] = SCRATCH_PAGE | 3;                                   /* linear 0x40000000 */
    __asm__ volatile("invlpg (%0)" ::"r"(0x40000000ull) : "memory");
    say("attack map_vmcs: linear 0x40000000 maps Skiff's VMCS at %x: expect an EPT violation", info->vmcs);
    say("read %x", *(volatile uint64_t *)0x40000000ull);
    survived("map_vmcs");
}

static void cr3_to(const char *t, uint64_t cr3, const char *expect)
{
    say("attack %s: CR3 := %x: expect %s", t, cr3, expect);
    __asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
    survived(t);
}

static void cr3_garbage(void)
{
    uint64_t cr3 = rd_cr3();
    unsigned bits = max_phys_bits();
    say("attack cr3_garbage: MAXPHYADDR %u: CR3 with reserved bits must raise #GP", (uint64_t)bits);
    for (unsigned b = bits; b < 63; b += 5)
        ck(try_cr3(cr3 | (1ull << b)) == 13, "cr3_garbage: CR3 with a bit above MAXPHYADDR raises #GP");
    ck(try_cr3(cr3 | 0xfe7) == -1, "cr3_garbage: CR3 with garbage in its ignored low bits loads");
    ck(try_cr3(cr3) == -1 && rd_cr3() == cr3, "cr3_garbage: the original CR3 loads again");
    finish("cr3_garbage");
}

static void string_io(const char *t)
{
    uint64_t n = 4;
    if (streq(t, "insb_skiff")) {
        say("attack insb_skiff: rep insb from COM1's LCR (intercepted) into Skiff's VMCS at %x", info->vmcs);
        __asm__ volatile("rep insb" : "+D"(*(uint64_t[]){ info->vmcs }), "+c"(n) : "d"(COM1 + 3) : "memory");
    } else if (streq(t, "outsb_skiff")) {
        say("attack outsb_skiff: rep outsb to COM1's LCR (intercepted) from Skiff's image at %x", info->skiff_start);
        __asm__ volatile("rep outsb" : "+S"(*(uint64_t[]){ info->skiff_start }), "+c"(n) : "d"(COM1 + 3) : "memory");
    } else {
        say("attack insb_native: rep insb from port 0x80 (not intercepted) into Skiff's VMCS at %x", info->vmcs);
        __asm__ volatile("rep insb" : "+D"(*(uint64_t[]){ info->vmcs }), "+c"(n) : "d"(0x80) : "memory");
    }
    survived(t);
}

/* ---- string I/O and HC_PRINT on guest-physical addresses that are not guest RAM ---- */

#define HIGH_LINEAR 0x100000000ull       /* PDPT[4] -> a PD at SCRATCH_PAGE: GPA 4 GiB, above RAM */
#define HOLE_ADDR   0xc0000000ull        /* in the PCI hole below 4 GiB: no RAM, no device */

static void map_high(void)
{
    uint64_t *pdpt = (uint64_t *)(BUILTIN_PML4_ADDR + 4096), *pd = (uint64_t *)SCRATCH_PAGE;
    for (int i = 0; i < 512; i++)
        pd[i] = 0;
    pd[0] = HIGH_LINEAR | 0x83;
    pdpt[4] = SCRATCH_PAGE | 3;
    __asm__ volatile("invlpg (%0)" ::"r"(HIGH_LINEAR) : "memory");
}

/* {insb,outsb}_{high,hole}, insb_apic: rep insb/outsb through COM1's LCR (intercepted, so Skiff
 * performs the memory side) at a GPA above RAM, in the PCI hole, or the APIC page Skiff mediates. */
static void string_unbacked(const char *t)
{
    uint64_t n = 4, at = HOLE_ADDR, base;
    bool in = t[0] == 'i';
    if (streq(t, "insb_high") || streq(t, "outsb_high")) {
        map_high();
        at = HIGH_LINEAR;
    } else if (streq(t, "insb_apic")) {
        try_rdmsr(0x1b, &base);
        at = (base & ~0xfffull) + 0x80;  /* the TPR */
    }
    say("attack %s: rep %s COM1's LCR (intercepted) %s GPA %x", t, in ? "insb from" : "outsb to",
        in ? "into" : "from", at);
    if (in)
        __asm__ volatile("rep insb" : "+D"(at), "+c"(n) : "d"(COM1 + 3) : "memory");
    else
        __asm__ volatile("rep outsb" : "+S"(at), "+c"(n) : "d"(COM1 + 3) : "memory");
    survived(t);
}

/* movs_apic_high (two vCPUs): MOVSD from GPA 4 GiB (above RAM) to the APIC's TPR, whose write
 * Skiff emulates (vmx/emulate/mmio_write.c) and so reads the source itself. */
static void movs_apic_high(void)
{
    uint64_t base, src = HIGH_LINEAR, dst;
    try_rdmsr(0x1b, &base);
    dst = (base & ~0xfffull) + 0x80;
    map_high();
    say("attack movs_apic_high: movsl from GPA %x to the APIC's TPR at %x", src, dst);
    __asm__ volatile("movsl" : "+S"(src), "+D"(dst) : : "memory");
    survived("movs_apic_high");
}

static void print_unbacked(void)
{
    say("attack print_unbacked: HC_PRINT from guest-physical addresses that are not guest RAM");
    map_high();
    ck(vmcall(HC_PRINT, HIGH_LINEAR, 8) == HC_EFAULT, "print_unbacked: pointer to GPA 4 GiB (above RAM): HC_EFAULT");
    ck(vmcall(HC_PRINT, HOLE_ADDR, 8) == HC_EFAULT, "print_unbacked: pointer into the PCI hole: HC_EFAULT");
    ck(vmcall(HC_PRINT, 0xfec00000, 4) == HC_EFAULT, "print_unbacked: pointer to the IOAPIC: HC_EFAULT");
    ck(vmcall(HC_PRINT, 0x40000000ull, 1) == HC_EFAULT, "print_unbacked: pointer past the end of RAM below 4 GiB: HC_EFAULT");
    static const char msg[] = "guest: hypercall print still works\n";
    ck(vmcall(HC_PRINT, (uint64_t)msg, sizeof(msg) - 1) == 0, "print_unbacked: a good print returns 0");
    finish("print_unbacked");
}

/* ---- string I/O meets the guest's own paging: #PF as on the bare machine ---- */

/* REP INSB / REP OUTSB at `port`: the vector, the registers after it, and the instruction's
 * address in *at. */
static int rep_insb(uint16_t port, uint64_t *rdi, uint64_t *rcx, uint64_t *at)
{
    uint64_t d = *rdi, c = *rcx;
    last_vector = -1;
    __asm__ volatile("leaq 1f(%%rip), %%r11\n\tmovq %%r11, %[fix]\n\tleaq 2f(%%rip), %[at]\n2:\trep insb\n1:"
                     : [fix] "=m"(fixup_rip), [at] "=&r"(*at), "+D"(d), "+c"(c)
                     : "d"(port)
                     : "r11", "memory");
    fixup_rip = 0;
    *rdi = d;
    *rcx = c;
    return last_vector;
}

static int rep_outsb(uint16_t port, uint64_t *rsi, uint64_t *rcx, uint64_t *at)
{
    uint64_t s = *rsi, c = *rcx;
    last_vector = -1;
    __asm__ volatile("leaq 1f(%%rip), %%r11\n\tmovq %%r11, %[fix]\n\tleaq 2f(%%rip), %[at]\n2:\trep outsb\n1:"
                     : [fix] "=m"(fixup_rip), [at] "=&r"(*at), "+S"(s), "+c"(c)
                     : "d"(port)
                     : "r11", "memory");
    fixup_rip = 0;
    *rsi = s;
    *rcx = c;
    return last_vector;
}

static void wr_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static void wr_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
static void flush_tlb(void) { __asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory"); }

/*
 * One faulting string instruction, twice: at port 0x80, which Skiff does not intercept (the CPU
 * performs it: the reference), and at COM1's LCR, which exits (Skiff performs it).  Both must
 * raise #PF with the expected error code and CR2, RIP at the instruction, the iterations before
 * the fault done.
 */
static void pf_case(const char *what, bool in, uint64_t idx0, uint64_t rcx0, uint64_t err, uint64_t cr2,
                    uint64_t want_idx, uint64_t want_rcx)
{
    static const struct { uint16_t port; const char *who; } by[] = { { 0x80, "the CPU" }, { COM1 + 3, "Skiff" } };
    for (unsigned i = 0; i < 2; i++) {
        uint64_t idx = idx0, rcx = rcx0, at;
        int vec = in ? rep_insb(by[i].port, &idx, &rcx, &at) : rep_outsb(by[i].port, &idx, &rcx, &at);
        say("string_pf: %s (%s): vector %u error %x CR2 %x index %x RCX %u", what, by[i].who,
            (uint64_t)(int64_t)vec, last_error, last_cr2, idx, rcx);
        ck(vec == 14, "string_pf: #PF raised");
        ck(vec == 14 && last_error == err, "string_pf: the error code is the CPU's");
        ck(vec == 14 && last_cr2 == cr2, "string_pf: CR2 is the first byte not reached");
        ck(vec == 14 && last_rip == at, "string_pf: RIP is the string instruction (a fault)");
        ck(idx == want_idx && rcx == want_rcx, "string_pf: the iterations before the fault are done, not the rest");
    }
}

static void string_pf(void)
{
    uint64_t *pml4 = (uint64_t *)BUILTIN_PML4_ADDR, *pdpt = pml4 + 512, *pd = pml4 + 1024;
    uint64_t *pt = (uint64_t *)SCRATCH_PAGE;
    const uint64_t la = 0x40000000, data = SCRATCH_PAGE + 0x2000;
    uint64_t cr0 = rd_cr0(), cr4 = rd_cr4(), idx, rcx, at;
    uint32_t r[4];
    say("attack string_pf: rep insb/outsb meet the guest's page tables: #PF with the CPU's error code and CR2");
    for (int i = 0; i < 512; i++)
        pt[i] = 0;
    pt[0] = data | 3;                            /* 0x40000000 writable */
                                                 /* 0x40001000 not present */
    pt[2] = (data + 0x1000) | 1;                 /* 0x40002000 read-only */
    pt[3] = (data + 0x2000) | 7;                 /* 0x40003000 a user page (U at every level) */
    pd[512] = SCRATCH_PAGE | 7;
    pdpt[1] |= 4;
    pml4[0] |= 4;
    for (int i = 0; i < 3 * 4096; i++)
        ((volatile uint8_t *)data)[i] = 0xee;
    flush_tlb();
    wr_cr0(cr0 | (1ull << 16));                  /* CR0.WP */

    pf_case("rep insb into a not-present page", true, la + 0xffd, 8, 0x2, la + 0x1000, la + 0x1000, 5);
    ck(((volatile uint8_t *)data)[0xffd] == 3 && ((volatile uint8_t *)data)[0xfff] == 3,
       "string_pf: the bytes before the fault arrived (LCR 0x03)");
    pf_case("rep outsb from a not-present page", false, la + 0x1000, 2, 0x0, la + 0x1000, la + 0x1000, 2);
    pf_case("rep insb into a read-only page, CR0.WP=1", true, la + 0x2000, 1, 0x3, la + 0x2000, la + 0x2000, 1);

    wr_cr0(cr0 & ~(1ull << 16));
    idx = la + 0x2000, rcx = 1;
    ck(rep_insb(COM1 + 3, &idx, &rcx, &at) == -1 && rcx == 0 && ((volatile uint8_t *)data)[0x1000] == 3,
       "string_pf: rep insb into a read-only page, CR0.WP=0: written (supervisor)");
    wr_cr0(cr0 | (1ull << 16));

    cpuid4(7, 0, r);
    if (r[1] & (1u << 20)) {                     /* SMAP */
        wr_cr4(cr4 | (1ull << 21));
        __asm__ volatile("clac");
        pf_case("rep insb into a user page, CR4.SMAP=1, AC=0", true, la + 0x3000, 1, 0x3, la + 0x3000,
                la + 0x3000, 1);
        __asm__ volatile("stac");
        idx = la + 0x3000, rcx = 1;
        int v = rep_insb(COM1 + 3, &idx, &rcx, &at);
        __asm__ volatile("clac");
        ck(v == -1 && rcx == 0, "string_pf: rep insb into a user page, CR4.SMAP=1, AC=1: written");
        wr_cr4(cr4);
    } else {
        say("string_pf: no SMAP in CPUID: its case skipped");
    }
    if (r[2] & (1u << 3)) {                      /* PKU */
        wr_cr4(cr4 | (1ull << 22));
        pt[3] |= 1ull << 59;                     /* protection key 1 */
        flush_tlb();
        __asm__ volatile("wrpkru" ::"a"(1u << 3), "c"(0), "d"(0));   /* WD1 */
        pf_case("rep insb into a user page with key 1 write-disabled, CR0.WP=1", true, la + 0x3000, 1, 0x23,
                la + 0x3000, la + 0x3000, 1);
        __asm__ volatile("wrpkru" ::"a"(0), "c"(0), "d"(0));
        idx = la + 0x3000, rcx = 1;
        ck(rep_insb(COM1 + 3, &idx, &rcx, &at) == -1 && rcx == 0,
           "string_pf: rep insb into a user page, key 1 allowed: written");
        wr_cr4(cr4);
    } else {
        say("string_pf: no PKU in CPUID: its case skipped (the unit test covers it)");
    }
    wr_cr0(cr0);
    finish("string_pf");
}

/* ---- VMX, CR and MSR attacks: the guest sees a CPU without VMX ---- */

static void vmx_insns(void)
{
    static uint64_t region[2] __attribute__((aligned(16)));
    uint64_t *p = region;
    say("attack vmx_insns: every VMX instruction must raise #UD");
    ck(GUEST_FAULT("vmxon (%%rsi)", "S"(p)) == 6, "vmx_insns: VMXON raises #UD");
    ck(GUEST_FAULT("vmclear (%%rsi)", "S"(p)) == 6, "vmx_insns: VMCLEAR raises #UD");
    ck(GUEST_FAULT("vmptrld (%%rsi)", "S"(p)) == 6, "vmx_insns: VMPTRLD raises #UD");
    ck(GUEST_FAULT("vmptrst (%%rsi)", "S"(p)) == 6, "vmx_insns: VMPTRST raises #UD");
    ck(GUEST_FAULT("vmread %%rax, (%%rsi)", "S"(p), "a"(0x4402ull)) == 6, "vmx_insns: VMREAD raises #UD");
    ck(GUEST_FAULT("vmwrite (%%rsi), %%rax", "S"(p), "a"(0x681eull)) == 6, "vmx_insns: VMWRITE raises #UD");
    ck(GUEST_FAULT("vmlaunch") == 6, "vmx_insns: VMLAUNCH raises #UD");
    ck(GUEST_FAULT("vmresume") == 6, "vmx_insns: VMRESUME raises #UD");
    ck(GUEST_FAULT("vmxoff") == 6, "vmx_insns: VMXOFF raises #UD");
    ck(GUEST_FAULT("invept (%%rsi), %%rax", "S"(p), "a"(2ull)) == 6, "vmx_insns: INVEPT raises #UD");
    ck(GUEST_FAULT("invvpid (%%rsi), %%rax", "S"(p), "a"(2ull)) == 6, "vmx_insns: INVVPID raises #UD");
    ck(GUEST_FAULT("vmfunc", "a"(0ull), "c"(0ull)) == 6, "vmx_insns: VMFUNC raises #UD");
    ck(GUEST_FAULT("getsec", "a"(0ull)) == 6, "vmx_insns: GETSEC raises #UD");
    finish("vmx_insns");
}

static void cr4_vmxe(void)
{
    uint64_t cr4 = rd_cr4();
    say("attack cr4_vmxe: CR4=%x", cr4);
    ck(!(cr4 & (1u << 13)), "cr4_vmxe: CR4.VMXE reads as 0");
    ck(try_cr4(cr4 | (1u << 13)) == 13, "cr4_vmxe: setting CR4.VMXE raises #GP");
    ck(try_cr4(cr4 | (1u << 13) | (1u << 7)) == 13, "cr4_vmxe: setting VMXE with PGE raises #GP");
    ck(try_cr4(cr4 | (1ull << 40)) == 13, "cr4_vmxe: a reserved CR4 bit raises #GP");
    ck(try_cr4(cr4 & ~(1ull << 5)) == 13, "cr4_vmxe: clearing CR4.PAE in long mode raises #GP");
    ck(try_cr4(cr4 ^ (1u << 7)) == -1 && try_cr4(cr4) == -1, "cr4_vmxe: toggling CR4.PGE works");
    ck(rd_cr4() == cr4, "cr4_vmxe: CR4 unchanged");
    finish("cr4_vmxe");
}

static void cr0_bad(void)
{
    uint64_t cr0 = rd_cr0();
    say("attack cr0_bad: CR0=%x", cr0);
    ck(try_cr0(cr0 & ~1ull) == 13, "cr0_bad: PG without PE raises #GP");
    ck(try_cr0(cr0 | (1ull << 29)) == 13, "cr0_bad: NW without CD raises #GP");
    ck(try_cr0(cr0 | (1ull << 32)) == 13, "cr0_bad: a bit above 31 raises #GP");
    ck(try_cr0(cr0 & ~(1ull << 31)) == 13, "cr0_bad: clearing PG in 64-bit mode raises #GP");
    ck(try_cr0(cr0 | (1ull << 3)) == -1 && GUEST_FAULT("clts") == -1, "cr0_bad: CR0.TS and CLTS work");
    ck(rd_cr0() == cr0, "cr0_bad: CR0 unchanged");
    finish("cr0_bad");
}

static void vmx_msrs(void)
{
    uint64_t v;
    say("attack vmx_msrs: the VMX capability MSRs do not exist, feature control is locked");
    unsigned rd_gp = 0, wr_gp = 0;
    for (uint32_t m = 0x480; m <= 0x491; m++) {
        rd_gp += try_rdmsr(m, &v) == 13;
        wr_gp += try_wrmsr(m, 0xffffffffffffffffull) == 13;
    }
    ck(rd_gp == 18, "vmx_msrs: RDMSR of IA32_VMX_BASIC..IA32_VMX_VMFUNC raises #GP (18 MSRs)");
    ck(wr_gp == 18, "vmx_msrs: WRMSR of IA32_VMX_BASIC..IA32_VMX_VMFUNC raises #GP (18 MSRs)");
    ck(try_rdmsr(0x3a, &v) == -1 && (v & 1) && !(v & 6), "vmx_msrs: IA32_FEATURE_CONTROL reads locked, VMX off");
    ck(try_wrmsr(0x3a, v | 5) == 13, "vmx_msrs: enabling VMX in IA32_FEATURE_CONTROL raises #GP");
    ck(try_wrmsr(0x3a, 0) == 13, "vmx_msrs: unlocking IA32_FEATURE_CONTROL raises #GP");
    uint64_t v2;
    ck(try_rdmsr(0x3a, &v2) == -1 && v2 == v, "vmx_msrs: IA32_FEATURE_CONTROL unchanged");
    finish("vmx_msrs");
}

static void efer_reserved(void)
{
    uint64_t efer, e2;
    try_rdmsr(0xc0000080, &efer);
    say("attack efer_reserved: EFER=%x", efer);
    ck(try_wrmsr(0xc0000080, efer | 2) == 13, "efer_reserved: EFER bit 1 (reserved) raises #GP");
    ck(try_wrmsr(0xc0000080, efer | (1ull << 12)) == 13, "efer_reserved: EFER bit 12 (SVME, not on Intel) raises #GP");
    ck(try_wrmsr(0xc0000080, efer | (1ull << 63)) == 13, "efer_reserved: EFER bit 63 raises #GP");
    ck(try_wrmsr(0xc0000080, efer & ~(1ull << 8)) == 13, "efer_reserved: clearing LME with paging on raises #GP");
    ck(try_wrmsr(0xc0000080, efer & ~(1ull << 10)) == -1 && try_rdmsr(0xc0000080, &e2) == -1 && (e2 & (1u << 10)),
       "efer_reserved: writing LMA is ignored");
    ck(try_wrmsr(0xc0000080, efer ^ 1) == -1 && try_rdmsr(0xc0000080, &e2) == -1 && e2 == (efer ^ 1),
       "efer_reserved: toggling SCE works");
    try_wrmsr(0xc0000080, efer);
    try_rdmsr(0xc0000080, &e2);
    ck(e2 == efer, "efer_reserved: EFER restored");
    finish("efer_reserved");
}

static void host_msrs(void)
{
    static const uint32_t msrs[] = { 0x174, 0x175, 0x176, 0xc0000081, 0xc0000082, 0xc0000083,
                                     0xc0000084, 0xc0000102, 0xc0000100, 0xc0000101 };
    say("attack host_msrs: garbage in SYSENTER, STAR/LSTAR/CSTAR/FMASK, FS/GS/KERNEL_GS bases");
    uint64_t saved[10], v;
    unsigned same = 0;
    for (unsigned i = 0; i < 10; i++) {
        try_rdmsr(msrs[i], &saved[i]);
        uint64_t g = msrs[i] == 0x174 ? 0xfff8 : msrs[i] == 0xc0000081 ? 0xdead0000beef0000ull
                                                                         : 0xffff8000dead0000ull + i * 0x1000;
        if (msrs[i] == 0xc0000084)
            g = 0xffffffff;
        try_wrmsr(msrs[i], g);
        same += try_rdmsr(msrs[i], &v) == -1 && v == g;
    }
    ck(same == 10, "host_msrs: the guest reads back its garbage (10 MSRs)");
    uint32_t r[4];
    for (int i = 0; i < 1000; i++)
        cpuid4(0, 0, r);
    ck(vmcall(HC_NOP, 0, 0) == 0, "host_msrs: 1000 exits later Skiff still answers");
    ck(try_wrmsr(0x176, 0x8000000000000000ull) == 13, "host_msrs: non-canonical SYSENTER_EIP raises #GP");
    ck(try_wrmsr(0xc0000082, 0x8000000000000000ull) == 13, "host_msrs: non-canonical LSTAR raises #GP");
    for (unsigned i = 0; i < 10; i++)
        try_wrmsr(msrs[i], saved[i]);
    finish("host_msrs");
}

static void apic_base(void)
{
    uint64_t base, b2;
    try_rdmsr(0x1b, &base);
    uint64_t target = (info->exit_stack & ~0xfffull) | (base & 0xfff);
    say("attack apic_base: IA32_APIC_BASE=%x: moving the APIC onto Skiff's exit stack (%x) must raise #GP",
        base, target);
    ck(try_wrmsr(0x1b, target) == 13, "apic_base: moving the APIC onto Skiff's page raises #GP");
    ck(try_wrmsr(0x1b, (base & 0xfff) | 0x10000000ull) == 13, "apic_base: moving the APIC elsewhere raises #GP");
    ck(try_rdmsr(0x1b, &b2) == -1 && b2 == base, "apic_base: IA32_APIC_BASE unchanged");
    ck(try_wrmsr(0x1b, base) == -1, "apic_base: writing the same value works");
    ck(vmcall(HC_NOP, 0, 0) == 0, "apic_base: Skiff still answers");
    finish("apic_base");
}

static void bad_msrs(void)
{
    static const uint32_t msrs[] = { 0x2000, 0x40000000, 0x40000001, 0x4b564d00, 0x80000000, 0xbfffffff,
                                     0xc0002000, 0xc0010000, 0xc0010117, 0xffffffff };
    say("attack bad_msrs: RDMSR/WRMSR of MSRs that do not exist must raise #GP");
    unsigned r = 0, w = 0;
    uint64_t v;
    for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        r += try_rdmsr(msrs[i], &v) == 13;
        w += try_wrmsr(msrs[i], 0x1234) == 13;
    }
    ck(r == 10, "bad_msrs: RDMSR of 10 non-existent MSRs raises #GP");
    ck(w == 10, "bad_msrs: WRMSR of 10 non-existent MSRs raises #GP");
    ck(vmcall(HC_NOP, 0, 0) == 0, "bad_msrs: Skiff still answers");
    finish("bad_msrs");
}

static void cpuid_leaves(void)
{
    uint32_t r[4], basic, ext;
    uint64_t n = 0;
    cpuid4(0, 0, r);
    basic = r[0];
    cpuid4(0x80000000, 0, r);
    ext = r[0];
    say("attack cpuid_leaves: max basic leaf %x, max extended leaf %x", (uint64_t)basic, (uint64_t)ext);
    for (uint32_t l = 0; l <= basic + 2; l++)
        for (uint32_t s = 0; s < 4; s++, n++) {
            cpuid4(l, s, r);
            if (l == 1 && s == 0) {
                ck(!(r[2] & (1u << 5)), "cpuid_leaves: leaf 1 hides VMX");
                ck(r[2] & (1u << 31), "cpuid_leaves: leaf 1 sets the hypervisor bit");
            }
        }
    unsigned hv_zero = 0;
    for (uint32_t l = 0x40000000; l <= 0x40000101; l++, n++) {
        cpuid4(l, 0, r);
        if (l == 0x40000000)
            ck(r[1] == SKIFF_CPUID_SIG_EBX && r[2] == SKIFF_CPUID_SIG_ECX && r[3] == SKIFF_CPUID_SIG_EDX,
               "cpuid_leaves: 0x40000000 says Skiff VMM");
        else if (l >= 0x40000002 && l <= 0x400000ff)
            hv_zero += !(r[0] | r[1] | r[2] | r[3]);
    }
    ck(hv_zero == 254, "cpuid_leaves: 0x40000002..0x400000ff are all zero");
    for (uint32_t l = 0x80000000; l <= ext + 2; l++, n++)
        cpuid4(l, 0, r);
    static const uint32_t odd[] = { 0x20000000, 0x7fffffff, 0x8fffffff, 0xc0000000, 0xc0000001,
                                    0xdeadbeef, 0xfffffffe, 0xffffffff };
    for (unsigned i = 0; i < sizeof(odd) / sizeof(odd[0]); i++, n++)
        cpuid4(odd[i], 0xffffffff, r);
    say("attack cpuid_leaves: %u CPUID leaves answered", n);
    finish("cpuid_leaves");
}

static void hypercalls(void)
{
    say("attack hypercalls: bad numbers, bad pointers, Skiff's memory, huge lengths");
    ck(vmcall(HC_EXIT_COUNT + 1, 0, 0) == HC_ENOSYS && vmcall(0xffffffffffffffffull, 1, 2) == HC_ENOSYS &&
       vmcall(1ull << 63, 0, 0) == HC_ENOSYS && vmcall(0x100000001ull, 0, 0) == HC_ENOSYS,
       "hypercalls: unknown numbers return HC_ENOSYS");
    uint64_t e0 = vmcall(HC_EXIT_COUNT, 0, 0), e1 = vmcall(HC_EXIT_COUNT, 0, 0);
    ck(e0 > 0 && e1 == e0 + 1, "hypercalls: HC_EXIT_COUNT counts this vCPU's exits, its own included");
    ck(vmcall(HC_PRINT, 0x8000000000000000ull, 8) == HC_EFAULT, "hypercalls: non-canonical pointer: HC_EFAULT");
    ck(vmcall(HC_PRINT, 0x100000000ull, 8) == HC_EFAULT, "hypercalls: unmapped pointer: HC_EFAULT");
    ck(vmcall(HC_PRINT, info->skiff_start, 8) == HC_EFAULT, "hypercalls: pointer to Skiff's image: HC_EFAULT");
    ck(vmcall(HC_PRINT, info->vmcs, 1) == HC_EFAULT, "hypercalls: pointer to Skiff's VMCS: HC_EFAULT");
    ck(vmcall(HC_PRINT, info->ept_pml4 + 4095, 1) == HC_EFAULT, "hypercalls: pointer to Skiff's EPT: HC_EFAULT");
    ck(vmcall(HC_PRINT, info->exit_stack, 8) == HC_EFAULT, "hypercalls: pointer to Skiff's exit stack: HC_EFAULT");
    ck(vmcall(HC_PRINT, 0xfffffffffffffff0ull, 0x20) == HC_EFAULT, "hypercalls: a range that wraps: HC_EFAULT");
    ck(vmcall(HC_PRINT, 0x200000, 4097) == HC_EINVAL && vmcall(HC_PRINT, 0x200000, 1ull << 63) == HC_EINVAL &&
       vmcall(HC_PRINT, 0x200000, ~0ull) == HC_EINVAL, "hypercalls: huge lengths: HC_EINVAL");
    /* Skiff's VMCS through the guest's own page tables. */
    uint64_t *pd = (uint64_t *)(BUILTIN_PML4_ADDR + 2 * 4096), *pt = (uint64_t *)SCRATCH_PAGE;
    for (int i = 0; i < 512; i++)
        pt[i] = 0;
    pt[0] = info->vmcs | 3;
    pt[1] = (SCRATCH_PAGE + 0x1000) | 3;
    pd[512] = SCRATCH_PAGE | 3;
    __asm__ volatile("invlpg (%0); invlpg (%1)" ::"r"(0x40000000ull), "r"(0x40001000ull) : "memory");
    ck(vmcall(HC_PRINT, 0x40000000, 8) == HC_EFAULT, "hypercalls: pointer mapped to Skiff's VMCS: HC_EFAULT");
    ck(vmcall(HC_PRINT, 0x40000ff8, 16) == HC_EFAULT, "hypercalls: range crossing into Skiff's VMCS: HC_EFAULT");
    static const char msg[] = "guest: hypercall print still works\n";
    ck(vmcall(HC_PRINT, (uint64_t)msg, sizeof(msg) - 1) == 0, "hypercalls: a good print returns 0");
    ck(vmcall(HC_TSC, ~0ull, ~0ull) != 0, "hypercalls: HC_TSC ignores garbage arguments");
    finish("hypercalls");
}

static void init_self(void)
{
    uint64_t base;
    try_rdmsr(0x1b, &base);
    volatile uint32_t *apic = (volatile uint32_t *)(base & ~0xfffull);
    uint32_t id = apic[0x20 / 4] >> 24;
    say("attack init_self: INIT IPI to myself (APIC %u at %x): expect Skiff to report it", (uint64_t)id,
        base & ~0xfffull);
    apic[0x310 / 4] = id << 24;
    apic[0x300 / 4] = 0x4500;                    /* INIT, level assert, physical destination */
    for (volatile int i = 0; i < 100000; i++)
        ;
    survived("init_self");
}

static void exc_storm(void)
{
    enum { N = 3000 };
    unsigned ud = 0, bp = 0, de = 0, pf = 0, gp = 0, gp_int = 0;
    uint32_t r[4];
    say("attack exc_storm: %u rounds of #UD, #BP, #DE, #PF, #GP and INT 0x80, with exits between", (uint64_t)N);
    for (int i = 0; i < N; i++) {
        ud += GUEST_FAULT("ud2") == 6;
        bp += GUEST_FAULT("int3") == 3;
        de += GUEST_FAULT("divq %[d]", [d] "r"(0ull), "a"(1ull), "d"(0ull)) == 0;
        pf += GUEST_FAULT("movq (%[p]), %%r11", [p] "r"(0x100000000000ull)) == 14;
        gp += GUEST_FAULT("movq (%[p]), %%r11", [p] "r"(0x8000000000000000ull)) == 13;
        gp_int += GUEST_FAULT("int $0x80") == 13;
        cpuid4(0, 0, r);
    }
    ck(ud == N && bp == N && de == N && pf == N && gp == N && gp_int == N,
       "exc_storm: every exception reached the guest's own handler");
    say("attack exc_storm: #UD=%u #BP=%u #DE=%u #PF=%u #GP=%u INT0x80->#GP=%u", (uint64_t)ud, (uint64_t)bp,
        (uint64_t)de, (uint64_t)pf, (uint64_t)gp, (uint64_t)gp_int);
    finish("exc_storm");
}

/* ---- NMIs (issue 13): each NMI is sent only after the last one was handled ---- */

#define LAPIC ((volatile uint32_t *)0xfee00000ull)   /* identity mapped; reads do not exit */
#define ICR_NMI          0x4400u         /* delivery mode NMI (4), level assert, physical destination */
#define ICR_ALL_BUT_SELF (3u << 18)
#define NMI_WAIT         20000000u       /* pause loops before a missing NMI counts as lost */

static volatile uint32_t nmi_seen[256];  /* NMIs the guest's handler took, by its CPU's APIC id */
static volatile uint32_t ap_apic_id[BUILTIN_MAX_APS + 1], ap_new_id[BUILTIN_MAX_APS + 1];
static volatile uint32_t ap_ready, ap_cmd, ap_sent, bsp_id, ap_disabled[BUILTIN_MAX_APS + 1];

static uint32_t apic_id(void) { return LAPIC[0x20 / 4] >> 24; }
static void nmi_count(void) { __atomic_fetch_add(&nmi_seen[apic_id() & 0xff], 1, __ATOMIC_SEQ_CST); }

/* A plain MOV to (reg): the store form every APIC-write decoder takes (not MOV moffs, A3). */
static void apic_write(unsigned off, uint32_t v)
{
    __asm__ volatile("movl %0, (%1)" ::"r"(v), "r"((uint64_t)LAPIC + off) : "memory");
}

static void send_ipi(uint32_t dest, uint32_t icr)
{
    apic_write(0x310, dest << 24);
    apic_write(0x300, icr);
}

static bool wait_for(volatile uint32_t *c, uint32_t want)
{
    for (uint32_t i = 0; i < NMI_WAIT; i++) {
        if (*c >= want)
            return true;
        __asm__ volatile("pause");
    }
    return false;
}

/* n NMIs to `dest`, each once `seen` counted the one before: the number handled in time. */
static uint32_t nmi_send_counted(uint32_t dest, volatile uint32_t *seen, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t before = *seen;
        send_ipi(dest, ICR_NMI);
        if (!wait_for(seen, before + 1))
            return i;
    }
    return n;
}

/* The count stops moving (a burst has been delivered or dropped). */
static uint32_t settle(volatile uint32_t *c)
{
    uint32_t last;
    do {
        last = *c;
        for (volatile uint32_t i = 0; i < 200000; i++)
            ;
    } while (*c != last);
    return last;
}

/* nmi_self's last round: each NMI sends the next from inside its handler, while NMIs are blocked. */
static volatile uint32_t nmi_depth, nmi_nested, nmi_resend;

static void nmi_count_resend(void)
{
    if (nmi_depth++)
        nmi_nested++;
    nmi_count();
    if (nmi_resend) {
        nmi_resend--;
        send_ipi(apic_id(), ICR_NMI);
        for (volatile uint32_t i = 0; i < 20000; i++)
            ;                            /* it must wait for this handler's IRET */
    }
    nmi_depth--;
}

static void nmi_self(void)
{
    enum { N = 1000, BURST = 100, CHAIN = 10 };
    guest_nmi_hook = nmi_count;
    uint32_t me = apic_id();
    say("attack nmi_self: %u NMIs to myself (APIC id %u) by the ICR, each after the last was handled",
        (uint64_t)N, (uint64_t)me);
    uint32_t got = nmi_send_counted(me, &nmi_seen[me], N);
    say("attack nmi_self: sent %u, handled %u", (uint64_t)got, (uint64_t)nmi_seen[me]);
    ck(got == N && nmi_seen[me] == N, "nmi_self: every NMI reached the guest's handler exactly once");
    /* Back to back: an NMI that arrives while one is pending may merge with it, natively too. */
    for (int i = 0; i < BURST; i++)
        send_ipi(me, ICR_NMI);
    uint32_t b = settle(&nmi_seen[me]) - N;
    say("attack nmi_self: a burst of %u NMIs: %u handled", (uint64_t)BURST, (uint64_t)b);
    ck(b >= 1 && b <= BURST, "nmi_self: a burst is handled at least once and never more often than sent");
    uint32_t base = nmi_seen[me];
    nmi_resend = CHAIN;
    guest_nmi_hook = nmi_count_resend;
    send_ipi(me, ICR_NMI);
    bool all = wait_for(&nmi_seen[me], base + CHAIN + 1);
    say("attack nmi_self: %u NMIs sent from inside the NMI handler: %u handled, %u nested", (uint64_t)CHAIN,
        (uint64_t)(settle(&nmi_seen[me]) - base - 1), (uint64_t)nmi_nested);
    ck(all && nmi_seen[me] == base + CHAIN + 1 && !nmi_nested,
       "nmi_self: an NMI sent while NMIs are blocked arrives once, after the handler's IRET");
    finish("nmi_self");
}

/* An AP of nmi_ipi / nmi_wait_sipi: report its APIC id, then send NMIs to CPU 0 when told. */
static void ap_nmi_loop(uint64_t n)
{
    ap_apic_id[n] = apic_id();
    __atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        if (ap_cmd == n) {
            ap_sent = nmi_send_counted(bsp_id, &nmi_seen[bsp_id], 200);
            __atomic_store_n(&ap_cmd, 0, __ATOMIC_SEQ_CST);
        }
        __asm__ volatile("pause");
    }
}

static uint64_t start_aps_for(const char *t, void (*ap)(uint64_t n))
{
    if (info->ncpus < 2) {
        say("attack %s: needs at least 2 vCPUs (BOCHS_CPUS=2)", t);
        guest_exit(1);
    }
    guest_nmi_hook = nmi_count;
    guest_ap_hook = ap;
    bsp_id = apic_id();
    uint64_t aps = guest_start_aps();
    ck(aps == info->ncpus - 1, "every AP started");
    bool ready = false;
    for (int i = 0; i < 10 && !ready; i++)
        ready = wait_for(&ap_ready, (uint32_t)aps);
    ck(ready, "every AP reported its APIC id");
    return aps;
}

static void nmi_ipi(void)
{
    enum { N = 200 };
    say("attack nmi_ipi: %u NMIs from CPU 0 to each AP, then %u from each AP to CPU 0", (uint64_t)N,
        (uint64_t)N);
    uint64_t aps = start_aps_for("nmi_ipi", ap_nmi_loop);
    for (uint64_t k = 1; k <= aps; k++) {
        uint32_t id = ap_apic_id[k];
        uint32_t got = nmi_send_counted(id, &nmi_seen[id], N);
        say("attack nmi_ipi: to cpu %u (APIC id %u): sent %u, handled %u", k, (uint64_t)id, (uint64_t)got,
            (uint64_t)nmi_seen[id]);
        ck(got == N && nmi_seen[id] == N, "nmi_ipi: every NMI to an AP reached it exactly once");
    }
    for (uint64_t k = 1; k <= aps; k++) {
        uint32_t base = nmi_seen[bsp_id];
        __atomic_store_n(&ap_cmd, (uint32_t)k, __ATOMIC_SEQ_CST);
        while (__atomic_load_n(&ap_cmd, __ATOMIC_SEQ_CST))
            __asm__ volatile("pause");
        say("attack nmi_ipi: from cpu %u to CPU 0: sent %u, handled %u", k, (uint64_t)ap_sent,
            (uint64_t)(nmi_seen[bsp_id] - base));
        ck(ap_sent == 200 && nmi_seen[bsp_id] - base == 200, "nmi_ipi: every NMI to CPU 0 reached it exactly once");
    }
    finish("nmi_ipi");
}

static void nmi_wait_sipi(void)
{
    enum { EARLY = 50 };
    say("attack nmi_wait_sipi: %u NMIs to all but myself while the APs wait for their SIPI "
        "(a CPU in wait-for-SIPI state takes none)", (uint64_t)EARLY);
    for (int i = 0; i < EARLY; i++) {
        send_ipi(0, ICR_NMI | ICR_ALL_BUT_SELF);
        for (volatile uint32_t w = 0; w < 20000; w++)
            ;
    }
    uint64_t aps = start_aps_for("nmi_wait_sipi", ap_nmi_loop);
    for (uint64_t k = 1; k <= aps; k++) {
        uint32_t id = ap_apic_id[k];
        ck(nmi_seen[id] == 0, "nmi_wait_sipi: no NMI from before its SIPI reached an AP");
        uint32_t got = nmi_send_counted(id, &nmi_seen[id], 1);
        say("attack nmi_wait_sipi: cpu %u (APIC id %u): %u NMI(s) after its start, %u handled", k,
            (uint64_t)id, (uint64_t)got, (uint64_t)nmi_seen[id]);
        ck(got == 1 && nmi_seen[id] == 1, "nmi_wait_sipi: an NMI after the start reached the AP once");
    }
    finish("nmi_wait_sipi");
}

/* An AP of apic_rename: move its xAPIC id away (read/write on some CPUs; Bochs ignores it), turn
 * its APIC off (IA32_APIC_BASE enable bit: no IPI reaches it), then spin without a single exit. */
static void ap_rename(uint64_t n)
{
    uint32_t old = apic_id();
    apic_write(0x20, (old + 8) << 24);   /* the APIC ID register */
    ap_apic_id[n] = old;
    ap_new_id[n] = apic_id();
    uint64_t base;
    try_rdmsr(0x1b, &base);
    ap_disabled[n] = try_wrmsr(0x1b, base & ~(1ull << 11)) == -1;   /* no print here: CPU 0 talks */
    __atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
    for (;;)
        __asm__ volatile("pause");       /* no exit: only Skiff's preemption-timer tick gets it out */
}

/* Every AP started, halted (the guest's idle: no exit), then INIT-SIPI-SIPI again, as an OS takes a
 * CPU offline and back online: Skiff must see that INIT and that SIPI with the APIC untrapped. */
static void ap_restart(void)
{
    if (info->ncpus < 2) {
        say("attack ap_restart: needs at least 2 vCPUs (BOCHS_CPUS=2)");
        guest_exit(1);
    }
    say("attack ap_restart: start the APs, let them halt, then INIT-SIPI-SIPI them again");
    uint64_t first = guest_start_aps();
    ck(first == info->ncpus - 1, "ap_restart: every AP started");
    uint64_t again = guest_start_aps();
    ck(again == first, "ap_restart: every AP started again after a second INIT-SIPI-SIPI");
    finish("ap_restart");
}

static void apic_rename(void)
{
    say("attack apic_rename: each AP changes its APIC id, disables its APIC and spins; then CPU 0 "
        "ends the run");
    uint64_t aps = start_aps_for("apic_rename", ap_rename);
    for (uint64_t k = 1; k <= aps; k++) {
        say("attack apic_rename: cpu %u: APIC id %u -> %u, APIC %s", k, (uint64_t)ap_apic_id[k],
            (uint64_t)ap_new_id[k], ap_disabled[k] ? "disabled" : "still enabled");
        ck(ap_disabled[k], "apic_rename: the AP disabled its APIC");
    }
    finish("apic_rename");
}

/* ---- the run end when the ending CPU's APIC cannot send (issue 20, item 8) ----
 *
 * apic_end_<who>_<how>: <who> (bsp: CPU 0, ap: CPU 1) changes its own APIC <how> (off: IA32_APIC_BASE
 * enable bit clear; x2apic: x2APIC mode; svr: software-disabled, SVR bit 8 clear) and ends the run
 * with the exit hypercall, while the other vCPU spins without a single exit.  Skiff must still stop
 * the other vCPU and print its final line. */
static volatile uint32_t end_spin_ready;

static void apic_change(const char *how)
{
    uint64_t base;
    try_rdmsr(0x1b, &base);
    if (streq(how, "off"))
        try_wrmsr(0x1b, base & ~(1ull << 11));
    else if (streq(how, "x2apic"))
        try_wrmsr(0x1b, base | (1ull << 11) | (1ull << 10));
    else if (streq(how, "svr"))
        apic_write(0xf0, LAPIC[0xf0 / 4] & ~(1u << 8));
}

static void hc_line(const char *a, const char *b)
{
    char line[120], *p = line;
    while (*a && p < line + 60)
        *p++ = *a++;
    while (*b && p < line + 118)
        *p++ = *b++;
    *p++ = '\n';
    vmcall(HC_PRINT, (uint64_t)line, (uint64_t)(p - line));
}

static const char *end_how;

static void ap_end_spin(uint64_t n)
{
    (void)n;
    __atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
    for (;;)
        __asm__ volatile("pause");       /* no exit */
}

static void ap_end_run(uint64_t n)
{
    (void)n;
    __atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&end_spin_ready, __ATOMIC_SEQ_CST))
        __asm__ volatile("pause");
    for (volatile uint32_t i = 0; i < 200000; i++)
        ;                                /* CPU 0 is in its spin loop */
    apic_change(end_how);
    hc_line("guest: attack apic_end: cpu 1 changed its APIC: ", end_how);
    guest_exit(0);
}

static void apic_end(const char *t, const char *rest)
{
    bool ap = after(rest, "ap_") != 0;
    end_how = ap ? after(rest, "ap_") : after(rest, "bsp_");
    if (!end_how) {
        say("attack %s: unknown variant", t);
        guest_exit(2);
    }
    say("attack %s: %s changes its own APIC (%s) and ends the run; the other vCPU spins without an exit",
        t, ap ? "cpu 1" : "CPU 0", end_how);
    start_aps_for(t, ap ? ap_end_run : ap_end_spin);
    if (ap) {
        __atomic_store_n(&end_spin_ready, 1, __ATOMIC_SEQ_CST);
        for (;;)
            __asm__ volatile("pause");   /* no exit: only Skiff's run end gets CPU 0 out */
    }
    for (volatile uint32_t i = 0; i < 200000; i++)
        ;                                /* the AP is in its spin loop */
    apic_change(end_how);
    hc_line("guest: attack apic_end: CPU 0 changed its APIC: ", end_how);
    guest_exit(0);
}

/* ---- counters: every vCPU prints a counter line for ever (issue 20, item 11: selftest=fault_ap) ---- */
static void count_forever(uint64_t n)
{
    char id[2] = { (char)('0' + n), 0 };
    char num[24];
    if (n)
        __atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
    for (uint64_t k = 0;; k++) {
        char *e = num, tmp[24];
        int d = 0;
        uint64_t x = k;
        do
            tmp[d++] = (char)('0' + x % 10), x /= 10;
        while (x);
        while (d)
            *e++ = tmp[--d];
        *e = 0;
        char line[64], *p = line;
        for (const char *s = "guest: counters: cpu "; *s; s++)
            *p++ = *s;
        *p++ = id[0];
        for (const char *s = " count "; *s; s++)
            *p++ = *s;
        for (const char *s = num; *s; s++)
            *p++ = *s;
        *p++ = '\n';
        vmcall(HC_PRINT, (uint64_t)line, (uint64_t)(p - line));
        for (volatile uint32_t i = 0; i < 20000; i++)
            ;
    }
}

static void counters(void)
{
    say("attack counters: every vCPU prints a counter line for ever");
    start_aps_for("counters", count_forever);
    count_forever(0);
}

/* ---- MONITOR/MWAIT (issue 20, item 10): hidden by CPUID, so #UD as on a CPU without them ---- */
static void mwait_cli(void)
{
    static volatile uint64_t line[8] __attribute__((aligned(64)));
    uint32_t r[4];
    cpuid4(1, 0, r);
    say("attack mwait_cli: CPUID.1:ECX.MONITOR=%u; MONITOR, then cli; MWAIT", (uint64_t)((r[2] >> 3) & 1));
    int v1 = GUEST_FAULT("monitor", "a"(line), "c"(0), "d"(0));
    say("attack mwait_cli: MONITOR: %s", v1 == -1 ? "no fault" : v1 == 6 ? "#UD" : "another fault");
    __asm__ volatile("cli; mwait" ::"a"(0), "c"(0) : "memory");   /* no fault handler: as a guest sleeping for good */
    survived("mwait_cli");
}

static int try_xsetbv(uint32_t idx, uint64_t v)
{
    return GUEST_FAULT("xsetbv", "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void xsetbv_bad(void)
{
    uint32_t r[4];
    cpuid4(1, 0, r);
    if (!(r[2] & (1u << 26))) {
        say("attack xsetbv_bad: no XSAVE on this CPU");
        finish("xsetbv_bad");
    }
    uint64_t cr4 = rd_cr4();
    try_cr4(cr4 & ~(1ull << 18));
    ck(try_xsetbv(0, 3) == 6, "xsetbv_bad: XSETBV with CR4.OSXSAVE clear raises #UD");
    try_cr4(cr4 | (1ull << 18));
    cpuid4(0xd, 0, r);
    uint64_t supported = ((uint64_t)r[3] << 32) | r[0];
    say("attack xsetbv_bad: XCR0 may hold %x", supported);
    ck(try_xsetbv(1, 3) == 13, "xsetbv_bad: XCR1 raises #GP");
    ck(try_xsetbv(0xffffffff, 3) == 13, "xsetbv_bad: XCR 0xffffffff raises #GP");
    ck(try_xsetbv(0, 0) == 13, "xsetbv_bad: XCR0 without x87 raises #GP");
    ck(try_xsetbv(0, 2) == 13, "xsetbv_bad: XCR0 with SSE only raises #GP");
    ck(try_xsetbv(0, 5) == 13, "xsetbv_bad: XCR0 with AVX without SSE raises #GP");
    ck(try_xsetbv(0, 1ull << 63) == 13, "xsetbv_bad: XCR0 bit 63 raises #GP");
    ck(try_xsetbv(0, ~supported | 3) == 13, "xsetbv_bad: unsupported XCR0 bits raise #GP");
    ck(try_xsetbv(0, 3) == -1, "xsetbv_bad: XCR0=3 works");
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    ck(lo == 3 && hi == 0, "xsetbv_bad: XGETBV reads 3 back");
    finish("xsetbv_bad");
}

/*
 * xss_pt: XSAVES/XRSTORS load supervisor state components (SDM Vol. 1 13.11, 13.12) without a
 * WRMSR: the Intel PT component (IA32_XSS bit 8, SDM Vol. 1 13.5.6) holds IA32_RTIT_CTL and the
 * PT output MSRs, which Skiff's MSR policy denies.  The guest may set in IA32_XSS only the
 * components whose every MSR the policy lets it write (vmx/policy/xss_policy.c); CPUID.(0DH,1):ECX
 * reports no other; XRSTORS of a PT image then raises #GP (XCOMP_BV names a component outside
 * XCR0 | IA32_XSS, Vol. 1 13.12), as does WRMSR of IA32_XSS with a denied bit.
 */
static uint8_t xss_area[4096] __attribute__((aligned(64)));

static int try_xrstors(void *area, uint64_t mask)
{
    return GUEST_FAULT("xrstors64 (%%rdi)", "D"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)));
}

static void xss_pt(void)
{
    uint32_t r[4];
    uint64_t v;
    say("attack xss_pt: IA32_XSS and XRSTORS may not load Intel PT (or HDC, UINTR) state");
    cpuid4(1, 0, r);
    bool xsave = r[2] & (1u << 26);
    cpuid4(0, 0, r);
    if (!xsave || r[0] < 0xd) {
        say("attack xss_pt: no XSAVE on this CPU");
        finish("xss_pt");
    }
    cpuid4(0xd, 1, r);
    bool xsaves = r[0] & (1u << 3);
    say("attack xss_pt: CPUID.(0DH,1): EAX %x ECX %x EDX %x", (uint64_t)r[0], (uint64_t)r[2], (uint64_t)r[3]);
    ck(!(r[2] & ((1u << 8) | (1u << 13) | (1u << 14))), "xss_pt: CPUID.(0DH,1):ECX reports no PT, HDC or UINTR state");
    cpuid4(0xd, 8, r);
    ck(r[0] == 0 && r[2] == 0, "xss_pt: CPUID.(0DH,8) (the PT component) is empty");
    if (!xsaves) {
        say("attack xss_pt: no XSAVES on this CPU");
        finish("xss_pt");
    }
    try_cr4(rd_cr4() | (1ull << 18));
    ck(try_rdmsr(0xda0, &v) == -1, "xss_pt: RDMSR IA32_XSS works");
    ck(!(v & (1ull << 8)), "xss_pt: IA32_XSS starts without PT");
    ck(try_wrmsr(0xda0, 1ull << 8) == 13, "xss_pt: WRMSR IA32_XSS with bit 8 (PT) raises #GP");
    ck(try_wrmsr(0xda0, 1ull << 13) == 13, "xss_pt: WRMSR IA32_XSS with bit 13 (HDC) raises #GP");
    ck(try_wrmsr(0xda0, 1ull << 14) == 13, "xss_pt: WRMSR IA32_XSS with bit 14 (UINTR) raises #GP");
    ck(try_wrmsr(0xda0, 1ull << 1) == 13, "xss_pt: WRMSR IA32_XSS with bit 1 (SSE, an XCR0 component) raises #GP");
    ck(try_rdmsr(0xda0, &v) == -1 && !(v & (1ull << 8)), "xss_pt: IA32_XSS still has no PT");
    /* A compacted image whose XCOMP_BV names PT, with RTIT_CTL.TraceEn (bit 0) and an output base
     * at Skiff's VMCS: XRSTORS faults before it loads anything. */
    for (unsigned i = 0; i < sizeof(xss_area); i++)
        xss_area[i] = 0;
    *(uint64_t *)(xss_area + 512) = (1ull << 8) | 1;               /* XSTATE_BV: x87, PT */
    *(uint64_t *)(xss_area + 520) = (1ull << 63) | (1ull << 8) | 1; /* XCOMP_BV: compacted */
    *(uint64_t *)(xss_area + 576) = 1;                              /* PT: IA32_RTIT_CTL */
    *(uint64_t *)(xss_area + 584) = (uint64_t)info->vmcs;           /* IA32_RTIT_OUTPUT_BASE */
    ck(try_xrstors(xss_area, ~0ull) == 13, "xss_pt: XRSTORS of a PT image raises #GP");
    ck(try_rdmsr(0x570, &v) == 13, "xss_pt: IA32_RTIT_CTL still raises #GP");
    ck(vmcall(HC_NOP, 0, 0) == 0, "xss_pt: Skiff still answers");
    finish("xss_pt");
}

/*
 * msr_classes: one probe per class of Skiff's MSR policy (vmx/policy/msr_policy.c).  Denied MSRs raise
 * #GP (Intel PT, PEBS/DS, SMM, the overclocking mailbox, silicon debug, TME, VMX); virtualized
 * ones take the guest's value without reaching the hardware (MTRRs, the microcode trigger;
 * Skiff checks the host's MTRRs at the end of the run); checked ones raise #GP for what the CPU
 * would refuse or what would reconfigure Skiff (MTRR types, DEBUGCTL.BTS, PERF_GLOBAL_CTRL
 * reserved bits); the x2APIC ICR (0x830) raises #GP in xAPIC mode and for reserved bits, and
 * in x2APIC mode a self-IPI written to it is pending in the IRR.
 */
static void msr_classes(void)
{
    static const uint32_t denied[] = { 0x560, 0x561, 0x570, 0x571, 0x572, 0x580, 0x581, 0x600, 0x3f1,
                                       0x3f2, 0x3f6, 0x150, 0x1f2, 0x1f3, 0x9b, 0x9e, 0xc80, 0x982,
                                       0x3a, 0x480, 0x48b, 0x491 };
    uint64_t v, base, w;
    unsigned gp = 0;
    say("attack msr_classes: each class of the MSR policy, the x2APIC ICR in both modes");
    for (unsigned i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
        gp += try_wrmsr(denied[i], denied[i] == 0x570 ? 1 : (uint64_t)info->vmcs) == 13;
    ck(gp == sizeof(denied) / sizeof(denied[0]),
       "msr_classes: WRMSR of 22 denied MSRs (PT, DS, PEBS, SMRR, SMBASE, OC mailbox, ...) raises #GP");
    ck(vmcall(HC_NOP, 0, 0) == 0, "msr_classes: Skiff still answers");

    /* The x2APIC ICR in xAPIC mode: no such MSR (SDM Vol. 3A 11.12.1.2). */
    try_rdmsr(0x1b, &base);
    ck(!(base & (1u << 10)), "msr_classes: the APIC is in xAPIC mode");
    ck(try_wrmsr(0x830, 0x000c4000ull) == 13, "msr_classes: WRMSR 0x830 in xAPIC mode raises #GP");
    ck(try_wrmsr(0x830, 0xffffffffffffffffull) == 13, "msr_classes: WRMSR 0x830 (all ones) in xAPIC mode raises #GP");

    /* Virtualized: the microcode trigger and the MTRRs. */
    ck(try_wrmsr(0x79, (uint64_t)info->vmcs) == -1, "msr_classes: WRMSR IA32_BIOS_UPDT_TRIG is accepted (and ignored)");
    if (try_rdmsr(0x2ff, &v) == -1) {
        uint64_t nv = (v & ~0xffull) | 0;                        /* default type UC */
        ck(try_wrmsr(0x2ff, nv) == -1 && try_rdmsr(0x2ff, &w) == -1 && w == nv,
           "msr_classes: IA32_MTRR_DEF_TYPE takes the guest's value");
        ck(try_wrmsr(0x2ff, (v & ~0xffull) | 2) == 13, "msr_classes: MTRR type 2 (reserved) raises #GP");
        ck(try_wrmsr(0x2ff, v | (1ull << 12)) == 13, "msr_classes: IA32_MTRR_DEF_TYPE bit 12 (reserved) raises #GP");
        ck(try_wrmsr(0x250, 0x0202020202020202ull) == 13, "msr_classes: fixed-range MTRR with type 2 raises #GP");
        ck(try_wrmsr(0x201, 0x7ffull) == 13, "msr_classes: IA32_MTRR_PHYSMASK0 bits 10:0 (reserved) raise #GP");
        ck(try_wrmsr(0x2ff, v) == -1, "msr_classes: IA32_MTRR_DEF_TYPE restored");
    }
    /* Checked: IA32_DEBUGCTL without BTS (branch records at a guest-chosen address). */
    ck(try_wrmsr(0x1d9, 1ull << 7) == 13, "msr_classes: IA32_DEBUGCTL.TR|BTS raises #GP");
    ck(try_wrmsr(0x1d9, 1ull << 63) == 13, "msr_classes: IA32_DEBUGCTL bit 63 (reserved) raises #GP");
    /* Only LBR and BTF: the bits nested KVM accepts in an L1's VMCS (vmx/policy/debugctl_policy.c). */
    ck(try_wrmsr(0x1d9, 1ull << 12) == 13, "msr_classes: IA32_DEBUGCTL.FREEZE_PERFMON_ON_PMI raises #GP");
    ck(try_wrmsr(0x1d9, 1ull << 14) == 13, "msr_classes: IA32_DEBUGCTL.FREEZE_WHILE_SMM raises #GP");
    ck(try_wrmsr(0x1d9, 3) == -1 && try_wrmsr(0x1d9, 0) == -1, "msr_classes: IA32_DEBUGCTL.LBR|BTF is accepted");
    ck(try_wrmsr(0x38f, 1ull << 63) == 13, "msr_classes: IA32_PERF_GLOBAL_CTRL bit 63 (reserved) raises #GP");
    /* IA32_MISC_ENABLE: the guest's own copy; LIMIT_CPUID limits only the guest's CPUID leaf 0. */
    uint32_t l0[4];
    ck(try_rdmsr(0x1a0, &v) == -1, "msr_classes: RDMSR IA32_MISC_ENABLE works (the guest's copy)");
    ck(try_wrmsr(0x1a0, v | (1ull << 22)) == -1, "msr_classes: IA32_MISC_ENABLE.LIMIT_CPUID is accepted");
    cpuid4(0, 0, l0);
    ck(l0[0] == 2, "msr_classes: with LIMIT_CPUID, CPUID.00H:EAX reads 2");
    ck(try_wrmsr(0x1a0, v) == -1, "msr_classes: IA32_MISC_ENABLE restored");
    cpuid4(0, 0, l0);
    ck(l0[0] > 2, "msr_classes: without LIMIT_CPUID, CPUID.00H:EAX is the CPU's again");
    ck(try_wrmsr(0x1a0, v | (1ull << 1)) == 13, "msr_classes: IA32_MISC_ENABLE bit 1 (reserved) raises #GP");
    ck(vmcall(HC_NOP, 0, 0) == 0, "msr_classes: Skiff still answers after the checked writes");

    /* x2APIC mode, when the CPU has it (SDM Vol. 3A 11.12.5: EXTD with EN). */
    uint32_t r[4];
    cpuid4(1, 0, r);
    if (!(r[2] & (1u << 21))) {
        say("attack msr_classes: no x2APIC on this CPU");
        finish("msr_classes");
    }
    ck(try_wrmsr(0x1b, base | (1u << 10) | (1u << 11)) == -1, "msr_classes: x2APIC mode on");
    uint64_t id = 0;
    try_rdmsr(0x802, &id);
    ck(try_wrmsr(0x830, (id << 32) | (1u << 13) | 0x40) == 13, "msr_classes: x2APIC ICR bit 13 (reserved) raises #GP");
    ck(try_wrmsr(0x830, (id << 32) | (1u << 17) | 0x40) == 13, "msr_classes: x2APIC ICR bit 17 (reserved) raises #GP");
    ck(try_wrmsr(0x830, (id << 32) | (1ull << 20) | 0x40) == 13, "msr_classes: x2APIC ICR bit 20 (reserved) raises #GP");
    ck(try_wrmsr(0x830, (id << 32) | 0x40) == -1, "msr_classes: x2APIC ICR: a fixed self-IPI, vector 0x40, is accepted");
    uint64_t irr = 0;
    for (int i = 0; i < 100 && !(irr & 1); i++)
        try_rdmsr(0x822, &irr);
    ck(irr & 1, "msr_classes: vector 0x40 is pending in the IRR (the write reached the APIC)");
    finish("msr_classes");
}

static void console_port(void)
{
    uint16_t p = COM1;
    say("attack console_port: reprogramming Skiff's console UART: divisor, 5-bit words, break, loopback, "
        "FIFO off, IER");
    o8(p + 3, 0x80);                             /* DLAB */
    o8(p + 0, 0x0c);                             /* 9600 baud */
    o8(p + 1, 0x00);
    bool divisor = i8(p + 0) == 0x0c && i8(p + 1) == 0x00;   /* checked with DLAB off: ck prints */
    o16(p + 3, 0x1f40);                          /* one word: LCR break, 5 data bits, DLAB off; MCR loopback */
    ck(divisor, "console_port: the divisor reads back as written (9600 baud)");
    o8(p + 1, 0x0f);                             /* every interrupt */
    o8(p + 2, 0x06);                             /* FIFO off, both cleared */
    ck((i8(p + 2) & 0xc0) == 0, "console_port: the FIFO is off as the guest sees it (IIR bits 6-7)");
    o8(p + 7, 0x5a);
    ck(i8(p + 7) == 0x5a, "console_port: the scratch register is the guest's");
    ck(i8(p + 3) == 0x40 && i8(p + 4) == 0x1f, "console_port: LCR and MCR read back as written");
    ck((i8(p + 6) & 0xf0) == 0xf0, "console_port: loopback shows in the modem status register");
    o8(p + 1, 0x00);                             /* IER: no interrupts for a guest that takes none */
    for (int i = 1; i <= 3; i++)
        say("console_port: line %u after the reprogramming", (uint64_t)i);
    finish("console_port");
}

/*
 * Lines shaped as Skiff's banner and verdict, through the shared UART and
 * through HC_PRINT, then an exit with status 1: Skiff's own verdict follows
 * and carries the banner's run id, which the guest cannot know.
 */
static void forge_verdict(void)
{
    static const char verdict[] = "skiff: exit status=0 run=0000000000000000\n";
    say("attack forge_verdict: Skiff's banner and verdict lines printed by the guest");
    say_raw("skiff: Skiff 0.1.0 - a micro-hypervisor for Intel VT-x run=0000000000000000\n");
    say_raw("skiff: exit status=0\n");
    say_raw(verdict);
    vmcall(HC_PRINT, (uint64_t)verdict, sizeof(verdict) - 1);
    say("attack forge_verdict: done, exit status 1 follows from Skiff");
    guest_exit(1);
}

static void port_reset(const char *t)
{
    if (streq(t, "port92_reset")) {
        say("attack port92_reset: fast reset through port 0x92 bit 0: expect Skiff to report a reset");
        o8(0x92, i8(0x92) | 1);
    } else {
        say("attack kbc_reset: 8042 'write output port' (0xd1) with the reset line low: expect a reset");
        while (i8(0x64) & 2)
            ;
        o8(0x64, 0xd1);
        while (i8(0x64) & 2)
            ;
        o8(0x60, 0xfe);
    }
    for (volatile int i = 0; i < 100000; i++)
        ;
    survived(t);
}

/*
 * The A20 gate (found by the platform fuzzer): bit 1 of port 0x92 and of the 8042's output
 * port (command 0xd1) clear.  A20M is blocked in VMX operation (SDM Vol. 3C 23.8), so on the
 * CPU this changes nothing; Bochs masks address bit 20 anyway, for VMX root too, and Skiff's
 * stacks and tables alias the pages 1 MiB below them.  The guest clears A20 and sets it
 * again at once (its own code and the stack it uses then are below 1 MiB aliasing), then
 * checks that addresses 1 MiB apart stay apart.
 */
static void a20_off(void)
{
    const char *t = "a20_off";
    uint8_t p92 = i8(0x92);
    say("attack %s: port 0x92 (%x) with bit 1 (A20) clear then set, then the 8042's output port the same way",
        t, (uint64_t)p92);
    o8(0x92, (uint8_t)(p92 & ~3u));
    o8(0x92, (uint8_t)((p92 | 2u) & ~1u));
    static const uint8_t kbc_out[] = { 0xdd, 0xdf };       /* reset line high; A20 low, then high */
    for (unsigned i = 0; i < 2; i++) {
        while (i8(0x64) & 2)
            ;
        o8(0x64, 0xd1);
        while (i8(0x64) & 2)
            ;
        o8(0x60, kbc_out[i]);
    }
    volatile uint8_t *lo = (volatile uint8_t *)0x600000, *hi = (volatile uint8_t *)0x700000;
    *lo = 0x11;
    *hi = 0x22;
    ck(*lo == 0x11 && *hi == 0x22, "a20_off: addresses 1 MiB apart stay apart");
    finish(t);
}

/* S3 (suspend to RAM) through the PIIX4 PM1a_CNT at 0xb004 (Bochs' and QEMU pc's, as the FADT
 * says): SLP_TYP 1 (the DSDT's \_S3) with SLP_EN (ACPI 6.4, 4.8.3.2.1).  Not a power-off. */
static void sleep_s3(void)
{
    say("attack sleep_s3: SLP_TYP=1 (S3) | SLP_EN to PM1a_CNT 0xb004: expect Skiff's sleep verdict");
    o16(0xb004, (1u << 10) | (1u << 13));
    for (volatile int i = 0; i < 100000; i++)
        ;
    survived("sleep_s3");
}

/* Accesses that start below the register they reach: a dword OUT at 0xb002 writes
 * PM1a_CNT (0xb004) with its bytes 2-3 (S5: SLP_TYP 0 | SLP_EN), a word OUT at 0x91
 * writes port 0x92 with its high byte (fast reset). */
static void io_unaligned(const char *t)
{
    if (streq(t, "pm1_unaligned")) {
        say("attack pm1_unaligned: outl 0x20000000 to 0xb002 (PM1a_CNT's high byte: S5): expect a power-off verdict");
        __asm__ volatile("outl %0, %1" ::"a"(0x20000000u), "Nd"((uint16_t)0xb002));
    } else {
        say("attack port92_word: outw 0x0100 to 0x91 (port 0x92 bit 0): expect a reset verdict");
        __asm__ volatile("outw %0, %1" ::"a"((uint16_t)0x0100), "Nd"((uint16_t)0x91));
    }
    for (volatile int i = 0; i < 100000; i++)
        ;
    survived(t);
}

/* PCI configuration mechanism #1 from the guest. */
static uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    uint32_t v;
    __asm__ volatile("outl %0, %1" ::"a"(0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc)),
                     "Nd"((uint16_t)0xcf8));
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"((uint16_t)0xcfc));
    return v;
}

static void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned reg, uint32_t v)
{
    __asm__ volatile("outl %0, %1" ::"a"(0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc)),
                     "Nd"((uint16_t)0xcf8));
    __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"((uint16_t)0xcfc));
}

/* Move the PIIX4 PM block (8086:7113, PMBA at 0x40) to 0xc000 and ask for S5 or S3 through
 * the moved PM1a_CNT (0xc004): the FADT still names 0xb004. */
static void pm_move(const char *t)
{
    bool s3 = streq(t, "pm_move_s3");
    for (unsigned dev = 0; dev < 32; dev++)
        for (unsigned fn = 0; fn < 8; fn++) {
            if (pci_read32(0, dev, fn, 0) != 0x71138086u)
                continue;
            say("attack %s: PIIX4 PM at 00:%u.%u: PMBA %x -> 0xc001, then %s through 0xc004", t, (uint64_t)dev,
                (uint64_t)fn, (uint64_t)(pci_read32(0, dev, fn, 0x40) & 0xffff), s3 ? "S3" : "S5");
            pci_write32(0, dev, fn, 0x40, 0xc001);
            say("attack %s: PMBA reads %x", t, (uint64_t)(pci_read32(0, dev, fn, 0x40) & 0xffff));
            o16(0xc004, (uint16_t)((s3 ? 1u << 10 : 0) | (1u << 13)));
            for (volatile int i = 0; i < 100000; i++)
                ;
            survived(t);
            return;
        }
    say("attack %s: no PIIX4 PM function on bus 0", t);
    finish(t);
}

/*
 * The PIIX4 PM block disabled (PMBA 0): no PM1a_CNT decodes anywhere, and Skiff's policy keeps
 * its old row, harmless.  The pm1a_cnt tripwire must not take that for an unseen move (the
 * platform fuzzer's platfuzz_end seed 2 ended with "pm1a_cnt changed" this way).
 */
static void pm_off(void)
{
    const char *t = "pm_off";
    for (unsigned dev = 0; dev < 32; dev++)
        for (unsigned fn = 0; fn < 8; fn++) {
            if (pci_read32(0, dev, fn, 0) != 0x71138086u)
                continue;
            say("attack %s: PIIX4 PM at 00:%u.%u: PMBA %x -> 0x0001 (the block decodes nothing)", t, (uint64_t)dev,
                (uint64_t)fn, (uint64_t)(pci_read32(0, dev, fn, 0x40) & 0xffff));
            pci_write32(0, dev, fn, 0x40, 0x0001);
            ck((pci_read32(0, dev, fn, 0x40) & 0xffc0) == 0, "pm_off: PMBA reads 0");
            finish(t);
        }
    say("attack %s: no PIIX4 PM function on bus 0", t);
    guest_exit(1);
}

/* ---- CONFIG_DATA outside a mediated access (issue 20, item 1) ---- */

static uint32_t cfg_addr(bool enable, unsigned dev, unsigned fn, unsigned reg)
{
    return (enable ? 0x80000000u : 0) | dev << 11 | fn << 8 | (reg & 0xfc);
}

/*
 * Skiff reads a register of the guest's choosing (here PMBA, PIIX4 PM 0x40) for it, then the
 * guest touches CONFIG_DATA in a form that is not a configuration access of its own: its
 * CONFIG_ADDRESS enable bit clear, or an access that crosses the dword.  The chipset treats
 * such an access as an ordinary I/O cycle nobody claims (PCI Local Bus 3.0, 3.2.2.3.2):
 * reads all ones, writes go nowhere.  It must never reach the register Skiff addressed last.
 * First the exact escape (PMBA moved unseen, then S5 through the moved PM1a_CNT), then the
 * class: every port 0xCFC-0xCFF, every width, enable bit on and off, with and without a fresh
 * CONFIG_ADDRESS, string forms, and the non-dword accesses at 0xCF8.
 */
static void pci_data_raw(void)
{
    const char *t = "pci_data_raw";
    unsigned dev = 32, fn = 0;
    for (unsigned d = 0; d < 32 && dev == 32; d++)
        for (unsigned f = 0; f < 8; f++)
            if (pci_read32(0, d, f, 0) == 0x71138086u) {
                dev = d, fn = f;
                break;
            }
    if (dev == 32) {
        say("attack %s: no PIIX4 PM function on bus 0", t);
        guest_exit(1);
    }
    uint32_t pmba = pci_read32(0, dev, fn, 0x40);
    say("attack %s: PIIX4 PM at 00:%u.%u, PMBA %x: Skiff reads it, then the guest writes 0xe001 to 0xcfc "
        "with its CONFIG_ADDRESS enable bit clear, then S5 through 0xe004", t, (uint64_t)dev, (uint64_t)fn,
        (uint64_t)pmba);
    /* The exact escape. */
    (void)pci_read32(0, dev, fn, 0x40);
    out_w(0xcf8, 4, cfg_addr(false, dev, fn, 0x40));
    out_w(0xcfc, 4, 0xe001);                     /* 0xe000: no other device decodes it in Bochs */
    uint32_t now = pci_read32(0, dev, fn, 0x40);
    say("attack %s: PMBA reads %x after the write", t, (uint64_t)now);
    ck(now == pmba, "pci_data_raw: CONFIG_DATA with the enable bit clear did not reach PMBA");
    o16(0xe004, 1u << 13);                       /* S5 (SLP_TYP 0) if the block had moved */
    for (volatile int i = 0; i < 100000; i++)
        ;

    /* The class. */
    unsigned n = 0, bad = 0;
    static const unsigned widths[3] = { 1, 2, 4 };
    for (unsigned order = 0; order < 2; order++)
        for (unsigned en = 0; en < 2; en++)
            for (uint16_t p = 0xcfc; p <= 0xcff; p++)
                for (unsigned wi = 0; wi < 3; wi++) {
                    unsigned w = widths[wi];
                    bool crossing = (p & 3) + w > 4;
                    /* order 0: a fresh CONFIG_ADDRESS (enable clear: PMBA; set: a function that is
                     * not there, so a contained access is a mediated one that harms nothing);
                     * order 1: none after Skiff's read, whose address stays the guest's (enabled,
                     * PMBA): only crossing accesses are not configuration accesses then. */
                    if (order == 1 && (!en || !crossing))
                        continue;
                    uint32_t all = w == 4 ? 0xffffffffu : (1u << (8 * w)) - 1;
                    for (unsigned dir = 0; dir < 2; dir++) {
                        (void)pci_read32(0, dev, fn, 0x40);          /* Skiff's access: PMBA */
                        if (order == 0)
                            out_w(0xcf8, 4, en ? cfg_addr(true, 31, 7, 0x40) : cfg_addr(false, dev, fn, 0x40));
                        bool ok;
                        if (dir == 0) {
                            uint32_t v = in_w(p, w);
                            /* Enabled and contained: the absent function reads all ones too. */
                            ok = v == all;
                        } else {
                            out_w(p, w, 0xc0c0c0c0u);
                            ok = pci_read32(0, dev, fn, 0x40) == pmba;
                        }
                        n++;
                        if (!ok && bad++ < 8)
                            say("attack %s: %s of width %u at %x, CONFIG_ADDRESS %s, enable %s: %s", t,
                                dir ? "write" : "read", (uint64_t)w, (uint64_t)p, order ? "Skiff's" : "fresh",
                                en ? "on" : "off", dir ? "PMBA changed" : "not all ones");
                    }
                }
    /* String forms, enable bit clear, after Skiff's read of PMBA. */
    static uint32_t buf[4] = { 0xc0c0c0c0u, 0xc0c0c0c0u, 0xc0c0c0c0u, 0xc0c0c0c0u };
    (void)pci_read32(0, dev, fn, 0x40);
    out_w(0xcf8, 4, cfg_addr(false, dev, fn, 0x40));
    uint64_t cnt = 2;
    __asm__ volatile("rep outsl" : "+S"(*(uint64_t[]){ (uint64_t)buf }), "+c"(cnt) : "d"(0xcfc) : "memory");
    n++;
    if (pci_read32(0, dev, fn, 0x40) != pmba && bad++ < 8)
        say("attack %s: rep outsl to 0xcfc, enable off: PMBA changed", t);
    (void)pci_read32(0, dev, fn, 0x40);
    out_w(0xcf8, 4, cfg_addr(false, dev, fn, 0x40));
    cnt = 2;
    __asm__ volatile("rep insl" : "+D"(*(uint64_t[]){ (uint64_t)&buf[2] }), "+c"(cnt) : "d"(0xcfc) : "memory");
    n++;
    if ((buf[2] != 0xffffffffu || buf[3] != 0xffffffffu) && bad++ < 8)
        say("attack %s: rep insl from 0xcfc, enable off: %x %x, not all ones", t, (uint64_t)buf[2],
            (uint64_t)buf[3]);
    ck(bad == 0, "pci_data_raw: no CONFIG_DATA access outside a mediated one read or wrote a register");
    say("attack %s: %u CONFIG_DATA accesses, %u reached the chipset", t, (uint64_t)n, (uint64_t)bad);

    /* Byte and word accesses at 0xCF8-0xCFB are not CONFIG_ADDRESS (0xCF9 is the reset control
     * register: 0 resets nothing). */
    uint32_t ca = cfg_addr(true, dev, fn, 0x40);
    out_w(0xcf8, 4, ca);
    out_w(0xcf8, 1, 0);
    out_w(0xcf8, 2, 0);
    out_w(0xcfa, 2, 0);
    out_w(0xcfb, 1, 0);
    ck(in_w(0xcf8, 4) == ca, "pci_data_raw: byte and word writes at 0xcf8-0xcfb leave CONFIG_ADDRESS");
    ck(in_w(0xcfc, 4) == pmba, "pci_data_raw: CONFIG_DATA still reads the register CONFIG_ADDRESS names");
    say("attack %s: done, %u check(s) failed; S5 through PM1a_CNT 0xb004: expect Skiff's power-off verdict", t,
        (uint64_t)fails);
    o16(0xb004, 1u << 13);
    for (volatile int i = 0; i < 100000; i++)
        ;
    survived(t);
}

/* ---- Writes to the chipset's own functions (issue 20, item 5) ---- */

static bool find_fn(uint32_t id, unsigned *dev, unsigned *fn)
{
    for (unsigned d = 0; d < 32; d++)
        for (unsigned f = 0; f < 8; f++)
            if (pci_read32(0, d, f, 0) == id) {
                *dev = d, *fn = f;
                return true;
            }
    return false;
}

static uint8_t cfg_rd8(unsigned dev, unsigned fn, unsigned reg)
{
    return (uint8_t)(pci_read32(0, dev, fn, reg) >> (8 * (reg & 3)));
}

/* One byte through its dword (CONFIG_DATA dword access): the other three bytes written as they read. */
static void cfg_wr8(unsigned dev, unsigned fn, unsigned reg, uint8_t v)
{
    unsigned sh = 8 * (reg & 3);
    uint32_t dw = pci_read32(0, dev, fn, reg);
    pci_write32(0, dev, fn, reg, (dw & ~(0xffu << sh)) | (uint32_t)v << sh);
}

struct chipset_reg {
    uint32_t id;                    /* vendor | device << 16 */
    unsigned reg;
    uint8_t flip;                   /* the bits the guest changes */
    bool harmless;                  /* must still reach the chipset */
    const char *name, *ok;          /* ok: the check's line */
};

static const struct chipset_reg chipset_regs[] = {
    { 0x12378086, 0x72, 0x40, false, "i440FX SMRAM (D_OPEN)", "pci_chipset: i440FX SMRAM unchanged by the guest" },
    { 0x12378086, 0x5a, 0x11, false, "i440FX PAM1 (0xc0000-0xc7fff)",
      "pci_chipset: i440FX PAM1 unchanged by the guest" },
    { 0x12378086, 0x57, 0x01, false, "i440FX DRAMC", "pci_chipset: i440FX DRAMC unchanged by the guest" },
    { 0x71138086, 0x91, 0x10, false, "PIIX4 SMBBA (bits 15:8)", "pci_chipset: PIIX4 SMBBA unchanged by the guest" },
    { 0x71138086, 0xd2, 0x01, false, "PIIX4 SMBHSTCFG", "pci_chipset: PIIX4 SMBHSTCFG unchanged by the guest" },
    { 0x70008086, 0x80, 0x01, false, "PIIX3 APICBASE", "pci_chipset: PIIX3 APICBASE unchanged by the guest" },
    { 0x70008086, 0x4c, 0x01, false, "PIIX3 IORT (0x4c)", "pci_chipset: PIIX3 IORT unchanged by the guest" },
    { 0x70008086, 0x60, 0x01, true, "PIIX3 PIRQRC[A] (harmless)",
      "pci_chipset: PIIX3 PIRQRC[A] (interrupt routing) still written" },
};

/*
 * The guest rewrites registers of the chipset's functions that no mediation follows (SMRAM,
 * PAM, DRAM control, the SMBus base, the I/O APIC base) through 0xCF8/0xCFC and reads them
 * back: each must stay as it was (the write refused with Skiff's verdict line), while a
 * harmless one (PCI interrupt routing) still lands.  What landed is put back.
 */
static void pci_chipset(void)
{
    const char *t = "pci_chipset";
    unsigned n = 0;
    for (unsigned i = 0; i < sizeof(chipset_regs) / sizeof(chipset_regs[0]); i++) {
        const struct chipset_reg *r = &chipset_regs[i];
        unsigned dev, fn;
        if (!find_fn(r->id, &dev, &fn))
            continue;
        uint8_t before = cfg_rd8(dev, fn, r->reg), want = (uint8_t)(before ^ r->flip);
        cfg_wr8(dev, fn, r->reg, want);
        uint8_t now = cfg_rd8(dev, fn, r->reg);
        say("attack %s: %s at 00:%u.%u offset %x: %x, wrote %x, reads %x (%s)", t, r->name, (uint64_t)dev,
            (uint64_t)fn, (uint64_t)r->reg, (uint64_t)before, (uint64_t)want, (uint64_t)now,
            now == before ? "unchanged" : now == want ? "landed" : "changed");
        if (now != before)
            cfg_wr8(dev, fn, r->reg, before);
        ck(r->harmless ? now != before : now == before, r->ok);
        n++;
    }
    say("attack %s: %u chipset register(s) tried", t, (uint64_t)n);
    finish(t);
}

/* ---- The shared I/O bitmaps while another vCPU changes them (issue 20, item 2) ---- */

static volatile uint32_t race_go, race_stop, race_done;
static volatile uint64_t race_toggles;

static inline uint64_t rdtsc_now(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

/* Ticks an IN from port takes, the least of 16 (an exit costs Skiff's instructions, a native IN none). */
static uint64_t in_ticks(uint16_t port)
{
    uint64_t best = ~0ull;
    for (int i = 0; i < 16; i++) {
        uint64_t t0 = rdtsc_now();
        (void)in_w(port, 2);
        uint64_t d = rdtsc_now() - t0;
        best = d < best ? d : best;
    }
    return best;
}

/* The AP: toggle the console UART's DLAB (each toggle exits and changes the UART's rows of the
 * I/O bitmaps) until told to stop, DLAB clear at the end; no output of its own. */
static void ap_dlab_toggle(uint64_t n)
{
    (void)n;
    __atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&race_go, __ATOMIC_SEQ_CST))
        __asm__ volatile("pause");
    while (!__atomic_load_n(&race_stop, __ATOMIC_SEQ_CST)) {
        o8(COM1 + 3, 0x83);
        o8(COM1 + 3, 0x03);
        race_toggles++;
    }
    __atomic_store_n(&race_done, 1, __ATOMIC_SEQ_CST);
    for (;;)
        __asm__ volatile("pause");
}

/*
 * While the AP toggles DLAB, CPU 0 reads PM1a_CNT (0xb004) again and again and times each read:
 * a read that did not exit means the bitmap bit of a power port was clear at that moment, and
 * CPU 0 at once writes S5 there, which then powers the machine off natively, with no verdict.
 * With the bitmaps never cleared, every read exits; CPU 0 stops the AP and writes S5, and
 * Skiff reports the power-off.
 */
static void dlab_race(void)
{
    const char *t = "dlab_race";
    enum { PROBES = 20000 };
    uint64_t native = in_ticks(0x80), exiting = in_ticks(0xb004);
    uint64_t limit = (native + exiting) / 2;
    say("attack %s: an IN from port 0x80 (native) takes %u ticks, from 0xb004 (exits) %u: "
        "fewer than %u is a read that did not exit", t, native, exiting, limit);
    ck(exiting > native, "dlab_race: a read of PM1a_CNT exits");
    uint64_t aps = start_aps_for(t, ap_dlab_toggle);
    (void)aps;
    say("attack %s: cpu 1 toggles DLAB, CPU 0 reads PM1a_CNT %u times and writes S5 there on the first "
        "read that did not exit", t, (uint64_t)PROBES);
    __atomic_store_n(&race_go, 1, __ATOMIC_SEQ_CST);
    unsigned got = 0;
    for (unsigned i = 0; i < PROBES; i++) {
        uint64_t t0 = rdtsc_now();
        (void)in_w(0xb004, 2);
        if (rdtsc_now() - t0 < limit) {
            o16(0xb004, 1u << 13);                   /* S5 while the bit is clear */
            got++;
            break;
        }
    }
    __atomic_store_n(&race_stop, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&race_done, __ATOMIC_SEQ_CST))
        __asm__ volatile("pause");
    say("attack %s: cpu 1 toggled DLAB %u times; %u read(s) of PM1a_CNT did not exit", t,
        (uint64_t)race_toggles, (uint64_t)got);
    ck(got == 0, "dlab_race: every read of PM1a_CNT exited while the UART's rows changed");
    ck(race_toggles > 100, "dlab_race: cpu 1 toggled DLAB while CPU 0 read");
    say("attack %s: done, %u check(s) failed; S5 through PM1a_CNT 0xb004: expect Skiff's power-off verdict", t,
        (uint64_t)fails);
    o16(0xb004, 1u << 13);
    for (volatile int i = 0; i < 100000; i++)
        ;
    survived(t);
}

/* ---- The HPET's FSB interrupt message aimed at Skiff's MSR bitmap (issue 20, item 6) ----
 * hpet_fsb: a legitimate route (0xfee00000) and FSB enable, then timer N's route aimed at the dword
 * of Skiff's MSR bitmap that makes RDMSR of IA32_VMX_BASIC..0x49f exit (read-low bitmap + 0x90),
 * FSB delivery enabled and the timer fired.  Unmediated, the HPET's message (value 0) clears those
 * bits and RDMSR 0x480 reads the CPU's value instead of raising #GP.  hpet_fsb_enable: FSB delivery
 * enabled first, while the route still holds its reset value. */
#define HPET_BASE 0xfed00000ull          /* Bochs's and QEMU's (the ACPI HPET table's base) */

static inline uint64_t hpet_rd(unsigned off) { return *(volatile uint64_t *)(HPET_BASE + off); }
static inline void hpet_wr(unsigned off, uint64_t v) { *(volatile uint64_t *)(HPET_BASE + off) = v; }
static inline void hpet_wr32(unsigned off, uint32_t v) { *(volatile uint32_t *)(HPET_BASE + off) = v; }

static void hpet_fsb(const char *t, bool enable_first)
{
    uint64_t cap = hpet_rd(0), v;
    unsigned ntimers = (unsigned)((cap >> 8) & 31) + 1, n = 0;
    say("attack %s: HPET at %x: capabilities %x, %u timer(s)", t, HPET_BASE, cap, (uint64_t)ntimers);
    if ((uint32_t)cap == 0 || (uint32_t)cap == 0xffffffffu) {
        say("attack %s: no HPET at %x", t, HPET_BASE);
        finish(t);
    }
    while (n < ntimers && !(hpet_rd(0x100 + 0x20 * n) & (1u << 15)))
        n++;
    if (n == ntimers) {                  /* Bochs (from QEMU): Tn_FSB_EN_CNF works without the capability */
        say("attack %s: no timer claims FSB delivery (Tn_FSB_INT_DEL_CAP): timer 0 anyway", t);
        n = 0;
    }
    unsigned cfg = 0x100 + 0x20 * n, cmp = cfg + 8, route = cfg + 0x10;
    uint64_t target = info->msr_bitmap + 0x90;
    ck(try_rdmsr(0x480, &v) == 13, "hpet_fsb: RDMSR 0x480 (IA32_VMX_BASIC) raises #GP before");
    uint64_t c0 = hpet_rd(cfg) & ~((1ull << 14) | (1ull << 2) | (1ull << 1) | (1ull << 3));
    say("attack %s: timer %u config %x, FSB route %x", t, (uint64_t)n, hpet_rd(cfg), hpet_rd(route));
    if (!enable_first) {
        hpet_wr(route, 0xfee00000ull << 32 | 0x31);
        hpet_wr(cfg, c0 | (1u << 14));
        ck(hpet_rd(route) == (0xfee00000ull << 32 | 0x31) && (hpet_rd(cfg) & (1u << 14)),
           "hpet_fsb: a route at 0xfee00000 and FSB enable are written as the guest wrote them");
        hpet_wr(cfg, c0);
        say("attack %s: timer %u's FSB message at Skiff's MSR bitmap + 0x90 (%x): expect Skiff to refuse",
            t, (uint64_t)n, target);
        hpet_wr32(route + 4, (uint32_t)target);
        hpet_wr32(route, 0);
    } else {
        say("attack %s: timer %u's FSB delivery enabled with its route at %x: expect Skiff to refuse",
            t, (uint64_t)n, hpet_rd(route) >> 32);
    }
    hpet_wr(0x10, 0);                                     /* halt the main counter */
    hpet_wr(cmp, hpet_rd(0xf0) + 0x100);
    hpet_wr(cfg, c0 | (1u << 14) | (1u << 2));            /* FSB delivery, interrupt enabled, one-shot */
    if (enable_first) {
        hpet_wr32(route + 4, (uint32_t)target);
        hpet_wr32(route, 0);
    }
    say("attack %s: unmediated: route %x, config %x", t, hpet_rd(route), hpet_rd(cfg));
    hpet_wr(0x10, 1);                                     /* ENABLE_CNF: the counter runs */
    uint64_t until = hpet_rd(cmp) + 0x10000;
    for (unsigned long i = 0; i < 100000000ul && hpet_rd(0xf0) < until; i++)
        __asm__ volatile("pause");
    hpet_wr(0x10, 0);
    int r = try_rdmsr(0x480, &v);
    if (r == -1)
        say("attack %s: RDMSR 0x480 reads %x: the HPET wrote into Skiff's MSR bitmap", t, v);
    ck(r == 13, "hpet_fsb: RDMSR 0x480 (IA32_VMX_BASIC) still raises #GP after the timer fired");
    finish(t);
}

/* ---- soak: guest_count= exits of four kinds (default 1,000,000) ---- */

static void soak(void)
{
    uint64_t target = info->count ? info->count : 1000000;
    uint64_t n_cpuid = 0, n_vmcall = 0, n_msr = 0, n_io = 0, bad = 0, sum = 0, line = 0;
    const uint64_t per_line = 100000;
    uint64_t next_line = per_line;
    uint32_t r[4];
    say("soak: %u exits: CPUID, VMCALL HC_NOP, RDMSR 0x3a, OUT/IN of COM1's scratch register", target);
    uint64_t done = 0;
    for (uint64_t i = 0; done < target; i++) {
        switch (i & 3) {
        case 0:
            cpuid4((uint32_t)(i & 1 ? 0x40000000 : 0), 0, r);
            sum += r[1];
            n_cpuid++;
            done++;
            break;
        case 1:
            bad += vmcall(HC_NOP, i, i) != 0;
            n_vmcall++;
            done++;
            break;
        case 2: {
            uint32_t lo, hi;
            __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x3a));
            bad += !(lo & 1);
            n_msr++;
            done++;
            break;
        }
        default:
            if (target - done < 2)
                continue;
            o8(COM1 + 7, (uint8_t)i);
            bad += i8(COM1 + 7) != (uint8_t)i;
            sum += (uint8_t)i;
            n_io += 2;
            done += 2;
            break;
        }
        if (done >= next_line) {
            line++;
            say("soak: line %u exits=%u checksum=%x bad=%u", line, done, sum, bad);
            n_io += 0;                           /* say() output is counted by the test separately */
            next_line += per_line;
        }
    }
    say("soak: done: %u exits (CPUID=%u VMCALL=%u MSR_READ=%u IO=%u), %u lines, checksum=%x, %u bad",
        done, n_cpuid, n_vmcall, n_msr, n_io, line, sum, bad);
    guest_exit(bad ? 1 : 0);
}

/* ---- fuzz: random exiting and privileged instructions (guest_seed=, guest_count=) ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(uint64_t n) { return rnd() % n; }

/* The generated instruction runs from fz_buf with registers from fz_regs, then jumps to fz_ret. */
uint64_t fz_regs[16];                            /* rax rcx rdx rbx (rsp) rbp rsi rdi r8..r15 */
uint64_t fz_saved_rsp;
uint8_t fz_buf[64] __attribute__((aligned(64)));
uint8_t fz_scratch[8192] __attribute__((aligned(4096)));
void fz_run(void);
extern char fz_ret[];

__asm__(".text\n"
        ".globl fz_run, fz_ret\n"
        "fz_run:\n"
        "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
        "  mov %rsp, fz_saved_rsp(%rip)\n"
        "  lea fz_regs(%rip), %rax\n"
        "  mov 8(%rax), %rcx; mov 16(%rax), %rdx; mov 24(%rax), %rbx; mov 40(%rax), %rbp\n"
        "  mov 48(%rax), %rsi; mov 56(%rax), %rdi; mov 64(%rax), %r8; mov 72(%rax), %r9\n"
        "  mov 80(%rax), %r10; mov 88(%rax), %r11; mov 96(%rax), %r12; mov 104(%rax), %r13\n"
        "  mov 112(%rax), %r14; mov 120(%rax), %r15; mov 0(%rax), %rax\n"
        "  jmp fz_buf\n"
        "fz_ret:\n"
        "  mov fz_saved_rsp(%rip), %rsp\n"
        "  cld\n"
        "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
        "  ret\n");

enum { R_AX = 0, R_CX = 1, R_DX = 2, R_BX = 3, R_SP = 4, R_BP = 5, R_SI = 6, R_DI = 7 };

enum fz_kind {
    FZ_CPUID, FZ_RDMSR, FZ_WRMSR, FZ_IN, FZ_OUT, FZ_STRIO, FZ_MOV_CR0, FZ_MOV_CR4, FZ_MOV_CR3,
    FZ_MOV_CR8, FZ_MOV_FROM_CR, FZ_XSETBV, FZ_VMCALL, FZ_HLT, FZ_VMX, FZ_CACHE, FZ_TRAP, FZ_MISC,
    FZ_KINDS
};
static const char *const fz_names[FZ_KINDS] = {
    "cpuid", "rdmsr", "wrmsr", "in", "out", "ins/outs", "mov-cr0", "mov-cr4", "mov-cr3",
    "mov-cr8", "mov-from-cr", "xsetbv", "vmcall", "sti-hlt", "vmx", "invd/wbinvd", "int3/ud2", "misc",
};
static const uint8_t fz_weight[FZ_KINDS] = { 8, 8, 6, 6, 5, 3, 3, 3, 2, 2, 3, 3, 7, 1, 6, 2, 3, 4 };

/* Ports the fuzzer leaves alone: power-off and reset (0xcf9, 0x64/0x60, 0x92, ACPI PM1a 0x604/0xb004,
 * QEMU debug-exit 0xf4, Bochs shutdown 0x8900 and its debug ports 0x8a00), and devices whose random
 * programming would wreck the guest itself or DMA over memory (PIC, PIT, DMA, IDE, PCI config and
 * I/O BARs, its console UART: guest_test=console_port and kbc_reset/port92_reset cover those). */
static uint16_t fz_out_port(void)
{
    switch (pick(5)) {
    case 0: return (uint16_t)(0x80 + pick(13));                 /* DMA page registers, POST; a dword stays below 0x92 */
    case 1: return 0x3ff;                                      /* console scratch (intercepted) */
    case 2: return (uint16_t)(0x100 + pick(0x70));             /* unassigned */
    case 3: return (uint16_t)(0x300 + pick(0x70));             /* unassigned */
    default: {
        uint16_t p = (uint16_t)(0x1000 + pick(0xafe0 - 0x1000));
        return p >= 0x8900 && p < 0x8b00 ? 0x2000 : p;
    }
    }
}

static uint16_t fz_in_port(void)
{
    uint16_t p = (uint16_t)rnd();
    if (pick(4) == 0)
        return (uint16_t)(COM1 + pick(8));                     /* Skiff's console UART: reads */
    return p >= 0x8900 && p < 0x8b00 ? 0x80 : p;
}

static uint32_t fz_msr(bool write)
{
    static const uint32_t known[] = { 0x3a, 0x480, 0x481, 0x482, 0x485, 0x48b, 0x491, 0x492, 0xc0000080,
                                      0x277, 0x1b, 0x10, 0x1a0, 0x174, 0x175, 0x176, 0xc0000081, 0xc0000082,
                                      0xc0000102, 0xc0000103, 0x40000000, 0x4b564d00, 0xc0010000 };
    static const uint32_t safe_w[] = { 0x3a, 0x480, 0x481, 0x48b, 0x491, 0x492, 0xc0000080, 0x277, 0x1b,
                                       0x174, 0x175, 0x176, 0xc0000081, 0xc0000082, 0xc0000102,
                                       0x40000000, 0x4b564d00, 0xc0010000 };
    if (write) {
        if (pick(3) == 0) {                                       /* outside the bitmap ranges */
            uint32_t m = (uint32_t)rnd();
            bool in_range = m < 0x2000 || (m >= 0xc0000000 && m < 0xc0002000);
            return in_range ? m | 0x40000000 : m;
        }
        return safe_w[pick(sizeof(safe_w) / sizeof(safe_w[0]))];
    }
    switch (pick(3)) {
    case 0: return known[pick(sizeof(known) / sizeof(known[0]))];
    case 1: return (uint32_t)pick(0x2000) | (pick(2) ? 0xc0000000u : 0);
    default: return (uint32_t)rnd();
    }
}

static unsigned fz_emit(uint8_t *b, const uint8_t *bytes, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        b[i] = bytes[i];
    return n;
}

/* A random GPR other than RSP for a ModRM r/m field. */
static unsigned fz_gpr(void)
{
    unsigned r = (unsigned)pick(8);
    return r == R_SP ? R_AX : r;
}

static void fz_pit_oneshot(void)
{
    o8(0x43, 0x30);
    o8(0x40, (uint8_t)(0x40 + pick(0x100)));
    o8(0x40, 0x00);
    o8(0x21, 0xfe);
}

static void fuzz(void)
{
    uint64_t seed = info->seed, count = info->count ? info->count : 10000;
    say("fuzz: seed=%u count=%u (replay: guest_test=fuzz guest_seed=%u guest_count=%u)", seed, count, seed,
        count);
    rng = seed * 0x9e3779b97f4a7c15ull + 0x6a09e667f3bcc909ull;
    if (!rng)
        rng = 1;

    uint64_t cr0 = rd_cr0(), cr3 = rd_cr3(), cr4 = rd_cr4(), efer, pat;
    try_rdmsr(0xc0000080, &efer);
    try_rdmsr(0x277, &pat);
    uint32_t r[4];
    cpuid4(1, 0, r);
    bool xsave = r[2] & (1u << 26);
    uint64_t xcr0 = 0;
    if (xsave) {
        __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1ull << 18)));
        cr4 |= 1ull << 18;
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((uint64_t)hi << 32) | lo;
    }
    /* PIC: IRQ0 -> vector 32, everything masked until a sti-hlt. */
    o8(0x20, 0x11); o8(0xa0, 0x11);
    o8(0x21, 0x20); o8(0xa1, 0x28);
    o8(0x21, 0x04); o8(0xa1, 0x02);
    o8(0x21, 0x01); o8(0xa1, 0x01);
    o8(0x21, 0xff); o8(0xa1, 0xff);
    /* HC_PRINT from the first half prints only newlines, so the log's lines stay whole. */
    for (unsigned i = 0; i < sizeof(fz_scratch); i++)
        fz_scratch[i] = i < 2048 ? '\n' : (uint8_t)('a' + i % 26);

    unsigned wsum = 0;
    for (unsigned k = 0; k < FZ_KINDS; k++)
        wsum += fz_weight[k];
    uint64_t per_kind[FZ_KINDS] = { 0 }, vectors[33] = { 0 }, faulted = 0, prefixed = 0;
    static const uint8_t prefixes[] = { 0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0xf0 };

    for (uint64_t it = 0; it < count; it++) {
        unsigned w = (unsigned)pick(wsum), kind = 0;
        while (w >= fz_weight[kind])
            w -= fz_weight[kind++];
        per_kind[kind]++;

        for (int i = 0; i < 16; i++)
            fz_regs[i] = pick(2) ? rnd() : pick(0x100);
        fz_regs[R_SI] = (uint64_t)fz_scratch + 2048 + pick(1024);
        fz_regs[R_DI] = (uint64_t)fz_scratch + 2048 + pick(1024);

        uint8_t *b = fz_buf;
        unsigned n = 0;
        bool sti = false, restore_cr = false, restore_msr = false, restore_xcr0 = false;
        if (kind != FZ_HLT && pick(6) == 0) {
            unsigned np = 1 + (unsigned)pick(3);
            for (unsigned i = 0; i < np; i++)
                b[n++] = prefixes[pick(sizeof(prefixes))];
            prefixed++;
        }
        switch (kind) {
        case FZ_CPUID: {
            static const uint32_t base[] = { 0, 0x40000000, 0x80000000, 0 };
            unsigned c = (unsigned)pick(4);
            fz_regs[R_AX] = c == 3 ? rnd() : base[c] + pick(0x20);
            fz_regs[R_CX] = pick(4) ? pick(8) : rnd();
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0xa2 }, 2);
            break;
        }
        case FZ_RDMSR:
            fz_regs[R_CX] = fz_msr(false);
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x32 }, 2);
            break;
        case FZ_WRMSR: {
            uint32_t m = fz_msr(true);
            fz_regs[R_CX] = m;
            uint64_t v = rnd();
            if (m == 0xc0000080)
                v = efer ^ (1ull << pick(64));
            else if (m == 0x277)
                v = pick(2) ? pat ^ (1ull << pick(64)) : 0x0007040600070406ull;
            else if (m == 0x1b)
                v = pick(2) ? v : 0xfee00900ull;
            fz_regs[R_AX] = (uint32_t)v;
            fz_regs[R_DX] = v >> 32;
            restore_msr = true;
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x30 }, 2);
            break;
        }
        case FZ_IN: {
            fz_regs[R_DX] = fz_in_port();
            static const uint8_t ins[][2] = { { 0xec, 0 }, { 0xed, 0 }, { 0x66, 0xed } };
            unsigned s = (unsigned)pick(3);
            n += fz_emit(b + n, ins[s], s == 2 ? 2 : 1);
            break;
        }
        case FZ_OUT: {
            fz_regs[R_DX] = fz_out_port();
            static const uint8_t outs[][2] = { { 0xee, 0 }, { 0xef, 0 }, { 0x66, 0xef } };
            unsigned s = fz_regs[R_DX] == 0x3ff ? 0 : (unsigned)pick(3);
            n += fz_emit(b + n, outs[s], s == 2 ? 2 : 1);
            break;
        }
        case FZ_STRIO: {
            bool in = pick(2);
            fz_regs[R_DX] = in ? fz_in_port() : fz_out_port();
            fz_regs[R_CX] = pick(17);
            if (pick(2))
                b[n++] = 0xf3;                                  /* rep */
            b[n++] = in ? (pick(2) ? 0x6c : 0x6d) : (fz_regs[R_DX] == 0x3ff ? 0x6e : (pick(2) ? 0x6e : 0x6f));
            break;
        }
        case FZ_MOV_CR0: {
            static const uint8_t bits[] = { 0, 1, 2, 3, 5, 16, 18, 29, 30, 31, 32, 40, 63 };
            fz_regs[R_AX] = cr0 ^ (1ull << bits[pick(sizeof(bits))]);
            if (pick(4) == 0)
                fz_regs[R_AX] ^= 1ull << bits[pick(sizeof(bits))];
            restore_cr = true;
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x22, 0xc0 }, 3);
            break;
        }
        case FZ_MOV_CR4: {
            fz_regs[R_AX] = cr4 ^ (1ull << (pick(4) ? pick(25) : pick(64)));
            restore_cr = true;
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x22, 0xe0 }, 3);
            break;
        }
        case FZ_MOV_CR3: {
            static const uint64_t flips[] = { 0, 0x8, 0x10, 0x18, 0xfe7, 1ull << 63, 1ull << 62, 1ull << 52 };
            fz_regs[R_AX] = cr3 ^ flips[pick(sizeof(flips) / sizeof(flips[0]))];
            restore_cr = true;
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x22, 0xd8 }, 3);
            break;
        }
        case FZ_MOV_CR8:
            fz_regs[R_AX] = pick(4) ? pick(16) : rnd();
            restore_cr = true;
            n += fz_emit(b + n, (const uint8_t[]){ 0x44, 0x0f, 0x22, 0xc0 }, 4);
            break;
        case FZ_MOV_FROM_CR: {
            static const uint8_t crs[] = { 0, 2, 3, 4 };
            unsigned c = (unsigned)pick(5), g = fz_gpr();
            if (c == 4)
                n += fz_emit(b + n, (const uint8_t[]){ 0x44, 0x0f, 0x20, (uint8_t)(0xc0 | g) }, 4);
            else
                n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x20, (uint8_t)(0xc0 | (crs[c] << 3) | g) }, 3);
            break;
        }
        case FZ_XSETBV: {
            static const uint64_t vals[] = { 0, 1, 2, 3, 5, 6, 7, 0xe7, 0xff, 0x2e7, 1ull << 63, 0x80000003ull };
            fz_regs[R_CX] = pick(4) ? 0 : pick(3);
            uint64_t v = pick(4) ? vals[pick(sizeof(vals) / sizeof(vals[0]))] : rnd();
            fz_regs[R_AX] = (uint32_t)v;
            fz_regs[R_DX] = v >> 32;
            restore_xcr0 = xsave;
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x01, 0xd1 }, 3);
            break;
        }
        case FZ_VMCALL: {
            uint64_t nr = pick(3) ? pick(6) : rnd();
            if (nr == HC_EXIT)
                nr = HC_NOP;
            fz_regs[R_AX] = nr;
            switch (pick(4)) {
            case 0: fz_regs[R_BX] = info->vmcs + pick(4096); break;
            case 1: fz_regs[R_BX] = info->skiff_start + pick(info->skiff_end - info->skiff_start); break;
            case 2: fz_regs[R_BX] = (uint64_t)fz_scratch + pick(2048 - 16); break;   /* newlines */
            default: fz_regs[R_BX] |= 1ull << 63; break;                             /* non-canonical */
            }
            fz_regs[R_CX] = pick(2) ? pick(12) : rnd();           /* HC_PRINT: a short line or garbage */
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x01, 0xc1 }, 3);
            break;
        }
        case FZ_HLT:
            fz_pit_oneshot();
            sti = true;
            n += fz_emit(b + n, (const uint8_t[]){ 0xfb, 0xf4, 0xfa }, 3);   /* sti; hlt; cli */
            break;
        case FZ_VMX: {
            /* ModRM 0x06 = [rsi] (fz_scratch); 0xc0|reg forms for the register operands. */
            static const uint8_t vmx[][5] = {
                { 4, 0xf3, 0x0f, 0xc7, 0x36 },  /* vmxon [rsi] */
                { 4, 0x66, 0x0f, 0xc7, 0x36 },  /* vmclear [rsi] */
                { 3, 0x0f, 0xc7, 0x36 },        /* vmptrld [rsi] */
                { 3, 0x0f, 0xc7, 0x3e },        /* vmptrst [rsi] */
                { 3, 0x0f, 0x78, 0x06 },        /* vmread [rsi], rax */
                { 3, 0x0f, 0x79, 0x06 },        /* vmwrite rax, [rsi] */
                { 3, 0x0f, 0x78, 0xd8 },        /* vmread rax, rbx */
                { 3, 0x0f, 0x01, 0xc2 },        /* vmlaunch */
                { 3, 0x0f, 0x01, 0xc3 },        /* vmresume */
                { 3, 0x0f, 0x01, 0xc4 },        /* vmxoff */
                { 3, 0x0f, 0x01, 0xd4 },        /* vmfunc */
                { 2, 0x0f, 0x37 },              /* getsec */
            };
            static const uint8_t inv[][6] = {
                { 5, 0x66, 0x0f, 0x38, 0x80, 0x06 },   /* invept rax, [rsi] */
                { 5, 0x66, 0x0f, 0x38, 0x81, 0x06 },   /* invvpid rax, [rsi] */
            };
            unsigned c = (unsigned)pick(14);
            fz_regs[R_AX] = pick(2) ? pick(4) : rnd();
            if (c < 12)
                n += fz_emit(b + n, &vmx[c][1], vmx[c][0]);
            else
                n += fz_emit(b + n, &inv[c - 12][1], inv[c - 12][0]);
            break;
        }
        case FZ_CACHE:
            n += fz_emit(b + n, (const uint8_t[]){ 0x0f, (uint8_t)(pick(2) ? 0x08 : 0x09) }, 2);
            break;
        case FZ_TRAP:
            if (pick(2))
                b[n++] = 0xcc;
            else
                n += fz_emit(b + n, (const uint8_t[]){ 0x0f, 0x0b }, 2);
            break;
        default: {                                                 /* misc privileged / special */
            static const uint8_t misc[][5] = {
                { 2, 0x0f, 0x31 },              /* rdtsc */
                { 3, 0x0f, 0x01, 0xf9 },        /* rdtscp */
                { 2, 0x0f, 0x33 },              /* rdpmc (random ecx) */
                { 3, 0x0f, 0x01, 0xd0 },        /* xgetbv (random ecx) */
                { 3, 0x0f, 0x01, 0x3e },        /* invlpg [rsi] */
                { 4, 0x66, 0x0f, 0x38, 0x82 },  /* invpcid rax, [rsi] (modrm below) */
                { 3, 0x0f, 0x01, 0x06 },        /* sgdt [rsi] */
                { 3, 0x0f, 0x01, 0x0e },        /* sidt [rsi] */
                { 3, 0x0f, 0x01, 0xc8 },        /* monitor */
                { 3, 0x0f, 0x01, 0xc9 },        /* mwait */
                { 2, 0x0f, 0x06 },              /* clts */
                { 3, 0x0f, 0x01, 0xf8 },        /* swapgs */
            };
            unsigned c = (unsigned)pick(12);
            n += fz_emit(b + n, &misc[c][1], misc[c][0]);
            if (c == 5)
                b[n++] = 0x06;
            if (c == 8 || c == 9) {                                /* monitor [rax] / mwait: no hints */
                fz_regs[R_AX] = (uint64_t)fz_scratch;
                fz_regs[R_CX] = 0;
                fz_regs[R_DX] = 0;
            }
            if (c == 9) {                                          /* mwait: wake on the timer */
                fz_pit_oneshot();
                sti = true;
                n = 0;
                n += fz_emit(b + n, (const uint8_t[]){ 0xfb, 0x0f, 0x01, 0xc9, 0xfa }, 5);
            }
            if (c == 11)
                b[n++] = 0x0f, b[n++] = 0x01, b[n++] = 0xf8;       /* swapgs back */
            break;
        }
        }
        /* Padding for a prefix that lengthens the instruction, then jmp *0(%rip) to fz_ret. */
        for (int i = 0; i < 8; i++)
            b[n++] = 0x90;
        b[n++] = 0xff, b[n++] = 0x25, b[n++] = 0, b[n++] = 0, b[n++] = 0, b[n++] = 0;
        uint64_t ret = (uint64_t)fz_ret;
        for (int i = 0; i < 8; i++)
            b[n++] = (uint8_t)(ret >> (8 * i));

        last_vector = -1;
        fixup_rip = (uint64_t)fz_ret;
        fz_run();
        fixup_rip = 0;
        __asm__ volatile("cli" ::: "memory");
        if (sti)
            o8(0x21, 0xff);
        if (last_vector >= 0) {
            faulted++;
            vectors[last_vector < 33 ? last_vector : 32]++;
        }
        if (restore_cr) {
            __asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
            __asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
            __asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
            __asm__ volatile("mov %0, %%cr8" ::"r"(0ull));
        }
        if (restore_msr) {
            try_wrmsr(0xc0000080, efer);
            try_wrmsr(0x277, pat);
        }
        if (restore_xcr0)
            __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)));
        if ((it + 1) % 10000 == 0)
            say("fuzz: %u instructions run", it + 1);
    }
    say("fuzz: done: seed=%u ran %u instructions, %u faulted, %u with random prefixes", seed, count, faulted,
        prefixed);
    char line[160];
    for (unsigned k = 0; k < FZ_KINDS; k += 6) {
        char *p = line;
        for (unsigned j = k; j < k + 6 && j < FZ_KINDS; j++) {
            for (const char *s = fz_names[j]; *s; s++)
                *p++ = *s;
            *p++ = '=';
            char tmp[20];
            int t = 0;
            uint64_t v = per_kind[j];
            do
                tmp[t++] = (char)('0' + v % 10), v /= 10;
            while (v);
            while (t)
                *p++ = tmp[--t];
            *p++ = ' ';
        }
        *p = '\0';
        say("fuzz: kinds: %s", line);
    }
    say("fuzz: vectors: #DE=%u #DB=%u #BP=%u #UD=%u #NM=%u #GP=%u #PF=%u #MF=%u #AC=%u other=%u", vectors[0],
        vectors[1], vectors[3], vectors[6], vectors[7], vectors[13], vectors[14], vectors[16], vectors[17],
        faulted - vectors[0] - vectors[1] - vectors[3] - vectors[6] - vectors[7] - vectors[13] - vectors[14] -
            vectors[16] - vectors[17]);
    guest_exit(0);
}

void attack_run(const char *t)
{
    if (page_attack(t))
        return;
    if (streq(t, "map_vmcs"))
        map_vmcs();
    else if (streq(t, "cr3_skiff"))
        cr3_to(t, info->ept_pml4, "an EPT violation on Skiff's EPT PML4 (the guest's page walk)");
    else if (streq(t, "cr3_beyond"))
        cr3_to(t, 1ull << (max_phys_bits() - 1),
              "a triple fault, as on the bare machine: unbacked memory reads all ones (reserved bits)");
    else if (streq(t, "cr3_empty")) {
        uint64_t *pml4 = (uint64_t *)(SCRATCH_PAGE + 0x1000);
        for (int i = 0; i < 512; i++)
            pml4[i] = 0;
        cr3_to(t, SCRATCH_PAGE + 0x1000, "a triple fault (nothing is mapped, not even the IDT)");
    } else if (streq(t, "cr3_garbage"))
        cr3_garbage();
    else if (streq(t, "insb_skiff") || streq(t, "outsb_skiff") || streq(t, "insb_native"))
        string_io(t);
    else if (streq(t, "insb_high") || streq(t, "outsb_high") || streq(t, "insb_hole") || streq(t, "outsb_hole") ||
             streq(t, "insb_apic"))
        string_unbacked(t);
    else if (streq(t, "print_unbacked"))
        print_unbacked();
    else if (streq(t, "movs_apic_high"))
        movs_apic_high();
    else if (streq(t, "string_pf"))
        string_pf();
    else if (streq(t, "vmx_insns"))
        vmx_insns();
    else if (streq(t, "cr4_vmxe"))
        cr4_vmxe();
    else if (streq(t, "cr0_bad"))
        cr0_bad();
    else if (streq(t, "vmx_msrs"))
        vmx_msrs();
    else if (streq(t, "efer_reserved"))
        efer_reserved();
    else if (streq(t, "host_msrs"))
        host_msrs();
    else if (streq(t, "apic_base"))
        apic_base();
    else if (streq(t, "bad_msrs"))
        bad_msrs();
    else if (streq(t, "cpuid_leaves"))
        cpuid_leaves();
    else if (streq(t, "hypercalls"))
        hypercalls();
    else if (streq(t, "init_self"))
        init_self();
    else if (streq(t, "exc_storm"))
        exc_storm();
    else if (streq(t, "nmi_self"))
        nmi_self();
    else if (streq(t, "nmi_ipi"))
        nmi_ipi();
    else if (streq(t, "nmi_wait_sipi"))
        nmi_wait_sipi();
    else if (streq(t, "apic_rename"))
        apic_rename();
    else if (streq(t, "ap_restart"))
        ap_restart();
    else if (after(t, "apic_end_"))
        apic_end(t, after(t, "apic_end_"));
    else if (streq(t, "counters"))
        counters();
    else if (streq(t, "mwait_cli"))
        mwait_cli();
    else if (streq(t, "xsetbv_bad"))
        xsetbv_bad();
    else if (streq(t, "console_port"))
        console_port();
    else if (streq(t, "forge_verdict"))
        forge_verdict();
    else if (streq(t, "msr_classes"))
        msr_classes();
    else if (streq(t, "xss_pt"))
        xss_pt();
    else if (streq(t, "port92_reset") || streq(t, "kbc_reset"))
        port_reset(t);
    else if (streq(t, "pm_off"))
        pm_off();
    else if (streq(t, "a20_off"))
        a20_off();
    else if (streq(t, "sleep_s3"))
        sleep_s3();
    else if (streq(t, "pm1_unaligned") || streq(t, "port92_word"))
        io_unaligned(t);
    else if (streq(t, "pm_move_s5") || streq(t, "pm_move_s3"))
        pm_move(t);
    else if (streq(t, "pci_data_raw"))
        pci_data_raw();
    else if (streq(t, "pci_chipset"))
        pci_chipset();
    else if (streq(t, "hpet_fsb") || streq(t, "hpet_fsb_enable"))
        hpet_fsb(t, streq(t, "hpet_fsb_enable"));
    else if (streq(t, "dlab_race"))
        dlab_race();
    else if (streq(t, "fuzz"))
        fuzz();
    else if (streq(t, "soak"))
        soak();
}
