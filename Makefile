# copenclose: build, run, test, bench. One GNU Makefile, everything into build/.
HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
# Another architecture than this machine's (make static ARCH=arm64 on x86_64): Debian's cross
# compiler and that architecture's libraries (scripts/deps.sh arm64), everything into
# build/ARCH/ so that the native build beside it stays as it is.
BUILD := build
PKG_CONFIG := pkg-config
ifneq ($(ARCH),$(HOST_ARCH))
TRIPLET := $(if $(filter arm64,$(ARCH)),aarch64,$(if $(filter x86,$(ARCH)),x86_64,$(ARCH)))-linux-gnu
BUILD := build/$(ARCH)
ifeq ($(origin CC),default)
CC := $(TRIPLET)-gcc
endif
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
endif
# vmlinux.h is vendored per architecture (src/bpf/x86_64/, src/bpf/arm64/: src/bpf/README.md
# says how each was made), chosen by ARCH; for one not vendored it is generated from this
# machine's BTF (then the build machine needs /sys/kernel/btf/vmlinux).
VMLINUX_ARCH := $(if $(filter x86,$(ARCH)),x86_64,$(ARCH))
VMLINUX_DIR := $(if $(wildcard src/bpf/$(VMLINUX_ARCH)/vmlinux.h),src/bpf/$(VMLINUX_ARCH),build/vmlinux)
CC ?= cc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

LIBBPF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz
# The one JSON reader (runtime state, config files); Debian ships libjansson.a for static links.
JANSSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson 2>/dev/null)
JANSSON_LIBS := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson)
# doctor's reader of the kubelet's YAML; Debian ships libyaml.a too.
YAML_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
YAML_LIBS := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
# gVisor's runtime monitoring messages (src/trace/gvisor.proto, C from protoc-c); Debian ships
# libprotobuf-c.a too.
PROTOBUF_C_CFLAGS := $(shell $(PKG_CONFIG) --cflags libprotobuf-c 2>/dev/null)
PROTOBUF_C_LIBS := $(shell $(PKG_CONFIG) --libs libprotobuf-c 2>/dev/null || echo -lprotobuf-c)
PROTOC_C ?= protoc-c
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -I$(BUILD) -Isrc $(LIBBPF_CFLAGS) \
	$(JANSSON_CFLAGS) $(YAML_CFLAGS) $(PROTOBUF_C_CFLAGS) -DCC_VERSION='"$(VERSION)"'
