# The one library of the integration tests: TAP output, a busybox root file system, real
# containers (runc, podman, crun, bare unshare) that wait for a start file, the tracer's start and
# stop, and what it left loaded. Sourced by tests/integration/NN-name.t, run as root.
# shellcheck shell=bash disable=SC2034

CC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CC_BIN=${CC_BIN:-$CC_ROOT/build/copenclose}
CC_WORKLOAD=$CC_ROOT/build/helpers/workload
CC_FLOOD=$CC_ROOT/build/helpers/flood
CC_ROOTFS=$CC_ROOT/build/rootfs
CC_V2=/sys/fs/cgroup/unified
[ -d "$CC_V2" ] || CC_V2=/sys/fs/cgroup
# Where this process sees the cgroup v2 hierarchy mounted; empty on a legacy host.
cc_v2_mount() { awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo; }
CC_TEST_N=0
CC_WORK=
# Per container name, read by the tests that source this file.
# shellcheck disable=SC2034
declare -A CC_ID=() CC_PIDNS=() CC_MNTNS=() CC_CPID=() CC_CTL=() CC_PID=() CC_KIND=() CC_CGID=() \
	CC_CGPATH=()
CC_TRACERS=() CC_DEFERRED=()
# The host rule's invariant, checked on every JSON line of every tracer a test starts: the host
# key (user space's verdict) equals the kernel's own verdict (kernel_host, written when this is
# set; null where the kernel could not judge), and a tracer with -I writes no host event.
export COPENCLOSE_TEST_KERNEL_HOST=1
declare -A CC_TRACER_TAG=() CC_TRACER_IGN=()

# --- TAP -------------------------------------------------------------------------------------

tap_plan() { echo "1..$1"; }
tap_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# tap_ok STATUS DESCRIPTION: STATUS 0 is a pass.
tap_ok() {
	CC_TEST_N=$((CC_TEST_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $CC_TEST_N - $2"
	else
		echo "not ok $CC_TEST_N - $2"
	fi
	return "$1"
}

# tap_is GOT WANT DESCRIPTION: compares two strings, shows both on failure.
tap_is() {
	if [ "$1" == "$2" ]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		tap_diag "got:" "$1" "wanted:" "$2"
		return 1
	fi
}

# tap_check DESCRIPTION COMMAND...: ok when COMMAND succeeds. One condition per check: in
# `tap_check D [ a ] && [ b ]` the shell gives tap_check only `[ a ]` (scripts/lint-tests.sh
# refuses it); write two checks, or one COMMAND such as `sh -c '...'`.
tap_check() {
	local d=$1
	shift
	"$@"
	tap_ok $? "$d"
}

# tap_refuses DESCRIPTION STATUS PATTERN COMMAND...: COMMAND exits with STATUS, one line on
# stderr, matching the extended regular expression PATTERN: three checks.
tap_refuses() {
	local d=$1 want=$2 pat=$3 rc err
	shift 3
	err=$("$@" 2>&1 >/dev/null </dev/null)
	rc=$?
	tap_is "$rc" "$want" "$d: status $want"
	tap_is "$(printf '%s\n' "$err" | wc -l)" 1 "$d: one line on stderr ($err)"
	tap_check "$d: it says /$pat/" grep -qE -- "$pat" <<<"$err"
}

tap_skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

tap_bail() {
	echo "Bail out! $1"
	exit 1
}

# The only reasons to skip: BPF cannot load here. A missing tracer binary is a failure.
cc_require_bpf() {
	[ "$(id -u)" -eq 0 ] || tap_skip_all "not root: BPF programs cannot load"
	[ -r /sys/kernel/btf/vmlinux ] || tap_skip_all "no /sys/kernel/btf/vmlinux: the kernel has no BTF"
	[ -x "$CC_BIN" ] || tap_bail "$CC_BIN is missing: run make"
	[ -x "$CC_WORKLOAD" ] || tap_bail "$CC_WORKLOAD is missing: run make helpers"
	[ -x "$CC_FLOOD" ] || tap_bail "$CC_FLOOD is missing: run make helpers"
}

# cc_begin PLAN [NEED...]: how a test starts. Skips it where BPF cannot load or a NEED is missing
# (a command such as runc; cgroup2: a cgroup v2 hierarchy mounted), makes the work directory
# (cc_setup), builds the root file system when a NEED is rootfs, and prints the plan.
cc_begin() {
	local plan=$1 need rootfs=''
	shift
	cc_require_bpf
	for need in "$@"; do
		case $need in
		cgroup2) [ -n "$(cc_v2_mount)" ] || tap_skip_all "no cgroup v2 hierarchy mounted" ;;
		rootfs) rootfs=1 ;;
		*) command -v "$need" >/dev/null || tap_skip_all "$need is not installed" ;;
		esac
	done
	cc_setup
	[ -z "$rootfs" ] || cc_rootfs
	tap_plan "$plan"
}

