#!/usr/bin/env bash
# A container whose process moves into a sub-cgroup of its own cgroup (as systemd or a nested
# runtime inside it would) still owns its events; the table names it too.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
command -v runc >/dev/null || skip_all "runc is not installed"
make_rootfs || skip_all "no static busybox to build a root file system"
plan 5

v2=$(awk '$9 == "cgroup2" {print $5}' /proc/self/mountinfo | head -n1)
id=ccsub$$
runc_bundle "$T/b" sub-host flood -n 40 -w /cc/go -p /nonexistent/cc-sub || exit 1
trap 'runc kill $id KILL 2>/dev/null; sleep 0.2; rmdir "$v2/$id/inner/deeper" "$v2/$id/inner" 2>/dev/null;
	runc delete -f $id 2>/dev/null; rmdir "$v2/$id" 2>/dev/null; cleanup_tracers' EXIT
runc run -d --bundle "$T/b" "$id" >/dev/null 2>&1 </dev/null
pid=$(runc state "$id" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
check "the container runs in its own v2 cgroup ($cg)" [ "$cg" = "/$id" ]
mkdir -p "$v2/$id/inner/deeper"
echo "$pid" >"$v2/$id/inner/deeper/cgroup.procs"
check "its process moved to /$id/inner/deeper" [ "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" = "/$id/inner/deeper" ]
start_tracer json -o json -e openat
start_tracer table -e openat
touch "$T/b/share/go"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
sleep 0.3
for p in $(jobs -p); do stop_tracer "$p"; done
n=$(grep '/nonexistent/cc-sub' "$T/json.out" | grep -c "\"cgroup\":\"/$id/inner/deeper\",.*\"container_id\":\"$id\",.*\"container_runtime\":\"runc\"")
check "40 events from the sub-cgroup, each naming container $id, runtime runc (got $n)" [ "$n" -eq 40 ]
check "none of them marked as host" [ "$(grep '/nonexistent/cc-sub' "$T/json.out" | grep -c '"host":true')" -eq 0 ]
t=$(grep '/nonexistent/cc-sub' "$T/table.out" | awk '$2 == "sub-host" && $8 == "'"$id"'" && $9 == "runc"' | wc -l)
check "the table names the container and runtime on all 40 rows (got $t)" [ "$t" -eq 40 ]
