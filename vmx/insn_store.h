/*
 * Decoding the one kind of instruction Skiff emulates: a 32-bit store to
 * memory, as a guest writes a local APIC register (vmx/apic_write.c).
 * SDM Vol. 2A 2.1 (instruction format), 2.2.1 (REX), Table 2-2 (ModR/M),
 * Table 2-3 (SIB); MOV r/m32,r32 (89 /r) and MOV r/m32,imm32 (C7 /0).
 */
#ifndef SKIFF_VMX_INSN_STORE_H
#define SKIFF_VMX_INSN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct insn_store {
    unsigned len;        /* bytes, prefixes included */
    bool is_imm;         /* value: imm (C7 /0) or GPR `reg` (89 /r), 32 bits either way */
    unsigned reg;        /* 0 RAX ... 15 R15 */
    uint32_t imm;
};

/* bytes: up to 15 fetched at the guest's RIP; long_mode: 64-bit code (else 32-bit).
 * False for anything else (the caller stops the guest and names the bytes). */
bool insn_decode_store32(const uint8_t *bytes, size_t n, bool long_mode, struct insn_store *out);

#endif
