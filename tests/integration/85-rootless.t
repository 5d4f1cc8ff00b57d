#!/usr/bin/env bash
# Rootless podman on a host without systemd (runc, --cgroup-manager cgroupfs, --network none, as a
# plain user made here): its containers get no cgroup of their own (they stay in the caller's,
# "/"), yet are named through their user namespace and the user's podman state
# (/run/user/UID/containers: conmon.pid, pidfile): container_runtime podman, the id and name,
# "container_trust": "user", not the host, kept by -I; one running before the tracer (named at
# start) and one started under it (runc's init named before the pidfile is written, though a
# loaded naming thread may let its first calls go unnamed, counted). podman's
# own processes (conmon, runc, in the pause process's user and mount namespaces) are marked
# container_runtime podman with no container: host processes, dropped by -I. `copenclose
# resolve PID` names the container's process and conmon the same way. Processes ending in
# podman's namespaces while the naming thread looks them up leave them podman's own. `copenclose doctor` names the
# user as running rootless podman, with its one container running then.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 23 rootfs podman runc runuser useradd

# the user: a free uid, a home and a run directory of its own, all removed at exit
for RUID in $(seq 61000 61999); do
	getent passwd "$RUID" >/dev/null || [ -e "/run/user/$RUID" ] || break
done
RUSER=ccrl$$
RHOME=$CC_WORK/home
XDG=/run/user/$RUID
useradd -M -d "$RHOME" -u "$RUID" -s /bin/sh "$RUSER" 2>/dev/null ||
	tap_bail "cannot add a user for rootless podman"
mkdir -p /run/user && mkdir -m 700 "$RHOME" "$XDG"
chown "$RUID:$RUID" "$RHOME" "$XDG"
rroot=$CC_WORK/rootless-rootfs
cp -a "$CC_ROOTFS" "$rroot"
chown -R "$RUID:$RUID" "$rroot"

rp() {
	(cd / && runuser -u "$RUSER" -- env HOME="$RHOME" XDG_RUNTIME_DIR="$XDG" \
		podman --runtime runc --cgroup-manager cgroupfs --events-backend file "$@")
}
cc_rootless_cleanup() {
	local pause
	rp rm -f -a >/dev/null 2>&1
	pause=$(cat "$XDG/libpod/tmp/pause.pid" 2>/dev/null)
	[ -n "$pause" ] && [ "$(stat -c %u "/proc/$pause" 2>/dev/null)" = "$RUID" ] &&
		kill "$pause" 2>/dev/null
	userdel "$RUSER" 2>/dev/null
	rm -rf "$XDG"
}
cc_defer cc_rootless_cleanup

# start NAME CTL STEP...: a detached rootless container running the workload on a bind of CTL;
# its id in ID
start() {
	local name=$1 ctl=$2
	shift 2
	ID=$(rp run -d --network none --name "$name" -v "$ctl:/ctl" --rootfs "$rroot" \
		/bin/workload "$@" 2>>"$CC_WORK/podman.err")
}

