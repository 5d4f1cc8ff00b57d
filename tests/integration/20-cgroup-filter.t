#!/usr/bin/env bash
# -G keeps exactly the events of a cgroup subtree, including cgroups created after tracing
# began, and drops the rest in the kernel; bad cgroup paths get one line and a usage status.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
plan 9

v2=$(awk '$9 == "cgroup2" {print $5}' /proc/self/mountinfo | head -n1)
[ -n "$v2" ] || skip_all "no cgroup v2 hierarchy mounted"
parent=cc-filter-$$
mkdir "$v2/$parent"
cleanup() {
	for d in "$v2/$parent/late/inner" "$v2/$parent/late" "$v2/$parent/early" "$v2/$parent"; do
		[ -d "$d" ] && { cat "$d/cgroup.procs" 2>/dev/null | xargs -r kill -KILL 2>/dev/null; sleep 0.1; rmdir "$d"; }
	done
	cleanup_tracers
}
trap cleanup EXIT
mkdir "$v2/$parent/early"

# run_in CGROUP N GOFILE: a flood of N failing openat inside CGROUP, started at once, waiting
run_in() {
	(
		echo $BASHPID >"$v2/$1/cgroup.procs"
		exec "$FLOOD" -n "$2" -w "$3" -p "/nonexistent/$parent"
	) >/dev/null &
}

start_tracer g -o json -G "/$parent"
# created after the tracer started: must be traced too
mkdir -p "$v2/$parent/late/inner"
run_in "$parent/early" 100 "$T/go"
run_in "$parent/late/inner" 250 "$T/go"
# outside the subtree: must not appear
"$FLOOD" -n 300 -w "$T/go" -p "/nonexistent/$parent" >/dev/null &
sleep 0.3
touch "$T/go"
wait_floods() { for _ in $(seq 100); do pgrep -f "nonexistent/$parent" >/dev/null || return 0; sleep 0.05; done; }
wait_floods
sleep 0.2
stop_tracer "$TRACER_PID"
early_id=$(stat -c %i "$v2/$parent/early")
late_id=$(stat -c %i "$v2/$parent/late/inner")
n_all=$(grep -c "/nonexistent/$parent" "$T/g.out")
n_early=$(grep "/nonexistent/$parent" "$T/g.out" | grep -c "\"cgroup_id\":$early_id,")
n_late=$(grep "/nonexistent/$parent" "$T/g.out" | grep -c "\"cgroup_id\":$late_id,")
check "early cgroup: 100 events (got $n_early)" [ "$n_early" -eq 100 ]
check "cgroup created after start: 250 events (got $n_late)" [ "$n_late" -eq 250 ]
check "nothing from outside the subtree: 350 in all (got $n_all)" [ "$n_all" -eq 350 ]
check "every event is below /$parent" [ "$(grep -vc "\"cgroup\":\"/$parent/" "$T/g.out")" -eq 0 ]
check "exit status 0" [ "$TRACER_RC" -eq 0 ]

# the same cgroup given as an absolute path under the v2 mount
start_tracer abs -G "$v2/$parent" -d 0.5
wait "$TRACER_PID"
check "an absolute path under the v2 mount is accepted (status $?)" grep -q '^copenclose: 0 events' "$T/abs.err"

"$BIN" -G /no-such-cgroup-$$ >/dev/null 2>"$T/bad1.err"
rc=$?
check "a cgroup that does not exist: one line, status 2 (got $rc: $(cat "$T/bad1.err"))" \
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$T/bad1.err")" -eq 1 ] && grep -q 'not found' "$T/bad1.err"
v1=$(awk '$9 == "cgroup" {print $5}' /proc/self/mountinfo | head -n1)
if [ -n "$v1" ]; then
	"$BIN" -G "$v1" >/dev/null 2>"$T/bad2.err"
	rc=$?
	check "a v1 hierarchy path: one line, status 2 (got $rc: $(cat "$T/bad2.err"))" \
		[ "$rc" -eq 2 ] && [ "$(wc -l <"$T/bad2.err")" -eq 1 ] && grep -q 'outside the cgroup v2' "$T/bad2.err"
else
	ok "a v1 hierarchy path # SKIP no v1 hierarchy on this host"
fi
"$BIN" -G /no-such -c x >/dev/null 2>"$T/bad3.err"
check "-c with -G: usage error, status 2" [ $? -eq 2 ]
