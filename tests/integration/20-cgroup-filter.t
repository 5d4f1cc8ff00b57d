#!/usr/bin/env bash
# -G keeps exactly the events of a cgroup subtree, including cgroups created after tracing
# began, and drops the rest in the kernel; bad cgroup paths get one line and a usage status.
. "$(dirname "$0")/lib.sh"
cc_begin 16 cgroup2

v2=$(cc_v2_mount)
parent=cc-filter-$$
mkdir "$v2/$parent"
cleanup() {
	for d in "$v2/$parent/late/inner" "$v2/$parent/late" "$v2/$parent/early" "$v2/$parent"; do
		[ -d "$d" ] && { xargs -r kill -KILL <"$d/cgroup.procs" 2>/dev/null; sleep 0.1; rmdir "$d"; }
	done
}
cc_defer cleanup
mkdir "$v2/$parent/early"

# run_in CGROUP N GOFILE: a flood of N failing openat inside CGROUP, started at once, waiting
run_in() {
	(
		echo $BASHPID >"$v2/$1/cgroup.procs"
		exec "$CC_FLOOD" -n "$2" -w "$3" -p "/nonexistent/$parent"
	) >/dev/null &
}

cc_tracer_start g -o json -G "/$parent"
# created after the tracer started: must be traced too
mkdir -p "$v2/$parent/late/inner"
run_in "$parent/early" 100 "$CC_WORK/go"
run_in "$parent/late/inner" 250 "$CC_WORK/go"
# outside the subtree: must not appear
"$CC_FLOOD" -n 300 -w "$CC_WORK/go" -p "/nonexistent/$parent" >/dev/null &
sleep 0.3
touch "$CC_WORK/go"
wait_floods() { for _ in $(seq 100); do pgrep -f "nonexistent/$parent" >/dev/null || return 0; sleep 0.05; done; }
wait_floods
sleep 0.2
cc_tracer_stop
early_id=$(stat -c %i "$v2/$parent/early")
late_id=$(stat -c %i "$v2/$parent/late/inner")
n_all=$(grep -c "/nonexistent/$parent" "$CC_WORK/g.out")
n_early=$(grep "/nonexistent/$parent" "$CC_WORK/g.out" | grep -c "\"cgroup_id\":$early_id,")
n_late=$(grep "/nonexistent/$parent" "$CC_WORK/g.out" | grep -c "\"cgroup_id\":$late_id,")
tap_check "early cgroup: 100 events (got $n_early)" [ "$n_early" -eq 100 ]
tap_check "cgroup created after start: 250 events (got $n_late)" [ "$n_late" -eq 250 ]
tap_check "nothing from outside the subtree: 350 in all (got $n_all)" [ "$n_all" -eq 350 ]
# The kernel's filter, by cgroup id: every line is an event of one of the two cgroups.
stray=$(jq -c --argjson e "$early_id" --argjson l "$late_id" \
	'select(.type != "event" or (.cgroup_id != $e and .cgroup_id != $l))' "$CC_WORK/g.out")
[ -z "$stray" ] || tap_diag "lines not of the two cgroups:" "$(head -c 2000 <<<"$stray")"
tap_check "every line is an event of /$parent/early or /$parent/late/inner, by cgroup id" \
	[ -z "$stray" ]
# Their names. A record waits at most 100 ms for the naming thread, then is written unnamed
# (cgroup null) and counted on stderr: a cgroup made after the start is named at once by what
# its cgroup_mkdir told, but one that existed before waits for the thread, which a guest under
# TCG on a loaded host (its clock running while its CPU does not) may not run in time.
named() { # ID: the distinct names of that cgroup's events
	jq -r --argjson i "$1" 'select(.cgroup_id == $i) | .cgroup // "(unnamed)"' \
		"$CC_WORK/g.out" | sort -u | paste -sd' '
}
tap_is "$(named "$late_id")" "/$parent/late/inner" \
	"every event of the cgroup made after the start is named by its path"
other=$(named "$early_id" | tr ' ' '\n' | grep -vxF -e "/$parent/early" -e "(unnamed)")
tap_is "$other" "" "every event of the cgroup made before is named by its path, or unnamed"
# (events only: a "lost" line, which the kernel's skipped programs give in sid, has no cgroup)
unnamed=$(jq -r 'select(.type == "event" and .cgroup == null) | .cgroup_id' "$CC_WORK/g.out" | wc -l)
told=$(sed -n 's/^copenclose: \([0-9]*\) records written before their cgroup was named.*/\1/p' \
	"$CC_WORK/g.err")
# (its count also holds those it wrote by their cgroup_mkdir's path, named)
tap_check "no event unnamed in silence: $unnamed unnamed, stderr says ${told:-0} written before named" \
	[ "$unnamed" -le "${told:-0}" ]
tap_check "exit status 0" [ "$CC_TRACER_RC" -eq 0 ]

# the same cgroup given as an absolute path under the v2 mount
cc_tracer_start abs -G "$v2/$parent" -d 0.5
wait "$CC_TRACER_PID"
tap_check "an absolute path under the v2 mount is accepted (status $?)" grep -q '^copenclose: 0 events' "$CC_WORK/abs.err"

tap_refuses "a cgroup that does not exist" 2 'not found' "$CC_BIN" -G /no-such-cgroup-$$
v1=$(awk '$9 == "cgroup" {print $5}' /proc/self/mountinfo | head -n1)
if [ -n "$v1" ]; then
	tap_refuses "a v1 hierarchy path" 2 'outside the cgroup v2' "$CC_BIN" -G "$v1"
else
	for _ in 1 2 3; do tap_ok 0 "a v1 hierarchy path # SKIP no v1 hierarchy on this host"; done
fi
"$CC_BIN" -G /no-such -c x >/dev/null 2>"$CC_WORK/bad3.err"
tap_check "-c with -G: usage error, status 2" [ $? -eq 2 ]
