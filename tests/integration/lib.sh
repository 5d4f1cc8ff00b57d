# The one library of the integration tests: TAP output, the work directory and its cleanup; it
# sources the rest, one concern a file: lib-containers.sh (a busybox root file system, real
# containers that wait for a start file), lib-tracer.sh (the tracer's start and stop, its output,
# what it left loaded), lib-engines.sh (dockerd, containerd). Sourced by
# tests/integration/NN-name.t, run as root.
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

# The rest, one concern a file.
# shellcheck source=tests/integration/lib-containers.sh
. "$CC_ROOT/tests/integration/lib-containers.sh"
# shellcheck source=tests/integration/lib-tracer.sh
. "$CC_ROOT/tests/integration/lib-tracer.sh"
# shellcheck source=tests/integration/lib-engines.sh
. "$CC_ROOT/tests/integration/lib-engines.sh"
