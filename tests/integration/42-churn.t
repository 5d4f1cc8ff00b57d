#!/usr/bin/env bash
# 10,000 cgroups created, used and removed while tracing: every event keeps its cgroup's path
# (learnt at cgroup_mkdir, so removal races cannot lose it) and resident memory grows by at
# most 16 MiB (the resolver's cache is bounded and forgets removed cgroups).
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
N=${CC_CHURN:-10000}
plan 4

v2=$(awk '$9 == "cgroup2" {print $5}' /proc/self/mountinfo | head -n1)
[ -n "$v2" ] || skip_all "no cgroup v2 hierarchy mounted"
parent=cc-churn-$$
mkdir "$v2/$parent"
trap 'rmdir "$v2/$parent"/* "$v2/$parent" 2>/dev/null; cleanup_tracers' EXIT

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
start_tracer churn -o json -G "/$parent" -e openat
sleep 0.5
rss0=$(rss_kib "$TRACER_PID")
# one shell moves itself through N fresh cgroups, opening one file in each, then removes them
bash -c '
	v2=$1 parent=$2 n=$3
	for i in $(seq 1 "$n"); do
		d=$v2/$parent/c$i
		mkdir "$d"
		echo $$ >"$d/cgroup.procs"
		{ : <"/nonexistent/cc-churn-$i"; } 2>/dev/null
		echo $$ >"$v2/cgroup.procs"
		rmdir "$d"
	done' churn "$v2" "$parent" "$N"
sleep 1
rss1=$(rss_kib "$TRACER_PID")
stop_tracer "$TRACER_PID"
events=$(grep -c '/nonexistent/cc-churn-' "$T/churn.out")
named=$(grep '/nonexistent/cc-churn-' "$T/churn.out" | grep -c "\"cgroup\":\"/$parent/c[0-9]*\"")
check "$N events, one per cgroup (got $events)" [ "$events" -eq "$N" ]
check "every event names its removed cgroup's path (got $named)" [ "$named" -eq "$N" ]
diag "resident memory: $rss0 KiB before, $rss1 KiB after"
check "resident memory grew by at most 16 MiB ($(((rss1 - rss0) / 1024)) MiB)" [ $((rss1 - rss0)) -le 16384 ]
check "exit status 0" [ "$TRACER_RC" -eq 0 ]
