#!/usr/bin/env bash
# gVisor (runsc --platform=ptrace): the sandbox's host processes (runsc-sandbox and its stubs, in
# the host's pid namespace with a user namespace of their own; the gofer, in a pid namespace of
# its own) stay in the host's v2 cgroup on a hybrid host, yet are the container's: named runsc
# with its id, "sandbox": "gvisor", not the host, kept by -I; the tracer says once on stderr what
# a host tracer sees of a sandbox. The workload's opens reach the host's tracepoints only as the
# stubs' calls with the results the Sentry computed. A host tool in a user namespace of its own
# (unshare -U -r), which no sandbox owns, stays the host's.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 17 rootfs runsc
rroot=$CC_WORK/runsc
mkdir -m 700 "$rroot"
comm=ccgvuser$$
comm=${comm:0:15}
cp "$CC_WORKLOAD" "$CC_WORK/$comm"

# run TAG TRACER-ARGS...: the container opens /data/file 3 times and a missing file twice,
# then a host tool in a user namespace of its own opens /etc/hostname twice.
run() {
	local tag=$1 name
	shift
	name=$(cc_name)
	NAME=$name
	cc_runsc_run "$rroot" "$name" -- open /data/file 3 missing /nonexistent-cc 2 || return 1
	GOFER=$CC_RUNSC_GOFER SBMNT=$CC_RUNSC_SBMNT
	cc_tracer_start "$tag" -o json --state-dir "runsc=$rroot" "$@" || return 1
	cc_container_go "$name"
	cc_container_wait "$name" 60 || return 1
	unshare -U -r "$CC_WORK/$comm" open /etc/hostname 2 || return 1
	sleep 0.3
	cc_tracer_stop INT
	[ "$CC_TRACER_RC" -eq 0 ]
}

# sandbox TAG: the events of the sandbox's processes (its mount namespace) and the gofer's
sandbox() {
	jq -c --argjson m "$SBMNT" --argjson g "$GOFER" \
		'select(.type == "event" and (.mntns == $m or .pid == $g))' "$CC_WORK/$1.out"
}

# stubs TAG: the workload's opens as the stubs made them, "SYSCALL PATH RESULT COUNT" lines
stubs() {
	jq -r --argjson g "$GOFER" 'select(.pid != $g and .syscall == "openat" and
		(.path == "/data/file" or .path == "/nonexistent-cc")) |
		"\(.syscall) \(.path) \(if .ret >= 0 then "ok" else .errno end)"' "$CC_WORK/$1.sb" |
		sort | uniq -c | awk '{print $2, $3, $4, $1}'
}

# named TAG WHO: how the events of the stubs (WHO stubs) or of the gofer are named
named() {
	jq -r --argjson g "$GOFER" --arg who "$2" 'select((.pid == $g) == ($who == "gofer")) |
		"\(.container_runtime) \(.container_id) \(.container_name) \(.sandbox) \(.host) \(.identity_mismatch)"' \
		"$CC_WORK/$1.sb" | sort -u
}

notes() { grep -c "note: runsc container $NAME runs in a gvisor sandbox" "$CC_WORK/$1.err"; }

for tag in plain ignore; do
	args=(-e "openat,close")
	[ $tag = ignore ] && args+=(-I)
	run $tag "${args[@]}"
	tap_ok $? "$tag: the runsc container and the user-namespace tool ran under the tracer (status 0)"
	sandbox $tag >"$CC_WORK/$tag.sb"
	[ $tag = plain ] && PLAIN_GOFER=$GOFER
	tap_is "$(stubs $tag)" "$(printf 'openat /data/file ok 3\nopenat /nonexistent-cc ENOENT 2')" \
		"$tag: the workload's opens, exactly, as the sandbox's stubs' calls"
	tap_is "$(named $tag stubs)" "runsc $NAME $NAME gvisor false false" \
		"$tag: the sandbox's and its stubs' events: runsc, $NAME, sandbox gvisor, not the host"
	tap_is "$(named $tag gofer)" "runsc $NAME $NAME gvisor false false" \
		"$tag: the gofer's events: the same"
	tap_is "$(notes $tag)" 1 "$tag: stderr says once what a host tracer sees of the sandbox"
done

j=$CC_WORK/plain.out
GOFER=$PLAIN_GOFER
tap_is "$(jq -r --argjson g "$GOFER" 'select(.pid != $g) | "\(.comm) \(.uid) \(.kernel_host)"' \
	"$CC_WORK/plain.sb" | sort -u)" "exe 65534 null" \
	"the stubs: comm exe, uid 65534, left to user space by the kernel (a user namespace of their own)"
tap_check "the sandbox's processes are in the host's pid namespace and cgroup" \
	[ "$(jq -r --argjson g "$GOFER" 'select(.pid != $g) | "\(.pidns) \(.cgroup)"' "$CC_WORK/plain.sb" |
		sort -u)" = "$(stat -L -c %i /proc/self/ns/pid) /" ]
tap_check "the gofer opened the file behind /data/file on the host (relative to a directory)" \
	[ "$(jq -r --argjson g "$GOFER" 'select(.pid == $g and .syscall == "openat" and .path == "file" and
		.ret >= 0) | .dirfd != null' "$CC_WORK/plain.sb" | sort -u)" = true ]
tap_is "$(jq -r --arg c "$comm" 'select(.comm == $c) |
	"\(.syscall) \(.host) \(.identity_mismatch) \(.kernel_host) \(.container_runtime)"' "$j" |
	sort | uniq -c | awk '{$1 = $1; print}')" \
	"$(printf '2 close true false null null\n2 openat true false null null')" \
	"without -I: a host tool in a user namespace of its own (unshare -U -r) is the host"
tap_is "$(jq -r --arg c "$comm" 'select(.comm == $c) | .syscall' "$CC_WORK/ignore.out" | wc -l)" 0 \
	"with -I: no event of the user-namespace tool"
tap_is "$("$CC_BIN" doctor --json | jq -r '.runtimes[] | select(.name == "runsc") | .sandbox')" \
	gvisor "doctor: runsc's containers run in a gvisor sandbox"
tap_is "$("$CC_BIN" doctor --json | jq -r '.runtimes[] | select(.name == "runsc") |
	.sandbox_seen | test("never seen by its own pid or comm")')" true \
	"doctor: says a host tracer sees the sandbox's processes, not the program"
