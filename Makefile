# Skiff - a micro-hypervisor for Intel VT-x.  `make help` lists the targets.

BUILD    ?= build
CC       ?= gcc
HOSTCC   ?= gcc
EMU      ?=
GUEST    ?=
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone \
           -mgeneral-regs-only -mcmodel=kernel -fno-stack-protector \
           -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
           -fcf-protection=none -Wall -Wextra -Werror -MMD -MP -I. \
           -DSKIFF_VERSION='"0.1.0-$(VERSION)"'
KASFLAGS := -I. -Iboot -MMD -MP
KLDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 --build-id=none -T linker.ld

KERNEL_SRCS := $(wildcard boot/*.S) $(wildcard kernel/*.c kernel/*.S) \
               $(wildcard vmx/*.c vmx/*.S) $(wildcard guest/*.c guest/*.S)
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS))

.PHONY: all iso run test check clean help deps
all: $(BUILD)/skiff.elf

help:
	@echo "Skiff make targets:"
	@echo "  all     build $(BUILD)/skiff.elf (the Multiboot2 kernel)"
	@echo "  iso     build $(BUILD)/skiff.iso (hybrid BIOS+UEFI GRUB ISO)"
	@echo "  run     boot the ISO on the best backend (EMU=kvm|bochs|qemu|uefi forces one)"
	@echo "  test    host unit tests and emulator boot tests; ends with 'N passed, N failed'"
	@echo "  check   host unit tests only"
	@echo "  deps    install the Debian packages the build and tests need"
	@echo "  clean   remove $(BUILD)/"

$(BUILD)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -c $< -o $@

$(BUILD)/skiff.elf: $(KERNEL_OBJS) linker.ld
	ld $(KLDFLAGS) -o $@ $(KERNEL_OBJS)

iso: $(BUILD)/skiff.iso
$(BUILD)/skiff.iso: $(BUILD)/skiff.elf iso/grub.cfg tests/boot/mkiso.sh
	tests/boot/mkiso.sh $@ iso/grub.cfg $(BUILD)/skiff.elf

deps:
	@tests/deps.sh

run: $(BUILD)/skiff.iso
	@tests/deps.sh run
	@tests/boot/run.sh "$(EMU)" $(BUILD)/skiff.iso

check:
	@tests/unit/run.sh $(BUILD)

test:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory all
	@tests/run_all.sh $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJS:.o=.d)
