/*
 * The x2APIC lock the guest sees (issue 21 item 8).  Skiff keeps the APIC in the mode the
 * firmware left it (kernel/smp/apic_mode.h).  The guest reads the CPU's lock: IA32_ARCH_CAPABILITIES
 * .XAPIC_DISABLE_STATUS (bit 21, with CPUID.(7,0):EDX[29]) and IA32_XAPIC_DISABLE_STATUS
 * .LEGACY_XAPIC_DISABLED (MSR 0xBD bit 0), read-only.  Where the firmware left x2APIC on unlocked
 * but an APIC id is above 254, the guest reads it locked too: with the DMAR hidden it has no
 * interrupt remapping, and Linux would leave x2APIC mode (x2APIC -> disabled -> xAPIC, SDM Vol. 3A
 * 11.12.5), where those CPUs cannot be addressed, or panic ("Cannot disable x2apic") when its own
 * id is one of them.  While the guest sees it locked, an IA32_APIC_BASE write that leaves x2APIC
 * mode raises #GP, as on a locked CPU (SDM Vol. 4 Table 2-2).  Pure rules: unit-tested.
 */
#ifndef SKIFF_VMX_APIC_LOCK_H
#define SKIFF_VMX_APIC_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_LOCK_ARCH_CAP_XAPIC_DISABLE_STATUS (1ull << 21)
#define APIC_LOCK_LEGACY_XAPIC_DISABLED         (1ull << 0)
#define APIC_LOCK_BASE_EXTD                     (1ull << 10)
#define APIC_LOCK_BASE_EN                       (1ull << 11)

/* The machine as Skiff found it at boot. */
struct apic_lock_host {
    bool guest_locked;           /* x2APIC mode, locked by the firmware or above xAPIC's ids (apic_mode.h) */
    bool x2apic_supported;       /* CPUID.1:ECX[21] */
    uint64_t apic_base_reserved; /* IA32_APIC_BASE bits 7:0, 9, MAXPHYADDR and up (SDM Vol. 3A 11.4.4) */
};

/* Where guest_locked, the guest's CPUID.(7,0):EDX[29] (IA32_ARCH_CAPABILITIES) is shown even where the
 * CPU lacks it (vmx/core/cpuid_view.c), so that the lock can be read. */
/* The guest's IA32_ARCH_CAPABILITIES from the CPU's (cpu_has: the CPU has the MSR); false: #GP. */
bool apic_lock_arch_caps(const struct apic_lock_host *h, bool cpu_has, uint64_t cpu_val, uint64_t *out);
/* The guest's IA32_XAPIC_DISABLE_STATUS from the CPU's; false: #GP. */
bool apic_lock_disable_status(const struct apic_lock_host *h, bool cpu_has, uint64_t cpu_val, uint64_t *out);
/* An IA32_APIC_BASE write from old to val the guest may make: same base, a valid mode change
 * (SDM Vol. 3A 11.12.5), and x2APIC mode never left while the guest sees it locked. */
bool apic_lock_base_write_ok(const struct apic_lock_host *h, uint64_t old, uint64_t val);

#endif
