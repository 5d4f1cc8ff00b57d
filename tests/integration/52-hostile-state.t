#!/usr/bin/env bash
# Runtime state a user owns is hostile: a FIFO, a symlink to /dev/zero and a 1 GiB sparse file
# planted as rootless podman's conmon.pid (/run/user/UID/containers/...) cost the tracer a
# skipped name, nothing more: the events of those containers arrive while it runs. And a user's
# delegated cgroup named like a system container never takes its place in -c. A state directory on
# a mount that stalls every lookup (a FUSE file system, as a hung network mount would) stalls the
# naming of containers, never the delivery of events: they come out with what is known.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
FLOOD=$CC_ROOT/build/helpers/flood
STALLFS=$CC_ROOT/build/helpers/stallfs
[ -x "$FLOOD" ] || tap_bail "$FLOOD is missing: run make helpers"
[ -x "$STALLFS" ] || tap_bail "$STALLFS is missing: run make helpers (libfuse3-dev)"
tap_plan 27
uid=$((42000 + $$ % 1000))
base=/cc-hs-$$
ubase=$base/user.slice/user-$uid.slice/user@$uid.service/user.slice
runroot=/run/user/$uid
hexes=()
for k in a b c; do hexes+=("$(printf "$k%.0s" $(seq 1 64))"); done
made_runroot=
[ -e "$runroot" ] || made_runroot=1
gate=$CC_WORK/stall.gate gate2=$CC_WORK/stall2.gate
stalled_dir='' stalled_dir2=''
fs_pid='' fs_pid2='' holder=''
hs_cleanup() {
	rm -f "$gate" "$gate2" # the stalled lookups end
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	for d in "$stalled_dir" "$stalled_dir2"; do
		[ -n "$d" ] && { umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null; }
	done
	for p in "$fs_pid" "$fs_pid2"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	find "$CC_V2$base" -depth -type d -exec rmdir {} + 2>/dev/null
	[ -n "$made_runroot" ] && rm -rf "$runroot"
	cc_cleanup
}
trap hs_cleanup EXIT

# 1. three rootless podman containers whose conmon.pid is a FIFO, a symlink to /dev/zero, 1 GiB
store=$runroot/containers/overlay-containers
for h in "${hexes[@]}"; do
	mkdir -p "$store/$h/userdata" "$CC_V2$ubase/libpod-$h.scope"
done
mkfifo "$store/${hexes[0]}/userdata/conmon.pid"
ln -s /dev/zero "$store/${hexes[1]}/userdata/conmon.pid"
truncate -s 1G "$store/${hexes[2]}/userdata/conmon.pid"
chown -R "$uid:$uid" "$runroot"

cc_tracer_start files -o json -e openat -G "$base" || tap_bail "the tracer did not start"
for h in "${hexes[@]}"; do
	(echo $BASHPID >"$CC_V2$ubase/libpod-$h.scope/cgroup.procs" &&
		exec "$FLOOD" -n 3 -p /nonexistent/cc-hostile-state) >/dev/null
done
got() { [ "$(grep -c cc-hostile-state "$CC_WORK/files.out")" -ge 9 ]; }
cc_wait_for 10 got
tap_ok $? "the 9 events arrived while the tracer ran (got $(grep -c cc-hostile-state \
	"$CC_WORK/files.out"))"
tap_ok "$(kill -0 "$CC_TRACER_PID" 2>/dev/null && echo 0 || echo 1)" "the tracer is still running"
cc_tracer_stop INT 10
tap_is "$CC_TRACER_RC" 0 "it stopped on SIGINT with status 0"
# no name read: the id stands for it
tap_is "$(jq -r 'select(.path == "/nonexistent/cc-hostile-state") |
	"\(.container_runtime) \(.container_name == .container_id) \(.container_trust)"' \
	"$CC_WORK/files.out" | sort | uniq -c | awk '{print $1, $2, $3, $4}')" \
	"9 podman true user-delegated" \
	"each container's events: podman, no name but its id, user-delegated"
tap_is "$(jq -r 'select(.path == "/nonexistent/cc-hostile-state") | .container_id' \
	"$CC_WORK/files.out" | sort -u)" "$(printf '%s\n' "${hexes[@]}" | sort)" \
	"each container keeps its id"

# 2. -c and a user's cgroup named like a system container (the same docker id)
hex=$(printf 'd%.0s' $(seq 1 64))
mkdir -p "$CC_V2$ubase/docker-$hex.scope"
"$CC_BIN" -c "$hex" -d 1 >/dev/null 2>"$CC_WORK/c1.err"
tap_is "$?" 2 "-c with only a user-delegated match: usage status 2, it is not taken"
tap_is "$(grep -c "no running container matches '$hex'" "$CC_WORK/c1.err")" 1 \
	"-c says no running container matches"
