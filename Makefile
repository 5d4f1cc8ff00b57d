# copenclose: build, run, test, bench. One GNU Makefile, everything into build/.
ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
# vmlinux.h is vendored per architecture; for one not vendored it is generated from this
# machine's BTF (then the build machine needs /sys/kernel/btf/vmlinux).
VMLINUX_DIR := $(if $(wildcard src/bpf/$(shell uname -m)/vmlinux.h),src/bpf/$(shell uname -m),build/vmlinux)
BUILD := build
CC ?= cc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

LIBBPF_CFLAGS := $(shell pkg-config --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -I$(BUILD) -Isrc $(LIBBPF_CFLAGS) \
	-DCC_VERSION='"$(VERSION)"'
LDLIBS += $(LIBBPF_LIBS) -lcap
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(VMLINUX_DIR) -Isrc -Wall -Werror \
	-Wno-gnu-variable-sized-type-not-at-end

# User space, by stage (see docs/ARCHITECTURE.md): every folder of src/ but bpf/, and args.c.
SRC_DIRS := trace enrich format cmd
LIB_SRCS := src/args.c $(foreach d,$(SRC_DIRS),$(wildcard src/$(d)/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_HDRS := $(wildcard src/*.h) $(foreach d,$(SRC_DIRS),$(wildcard src/$(d)/*.h))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/helpers/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

.SECONDARY:

.PHONY: all run test unit integration check-format format lint bench fuzz stress install clean \
	deps deps-test helpers

all: $(BUILD)/copenclose

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

BPF_SRCS := $(wildcard src/bpf/*.bpf.c)
SKELS := $(BPF_SRCS:src/bpf/%.bpf.c=$(BUILD)/%.skel.h)

build/vmlinux/vmlinux.h:
	mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

# Every src/bpf/NAME.bpf.c becomes build/NAME.skel.h with the skeleton name NAME_bpf.
$(BUILD)/%.bpf.o: src/bpf/%.bpf.c src/bpf/event.h $(VMLINUX_DIR)/vmlinux.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	rm -f $@.tmp

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/obj/%.o: src/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libcopenclose.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/copenclose: $(BUILD)/obj/main.o $(BUILD)/libcopenclose.a
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcopenclose.a | $(BUILD)/tests
	$(CC) $(CFLAGS) -Wno-unused-parameter $^ -o $@ $(LDLIBS) -lcmocka

# Small workloads whose system calls are known by construction; static, so they run in a
# busybox container.
$(BUILD)/helpers/%: tests/helpers/%.c | $(BUILD)/helpers
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static $< -o $@

helpers: $(HELPER_BINS)

$(BUILD) $(BUILD)/tests $(BUILD)/helpers $(BUILD)/fuzz:
	mkdir -p $@

run: deps all
	$(BUILD)/copenclose $(ARGS)

unit: $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

integration: all helpers
	@scripts/run-integration.sh

test: deps-test
	@$(MAKE) --no-print-directory check-format lint all helpers $(UNIT_BINS)
	@scripts/run-tests.sh

check-format:
	@bad=$$(for f in $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' 2>/dev/null \
		| grep -v vmlinux); do \
		clang-format --dry-run -Werror $$f >/dev/null 2>&1 || echo $$f; done); \
	if [ -n "$$bad" ]; then echo "not clang-formatted: $$bad" >&2; exit 1; fi

# The integration tests: no check that cannot fail (its own self-test on planted lines first),
# and shellcheck clean.
lint:
	@scripts/lint-tests.py --self-test
	@scripts/lint-tests.py

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' | grep -v vmlinux)

# Fuzz targets: every source but main.c, built with clang's libFuzzer, ASan and UBSan.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I$(BUILD) -Isrc $(LIBBPF_CFLAGS) -DCC_VERSION='"$(VERSION)"'
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(LIB_HDRS) $(SKELS) | $(BUILD)/fuzz
	$(CLANG) $(FUZZ_CFLAGS) $< $(LIB_SRCS) -o $@ $(LDLIBS)

fuzz: deps-test $(FUZZ_BINS)
	@scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -C bench
	bench/run.sh

stress: all helpers
	@CC_STRESS=1 scripts/run-integration.sh

install: all
	install -D -m 0755 $(BUILD)/copenclose $(DESTDIR)/usr/local/sbin/copenclose
	install -D -m 0644 man/copenclose.8 $(DESTDIR)/usr/local/share/man/man8/copenclose.8

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/*/*.d)
