#!/usr/bin/env bash
# Rootless podman whose run root is not /run/user/UID (85-rootless.t has the default): a user
# with no /run/user/UID whose podman (runc, --cgroup-manager cgroupfs, --network none) runs
# (a) with XDG_RUNTIME_DIR unset: its run directory /tmp/podman-run-UID, its run root below it;
# (b) with XDG_RUNTIME_DIR elsewhere and --runroot and --root in directories of the test's: only
# its conmon's command line (--conmon-pidfile, --exit-dir) says where.
# Each mode's containers are named exactly as in the default case (container_runtime podman,
# the id and name, "container_trust": "user", not the host): one of each running before the
# tracer (found at start through the user's conmons), one started under it (through the conmon
# among its parents); conmon and runc are podman's own. `copenclose resolve` names them and
# `copenclose doctor` counts them; a run root others may write names nothing, which doctor says
# ("unnamed"), and named again once it is the user's alone.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 23 rootfs podman runc runuser useradd

# the user: a free uid with no /run/user/UID, a home, a run directory and roots of its own
for RUID in $(seq 62000 62999); do
	getent passwd "$RUID" >/dev/null || [ -e "/run/user/$RUID" ] ||
		[ -e "/tmp/podman-run-$RUID" ] || break
done
RUSER=ccrr$$
RHOME=$CC_WORK/home
XDG=$CC_WORK/xdg
RR=$CC_WORK/runroot
GR=$CC_WORK/graphroot
useradd -M -d "$RHOME" -u "$RUID" -s /bin/sh "$RUSER" 2>/dev/null ||
	tap_bail "cannot add a user for rootless podman"
mkdir -m 700 "$RHOME" "$XDG" "$RR" "$GR"
chown "$RUID:$RUID" "$RHOME" "$XDG" "$RR" "$GR"
rroot=$CC_WORK/rootless-rootfs
cp -a "$CC_ROOTFS" "$rroot"
chown -R "$RUID:$RUID" "$rroot"

podman_flags=(--runtime runc --cgroup-manager cgroupfs --events-backend file)
pa() { (cd / && runuser -u "$RUSER" -- env -u XDG_RUNTIME_DIR HOME="$RHOME" \
	podman "${podman_flags[@]}" "$@"); }
pb() { (cd / && runuser -u "$RUSER" -- env HOME="$RHOME" XDG_RUNTIME_DIR="$XDG" \
	podman --runroot "$RR" --root "$GR" "${podman_flags[@]}" "$@"); }
cc_runroot_cleanup() {
	local f pause
	pa rm -f -a -t 0 >/dev/null 2>&1
	pb rm -f -a -t 0 >/dev/null 2>&1
	for f in "/tmp/podman-run-$RUID/libpod/tmp/pause.pid" "$XDG/libpod/tmp/pause.pid"; do
		pause=$(cat "$f" 2>/dev/null)
		# (the pause process blocks every signal it can)
		[ -n "$pause" ] && [ "$(stat -c %u "/proc/$pause" 2>/dev/null)" = "$RUID" ] &&
			kill -KILL "$pause" 2>/dev/null
	done
	sleep 0.2
	userdel "$RUSER" 2>/dev/null
	rm -rf "/tmp/podman-run-$RUID" "/tmp/containers-user-$RUID"
}
cc_defer cc_runroot_cleanup

# start MODE NAME STEP...: a detached container of podman MODE (pa, pb) running the workload on a
# bind of its control directory, let go once NAME's ctl/start exists; its id in ID, its pid's
# mount namespace in MNT[NAME], its pid in PID
declare -A MNT IDS
start() {
	local mode=$1 name=$2 ctl
	shift 2
	ctl=$(cc_ctl_dir "$name")
	ID=$("$mode" run -d --network none --name "$name" -v "$ctl:/ctl" --rootfs "$rroot" \
		/bin/workload mark /ctl/ready wait-file /ctl/start "$@" 2>>"$CC_WORK/podman.err") ||
		return 1
	IDS[$name]=$ID
	cc_wait_for 60 test -d "$ctl/ready" || return 1
	PID=$("$mode" inspect -f '{{.State.Pid}}' "$name") || return 1
	MNT[$name]=$(stat -L -c %i "/proc/$PID/ns/mnt")
}

# opens FILTER: the workload's openat results of the user's events FILTER selects, as sorted
# "PATH RESULT COUNT" lines
opens() {
	jq -r "select(.type == \"event\" and .syscall == \"openat\" and .comm == \"workload\" and
		($1)) | \"\(.path) \(if .ret >= 0 then \"ok\" else .errno end)\"" "$CC_WORK/t.user" |
		sort | uniq -c | awk '{print $2, $3, $1}'
}

# named FILTER: how the user's events FILTER selects are named
named() {
	jq -r "select(.type == \"event\" and ($1)) |
		\"\(.container_runtime) \(.container_id) \(.container_name) \(.container_trust) \(.host) \(.identity_mismatch)\"" \
		"$CC_WORK/t.user" | sort -u
}

# resolved PID: how copenclose resolve names PID
resolved() {
	"$CC_BIN" resolve "$1" |
		jq -r '"\(.container_runtime) \(.container_id) \(.container_name) \(.container_trust)"'
}

