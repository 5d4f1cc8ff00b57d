#!/usr/bin/env bash
# 10,000 cgroups created, used and removed while tracing: every event keeps its cgroup's path
# (learnt at cgroup_mkdir, so removal races cannot lose it) and resident memory grows by at
# most 16 MiB (the resolver's cache is bounded and forgets removed cgroups).
. "$(dirname "$0")/lib.sh"
N=${CC_CHURN:-10000}
cc_begin 4 cgroup2

v2=$(cc_v2_mount)
parent=cc-churn-$$
mkdir "$v2/$parent"
cc_defer 'rmdir "$v2/$parent"/* "$v2/$parent" 2>/dev/null'

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cc_tracer_start churn -o json -G "/$parent" -e openat
sleep 0.5
rss0=$(rss_kib "$CC_TRACER_PID")
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
rss1=$(rss_kib "$CC_TRACER_PID")
cc_tracer_stop
events=$(grep -c '/nonexistent/cc-churn-' "$CC_WORK/churn.out")
named=$(grep '/nonexistent/cc-churn-' "$CC_WORK/churn.out" | grep -c "\"cgroup\":\"/$parent/c[0-9]*\"")
tap_check "$N events, one per cgroup (got $events)" [ "$events" -eq "$N" ]
tap_check "every event names its removed cgroup's path (got $named)" [ "$named" -eq "$N" ]
tap_diag "resident memory: $rss0 KiB before, $rss1 KiB after"
tap_check "resident memory grew by at most 16 MiB ($(((rss1 - rss0) / 1024)) MiB)" [ $((rss1 - rss0)) -le 16384 ]
tap_check "exit status 0" [ "$CC_TRACER_RC" -eq 0 ]
