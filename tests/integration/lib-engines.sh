# The integration tests' engines: a private dockerd or containerd (or the host's), their
# containers, and what they leave behind. Sourced by lib.sh only.
# shellcheck shell=bash disable=SC2034

# --- engines: dockerd and containerd (owned by the engine tests) ---------------------------------
# A test that needs Docker or containerd uses the daemon the host runs, or starts a private one
# (its own root, state and socket under /run/cc-test-*), which the trap stops. Where a private
# daemon keeps its state is told to the tracer by CC_ENGINE_ARGS (--state-dir ENGINE=DIR).

CC_DOCKER_BIN=/usr/bin/docker # Debian's docker.io client, the one that matches its dockerd
[ -x "$CC_DOCKER_BIN" ] || CC_DOCKER_BIN=$(command -v docker || echo docker)
CC_DOCKER_IMAGE=cc-busybox:test
CC_DOCKER_SOCK='' CC_DOCKER_DIR='' CC_DOCKER_PID='' CC_DOCKER_SECS='' CC_DOCKER_IMPORTED=''
CC_CTRD_SOCK='' CC_CTRD_DIR='' CC_CTRD_PID='' CC_CTRD_SECS='' CC_CTRD_STATE=''
CC_ENGINE_ARGS=()
CC_ENGINE_CGROUPS=() # cgroups (relative) that did not exist before: removed at the end if empty
CC_ENGINE_RUNDIRS=() # directories of the engines' defaults that did not exist before
CC_ENGINE_TIDY=      # set once cc_engine_tidy is deferred
declare -A CC_NS=() CC_CTR_SOCK=() # containerd namespace and socket, per container name

cc_docker() { "$CC_DOCKER_BIN" -H "unix://$CC_DOCKER_SOCK" "$@"; }
cc_ctr() { ctr --address "$CC_CTRD_SOCK" "$@"; }

# cc_engine_cgroup REL...: cgroups a daemon or a container will create below the hierarchies'
# roots (e.g. /docker); those that do not exist yet are removed (when empty) by the trap.
cc_engine_cgroup() {
	local rel
	[ -n "$CC_ENGINE_TIDY" ] || cc_defer cc_engine_tidy
	CC_ENGINE_TIDY=1
	for rel in "$@"; do
		[ -e "$CC_V2$rel" ] || CC_ENGINE_CGROUPS+=("$rel")
	done
}

# cc_engine_rundir DIR...: directories an engine makes outside its private root (a containerd
# shim's socket directory /run/containerd/s is fixed), removed by the trap when empty.
cc_engine_rundir() {
	local d
	for d in "$@"; do
		[ -e "$d" ] || CC_ENGINE_RUNDIRS+=("$d")
	done
}

