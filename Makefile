# vmm: a KVM hypervisor whose guest memory is managed like Linux manages
# physical memory.  GNU Make, out-of-tree build, quiet by default (V=1 to see
# the commands).
#
#   make                 build everything into $(BUILD)/
#   make run             build, then boot the default guest (the main job)
#   make test            format check, unit tests, KVM integration tests
#   make SANITIZE=address,undefined test
#   make SANITIZE=thread test
#   make BUILD=build-x   a second build tree (parallel work, sanitizers)

BUILD    ?= build
CC       ?= gcc
OPT      ?= -O2
WERROR   ?= -Werror
SANITIZE ?=

ifeq ($(V),1)
Q :=
else
Q := @
endif

comma := ,

# A sanitizer build gets its own tree unless the caller chose one, so that
# instrumented and plain objects never mix.
ifneq ($(SANITIZE),)
ifeq ($(BUILD),build)
BUILD := build-$(subst $(comma),-,$(SANITIZE))
endif
endif
PKGS     := liburing check jansson liblz4 libzstd libmicrohttpd
DEPS_OK  := $(BUILD)/.deps-ok

CPPFLAGS := -I. -D_GNU_SOURCE -MMD -MP
CFLAGS   := -std=gnu11 $(OPT) -g -Wall -Wextra $(WERROR) -pthread \
            -fno-strict-aliasing -Wno-missing-field-initializers
LDFLAGS  := -pthread
LDLIBS   := -luring -ljansson -llz4 -lzstd -lmicrohttpd
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt)

ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# ---------------------------------------------------------------- sources
# One archive per layer, linked upper layers first, so that a call the
# wrong way (mm/ into vmm/, util/ into anything) fails to link; the
# includes are checked too (scripts/check-layers.sh).
UTIL_SRCS    := $(wildcard util/*.c)
MM_SRCS      := $(wildcard mm/*.c)
SWAP_SRCS    := $(wildcard swap/*.c)
VMM_SRCS     := $(wildcard balloon/*.c) \
                $(filter-out vmm/cli/main.c,$(wildcard vmm/*/*.c))
