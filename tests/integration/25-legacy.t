#!/usr/bin/env bash
# A legacy host (no cgroup v2 hierarchy mounted, emulated in a private mount namespace): the
# tracer says so once, and still names a runc container through /proc/PID/cgroup.
. "$(dirname "$0")/lib.sh"
[ "$CC_V2" = /sys/fs/cgroup/unified ] || tap_skip_all "needs a hybrid host to emulate a legacy one"
cc_begin 5 runc

id=cclegacy$$
# the workload lingers a second after its opens: /proc/PID/cgroup is read while it lives
cc_runc_start "$id" missing /nonexistent/cc-legacy 25 sleep 1000
cc_tracer_spawn l unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec "$0" -o json -e openat' \
	"$CC_BIN"
cc_container_go "$id"
cc_container_wait "$id"
sleep 0.3
cc_tracer_stop
tap_check "exit status 0" [ "$CC_TRACER_RC" -eq 0 ]
tap_check "it says once that the host has no cgroup v2 hierarchy" \
	[ "$(grep -c 'no cgroup v2 hierarchy (legacy cgroups)' "$CC_WORK/l.err")" -eq 1 ]
n=$(grep -c '/nonexistent/cc-legacy' "$CC_WORK/l.out")
tap_check "25 events of the container (got $n)" [ "$n" -eq 25 ]
named=$(grep '/nonexistent/cc-legacy' "$CC_WORK/l.out" | grep -c "\"container_id\":\"$id\",.*\"container_runtime\":\"runc\"")
tap_check "each names container $id, runtime runc, from /proc/PID/cgroup (got $named)" [ "$named" -eq 25 ]
tap_check "none is marked as host" [ "$(grep '/nonexistent/cc-legacy' "$CC_WORK/l.out" | grep -c '"host":true')" -eq 0 ]
