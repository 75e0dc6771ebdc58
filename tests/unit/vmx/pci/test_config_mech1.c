/* PCI configuration mechanism #1 as the chipset decodes it (vmx/pci/config_mech1.c): no guest
 * access other than a configuration access of its own reaches CONFIG_DATA. */
// SOURCES: vmx/pci/config_mech1.c
#include "tests/unit/unit.h"
#include "vmx/pci/config_mech1.h"

#include <stdbool.h>

static const unsigned widths[3] = { 1, 2, 4 };

/* The ports an emulated access reached on the bus, one bit per port 0xCF0-0xD0F. */
static uint32_t touched;
static uint8_t bus_in8(uint16_t port)
{
    if (port >= 0xcf0 && port < 0xd10)
        touched |= 1u << (port - 0xcf0);
    return 0x5a;
}
static void bus_out8(uint16_t port, uint8_t v)
{
    (void)v;
    bus_in8(port);
}
static bool touched_data(void) { return (touched >> 0xc) & 0xf; }

TEST(only_dword_0xcf8_is_config_address)
{
    struct mech1_access m;
    for (uint16_t p = 0xcf5; p <= 0xcff; p++)
        for (unsigned w = 0; w < 3; w++) {
            mech1_decode(0x80000000u, p, widths[w], &m);
            CHECK_EQ(m.kind == MECH1_ADDRESS, p == 0xcf8 && widths[w] == 4);
        }
}

TEST(config_access_only_enabled_and_contained)
{
    struct mech1_access m;
    for (unsigned en = 0; en < 2; en++)
        for (uint16_t p = 0xcf5; p <= 0xcff; p++)
            for (unsigned w = 0; w < 3; w++) {
                unsigned size = widths[w];
                uint32_t ca = (en ? 0x80000000u : 0) | 0x0b40;       /* 00:01.3 register 0x40 */
                mech1_decode(ca, p, size, &m);
                bool want = en && p >= 0xcfc && (p & 3) + size <= 4;
                CHECK_EQ(m.kind == MECH1_CONFIG, want);
                if (want) {
                    CHECK_EQ(m.addr.bus, 0);
                    CHECK_EQ(m.addr.dev, 1);
                    CHECK_EQ(m.addr.fn, 3);
                    CHECK_EQ(m.addr.reg, 0x40 + (p & 3));
                }
            }
}

/* Every other access: its CONFIG_DATA bytes read all ones and write nothing, and no byte of it
 * reaches 0xCFC-0xCFF on the bus; its other bytes reach their own ports. */
TEST(config_data_never_forwarded)
{
    struct mech1_access m;
    unsigned cases = 0;
    for (unsigned en = 0; en < 2; en++)
        for (uint16_t p = 0xcf5; p <= 0xcff; p++)
            for (unsigned w = 0; w < 3; w++) {
                unsigned size = widths[w];
                mech1_decode(en ? 0x80000b40u : 0x00000b40u, p, size, &m);
                if (m.kind != MECH1_PORTS)
                    continue;
                cases++;
                touched = 0;
                uint32_t v = mech1_ports_in(&m, p, size, bus_in8);
                mech1_ports_out(&m, p, size, 0xc0c0c0c0u, bus_out8);
                CHECK(!touched_data());
                for (unsigned i = 0; i < size; i++) {
                    unsigned q = p + i;
                    bool data = q >= 0xcfc && q <= 0xcff;
                    CHECK_EQ((m.unclaimed >> i) & 1, data);
                    CHECK_EQ((v >> (8 * i)) & 0xff, data ? 0xffu : 0x5au);
                    CHECK_EQ((touched >> (q - 0xcf0)) & 1, !data);
                }
            }
    /* disabled: 4 data ports x 3 widths plus the crossing and 0xcf5-0xcfb ones; enabled: those that cross */
    CHECK(cases >= 12 + 3);
}

/* The escape of issue 20, item 1: enable bit clear, a dword to 0xCFC. */
TEST(disabled_dword_write_dropped)
{
    struct mech1_access m;
    mech1_decode(0x00000b40u, 0xcfc, 4, &m);
    REQUIRE(m.kind == MECH1_PORTS);
    CHECK_EQ(m.unclaimed, 0xf);
    touched = 0;
    mech1_ports_out(&m, 0xcfc, 4, 0xe001, bus_out8);
    CHECK_EQ(touched, 0);
    CHECK_EQ(mech1_ports_in(&m, 0xcfc, 4, bus_in8), 0xffffffffu);
}

UNIT_MAIN(T(only_dword_0xcf8_is_config_address), T(config_access_only_enabled_and_contained),
          T(config_data_never_forwarded), T(disabled_dword_write_dropped))
