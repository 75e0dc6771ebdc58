/* PCI configuration mechanism #1 as the chipset decodes it (vmx/pci/config_mech1.h). */
#include "vmx/pci/config_mech1.h"

void mech1_decode(uint32_t config_address, uint16_t port, unsigned size, struct mech1_access *m)
{
    *m = (struct mech1_access){ .kind = MECH1_PORTS };
    /* Only a dword I/O write or read at 0xCF8 is CONFIG_ADDRESS (PCI 3.0, 3.2.2.3.2). */
    if (port == PCI_CONFIG_ADDRESS && size == 4) {
        m->kind = MECH1_ADDRESS;
        return;
    }
    /* Inside CONFIG_DATA's dword with the enable bit set: a configuration cycle. */
    if (port >= PCI_CONFIG_DATA && port <= PCI_CONFIG_DATA + 3 && (port & 3) + size <= 4 &&
        (config_address & PCI_CFG_ENABLE)) {
        m->kind = MECH1_CONFIG;
        m->addr = pci_addr_decode(config_address, port - PCI_CONFIG_DATA);
        return;
    }
    /* Anything else is an ordinary I/O cycle; on CONFIG_DATA's ports no device claims it. */
    for (unsigned i = 0; i < size; i++) {
        uint32_t p = (uint32_t)port + i;
        if (p >= PCI_CONFIG_DATA && p <= PCI_CONFIG_DATA + 3u)
            m->unclaimed |= (uint8_t)(1u << i);
    }
}

uint32_t mech1_ports_in(const struct mech1_access *m, uint16_t port, unsigned size, uint8_t (*in8)(uint16_t))
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = (m->unclaimed >> i) & 1 ? 0xff : in8((uint16_t)(port + i));   /* master abort: all ones */
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

void mech1_ports_out(const struct mech1_access *m, uint16_t port, unsigned size, uint32_t val,
                     void (*out8)(uint16_t, uint8_t))
{
    for (unsigned i = 0; i < size; i++)
        if (!((m->unclaimed >> i) & 1))
            out8((uint16_t)(port + i), (uint8_t)(val >> (8 * i)));
}
