/*
 * The guest's CPUs: vCPU N runs on CPU N, so every CPU the firmware has is
 * under Skiff and a guest OS starts its APs the architectural way.
 *
 * Bring-up: an AP whose vCPU has not been started waits in VMX root
 * operation (where INIT is blocked, SDM Vol. 3C 24.8); the guest's INIT IPI
 * to it changes nothing, and its SIPI IPI starts the vCPU in real mode at
 * vector * 0x1000 (SDM Vol. 3A 9.4.4, 10.6.1), which needs unrestricted guest
 * (SDM Vol. 3C 26.3.1.1).  Skiff must see those IPIs, so while any AP still
 * waits for its first SIPI, the EPT maps the local APIC page read-only and
 * vmx/smp/apic_write.c performs each write (in x2APIC mode the ICR's WRMSR exits).
 *
 * Steady state: once every AP runs, where the CPU has the wait-for-SIPI
 * activity state (IA32_VMX_MISC bit 8), the trap is released
 * (apic_trap_release): EOIs, timer and ICR writes go to the APIC without an
 * exit.  A later INIT/SIPI (CPU offline/online, kexec, reboot) is still seen,
 * without watching the APIC: an INIT to a running vCPU is a VM exit (reason
 * 3, SDM 25.2) after which Skiff enters the vCPU in the wait-for-SIPI state,
 * where INIT is blocked and a SIPI is a VM exit (reason 4, the vector in the
 * qualification, SDM 27.2.1) that starts it.  No CPU can be started outside
 * VMX at any time: each one is in VMX root operation, or runs a vCPU (INIT
 * exits), or waits for a SIPI in VMX non-root operation (SIPI exits);
 * kernel/smp/smp.c refuses to start a guest while a CPU of the MADT is in none
 * of these.  Without the wait-for-SIPI state, or while the guest leaves an
 * AP unstarted, the trap stays for the whole run.
 *
 * Ending: the first vCPU whose run ends (power-off, exit hypercall, a fault
 * Skiff stops) sends INIT and then SIPI to all CPUs but itself (the ICR's
 * shorthand: whatever APIC ids the guest gave them); the INIT exit of a
 * running vCPU, or the SIPI exit of one waiting for a SIPI, sees the run
 * ending and stops it, and one waiting in VMX root sees smp_guest_ending.
 * Every exit also looks at smp_guest_ending (vmx/exit/exit_dispatch.c), and CPUID
 * leaves the stub's fast path.  A vCPU whose guest disabled its local APIC
 * (IA32_APIC_BASE bit 11), which then takes no IPI, gets the run-end tick
 * (vmx_tick_ticks, the VMX-preemption timer: vcpu_tick_start); without the
 * wait-for-SIPI state every vCPU has it.  The ending CPU's own APIC may be
 * unable to send (the guest cleared its enable bit, kernel/smp/smp.c re-enables it where
 * the CPU allows): then every other vCPU sees the end at its next exit, at the latest its
 * idle check (vmx_idle_ticks, about 1 s of its run time without an exit), and
 * smp_guest_finish waits that long.
 */
#include "vmx/smp/smp_guest.h"

#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/extable.h"
#include "kernel/cpu/idle.h"
#include "kernel/cpu/percpu.h"
#include "kernel/end/runend.h"
#include "kernel/firmware/acpi.h"
#include "kernel/lib/format.h"
#include "kernel/lib/lib.h"
#include "kernel/mem/memory.h"
#include "kernel/smp/smp.h"
#include "kernel/time/tsc.h"
#include "vmx/check/vmcheck_live.h"
#include "vmx/core/nested_cost.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_caps.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/core/vmx_on.h"
#include "vmx/smp/apic_icr.h"
#include "vmx/smp/apic_write.h"
#include "vmx/vcpu/nmi.h"
#include "vmx/vcpu/vcpu_ops.h"
#include "vmx/vcpu/vcpu_run.h"

#define MAX_VCPUS              ACPI_MAX_CPUS

#define INTR_BLOCK_SMI         (1u << 2)         /* interruptibility: blocking by SMI (SDM 25.4.2) */
#define INIT_REPEAT_LIMIT      64                /* INITs from before a SIPI: one or two (assert, de-assert) */

