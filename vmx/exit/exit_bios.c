/*
 * guest=chain: the BIOS memory calls Skiff answers from the guest's e820 map,
 * and the chain stub's reports (layout and mechanism in vmx/exit/bios_hook.h).
 *
 * The answers follow the calls' public definitions (ACPI 6.x "INT 15H, E820H -
 * Query System Address Map"; Ralf Brown's list for E801h, E881h, 88h, INT 12h):
 *   E820h: EDX = 'SMAP', EBX = continuation (Skiff's: the entry's index, 0 after
 *          the last), ECX >= 20, ES:DI the buffer.  Skiff writes 20-byte entries
 *          (base, length, type; no ACPI 3.0 attribute dword), returns EAX = 'SMAP',
 *          ECX = 20, EBX = next index or 0 after the last, CF clear; a bad
 *          continuation, signature, size or buffer: CF set, AH = 86h.
 *   E801h: AX = CX = KiB of RAM contiguous from 1 MiB, at most 15 MiB (3C00h);
 *          BX = DX = 64 KiB blocks of RAM contiguous from 16 MiB, below 4 GiB.
 *   E881h: the same in EAX/EBX/ECX/EDX.
 *   88h:   AX = KiB of RAM contiguous from 1 MiB, at most FC00h (63 MiB: the CMOS extended-memory
 *          word's cap, which the Bochs BIOS and many others answer from).
 *   INT 12h: AX = KiB of base memory, the word Skiff also writes to BDA 0x413.
 * "RAM" is E820_RAM in the guest map: Skiff's pages are E820_RESERVED there,
 * so every answer leaves them out.
 */
#include "vmx/exit/bios_hook.h"

#include "kernel/console/console.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/emulate/guest_mem.h"
#include "vmx/exit/int13_status.h"
#include "vmx/vcpu/vcpu_ops.h"

struct bios_hook bios_hook;

#define SMAP      0x534d4150u
#define FLAGS_CF  1u
#define MIB       0x100000ull

/* Bytes of E820_RAM contiguous from `from` (merging adjacent RAM entries), up to `limit`. */
static uint64_t ram_run(uint64_t from, uint64_t limit)
{
    const struct guest_memmap *m = bios_hook.map;
    uint64_t at = from;
    for (size_t i = 0; i < m->n; i++) {
        uint64_t b = m->e[i].base, e = b + m->e[i].len;
        if (m->e[i].type == E820_RAM && b <= at && e > at)
            at = e;
    }
    return (at < limit ? at : limit) - from;
}

/* The CF of the FLAGS image the INT pushed: IP, CS, FLAGS at SS:SP (SDM Vol. 3A 20.1.4). */
static bool set_caller_cf(bool cf)
{
    uint64_t sp = vmcs_read_fast(GUEST_RSP) & 0xffff;
    uint64_t at = vmcs_read_fast(GUEST_SS_BASE) + ((sp + 4) & 0xffff);
    uint16_t fl;
    if (!guest_read(at, &fl, 2))
        return false;
    fl = (uint16_t)(cf ? fl | FLAGS_CF : fl & ~FLAGS_CF);
    return guest_write(at, &fl, 2);
}

static void set16(uint64_t *reg, uint64_t v) { *reg = (*reg & ~0xffffull) | (v & 0xffff); }
static void set32(uint64_t *reg, uint64_t v) { *reg = v & 0xffffffffull; }

/* E820h; returns whether CF is set for the caller. */
static bool answer_e820(struct guest_regs *r)
{
    const struct guest_memmap *m = bios_hook.map;
    uint32_t idx = (uint32_t)r->rbx;
    bios_hook.e820_calls++;
    if ((uint32_t)r->rdx != SMAP || (uint32_t)r->rcx < 20 || idx >= m->n) {
        set16(&r->rax, 0x8600);
        return true;
    }
    uint8_t e[20];
    uint64_t base = m->e[idx].base, len = m->e[idx].len;
    uint32_t type = m->e[idx].type;
    for (int i = 0; i < 8; i++) {
        e[i] = (uint8_t)(base >> (8 * i));
        e[8 + i] = (uint8_t)(len >> (8 * i));
    }
    for (int i = 0; i < 4; i++)
        e[16 + i] = (uint8_t)(type >> (8 * i));
    uint64_t buf = vmcs_read_fast(GUEST_ES_BASE) + (r->rdi & 0xffff);
    if (!guest_write(buf, e, sizeof(e))) {
        set16(&r->rax, 0x8600);
        return true;
    }
    set32(&r->rax, SMAP);
    set32(&r->rcx, 20);
    set32(&r->rbx, idx + 1 < m->n ? idx + 1 : 0);
    return false;
}

