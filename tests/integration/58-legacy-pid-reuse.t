#!/usr/bin/env bash
# A legacy host (no cgroup v2 hierarchy, emulated in a private mount namespace) names processes,
# not cgroups: a process of container A ends, and a process of container B is given its pid (the
# host's ns_last_pid set, retried until the kernel hands that pid out) within the second the name
# of A's process was kept; B's events are B's, not A's.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
[ "$CC_V2" = /sys/fs/cgroup/unified ] || tap_skip_all "needs a hybrid host to emulate a legacy one"
[ -w /proc/sys/kernel/ns_last_pid ] || tap_skip_all "cannot choose a pid: no ns_last_pid"
cc_begin 7
WORKLOAD=$CC_ROOT/build/helpers/workload
[ -x "$WORKLOAD" ] || tap_bail "$WORKLOAD is missing: run make helpers"
V1=/sys/fs/cgroup/pids
[ -d "$V1" ] || tap_skip_all "no v1 pids hierarchy"
ida=$(printf 'a%.0s' $(seq 1 64)) idb=$(printf 'b%.0s' $(seq 1 64))
base=$V1/ccpidreuse$$
mkdir -p "$base/docker/$ida" "$base/docker/$idb"
cc_defer "rmdir '$base/docker/$ida' '$base/docker/$idb' '$base/docker' '$base' 2>/dev/null"
comm=ccreuse$$
comm=${comm:0:15}
# the workload under a name of its own: only its calls are traced (-n)
WL=$CC_WORK/$comm
cp "$WORKLOAD" "$WL"
cc_tracer_spawn l unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec "$0" -o json -e openat -n "$1"' \
	"$CC_BIN" "$comm"
got_pid=''
for _ in $(seq 1 50); do
	# A: three failed opens, 300 ms (named meanwhile), its end; its pid is the one B must get
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" missing /nonexistent/cc-reuse-a 3 sleep 300' \
		sh "$base/docker/$ida" "$WL" >/dev/null &
	pa=$!
	wait "$pa"
	# B, at once: the pid before A's made the last one handed out, so B (forked next) gets A's
	# unless another process on the machine forked in between (then again)
	echo $((pa - 1)) >/proc/sys/kernel/ns_last_pid
	sh -c '[ "$$" = "$3" ] || exit 3; echo $$ >"$1/cgroup.procs" &&
		exec "$2" missing /nonexistent/cc-reuse-b 3 sleep 300' \
		sh "$base/docker/$idb" "$WL" "$pa" >/dev/null &
	pb=$!
	wait "$pb" && { got_pid=$pa; break; }
done
tap_ok "$([ -n "$got_pid" ] && echo 0 || echo 1)" "B's process was given the pid of A's (${got_pid:-never})"
sleep 0.5
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer ended with status 0"
tap_check "it traced a legacy host" grep -q 'no cgroup v2 hierarchy (legacy cgroups)' "$CC_WORK/l.err"
of() { jq -r --arg p "$1" --argjson pid "$got_pid" 'select(.path == $p and .pid == $pid) | .container_id' \
	"$CC_WORK/l.out"; }
# a record the naming thread did not answer for within its 100 ms is written without a name
# and said so on stderr (a busy machine): each event is its own container's or, said, unnamed
late=$(sed -n 's/^copenclose: \([0-9]*\) records written before their cgroup was named.*/\1/p' \
	"$CC_WORK/l.err")
late=${late:-0}
named_a=$(of /nonexistent/cc-reuse-a | grep -cx "$ida")
none_a=$(of /nonexistent/cc-reuse-a | grep -cx null)
named_b=$(of /nonexistent/cc-reuse-b | grep -cx "$idb")
none_b=$(of /nonexistent/cc-reuse-b | grep -cx null)
tap_is "$((named_a + none_a))" 3 \
	"A's 3 events under pid $got_pid are A's ($named_a) or written unnamed ($none_a)"
tap_is "$((named_b + none_b))" 3 \
	"B's 3 events under the same pid are B's ($named_b) or written unnamed ($none_b), not A's"
tap_ok "$([ $((none_a + none_b)) -le "$late" ] && echo 0 || echo 1)" \
	"the unnamed ones ($((none_a + none_b))) are among those it says it wrote before their name ($late)"
tap_is "$(jq -r 'select(.path == "/nonexistent/cc-reuse-b") | .container_id' "$CC_WORK/l.out" |
	grep -c "$ida")" 0 "no event of B is named A"