static struct vcpu *vcpus[MAX_VCPUS];
static uint32_t aps_unstarted;               /* AP vCPUs that have not had their first SIPI */
static unsigned nvcpus;                      /* vcpus[0 .. nvcpus - 1]; NULL where a CPU has none */
static uint64_t io_a, io_b, msr_bm;
uint32_t smp_guest_ending;                   /* set once, by the first vCPU to end */
static struct vcpu *first_end;
static bool kick_lost;                       /* the ending CPU's APIC could not send */

static void init_gprs(struct vcpu *v)
{
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rdx = cpuid(1, 0).eax;           /* EDX after INIT: the processor signature */
}

/* Real mode at vector * 0x1000, as a SIPI starts a CPU (SDM Vol. 3A 10.6.1). */
static void sipi_start(struct vcpu *v, unsigned vector)
{
    struct guest_start gs = vmcs_init_state();
    gs.real_cs_base = (uint64_t)vector << 12;
    gs.rip = 0;
    vmcs_set_guest_state(v, &gs);                         /* activity state: active */
    /* A SIPI exit may save blocking by SMI (Bochs 2.7 does: its wait-for-SIPI state blocks
     * SMIs), which an entry outside SMM refuses (SDM 26.3.1.5). */
    vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
    init_gprs(v);
    nmi_reset(v);
    v->sipi_exits_seen = v->exits - v->exit_counts[EXIT_REASON_INIT_SIGNAL];
    v->sipi_inits_seen = v->exit_counts[EXIT_REASON_INIT_SIGNAL];
    __atomic_store_n(&v->wait_sipi, false, __ATOMIC_RELEASE);
    vcpu_park_timer(v, false);                            /* the timer again, where it was parked */
    vcpu_flush_linear(v);
}

/*
 * What INIT leaves a running AP's vCPU in once the trap is released: waiting for a SIPI in VMX
 * non-root operation, where the SIPI is a VM exit (handle_sipi).  Only what that entry needs, the
 * activity state first: under nested KVM each VMWRITE of a field outside its shadow VMCS is an exit
 * to L0 (vmx/core/vmcs_shadow.c), and L0 drops a SIPI that comes while this CPU is in VMX root
 * operation (KVM: the SIPI of a vCPU in L1's root mode is not latched), so the road from the INIT
 * exit to this entry is kept to one such round trip (make bench, "per INIT exit").  The activity
 * state is the one such field; interruptibility (no blocking by STI, MOV SS or SMI with
 * wait-for-SIPI, SDM 26.3.1.5) and the injection field are shadowed.  The guest state the INIT exit
 * saved passes the entry checks as it is (the CPU saved it, IA-32e mode guest included, SDM 27.2
 * and 27.3); the INIT state proper (real mode, the registers, SDM Vol. 3A Table 10-1) is written at
 * the SIPI exit, with the vector (sipi_start): a CPU in wait-for-SIPI runs nothing before it.
 */
static void wait_sipi_state(struct vcpu *v)
{
    vmcs_set(GUEST_ACTIVITY_STATE, VMX_ACTIVITY_WAIT_SIPI);
    vcpu_park_timer(v, true);                             /* KVM's timer exits there (vmx_controls.h) */
    vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
    vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);               /* no event may be injected (26.3.1.5) */
    nmi_reset(v);
}

/* An AP's vCPU had its first SIPI: when it is the last, the guest's APIC writes stop exiting. */
static void ap_first_start(struct vcpu *v)
{
    if (v->ever_started)
        return;
    v->ever_started = true;
    if (__atomic_sub_fetch(&aps_unstarted, 1, __ATOMIC_SEQ_CST) || !vmx_caps.act_wait_sipi || !apic_trap_on)
        return;
    apic_trap_release(v);
    pr_info("skiff: smp: every AP runs: the guest's APIC writes no longer exit (%llu trapped during bring-up); "
            "a later INIT or SIPI exits by itself (wait-for-SIPI activity state)\n",
            (unsigned long long)apic_writes_trapped);
}

