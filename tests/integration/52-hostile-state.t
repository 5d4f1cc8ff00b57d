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
tap_plan 16
uid=$((42000 + $$ % 1000))
base=/cc-hs-$$
ubase=$base/user.slice/user-$uid.slice/user@$uid.service/user.slice
runroot=/run/user/$uid
hexes=()
for k in a b c; do hexes+=("$(printf "$k%.0s" $(seq 1 64))"); done
made_runroot=
[ -e "$runroot" ] || made_runroot=1
gate=$CC_WORK/stall.gate
stalled_dir=
fs_pid=
hs_cleanup() {
	rm -f "$gate" # the stalled lookups end
	if [ -n "$stalled_dir" ]; then
		umount "$stalled_dir" 2>/dev/null || umount -l "$stalled_dir" 2>/dev/null
	fi
	[ -n "$fs_pid" ] && kill "$fs_pid" 2>/dev/null && wait "$fs_pid" 2>/dev/null
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

# 3. a rootless container whose state directory stalls every lookup, and a system one: the
# events of both are written while the lookup stalls
hexs=$(printf 'e%.0s' $(seq 1 64))
hexd=$(printf 'f%.0s' $(seq 1 64))
stalled_dir=$store/$hexs/userdata
mkdir -p "$stalled_dir"
touch "$gate"
"$STALLFS" "$gate" "$stalled_dir" -f -o allow_other 2>"$CC_WORK/stallfs.err" &
fs_pid=$!
mounted() { mountpoint -q "$stalled_dir"; }
cc_wait_for 10 mounted || tap_bail "the stalling file system did not mount"
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
