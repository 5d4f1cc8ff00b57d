#!/usr/bin/env bash
# 200 short-lived runc containers, each living a few milliseconds and doing one known open:
# no event gets a wrong container id, none is attributed to the host, and each is either
# resolved to its container or explicitly left unresolved with its own cgroup path.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
command -v runc >/dev/null || skip_all "runc is not installed"
make_rootfs || skip_all "no static busybox to build a root file system"
N=${CC_CONTAINERS:-$([ -n "${CC_STRESS:-}" ] && echo 1000 || echo 200)}
plan 6

runc_bundle "$T/b" cc-short cat /cc-short-marker || { echo "not ok 1 - runc spec"; exit 1; }
prefix=ccsl$$x
start_tracer sl -o json -I -e openat
for i in $(seq 1 "$N"); do
	runc run --bundle "$T/b" "$prefix$i" >/dev/null 2>&1 </dev/null
done
sleep 0.5
stop_tracer "$TRACER_PID"
grep '"path":"/cc-short-marker"' "$T/sl.out" >"$T/ev"
python3 - "$T/ev" "$prefix" <<'PY' >"$T/py"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
prefix = sys.argv[2]
wrong = host = resolved = unresolved = 0
ids = set()
for e in evs:
    leaf = (e["cgroup"] or "").rstrip("/").split("/")[-1]
    if e["host"]:
        host += 1
    if e["container_id"] is not None:
        if e["container_id"] != leaf or not leaf.startswith(prefix):
            wrong += 1
        else:
            resolved += 1
            ids.add(leaf)
    elif leaf.startswith(prefix) and e["cgroup_id"]:
        unresolved += 1
        ids.add(leaf)
print("events", len(evs))
print("wrong", wrong)
print("host", host)
print("accounted", resolved + unresolved)
print("resolved", resolved)
print("distinct", len(ids))
PY
v() { sed -n "s/^$1 //p" "$T/py"; }
diag "events $(v events), resolved $(v resolved), explicitly unresolved $(( $(v accounted) - $(v resolved) ))"
check "one event per container ($(v events) for $N)" [ "$(v events)" -eq "$N" ]
check "no wrong container id ($(v wrong))" [ "$(v wrong)" -eq 0 ]
check "none attributed to the host ($(v host))" [ "$(v host)" -eq 0 ]
check "every event resolved or unresolved with its own cgroup ($(v accounted))" [ "$(v accounted)" -eq "$N" ]
check "$N distinct containers seen ($(v distinct))" [ "$(v distinct)" -eq "$N" ]
check "every one resolved to its runc container, though gone before it was looked up ($(v resolved))" \
	[ "$(v resolved)" -eq "$N" ]
