#!/usr/bin/env bash
# A container whose process moves into a sub-cgroup of its own cgroup (as systemd or a nested
# runtime inside it would) still owns its events; the table names it too.
. "$(dirname "$0")/lib.sh"
cc_begin 5 runc

v2=$CC_V2
id=ccsub$$
# runc leaves the container's v2 directory behind once its sub-cgroups are gone
cc_defer 'rmdir "$v2/$id/inner/deeper" "$v2/$id/inner" "$v2/$id" 2>/dev/null'
cc_runc_start "$id" exec /bin/flood -n 40 -p /nonexistent/cc-sub
pid=${CC_CPID[$id]}
tap_is "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "/$id" "the container runs in its own v2 cgroup"
mkdir -p "$v2/$id/inner/deeper"
echo "$pid" >"$v2/$id/inner/deeper/cgroup.procs"
tap_is "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "/$id/inner/deeper" \
	"its process moved to /$id/inner/deeper"
cc_tracer_start json -o json -e openat
cc_tracer_start table -e openat
cc_container_go "$id"
cc_container_wait "$id"
sleep 0.3
cc_tracers_stop
n=$(grep '/nonexistent/cc-sub' "$CC_WORK/json.out" | grep -c "\"cgroup\":\"/$id/inner/deeper\",.*\"container_id\":\"$id\",.*\"container_runtime\":\"runc\"")
tap_check "40 events from the sub-cgroup, each naming container $id, runtime runc (got $n)" [ "$n" -eq 40 ]
tap_check "none of them marked as host" [ "$(grep '/nonexistent/cc-sub' "$CC_WORK/json.out" | grep -c '"host":true')" -eq 0 ]
t=$(grep '/nonexistent/cc-sub' "$CC_WORK/table.out" | awk -v id="$id" '$2 == id && $8 == id && $9 == "runc"' | wc -l)
tap_check "the table names the container and runtime on all 40 rows (got $t)" [ "$t" -eq 40 ]
