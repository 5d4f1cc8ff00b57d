#!/usr/bin/env bash
# Guest only (tests/vm/run-tests.sh): the io_uring operations whose requests live past one call,
# in the fentry mode (the tracepoint mode does not see io_uring at all: tests/vm/README.md):
# - a multishot IORING_OP_ACCEPT taking a backlog of 20 connections: exactly 20 accept events,
#   with the descriptors the completions gave;
# - an IORING_OP_CONNECT cancelled by its linked timeout: its event says ECANCELED with its own
#   descriptor and address, and the connects after it (whose requests the kernel may make in the
#   cancelled one's memory) each report their own;
# - IORING_OP_OPENAT2 without resolve flags is an openat2, which -e openat2 selects, and
#   IORING_OP_OPENAT is not.
# The oracle is the helper's own completions (tests/helpers/uring.c), printed as it gets them.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
cc_require_bpf
[ "${CC_EXPECT_ATTACH:-}" = fentry ] ||
	tap_skip_all "fentry programs do not attach on this kernel (CC_EXPECT_ATTACH=${CC_EXPECT_ATTACH:-unset}): io_uring is not seen"
cc_setup
uring=$CC_ROOT/build/helpers/uring
[ -x "$uring" ] || tap_bail "$uring is missing: run make helpers"
tap_plan 12
touch "$CC_WORK/go"
echo data >"$CC_WORK/file"

# run_uring TAG N PORT MODE: the helper in MODE (it starts at once: the start file exists), its
# output in TAG.made; prints its pid.
run_uring() {
	"$uring" "$CC_WORK/ready-$1" "$CC_WORK/go" "$CC_WORK/file" "$2" "$3" "$4" \
		>"$CC_WORK/$1.made" 2>"$CC_WORK/$1.err" &
	echo "$!" >"$CC_WORK/$1.pid"
	wait "$!"
}

# --- multishot accept and the cancelled connect ---------------------------------------------
port=$(cc_port) port2=$(cc_port)
cc_tracer_start sock -o json --attach fentry -e 'accept*,connect'
tap_ok $? "sockets: the tracer attached in the fentry mode"
run_uring multi 20 "$port" multishot
tap_is "$?" 0 "multishot: the helper took the backlog of 20 ($(head -c 200 "$CC_WORK/multi.err"))"
run_uring cancel 3 "$port2" cancel
tap_is "$?" 0 "cancel: the linked timeout cancelled the connect, 3 connects after it ($(head -c 200 "$CC_WORK/cancel.err"))"
sleep 0.5
cc_tracer_stop INT 60
tap_is "$CC_TRACER_RC" 0 "sockets: the tracer ended with status 0"
j=$CC_WORK/sock.out
mpid=$(cat "$CC_WORK/multi.pid") cpid=$(cat "$CC_WORK/cancel.pid")
tap_is "$(jq -r --argjson p "$mpid" 'select(.type == "event" and .pid == $p and
	.syscall == "accept") | "\(.via) \(.ret)"' "$j" | sort -n -k2)" \
	"$(sed 's/^/io_uring /' "$CC_WORK/multi.made" | sort -n -k2)" \
	"multishot: exactly one accept event per connection, via io_uring, with its descriptor"
tap_is "$(jq -r --argjson p "$mpid" 'select(.type == "event" and .pid == $p and
	.syscall == "accept") | .addr | sub(":[0-9]+$"; "")' "$j" | sort | uniq -c |
	awk '{ $1 = $1; print }')" "20 127.0.0.1" "multishot: every accept's peer is the loopback client"
tap_is "$(jq -r --argjson p "$cpid" 'select(.type == "event" and .pid == $p and
	.via == "io_uring") | "\(.syscall) \(.fd) \(.addr) \(.errno // "ok")"' "$j" | head -n1)" \
	"connect $(awk '$1 == "cancelled" { print $2 }' "$CC_WORK/cancel.made") 127.0.0.1:$port2 ECANCELED" \
	"cancel: the cancelled connect's event: its descriptor, its address, ECANCELED"
tap_is "$(jq -r --argjson p "$cpid" 'select(.type == "event" and .pid == $p and
	.via == "io_uring") | "\(.syscall) \(.fd) \(.addr) \(.errno // "ok")"' "$j" | tail -n +2)" \
	"$(awk -v a="127.0.0.1:$((port2 + 1))" '$1 == "connected" { print "connect", $2, a, "ok" }' \
		"$CC_WORK/cancel.made")" \
	"cancel: each connect after it, its own descriptor and address, in order"

# --- openat2 ---------------------------------------------------------------------------------
cc_tracer_start open2 -o json --attach fentry -e openat2
tap_ok $? "openat2: the tracer attached in the fentry mode with -e openat2"
run_uring open2 3 "$(cc_port)" openat2
tap_is "$?" 0 "openat2: the helper ran ($(head -c 200 "$CC_WORK/open2.err"))"
sleep 0.5
cc_tracer_stop INT 60
opid=$(cat "$CC_WORK/open2.pid")
tap_is "$(jq -r --argjson p "$opid" 'select(.type == "event" and .pid == $p) |
	"\(.syscall) \(.via) \(.path) \(.flags) \(.resolve)"' "$CC_WORK/open2.out")" \
	"$(printf 'openat2 io_uring %s O_RDONLY|O_CLOEXEC 0\n' "$CC_WORK/file" "$CC_WORK/file" \
		"$CC_WORK/file")
openat2 io_uring $CC_WORK/file O_RDONLY|O_CLOEXEC RESOLVE_NO_SYMLINKS" \
	"openat2: every IORING_OP_OPENAT2 an openat2 (resolve flags or none), the IORING_OP_OPENAT not"
tap_is "$CC_TRACER_RC" 0 "openat2: the tracer ended with status 0"
