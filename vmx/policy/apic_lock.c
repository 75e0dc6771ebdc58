/* The x2APIC lock the guest sees (vmx/policy/apic_lock.h). */
#include "vmx/policy/apic_lock.h"

bool apic_lock_arch_caps(const struct apic_lock_host *h, bool cpu_has, uint64_t cpu_val, uint64_t *out)
{
    if (!cpu_has && !h->guest_locked)
        return false;                             /* no such MSR, as on the CPU */
    *out = (cpu_has ? cpu_val : 0) | (h->guest_locked ? APIC_LOCK_ARCH_CAP_XAPIC_DISABLE_STATUS : 0);
    return true;
}

bool apic_lock_disable_status(const struct apic_lock_host *h, bool cpu_has, uint64_t cpu_val, uint64_t *out)
{
    if (h->guest_locked) {
        *out = (cpu_has ? cpu_val : 0) | APIC_LOCK_LEGACY_XAPIC_DISABLED;
        return true;
    }
    if (!cpu_has)
        return false;
    *out = cpu_val;                               /* the CPU's word: unlocked here */
    return true;
}

bool apic_lock_base_write_ok(const struct apic_lock_host *h, uint64_t old, uint64_t val)
{
    const uint64_t en = APIC_LOCK_BASE_EN, extd = APIC_LOCK_BASE_EXTD;
    if ((val & h->apic_base_reserved) || ((val ^ old) & ~(en | extd)))
        return false;                             /* reserved bits, a new base or BSP flag */
    if ((val & extd) && (!h->x2apic_supported || !(val & en)))
        return false;                             /* no x2APIC, or the invalid state EXTD without EN */
    if ((old & extd) && (old & en) && (val & en) && !(val & extd))
        return false;                             /* x2APIC -> xAPIC */
    if (!(old & en) && (val & extd))
        return false;                             /* disabled -> x2APIC */
    if (h->guest_locked && (old & extd) && (old & en) && (val & (en | extd)) != (en | extd))
        return false;                             /* leaving a locked x2APIC (SDM Vol. 4 Table 2-2) */
    return true;
}
