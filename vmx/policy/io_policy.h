/*
 * Which port writes power off, reset, or put the machine to sleep, decided by
 * byte overlap.  The CPU makes an I/O instruction exit when the bitmap bit of
 * ANY port it touches is set (SDM Vol. 3C 26.1.3); Skiff must then look at
 * every byte the access writes, not just its first port: a 32-bit OUT two
 * ports below PM1a_CNT writes PM1a_CNT's high byte (SLP_EN), a word OUT to
 * 0x91 writes port 0x92.  One table row per register, with its reason; the
 * I/O bitmap is built from the same rows (every byte of every row exits).
 *
 * Pure: no VMCS, no port access; unit-tested in tests/unit/vmx/policy/test_io_policy.c.
 */
#ifndef SKIFF_VMX_IO_POLICY_H
#define SKIFF_VMX_IO_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/firmware/acpi.h"

enum io_effect { IO_PASS, IO_POWER_OFF, IO_RESET, IO_DEBUG_EXIT, IO_SLEEP };

/* How a register's written bytes are judged. */
enum io_reg_kind {
    IO_REG_PM1A_CNT,        /* ACPI PM1a control: SLP_EN with SLP_TYP (ACPI 6.4, 4.8.3.2.1) */
    IO_REG_PM1B_CNT,
    IO_REG_SLEEP_CONTROL,   /* hardware-reduced SLEEP_CONTROL_REG: SLP_TYP 4:2, SLP_EN 5 (4.8.3.7) */
    IO_REG_RESET_VALUE,     /* the FADT's RESET_REG: a write of RESET_VALUE resets (4.8.3.6) */
    IO_REG_CF9,             /* reset control register: bit 2 (reset CPU) resets */
    IO_REG_PORT92,          /* system control port A: bit 0 (fast reset) */
    IO_REG_KBC_CMD,         /* 8042 command: 0xd1 (write output port) or a pulse of the reset line */
    IO_REG_KBC_DATA,        /* 8042 data: after 0xd1, the output port; bit 0 low resets */
    IO_REG_DEBUG_EXIT,      /* QEMU isa-debug-exit (0xf4, 4 ports) */
    IO_REG_BOCHS_SHUTDOWN,  /* Bochs' "Shutdown" string port */
};

struct io_reg {
    uint16_t port;          /* first port */
    uint8_t width;          /* bytes */
    uint8_t kind;           /* enum io_reg_kind */
    uint8_t value;          /* IO_REG_RESET_VALUE: RESET_VALUE */
    bool pm1b;              /* sleep types from SLP_TYPb */
    const char *why;
    uint8_t keep;           /* bits of the row's first byte Skiff keeps set in what reaches the port */
};

#define IO_POLICY_MAX 24

/* io_policy.slot[b & 63]: no row has a byte there, or the only row that has (the exit path's lookup). */
#define IO_SLOT_NONE (-1)
#define IO_SLOT_MANY (-2)

struct io_policy {
    struct io_reg regs[IO_POLICY_MAX];
    unsigned n;
    int8_t slot[64];                /* by port & 63: IO_SLOT_NONE, a row, or IO_SLOT_MANY (scan the rows) */
    int pm1a_row;                   /* the row of this machine's PM1a_CNT, -1 = none */
    const struct acpi_info *acpi;   /* SLP_TYP values of the sleep states; NULL = none known */
    /* State of the stateful registers. */
    bool kbc_write_output;          /* the 8042's last command was 0xd1 */
    unsigned shutdown_match;        /* bytes of "Shutdown" seen in order */
};

/* What a stopping write did, for the verdict.  io_policy_out sets only the fields its answer has:
 * write on IO_PASS; reg and value on any other; sleep_state and slp_typ on a sleep request (SLP_EN). */
struct io_hit {
    const struct io_reg *reg;
    uint32_t value;                 /* the register's bytes as written (unwritten bytes 0) */
    int sleep_state;                /* IO_SLEEP: 0-4, or -1 when no state has that SLP_TYP */
    unsigned slp_typ;
    uint32_t write;                 /* IO_PASS: the value to write, with the rows' keep bits set */
};

/* The fixed rows plus those the FADT names (acpi may be NULL: no ACPI tables). */
void io_policy_init(struct io_policy *p, const struct acpi_info *acpi);
/* An OUT of size bytes (1, 2, 4) of val at port: the effect of the first row it stops at;
 * IO_PASS: hit->write is what goes to the port. */
enum io_effect io_policy_out(struct io_policy *p, uint16_t port, unsigned size, uint32_t val, struct io_hit *hit);
/* The same for a one-byte OUT, from the slot index (the exit path's call). */
enum io_effect io_policy_out_byte(struct io_policy *p, uint16_t port, uint8_t val, struct io_hit *hit);
/* The same by a scan of every row the access may reach, in table order (the reference the
 * one-byte path is tested against, and the path of wider accesses). */
enum io_effect io_policy_out_scan(struct io_policy *p, uint16_t port, unsigned size, uint32_t val, struct io_hit *hit);
/* The rows an access [port, port + size) may reach, from the slot index: IO_SLOT_NONE (no row),
 * one row's index (no other row can), or IO_SLOT_MANY (scan them all). */
int io_policy_rows_for(const struct io_policy *p, uint16_t port, unsigned size);
/* The chipset's PM block moved: PM1a_CNT is at port now (0: the block is disabled). */
void io_policy_move_pm1a(struct io_policy *p, uint16_t port);
/* True when any byte of [port, port + size) belongs to a row (the bitmap must make it exit). */
bool io_policy_covers(const struct io_policy *p, uint16_t port, unsigned size);

#endif
