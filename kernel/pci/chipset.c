/* The chipset functions found at boot (kernel/pci/chipset.h). */
#include "kernel/pci/chipset.h"

#include "kernel/console/console.h"
#include "kernel/lib/format.h"

static struct pci_chipset_fn fns[PCI_CHIPSET_MAX];
static unsigned nfns;

static void record(unsigned dev, unsigned fn, uint32_t id, enum pci_chipset_role role)
{
    if (nfns == PCI_CHIPSET_MAX) {
        pr_warn("skiff: pci: warning: more than %u chipset functions on bus 0: 00:%02x.%x is judged by its "
                "class alone\n", PCI_CHIPSET_MAX, dev, fn);
        return;
    }
    struct pci_chipset_fn *c = &fns[nfns++];
    *c = (struct pci_chipset_fn){ .dev = (uint8_t)dev, .fn = (uint8_t)fn, .vendor = (uint16_t)id,
                                  .device = (uint16_t)(id >> 16), .role = (uint8_t)role };
    if ((pci_read8(0, dev, fn, PCI_HEADER_TYPE) & 0x7f) != 0)
        return;                                 /* BARs as below only in a type 0 header (PCI 3.0, 6.1) */
    for (unsigned i = 0; i < 6; i++)
        c->bar[i] = pci_read32(0, dev, fn, PCI_BAR0 + 4 * i);
    c->bar[6] = pci_read32(0, dev, fn, 0x30);
}

void pci_chipset_scan(void)
{
    nfns = 0;
    for (unsigned d = 0; d < 32; d++) {
        if ((pci_read32(0, d, 0, PCI_VENDOR_ID) & 0xffff) == 0xffff)
            continue;
        unsigned nfn = (pci_read8(0, d, 0, PCI_HEADER_TYPE) & 0x80) ? 8 : 1;
        for (unsigned f = 0; f < nfn; f++) {
            uint32_t id = pci_read32(0, d, f, PCI_VENDOR_ID);
            if ((id & 0xffff) == 0xffff)
                continue;
            enum pci_chipset_role role = pci_chipset_role((uint16_t)id, (uint16_t)(id >> 16),
                                                          pci_read32(0, d, f, 0x08));
            if (role != PCI_ROLE_NONE)
                record(d, f, id, role);
        }
    }
    const struct pci_chipset_fn *host = NULL;
    char list[PCI_CHIPSET_MAX * 40] = "";
    size_t len = 0;
    for (unsigned i = 0; i < nfns; i++) {
        if (!host && fns[i].role == PCI_ROLE_HOST)
            host = &fns[i];
        len += (size_t)snprintf(list + len, sizeof list - len, "%s00:%02x.%x %04x:%04x %s", i ? ", " : "",
                                fns[i].dev, fns[i].fn, fns[i].vendor, fns[i].device,
                                pci_chipset_role_name((enum pci_chipset_role)fns[i].role));
        if (len >= sizeof list)
            break;
    }
    if (!host) {
        pr_info("skiff: pci: chipset unknown (no host bridge on bus 0): chipset functions: %s\n",
                nfns ? list : "none");
        return;
    }
    const struct pci_chipset_id *k = pci_chipset_known(host->vendor, host->device);
    if (k)
        pr_info("skiff: pci: chipset %04x:%04x (%s) known; chipset functions %s: writes Skiff cannot judge "
                "are refused\n", host->vendor, host->device, k->name, list);
    else
        pr_info("skiff: pci: chipset %04x:%04x unknown; chipset functions %s: writes to them are refused but "
                "for the common header's harmless registers\n", host->vendor, host->device, list);
}

const struct pci_chipset_fn *pci_chipset_at(struct pci_addr a)
{
    for (unsigned i = 0; a.bus == 0 && i < nfns; i++)
        if (fns[i].dev == a.dev && fns[i].fn == a.fn)
            return &fns[i];
    return NULL;
}