# run TAG TRACER-ARGS...: container A, running before the tracer, and container B, started under
# it (its runc init's first calls before podman wrote its pidfile), once both are let go: A opens
# /data/file 3 times and a missing file twice, B /data/file twice and another missing file once.
run() {
	local tag=$1 ctl actl pid
	shift
	A=$(cc_name) B=$(cc_name)
	ctl=$(cc_ctl_dir "$A")
	start "$A" "$ctl" mark /ctl/ready wait-file /ctl/start open /data/file 3 \
		missing /nonexistent-cc 2 || return 1
	AID=$ID
	cc_wait_for 60 test -d "$ctl/ready" || return 1
	pid=$(rp inspect -f '{{.State.Pid}}' "$A") || return 1
	AMNT=$(stat -L -c %i "/proc/$pid/ns/mnt")
	"$CC_BIN" resolve "$pid" >"$CC_WORK/$tag.resolve" || return 1
	"$CC_BIN" resolve "$(cat "$XDG"/containers/*-containers/"$AID"/userdata/conmon.pid)" \
		>"$CC_WORK/$tag.resolve-conmon" || return 1
	cc_tracer_start "$tag" -o json -e openat,close "$@" || return 1
	actl=$ctl
	ctl=$(cc_ctl_dir "$B")
	start "$B" "$ctl" mark /ctl/ready wait-file /ctl/start open /data/file 2 \
		missing /nonexistent-b 1 || return 1
	BID=$ID
	cc_wait_for 60 test -d "$ctl/ready" || return 1
	pid=$(rp inspect -f '{{.State.Pid}}' "$B") || return 1
	BMNT=$(stat -L -c %i "/proc/$pid/ns/mnt")
	touch "$actl/start" "$ctl/start" # both running: their mount namespaces' inodes differ
	[ "$(rp wait "$A" "$B" | tr '\n' ' ')" = "0 0 " ] || return 1
	sleep 0.3
	cc_tracer_stop INT
	rp rm "$A" "$B" >/dev/null 2>&1
	# the user's events, which every check below reads: the host's are many on a busy machine
	grep -F "\"uid\":$RUID," "$CC_WORK/$tag.out" >"$CC_WORK/$tag.user"
	[ "$CC_TRACER_RC" -eq 0 ]
}

# The containers' events are selected by mount namespace and the user's uid (root inside): a
# namespace's inode number is reused by the next one made once it is gone, by anyone.

# opens TAG FILTER: the workload's openat results of the events FILTER selects, as sorted
# "PATH RESULT COUNT" lines
opens() {
	jq -r "select(.type == \"event\" and .syscall == \"openat\" and .comm == \"workload\" and
		($2)) | \"\(.path) \(if .ret >= 0 then \"ok\" else .errno end)\"" "$CC_WORK/$1.user" |
		sort | uniq -c | awk '{print $2, $3, $1}'
}

# named TAG FILTER: how the events FILTER selects are named
named() {
	jq -r "select(.type == \"event\" and ($2)) |
		\"\(.container_runtime) \(.container_id) \(.container_name) \(.container_trust) \(.host) \(.identity_mismatch)\"" \
		"$CC_WORK/$1.user" | sort -u
}

hostpidns=$(stat -L -c %i /proc/self/ns/pid)
# podman's own: conmon and runc of the user, in the host's pid namespace
own="(.comm == \"conmon\" or .comm == \"runc\") and .uid == $RUID and .pidns == $hostpidns"

