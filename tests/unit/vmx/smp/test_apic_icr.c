/* Host tests: reading a guest's ICR write (vmx/smp/apic_icr.h). */
// SOURCES:
#include "tests/unit/unit.h"
#include "vmx/smp/apic_icr.h"

TEST(icr_init_sipi)
{
    struct icr_ipi r = icr_decode(0x0000c500);          /* Linux: INIT, level assert, physical */
    CHECK_EQ(r.kind, ICR_INIT);
    CHECK_EQ(r.target, ICR_TARGET_PHYSICAL);
    r = icr_decode(0x00008500);                          /* INIT level de-assert */
    CHECK_EQ(r.kind, ICR_INIT_DEASSERT);
    r = icr_decode(0x00004500);                          /* INIT, edge */
    CHECK_EQ(r.kind, ICR_INIT);
    r = icr_decode(0x00000699);                          /* SIPI, vector 0x99 */
    CHECK_EQ(r.kind, ICR_SIPI);
    CHECK_EQ(r.vector, 0x99);
    CHECK_EQ(r.target, ICR_TARGET_PHYSICAL);
    r = icr_decode(0x000c4609);                          /* SIPI to all but self */
    CHECK_EQ(r.kind, ICR_SIPI);
    CHECK_EQ(r.target, ICR_TARGET_ALL_BUT_SELF);
    CHECK_EQ(r.vector, 9);
}

TEST(icr_others)
{
    CHECK_EQ(icr_decode(0x000000fd).kind, ICR_OTHER);   /* fixed vector 0xfd */
    CHECK_EQ(icr_decode(0x00000400).kind, ICR_OTHER);   /* NMI */
    CHECK_EQ(icr_decode(0x00000d00).target, ICR_TARGET_OTHER);   /* INIT, logical destination */
    CHECK_EQ(icr_decode(0x00044500).target, ICR_TARGET_OTHER);   /* INIT to self */
    CHECK_EQ(icr_decode(0x00084500).target, ICR_TARGET_OTHER);   /* INIT to all including self */
}

UNIT_MAIN(T(icr_init_sipi), T(icr_others))
