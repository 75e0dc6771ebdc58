/*
 * One static inline wrapper per VMX instruction (SDM Vol. 3C chapter 31).
 *
 * Every wrapper returns the instruction's status the way MSVC's __vmx_*
 * intrinsics do (SDM Vol. 3C 31.2 "Conventions"):
 *   0 VMsucceed, 1 VMfailValid (ZF=1, number in VM_INSTRUCTION_ERROR),
 *   2 VMfailInvalid (CF=1, no current VMCS).
 * Flags come out through GCC's "=@ccc"/"=@ccz" flag-output operands.
 *
 * Only x86-64 gets the asm; elsewhere the wrappers report VMfailInvalid so
 * that host tests can include this header for its constants.
 */
#ifndef SKIFF_VMX_INSN_H
#define SKIFF_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/core/nested_cost.h"

#define VMX_OK           0
#define VMX_FAIL_VALID   1
#define VMX_FAIL_INVALID 2

/* INVEPT types (SDM Vol. 3C 31.3 "INVEPT") */
#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXT    2

/* INVVPID types (SDM Vol. 3C 31.3 "INVVPID") */
#define INVVPID_INDIVIDUAL_ADDRESS        0
#define INVVPID_SINGLE_CONTEXT            1
#define INVVPID_ALL_CONTEXT               2
#define INVVPID_SINGLE_CONTEXT_NO_GLOBALS 3

