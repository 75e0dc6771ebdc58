# Skiff - a micro-hypervisor for Intel VT-x.  `make help` lists the targets.

BUILD    ?= build
OPT      ?= -Os
CC       ?= gcc
HOSTCC   ?= gcc
EMU      ?=
GUEST    ?=
CPUS     ?=
DISK     ?=
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Retpolines (vmx/policy/spec_policy.c, "Spectre v2 (host)"): every indirect CALL/JMP of the C code
# becomes a call to a per-file __x86_indirect_thunk_<reg> (GCC's "thunk": comdat copies, nothing to
# provide); RETs stay RETs (the exit stub fills the RSB instead); no jump tables, whose JMPs would need
# the thunk too.  tools/check_indirect.sh checks skiff.elf has no other indirect branch.
RETPOLINE ?= -mindirect-branch=thunk -mfunction-return=keep -mindirect-branch-register -fno-jump-tables

KCFLAGS := -std=gnu11 $(OPT) -g -ffreestanding -fno-pic -fno-pie -mno-red-zone \
           -mgeneral-regs-only -mcmodel=kernel -fno-stack-protector \
           -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
           -fcf-protection=none -Wall -Wextra -Werror -MMD -MP -I. $(RETPOLINE) \
           -DSKIFF_VERSION='"0.1.0-$(VERSION)"'
KASFLAGS := -I. -Iboot -MMD -MP -DBUILTIN_GUEST_BIN='"$(BUILD)/guest/builtin.bin"'
# make NESTED_COST=1: the counting build of the nested-cost model (kernel/cpu/nested_cost.h); make bench
# builds it in $(BUILD)/nested.
ifeq ($(NESTED_COST),1)
KCFLAGS  += -DSKIFF_NESTED_COST
KASFLAGS += -DSKIFF_NESTED_COST
endif
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 --build-id=none -T linker.ld

