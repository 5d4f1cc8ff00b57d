# The integration tests' busybox root file system and the workload in real containers (runc,
# podman, crun, bare unshare, the host) that waits for a start file. Sourced by lib.sh only.
# shellcheck shell=bash disable=SC2034

# --- root file system ------------------------------------------------------------------------

# Builds build/rootfs once: busybox-static, the static helpers as /bin/workload and /bin/flood,
# a known file.
cc_rootfs() {
	if cmp -s "$CC_WORKLOAD" "$CC_ROOTFS/bin/workload" && cmp -s "$CC_FLOOD" "$CC_ROOTFS/bin/flood"
	then
		return 0
	fi
	local bb
	bb=$(command -v busybox) || tap_bail "busybox-static is not installed"
	rm -rf "$CC_ROOTFS.tmp"
	mkdir -p "$CC_ROOTFS.tmp"/{bin,etc,proc,sys,dev,tmp,ctl,run,data}
	cp "$bb" "$CC_ROOTFS.tmp/bin/busybox"
	local a
	for a in sh ls cat sleep mkdir hostname ip true; do
		ln -s busybox "$CC_ROOTFS.tmp/bin/$a"
	done
	cp "$CC_WORKLOAD" "$CC_ROOTFS.tmp/bin/workload"
	cp "$CC_FLOOD" "$CC_ROOTFS.tmp/bin/flood"
	echo "root:x:0:0:root:/:/bin/sh" >"$CC_ROOTFS.tmp/etc/passwd"
	echo "root:x:0:" >"$CC_ROOTFS.tmp/etc/group"
	echo "a file the workload opens" >"$CC_ROOTFS.tmp/data/file"
	chmod 1777 "$CC_ROOTFS.tmp/tmp"
	rm -rf "$CC_ROOTFS"
	mv "$CC_ROOTFS.tmp" "$CC_ROOTFS"
}

# --- workloads in containers -------------------------------------------------------------------

# Every workload first makes CTL/ready (mkdir: no fd), then waits for CTL/start (stat: no fd),
# so the tracer attaches between the two and sees exactly the steps that follow.

# cc_std_steps PORT [SOCKDIR]: the steps of the standard workload (paths inside a busybox root;
# the unix socket in SOCKDIR, default /ctl, which must be writable).
# Where the machine's own system call table has no open(2) (arm64: its programs use openat), the
# workload skips its sysopen step.
CC_HAS_OPEN=1
[ "$(uname -m)" = aarch64 ] && CC_HAS_OPEN=0
cc_std_steps() {
	local sysopen="sysopen /data/file 2 "
	[ "$CC_HAS_OPEN" = 1 ] || sysopen=
	echo "open /data/file 5 ${sysopen}open2 /data/file 2 missing /nonexistent-cc 3"
	echo "closebad 4 tcppair $1 tcppair4 $(($1 + 1)) unix ${2:-/ctl}/cc.sock"
}

# What the standard workload does, as "SYSCALL RESULT COUNT" lines sorted (RESULT: ok or errno).
cc_std_expected() {
	if [ "$CC_HAS_OPEN" = 1 ]; then
		cat <<-EOF
			accept ok 2
			accept4 ok 1
			close EBADF 4
			close ok 18
			connect ok 3
			open ok 2
			openat ENOENT 3
			openat ok 5
			openat2 ok 2
		EOF
	else
		cat <<-EOF
			accept ok 2
			accept4 ok 1
			close EBADF 4
			close ok 16
			connect ok 3
			openat ENOENT 3
			openat ok 5
			openat2 ok 2
		EOF
	fi
}

cc_ctl_dir() {
	local d="$CC_WORK/ctl-$1"
	mkdir -p "$d"
	chmod 777 "$d"
	echo "$d"
}

