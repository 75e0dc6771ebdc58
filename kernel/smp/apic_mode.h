/*
 * The local APIC's mode as the firmware left it (SDM Vol. 3A 11.4.4, 11.12.1), read once on the
 * BSP before Skiff uses the APIC, and the x2APIC lock: IA32_XAPIC_DISABLE_STATUS (MSR 0xBD) exists
 * when CPUID.(7,0):EDX[29] (IA32_ARCH_CAPABILITIES) and IA32_ARCH_CAPABILITIES bit 21
 * (XAPIC_DISABLE_STATUS) say so; its bit 0 (LEGACY_XAPIC_DISABLED) means the firmware locked the
 * APIC in x2APIC mode: leaving it raises #GP (SDM Vol. 4, Table 2-2).
 */
#ifndef SKIFF_KERNEL_SMP_APIC_MODE_H
#define SKIFF_KERNEL_SMP_APIC_MODE_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_APIC_BASE              0x1b
#define MSR_IA32_ARCH_CAPABILITIES      0x10a
#define MSR_IA32_XAPIC_DISABLE_STATUS   0xbd
#define APIC_BASE_EXTD                  (1ull << 10)   /* x2APIC mode (11.12.1) */
#define APIC_BASE_EN                    (1ull << 11)   /* APIC global enable (11.4.3) */
#define ARCH_CAP_XAPIC_DISABLE_STATUS   (1ull << 21)
#define XAPIC_DISABLE_STATUS_LEGACY_XAPIC_DISABLED (1ull << 0)
#define CPUID1_ECX_X2APIC               (1u << 21)
#define CPUID7_EDX_ARCH_CAPABILITIES    (1u << 29)

enum apic_mode { APIC_MODE_DISABLED = 0, APIC_MODE_XAPIC, APIC_MODE_X2APIC };

/* What the firmware left on the BSP (apic_mode_init), and what the guest is told. */
struct apic_firmware_state {
    enum apic_mode mode;
    bool lock_reported;          /* IA32_XAPIC_DISABLE_STATUS exists */
    bool locked;                 /* ... and LEGACY_XAPIC_DISABLED is set */
    uint32_t max_apic_id;        /* the highest of the MADT's enabled CPUs (the BSP's without a MADT) */
    bool guest_locked;           /* the guest reads x2APIC mode as locked (vmx/policy/apic_lock.h) */
};
extern struct apic_firmware_state apic_firmware;

/* Whether the guest reads x2APIC mode as locked: the firmware locked it, or an APIC id is above
 * the xAPIC's 254 (0xFF is the broadcast, SDM Vol. 3A 11.12.8) and the guest has no interrupt
 * remapping to reach it otherwise (vmx/policy/apic_lock.h). */
static inline bool apic_guest_locked(enum apic_mode mode, bool locked, uint32_t max_apic_id)
{
    return mode == APIC_MODE_X2APIC && (locked || max_apic_id > 0xfe);
}

/* selftest=firmware_x2apic: every AP turns x2APIC mode on first thing, as the BSP did. */
extern bool apic_selftest_firmware_x2apic;

/* The mode IA32_APIC_BASE value base selects (DISABLED for EN clear; EXTD without EN is invalid). */
static inline enum apic_mode apic_mode_of(uint64_t base)
{
    if (!(base & APIC_BASE_EN))
        return APIC_MODE_DISABLED;
    return (base & APIC_BASE_EXTD) ? APIC_MODE_X2APIC : APIC_MODE_XAPIC;
}
/* Read this CPU's mode and lock into apic_firmware, decide the guest's lock, print `skiff: apic: ...`
 * (the BSP, once, after the MADT was read). */
void apic_mode_init(void);
/* The lock as this CPU reports it (false where the MSR does not exist). */
bool apic_x2apic_locked(void);
/* selftest=firmware_x2apic: put this CPU's APIC in x2APIC mode as firmware may (xAPIC -> x2APIC,
 * 11.12.5); false where the CPU has no x2APIC or the write failed. */
bool apic_enable_x2apic_like_firmware(void);

#endif