for tag in plain ignore; do
	args=()
	[ $tag = ignore ] && args+=(-I)
	run $tag "${args[@]}"
	tap_ok $? "$tag: two rootless podman containers ran under the tracer (status 0)"
	tap_is "$(opens $tag ".mntns == $AMNT and .uid == $RUID")" \
		"$(printf '/data/file ok 3\n/nonexistent-cc ENOENT 2')" \
		"$tag: the workload's opens in the container running before the tracer, exactly"
	tap_is "$(named $tag ".mntns == $AMNT and .uid == $RUID")" "podman $AID $A user false false" \
		"$tag: every event of its mount namespace: podman, its id and name, trust user, not the host"
	tap_is "$(opens $tag ".mntns == $BMNT and .uid == $RUID")" \
		"$(printf '/data/file ok 2\n/nonexistent-b ENOENT 1')" \
		"$tag: the workload's opens in the container started under the tracer, exactly"
	tap_is "$(named $tag ".mntns == $BMNT and .uid == $RUID and .comm == \"workload\"")" \
		"podman $BID $B user false false" \
		"$tag: every event of its workload: podman, id, name, user"
	if [ $tag = plain ]; then
		tap_is "$(named $tag "$own")" "podman null null user true false" \
			"plain: conmon's and runc's events: podman's own, no container, host processes"
		tap_check "plain: conmon and runc made events" \
			[ "$(jq -c "select(.type == \"event\" and $own)" "$CC_WORK/$tag.user" | wc -l)" -gt 10 ]
		# (its first calls may be written before the naming thread answers: counted at exit)
		tap_is "$(named $tag ".comm == \"runc:[2:INIT]\" and .uid == $RUID and
			.container_runtime != null")" "podman $BID $B user false false" \
			"plain: runc's init in the new container, before the workload: named that container's"
	else
		tap_is "$(jq -c "select(.type == \"event\" and .uid == $RUID and .host == true)" \
			"$CC_WORK/$tag.user" | wc -l)" 0 "ignore: no event of the user's is the host's"
		tap_is "$(jq -c "select(.type == \"event\" and $own)" "$CC_WORK/$tag.user" | wc -l)" 0 \
			"ignore: -I drops conmon's and runc's events (podman's own, host processes)"
	fi
	tap_is "$(jq -r '"\(.container_runtime) \(.container_id) \(.container_name) \(.container_trust)"' \
		"$CC_WORK/$tag.resolve")" "podman $AID $A user" \
		"$tag: copenclose resolve PID names the container's process"
	tap_is "$(jq -r '"\(.container_runtime) \(.container_id) \(.container_trust)"' \
		"$CC_WORK/$tag.resolve-conmon")" "podman null user" \
		"$tag: copenclose resolve PID of its conmon: podman's own, no container"
done

# Short-lived processes in podman's namespaces (podman unshare), each left a zombie for a while
# (its parent execs sleep), for 4 seconds under the tracer: the naming thread's lookups of that
# mount namespace, due each second with whichever record's pid comes, meet processes ending; one
# that ended under its lookup says nothing of the namespace, so every event stays podman's own.
pause=$(cat "$XDG/libpod/tmp/pause.pid")
PMNT=$(stat -L -c %i "/proc/$pause/ns/mnt")
cc_tracer_start ending -o json -e openat,close
sleep 1.2
rp unshare sh -c 'i=0; while [ $i -lt 160 ]; do
	sh -c "cat /etc/hostname >/dev/null & exec sleep 0.3" & i=$((i + 1)); sleep 0.025; done; wait'
sleep 0.3
cc_tracer_stop INT
grep -F "\"uid\":$RUID," "$CC_WORK/ending.out" >"$CC_WORK/ending.user"
tap_is "$(jq -c "select(.type == \"event\" and .mntns == $PMNT and .comm == \"cat\" and
	.syscall == \"openat\" and .path == \"/etc/hostname\")" "$CC_WORK/ending.user" | wc -l)" 160 \
	"ending: the 160 short-lived processes in podman's namespaces opened /etc/hostname, exactly"
tap_is "$(named ending ".mntns == $PMNT")" "podman null null user true false" \
	"ending: every event in podman's namespaces, of processes ending under the lookups: podman's own"

# doctor, while one container of the user's runs: the user running rootless podman, its one
# container, named with trust "user"
C=$(cc_name)
ctl=$(cc_ctl_dir "$C")
start "$C" "$ctl" mark /ctl/ready wait-file /ctl/start && cc_wait_for 60 test -d "$ctl/ready"
"$CC_BIN" doctor --json >"$CC_WORK/doctor.json" 2>"$CC_WORK/doctor.err"
"$CC_BIN" doctor >"$CC_WORK/doctor.txt" 2>>"$CC_WORK/doctor.err"
touch "$ctl/start"
rp wait "$C" >/dev/null 2>&1
rp rm "$C" >/dev/null 2>&1
tap_is "$(jq -r --argjson u "$RUID" '.rootless_podman | "\(.looked) \(.container_trust) \(
	[.users[] | select(.uid == $u) | .containers | tostring] | join(","))"' "$CC_WORK/doctor.json")" \
	"true user 1" "doctor --json: rootless podman running for the user, its one container, trust user"
tap_check "doctor: its rootless podman line names the user and its one container" \
	grep -q "uid $RUID (1 container)" "$CC_WORK/doctor.txt"