static inline uint8_t vmx_status(bool cf, bool zf)
{
    return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

#if defined(__x86_64__)

static inline uint8_t vmx_on(uint64_t vmxon_phys)
{
    bool cf, zf;
    __asm__ volatile("vmxon %[pa]"
                     : "=@ccc"(cf), "=@ccz"(zf)
                     : [pa] "m"(vmxon_phys)
                     : "memory");
    return vmx_status(cf, zf);
}

static inline uint8_t vmx_off(void)
{
    bool cf, zf;
    __asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
    return vmx_status(cf, zf);
}

static inline uint8_t vmx_vmclear(uint64_t vmcs_phys)
{
    nested_cost_l0();
    bool cf, zf;
    __asm__ volatile("vmclear %[pa]"
                     : "=@ccc"(cf), "=@ccz"(zf)
                     : [pa] "m"(vmcs_phys)
                     : "memory");
    return vmx_status(cf, zf);
}

static inline uint8_t vmx_vmptrld(uint64_t vmcs_phys)
{
    nested_cost_l0();
    bool cf, zf;
    __asm__ volatile("vmptrld %[pa]"
                     : "=@ccc"(cf), "=@ccz"(zf)
                     : [pa] "m"(vmcs_phys)
                     : "memory");
    return vmx_status(cf, zf);
}

static inline uint8_t vmx_vmptrst(uint64_t *vmcs_phys)
{
    nested_cost_l0();
    bool cf, zf;
    __asm__ volatile("vmptrst %[pa]"
                     : "=@ccc"(cf), "=@ccz"(zf), [pa] "=m"(*vmcs_phys)
                     :
                     : "memory");
    return vmx_status(cf, zf);
}

/* AT&T order: vmread <field reg>, <dest r/m>; vmwrite <value r/m>, <field reg> */
static inline uint8_t vmx_vmread(uint64_t field, uint64_t *value)
{
    nested_cost_vmx(field, false);
    bool cf, zf;
    uint64_t v;
    __asm__ volatile("vmread %[field], %[v]"
                     : "=@ccc"(cf), "=@ccz"(zf), [v] "=r"(v)
                     : [field] "r"(field)
                     : "memory");
    *value = v;
    return vmx_status(cf, zf);
}

static inline uint8_t vmx_vmwrite(uint64_t field, uint64_t value)
{
    nested_cost_vmx(field, true);
    bool cf, zf;
    __asm__ volatile("vmwrite %[v], %[field]"
                     : "=@ccc"(cf), "=@ccz"(zf)
                     : [field] "r"(field), [v] "rm"(value)
                     : "memory");
    return vmx_status(cf, zf);
}

/*
 * VMLAUNCH/VMRESUME only fall through on failure: a successful entry
 * returns, on the next VM exit, at HOST_RIP with HOST_RSP (SDM 27.5).
 */
static inline uint8_t vmx_vmlaunch(void)
{
    bool cf, zf;
    __asm__ volatile("vmlaunch" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
    return vmx_status(cf, zf);
}

static inline uint8_t vmx_vmresume(void)
{
    bool cf, zf;
    __asm__ volatile("vmresume" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
    return vmx_status(cf, zf);
}

/* INVEPT descriptor: EPTP in bits 63:0, bits 127:64 reserved (must be 0) */
static inline uint8_t vmx_invept(uint64_t type, uint64_t eptp)
{
    nested_cost_l0();
    struct { uint64_t eptp, reserved; } desc = { eptp, 0 };
    bool cf, zf;
    __asm__ volatile("invept %[desc], %[type]"
                     : "=@ccc"(cf), "=@ccz"(zf)
                     : [desc] "m"(desc), [type] "r"(type)
                     : "memory");
    return vmx_status(cf, zf);
}

/* INVVPID descriptor: VPID in bits 15:0, 63:16 reserved, linear address 127:64 */
static inline uint8_t vmx_invvpid(uint64_t type, uint16_t vpid, uint64_t gla)
{
    nested_cost_l0();
    struct { uint64_t vpid, gla; } desc = { vpid, gla };
    bool cf, zf;
    __asm__ volatile("invvpid %[desc], %[type]"
                     : "=@ccc"(cf), "=@ccz"(zf)
                     : [desc] "m"(desc), [type] "r"(type)
                     : "memory");
    return vmx_status(cf, zf);
}

#else /* !__x86_64__: host builds only need the constants */

static inline uint8_t vmx_on(uint64_t p) { (void)p; return VMX_FAIL_INVALID; }
static inline uint8_t vmx_off(void) { return VMX_FAIL_INVALID; }
static inline uint8_t vmx_vmclear(uint64_t p) { (void)p; return VMX_FAIL_INVALID; }
static inline uint8_t vmx_vmptrld(uint64_t p) { (void)p; return VMX_FAIL_INVALID; }
static inline uint8_t vmx_vmptrst(uint64_t *p) { *p = ~0ull; return VMX_FAIL_INVALID; }
static inline uint8_t vmx_vmread(uint64_t f, uint64_t *v) { (void)f; *v = 0; return VMX_FAIL_INVALID; }
static inline uint8_t vmx_vmwrite(uint64_t f, uint64_t v) { (void)f; (void)v; return VMX_FAIL_INVALID; }
static inline uint8_t vmx_vmlaunch(void) { return VMX_FAIL_INVALID; }
static inline uint8_t vmx_vmresume(void) { return VMX_FAIL_INVALID; }
static inline uint8_t vmx_invept(uint64_t t, uint64_t e) { (void)t; (void)e; return VMX_FAIL_INVALID; }
static inline uint8_t vmx_invvpid(uint64_t t, uint16_t v, uint64_t a)
{
    (void)t; (void)v; (void)a;
    return VMX_FAIL_INVALID;
}

#endif

/*
 * Hot-path accessors for fields that always exist, on the current VMCS of a
 * running vCPU: no status flags to test (the exit path's budget is counted
 * in instructions, see make bench).
 */
static inline uint64_t vmcs_read_fast(uint64_t field)
{
    nested_cost_vmx(field, false);
    uint64_t v;
    __asm__ volatile("vmread %[field], %[v]" : [v] "=r"(v) : [field] "r"(field) : "cc");
    return v;
}

static inline void vmcs_write_fast(uint64_t field, uint64_t value)
{
    nested_cost_vmx(field, true);
    __asm__ volatile("vmwrite %[v], %[field]" ::[v] "r"(value), [field] "r"(field) : "cc", "memory");
}

/* Field value, or 0 when VMREAD fails (unsupported field, no current VMCS). */
static inline uint64_t vmcs_read(uint64_t field)
{
    uint64_t v;
    return vmx_vmread(field, &v) == VMX_OK ? v : 0;
}

static inline void vmcs_write(uint64_t field, uint64_t value)
{
    (void)vmx_vmwrite(field, value);
}

#endif
