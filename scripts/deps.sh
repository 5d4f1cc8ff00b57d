#!/usr/bin/env bash
# Installs what building, testing and benchmarking copenclose need, from Debian/Ubuntu
# packages, and only what is missing. Usage: scripts/deps.sh [build|test|bench]
set -euo pipefail

want=(clang llvm make pkg-config libbpf-dev libelf-dev zlib1g-dev bpftool libcap-dev)
case "${1:-build}" in
build) ;;
test) want+=(libcmocka-dev runc crun podman busybox-static strace jq iproute2 util-linux python3 shellcheck
	groff-base libclang-rt-14-dev uidmap bc file procps) ;;
bench) want+=(libbpf-tools bpftrace jq) ;;
*) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
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
