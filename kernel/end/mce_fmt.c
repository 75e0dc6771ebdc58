/* The machine-check report's lines (kernel/end/mce.h): pure formatting, no MSR access. */
#include "kernel/end/mce.h"

#include "kernel/lib/format.h"

/* " NAME" for each set bit of `v` in `bits`, or " none". */
static int flag_names(char *buf, size_t n, uint64_t v, const uint64_t *bits, const char *const *names,
                      unsigned count)
{
    int len = 0;
    for (unsigned i = 0; i < count; i++)
        if (v & bits[i])
            len += snprintf(buf + len, (size_t)len < n ? n - (size_t)len : 0, " %s", names[i]);
    if (!len)
        len = snprintf(buf, n, " none");
    return len;
}

int mce_format_summary(char *buf, size_t n, unsigned cpu, const char *where, bool have_status,
                       uint64_t mcg_status, unsigned nbanks)
{
    static const uint64_t bits[] = { MCG_STATUS_RIPV, MCG_STATUS_EIPV, MCG_STATUS_MCIP };
    static const char *const names[] = { "RIPV", "EIPV", "MCIP" };
    char flags[32];
    if (!have_status)
        return snprintf(buf, n, "skiff: cpu%u: MACHINE CHECK %s: IA32_MCG_STATUS unreadable, %u bank(s)",
                        cpu, where, nbanks);
    flag_names(flags, sizeof(flags), mcg_status, bits, names, 3);
    return snprintf(buf, n, "skiff: cpu%u: MACHINE CHECK %s: IA32_MCG_STATUS=0x%llx (%s), %u bank(s)", cpu,
                    where, (unsigned long long)mcg_status, flags + 1, nbanks);
}

int mce_format_bank(char *buf, size_t n, unsigned cpu, unsigned bank, const struct mce_bank *b)
{
    static const uint64_t bits[] = { MCI_STATUS_VAL, MCI_STATUS_OVER, MCI_STATUS_UC, MCI_STATUS_EN,
                                     MCI_STATUS_MISCV, MCI_STATUS_ADDRV, MCI_STATUS_PCC };
    static const char *const names[] = { "VAL", "OVER", "UC", "EN", "MISCV", "ADDRV", "PCC" };
    char flags[48];
    flag_names(flags, sizeof(flags), b->status, bits, names, 7);
    /* Bits 15:0: the MCA error code; 31:16: model-specific (SDM 15.3.2.2, 15.9). */
    int len = snprintf(buf, n, "skiff: cpu%u: MACHINE CHECK bank %u: IA32_MC%u_STATUS=0x%llx (%s; MCA "
                       "error code 0x%04x, model-specific 0x%04x)", cpu, bank, bank,
                       (unsigned long long)b->status, flags + 1, (unsigned)(b->status & 0xffff),
                       (unsigned)((b->status >> 16) & 0xffff));
    if (b->addr_ok)
        len += snprintf(buf + len, (size_t)len < n ? n - (size_t)len : 0, " IA32_MC%u_ADDR=0x%llx", bank,
                        (unsigned long long)b->addr);
    if (b->misc_ok)
        len += snprintf(buf + len, (size_t)len < n ? n - (size_t)len : 0, " IA32_MC%u_MISC=0x%llx", bank,
                        (unsigned long long)b->misc);
    return len;
}