OBJ          := $(BUILD)/obj
# Guest code the host runs too, unchanged, so that both sides speak one
# grammar: built a second time with the host's flags (sizes and times
# into libutil.a, the script parser into libvmm.a).
GUEST_SHARED_SRCS := guest/units.c guest/script.c
UTIL_OBJS    := $(UTIL_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/host/guest/units.o
MM_OBJS      := $(MM_SRCS:%.c=$(OBJ)/%.o)
SWAP_OBJS    := $(SWAP_SRCS:%.c=$(OBJ)/%.o)
VMM_OBJS     := $(VMM_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/host/guest/script.o
UTIL_LIB     := $(BUILD)/libutil.a
MM_LIB       := $(BUILD)/libmm.a
SWAP_LIB     := $(BUILD)/libswap.a
VMM_LIB      := $(BUILD)/libvmm.a
LIBS         := $(VMM_LIB) $(SWAP_LIB) $(MM_LIB) $(UTIL_LIB)

# Three test programs, as the tests mirror the tree.  check_mm: the suites
# of tests/mm/ (tests/mm/runner_mm.c lists them) and the helpers there,
# linked with libmm.a and libutil.a alone, so that a test of mm that
# needed an upper layer would fail to link.  check_swap: the cold tier's
# suites (tests/swap/, tests/swap/runner_swap.c) with mm's helpers,
# linked with libswap.a, libmm.a and libutil.a alone, for the same
# reason.  check_all: tests/vmm/ and tests/tools/ (tests/runner_all.c),
# with the same helpers.
MM_TEST_HELPERS := $(filter-out tests/mm/check_%.c tests/mm/runner_mm.c, \
                     $(wildcard tests/mm/*.c)) tests/runner.c
MM_TEST_SRCS := $(wildcard tests/mm/*.c) tests/runner.c
MM_TEST_OBJS := $(MM_TEST_SRCS:%.c=$(OBJ)/%.o)
MM_TEST_BIN  := $(BUILD)/tests/check_mm
SWAP_TEST_SRCS := $(wildcard tests/swap/*.c) $(MM_TEST_HELPERS)
SWAP_TEST_OBJS := $(SWAP_TEST_SRCS:%.c=$(OBJ)/%.o)
SWAP_TEST_BIN := $(BUILD)/tests/check_swap
TEST_SRCS    := $(wildcard tests/vmm/*.c tests/tools/*.c) $(MM_TEST_HELPERS) \
                tests/runner_all.c
TEST_OBJS    := $(TEST_SRCS:%.c=$(OBJ)/%.o)
TEST_BIN     := $(BUILD)/tests/check_all

# A program per tools/*.c; the modules they share (and the Check suites
# test) live in folders under tools/, one per family, in libtools.a.
TOOL_SRCS    := $(wildcard tools/*.c)
TOOL_BINS    := $(TOOL_SRCS:tools/%.c=$(BUILD)/tools/%)
TOOLS_LIB_SRCS := $(filter-out tools/vmmctl/%,$(wildcard tools/*/*.c)) \
                  tools/vmmctl/client.c
TOOLS_LIB_OBJS := $(TOOLS_LIB_SRCS:%.c=$(OBJ)/%.o)
TOOLS_LIB    := $(BUILD)/libtools.a

# vmmctl: a program of its own, one file per subcommand under
# tools/vmmctl/ (its client.[ch] is for other tools too).
VMMCTL_SRCS  := $(wildcard tools/vmmctl/*.c)
VMMCTL_OBJS  := $(VMMCTL_SRCS:%.c=$(OBJ)/%.o)
VMMCTL_BIN   := $(BUILD)/vmmctl

GUEST_SRCS   := $(wildcard guest/*.c)
GUEST_ASMS   := $(wildcard guest/*.S)
GUEST_OBJS   := $(GUEST_SRCS:%.c=$(OBJ)/%.o) $(GUEST_ASMS:%.S=$(OBJ)/%.o)
GUEST_ELF    := $(BUILD)/guest/guest.elf

VMM_BIN      := $(BUILD)/vmm
GUEST_IMAGE_OBJ := $(if $(wildcard guest/guest.ld),$(OBJ)/vmm/guest_image.o)

# The guest is freestanding: no libc, no red zone (interrupts would clobber
# it), no SSE (we never save that state), linked at its own address.
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra $(WERROR) -ffreestanding \
                -fno-pic -fno-pie -fno-stack-protector -mno-red-zone \
                -mno-sse -mno-mmx -mno-80387 -mgeneral-regs-only \
                -fno-asynchronous-unwind-tables -mcmodel=kernel -nostdinc \
                -fno-builtin -I. -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
                 -Wl,-T,guest/guest.ld -Wl,-z,max-page-size=4096

.PHONY: all run test unit-test kvm-test cli-test check-format check-layers format clean deps bench fuzz
all: $(if $(wildcard vmm/cli/main.c),$(VMM_BIN)) $(MM_TEST_BIN) $(SWAP_TEST_BIN) $(TEST_BIN) $(TOOL_BINS) $(if $(VMMCTL_SRCS),$(VMMCTL_BIN)) $(if $(wildcard guest/guest.ld),$(GUEST_ELF))

deps: $(DEPS_OK)
$(DEPS_OK): scripts/deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)scripts/deps.sh $(PKGS)
	$(Q)touch $@

# ---------------------------------------------------------------- rules
$(OBJ)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OBJ)/host/guest/%.o: guest/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (host)")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The archives follow the Makefile too: a module added to one here must
# get in even when its object is older than the archive.
$(UTIL_LIB): $(UTIL_OBJS) Makefile
$(MM_LIB): $(MM_OBJS) Makefile
$(SWAP_LIB): $(SWAP_OBJS) Makefile
$(VMM_LIB): $(VMM_OBJS) Makefile
$(UTIL_LIB) $(MM_LIB) $(SWAP_LIB) $(VMM_LIB):
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(TOOLS_LIB): $(TOOLS_LIB_OBJS) Makefile
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(OBJ)/guest/%.o: guest/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GUESTCC $<")
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(OBJ)/guest/%.o: guest/%.S
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GUESTAS $<")
	$(Q)$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(GUEST_ELF): $(GUEST_OBJS) guest/guest.ld
	@mkdir -p $(@D)
	@$(if $(Q),echo "  GUESTLD $@")
	$(Q)$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) $(GUEST_OBJS) -o $@

# The default guest is embedded in the vmm binary so that `vmm run` needs
# no other file.
$(OBJ)/vmm/guest_image.o: $(GUEST_ELF)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  EMBED   $<")
	$(Q)printf '.section .rodata\n.balign 16\n.globl guest_image_start\nguest_image_start:\n.incbin "%s"\n.globl guest_image_end\nguest_image_end:\n.section .note.GNU-stack,"",@progbits\n' $(GUEST_ELF) | $(CC) -c -x assembler -o $@ -

$(VMM_BIN): $(OBJ)/vmm/cli/main.o $(OBJ)/vmm/guest_image.o $(LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# vmmctl knows the socket's path and the utilities, not the VMM.
$(VMMCTL_BIN): $(VMMCTL_OBJS) $(OBJ)/vmm/ctl/path.o $(UTIL_LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(MM_TEST_BIN): $(MM_TEST_OBJS) $(MM_LIB) $(UTIL_LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $^ $(CHECK_LIBS) -o $@

$(SWAP_TEST_BIN): $(SWAP_TEST_OBJS) $(SWAP_LIB) $(MM_LIB) $(UTIL_LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $^ -llz4 -lzstd -luring $(CHECK_LIBS) -o $@

$(TEST_BIN): $(TEST_OBJS) $(GUEST_IMAGE_OBJ) $(TOOLS_LIB) $(LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) $(CHECK_LIBS) -o $@

$(BUILD)/tools/%: $(OBJ)/tools/%.o $(GUEST_IMAGE_OBJ) $(TOOLS_LIB) $(LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -lm -o $@

# ---------------------------------------------------------------- jobs
run: all
	$(BUILD)/vmm run

# Thread sanitizer runs need the suppressions for what it cannot see
# (tests/tsan.supp says what and why), the CLI scripts' vmm processes too;
# the longest history, so that the other side of a race on guest RAM
# (an mmap of compaction or swap-in) has its stack to match them against.
TEST_ENV := $(if $(findstring thread,$(SANITIZE)),TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 history_size=7")

test: all check-format check-layers
	$(Q)$(TEST_ENV) $(MM_TEST_BIN)
	$(Q)$(TEST_ENV) $(SWAP_TEST_BIN)
	$(Q)$(TEST_ENV) $(TEST_BIN)
	$(Q)$(TEST_ENV) sh tests/cli/run.sh $(BUILD)

bench: all
	$(Q)for b in $(TOOL_BINS); do case $$b in */bench_*) $$b;; esac; done

# libFuzzer build of the guest-facing parsers (not part of `all`).
FUZZ_SRCS := tools/fuzz_virtqueue.c vmm/virtio/virtqueue.c vmm/virtio/mmio.c \
             vmm/virtio/balloon.c mm/trace.c util/histogram.c
fuzz: $(BUILD)/fuzz/fuzz_virtqueue
$(BUILD)/fuzz/fuzz_virtqueue: $(FUZZ_SRCS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang -g -O1 -I. -D_GNU_SOURCE -DFUZZING \
		-fsanitize=fuzzer,address,undefined $(FUZZ_SRCS) -o $@

# The includes each layer may make (docs/architecture.md).
check-layers:
	$(Q)sh scripts/check-layers.sh

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
check-format:
	$(Q)if command -v clang-format >/dev/null; then \
	  clang-format --dry-run -Werror $(FORMAT_FILES) && echo "  FORMAT  ok"; \
	else echo "SKIP format check: clang-format not installed"; fi

format:
	$(Q)clang-format -i $(FORMAT_FILES)

clean:
	rm -rf build build-*

# Keep the tools' objects, which only the pattern rule names (so make
# would take them for intermediate files).  Not every target: a missing
# object of an archive must be rebuilt even when the archive is newer
# than its source.
.SECONDARY: $(TOOL_SRCS:%.c=$(OBJ)/%.o)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