# Removes, deepest first, the empty cgroups and directories recorded above (each daemon's stop
# calls it: idempotent).
cc_engine_tidy() {
	local i rel h d
	for ((i = ${#CC_ENGINE_CGROUPS[@]} - 1; i >= 0; i--)); do
		rel=${CC_ENGINE_CGROUPS[$i]}
		for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
			[ -d "$h$rel" ] && find "$h$rel" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	done
	for ((i = ${#CC_ENGINE_RUNDIRS[@]} - 1; i >= 0; i--)); do
		d=${CC_ENGINE_RUNDIRS[$i]}
		[ -d "$d" ] && find "$d" -depth -type d -empty -delete 2>/dev/null
	done
}

# cc_engine_stop PID SECONDS: TERM, then KILL after SECONDS; waits for the end.
cc_engine_stop() {
	kill -TERM "$1" 2>/dev/null
	cc_wait_for "$2" cc_not_running "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# Unmounts whatever is still mounted below DIR (deepest first) and removes DIR.
cc_engine_rmdir() {
	local m
	[ -n "$1" ] && [ -d "$1" ] || return 0
	awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$1"
}

cc_elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# cc_docker_daemon: a dockerd to talk to (CC_DOCKER_SOCK), the host's or a private one;
# CC_DOCKER_SECS is how long a private one took to answer. 1 when it does not come up.
cc_docker_daemon() {
	local t0
	[ -n "$CC_DOCKER_SOCK" ] && return 0
	if [ -S /run/docker.sock ] && "$CC_DOCKER_BIN" -H unix:///run/docker.sock version \
		>/dev/null 2>&1; then
		CC_DOCKER_SOCK=/run/docker.sock
		cc_defer cc_docker_daemon_stop
		return 0
	fi
	command -v dockerd >/dev/null || tap_bail "dockerd is missing: run scripts/deps.sh test"
	CC_DOCKER_DIR=/run/cc-test-docker-$$
	CC_DOCKER_SOCK=$CC_DOCKER_DIR/docker.sock
	mkdir -p "$CC_DOCKER_DIR"
	cc_engine_cgroup /docker
	# dockerd makes /run/docker/plugins whatever its exec root; its containerd's shims make
	# /run/containerd/s
	cc_engine_rundir /run/docker /run/docker/plugins /run/containerd /run/containerd/s
	cc_defer cc_docker_daemon_stop
	t0=$(date +%s.%N)
	dockerd --iptables=false --ip6tables=false --bridge=none --data-root "$CC_DOCKER_DIR/data" \
		--exec-root "$CC_DOCKER_DIR/exec" --pidfile "$CC_DOCKER_DIR/dockerd.pid" \
		-H "unix://$CC_DOCKER_SOCK" </dev/null >"$CC_DOCKER_DIR/dockerd.log" 2>&1 &
	CC_DOCKER_PID=$!
	cc_wait_for 60 cc_docker_up
	if ! cc_docker version >/dev/null 2>&1; then
		tap_diag "dockerd did not answer within 60 s:" "$(tail -n 20 "$CC_DOCKER_DIR/dockerd.log")"
		return 1
	fi
	CC_DOCKER_SECS=$(cc_elapsed "$t0")
	CC_ENGINE_ARGS+=(--state-dir "docker=$CC_DOCKER_DIR/data"
		--state-dir "containerd=$CC_DOCKER_DIR/exec/containerd/daemon"
		--state-dir "runc=$CC_DOCKER_DIR/exec/runtime-runc/moby")
}

cc_docker_up() { cc_docker version >/dev/null 2>&1 || cc_not_running "$CC_DOCKER_PID"; }

# The trap's: every container of this test, the image it imported, a private daemon and its
# containerd, their mounts, state and cgroups.
cc_docker_daemon_stop() {
	local ids
	[ -n "$CC_DOCKER_SOCK" ] || return 0
	ids=$(cc_docker ps -aq --filter "label=cc-test=$$" 2>/dev/null)
	# shellcheck disable=SC2086
	[ -n "$ids" ] && cc_docker rm -f $ids >/dev/null 2>&1
	[ -n "$CC_DOCKER_IMPORTED" ] && [ -z "$CC_DOCKER_PID" ] &&
		cc_docker rmi "$CC_DOCKER_IMAGE" >/dev/null 2>&1
	if [ -n "$CC_DOCKER_PID" ]; then
		cc_engine_stop "$CC_DOCKER_PID" 30
		local cpid
		cpid=$(cat "$CC_DOCKER_DIR/exec/containerd/containerd.pid" 2>/dev/null)
		[ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null && cc_engine_stop "$cpid" 10
		cc_engine_rmdir "$CC_DOCKER_DIR"
	fi
	cc_engine_tidy
	CC_DOCKER_SOCK='' CC_DOCKER_PID=''
}

# cc_docker_image: the busybox root (cc_rootfs) as the image CC_DOCKER_IMAGE, by docker import.
cc_docker_image() {
	cc_rootfs
	tar -C "$CC_ROOTFS" -c . | cc_docker import - "$CC_DOCKER_IMAGE" >/dev/null || return 1
	CC_DOCKER_IMPORTED=1
}

# cc_docker_start NAME [DOCKER-RUN-OPTION...] -- STEP...: a docker container of the image running
# the workload (hostname NAME unless --uts=host); returns once it is ready.
cc_docker_start() {
	local name=$1 ctl opts=() pid
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	case " ${opts[*]} " in *" --uts=host "*) ;; *) opts+=(--hostname "$name") ;; esac
	ctl=$(cc_ctl_dir "$name")
	CC_KIND[$name]=docker CC_CTL[$name]=$ctl
	cc_docker run --name "$name" --label "cc-test=$$" -v "$ctl:/ctl" "${opts[@]}" \
		"$CC_DOCKER_IMAGE" /bin/workload mark /ctl/ready wait-file /ctl/start "$@" \
		</dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	if ! cc_wait_for 60 cc_ready_or_dead "$name" || ! test -d "$ctl/ready"; then
		cc_container_ready "$name"
		return 1
	fi
	CC_ID[$name]=$(cc_docker inspect -f '{{.Id}}' "$name") || return 1
	pid=$(cc_docker inspect -f '{{.State.Pid}}' "$name") || return 1
	CC_CGPATH[$name]=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	cc_container_ready "$name"
}

cc_docker_kill() { cc_docker rm -f "$1" >/dev/null 2>&1; }

# cc_containerd_daemon: a containerd to talk to (CC_CTRD_SOCK, state CC_CTRD_STATE), the host's
# or a private one; CC_CTRD_SECS is how long a private one took to answer.
cc_containerd_daemon() {
	local t0
	[ -n "$CC_CTRD_SOCK" ] && return 0
	if [ -S /run/containerd/containerd.sock ] &&
		ctr --address /run/containerd/containerd.sock version >/dev/null 2>&1; then
		CC_CTRD_SOCK=/run/containerd/containerd.sock CC_CTRD_STATE=/run/containerd
		return 0
	fi
	command -v containerd >/dev/null || tap_bail "containerd is missing: run scripts/deps.sh test"
	CC_CTRD_DIR=/run/cc-test-containerd-$$
	CC_CTRD_SOCK=$CC_CTRD_DIR/containerd.sock CC_CTRD_STATE=$CC_CTRD_DIR/state
	mkdir -p "$CC_CTRD_DIR"
	cc_engine_rundir /run/containerd /run/containerd/s
	cc_defer cc_containerd_daemon_stop
	cat >"$CC_CTRD_DIR/config.toml" <<-CONF
		version = 2
		root = "$CC_CTRD_DIR/root"
		state = "$CC_CTRD_STATE"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CC_CTRD_SOCK"
		[ttrpc]
		  address = "$CC_CTRD_SOCK.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
	CONF
	t0=$(date +%s.%N)
	containerd --config "$CC_CTRD_DIR/config.toml" </dev/null >"$CC_CTRD_DIR/containerd.log" 2>&1 &
	CC_CTRD_PID=$!
	cc_wait_for 60 cc_containerd_up
	if ! cc_ctr version >/dev/null 2>&1; then
		tap_diag "containerd did not answer within 60 s:" \
			"$(tail -n 20 "$CC_CTRD_DIR/containerd.log")"
		return 1
	fi
	CC_CTRD_SECS=$(cc_elapsed "$t0")
	CC_ENGINE_ARGS+=(--state-dir "containerd=$CC_CTRD_STATE")
}

cc_containerd_up() { cc_ctr version >/dev/null 2>&1 || cc_not_running "$CC_CTRD_PID"; }

cc_containerd_daemon_stop() {
	[ -n "$CC_CTRD_PID" ] || return 0
	cc_engine_stop "$CC_CTRD_PID" 20
	cc_engine_rmdir "$CC_CTRD_DIR"
	cc_engine_tidy
	CC_CTRD_SOCK='' CC_CTRD_PID=''
}

# cc_ctr_start NAME NAMESPACE ID [CTR-RUN-OPTION...] -- STEP...: `ctr run --rm --rootfs` of a
# copy of the busybox root (host network, /ctl bound), task ID in NAMESPACE; returns once ready.
# The cgroup is containerd's default (/NAMESPACE/ID) unless an option says --cgroup. The daemon
# is CC_CTR_ADDRESS when set (e.g. dockerd's containerd), else cc_containerd_daemon's.
cc_ctr_start() {
	local name=$1 ns=$2 id=$3 ctl root opts=() pid
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	cc_rootfs
	ctl=$(cc_ctl_dir "$name")
	root=$CC_WORK/rootfs-$name
	cp -a "$CC_ROOTFS" "$root"
	CC_KIND[$name]=ctr CC_CTL[$name]=$ctl CC_NS[$name]=$ns CC_ID[$name]=$id
	CC_CTR_SOCK[$name]=${CC_CTR_ADDRESS:-$CC_CTRD_SOCK}
	case " ${opts[*]} " in *" --cgroup "*) ;; *) cc_engine_cgroup "/$ns" ;; esac
	ctr --address "${CC_CTR_SOCK[$name]}" -n "$ns" run --rm --net-host --env PATH=/bin \
		--mount "type=bind,src=$ctl,dst=/ctl,options=rbind:rw" "${opts[@]}" --rootfs "$root" \
		"$id" /bin/workload mark /ctl/ready wait-file /ctl/start "$@" \
		</dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	if ! cc_wait_for 60 cc_ready_or_dead "$name" || ! test -d "$ctl/ready"; then
		cc_container_ready "$name"
		return 1
	fi
	pid=$(ctr --address "${CC_CTR_SOCK[$name]}" -n "$ns" task ls | awk -v id="$id" '$1 == id { print $2 }')
	CC_CGPATH[$name]=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	cc_container_ready "$name"
}

cc_ctr_kill() {
	local ns=${CC_NS[$1]} id=${CC_ID[$1]} a=${CC_CTR_SOCK[$1]}
	ctr --address "$a" -n "$ns" task kill -s SIGKILL "$id" >/dev/null 2>&1
	ctr --address "$a" -n "$ns" task delete -f "$id" >/dev/null 2>&1
	ctr --address "$a" -n "$ns" container delete "$id" >/dev/null 2>&1
}

# The socket of the containerd that dockerd started (cc_docker_daemon first).
cc_docker_containerd_sock() {
	if [ -n "$CC_DOCKER_DIR" ]; then
		echo "$CC_DOCKER_DIR/exec/containerd/containerd.sock"
	else
		echo /run/docker/containerd/containerd.sock
	fi
}

# A 64-hex id, as the CRI plugin makes them.
cc_hex_id() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }

# --- gVisor: runsc -------------------------------------------------------------------------------
declare -A CC_RUNSC_ROOT=() # runsc's state root, per container name
CC_RUNSC_SB='' CC_RUNSC_GOFER='' CC_RUNSC_SBMNT=''

# cc_runsc_run ROOT NAME [RUNSC-FLAG...] -- STEP...: a runsc container NAME (its state under ROOT,
# --network=none --platform=ptrace, the global RUNSC-FLAGs such as --pod-init-config FILE) from a
# runc bundle (cgroupsPath /NAME) running the workload (cc_runc_bundle), in the background; ready
# when the workload marked /ctl/ready. Sets, from runsc's state, CC_RUNSC_SB (the sandbox's pid),
# CC_RUNSC_GOFER (the gofer's) and CC_RUNSC_SBMNT (the mount namespace of the sandbox's host
# processes). The trap deletes it.
cc_runsc_run() {
	local root=$1 name=$2 ctl bundle st flags=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	[ "${1:-}" = -- ] || return 1
	shift
	ctl=$(cc_ctl_dir "$name")
	bundle=$(cc_runc_bundle --cgroup "/$name" "$name" "$ctl" "$@") || return 1
	CC_KIND[$name]=runsc CC_CTL[$name]=$ctl CC_RUNSC_ROOT[$name]=$root
	runsc --root "$root" "${flags[@]}" --network=none --platform=ptrace run --bundle "$bundle" \
		"$name" </dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	cc_container_ready "$name" || return 1
	st=$root/${name}_sandbox:$name.state
	CC_RUNSC_SB=$(jq -r .sandbox.pid "$st") CC_RUNSC_GOFER=$(jq -r .goferPid "$st")
	CC_RUNSC_SBMNT=$(stat -L -c %i "/proc/$CC_RUNSC_SB/ns/mnt")
}

cc_runsc_kill() { runsc --root "${CC_RUNSC_ROOT[$1]}" delete --force "$1" >/dev/null 2>&1; }
