/* Power, sleep and reset ports, decided byte by byte (vmx/policy/io_policy.h). */
#include "vmx/policy/io_policy.h"

#include <stddef.h>

/* The rows every PC-compatible machine may have, whatever its firmware says. */
static const struct io_reg fixed_rows[] = {
    { 0xcf9, 1, IO_REG_CF9, 0, false, "reset control register (PIIX/ICH/PCH)", 0 },
    /* Bit 1 of port 0x92 and of the 8042's output port gates address line 20.  A20M is blocked in
     * VMX operation (SDM Vol. 3C 23.8), so on the CPU clearing it changes nothing; Bochs masks
     * address bit 20 anyway, also for Skiff, whose stacks and tables then alias other pages (a
     * host triple fault, found by the platform fuzzer).  Skiff keeps the bit set. */
    { 0x92, 1, IO_REG_PORT92, 0, false, "system control port A, fast reset; A20 kept on", 0x02 },
    { 0x64, 1, IO_REG_KBC_CMD, 0, false, "8042 command: reset pulse, write output port", 0 },
    { 0x60, 1, IO_REG_KBC_DATA, 0, false, "8042 data: output port after 0xd1; A20 kept on", 0x02 },
    { 0xf4, 4, IO_REG_DEBUG_EXIT, 0, false, "QEMU isa-debug-exit", 0 },
    { 0x8900, 1, IO_REG_BOCHS_SHUTDOWN, 0, false, "Bochs shutdown port", 0 },
    /* The chipsets' own PM1a_CNT where no FADT names it: PIIX4 (Bochs, QEMU pc) and ICH9 (QEMU q35). */
    { 0xb004, 2, IO_REG_PM1A_CNT, 0, false, "PM1a_CNT of the PIIX4 PM block (Bochs, QEMU pc)", 0 },
    { 0x604, 2, IO_REG_PM1A_CNT, 0, false, "PM1a_CNT of the ICH9 PM block (QEMU q35)", 0 },
};

static void add_row(struct io_policy *p, struct io_reg r)
{
    if (p->n < IO_POLICY_MAX && r.port && (uint32_t)r.port + r.width <= 0x10000)
        p->regs[p->n++] = r;
}

/* The slot index: which row, if only one, has a byte whose port & 63 is the slot.  Rebuilt whenever
 * a row is added or moved, so an OUT of one byte finds its row (or none) without scanning them. */
static void slots_build(struct io_policy *p)
{
    for (unsigned s = 0; s < 64; s++)
        p->slot[s] = IO_SLOT_NONE;
    for (unsigned i = 0; i < p->n; i++)
        for (unsigned k = 0; k < p->regs[i].width; k++) {
            int8_t *s = &p->slot[(p->regs[i].port + k) & 63];
            *s = *s == IO_SLOT_NONE || *s == (int8_t)i ? (int8_t)i : IO_SLOT_MANY;
        }
}

void io_policy_init(struct io_policy *p, const struct acpi_info *acpi)
{
    *p = (struct io_policy){ .acpi = acpi };
    /* The FADT's rows first: they say what this machine's registers are. */
    if (acpi) {
        add_row(p, (struct io_reg){ acpi->pm1a_cnt, 2, IO_REG_PM1A_CNT, 0, false, "FADT PM1a_CNT_BLK", 0 });
        add_row(p, (struct io_reg){ acpi->pm1b_cnt, 2, IO_REG_PM1B_CNT, 0, true, "FADT PM1b_CNT_BLK", 0 });
        if (acpi->sleep_ctl_space == ACPI_SPACE_IO && acpi->sleep_ctl_addr <= 0xffff)
            add_row(p, (struct io_reg){ (uint16_t)acpi->sleep_ctl_addr, 1, IO_REG_SLEEP_CONTROL, 0, false,
                                        "FADT SLEEP_CONTROL_REG (hardware-reduced ACPI)", 0 });
        if (acpi->has_reset && acpi->reset_space == ACPI_SPACE_IO && acpi->reset_addr != 0xcf9)
            add_row(p, (struct io_reg){ (uint16_t)acpi->reset_addr, 1, IO_REG_RESET_VALUE, acpi->reset_value,
                                        false, "FADT RESET_REG", 0 });
    }
    for (size_t i = 0; i < sizeof(fixed_rows) / sizeof(fixed_rows[0]); i++)
        add_row(p, fixed_rows[i]);
    p->pm1a_row = -1;
    for (unsigned i = 0; i < p->n && p->pm1a_row < 0; i++)
        if (p->regs[i].kind == IO_REG_PM1A_CNT)
            p->pm1a_row = (int)i;
    slots_build(p);
}