# The /metrics endpoint's HTTP server.
MHD_LIBS := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
# Every library the tracer links, in link order: the dynamic build and `make static` both use
# LDLIBS, so a library added here is in both.
LDLIBS += $(LIBBPF_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(PROTOBUF_C_LIBS) $(MHD_LIBS) -lcap -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(VMLINUX_DIR) -Isrc -Wall -Werror \
	-Wno-gnu-variable-sized-type-not-at-end

# User space, by stage (see docs/ARCHITECTURE.md): every folder of src/ but bpf/, and args.c.
SRC_DIRS := trace enrich format summary cmd
LIB_SRCS := src/args.c $(foreach d,$(SRC_DIRS),$(wildcard src/$(d)/*.c))
# Each src/DIR/NAME.proto becomes build/NAME.pb-c.[ch] (protoc-c), part of the library.
PROTO_SRCS := $(foreach d,$(SRC_DIRS),$(wildcard src/$(d)/*.proto))
PROTO_CS := $(addprefix $(BUILD)/,$(notdir $(PROTO_SRCS:.proto=.pb-c.c)))
PROTO_HDRS := $(PROTO_CS:.c=.h)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o) $(PROTO_CS:$(BUILD)/%.c=$(BUILD)/obj/%.o)
LIB_HDRS := $(wildcard src/*.h) $(foreach d,$(SRC_DIRS),$(wildcard src/$(d)/*.h))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/helpers/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

.SECONDARY:

DEPS_SETS := build helpers unit lint cc fuzz format image deb vm bench arm64 test

.PHONY: all run test unit integration vm-test vm-test-systemd check-format format lint bench fuzz \
	stress install clean helpers static image soak cc-check deb $(DEPS_SETS:%=deps-%) deps

all: $(BUILD)/copenclose

# Every target installs what it needs first (scripts/deps.sh SET: only what is missing; root),
# before anything is written into the directory its outputs go to (build/ needs the build set,
# build/helpers the helpers' set, ...), so it holds with make -j too. DEPS= skips that (a package
# build, whose Build-Depends say what it needs).
DEPS ?= scripts/deps.sh
deps: deps-build
$(DEPS_SETS:%=deps-%):
	$(if $(DEPS),@$(DEPS) $(@:deps-%=%))

BPF_SRCS := $(wildcard src/bpf/*.bpf.c)
SKELS := $(BPF_SRCS:src/bpf/%.bpf.c=$(BUILD)/%.skel.h)

build/vmlinux/vmlinux.h: | deps-build
	mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

# Every src/bpf/NAME.bpf.c becomes build/NAME.skel.h with the skeleton name NAME_bpf.
$(BUILD)/%.bpf.o: src/bpf/%.bpf.c $(wildcard src/bpf/*.h) $(VMLINUX_DIR)/vmlinux.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	rm -f $@.tmp

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/%.pb-c.c $(BUILD)/%.pb-c.h: src/*/%.proto | $(BUILD)
	$(PROTOC_C) --proto_path=$(<D) --c_out=$(@D) $<

$(BUILD)/obj/%.pb-c.o: $(BUILD)/%.pb-c.c $(BUILD)/%.pb-c.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: src/%.c $(SKELS) $(PROTO_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libcopenclose.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/copenclose: $(BUILD)/obj/main.o $(BUILD)/libcopenclose.a
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# The node agent: the same objects linked against Debian's static archives (libbpf.a, libelf.a,
# libz.a, libcap.a, ...), so it runs from an image that holds nothing else. Debian 12's libelf.a
# calls only zlib (no zstd, lzma or bzip2 symbols), so LDLIBS needs nothing more here.
# libmicrohttpd.a needs GnuTLS's dependencies, not all of which Debian ships as archives: the
# static binary takes metrics_*() from metrics_none.o (listed first, so the archive's member is
# never pulled) and refuses --metrics.
$(BUILD)/static/metrics_none.o: src/summary/metrics.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DCC_METRICS_NONE -c $< -o $@

$(BUILD)/static/copenclose: $(BUILD)/obj/main.o $(BUILD)/static/metrics_none.o \
		$(BUILD)/libcopenclose.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static $^ -o $@ $(filter-out $(MHD_LIBS),$(LDLIBS))

static: $(BUILD)/static/copenclose

# The node-agent image for x86_64 and arm64 as one multi-architecture image: for each, an OCI
# image FROM scratch holding only that architecture's static binary (its static/ directory is
# the whole context; no RUN step, so nothing is emulated), tagged IMAGE-ARCH; IMAGE is the
# manifest list of both (podman and docker take the machine's own architecture from it), and
# build/image.oci/ the same as an OCI image layout whose index names both platforms. Offline:
# another architecture's binary is cross-built (scripts/deps.sh arm64).
IMAGE ?= localhost/copenclose:latest
IMAGE_ARCHES := x86 arm64
static_dir = $(if $(filter $(HOST_ARCH),$(1)),build/static,build/$(1)/static)
platform = linux/$(if $(filter x86,$(1)),amd64,$(1))
image: deps-image
	@for a in $(IMAGE_ARCHES); do $(MAKE) --no-print-directory -s static ARCH=$$a || exit 1; done
	@podman manifest rm $(IMAGE) >/dev/null 2>&1; podman rmi --force $(IMAGE) >/dev/null 2>&1; true
	podman manifest create $(IMAGE) >/dev/null
	$(foreach a,$(IMAGE_ARCHES),podman build --quiet --platform $(call platform,$(a)) \
		-f deploy/Containerfile -t $(IMAGE)-$(a) \
		--label org.opencontainers.image.version=$(VERSION) $(call static_dir,$(a)) >/dev/null && \
		podman manifest add $(IMAGE) containers-storage:$(IMAGE)-$(a) >/dev/null && ) true
	rm -rf build/image.oci
	podman manifest push --quiet --all --format oci $(IMAGE) oci:build/image.oci
	@echo "$(IMAGE): $(foreach a,$(IMAGE_ARCHES),$(call platform,$(a))) (build/image.oci)"

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcopenclose.a | $(BUILD)/tests
	$(CC) $(CFLAGS) -Wno-unused-parameter $^ -o $@ $(LDLIBS) -lcmocka

# Small workloads whose system calls are known by construction; static, so they run in a
# busybox container.
$(BUILD)/helpers/%: tests/helpers/%.c | $(BUILD)/helpers
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static $< -o $@

# The same workload as a 32-bit program (its calls reach the kernel as ia32 system calls on x86,
# AArch32 ones on arm64: Debian's arm-linux-gnueabihf cross compiler), and an io_uring one linked
# with liburing. On x86 the kernel's asm/ headers are the same for both ABIs; they are looked for
# in the 64-bit multiarch folder last, as gcc-multilib's /usr/include/asm link would (that package
# conflicts with Debian's cross compilers; the i386 libc and libgcc suffice, with gcc or clang as
# cc).
M32_CFLAGS = -m32 -idirafter \
	/usr/include/$(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
CC32 = $(if $(filter arm64,$(ARCH)),arm-linux-gnueabihf-gcc,$(CC) $(M32_CFLAGS))
$(BUILD)/helpers/workload32: tests/helpers/workload.c | $(BUILD)/helpers
	$(CC32) -std=gnu11 -O2 -Wall -Wextra -Werror -static $< -o $@

$(BUILD)/helpers/uring: tests/helpers/uring.c | $(BUILD)/helpers
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static $< -o $@ -luring

# A FUSE file system that stalls (libfuse3; run on the host, so not static).
$(BUILD)/helpers/stallfs: tests/helpers/stallfs.c | $(BUILD)/helpers
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror $(shell pkg-config --cflags fuse3 2>/dev/null) $< \
		-o $@ $(shell pkg-config --libs fuse3 2>/dev/null || echo -lfuse3)

$(BUILD)/helpers/rewrite: tests/helpers/rewrite.c | $(BUILD)/helpers
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread $< -o $@

# stallfs runs on the host only: not in another architecture's build.
helpers: $(if $(filter $(HOST_ARCH),$(ARCH)),$(HELPER_BINS),$(filter-out \
	$(BUILD)/helpers/stallfs,$(HELPER_BINS))) $(BUILD)/helpers/workload32

$(BUILD) $(BUILD)/tests $(BUILD)/helpers $(BUILD)/fuzz:
	mkdir -p $@
$(BUILD): | deps-build $(if $(filter $(HOST_ARCH),$(ARCH)),,deps-$(ARCH))
$(BUILD)/tests: | deps-unit
$(BUILD)/helpers: | deps-helpers
$(BUILD)/fuzz: | deps-fuzz

# make cc-check: every C file the Makefile compiles for user space (the tracer, the unit tests,
# the fuzz targets, the test and bench helpers) compiled with gcc and with clang as CC, -Werror,
# whichever cc is: objects only, each compiler into its own build/cc-check/NAME.
CC_CHECK_COMPILERS := gcc clang
CC_CHECK_SRCS := src/main.c $(LIB_SRCS) $(UNIT_SRCS) $(FUZZ_SRCS) $(HELPER_SRCS) \
	$(filter-out %.bpf.c,$(wildcard bench/*.c))
# The build's own flags but -g: warnings do not depend on debug information, which costs time.
CC_CHECK_CFLAGS = $(filter-out -g,$(CFLAGS))
# Expanded when a recipe runs, after deps-cc installed libfuse3-dev (on a fresh machine it is
# missing when make reads this file).
HELPER_CFLAGS = -std=gnu11 -O2 -Wall -Wextra -Werror \
	$(shell pkg-config --cflags fuse3 2>/dev/null)
define cc_check_rules
CC_CHECK_OBJS += $(CC_CHECK_SRCS:%.c=$(BUILD)/cc-check/$(1)/%.o) \
	$(BUILD)/cc-check/$(1)/tests/helpers/workload32.o
$(BUILD)/cc-check/$(1)/src/%.o: src/%.c $(SKELS) $(PROTO_HDRS) | deps-cc
	@mkdir -p $$(@D)
	$(1) $(CC_CHECK_CFLAGS) -MMD -MP -c $$< -o $$@
$(BUILD)/cc-check/$(1)/tests/%.o: tests/%.c $(SKELS) | deps-cc
	@mkdir -p $$(@D)
	$(1) $(CC_CHECK_CFLAGS) -Wno-unused-parameter -MMD -MP -c $$< -o $$@
$(BUILD)/cc-check/$(1)/tests/helpers/%.o: tests/helpers/%.c | deps-cc
	@mkdir -p $$(@D)
	$(1) $$(HELPER_CFLAGS) -MMD -MP -c $$< -o $$@
$(BUILD)/cc-check/$(1)/tests/helpers/workload32.o: tests/helpers/workload.c | deps-cc
	@mkdir -p $$(@D)
	$(1) $$(HELPER_CFLAGS) $(M32_CFLAGS) -MMD -MP -c $$< -o $$@
$(BUILD)/cc-check/$(1)/bench/%.o: bench/%.c $(SKELS) build/bench/origprobe.skel.h | deps-cc
	@mkdir -p $$(@D)
	$(1) $(CC_CHECK_CFLAGS) -Ibuild/bench -Ibench -MMD -MP -c $$< -o $$@
endef
$(foreach c,$(CC_CHECK_COMPILERS),$(eval $(call cc_check_rules,$(c))))

build/bench/origprobe.skel.h: bench/origprobe.bpf.c bench/origprobe.h | deps-build
	@$(MAKE) --no-print-directory -C bench ../$@

cc-check: $(CC_CHECK_OBJS)

run: deps all
	$(BUILD)/copenclose $(ARGS)

unit: $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

integration: deps-test
	@$(MAKE) --no-print-directory all helpers static
	@scripts/run-integration.sh

# The integration tests inside Debian's kernels under qemu (5.10, 6.1, 6.12, arm64's 6.1 and
# 6.12: tests/vm/README.md), and 33-systemd-driver in a 6.12 guest whose PID 1 is systemd (part
# of make test); VM_KERNELS="6.1" for one, VM_KERNELS="sid 6.12+preempt=full 6.12-rt" for the
# preemptible kernels, not in make test (tests/vm/README.md says why).
vm-test: deps-vm deps-arm64 deps-deb
	@$(MAKE) --no-print-directory all helpers deb
	@$(MAKE) --no-print-directory static helpers ARCH=arm64
	@scripts/run-vm-tests.sh $(VM_KERNELS)

# Only the systemd guest of vm-test: runc and crun with the systemd cgroup driver, in a 6.12 guest
# whose PID 1 is systemd, and the package make deb builds installed there and run as its unit.
vm-test-systemd: deps-vm deps-deb
	@$(MAKE) --no-print-directory all helpers deb
	@scripts/run-vm-tests.sh 6.12+systemd

test: deps-test
	@$(MAKE) --no-print-directory check-format lint all helpers static $(UNIT_BINS) cc-check deb
	@$(MAKE) --no-print-directory static helpers ARCH=arm64
	@scripts/run-tests.sh

check-format: deps-format
	@bad=$$(for f in $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' 2>/dev/null \
		| grep -v vmlinux); do \
		clang-format --dry-run -Werror $$f >/dev/null 2>&1 || echo $$f; done); \
	if [ -n "$$bad" ]; then echo "not clang-formatted: $$bad" >&2; exit 1; fi

# The integration tests: no check that cannot fail (its own self-test on planted lines first),
# and shellcheck clean, as are the bench, the scripts and the guests' scripts; and no source (C, shell, the scripts) over LINES_MAX lines (small files,
# one concern each).
LINES_MAX := 700
lint: deps-lint
	@scripts/lint-tests.py --self-test
	@scripts/lint-tests.py
	@shellcheck -x -S warning $$(git ls-files 'bench/*.sh' 'scripts/*.sh' scripts/vm-run 'tests/vm/*.t' \
		tests/vm/init tests/vm/run-tests.sh) && echo "lint: bench, scripts and guest scripts shellcheck clean"
	@long=$$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 'bench/*.h' \
		'tests/*.sh' 'tests/*.t' 'bench/*.sh' 'bench/*.awk' 'scripts/*' | grep -v vmlinux \
		| xargs wc -l | awk '$$2 != "total" && $$1 > $(LINES_MAX) {print $$2}'); \
	if [ -n "$$long" ]; then echo "over $(LINES_MAX) lines (split by concern):" $$long >&2; exit 1; fi; \
	echo "lint: no source over $(LINES_MAX) lines"

format: deps-format
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' | grep -v vmlinux)

# Fuzz targets: every source but main.c, built with clang's libFuzzer, ASan and UBSan.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I$(BUILD) -Isrc $(LIBBPF_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	-DCC_VERSION='"$(VERSION)"'
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(LIB_HDRS) $(SKELS) $(PROTO_CS) | $(BUILD)/fuzz
	$(CLANG) $(FUZZ_CFLAGS) $< $(LIB_SRCS) $(PROTO_CS) -o $@ $(LDLIBS)

fuzz: $(FUZZ_BINS)
	@scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

bench: deps-bench
	@$(MAKE) --no-print-directory all helpers
	@$(MAKE) --no-print-directory -C bench
	bench/run.sh
	@$(MAKE) --no-print-directory deps-vm helpers
	bench/attach-matrix.sh

# Memory under container churn (bench/soak.sh): SOAK_SECONDS=1200 by default.
soak: deps-bench
	@$(MAKE) --no-print-directory all
	bench/soak.sh

stress: deps-test
	@$(MAKE) --no-print-directory all helpers
	@CC_STRESS=1 scripts/run-integration.sh

# The Debian package, build/copenclose_VERSION_ARCH.deb, made by Debian's tools (dpkg-buildpackage,
# debhelper: debian/) from a copy of the tree in build/deb (dpkg-buildpackage writes into the
# parent directory), offline; then lintian: an error, or a warning not overridden with its reason
# in debian/, fails.
DEB_ARCH = $(shell dpkg --print-architecture)
deb: deps-deb
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "make deb: debian/changelog is at $$v, VERSION at $(VERSION)" >&2; exit 1; }
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/copenclose-$(VERSION)
	tar --exclude=./build --exclude=./.git -cf - . | tar -C $(BUILD)/deb/copenclose-$(VERSION) -xf -
	cd $(BUILD)/deb/copenclose-$(VERSION) && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 30 ../build.log >&2; exit 1; }
	lintian --display-info --fail-on error,warning \
		$(BUILD)/deb/copenclose_$(VERSION)_$(DEB_ARCH).changes
	cp $(BUILD)/deb/copenclose_$(VERSION)_$(DEB_ARCH).deb $(BUILD)/

install: all
	install -D -m 0755 $(BUILD)/copenclose $(DESTDIR)/usr/local/sbin/copenclose
	install -D -m 0644 man/copenclose.8 $(DESTDIR)/usr/local/share/man/man8/copenclose.8

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/*/*.d $(BUILD)/cc-check/*/*/*.d \
	$(BUILD)/cc-check/*/*/*/*.d)
