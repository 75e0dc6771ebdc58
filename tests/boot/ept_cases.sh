# ---- physical addresses outside RAM (issue 12, finding 5) -------------------
# Sourced by tests/boot/cases.sh.  The probe guest's `mem` probe reads, writes
# and reads back unbacked addresses in the PCI hole and above 4 GiB up to the
# last page below 2^MAXPHYADDR, natively and under Skiff: the same values, no
# EPT violation.  Skylake has 1 GiB EPT leaves (everything mapped up front),
# Sandy Bridge has not (mapped on demand from the EPT-violation handler).
BOOT_CASES+=(ept_unbacked_skylake ept_unbacked_sandy_bridge ept_write_skiff_sandy_bridge)

ept_unbacked() {
    compare_native "$1" "bochs:$2" probe=mem || return 1
    expect '^probe: mem maxphyaddr [0-9]+$'
    expect_count 1 '^probe: mem 0x0000000100001000: read 0xffffffff '
    expect_not '^skiff: EPT violation'
    expect_not '^vmcheck: '
    expect_status 0 bochs:
}

case_ept_unbacked_skylake() {
    ept_unbacked ept_unbacked_skylake corei7_skylake_x || return 1
    expect '^skiff: ept: .*1G/2M/4K leaves\), to 2\^[0-9]+: all up front with 1 GiB leaves$'
    expect_not '^skiff: ept: on demand'
}

case_ept_unbacked_sandy_bridge() {
    ept_unbacked ept_unbacked_sandy_bridge corei7_sandy_bridge_2600k || return 1
    expect '^skiff: ept: on demand: [1-9][0-9]* fills, peak [0-9]+ of 64 pool pages, 0 recycles$'
}

# Where the rest is mapped on demand, Skiff's own pages still give their verdict.
case_ept_write_skiff_sandy_bridge() {
    boot ept_write_skiff_sandy_bridge bochs:corei7_sandy_bridge_2600k "guest_test=write_skiff"
    expect '^skiff: ept: .*2M/4K leaves\), to 2\^[0-9]+: from a pool of 64 table pages, the rest on demand, 2 MiB leaves$'
    expect_skiff_page_violation write
}