# Everything linked into skiff.elf: boot, kernel, vmx and the loaders with the run's
# composition root (guest/loader, guest/run).  The guest programs (guest/programs) are cargo,
# linked on their own below.
SKIFF_DIRS  := boot kernel vmx guest/loader guest/run
KERNEL_SRCS := $(sort $(wildcard $(addsuffix /*.c,$(SKIFF_DIRS)) $(addsuffix /*.S,$(SKIFF_DIRS)) \
                                 $(addsuffix /*/*.c,$(SKIFF_DIRS)) $(addsuffix /*/*.S,$(SKIFF_DIRS))))
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS))

.PHONY: all iso run test check fuzz soak clean help deps guests gdb kvm-check
FUZZ_SECONDS ?= 300
# make fuzz also runs the fuzz guest in Bochs: seeds FUZZ_SEED..FUZZ_SEED+FUZZ_SEEDS-1, FUZZ_COUNT each.
FUZZ_SEED ?= 100
FUZZ_SEEDS ?= 8
FUZZ_COUNT ?= 100000
# ... and the platform fuzzer: PLATFUZZ_SEEDS seeds from PLATFUZZ_SEED, each in both modes on 1 and
# 2 CPUs, PLATFUZZ_COUNT operations per CPU.
PLATFUZZ_SEED ?= 100
PLATFUZZ_SEEDS ?= 8
PLATFUZZ_COUNT ?= 5000
SOAK_EXITS ?= 50000000
all: $(BUILD)/skiff.elf $(BUILD)/guest/mbtest.elf $(BUILD)/guest/bench.elf $(BUILD)/guest/probe.elf \
     $(BUILD)/guest/perf.elf $(BUILD)/guest/chainprobe.img

help:
	@echo "Skiff make targets:"
	@echo "  all     build $(BUILD)/skiff.elf (the Multiboot2 kernel)"
	@echo "  iso     build $(BUILD)/skiff.iso (hybrid BIOS+UEFI GRUB ISO)"
	@echo "  run     boot the ISO on the best backend (EMU=kvm|bochs|bochs-uefi|qemu|uefi forces one;"
	@echo "          GUEST=linux|multiboot runs that guest instead of the built-in one;"
	@echo "          DISK=IMAGE boots that disk image under Skiff: guest=chain, the BIOS's drive 0x80)"
	@echo "  test    host unit tests and emulator boot tests; ends with 'N passed, N failed'"
	@echo "  check   host unit tests only"
	@echo "  bench   exit costs, boot cost, size, Linux overhead, workload phases, Linux SMP, a disk (chain)"
	@echo "          (build/bench.json); BENCH_ONLY=exits,linux,perf,smp,nested,chain,timer runs some sections;"
	@echo "          nested: the nested-KVM cost model (make NESTED_COST=1 builds the counting Skiff)"
	@echo "  fuzz    libFuzzer runs of every parser, FUZZ_SECONDS each (default 300), then the"
	@echo "          fuzz guest in Bochs: FUZZ_SEEDS seeds from FUZZ_SEED, FUZZ_COUNT instructions each,"
	@echo "          then the platform fuzzer: PLATFUZZ_SEEDS seeds from PLATFUZZ_SEED, both modes,"
	@echo "          1 and 2 CPUs, PLATFUZZ_COUNT operations per CPU"
	@echo "  soak    the exit soak in Bochs: SOAK_EXITS exits (default 50000000), leak and output checks"
	@echo "  deps    install the Debian packages the build and tests need"
	@echo "  gdb     boot Skiff with gdb=ttyS1 in Bochs and attach gdb to the built-in guest"
	@echo "  clean   remove $(BUILD)/"

# Size first; the exit path (vmx/exit/, the exit-reason names it prints, the I/O policy it asks) for speed.
$(BUILD)/obj/vmx/exit/%.c.o $(BUILD)/obj/vmx/vcpu/vcpu_ops.c.o \
$(BUILD)/obj/vmx/core/exit_reasons.c.o $(BUILD)/obj/vmx/policy/io_policy.c.o: OPT := -O2

$(BUILD)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

# Guests Skiff ships are linked on their own and embedded as flat images.
GCFLAGS := -std=gnu11 -O2 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
           -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
           -Wall -Wextra -Werror -MMD -MP -I.
BUILTIN_OBJS := $(BUILD)/gobj/guest/programs/builtin/entry.S.o $(BUILD)/gobj/guest/programs/builtin/ap.S.o \
                $(BUILD)/gobj/guest/programs/builtin/main.c.o \
                $(BUILD)/gobj/guest/programs/builtin/attack.c.o \
                $(BUILD)/gobj/guest/programs/builtin/platfuzz.c.o

$(BUILD)/gobj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	@$(CC) $(GCFLAGS) -c $< -o $@

$(BUILD)/gobj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest)"
	@$(CC) -I. -MMD -MP -c $< -o $@

$(BUILD)/guest/builtin.elf: $(BUILTIN_OBJS) guest/programs/builtin/guest.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@ld -nostdlib -static -z max-page-size=0x1000 --build-id=none --no-warn-rwx-segments -T guest/programs/builtin/guest.ld -o $@ $(BUILTIN_OBJS)

$(BUILD)/guest/builtin.bin: $(BUILD)/guest/builtin.elf
	@objcopy -O binary $< $@

$(BUILD)/obj/guest/loader/builtin_image.S.o: $(BUILD)/guest/builtin.bin

# The Multiboot test guest: a separate ELF32 kernel booted as a GRUB module.
MBTEST_OBJS := $(BUILD)/gobj32/guest/programs/mbtest/entry.S.o $(BUILD)/gobj32/guest/programs/mbtest/main.c.o

$(BUILD)/gobj32/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest, 32-bit)"
	@$(CC) -m32 $(GCFLAGS) -c $< -o $@

$(BUILD)/gobj32/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest, 32-bit)"
	@$(CC) -m32 -I. -MMD -MP -c $< -o $@

$(BUILD)/guest/mbtest.elf: $(MBTEST_OBJS) guest/programs/mbtest/mbtest.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@ld -m elf_i386 -nostdlib -static --build-id=none --no-warn-rwx-segments -T guest/programs/mbtest/mbtest.ld -o $@ $(MBTEST_OBJS)

BENCH_OBJS := $(BUILD)/gobj32/guest/programs/bench/entry.S.o $(BUILD)/gobj32/guest/programs/bench/main.c.o

$(BUILD)/guest/bench.elf: $(BENCH_OBJS) guest/programs/bench/bench.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@ld -m elf_i386 -nostdlib -static --build-id=none --no-warn-rwx-segments -T guest/programs/bench/bench.ld -o $@ $(BENCH_OBJS)

# The probe guest: runs natively and under Skiff, for the native-vs-Skiff comparisons.
PROBE_SRCS := $(wildcard guest/programs/probe/*.c guest/programs/probe/*.S)
PROBE_OBJS := $(patsubst %,$(BUILD)/gobj32/%.o,$(PROBE_SRCS))

$(BUILD)/guest/probe.elf: $(PROBE_OBJS) guest/programs/probe/probe.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@ld -m elf_i386 -nostdlib -static --build-id=none --no-warn-rwx-segments -T guest/programs/probe/probe.ld -o $@ $(PROBE_OBJS)

# The workload guest: COM1 output, idle and timer phases, natively and under Skiff (make bench).
PERF_OBJS := $(BUILD)/gobj32/guest/programs/perf/entry.S.o $(BUILD)/gobj32/guest/programs/perf/main.c.o

$(BUILD)/guest/perf.elf: $(PERF_OBJS) guest/programs/perf/perf.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@ld -m elf_i386 -nostdlib -static --build-id=none --no-warn-rwx-segments -T guest/programs/perf/perf.ld -o $@ $(PERF_OBJS)

# The chain-boot probe: a BIOS boot sector and its sectors, at the start of a raw hard-disk image
# of 20 cylinders, 16 heads, 63 sectors (tests/boot/chain_cases.sh gives Bochs that geometry).
CHAIN_DISK_BYTES := 10321920
$(BUILD)/guest/chainprobe.img: $(BUILD)/gobj32/guest/programs/chainprobe/chainprobe.S.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@ld -m elf_i386 -nostdlib -static --build-id=none -Ttext=0x7c00 -e _start -o $@.elf $<
	@objcopy -O binary -j .text $@.elf $@.tmp
	@truncate -s $(CHAIN_DISK_BYTES) $@.tmp
	@mv $@.tmp $@

guests: $(BUILD)/guest/mbtest.elf $(BUILD)/guest/bench.elf $(BUILD)/guest/probe.elf $(BUILD)/guest/perf.elf $(BUILD)/guest/chainprobe.img

$(BUILD)/skiff.elf: $(KERNEL_OBJS) linker.ld
	@echo "  LD      $@"
	@ld $(KLDFLAGS) -o $@.tmp $(KERNEL_OBJS)
	@tools/check_indirect.sh $@.tmp >/dev/null || { tools/check_indirect.sh $@.tmp; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

iso: $(BUILD)/skiff.iso
$(BUILD)/skiff.iso: $(BUILD)/skiff.elf $(BUILD)/guest/mbtest.elf iso/grub.cfg tests/boot/mkiso.sh
	@echo "  ISO     $@"
	@tests/boot/mkiso.sh $@ iso/grub.cfg $(BUILD)/skiff.elf $(BUILD)/guest/mbtest.elf

deps:
	@tests/deps.sh

run:
	@tests/deps.sh run
	@$(MAKE) --no-print-directory iso
	@GUEST=$(GUEST) CPUS=$(CPUS) DISK=$(DISK) tests/boot/run.sh "$(EMU)" $(BUILD)/skiff.iso

# gdb: Skiff with gdb=ttyS1 in Bochs (COM2 is a TCP socket on localhost), gdb attached to
# the built-in guest.  corei7_icelake_u is a Bochs model with the monitor trap flag.
gdb:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory all
	@printf 'serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\nset timeout=0\nmenuentry "Skiff, gdb stub" {\n    multiboot2 /boot/skiff.elf gdb=ttyS1 $(SKIFF_ARGS)\n    boot\n}\n' > $(BUILD)/gdb.cfg
	@tests/boot/mkiso.sh $(BUILD)/skiff-gdb.iso $(BUILD)/gdb.cfg $(BUILD)/skiff.elf
	@BUILD=$(BUILD) BOCHS_CPU=$${BOCHS_CPU:-corei7_icelake_u} tests/boot/gdb.sh $(BUILD)/skiff-gdb.iso $(BUILD)/gdb

check:
	@tests/unit/run.sh $(BUILD)

# kvm-check: on an Intel host with nested KVM, boot the built-in and the Linux guest with
# 1 and 2 CPUs through BIOS and UEFI, and write a report to paste into a bug report.
kvm-check:
	@tests/deps.sh run
	@$(MAKE) --no-print-directory all
	@tests/kvm_check.sh $(BUILD)

test:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory all
	@tests/run_all.sh $(BUILD)

bench:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory all
	@tests/bench/bench.sh $(BUILD)

fuzz:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory all
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(BUILD); a=$$?; \
	 BUILD=$(BUILD) tests/boot/hostile.sh fuzz $(FUZZ_SEED) $$(($(FUZZ_SEED) + $(FUZZ_SEEDS) - 1)) $(FUZZ_COUNT); \
	 b=$$?; BUILD=$(BUILD) tests/boot/hostile.sh platfuzz $(PLATFUZZ_SEED) \
	   $$(($(PLATFUZZ_SEED) + $(PLATFUZZ_SEEDS) - 1)) $(PLATFUZZ_COUNT); \
	 c=$$?; [ $$a -eq 0 ] && [ $$b -eq 0 ] && [ $$c -eq 0 ]

soak:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/boot/hostile.sh soak $(SOAK_EXITS)

clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJS:.o=.d) $(BUILTIN_OBJS:.o=.d) $(MBTEST_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(PROBE_OBJS:.o=.d) \
           $(PERF_OBJS:.o=.d)