# Waits until the workload of NAME made its ready mark, and records its cgroup id.
cc_container_ready() {
	local name=$1
	if ! cc_wait_for 60 cc_ready_or_dead "$name" || ! test -d "${CC_CTL[$name]}/ready"; then
		tap_diag "container $name did not get ready; its output:"
		tap_diag "$(cat "$CC_WORK/$name.out" "$CC_WORK/$name.err" 2>/dev/null)"
		return 1
	fi
	if [ -n "${CC_CGPATH[$name]:-}" ] && [ -d "$CC_V2${CC_CGPATH[$name]}" ]; then
		CC_CGID[$name]=$(stat -c %i "$CC_V2${CC_CGPATH[$name]}")
		CC_CPID[$name]=$(head -n1 "$CC_V2${CC_CGPATH[$name]}/cgroup.procs")
	else
		CC_CPID[$name]=$(pgrep -P "${CC_PID[$name]}" | head -n1)
		[ -n "${CC_CPID[$name]}" ] || CC_CPID[$name]=${CC_PID[$name]}
	fi
	CC_PIDNS[$name]=$(stat -L -c %i "/proc/${CC_CPID[$name]}/ns/pid" 2>/dev/null)
	CC_MNTNS[$name]=$(stat -L -c %i "/proc/${CC_CPID[$name]}/ns/mnt" 2>/dev/null)
	return 0
}

cc_ready_or_dead() {
	test -d "${CC_CTL[$1]}/ready" || ! kill -0 "${CC_PID[$1]}" 2>/dev/null
}

# cc_runc_bundle [--raw] [--crun] [--cgroup PATH] NAME CTL STEP...: a runc bundle for NAME under
# the work directory (hybrid host, host network, CTL bound on /ctl), whose process is the workload
# that marks /ctl/ready, waits for /ctl/start, then runs the STEPs (`exec PROG ARGS...` runs
# another program). --raw: the process is STEP... itself, started at once. --cgroup: the
# cgroupsPath, default /NAME; "" leaves it to runc (/<container id>, one bundle for many
# containers). --crun: no linux.resources, which crun cannot apply in the emulated unified mode.
cc_runc_bundle() {
	local raw='' cgroup='' crun=false
	while :; do
		case $1 in
		--raw) raw=1 && shift ;;
		--crun) crun=true && shift ;;
		--cgroup) cgroup=${2:-none} && shift 2 ;;
		*) break ;;
		esac
	done
	local name=$1 ctl=$2 bundle="$CC_WORK/bundle-$1"
	shift 2
	[ -n "$raw" ] || set -- /bin/workload mark /ctl/ready wait-file /ctl/start "$@"
	mkdir -p "$bundle"
	runc spec --bundle "$bundle" || return 1
	local args
	# one jq -Rs a word: an argument may hold newlines, and jq would read a -c among --args
	args=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -cs .)
	jq --arg name "$name" --arg root "$CC_ROOTFS" --arg ctl "$ctl" --argjson args "$args" \
		--arg cgroup "${cgroup:-/$name}" --argjson crun "$crun" '
		.process.terminal = false | .process.args = $args | .hostname = $name |
		.root = {path: $root, readonly: true} | .linux.cgroupsPath = $cgroup |
		if $cgroup == "none" then del(.linux.cgroupsPath) else . end |
		if $crun then del(.linux.resources) else . end |
		.linux.namespaces |= map(select(.type != "network")) |
		.mounts += [{destination: "/ctl", type: "bind", source: $ctl,
			options: ["rbind", "rw"]}]' "$bundle/config.json" >"$bundle/config.json.new" &&
		mv "$bundle/config.json.new" "$bundle/config.json"
	echo "$bundle"
}

# cc_runc_start [--cgroup PATH] NAME STEP...: a runc container running the workload (cgroup
# /NAME unless PATH is given); returns once it is ready.
cc_runc_start() {
	local cgroup=
	[ "$1" = --cgroup ] && cgroup=$2 && shift 2
	local name=$1 ctl bundle
	shift
	cc_rootfs
	ctl=$(cc_ctl_dir "$name")
	bundle=$(cc_runc_bundle --cgroup "${cgroup:-/$name}" "$name" "$ctl" "$@") || return 1
	CC_KIND[$name]=runc CC_CTL[$name]=$ctl CC_CGPATH[$name]=${cgroup:-/$name}
	runc run --bundle "$bundle" "$name" </dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	cc_container_ready "$name"
}