void io_policy_move_pm1a(struct io_policy *p, uint16_t port)
{
    if (p->pm1a_row < 0 || !port || port > 0xfffe)
        return;                     /* a disabled block decodes nothing: the old row stays, harmless */
    struct io_reg *r = &p->regs[p->pm1a_row];
    r->port = port;
    r->why = "PM1a_CNT where the guest moved the chipset's PM block";
    slots_build(p);
}

/* The bytes of an access [port, port + size) of val that land in reg, shifted to the
 * register's own offsets; *mask says which of the register's bytes were written. */
static bool overlap(const struct io_reg *r, uint16_t port, unsigned size, uint32_t val, uint32_t *bytes,
                    uint32_t *mask)
{
    uint32_t lo = port > r->port ? port : r->port;
    uint32_t end = (uint32_t)port + size, reg_end = (uint32_t)r->port + r->width;
    uint32_t hi = end < reg_end ? end : reg_end;
    if (lo >= hi) {
        *bytes = *mask = 0;
        return false;
    }
    /* At most 4 bytes land, at register offset lo - r->port (their sum stays within the width). */
    uint32_t m = (uint32_t)((1ull << (8 * (hi - lo))) - 1);
    *bytes = ((val >> (8 * (lo - port))) & m) << (8 * (lo - r->port));
    *mask = m << (8 * (lo - r->port));
    return true;
}

/* SLP_EN in a sleep request: S5 powers off, any other state is a sleep (out of line: the guest stops). */
static __attribute__((cold, noinline)) enum io_effect sleep_effect(const struct io_policy *p, bool pm1b, unsigned slp_typ, struct io_hit *hit)
{
    static const struct acpi_info no_tables;
    hit->slp_typ = slp_typ & 7;
    hit->sleep_state = acpi_sleep_state(p->acpi ? p->acpi : &no_tables, pm1b, hit->slp_typ);
    return hit->sleep_state == 5 ? IO_POWER_OFF : IO_SLEEP;
}

static inline __attribute__((always_inline)) enum io_effect reg_effect(struct io_policy *p, const struct io_reg *r,
                                                                      uint32_t v, uint32_t mask, struct io_hit *hit)
{
    static const char shutdown[] = "Shutdown";

    switch (r->kind) {
    case IO_REG_PM1A_CNT:
    case IO_REG_PM1B_CNT:
        /* SLP_TYP (12:10) and SLP_EN (13) sit in the high byte: a write that reaches it decides. */
        if ((mask & 0xff00) && (v & ACPI_PM1_SLP_EN))
            return sleep_effect(p, r->pm1b, v >> ACPI_PM1_SLP_TYP_SHIFT, hit);
        return IO_PASS;
    case IO_REG_SLEEP_CONTROL:
        return (v & (1u << 5)) ? sleep_effect(p, false, v >> 2, hit) : IO_PASS;
    case IO_REG_RESET_VALUE:
        return (v & 0xff) == r->value ? IO_RESET : IO_PASS;
    case IO_REG_CF9:
        return (v & 0x04) ? IO_RESET : IO_PASS;
    case IO_REG_PORT92:
        return (v & 0x01) ? IO_RESET : IO_PASS;
    case IO_REG_KBC_CMD:
        p->kbc_write_output = (v & 0xff) == 0xd1;
        /* 0xf0-0xff pulse the output lines whose bits are 0; bit 0 is the reset line. */
        return (v & 0xf1) == 0xf0 ? IO_RESET : IO_PASS;
    case IO_REG_KBC_DATA:
        if (!p->kbc_write_output)
            return IO_PASS;
        p->kbc_write_output = false;
        return (v & 1) ? IO_PASS : IO_RESET;
    case IO_REG_DEBUG_EXIT:
        return IO_DEBUG_EXIT;
    case IO_REG_BOCHS_SHUTDOWN:
        p->shutdown_match = (char)v == shutdown[p->shutdown_match] ? p->shutdown_match + 1
                            : (char)v == 'S'                        ? 1 : 0;
        if (p->shutdown_match == sizeof(shutdown) - 1) {
            p->shutdown_match = 0;
            return IO_POWER_OFF;
        }
        return IO_PASS;
    }
    return IO_PASS;
}

