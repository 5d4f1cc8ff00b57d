#!/usr/bin/env bash
# Identity traps: a docker-looking cgroup under a user-delegated subtree is marked as such, and
# a pid reused (forced through ns_last_pid) by a host process is not labelled with the
# container that had it before.
. "$(dirname "$0")/lib.sh"
cc_begin 6 cgroup2

v2=$(cc_v2_mount)
hex=$(printf 'ab%.0s' $(seq 1 32))
fake=/cc-trap-$$/user.slice/user-1000.slice/user@1000.service/app.slice/docker-$hex.scope
real=/cc-trap-$$/system.slice/docker-$hex.scope
mkdir -p "$v2$fake" "$v2$real"
cleanup() {
	for d in "$v2$fake" "$v2$real"; do
		while [ "$d" != "$v2" ]; do rmdir "$d" 2>/dev/null; d=$(dirname "$d"); done
	done
}
cc_defer cleanup

cc_tracer_start trust -o json -e openat -G "/cc-trap-$$"
for cg in "$fake" "$real"; do
	(echo $BASHPID >"$v2$cg/cgroup.procs" && exec "$CC_FLOOD" -n 3 -p /nonexistent/cc-trap) >/dev/null
done
sleep 0.3
cc_tracer_stop
user=$(grep -c "\"container_id\":\"$hex\".*\"container_trust\":\"user-delegated\"" "$CC_WORK/trust.out")
sys=$(grep -c "\"container_id\":\"$hex\".*\"container_trust\":\"system\"" "$CC_WORK/trust.out")
tap_check "under user@1000.service: 3 events marked user-delegated (got $user)" [ "$user" -eq 3 ]
tap_check "under system.slice: 3 events marked system (got $sys)" [ "$sys" -eq 3 ]
tap_check "the raw cgroup path is always there" \
	[ "$(grep -c "\"cgroup\":\"$fake\"" "$CC_WORK/trust.out")" -eq 3 ]

# pid reuse: a 'container' process with pid P exits, a host process is forced onto P
cc_tracer_start reuse -o json -e openat -n flood
(echo $BASHPID >"$v2$real/cgroup.procs" && exec "$CC_FLOOD" -n 2 -p /nonexistent/cc-reuse-a) >"$CC_WORK/a.pid" &
apid=$!
wait "$apid"
if [ -w /proc/sys/kernel/ns_last_pid ]; then
	for _ in 1 2 3 4 5; do
		echo $((apid - 1)) >/proc/sys/kernel/ns_last_pid
		"$CC_FLOOD" -n 2 -p /nonexistent/cc-reuse-b >/dev/null &
		bpid=$!
		wait "$bpid"
		[ "$bpid" -eq "$apid" ] && break
	done
	sleep 0.3
	cc_tracer_stop
	tap_check "the host process got the reused pid $apid (got $bpid)" [ "$bpid" -eq "$apid" ]
	a=$(grep 'cc-reuse-a' "$CC_WORK/reuse.out" | grep -c "\"pid\":$apid,.*\"container_id\":\"$hex\"")
	b=$(grep 'cc-reuse-b' "$CC_WORK/reuse.out" | grep -c "\"pid\":$apid,.*\"container_id\":null")
	tap_check "the container's events name its container (got $a of 2)" [ "$a" -eq 2 ]
	tap_check "the host process's events with the same pid name none (got $b of 2)" [ "$b" -eq 2 ]
else
	cc_tracer_stop
	for _ in 1 2 3; do tap_ok 1 "pid reuse: /proc/sys/kernel/ns_last_pid is not writable"; done
fi