mkdir -p "$CC_V2$base/system.slice/docker-$hex.scope"
cc_tracer_start both -o json -e openat -c "$hex" || tap_bail "-c did not pick the system one"
for cg in "$ubase/docker-$hex.scope" "$base/system.slice/docker-$hex.scope"; do
	(echo $BASHPID >"$CC_V2$cg/cgroup.procs" && exec "$FLOOD" -n 2 -p /nonexistent/cc-hs-c) \
		>/dev/null
done
sleep 0.3
cc_tracer_stop INT
tap_is "$(jq -r 'select(.path == "/nonexistent/cc-hs-c") | .cgroup' "$CC_WORK/both.out" |
	sort | uniq -c | awk '{print $1, $2}')" "2 $base/system.slice/docker-$hex.scope" \
	"-c with both: the system container's 2 events only"
tap_is "$CC_TRACER_RC" 0 "-c with both: status 0"

# stall_mount GATE DIR ERR: mounts the stalling file system on DIR (every lookup in it waits
# while GATE exists), its messages in ERR; its pid in stall_pid; fails if it did not mount
stall_mount() {
	mkdir -p "$2"
	touch "$1"
	"$STALLFS" "$1" "$2" -f -o allow_other 2>"$3" &
	stall_pid=$!
	cc_wait_for 10 mountpoint -q "$2"
}

# 3. a rootless container whose state directory stalls every lookup, and a system one: the
# events of both are written while the lookup stalls
hexs=$(printf 'e%.0s' $(seq 1 64))
hexd=$(printf 'f%.0s' $(seq 1 64))
stalled_dir=$store/$hexs/userdata
stall_mount "$gate" "$stalled_dir" "$CC_WORK/stallfs.err" ||
	tap_bail "the stalling file system did not mount"
fs_pid=$stall_pid
cc_tracer_start stall -o json -e openat -G "$base" || tap_bail "the tracer did not start"
# made now: the tracer learns of them from the kernel (its start looked at the state of those
# running then, before any event was read)
mkdir -p "$CC_V2$ubase/libpod-$hexs.scope" "$CC_V2$base/system.slice/docker-$hexd.scope"
(echo $BASHPID >"$CC_V2$ubase/libpod-$hexs.scope/cgroup.procs" &&
	exec "$FLOOD" -n 3 -p /nonexistent/cc-hs-stall) >/dev/null
(echo $BASHPID >"$CC_V2$base/system.slice/docker-$hexd.scope/cgroup.procs" &&
	exec "$FLOOD" -n 3 -p /nonexistent/cc-hs-fast) >/dev/null
both() { [ "$(grep -c 'cc-hs-stall\|cc-hs-fast' "$CC_WORK/stall.out")" -ge 6 ]; }
cc_wait_for 10 both
tap_ok $? "the 6 events of both containers were written while the lookup stalled (got \
$(grep -c 'cc-hs-stall\|cc-hs-fast' "$CC_WORK/stall.out"))"
tap_is "$(grep -c "stalled: /conmon.pid" "$CC_WORK/stallfs.err")" 1 \
	"the tracer's lookup of the container's conmon.pid is the one stalled"
tap_ok "$([ -e "$gate" ] && echo 0 || echo 1)" "the lookup was still stalled then"
# released: the naming goes on, and names the system container's later events
rm -f "$gate"
(echo $BASHPID >"$CC_V2$base/system.slice/docker-$hexd.scope/cgroup.procs" &&
	exec "$FLOOD" -n 2 -p /nonexistent/cc-hs-after) >/dev/null
after() { [ "$(grep -c cc-hs-after "$CC_WORK/stall.out")" -ge 2 ]; }
cc_wait_for 10 after
cc_tracer_stop INT 10
tap_is "$CC_TRACER_RC" 0 "with the stall over, it stopped on SIGINT with status 0"
tap_is "$(jq -r 'select(.path == "/nonexistent/cc-hs-after") |
	"\(.container_runtime) \(.container_id)"' "$CC_WORK/stall.out" | sort | uniq -c |
	awk '{print $1, $2, $3}')" "2 docker $hexd" \
	"the system container's events after the stall are named"
tap_ok "$(grep -q 'records written before their cgroup was named' "$CC_WORK/stall.err" &&
	echo 0 || echo 1)" "it says some records were written before their cgroup was named"
tap_is "$(jq -r 'select(.path == "/nonexistent/cc-hs-stall") | .cgroup_id' \
	"$CC_WORK/stall.out" | sort -u)" "$(stat -c %i "$CC_V2$ubase/libpod-$hexs.scope")" \
	"the stalled container's events keep their cgroup id"

