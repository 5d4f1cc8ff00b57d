#!/usr/bin/env bash
# A legacy host (no cgroup v2 hierarchy mounted, emulated in a private mount namespace): the
# tracer says so once, and still names a runc container through /proc/PID/cgroup.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
command -v runc >/dev/null || skip_all "runc is not installed"
make_rootfs || skip_all "no static busybox to build a root file system"
v2=$(awk '$9 == "cgroup2" {print $5}' /proc/self/mountinfo | head -n1)
[ "$v2" = /sys/fs/cgroup/unified ] || skip_all "needs a hybrid host to emulate a legacy one"
plan 5

id=cclegacy$$
runc_bundle "$T/b" legacy-host flood -n 25 -w /cc/go -p /nonexistent/cc-legacy || exit 1
trap 'runc kill $id KILL 2>/dev/null; sleep 0.2; runc delete -f $id 2>/dev/null; cleanup_tracers' EXIT
runc run -d --bundle "$T/b" "$id" >/dev/null 2>&1 </dev/null
unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec "$0" -o json -e openat' "$BIN" \
	>"$T/l.out" 2>"$T/l.err" &
TRACER_PID=$!
_tracers+=("$TRACER_PID")
wait_tracing l
touch "$T/b/share/go"
for _ in $(seq 50); do runc state "$id" 2>/dev/null | grep -q '"status": "stopped"' && break; sleep 0.1; done
sleep 0.3
stop_tracer "$TRACER_PID"
check "exit status 0" [ "$TRACER_RC" -eq 0 ]
check "it says once that the host has no cgroup v2 hierarchy" \
	[ "$(grep -c 'no cgroup v2 hierarchy (legacy cgroups)' "$T/l.err")" -eq 1 ]
n=$(grep -c '/nonexistent/cc-legacy' "$T/l.out")
check "25 events of the container (got $n)" [ "$n" -eq 25 ]
named=$(grep '/nonexistent/cc-legacy' "$T/l.out" | grep -c "\"container_id\":\"$id\",.*\"container_runtime\":\"runc\"")
check "each names container $id, runtime runc, from /proc/PID/cgroup (got $named)" [ "$named" -eq 25 ]
check "none is marked as host" [ "$(grep '/nonexistent/cc-legacy' "$T/l.out" | grep -c '"host":true')" -eq 0 ]
