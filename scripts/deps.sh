#!/usr/bin/env bash
# Installs what building, testing and benchmarking copenclose need, from Debian/Ubuntu
# packages, and only what is missing. Usage: scripts/deps.sh [build|test|vm|bench]
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
	libyaml-dev
	llvm
	make
	pkg-config
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
	gcc-12-multilib
	groff-base
	iproute2
	jq
	libcap2-bin
	libclang-rt-14-dev
	libcmocka-dev
	libfuse3-dev
	liburing-dev
	podman
	procps
	prometheus
	python3
	python3-yaml
	runc
	shellcheck
	strace
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
bench_pkgs=(
	bc
	bpftrace
	busybox-static
	curl
	heaptrack
	jq
	libbpf-tools
	linux-perf
	runc
)
want=("${build_pkgs[@]}")
case "${1:-build}" in
build) ;;
test) want+=("${test_pkgs[@]}" "${vm_pkgs[@]}") ;;
vm) want+=("${vm_pkgs[@]}") ;;
bench) want+=("${bench_pkgs[@]}") ;;
*) echo "usage: $0 [build|test|vm|bench]" >&2; exit 2 ;;
esac

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
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
