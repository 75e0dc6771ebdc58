/*
 * The VMCS checker on real hardware state: snapshot every field of the
 * current VMCS with VMREAD (fields this CPU lacks are simply absent), add
 * the CPU facts from CPUID and the capability MSRs, and run the checks.
 */
#include "vmx/check/vmcheck_live.h"

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/mem/memory.h"
#include "vmx/check/vmcheck.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"

enum vmcheck_mode vmcheck_mode;
static struct spinlock vmcheck_lock;     /* one snapshot buffer for all CPUs */

static bool snap_read(uint32_t enc, uint64_t *val) { return vmx_vmread(enc, val) == VMX_OK; }

static bool read_phys64(uint64_t pa, uint64_t *val)
{
    if (pa >= (1ull << 46))
        return false;
    *val = *(volatile uint64_t *)pa;    /* identity map of all RAM */
    return true;
}

/*
 * The snapshot kept between checks, one per CPU (each CPU has one current
 * VMCS).  A re-check reads again only what can change without vmcs_set():
 * vmcs_field_changes_unseen() (vmx/core/vmcs.c).  Every other field is
 * Skiff's alone and changes only through vmcs_set(), which marks this CPU's
 * snapshot stale (kernel/cpu/percpu.h); a stale snapshot, another
 * current VMCS or vmcheck=always reads every field.  Under nested KVM each
 * VMREAD of a field KVM does not shadow is one more exit to L0 (make bench).
 */
struct vmcheck_cached {
    struct vmcs_snapshot snap;
    uint64_t vmcs;                       /* the VMCS it was filled from; 0: none yet */
};
static struct vmcheck_cached *vmcheck_cache;
static unsigned vmcheck_cache_cpus;

/*
 * vmcheck=always: the kept snapshot against every field read now.  A field kept
 * between checks (not read again) that the VMCS no longer holds is a change
 * made outside vmcs_set() that vmcs_field_changes_unseen() does not know: named,
 * and the entry refused.  Returns the fields that differ.
 */
static size_t vmcheck_kept_missed(const struct vmcs_snapshot *kept, struct vmcs_snapshot *now)
{
    size_t missed = 0;
    vmcs_snap_fill(now, snap_read);
    for (unsigned i = 0; i < vmcs_field_count; i++) {
        uint32_t enc = vmcs_field_table[i].encoding;
        if (vmcs_field_changes_unseen(enc) || vmcs_field_type(enc) == VMCS_TYPE_EXIT_INFO)
            continue;                            /* read again anyway; exit information is not checked */
        if (vmcs_snap_has(kept, enc) == vmcs_snap_has(now, enc) &&
            vmcs_snap_get(kept, enc) == vmcs_snap_get(now, enc))
            continue;
        kprintf("skiff: vmcheck: the kept snapshot missed a change of %s (0x%llx kept, 0x%llx in the VMCS): "
                "it changed outside vmcs_set and vmcs_field_changes_unseen does not name it\n",
                vmcs_field_name(enc), (unsigned long long)vmcs_snap_get(kept, enc),
                (unsigned long long)vmcs_snap_get(now, enc));
        missed++;
    }
    return missed;
}

void vmcheck_cache_init(unsigned ncpu)
{
    if (vmcheck_mode == VMCHECK_OFF || !ncpu)
        return;
    unsigned pages = (unsigned)((ncpu * sizeof(struct vmcheck_cached) + PAGE_SIZE - 1) / PAGE_SIZE);
    vmcheck_cache = phys_to_virt(alloc_pages(pages, "VMCS checker: one snapshot per CPU, kept between checks"));
    vmcheck_cache_cpus = ncpu;
    for (unsigned c = 0; c < ncpu; c++)
        vmcheck_cache[c].vmcs = 0;
}

unsigned vmcheck_current(const char *when)
{
    static struct vmcs_snapshot shared;          /* 2 KiB: off the exit stack; CPUs without a cache */
    static struct vmcheck_violation v[16];
    /* The CPU facts, asked once: under nested KVM each CPUID is one more exit to L0 (make bench). */
    static struct cpuid_regs r, l7;
    static bool asked;
    if (!__atomic_load_n(&asked, __ATOMIC_ACQUIRE)) {
        r = cpuid(0x80000008, 0);                /* every CPU gets the same answers: a race is harmless */
        l7 = cpuid(7, 0);
        __atomic_store_n(&asked, true, __ATOMIC_RELEASE);
    }
    uint64_t cur = 0;
    struct vmcheck_env env = {
        .caps = &vmx_caps,
        .maxphyaddr = r.eax & 0xff,
        .linaddr_bits = (r.eax >> 8) & 0xff,
        .cet_supported = (l7.ecx & (1u << 7)) || (l7.edx & (1u << 20)),
        .read_phys64 = read_phys64,
    };
    vmx_vmptrst(&cur);
    env.current_vmcs = cur;
    spin_lock(&vmcheck_lock);

    struct percpu *pc = this_cpu();
    struct vmcheck_cached *c = pc->cpu < vmcheck_cache_cpus ? &vmcheck_cache[pc->cpu] : 0;
    struct vmcs_snapshot *snap = c ? &c->snap : &shared;
    size_t missed = 0;
    if (c && c->vmcs == cur && cur && !pc->vmcheck_stale) {
        vmcs_snap_refresh(snap, snap_read, vmcs_field_changes_unseen);
        if (vmcheck_mode == VMCHECK_ALWAYS) {
            missed = vmcheck_kept_missed(snap, &shared);
            snap = &shared;                      /* the check itself runs on what the VMCS holds */
        }
    } else {
        vmcs_snap_fill(snap, snap_read);         /* clears it first */
        if (c)
            c->vmcs = cur;
        pc->vmcheck_stale = false;
    }
    size_t n = vmcheck_run(snap, &env, v, 16);
    for (size_t i = 0; i < n && i < 16; i++) {
        char line[240];
        vmcheck_format(&v[i], line, sizeof(line));
        kprintf("%s\n", line);
    }
    if (n)
        kprintf("skiff: vmcheck: %zu violation(s) of the SDM's VM-entry checks %s\n", n, when);
    n += missed;
    spin_unlock(&vmcheck_lock);
    vmcheck_dirty = false;
    return (unsigned)n;
}

bool vmcheck_before_entry(const char *when)
{
    if (vmcheck_mode == VMCHECK_OFF) {
        vmcheck_dirty = false;
        return true;
    }
    if (vmcheck_mode == VMCHECK_ALWAYS)
        vmcheck_dirty = true;            /* vmcheck_current clears it; keep asking */
    else if (!vmcheck_dirty)
        return true;
    unsigned n = vmcheck_current(when);
    if (vmcheck_mode == VMCHECK_ALWAYS)
        vmcheck_dirty = true;
    if (!n)
        return true;
    if (vmcheck_mode == VMCHECK_WARN) {
        kprintf("skiff: vmcheck=warn: entering anyway, the CPU decides\n");
        return true;
    }
    kprintf("skiff: vmcheck: refusing the VM entry (vmcheck=warn lets the CPU decide)\n");
    return false;
}
