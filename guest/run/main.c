/*
 * kmain: the C entry (boot/entry32.S) and the composition root of Skiff.  The
 * lower layers never call up: what the kernel needs from the VMX layer is
 * handed down here first, as hooks (the NMI handler of the panic path, the way
 * an AP enters VMX root operation), then the host is set up and the run made.
 */
#include <stdint.h>

#include "guest/run/run.h"
#include "kernel/config/skiff.h"
#include "kernel/end/panic.h"
#include "kernel/end/runend.h"
#include "kernel/smp/smp.h"
#include "vmx/core/vmx_on.h"
#include "vmx/smp/smp_guest.h"
#include "vmx/tripwire/tripwire.h"
#include "vmx/vcpu/nmi.h"

extern uint64_t boot_tsc_entry;

__attribute__((noreturn)) void kmain(uint32_t magic, uint32_t info_phys, uint64_t load_base);

__attribute__((noreturn)) void kmain(uint32_t magic, uint32_t info_phys, uint64_t load_base)
{
    panic_set_nmi_handler(nmi_host);          /* an NMI in VMX root is the guest's (vmx/vcpu/nmi.c) */
    smp_set_ap_vmx_enable(vmx_enable_ap);     /* APs wait in VMX root operation, INIT blocked */
    runend_set_notify(smp_guest_run_ending);  /* a host fault anywhere: every vCPU's next exit parks */
    runend_set_check(tripwire_runend_check);  /* the protected state, at every run end once armed */
    kernel_init(magic, info_phys, load_base);
    run_end(skiff_run(&skiff_cfg, &boot_info, boot_tsc_entry));
}