static enum exit_action resume_at(struct vcpu *v, unsigned off)
{
    vmcs_write_fast(GUEST_RIP, v->guest_rip + off);
    return EXIT_RESUME;
}

static enum exit_action hook15(struct vcpu *v)
{
    struct guest_regs *r = &v->regs;
    uint16_t ax = (uint16_t)r->rax;
    uint64_t ext1 = ram_run(MIB, 1ull << 32) >> 10, above16 = ram_run(16 * MIB, 1ull << 32) >> 16;
    bool cf = false;

    if (ax == 0xe820) {
        cf = answer_e820(r);
    } else if (ax == 0xe801 || ax == 0xe881) {
        uint64_t low = ext1 < 0x3c00 ? ext1 : 0x3c00, high = ext1 >= 0x3c00 ? above16 : 0;
        bios_hook.e801_calls++;
        if (ax == 0xe801) {
            high = high < 0xffff ? high : 0xffff;
            set16(&r->rax, low);
            set16(&r->rcx, low);
            set16(&r->rbx, high);
            set16(&r->rdx, high);
        } else {
            set32(&r->rax, low);
            set32(&r->rcx, low);
            set32(&r->rbx, high);
            set32(&r->rdx, high);
        }
    } else if ((ax >> 8) == 0x88) {
        bios_hook.e88_calls++;
        set16(&r->rax, ext1 < 0xfc00 ? ext1 : 0xfc00);
    } else {
        bios_hook.chained++;
        return resume_at(v, 4);            /* the BIOS's own handler, the INT's frame untouched */
    }
    if (!set_caller_cf(cf))
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: chain: INT 15h from a stack outside guest RAM "
                         "(SS:SP 0x%llx:0x%llx)", (unsigned long long)(vmcs_read_fast(GUEST_SS_BASE) >> 4),
                         (unsigned long long)(vmcs_read_fast(GUEST_RSP) & 0xffff));
    return resume_at(v, 3);                /* the IRET after the VMCALL */
}

/* The chain stub's verdicts (guest/loader/chain_stub.S). */
static enum exit_action report(struct vcpu *v, unsigned off)
{
    uint8_t ah = (uint8_t)(v->regs.rax >> 8);
    switch (off) {
    case BIOS_HOOK_LOADED:
        pr_info("skiff: chain: drive 0x%02x: boot sector read with INT 13h AH=02h, signature 0x55AA; "
                "entering 0000:7C00 with DL=0x%02x\n", bios_hook.drive, bios_hook.drive);
        return resume_at(v, 3);
    case BIOS_HOOK_NO_DRIVE:
        kprintf("skiff: error: chain: no such drive 0x%02x (INT 13h AH=08h: CF set, status 0x%02x: %s)\n",
                bios_hook.drive, ah, int13_status_name(ah));
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: chain-boot failed: no such drive");
    case BIOS_HOOK_READ_FAILED:
        kprintf("skiff: error: chain: drive 0x%02x: INT 13h read of the boot sector failed: status 0x%02x "
                "(%s; AH=02h, 3 tries with a reset between)\n", bios_hook.drive, ah, int13_status_name(ah));
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: chain-boot failed: read error");
    case BIOS_HOOK_NO_SIG:
        kprintf("skiff: error: chain: drive 0x%02x: no boot signature (0x55AA) at the end of its "
                "boot sector\n", bios_hook.drive);
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: chain-boot failed: no boot signature");
    default:
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: chain: VMCALL at an unknown hook-page offset 0x%x",
                         off);
    }
}

enum exit_action bios_hook_vmcall(struct vcpu *v, uint64_t cs_base)
{
    unsigned off = (unsigned)(cs_base + v->guest_rip - bios_hook.page);
    if (off == BIOS_HOOK_HOOK15)
        return hook15(v);
    if (off == BIOS_HOOK_HOOK12) {
        bios_hook.int12_calls++;
        set16(&v->regs.rax, bios_hook.base_kib);
        return resume_at(v, 3);
    }
    return report(v, off);
}

void bios_hook_print_counts(void)
{
    if (!bios_hook.page)
        return;
    kprintf("skiff: chain: BIOS calls answered: E820h=%llu E801h/E881h=%llu 88h=%llu INT12h=%llu; "
            "other INT 15h functions passed to the BIOS=%llu\n",
            (unsigned long long)bios_hook.e820_calls, (unsigned long long)bios_hook.e801_calls,
            (unsigned long long)bios_hook.e88_calls, (unsigned long long)bios_hook.int12_calls,
            (unsigned long long)bios_hook.chained);
}
