/* The exception table (kernel/cpu/extable.h): a linear search, a handful of entries. */
#include "kernel/cpu/extable.h"

extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

uint64_t extable_faults;
unsigned extable_last_vector;

uint64_t extable_search(const struct extable_entry *table, unsigned n, uint64_t rip)
{
    for (unsigned i = 0; i < n; i++)
        if (table[i].insn == rip)
            return table[i].fixup;
    return 0;
}

uint64_t extable_fixup(uint64_t rip)
{
    return extable_search(__start_ex_table, (unsigned)(__stop_ex_table - __start_ex_table), rip);
}
