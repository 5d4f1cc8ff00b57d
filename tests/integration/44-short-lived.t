#!/usr/bin/env bash
# 200 short-lived runc containers, each living a few milliseconds and doing one known open:
# no event gets a wrong container id, none is attributed to the host, and each is either
# resolved to its container or explicitly left unresolved with its own cgroup path.
. "$(dirname "$0")/lib.sh"
N=${CC_CONTAINERS:-$([ -n "${CC_STRESS:-}" ] && echo 1000 || echo 200)}
cc_begin 6 runc

cc_rootfs
# one bundle for all: each container in runc's default cgroup, /<its id>; a marker of this run,
# as another run of this test may trace at the same time
bundle=$(cc_runc_bundle --raw --cgroup '' cc-short "$(cc_ctl_dir cc-short)" cat "/cc-short-marker-$$") ||
	tap_bail "runc spec failed"
prefix=ccsl$$x
cc_tracer_start sl -o json -I -e openat
for i in $(seq 1 "$N"); do
	runc run --bundle "$bundle" "$prefix$i" >/dev/null 2>&1 </dev/null
done
sleep 0.5
cc_tracer_stop
grep "\"path\":\"/cc-short-marker-$$\"" "$CC_WORK/sl.out" >"$CC_WORK/ev"
python3 - "$CC_WORK/ev" "$prefix" <<'PY' >"$CC_WORK/py"
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
v() { sed -n "s/^$1 //p" "$CC_WORK/py"; }
tap_diag "events $(v events), resolved $(v resolved), explicitly unresolved $(( $(v accounted) - $(v resolved) ))"
tap_check "one event per container ($(v events) for $N)" [ "$(v events)" -eq "$N" ]
tap_check "no wrong container id ($(v wrong))" [ "$(v wrong)" -eq 0 ]
tap_check "none attributed to the host ($(v host))" [ "$(v host)" -eq 0 ]
tap_check "every event resolved or unresolved with its own cgroup ($(v accounted))" [ "$(v accounted)" -eq "$N" ]
tap_check "$N distinct containers seen ($(v distinct))" [ "$(v distinct)" -eq "$N" ]
tap_check "every one resolved to its runc container, though gone before it was looked up ($(v resolved))" \
	[ "$(v resolved)" -eq "$N" ]
