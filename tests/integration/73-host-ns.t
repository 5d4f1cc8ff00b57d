#!/usr/bin/env bash
# The tracer's idea of the host: outside the host's PID namespace it refuses (its pids would not
# be the ones BPF reports), with the host's /proc or its own; the host's namespaces come from the
# host (PID 1, or kthreadd when PID 1 hides them), never from the tracer itself: a tracer that
# may read neither refuses in one line instead of taking its own.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
tap_plan 7

not_host='^copenclose: this process is not in the host.s PID namespace.*--pid=host'

# one_line_refusal TAG REGEX: status 1 and stderr is one line matching REGEX.
one_line_refusal() {
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$CC_WORK/$1.err")" -eq 1 ] && grep -q "$2" "$CC_WORK/$1.err"
}

unshare --pid --fork --mount-proc "$CC_BIN" -d 1 >/dev/null 2>"$CC_WORK/ownproc.err"
rc=$?
one_line_refusal ownproc "$not_host"
tap_ok $? "in a PID namespace of its own, its own /proc: refused, status $rc: $(cat "$CC_WORK/ownproc.err")"

unshare --pid --fork "$CC_BIN" -d 1 >/dev/null 2>"$CC_WORK/hostproc.err"
rc=$?
one_line_refusal hostproc "$not_host"
tap_ok $? "in a PID namespace of its own, the host's /proc: refused, status $rc"

# Not root, with the capabilities tracing needs: /proc/1/ns and /proc/2/ns are root's to read.
cp "$CC_BIN" "$CC_WORK/copenclose"
caps=+bpf,+perfmon,+dac_read_search
# nobody CAPS: the command line that runs the copy as nobody with CAPS (ambient: kept on exec).
nobody() {
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="$1" --ambient-caps="$1"
		"$CC_WORK/copenclose")
}
nobody "$caps"
"${NOBODY[@]}" -d 1 >/dev/null 2>"$CC_WORK/nons.err"
rc=$?
one_line_refusal nons "^copenclose: cannot read the host.s namespaces in /proc/1/ns .*CAP_SYS_PTRACE"
tap_ok $? "not root, without CAP_SYS_PTRACE: refused, not its own namespaces taken, status $rc: $(cat "$CC_WORK/nons.err")"

# With CAP_SYS_PTRACE it reads them; the host's processes are the host, a container is not.
hst=$(cc_name) ctr=$(cc_name)
hctl=$(cc_ctl_dir "$hst")
cc_host_start "$hst" open "$hctl/ready" 2 missing /nonexistent-cc 1
cc_rootfs
cc_runc_start "$ctr" open /data/file 2 missing /nonexistent-cc 1
nobody "$caps,+sys_ptrace"
"${NOBODY[@]}" -o json -n workload >"$CC_WORK/ptrace.out" 2>"$CC_WORK/ptrace.err" &
CC_TRACER_PID=$!
CC_TRACERS+=("$CC_TRACER_PID")
cc_wait_for 20 cc_tracer_attached ptrace "$CC_TRACER_PID"
grep -q '^Tracing' "$CC_WORK/ptrace.err"
tap_ok $? "not root, with CAP_SYS_PTRACE: Tracing"
cc_container_go "$hst"
cc_container_go "$ctr"
cc_container_wait "$hst"
cc_container_wait "$ctr"
sleep 0.3
cc_tracer_stop INT
tap_is "$(jq -c "select(.pid == ${CC_PID[$hst]}) | [.syscall, .ret, .host]" "$CC_WORK/ptrace.out" |
	sort | uniq -c | awk '{ print $1, $2 }')" "$(printf '%s\n' '2 ["close",0,true]' '1 ["openat",-2,true]' '2 ["openat",3,true]')" \
	"the host process's events, each of the host"
tap_is "$(jq -c "select(.container_id == \"$ctr\") | [.syscall, .ret, .host]" "$CC_WORK/ptrace.out" |
	sort | uniq -c | awk '{ print $1, $2 }')" "$(printf '%s\n' '2 ["close",0,false]' '1 ["openat",-2,false]' '2 ["openat",3,false]')" \
	"the container's events, none of the host"
tap_is "$CC_TRACER_RC" 0 "it ended with status 0"
