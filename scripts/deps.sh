#!/usr/bin/env bash
# Installs what building, testing and benchmarking copenclose need, from Debian/Ubuntu
# packages, and only what is missing (as root: it runs apt-get). Usage: scripts/deps.sh SET...
# with SET one of build (make, make run, make install, make static), helpers (the tests' and the
# bench's workloads), unit, lint, cc (gcc and clang both, make cc-check), fuzz, format, image, deb, vm,
# bench, arm64 (the arm64 build and guest), fresh
# (scripts/fresh-debian.sh), test (make test: every set it builds and runs).
set -euo pipefail

# One package a line, sorted, per set; test includes vm (make test also runs the integration
# tests in Debian kernels under qemu).
build_pkgs=(
	bpftool
	clang
	libbpf-dev
	libcap-dev
	libelf-dev
	libjansson-dev
	libmicrohttpd-dev
	libprotobuf-c-dev
	libyaml-dev
	llvm
	make
	pkg-config
	protobuf-c-compiler
	zlib1g-dev
)
test_pkgs=(
	bc
	bpftrace
	busybox-static
	containerd
	crun
	curl
	docker.io
	file
	fuse3
	groff-base
	iproute2
	jq
	libcap2-bin
	lxc
	podman
	procps
	prometheus
	python3
	python3-yaml
	runc
	runsc
	shellcheck
	strace
	systemd-container
	tmux
	uidmap
	util-linux
)
vm_pkgs=(
	bc
	busybox-static
	cpio
	crun
	dbus
	file
	iproute2
	jq
	mmdebstrap
	procps
	python3-minimal
	qemu-system-x86
	runc
	shellcheck
	strace
	systemd
	util-linux
	xz-utils
	zstd
)
# arm64: the cross toolchains (AArch64, and AArch32 for the 32-bit workload), the :arm64
# libraries `make static ARCH=arm64` links and the arm64 guest's emulator (dpkg learns the arm64
# architecture first: the machine's apt sources serve it).
arm64_pkgs=(
	gcc-aarch64-linux-gnu
	gcc-arm-linux-gnueabihf
	libbpf-dev:arm64
	libc6-dev-armhf-cross
	libc6-dev:arm64
	libcap-dev:arm64
	libelf-dev:arm64
	libjansson-dev:arm64
	libprotobuf-c-dev:arm64
	liburing-dev:arm64
	libyaml-dev:arm64
	qemu-system-arm
	zlib1g-dev:arm64
)
bench_pkgs=(
	bc
	bpftrace
	busybox-static
	curl
	heaptrack
	jq
	libbpf-tools
	linux-perf
	procps # sysctl: kernel.bpf_stats_enabled for the BPF statistics (minbase has none)
	runc
)
# The static workloads (glibc's libc.a comes with libc6-dev, a dependency of clang), the io_uring
# one and the FUSE one; on amd64 the 32-bit one: the i386 C library and libgcc, for gcc or clang
# as cc (not gcc-multilib, which conflicts with Debian's cross compilers); on arm64 the AArch32
# one: Debian's armhf cross compiler and C library (Debian 12 builds them for arm64 too).
helpers_pkgs=(
	libfuse3-dev
	liburing-dev
)
case $(dpkg --print-architecture) in
amd64) helpers_pkgs+=(lib32gcc-12-dev libc6-dev-i386) ;;
arm64) helpers_pkgs+=(gcc-arm-linux-gnueabihf libc6-dev-armhf-cross) ;;
esac
# python3: the oracles of test_escape (its JSON decoder and unicodedata) and test_doctor_oracle
unit_pkgs=(
	libcmocka-dev
	python3
)
# make lint: its checker and shellcheck
lint_pkgs=(
	python3
	shellcheck
)
# make cc-check compiles everything with both, whichever of them cc is.
cc_pkgs=(
	clang
	gcc
)
format_pkgs=(
	clang-format
)
fuzz_pkgs=(
	libclang-rt-14-dev
)
image_pkgs=(
	podman
)
# make deb: Debian's packaging tools, and lintian to check the package.
deb_pkgs=(
	build-essential
	debhelper
	dpkg-dev
	lintian
)
# scripts/fresh-debian.sh: a fresh Debian 12 chroot per target.
fresh_pkgs=(
	bc
	mmdebstrap
)
want=("${build_pkgs[@]}")
[ $# -gt 0 ] || set -- build
for set in "$@"; do
	case "$set" in
	build) ;;
	helpers) want+=("${helpers_pkgs[@]}") ;;
	unit) want+=("${unit_pkgs[@]}") ;;
	lint) want+=("${lint_pkgs[@]}") ;;
	cc) want+=("${cc_pkgs[@]}" "${helpers_pkgs[@]}" "${unit_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
	fuzz) want+=("${fuzz_pkgs[@]}") ;;
	format) want+=("${format_pkgs[@]}") ;;
	image) want+=("${image_pkgs[@]}" "${arm64_pkgs[@]}") ;; # the arm64 image is cross-built
	deb) want+=("${deb_pkgs[@]}") ;;
	test)
		want+=("${test_pkgs[@]}" "${vm_pkgs[@]}" "${helpers_pkgs[@]}" "${unit_pkgs[@]}" "${lint_pkgs[@]}"
			"${cc_pkgs[@]}" "${fuzz_pkgs[@]}" "${format_pkgs[@]}" "${deb_pkgs[@]}"
			"${image_pkgs[@]}" "${arm64_pkgs[@]}")
		;;
	vm) want+=("${vm_pkgs[@]}") ;;
	arm64) want+=("${vm_pkgs[@]}" "${arm64_pkgs[@]}") ;;
	bench) want+=("${bench_pkgs[@]}") ;;
	fresh) want+=("${fresh_pkgs[@]}") ;;
	*)
		echo "usage: $0 [build|helpers|unit|lint|cc|fuzz|format|image|deb|vm|bench|arm64|fresh|test]..." >&2
		exit 2
		;;
	esac
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [[ " ${missing[*]}" == *:arm64* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -q >/dev/null
fi
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