# 4. the same stall under top, --metrics and the leak report at exit: the summaries name a cgroup
# from what the naming thread answered, never by reading a file on the thread that reads events,
# so top keeps writing its intervals, /metrics keeps answering with the counts, and the tracer
# ends on SIGINT with its leak report written
hexs2=$(printf '9%.0s' $(seq 1 64))
stalled_dir2=$store/$hexs2/userdata
stall_mount "$gate2" "$stalled_dir2" "$CC_WORK/stallfs2.err" ||
	tap_bail "the second stalling file system did not mount"
fs_pid2=$stall_pid
mport=$(cc_port)
cc_tracer_start top2 top -o json --interval 0.5 -G "$base" || tap_bail "top did not start"
top_pid=$CC_TRACER_PID
cc_tracer_start leaks -o json -e openat,close -G "$base" --metrics "127.0.0.1:$mport" ||
	tap_bail "the tracer with --metrics did not start"
cg2=$ubase/libpod-$hexs2.scope
mkdir -p "$CC_V2$cg2"
(echo $BASHPID >"$CC_V2$cg2/cgroup.procs" && exec "$FLOOD" -n 3 -p /nonexistent/cc-hs-stall2) \
	>/dev/null
# its deltas (failed opens only: no row is made for them by a path opened) wait for its name
# (2 s), and a gauge says how many wait
held_value() {
	curl -sf -m 2 "http://127.0.0.1:$mport/metrics" |
		awk '$1 == "copenclose_held_deltas_entries" { v = $2 } END { print v + 0 }'
}
has_held() { [ "$(held_value)" -ge 1 ]; }
cc_wait_for 10 has_held
tap_ok $? "/metrics: the stalled container's deltas are said to be held for its name"
# a process of the container that holds a descriptor open: the leak report lists it at exit
(echo $BASHPID >"$CC_V2$cg2/cgroup.procs" && exec 3</etc/hostname &&
	exec "$FLOOD" -n 0 -w "$CC_WORK/never") >/dev/null &
holder=$!
stalls() { [ "$(grep -c "stalled: /conmon.pid" "$CC_WORK/stallfs2.err")" -ge 2 ]; }
cc_wait_for 10 stalls
# what /metrics says of the stalled container: its failed opens, unnamed (the id its path told)
stall_value() {
	curl -sf -m 2 "http://127.0.0.1:$mport/metrics" |
		awk -v s="container_id=\"$hexs2\"" -v t='syscall="openat",result="ENOENT"' \
			'index($0, s) && index($0, t) { v = $2 } END { print v + 0 }'
}
has_stall_value() { [ "$(stall_value)" = 3 ]; }
cc_wait_for 10 has_stall_value
tap_is "$(stall_value)" 3 \
	"/metrics answers during the stall, with the stalled container's 3 failed opens"
none_held() { [ "$(held_value)" = 0 ]; }
cc_wait_for 5 none_held
tap_is "$(held_value)" 0 "/metrics: no delta held once they were counted unnamed"
top_lines() { jq -r 'select(.type == "top") | .time' "$CC_WORK/top2.out" | sort -u | wc -l; }
n0=$(top_lines)
sleep 2
tap_check "top writes its intervals during the stall ($n0, then $(top_lines) 2 s later)" \
	[ "$(top_lines)" -ge $((n0 + 3)) ]
tap_is "$(jq -r --arg h "$hexs2" 'select(.container_id == $h) | .failed_opens' "$CC_WORK/top2.out" |
	awk '{ s += $1 } END { print s + 0 }')" 3 "top counts the stalled container's 3 failed opens"
tap_ok "$([ -e "$gate2" ] && echo 0 || echo 1)" "the lookups were still stalled then"
# on SIGINT, both write what they have and their closing lines; the processes end once the
# naming threads' lookups do (a thread in a FUSE request the daemon holds cannot be killed)
leaks_pid=$CC_TRACER_PID
kill -INT "$leaks_pid" "$top_pid"
closed() { grep -q 'events delivered' "$CC_WORK/leaks.err" && grep -q 'calls counted' "$CC_WORK/top2.err"; }
t0=$(date +%s.%N)
cc_wait_for 5 closed
secs=$(cc_elapsed "$t0")
tap_check "on SIGINT during the stall, the tracer with --metrics wrote its closing line ($secs s)" \
	grep -q 'events delivered' "$CC_WORK/leaks.err"
tap_check "... and top its own" grep -q 'calls counted' "$CC_WORK/top2.err"
tap_is "$(jq -r 'select(.type == "open_fd" and .path == "/etc/hostname") | .cgroup_id' \
	"$CC_WORK/leaks.out")" "$(stat -c %i "$CC_V2$cg2")" \
	"its leak report lists the descriptor the stalled container holds"
rm -f "$gate2"
cc_tracer_stop INT 10
tap_is "$CC_TRACER_RC" 0 "with the stall over, the tracer with --metrics ended with status 0"
CC_TRACER_PID=$top_pid cc_tracer_stop INT 10
tap_is "$CC_TRACER_RC" 0 "... and top too"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=
