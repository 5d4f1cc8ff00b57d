#!/usr/bin/env bash
# Environment faults: each gets one actionable line on stderr, a documented exit status, at once
# (within 5 s, not after some timeout; loose for a loaded machine), with nothing of ours left loaded.
. "$(dirname "$0")/lib.sh"
cc_begin 10

# fault NAME WANT_STATUS PATTERN CMD...: runs CMD, checks status, one line matching, time
fault() {
	local name=$1 want=$2 pat=$3 t0 dt rc lines
	shift 3
	t0=$(date +%s%3N)
	"$@" >"$CC_WORK/f.out" 2>"$CC_WORK/f.err" </dev/null
	rc=$?
	dt=$(($(date +%s%3N) - t0))
	lines=$(wc -l <"$CC_WORK/f.err")
	if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -qE "$pat" "$CC_WORK/f.err" && [ "$dt" -le 5000 ] &&
		[ ! -s "$CC_WORK/f.out" ]; then
		tap_ok 0 "$name: status $rc, one line, ${dt} ms: $(cat "$CC_WORK/f.err")"
	else
		tap_ok 1 "$name: status $rc (want $want), $lines lines, ${dt} ms: $(head -c 300 "$CC_WORK/f.err")"
	fi
}

fault "not root" 1 'root, or with CAP_BPF and CAP_PERFMON' \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CC_BIN"
fault "root without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN" 1 'CAP_BPF and CAP_PERFMON' \
	setpriv --bounding-set=-bpf,-perfmon,-sys_admin "$CC_BIN"
fault "no BTF" 1 'CONFIG_DEBUG_INFO_BTF' \
	unshare -m sh -c 'mount --bind /dev/null /sys/kernel/btf/vmlinux && exec "$0"' "$CC_BIN"
# no tracefs and no way to mount it: /sys/kernel hidden by a tmpfs that keeps BTF but where
# the tracing mount point is a file
fault "no tracefs, mount impossible" 1 'tracefs is not mounted.*mount -t tracefs' \
	unshare -m sh -c 'cp /sys/kernel/btf/vmlinux /tmp/cc-btf-$$ &&
		mount -t tmpfs none /sys/kernel && mkdir -p /sys/kernel/btf &&
		cp /tmp/cc-btf-$$ /sys/kernel/btf/vmlinux && rm /tmp/cc-btf-$$ &&
		touch /sys/kernel/tracing && exec "$0"' "$CC_BIN"
fault "a cgroup that does not exist" 2 "cgroup '/cc-nonexistent' not found" "$CC_BIN" -G /cc-nonexistent
fault "a cgroup outside the v2 hierarchy" 2 'outside the cgroup v2 hierarchy' \
	"$CC_BIN" -G /sys/fs/cgroup/memory
fault "an impossible duration" 2 "invalid duration '-5'" "$CC_BIN" -d -5
fault "an impossible ring size" 2 "invalid --ringbuf-size '3'" "$CC_BIN" --ringbuf-size 3
fault "a container that is not running" 2 "no running container matches 'cc-no-such-container'" \
	"$CC_BIN" -c cc-no-such-container
# the kernel frees a program a moment after its last reference goes
no_orphans() { [ -z "$(cc_orphan_progs)" ]; }
cc_wait_for 3 no_orphans
tap_is "$(cc_orphan_progs | tr '\n' ' ')" "" "nothing of ours left loaded that no tracer holds"
