#!/usr/bin/env bash
# A write error on stdout other than a closed reader (ENOSPC on /dev/full or on a full tmpfs)
# ends the tracer by itself with status 1 and one line naming the error, and the file it wrote
# ends with a whole line.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
FLOOD=$CC_ROOT/build/helpers/flood
[ -x "$FLOOD" ] || tap_bail "$FLOOD is missing: run make helpers"
tap_plan 8
comm=ccfull$$
comm=${comm:0:15}
mnt=$CC_WORK/small
full_cleanup() {
	mountpoint -q "$mnt" && umount "$mnt"
	cc_cleanup
}
trap full_cleanup EXIT

# run TAG STDOUT: the tracer writing to STDOUT while events flow; sets rc and err.
run() {
	local tag=$1 out=$2 i
	"$CC_BIN" -o json -n "$comm" >"$out" 2>"$CC_WORK/$tag.err" </dev/null &
	local pid=$!
	CC_TRACERS+=("$pid")
	cc_wait_for 20 grep -q '^Tracing' "$CC_WORK/$tag.err"
	for i in $(seq 20); do
		kill -0 "$pid" 2>/dev/null || break
		"$FLOOD" -n 5000 -c "$comm" >/dev/null
	done
	cc_wait_for 10 cc_not_running "$pid"
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	err=$CC_WORK/$tag.err
}

run devfull /dev/full
tap_is "$rc" 1 "/dev/full: the tracer ended by itself with status 1"
tap_is "$(grep -c 'No space left on device' "$err")" 1 \
	"/dev/full: one line names the error ($(grep 'No space' "$err"))"
tap_is "$(grep -c '^copenclose: cannot write to stdout: No space left on device$' "$err")" 1 \
	"/dev/full: the line says it was stdout"

mkdir -p "$mnt"
mount -t tmpfs -o size=1m tmpfs "$mnt" || tap_bail "cannot mount a tmpfs"
# fill it to an odd number of bytes short of full, so a line cannot fit exactly
head -c $((1024 * 1024 - 4096 - 1234)) /dev/zero >"$mnt/filler"
run tmpfs "$mnt/events"
tap_is "$rc" 1 "full tmpfs: the tracer ended by itself with status 1"
tap_is "$(grep -c '^copenclose: cannot write to stdout: No space left on device$' "$err")" 1 \
	"full tmpfs: one line names the error"
size=$(stat -c %s "$mnt/events")
tap_ok "$([ "$size" -gt 0 ] && echo 0 || echo 1)" "full tmpfs: events were written ($size bytes)"
tap_is "$(tail -c1 "$mnt/events" | od -An -c | tr -d ' ')" '\n' \
	"full tmpfs: the file ends with a whole line"
tap_is "$(jq -c . "$mnt/events" 2>&1 >/dev/null | head -n1)" "" \
	"full tmpfs: every line is whole JSON"