# cc_podman_start NAME STEP...: a podman container (runc runtime, cgroupfs) on a copy of the root.
cc_podman_start() {
	local name=$1 ctl root id
	shift
	cc_rootfs
	ctl=$(cc_ctl_dir "$name")
	root="$CC_WORK/rootfs-$name"
	cp -a "$CC_ROOTFS" "$root"
	CC_KIND[$name]=podman CC_CTL[$name]=$ctl
	# --rootfs is a switch: the root is the first positional argument, after every option.
	podman --runtime runc run --name "$name" --hostname "$name" --network host \
		--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 -v "$ctl:/ctl" --rootfs "$root" \
		/bin/workload mark /ctl/ready wait-file /ctl/start "$@" \
		</dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	if ! cc_wait_for 60 cc_ready_or_dead "$name" || ! test -d "$ctl/ready"; then
		cc_container_ready "$name"
		return 1
	fi
	id=$(podman inspect -f '{{.Id}}' "$name") || return 1
	CC_CGPATH[$name]=$(awk -F: '$1 == "0" { print $3 }' "/proc/$(podman inspect -f \
		'{{.State.Pid}}' "$name")/cgroup")
	CC_ID[$name]=$id
	cc_container_ready "$name"
}

# The crun side runs in a private mount namespace with cgroup2 on /sys/fs/cgroup (unified),
# mounted there unless the host is unified already.
cc_crun_ns() {
	# shellcheck disable=SC2016
	unshare -m sh -c '[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit; exec "$@"' sh "$@"
}

# cc_crun_start NAME STEP...: a crun container in an emulated unified host; cgroup /NAME.
cc_crun_start() {
	local name=$1 ctl bundle
	shift
	cc_rootfs
	ctl=$(cc_ctl_dir "$name")
	bundle=$(cc_runc_bundle --crun "$name" "$ctl" "$@") || return 1
	CC_KIND[$name]=crun CC_CTL[$name]=$ctl CC_CGPATH[$name]=/$name
	cc_crun_ns crun run --bundle "$bundle" "$name" </dev/null >"$CC_WORK/$name.out" \
		2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	cc_container_ready "$name"
}

# cc_unshare_start NAME STEP...: bare namespaces, no runtime: new UTS (hostname NAME), pid, mount.
cc_unshare_start() {
	cc_direct_start unshare "$1" unshare --uts --pid --fork --mount-proc "$CC_WORKLOAD" \
		hostname "$1" -- "${@:2}"
}

# cc_host_start NAME STEP...: the workload on the host itself (host namespaces and cgroup).
cc_host_start() { cc_direct_start host "$1" "$CC_WORKLOAD" -- "${@:2}"; }

# cc_direct_start KIND NAME COMMAND... -- STEP...: COMMAND (the workload, or a wrapper running
# it, with its first steps) then the ready and start steps, then STEP...
cc_direct_start() {
	local kind=$1 name=$2 ctl cmd=()
	shift 2
	while [ "$1" != -- ]; do cmd+=("$1") && shift; done
	shift
	ctl=$(cc_ctl_dir "$name")
	CC_KIND[$name]=$kind CC_CTL[$name]=$ctl
	"${cmd[@]}" mark "$ctl/ready" wait-file "$ctl/start" "$@" \
		</dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	cc_container_ready "$name"
}

# Lets the workload of NAME go on past its start file.
cc_container_go() { touch "${CC_CTL[$1]}/start"; }

# cc_container_wait NAME [SECONDS]: waits for the workload's end; returns its exit status.
cc_container_wait() {
	local name=$1 pid=${CC_PID[$1]} rc
	if ! cc_wait_for "${2:-30}" cc_not_running "$pid"; then
		tap_diag "container $name still running after ${2:-30} s"
		return 124
	fi
	wait "$pid"
	rc=$?
	[ "$rc" -ne 0 ] && tap_diag "container $name exited $rc:" \
		"$(cat "$CC_WORK/$name.out" "$CC_WORK/$name.err" 2>/dev/null)"
	cc_container_kill "$name"
	return "$rc"
}

cc_not_running() { ! kill -0 "$1" 2>/dev/null; }

# Removes what is left of a container; quiet and idempotent.
cc_container_kill() {
	local name=$1 pid=${CC_PID[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && touch "${CC_CTL[$name]}/start"
	case "${CC_KIND[$name]:-}" in
	runc) runc delete --force "$name" >/dev/null 2>&1 ;;
	podman) podman rm --force --time 0 "$name" >/dev/null 2>&1 ;;
	crun) cc_crun_ns crun delete --force "$name" >/dev/null 2>&1 ;;
	*) declare -F "cc_${CC_KIND[$name]:-none}_kill" >/dev/null &&
		"cc_${CC_KIND[$name]}_kill" "$name" ;;
	esac
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		pkill -KILL -P "$pid" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
	fi
	unset "CC_KIND[$name]"
}
