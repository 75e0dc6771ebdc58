/*
 * The hardware report (issue 21): with loglevel=debug Skiff prints this machine's IA32_VMX_*
 * capability MSRs, the other MSRs its decisions read and the CPUID leaves, one `skiff: profile: `
 * line each, in exactly the format of the files in tests/profiles/, so that tools/log2profile.py
 * turns a serial log into a profile the unit tests check (README "Real hardware").
 */
#ifndef SKIFF_VMX_HW_REPORT_H
#define SKIFF_VMX_HW_REPORT_H

#define HW_REPORT_PREFIX "skiff: profile: "

/* Print the report (debug level only; before any refusal, so a refused machine reports too). */
void hw_report_print(void);

#endif
