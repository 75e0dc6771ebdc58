/*
 * The APIC mode the firmware left (kernel/smp/apic_mode.h).  Skiff never changes it: leaving
 * x2APIC mode passes through the disabled state, which resets the APIC (SDM Vol. 3A 11.12.5),
 * is refused on a locked CPU, and on some implementations (Bochs 2.7) cannot be left again; its
 * own IPIs follow whatever mode IA32_APIC_BASE shows (kernel/smp/smp.c).  The guest reads the
 * firmware's lock, and a lock where x2APIC mode cannot be left without losing CPUs: an APIC id
 * above 254, which the xAPIC cannot address (11.12.8), with no interrupt remapping for the guest
 * (the DMAR is hidden).  The rules the guest meets: vmx/policy/apic_lock.h.
 */
#include "kernel/smp/apic_mode.h"

#include "kernel/acpi/acpi_power.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/extable.h"

struct apic_firmware_state apic_firmware;
bool apic_selftest_firmware_x2apic;

static bool lock_reported(void)
{
    uint64_t caps;
    if (cpuid(0, 0).eax < 7 || !(cpuid(7, 0).edx & CPUID7_EDX_ARCH_CAPABILITIES))
        return false;
    return rdmsr_safe(MSR_IA32_ARCH_CAPABILITIES, &caps) && (caps & ARCH_CAP_XAPIC_DISABLE_STATUS);
}

bool apic_x2apic_locked(void)
{
    uint64_t st;
    return lock_reported() && rdmsr_safe(MSR_IA32_XAPIC_DISABLE_STATUS, &st) &&
           (st & XAPIC_DISABLE_STATUS_LEGACY_XAPIC_DISABLED);
}

bool apic_enable_x2apic_like_firmware(void)
{
    uint64_t base;
    if (!(cpuid(1, 0).ecx & CPUID1_ECX_X2APIC) || !rdmsr_safe(MSR_IA32_APIC_BASE, &base))
        return false;
    if (apic_mode_of(base) == APIC_MODE_X2APIC)
        return true;
    return apic_mode_of(base) == APIC_MODE_XAPIC && wrmsr_safe(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD) &&
           rdmsr_safe(MSR_IA32_APIC_BASE, &base) && apic_mode_of(base) == APIC_MODE_X2APIC;
}

void apic_mode_init(void)
{
    struct apic_firmware_state *f = &apic_firmware;
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    f->mode = apic_mode_of(base);
    f->lock_reported = lock_reported();
    f->locked = apic_x2apic_locked();
    f->max_apic_id = f->mode == APIC_MODE_X2APIC ? (uint32_t)rdmsr(0x802) : 0;   /* x2APIC ID register */
    if (acpi_host_ok && acpi_host.madt_status == ACPI_TABLE_OK) {
        unsigned n = acpi_host.ncpus < ACPI_MAX_CPUS ? acpi_host.ncpus : ACPI_MAX_CPUS;
        for (unsigned i = 0; i < n; i++)
            if (acpi_host.apic_ids[i] > f->max_apic_id)
                f->max_apic_id = acpi_host.apic_ids[i];
    }
    f->guest_locked = apic_guest_locked(f->mode, f->locked, f->max_apic_id);
    if (f->mode == APIC_MODE_X2APIC && f->locked)
        pr_info("skiff: apic: x2APIC on (locked by the firmware): kept; the guest reads the lock "
                "(IA32_XAPIC_DISABLE_STATUS) and has no interrupt remapping\n");
    else if (f->mode == APIC_MODE_X2APIC && f->guest_locked)
        pr_info("skiff: apic: x2APIC on (left on by the firmware, not locked; APIC ids up to %u, beyond xAPIC's "
                "254): kept; the guest reads it locked (IA32_XAPIC_DISABLE_STATUS)\n", f->max_apic_id);
    else if (f->mode == APIC_MODE_X2APIC)
        pr_info("skiff: apic: x2APIC on (left on by the firmware, not locked): kept; the guest may return to "
                "xAPIC mode (Linux does without interrupt remapping)\n");
    else if (f->mode == APIC_MODE_XAPIC)
        pr_info("skiff: apic: xAPIC (as the firmware left it)\n");
    else
        pr_info("skiff: apic: disabled by the firmware (IA32_APIC_BASE bit 11 clear)\n");
}
