#!/usr/bin/env bash
# The workload helper makes exactly the traced system calls it claims, as strace -f counts them:
# the oracle the tracer's tests rely on (no tracer, no privilege needed).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || tap_bail "strace is not installed"
[ -x "$CC_WORKLOAD" ] || tap_bail "$CC_WORKLOAD is missing: run make helpers"
cc_setup
echo "a file the workload opens" >"$CC_WORK/file"
tap_plan 4
trace=open,openat,openat2,close,connect,accept,accept4

port=$(cc_port)
# shellcheck disable=SC2046
set -- $(cc_std_steps "$port" "$CC_WORK" | sed "s#/data/file#$CC_WORK/file#g")
touch "$CC_WORK/start"
strace -f -qq -e trace=$trace -o "$CC_WORK/std.strace" "$CC_WORKLOAD" \
	mark "$CC_WORK/ready" wait-file "$CC_WORK/start" "$@"
tap_ok $? "the standard workload succeeds under strace"
tap_is "$(cc_strace_summary "$CC_WORK/std.strace")" "$(cc_std_expected)" \
	"strace counts exactly the standard workload's traced calls, start-up included"

strace -f -qq -e trace=$trace -o "$CC_WORK/unix.strace" "$CC_WORKLOAD" unix "$CC_WORK/u.sock" \
	closebad 1
tap_is "$(cc_strace_summary "$CC_WORK/unix.strace")" "accept ok 1
close EBADF 1
close ok 3
connect ok 1" "unix socket pair: one connect, one accept, three closes"

"$CC_WORKLOAD" open /nonexistent-cc 1 2>/dev/null
rc=$?
tap_is "$rc" 1 "a step that does not do what it should makes the workload exit 1"