unsigned smp_guest_alloc(const struct skiff_config *cfg, struct vcpu *bsp)
{
    const char *why = 0;
    unsigned ncpu = smp_cpu_count();

    bsp->cpu = 0;
    vcpus[0] = bsp;
    nvcpus = 1;
    if (ncpu < 2 || cfg->smp == SMP_OFF)
        return 1;
    if (cfg->smp == SMP_PARK)
        why = "smp=park";
    else if (!(vmx_allowed1(vmx_caps.proc2_ctls) & SECONDARY_EXEC_UNRESTRICTED_GUEST))
        why = "the CPU has no unrestricted guest (a SIPI starts a vCPU in real mode)";
    else if (cfg->gdb_port)
        why = "gdb= debugs a single vCPU";
    if (why) {
        pr_warn("skiff: smp: the guest runs on CPU 0 only (%s); the other CPUs wait in VMX root "
                "operation, where INIT is blocked\n", why);
        return 1;
    }
    /* One block per kind, so the owned map names each in one line. */
    unsigned naps = 0;
    for (unsigned c = 1; c < ncpu && c < MAX_VCPUS; c++)
        naps += smp_cpu_has_vmx(c);
    if (!naps)
        return 1;
    size_t pages = (sizeof(struct vcpu) + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t vcpu_pages = alloc_pages((unsigned)(pages * naps), "vCPU structures: exit stacks, registers (APs)");
    uint64_t vmcs_pages = alloc_pages(naps, "VMCSs (vCPUs 1 and up, one page each)");
    for (unsigned c = 1, k = 0; c < ncpu && c < MAX_VCPUS; c++) {
        if (!smp_cpu_has_vmx(c))
            continue;
        struct vcpu *v = phys_to_virt(vcpu_pages + k * pages * PAGE_SIZE);
        memset(v, 0, sizeof(*v));
        v->cpu = c;
        v->vpid = (uint16_t)(c + 1);
        v->vmcs_phys = vmcs_pages + k++ * PAGE_SIZE;
        v->watchdog_ticks = bsp->watchdog_ticks;
        v->wait_sipi = true;                     /* from the start: the guest's SIPI may come early */
        vcpus[c] = v;
        nvcpus = c + 1;
        aps_unstarted++;
    }
    return nvcpus;
}

bool smp_guest_multi(void) { return nvcpus > 1; }
unsigned smp_guest_vcpus(void) { return nvcpus; }

/*
 * A guest ICR write (low half; `dest` from the ICR's high half): true when
 * Skiff took it, false when it goes to the APIC.  Skiff takes INIT and SIPI
 * for the APs' vCPUs, sent to a physical APIC id or to all but the sender
 * (Linux does the first, older guests the second): a SIPI starts a waiting
 * vCPU, an INIT makes a running one exit (handle_init), and INIT to a waiting
 * vCPU or SIPI to a running one changes nothing, as on hardware.  The rest,
 * and any IPI for CPU 0 alone, goes to the APIC.
 */
bool smp_guest_icr_write(uint32_t icr_low, uint32_t dest)
{
    struct icr_ipi ipi = icr_decode(icr_low);
    if (ipi.kind == ICR_OTHER || ipi.target == ICR_TARGET_OTHER)
        return false;
    unsigned self = this_cpu()->cpu;
    bool taken = false;
    for (unsigned c = 0; c < smp_cpu_count(); c++) {
        struct vcpu *v = c < nvcpus ? vcpus[c] : 0;
        bool hit = ipi.target == ICR_TARGET_PHYSICAL ? smp_cpu_apic_id(c) == dest : c != self;
        if (!hit)
            continue;
        if (!v) {
            taken = true;            /* a CPU Skiff could not put under VMX: never the guest's */
            continue;
        }
        if (c == 0) {
            if (ipi.target == ICR_TARGET_PHYSICAL)
                return false;                            /* for CPU 0 alone: the APIC's */
            if (ipi.kind == ICR_INIT)
                smp_kick(0);                             /* its INIT exit: a reset, reported */
            continue;
        }
        taken = true;
        bool waiting = __atomic_load_n(&v->wait_sipi, __ATOMIC_ACQUIRE);
        if (ipi.kind == ICR_SIPI && waiting) {
            __atomic_store_n(&v->sipi_mailbox, 0x100u | ipi.vector, __ATOMIC_SEQ_CST);
            smp_wake(c);                                 /* asleep in ap_wait_sipi: kernel/cpu/idle.h */
        }
        else if (ipi.kind == ICR_INIT && !waiting)
            smp_kick(c);                                 /* its INIT exit: wait for a SIPI */
    }
    return taken || ipi.target == ICR_TARGET_ALL_BUT_SELF;
}

static bool sipi_or_end(void *arg)
{
    struct vcpu *v = arg;
    return __atomic_load_n(&smp_guest_ending, __ATOMIC_SEQ_CST) ||
           __atomic_load_n(&v->sipi_mailbox, __ATOMIC_SEQ_CST);
}

/* Sleep in VMX root operation until the guest's SIPI or the end of the run (smp_guest_icr_write
 * and smp_guest_end wake it: kernel/cpu/idle.h). */
static bool ap_wait_sipi(struct vcpu *v, unsigned *vector)
{
    __atomic_store_n(&v->wait_sipi, true, __ATOMIC_RELEASE);
    idle_wait(sipi_or_end, v);
    if (__atomic_load_n(&smp_guest_ending, __ATOMIC_ACQUIRE))
        return false;
    *vector = __atomic_exchange_n(&v->sipi_mailbox, 0, __ATOMIC_ACQ_REL) & 0xff;
    return true;
}

/* The run ends: every AP still waiting for a SIPI in VMX root must see it. */
static void wake_waiting(void)
{
    for (unsigned c = 1; c < nvcpus; c++)
        smp_wake(c);
}

/* An AP: its VMCS, then each guest start by a SIPI (kernel/smp/smp.c calls this in VMX root). */
static void ap_run(unsigned cpu)
{
    struct vcpu *v = cpu < nvcpus ? vcpus[cpu] : 0;
    if (!v)
        return;
    this_cpu()->vcpu = v;
    v->eptp = vcpus[0]->eptp;
    struct guest_start gs = vmcs_init_state();
    init_gprs(v);
    *(uint32_t *)phys_to_virt(v->vmcs_phys) = vmx_caps.revision_id;   /* SDM 25.2 */
    int st = vmcs_clear(v);
    if (!st)
        st = vmcs_load(v);
    if (!st && vmcs_setup(v, &gs, io_a, io_b, msr_bm))
        st = VMX_FAIL_VALID;
    if (st) {
        kprintf("skiff: error: smp: setting up vCPU %u failed\n", cpu);
        v->run_status = st;
        v->end = GUEST_STOPPED;
        smp_guest_end(v);
        __atomic_store_n(&v->smp_state, VCPU_DONE, __ATOMIC_RELEASE);
        return;
    }
    vmx_invept(INVEPT_SINGLE_CONTEXT, v->eptp);
    vcpu_flush_linear(v);
    char vpid[16];
    pr_info("skiff: smp: vCPU %u on CPU %u (APIC id %u): VMCS at 0x%llx, %s, waiting for the "
            "guest's SIPI\n", cpu, cpu, this_cpu()->apic_id, (unsigned long long)v->vmcs_phys,
            vcpu_vpid_label(v, vpid, sizeof(vpid)));
    __atomic_store_n(&v->smp_state, VCPU_RUNNING, __ATOMIC_RELEASE);
    unsigned vector;
    while (ap_wait_sipi(v, &vector)) {
        sipi_start(v, vector);
        pr_info("skiff: smp: vCPU %u: SIPI vector 0x%02x: starting in real mode at 0x%05x (%s)\n", cpu,
                vector, vector << 12, v->launch_state == VMCS_STATE_CLEAR ? "VMLAUNCH" : "VMRESUME");
        ap_first_start(v);
        __atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&smp_guest_ending, __ATOMIC_SEQ_CST)) {
            v->in_guest = false;
            break;
        }
        v->end = GUEST_RUNNING;
        v->run_status = vcpu_run(v);
        __atomic_store_n(&v->in_guest, false, __ATOMIC_SEQ_CST);
        if (v->run_status) {
            v->end = GUEST_STOPPED;
            break;
        }
        if (v->end != GUEST_WAIT_SIPI)
            break;
    }
    if (v->end == GUEST_WAIT_SIPI || v->end == GUEST_RUNNING)
        v->end = GUEST_ENDED_ELSEWHERE;
    smp_guest_end(v);
    __atomic_store_n(&v->smp_state, VCPU_DONE, __ATOMIC_RELEASE);
}

