/*
 * Exit trace.  Each record line is
 *   skiff: trace: seq=N tsc=T reason=ID qual=0x.. rip=0x.. rax=0x.. rcx=0x..
 * which tools/skiff-trace.py turns into an exit table and a timeline.  Each vCPU
 * has its own sequence and ring; while several run, the console tags each
 * line with its CPU (`skiff: cpu1: trace: ...`).
 */
#include "vmx/trace/trace.h"

#include "kernel/config/cmdline.h"
#include "kernel/console/console.h"
#include "kernel/cpu/cpu.h"
#include "kernel/cpu/percpu.h"
#include "kernel/mem/memory.h"
#include "vmx/core/exit_reasons.h"
#include "vmx/core/vmcs_fields.h"
#include "vmx/core/vmx_insn.h"

struct trace_rec {
    uint64_t seq, tsc, qual, rip, rax, rcx;
    uint32_t reason;
};

bool trace_enabled;
static bool stream;
static uint32_t ring_size;

/* One ring per vCPU, each written only by the CPU that runs it. */
static struct trace_cpu {
    uint64_t seq;
    struct trace_rec *ring;       /* allocated only when trace=N asks for it */
} cpus[TRACE_MAX_CPUS];
static unsigned ncpus;

void trace_init(uint32_t ring_entries, bool stream_mode, unsigned vcpus)
{
    ring_size = ring_entries > TRACE_RING_MAX ? TRACE_RING_MAX : ring_entries;
    ncpus = vcpus > TRACE_MAX_CPUS ? TRACE_MAX_CPUS : vcpus;
    for (unsigned c = 0; ring_size && c < ncpus; c++) {
        size_t bytes = ring_size * sizeof(struct trace_rec);
        cpus[c].ring = phys_to_virt(alloc_pages((unsigned)((bytes + PAGE_SIZE - 1) / PAGE_SIZE), "trace rings (trace=N)"));
    }
    stream = stream_mode;
    trace_enabled = stream || ring_size;
}

static void trace_print(const struct trace_rec *r)
{
    kprintf("skiff: trace: seq=%llu tsc=%llu reason=%s qual=0x%llx rip=0x%llx rax=0x%llx "
            "rcx=0x%llx\n",
            (unsigned long long)r->seq, (unsigned long long)r->tsc,
            vmx_exit_reason_id(r->reason & 0xffff), (unsigned long long)r->qual,
            (unsigned long long)r->rip, (unsigned long long)r->rax, (unsigned long long)r->rcx);
}

void trace_record(const struct vcpu *v)
{
    if (v->cpu >= ncpus)
        return;
    struct trace_cpu *t = &cpus[v->cpu];
    struct trace_rec r = {
        .seq = t->seq++, .tsc = rdtsc(), .qual = vmcs_read_fast(EXIT_QUALIFICATION), .rip = v->guest_rip,
        .rax = v->regs.rax, .rcx = v->regs.rcx,
        .reason = v->exit_reason,
    };
    if (stream)
        trace_print(&r);
    if (ring_size)
        t->ring[r.seq % ring_size] = r;
}

void trace_dump(void)
{
    unsigned c = this_cpu()->cpu;
    if (!ring_size || c >= ncpus)
        return;
    const struct trace_cpu *t = &cpus[c];
    uint64_t first = t->seq > ring_size ? t->seq - ring_size : 0;
    kprintf("skiff: trace: last %llu exits, oldest first\n", (unsigned long long)(t->seq - first));
    for (uint64_t i = first; i < t->seq; i++)
        trace_print(&t->ring[i % ring_size]);
}
