/* Entering the guest: pending NMI work, the software entry check, then VMLAUNCH or VMRESUME. */
#include "kernel/console/console.h"
#include "vmx/check/vmcheck_live.h"
#include "vmx/core/vmcs.h"
#include "vmx/core/vmx_insn.h"
#include "vmx/vcpu/nmi.h"
#include "vmx/vcpu/vcpu_run.h"

int vcpu_run(struct vcpu *v)
{
    int resume = v->launch_state == VMCS_STATE_LAUNCHED;
    v->nmi_live = true;                  /* this VMCS stays current on this CPU from now on */
    if (nmi_entry_work(v))
        nmi_before_entry(v);
    if (!vmcheck_before_entry(resume ? "before VMRESUME" : "before VMLAUNCH"))
        return VCPU_ENTRY_REFUSED;
    console_guest_resumes();
    int st = vmx_enter(v, resume);
    if (st) {
        vmx_report_fail(resume ? "VMRESUME" : "VMLAUNCH", st);
        if (st == VMX_FAIL_VALID)
            vmcs_dump();
    }
    return st;
}
