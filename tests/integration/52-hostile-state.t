#!/usr/bin/env bash
# Runtime state a user owns is hostile: a FIFO, a symlink to /dev/zero and a 1 GiB sparse file
# planted as rootless podman's conmon.pid (/run/user/UID/containers/...) cost the tracer a
# skipped name, nothing more: the events of those containers arrive while it runs. And a user's
# delegated cgroup named like a system container never takes its place in -c.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
FLOOD=$CC_ROOT/build/helpers/flood
[ -x "$FLOOD" ] || tap_bail "$FLOOD is missing: run make helpers"
tap_plan 9
uid=$((42000 + $$ % 1000))
base=/cc-hs-$$
ubase=$base/user.slice/user-$uid.slice/user@$uid.service/user.slice
runroot=/run/user/$uid
hexes=()
for k in a b c; do hexes+=("$(printf "$k%.0s" $(seq 1 64))"); done
made_runroot=
[ -e "$runroot" ] || made_runroot=1
hs_cleanup() {
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