# --- work directory and cleanup -------------------------------------------------------------

cc_setup() {
	CC_WORK=$(mktemp -d "${TMPDIR:-/tmp}/cc-test-$$-XXXXXX")
	chmod 755 "$CC_WORK"
	trap cc_cleanup EXIT
	trap 'exit 130' INT TERM
}

# cc_defer COMMAND: a shell command to run at exit, after the tracers and containers are gone
# (the last deferred runs first), for what a test made itself: cgroups, daemons, mounts.
cc_defer() { CC_DEFERRED+=("$1"); }

cc_cleanup() {
	local pid name i bad=
	for pid in "${CC_TRACERS[@]}"; do
		kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
		cc_host_rule_check "$pid"
	done
	for name in "${!CC_KIND[@]}"; do
		cc_container_kill "$name"
	done
	for ((i = ${#CC_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${CC_DEFERRED[i]}"
	done
	if [ -n "$CC_WORK" ] && [ -s "$CC_WORK/host-rule.bad" ]; then
		tap_diag "the host rule's invariant failed (host key against the kernel's verdict and -I):" \
			"$(head -n 20 "$CC_WORK/host-rule.bad")"
		bad=1
	fi
	[ -n "$CC_WORK" ] && [ -z "${CC_KEEP:-}" ] && rm -rf "$CC_WORK"
	[ -z "$bad" ] || exit 1 # the test fails (an exit trap that does not exit keeps the status)
}

# cc_host_rule_check PID: the host rule's invariant on the JSON lines the tracer PID wrote (once
# per tracer); what breaks it goes to $CC_WORK/host-rule.bad, which fails the test at exit.
cc_host_rule_check() {
	local tag=${CC_TRACER_TAG[$1]:-} ign=${CC_TRACER_IGN[$1]:-}
	[ -n "$tag" ] && [ -f "$CC_WORK/$tag.out" ] || return 0
	unset "CC_TRACER_TAG[$1]"
	jq -Rrc --arg tag "$tag" --arg ign "$ign" 'fromjson? | objects | select(has("kernel_host")) |
		select((.kernel_host != null and .kernel_host != .host) or
			($ign == "1" and .host == true)) |
		"\($tag): host \(.host) kernel_host \(.kernel_host) -I \($ign == "1"): \(.)"' \
		"$CC_WORK/$tag.out" >>"$CC_WORK/host-rule.bad" 2>/dev/null
}

# The next number of this run; kept in a file, as callers use $(...) subshells.
cc_seq() {
	local n
	n=$(($(cat "$CC_WORK/seq" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$CC_WORK/seq"
	echo "$n"
}

# A unique container name for this run, short enough for the table: cct-PID-N.
cc_name() { echo "cct-$$-$(cc_seq)"; }

# A loopback TCP port pair (PORT, PORT+1) free now, below the ephemeral range (10000-29999), a
# different one for each call in this run.
cc_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((10000 + ($$ * 16 + $(cc_seq) * 2) % 20000))
		[ -z "$(ss -Htan "( sport = :$p or sport = :$((p + 1)) )" 2>/dev/null)" ] && break
	done
	echo "$p"
}

# cc_wait_for SECONDS COMMAND...: polls COMMAND every 50 ms until it succeeds.
cc_wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

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

# --- the tracer ----------------------------------------------------------------------------

# cc_tracer_start TAG ARGS...: runs the tracer in the background, stdout to $CC_WORK/TAG.out and
# stderr to TAG.err; returns once it printed its Tracing line (0), or 1 after 20 s or its death.
cc_tracer_start() { cc_tracer_spawn "$1" "$CC_BIN" "${@:2}"; }

# cc_tracer_spawn TAG COMMAND...: the same for a COMMAND that runs the tracer (in another mount
# namespace, with another stdout, ...). Sets CC_TRACER_PID and records the BPF objects the tracer
# holds once attached, for cc_leftover_ids.
cc_tracer_spawn() {
	local tag=$1
	shift
	: >"$CC_WORK/$tag.err"
	"$@" >"$CC_WORK/$tag.out" 2>>"$CC_WORK/$tag.err" </dev/null &
	CC_TRACER_PID=$!
	CC_TRACERS+=("$CC_TRACER_PID")
	CC_TRACER_TAG[$CC_TRACER_PID]=$tag
	CC_TRACER_IGN[$CC_TRACER_PID]=
	case " $* " in *" -I "* | *" --ignore-host-ns "*) CC_TRACER_IGN[$CC_TRACER_PID]=1 ;; esac
	cc_wait_for "${CC_ATTACH_WAIT:-20}" cc_tracer_attached "$tag" "$CC_TRACER_PID"
	if ! grep -q '^Tracing' "$CC_WORK/$tag.err"; then
		tap_diag "tracer $* did not print Tracing; stderr:" "$(cat "$CC_WORK/$tag.err")"
		return 1
	fi
	cc_held_ids "$CC_TRACER_PID" >>"$CC_WORK/held-ids"
}

cc_tracer_attached() {
	grep -q '^Tracing' "$CC_WORK/$1.err" || ! kill -0 "$2" 2>/dev/null
}

# cc_tracer_stop [SIGNAL [SECONDS]]: signals the last tracer started and waits for its exit.
# Sets CC_TRACER_RC (124 when it had to be killed) and CC_TRACER_SECS (how long it took).
cc_tracer_stop() {
	local sig=${1:-INT} limit=${2:-10} t0 t1
	t0=$(date +%s.%N)
	kill -"$sig" "$CC_TRACER_PID" 2>/dev/null
	if cc_wait_for "$limit" cc_not_running "$CC_TRACER_PID"; then
		wait "$CC_TRACER_PID"
		CC_TRACER_RC=$?
	else
		kill -KILL "$CC_TRACER_PID" 2>/dev/null
		wait "$CC_TRACER_PID"
		CC_TRACER_RC=124
	fi
	t1=$(date +%s.%N)
	cc_host_rule_check "$CC_TRACER_PID"
	CC_TRACER_SECS=$(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN{print $t1 - $t0}")
}

# cc_tracers_stop [SIGNAL]: stops every tracer this test started that still runs, in the order
# they started (CC_TRACER_RC is the last one's).
cc_tracers_stop() {
	local pid
	for pid in "${CC_TRACERS[@]}"; do
		kill -0 "$pid" 2>/dev/null || continue
		CC_TRACER_PID=$pid
		cc_tracer_stop "${1:-INT}"
	done
}

# Runs the workload of NAME under a tracer already attached, then stops the tracer.
cc_run_traced() {
	local name=$1 rc
	cc_container_go "$name"
	cc_container_wait "$name"
	rc=$?
	sleep 0.3 # let the last events through the ring buffer
	cc_tracer_stop INT
	return "$rc"
}

# --- reading the tracer's output -------------------------------------------------------------

# cc_table_summary FILE KEYCOLUMN KEYVALUE: the rows whose KEYCOLUMN (e.g. HOSTNAME or CGROUPID)
# is KEYVALUE and COMM is workload, as sorted "SYSCALL RESULT COUNT" lines (RESULT: ok when RET
# is a number >= 0, else the RET text as printed, with a leading minus and digits read as err).
cc_table_summary() {
	awk -v key="$2" -v val="$3" '
		BEGIN {
			errname["-2"] = "ENOENT"; errname["-9"] = "EBADF"; errname["-13"] = "EACCES"
			errname["-111"] = "ECONNREFUSED"; errname["-22"] = "EINVAL"
		}
		!hdr && $1 == "TIME" {
			for (i = 1; i <= NF; i++) col[$i] = i
			hdr = 1; next
		}
		hdr && $col[key] == val && $col["COMM"] == "workload" {
			r = $col["RET"]
			res = (r ~ /^[0-9]+$/) ? "ok" : (r in errname) ? errname[r] : r
			n[$col["SYSCALL"] " " res]++
		}
		END { for (k in n) print k, n[k] }' "$1" | LC_ALL=C sort
}

# cc_json_summary FILE JQ-CONDITION: the same from JSON lines (RESULT: ok or the errno name).
cc_json_summary() {
	jq -r "select(($2) and .comm == \"workload\") |
		\"\\(.syscall) \\(if .ret >= 0 then \"ok\" else .errno end)\"" "$1" |
		LC_ALL=C sort | uniq -c | awk '{ print $2, $3, $1 }'
}

# cc_strace_summary FILE: the same from `strace -f -o FILE` (traced calls only).
cc_strace_summary() {
	awk '
		/ = / && !/resumed>/ && !/ = \?/ {
			name = $2; sub(/\(.*/, "", name)
			ret = $0; sub(/.* = /, "", ret)
			split(ret, w, " ")
			n[name " " (w[1] ~ /^-/ ? w[2] : "ok")]++
		}
		END { for (k in n) print k, n[k] }' "$1" | LC_ALL=C sort
}

# cc_strace_oracle PORT: the standard workload run on the host under strace -f, summarised.
cc_strace_oracle() {
	local d="$CC_WORK/oracle-$1"
	mkdir -p "$d"
	touch "$d/start"
	# shellcheck disable=SC2046
	strace -f -qq -e trace=open,openat,openat2,close,connect,accept,accept4 -o "$d/strace" \
		"$CC_WORKLOAD" mark "$d/ready" wait-file "$d/start" \
		$(cc_std_steps "$1" "$d" | sed "s#/data/file#$CC_ROOTFS/data/file#g") >&2 || return 1
	cc_strace_summary "$d/strace"
}

# The JSON keys of the contract, sorted: every line must have at least these.
CC_JSON_KEYS='addr,cgroup,cgroup_id,comm,container_id,container_image,container_name,container_runtime,errno,fd,flags,gid,host,hostname,identity_mismatch,k8s_container,k8s_namespace,k8s_pod,k8s_pod_uid,mntns,path,pid,pidns,ppid,ret,sandbox,syscall,tid,time,uid'

# cc_json_missing_keys FILE: prints the contract keys that some line lacks (nothing when all ok).
cc_json_missing_keys() {
	jq -r --arg keys "$CC_JSON_KEYS" '($keys | split(",")) - keys | .[]' "$1" | sort -u
}

# The last line the tracer wrote to stderr, and whether it is the closing count (more counts
# may follow, as ", N WORDS").
cc_closing_line() { tail -n1 "$CC_WORK/$1.err"; }
cc_closing_ok() {
	cc_closing_line "$1" | grep -Eq '^copenclose: [0-9]+ events delivered, [0-9]+ lost(, [0-9]+ [a-z ]+)*$'
}

# cc_closing_counts TAG: "DELIVERED LOST UNREAD" from the closing line of TAG's stderr.
cc_closing_counts() {
	sed -n 's/^copenclose: \([0-9]*\) events delivered, \([0-9]*\) lost\(, \([0-9]*\) unread\)\{0,1\}$/\1 \2 \4/p' \
		"$CC_WORK/$1.err" | tail -n1 | awk '{print $1, $2, ($3 == "" ? 0 : $3)}'
}

# cc_held_ids PID: "prog N", "map N", "link N" for every BPF object process PID holds.
cc_held_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		sed -n 's/^prog_id:[[:space:]]*/prog /p; s/^map_id:[[:space:]]*/map /p
			s/^link_id:[[:space:]]*/link /p' "$f" 2>/dev/null
	done | sort -u
}

# cc_leftover_ids: the objects that some tracer of this test held once attached and that the
# kernel still has.
cc_leftover_ids() {
	local kind
	[ -s "$CC_WORK/held-ids" ] || return 0
	for kind in prog map link; do
		bpftool "$kind" show -j 2>/dev/null | jq -r ".[].id | \"$kind \\(.)\"" 2>/dev/null
	done | sort -u | comm -12 - <(sort -u "$CC_WORK/held-ids")
}

# cc_orphan_progs: the ids of programs named as ours that no process holds (by a program or a
# link fd): what a tracer that died half-way would leave. Tracers of other tests running at the
# same time hold theirs, so they do not count.
cc_orphan_progs() {
	local held
	held=$(cat /proc/[0-9]*/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -u)
	bpftool prog show -j 2>/dev/null | jq -r '.[] | select(.name // "" |
		test("^(exit_(open|openat|openat2|close|connect|accept|accept4)|cgroup_(mkdir|rmdir))$"))
		| .id' | grep -vxF -f <(echo "${held:-none}")
}

# cc_lacks PCRE FILE: FILE holds no match of the Perl regular expression PCRE, read as bytes.
cc_lacks() { ! LC_ALL=C grep -qP -- "$1" "$2"; }

# cc_prog_ids PID: the ids of the BPF programs that process PID holds, one a line.
cc_prog_ids() { sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un; }

# cc_progs_loaded ID...: those of the given BPF program ids that the kernel still has.
cc_progs_loaded() {
	local loaded
	loaded=$(bpftool prog list -j 2>/dev/null | jq '.[].id')
	printf '%s\n' "$@" | grep -Fxf <(echo "$loaded") | tr '\n' ' '
}

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
