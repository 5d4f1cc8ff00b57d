#!/usr/bin/env bash
# -G on a parent cgroup keeps the events of a runc container started under it after the tracer,
# and drops those of a container started beside it.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
command -v runc >/dev/null || skip_all "runc is not installed"
make_rootfs || skip_all "no static busybox to build a root file system"
plan 4

v2=$(awk '$9 == "cgroup2" {print $5}' /proc/self/mountinfo | head -n1)
parent=ccparent$$
inner=ccin$$ outer=ccout$$
mkdir "$v2/$parent"
trap 'for c in $inner $outer; do runc kill $c KILL 2>/dev/null; done; sleep 0.2;
	for c in $inner $outer; do runc delete -f $c 2>/dev/null; done; rmdir "$v2/$parent" 2>/dev/null;
	cleanup_tracers' EXIT
runc_bundle "$T/in" in-host flood -n 30 -p /nonexistent/cc-parent || exit 1
runc_bundle "$T/out" out-host flood -n 40 -p /nonexistent/cc-parent || exit 1
python3 - "$T/in/config.json" "/$parent/$inner" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["cgroupsPath"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"))
PY
start_tracer g -o json -G "/$parent"
# both started after the tracer attached; only the first is below the parent
runc run --bundle "$T/in" "$inner" >/dev/null 2>&1 </dev/null
runc run --bundle "$T/out" "$outer" >/dev/null 2>&1 </dev/null
sleep 0.3
stop_tracer "$TRACER_PID"
n=$(grep -c '/nonexistent/cc-parent' "$T/g.out")
named=$(grep '/nonexistent/cc-parent' "$T/g.out" | grep -c "\"cgroup\":\"/$parent/$inner\",.*\"hostname\":\"in-host\"")
check "exactly the 30 opens of the container under /$parent (got $n)" [ "$n" -eq 30 ]
check "each with its cgroup /$parent/$inner and hostname in-host (got $named)" [ "$named" -eq 30 ]
check "nothing of the container beside it" [ "$(grep -c 'out-host' "$T/g.out")" -eq 0 ]
check "nothing from outside the parent at all" [ "$(grep -vc "\"cgroup\":\"/$parent/" "$T/g.out")" -eq 0 ]
