#!/usr/bin/env bash
# A newcomer's machine: for each command named ('make TARGET ...'), a fresh Debian 12
# (mmdebstrap's minbase bookworm from Debian's mirror, plus git and make alone), a clean
# `git clone` of this tree's HEAD in it, then the command as root in that chroot, timed from the
# clone to the end (what is missing installed by the target itself, from the mirror). Each
# command gets a chroot of its own, so none benefits from another's packages. Needs root (chroot, mounts); the chroots share the
# host's kernel, /sys, /proc and /dev, so `make run` traces for real.
# Usage: scripts/fresh-debian.sh ['make TARGET [VAR=...]'...]   (default: the list below)
# Writes build/fresh/N-COMMAND.log and a table, build/fresh/times.md (command, result, seconds);
# exits 1 if any failed.
# Each chroot's apt sources are those Debian's installer writes (bookworm, bookworm-updates,
# bookworm-security; mmdebstrap alone writes the first): Debian 12's 6.12 kernels, which the VM
# guests boot, are in bookworm-security only.
# MIRROR= another mirror (SECURITY_MIRROR= its security archive); FRESH_KEEP=1 keeps the chroots
# (build/fresh/root-N); FRESH_OUT=DIR writes the logs, table and chroots there instead (the base
# chroot stays in build/fresh).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
out=${FRESH_OUT:-build/fresh}
base=build/fresh/bookworm-git-make # a directory: the untouched chroot

[ "$(id -u)" -eq 0 ] || { echo "fresh-debian.sh: needs root (chroot, mounts)" >&2; exit 1; }
scripts/deps.sh fresh || exit 1
mkdir -p "$out" build/fresh
if [ $# -eq 0 ]; then
	# make bench's build half: its run boots VM guests (bench/attach-matrix.sh), which a
	# chroot must not start behind the machine's back
	set -- 'make' 'make run ARGS=-d5' 'make install' 'make static' 'make helpers' 'make unit' \
		'make cc-check' 'make lint' 'make check-format' 'make fuzz FUZZ_SECONDS=2' 'make deb' \
		'make image' 'make deps-bench all helpers && make -C bench'
fi

if [ ! -d "$base" ]; then
	rm -rf "$base.tmp"
	echo "fresh-debian.sh: mmdebstrap bookworm (minbase, git, make) from $MIRROR" >&2
	mmdebstrap --quiet --variant=minbase --include=git,make bookworm "$base.tmp" "$MIRROR" ||
		{ echo "fresh-debian.sh: mmdebstrap failed" >&2; exit 1; }
	mv "$base.tmp" "$base"
fi
git bundle create "$out/src.bundle" HEAD 2>/dev/null ||
	{ echo "fresh-debian.sh: git bundle failed" >&2; exit 1; }

# in_chroot ROOT CMD: CMD by sh in ROOT, in a mount namespace of its own that has the host's
# /proc, /sys (BTF, tracefs, cgroups) and /dev; nothing stays mounted after it. ROOT is bound
# onto itself first, so that its / is a mount point as a machine's is (podman's storage remounts
# / when it unpacks a layer, and fails with EINVAL on a directory that is not one), and becomes
# the namespace's root by pivot_root, not chroot: the kernel refuses a new user namespace to a
# chrooted process (EPERM), which runsc's sandbox and `unshare -U` make (78-gvisor failed so).
in_chroot() {
	# shellcheck disable=SC2016 # expanded by that sh
	unshare --mount --propagation private sh -c '
		r=$1; shift
		mount --bind "$r" "$r" &&
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" &&
		mount --rbind /dev "$r/dev" && mount -t tmpfs tmpfs "$r/run" &&
		mount -t tmpfs tmpfs "$r/tmp" && cp /etc/resolv.conf "$r/etc/resolv.conf" &&
		mkdir -p "$r/.oldroot" && cd "$r" && pivot_root . .oldroot && cd / &&
		umount -l /.oldroot && rmdir /.oldroot &&
		exec /usr/bin/env -i HOME=/root TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin sh -c "$1"
	' sh "$1" "$2"
}

printf '| command | result | seconds (clone to end) |\n|---|---|---|\n' >"$out/times.md"
fail=0 n=0
for t in "$@"; do
	n=$((n + 1))
	root=$out/root-$n
	name=$n-$(echo "$t" | tr -c 'a-zA-Z0-9.\n-' '_')
	rm -rf "$root" && cp -a "$base" "$root" || exit 1
	cp "$out/src.bundle" "$root/root/src.bundle"
	printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
		"$MIRROR" "$MIRROR" "$SECURITY_MIRROR" >"$root/etc/apt/sources.list"
	start=$(date +%s.%N)
	in_chroot "$root" "cd /root && git -c advice.detachedHead=false clone -q src.bundle \
		copenclose && cd copenclose && { $t; }" >"$out/$name.log" 2>&1
	rc=$?
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	res=$([ $rc -eq 0 ] && echo ok || echo "FAILED ($rc)")
	[ $rc -eq 0 ] || fail=1
	# shellcheck disable=SC2016 # Markdown's backquotes
	printf '| `%s` | %s | %.0f |\n' "$t" "$res" "$secs" | tee -a "$out/times.md"
	[ -n "${FRESH_KEEP:-}" ] || rm -rf "$root"
done
exit $fail