void smp_guest_start(uint64_t io_bitmap_a, uint64_t io_bitmap_b, uint64_t msr_bitmap)
{
    io_a = io_bitmap_a;
    io_b = io_bitmap_b;
    msr_bm = msr_bitmap;
    vcpus[0]->smp_state = VCPU_RUNNING;
    vcpus[0]->in_guest = true;
    if (nvcpus < 2)
        return;
    console_set_cpu_tags(true);
    pr_info("skiff: smp: the guest gets %u vCPUs, one per CPU\n", nvcpus);
    smp_release(ap_run);
    /* The guest may INIT an AP right away: let every AP reach its VMLAUNCH first. */
    for (unsigned c = 1; c < nvcpus; c++)
        for (unsigned w = 0; vcpus[c] && w < 1000000 &&
                             __atomic_load_n(&vcpus[c]->smp_state, __ATOMIC_ACQUIRE) == VCPU_IDLE; w++)
            udelay(1);
}

void smp_guest_end(struct vcpu *v)
{
    uint32_t none = 0;
    if (!__atomic_compare_exchange_n(&smp_guest_ending, &none, 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return;
    if (v->end != GUEST_ENDED_ELSEWHERE)
        first_end = v;
    vmx_fast_paths(false);                       /* a CPUID loop then sees the end too */
    wake_waiting();
    for (unsigned c = 0; c < nvcpus; c++)
        if (vcpus[c] && vcpus[c] != v && __atomic_load_n(&vcpus[c]->in_guest, __ATOMIC_SEQ_CST)) {
            if (!smp_kick_others()) {            /* INIT, then SIPI for a vCPU waiting for one */
                kick_lost = true;
                uint64_t base = 0;
                rdmsr_safe(0x1b, &base);
                kprintf("skiff: smp: vCPU %u: the guest disabled this CPU's local APIC (IA32_APIC_BASE=0x%llx), "
                        "which sends no IPI: the other vCPUs see the end at their next exit or idle check "
                        "(VMX-preemption timer)\n", v->cpu, (unsigned long long)base);
            }
            break;
        }
}

void smp_guest_run_ending(void)
{
    uint32_t none = 0;
    if (__atomic_compare_exchange_n(&smp_guest_ending, &none, 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        vmx_fast_paths(false);
        wake_waiting();
    }
}

struct vcpu *smp_guest_finish(struct vcpu *bsp)
{
    __atomic_store_n(&bsp->in_guest, false, __ATOMIC_SEQ_CST);
    bsp->smp_state = VCPU_DONE;
    smp_guest_end(bsp);
    for (unsigned c = 1; c < nvcpus; c++) {
        struct vcpu *v = vcpus[c];
        if (!v)
            continue;
        /* A second by the calibrated TSC (a vCPU's stop may print its trace ring on the serial
         * line).  Without the kick, up to two idle checks (vmx_idle_ticks). */
        uint64_t t0 = rdtsc(), wait = tsc_ms(kick_lost ? 2500 : 1000);
        while (rdtsc() - t0 < wait &&
               __atomic_load_n(&v->smp_state, __ATOMIC_ACQUIRE) == VCPU_RUNNING)
            cpu_pause();
        if (v->smp_state == VCPU_RUNNING)
            kprintf("skiff: smp: warning: vCPU %u did not stop within about a second: "
                    "its exit counts may be incomplete\n", c);
    }
    console_set_cpu_tags(false);
    return first_end ? first_end : bsp;
}

void smp_guest_print_exits(void)
{
    uint64_t total = 0, counts[EXIT_REASON_MAX] = { 0 };
    nested_cost_print();                     /* the counting build's line (vmx/core/nested_cost.h) */
    if (nvcpus < 2) {
        vcpu_print_exit_counts("", vcpus[0]->exits, vcpus[0]->exit_counts);
        nmi_print("", vcpus[0]);
        nmi_print_unowned();
        return;
    }
    for (unsigned c = 0; c < nvcpus; c++) {
        struct vcpu *v = vcpus[c];
        if (!v)
            continue;
        char who[16];
        snprintf(who, sizeof(who), "cpu%u", c);
        vcpu_print_exit_counts(who, v->exits, v->exit_counts);
        nmi_print(who, v);
        total += v->exits;
        for (unsigned i = 0; i < EXIT_REASON_MAX; i++)
            counts[i] += v->exit_counts[i];
    }
    vcpu_print_exit_counts("", total, counts);
    nmi_print_unowned();
    kprintf("skiff: apic: %llu guest APIC writes trapped (%llu ICR), %s\n", (unsigned long long)apic_writes_trapped,
            (unsigned long long)apic_icr_writes_trapped,
            apic_trap_on ? "to the end of the run" : "until every AP ran");
}

enum exit_action smp_guest_stop_ended(struct vcpu *v)
{
    if (run_end_elsewhere())
        run_end_park();                          /* a host fault on another CPU: stop here */
    return vcpu_stop(v, GUEST_ENDED_ELSEWHERE, 0, "vCPU %u stopped: the run ended on CPU %u", v->cpu,
                     first_end ? first_end->cpu : 0);
}

enum exit_action handle_init(struct vcpu *v)
{
    if (__atomic_load_n(&smp_guest_ending, __ATOMIC_ACQUIRE))
        return smp_guest_stop_ended(v);
    /* The BSP would restart in the firmware, which Skiff cannot give it again. */
    if (v->cpu == 0)
        return vcpu_stop(v, GUEST_RESET, 0, "reset by an INIT signal");
    if (apic_trap_on) {
        pr_info("skiff: smp: vCPU %u: INIT: waiting for a SIPI\n", v->cpu);
        v->end = GUEST_WAIT_SIPI;                 /* ap_run waits in VMX root, the SIPI is trapped */
        return EXIT_STOP;
    }
    /* INIT is blocked, not lost, in the wait-for-SIPI state (SDM 25.2): an INIT (or an INIT
     * level de-assert) that came before the SIPI arrives at the entry the SIPI started, before
     * any instruction: only INIT exits since that SIPI, RIP still 0.  It is past. */
    if (v->exits - v->exit_counts[EXIT_REASON_INIT_SIGNAL] == v->sipi_exits_seen && v->guest_rip == 0) {
        uint64_t again = v->exit_counts[EXIT_REASON_INIT_SIGNAL] - v->sipi_inits_seen;
        if (again < INIT_REPEAT_LIMIT) {
            /* Bochs 2.7 saves blocking by SMI here too (see sipi_start); outside SMM it fails the entry. */
            vmcs_set(GUEST_INTERRUPTIBILITY_INFO, vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & ~INTR_BLOCK_SMI);
            return EXIT_RESUME;
        }
        return vcpu_stop(v, GUEST_STOPPED, 1, "stopped: vCPU %u took %llu INIT exits in a row at the entry its "
                         "SIPI started: the CPU keeps INIT pending after an INIT exit (Bochs 2.7 does; the exit "
                         "consumes it, SDM Vol. 3C 25.2)", v->cpu, (unsigned long long)again);
    }
    /* Back in the wait-for-SIPI state at once: the SIPI may follow the INIT within microseconds
     * (Linux sends it at once on current CPUs), and one that arrives before this entry is lost.
     * So no line here (handle_sipi tells both), and no VMCS check before it (unless
     * vmcheck=always): the guest state is what the CPU saved at this exit, and of what
     * wait_sipi_state writes the VM-entry checks care only that no blocking and no event go
     * with the wait-for-SIPI state (26.3.1.5); make check models this entry on every profile
     * (tests/unit/vmx/core/test_cpuid_profiles.c, "64-bit guest after INIT"). */
    nested_cost_reslot(NESTED_SLOT_INIT_WAIT_SIPI);
    wait_sipi_state(v);
    if (vmcheck_mode != VMCHECK_ALWAYS)
        vmcheck_dirty = false;
    return EXIT_RESUME;
}

/* A SIPI to a vCPU in the wait-for-SIPI state (after a steady-state INIT): the vector is in the
 * exit qualification (SDM 27.2.1). */
enum exit_action handle_sipi(struct vcpu *v)
{
    if (__atomic_load_n(&smp_guest_ending, __ATOMIC_ACQUIRE))
        return smp_guest_stop_ended(v);
    unsigned vector = (unsigned)(vcpu_qual(v) & 0xff);
    sipi_start(v, vector);
    pr_info("skiff: smp: vCPU %u: INIT, then SIPI vector 0x%02x (both VM exits): starting in real mode at "
            "0x%05x\n", v->cpu, vector, vector << 12);
    return EXIT_RESUME;
}
