/*
 * guest=chain: the names of the BIOS disk status codes (INT 13h: AH after a
 * call with CF set, the byte INT 13h AH=01h returns), for the chain stub's
 * verdicts (vmx/exit/exit_bios.c).
 */
#ifndef SKIFF_VMX_EXIT_INT13_STATUS_H
#define SKIFF_VMX_EXIT_INT13_STATUS_H

#include <stdint.h>

/* The status's name; "unknown status" for a code no row names. */
const char *int13_status_name(uint8_t status);

#endif