int io_policy_rows_for(const struct io_policy *p, uint16_t port, unsigned size)
{
    int only = IO_SLOT_NONE;
    for (unsigned i = 0; i < size && only != IO_SLOT_MANY; i++) {
        int s = p->slot[(port + i) & 63];
        only = only == IO_SLOT_NONE || only == s ? s : s == IO_SLOT_NONE ? only : IO_SLOT_MANY;
    }
    return only;
}

/* Row r took bytes v (mask: which of its bytes) of an access at port: the keep bits, then the verdict. */
static inline __attribute__((always_inline)) enum io_effect row_out(struct io_policy *p, const struct io_reg *r, uint16_t port, uint32_t v,
                                     uint32_t mask, struct io_hit *hit)
{
    /* The 8042's data port is its output port only right after command 0xd1. */
    if (r->keep && r->port >= port && (r->kind != IO_REG_KBC_DATA || p->kbc_write_output))
        hit->write |= (uint32_t)r->keep << (8 * (r->port - port));
    hit->reg = r;                    /* for a verdict; stored first, so a sleep request is a tail call */
    hit->value = v;
    return reg_effect(p, r, v, mask, hit);
}

/* The rows an access of several bytes, or a byte whose slot several rows share, may reach: in table order. */
enum io_effect io_policy_out_scan(struct io_policy *p, uint16_t port, unsigned size, uint32_t val, struct io_hit *hit)
{
    hit->write = val;
    int only = io_policy_rows_for(p, port, size);
    if (only == IO_SLOT_NONE)
        return IO_PASS;
    unsigned first = only >= 0 ? (unsigned)only : 0, end = only >= 0 ? first + 1 : p->n;
    /* A dword at 0xcf8 is PCI CONFIG_ADDRESS, never the reset register (PCI 3.0, 3.2.2.3.2). */
    bool config_address = port == 0xcf8 && size == 4;
    for (unsigned i = first; i < end; i++) {
        const struct io_reg *r = &p->regs[i];
        uint32_t v, mask;
        if (!overlap(r, port, size, val, &v, &mask) || (config_address && r->kind == IO_REG_CF9))
            continue;
        enum io_effect e = row_out(p, r, port, v, mask, hit);
        if (e != IO_PASS)
            return e;
    }
    return IO_PASS;
}

/* Byte off of row r took val: row_out for one byte (a call of its own: few values live, no registers
 * to save).  Only the row's first byte has keep bits, as in row_out. */
static inline __attribute__((always_inline)) enum io_effect row_byte(struct io_policy *p,
    const struct io_reg *r, uint32_t val, unsigned off, struct io_hit *hit)
{
    uint32_t v = val << (8 * off);
    if (r->keep && off == 0 && (r->kind != IO_REG_KBC_DATA || p->kbc_write_output))
        hit->write |= r->keep;
    hit->reg = r;
    hit->value = v;
    return reg_effect(p, r, v, 0xffu << (8 * off), hit);
}

/* The exit path's call, once per intercepted one-byte OUT (make bench counts it): a byte whose slot
 * names one row or none is decided here, with no scan; a slot several rows share goes to the scan. */
__attribute__((hot, optimize("omit-frame-pointer"))) enum io_effect io_policy_out_byte(struct io_policy *p,
    uint16_t port, uint8_t val, struct io_hit *hit)
{
    hit->write = val;
    int only = p->slot[port & 63];
    if (only == IO_SLOT_NONE)
        return IO_PASS;
    if (__builtin_expect(only < 0, 0))
        return io_policy_out_scan(p, port, 1, val, hit);
    const struct io_reg *r = &p->regs[only];
    __asm__("" : "+r"(r));               /* the row's address once, not derived again from only */
    unsigned off = (unsigned)port - r->port;
    return off < r->width ? row_byte(p, r, val, off, hit) : IO_PASS;
}

enum io_effect io_policy_out(struct io_policy *p, uint16_t port, unsigned size, uint32_t val, struct io_hit *hit)
{
    if (size == 1)
        return io_policy_out_byte(p, port, (uint8_t)val, hit);
    return io_policy_out_scan(p, port, size, val, hit);
}

bool io_policy_covers(const struct io_policy *p, uint16_t port, unsigned size)
{
    for (unsigned i = 0; i < p->n; i++) {
        uint32_t v, mask;
        if (overlap(&p->regs[i], port, size, 0, &v, &mask))
            return true;
    }
    return false;
}