# the user's line of doctor --json: "containers unnamed"
doctor_user() {
	"$CC_BIN" doctor --json 2>>"$CC_WORK/doctor.err" | jq -r --argjson u "$RUID" \
		'[.rootless_podman.users[] | select(.uid == $u) | "\(.containers) \(.unnamed)"] | join(",")'
}

# A (XDG_RUNTIME_DIR unset) and B (--runroot, --root) before the tracer; C and D, the same
# modes, under it
A=$(cc_name) B=$(cc_name) C=$(cc_name) D=$(cc_name)
start pa "$A" open /data/file 3 missing /nonexistent-a 1 &&
	APID=$PID && start pb "$B" open /data/file 2 missing /nonexistent-b 2 && BPID=$PID
tap_ok $? "A (XDG_RUNTIME_DIR unset) and B (--runroot, --root elsewhere) run and are ready"
tap_check "A's state is in /tmp/podman-run-UID" \
	test -s "/tmp/podman-run-$RUID/containers/vfs-containers/${IDS[$A]}/userdata/conmon.pid"
tap_check "the user has no /run/user/UID" test ! -e "/run/user/$RUID"
tap_check "B's state is in the --runroot given" \
	test -s "$RR/vfs-containers/${IDS[$B]}/userdata/conmon.pid"
tap_is "$(resolved "$APID")" "podman ${IDS[$A]} $A user" "copenclose resolve names A's process"
tap_is "$(resolved "$BPID")" "podman ${IDS[$B]} $B user" "copenclose resolve names B's process"
tap_is "$(doctor_user)" "2 0" "doctor --json: the user's two containers, none unnamed"

cc_tracer_start t -o json -e openat,close
start pa "$C" open /data/file 1 missing /nonexistent-c 3 &&
	start pb "$D" open /data/file 4 missing /nonexistent-d 1
rc=$?
for n in "$A" "$B" "$C" "$D"; do touch "$CC_WORK/ctl-$n/start"; done
[ "$(pa wait "$A" "$C" | tr '\n' ' ')" = "0 0 " ] && [ "$(pb wait "$B" "$D" | tr '\n' ' ')" = "0 0 " ]
tap_ok $((rc + $?)) "C and D started under the tracer; all four ended with status 0"
sleep 0.3
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer exited 0"
# the user's events, which every check below reads: the host's are many on a busy machine
grep -F "\"uid\":$RUID," "$CC_WORK/t.out" >"$CC_WORK/t.user"

# check NAME WHAT OPENS: the two checks of container NAME (WHAT it is), its workload's OPENS (its events selected by its mount
# namespace and the user's uid, root inside)
check() {
	local n=$1 what=$2 sel=".mntns == ${MNT[$1]} and .uid == $RUID"
	tap_is "$(opens "$sel")" "$3" "$what: the workload's opens in its container, exactly"
	# (a container started under the tracer: runc's init may be written before it is named,
	# counted at exit, as in 85-rootless.t; its workload's every event is named)
	tap_is "$(named "$sel and .comm == \"workload\"")" "podman ${IDS[$n]} $n user false false" \
		"$what: every event of its workload: podman, its id and name, trust user, not the host"
}
check "$A" "A (XDG unset, before)" "$(printf '/data/file ok 3\n/nonexistent-a ENOENT 1')"
check "$B" "B (--runroot, before)" "$(printf '/data/file ok 2\n/nonexistent-b ENOENT 2')"
check "$C" "C (XDG unset, under)" "$(printf '/data/file ok 1\n/nonexistent-c ENOENT 3')"
check "$D" "D (--runroot, under)" "$(printf '/data/file ok 4\n/nonexistent-d ENOENT 1')"
tap_is "$(named ".mntns == ${MNT[$A]} and .uid == $RUID")" "podman ${IDS[$A]} $A user false false" \
	"A, running before the tracer: every event of its mount namespace named"

# podman's own: conmon and runc of the user, in the host's pid namespace and podman's mount
# namespaces, of both modes (podman's `conmon --version`, in the host's namespaces, is the host's)
own="(.comm == \"conmon\" or .comm == \"runc\") and .pidns == $(stat -L -c %i /proc/self/ns/pid) and
	.mntns != $(stat -L -c %i /proc/self/ns/mnt)"
tap_is "$(named "$own")" "podman null null user true false" \
	"conmon's and runc's events (both modes): podman's own, no container, host processes"
tap_check "conmon and runc made events" \
	[ "$(jq -c "select(.type == \"event\" and $own)" "$CC_WORK/t.user" | wc -l)" -gt 10 ]

# a run root others may write: nothing in it is trusted, and doctor says so
E=$(cc_name)
start pb "$E"
EPID=$PID
chmod 770 "$RR"
tap_is "$(resolved "$EPID")" "null null null null" \
	"a --runroot the group may write: resolve names nothing"
tap_is "$(doctor_user)" "0 1" "doctor --json: its container counted unnamed"
chmod 700 "$RR"
tap_is "$(resolved "$EPID")" "podman ${IDS[$E]} $E user" \
	"the --runroot the user's alone again: named"
touch "$CC_WORK/ctl-$E/start"
pb wait "$E" >/dev/null 2>&1
