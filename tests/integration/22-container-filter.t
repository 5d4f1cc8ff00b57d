#!/usr/bin/env bash
# -c keeps exactly one container's events, by name or unique id prefix; two runc containers run
# the same workload at the same time and the other one's events are dropped in the kernel.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
command -v runc >/dev/null || skip_all "runc is not installed"
make_rootfs || skip_all "no static busybox to build a root file system"
plan 8

a=ccfa$$ b=ccfb$$
runc_bundle "$T/a" host-a flood -n 100 -w /cc/go -p /nonexistent/cc-filter || exit 1
runc_bundle "$T/b" host-b flood -n 200 -w /cc/go -p /nonexistent/cc-filter || exit 1
trap 'runc kill $a KILL 2>/dev/null; runc kill $b KILL 2>/dev/null; sleep 0.2;
	runc delete -f $a 2>/dev/null; runc delete -f $b 2>/dev/null; cleanup_tracers' EXIT
runc run -d --bundle "$T/a" "$a" >/dev/null 2>&1 </dev/null
runc run -d --bundle "$T/b" "$b" >/dev/null 2>&1 </dev/null
check "two runc containers running" [ "$(runc list -q | grep -cE "^($a|$b)$")" -eq 2 ]

"$BIN" -c ccf >/dev/null 2>"$T/amb.err"
rc=$?
check "an ambiguous prefix: status 2, both candidates named ($(cat "$T/amb.err"))" \
	[ "$rc" -eq 2 ] && grep -q "$a" "$T/amb.err" && grep -q "$b" "$T/amb.err"
"$BIN" -c "nosuch$$" >/dev/null 2>"$T/unk.err"
rc=$?
check "an unknown name: status 2, one line listing the running ones ($(cat "$T/unk.err"))" \
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$T/unk.err")" -eq 1 ] && grep -q "running: .*$a" "$T/unk.err" &&
	grep -q "$b" "$T/unk.err"
start_tracer by-name -o json -c "$a"
start_tracer by-prefix -o json -c "ccfb"
first=$TRACER_PID
touch "$T/a/share/go" "$T/b/share/go"
for _ in $(seq 100); do
	[ "$(runc list -q | grep -cE "^($a|$b)$")" -eq 0 ] && break
	[ "$(runc state "$a" 2>/dev/null | grep -c '"status": "stopped"')$(runc state "$b" 2>/dev/null | grep -c '"status": "stopped"')" = 11 ] && break
	sleep 0.1
done
sleep 0.3
for p in $(jobs -p); do stop_tracer "$p"; done
na=$(grep -c '"path":"/nonexistent/cc-filter"' "$T/by-name.out")
wrong=$(grep -vc "\"container_id\":\"$a\"" "$T/by-name.out")
nb=$(grep -c '"path":"/nonexistent/cc-filter"' "$T/by-prefix.out")
check "-c NAME: exactly container a's 100 opens (got $na)" [ "$na" -eq 100 ]
check "-c NAME: no event of another container ($wrong)" [ "$wrong" -eq 0 ]
check "-c PREFIX: exactly container b's 200 opens (got $nb)" [ "$nb" -eq 200 ]
check "-c PREFIX: every event names b, runtime runc" \
	[ "$(grep -c "\"container_id\":\"$b\",.*\"container_runtime\":\"runc\"" "$T/by-prefix.out")" -eq "$nb" ]
"$BIN" -c nosuchcontainer$$ >/dev/null 2>"$T/none.err"
check "an unknown container: one line, status 2" [ $? -eq 2 ] && [ "$(wc -l <"$T/none.err")" -eq 1 ]
