#!/usr/bin/env bash
# How the tracer ends (SIGINT, SIGTERM, -d, a closed stdout) and how it refuses: status, time,
# the closing line, no BPF program left behind, one clear line for each bad start.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 29
# The ids of the programs each tracer held, to check that the kernel has none of them after.
progs=()

# ends_by SIGNAL: the tracer, idle but for the host, ends on SIGNAL.
for sig in INT TERM; do
	cc_tracer_start "sig$sig"
	started=$?
	mapfile -t -O ${#progs[@]} progs < <(cc_prog_ids "$CC_TRACER_PID")
	cc_tracer_stop "$sig" 10
	tap_ok $((started || CC_TRACER_RC)) "SIG$sig: status $CC_TRACER_RC (want 0)"
	[ "$(echo "$CC_TRACER_SECS < 2" | bc)" -eq 1 ]
	tap_ok $? "SIG$sig: it ended within 2 s (took $CC_TRACER_SECS s)"
	cc_closing_ok "sig$sig"
	tap_ok $? "SIG$sig: last stderr line is the count: $(cc_closing_line "sig$sig")"
done
[ ${#progs[@]} -ge 2 ]
tap_ok $? "while tracing, it holds BPF programs (ids ${progs[*]:-none})"

# -d 1
cc_tracer_start dur -d 1
t0=$(date +%s.%N) # -d counts from the attach that the Tracing line announces
mapfile -t -O ${#progs[@]} progs < <(cc_prog_ids "$CC_TRACER_PID")
cc_wait_for 5 cc_not_running "$CC_TRACER_PID"
wait "$CC_TRACER_PID"
rc=$?
secs=$(echo "$(date +%s.%N) - $t0" | bc)
tap_is "$rc" 0 "-d 1: status 0"
[ "$(echo "$secs < 5" | bc)" -eq 1 ]
tap_ok $? "-d 1: ended by itself within 5 s of attaching (took $secs s)"
cc_closing_ok dur
tap_ok $? "-d 1: last stderr line is the count: $(cc_closing_line dur)"

# A closed stdout: head reads the header and two events while a host workload floods.
flood=$(cc_name)
echo x >"$CC_WORK/flood-file"
cc_host_start "$flood" flood "$CC_WORK/flood-file" 3
: >"$CC_WORK/pipe.err"
(
	"$CC_BIN" -n workload 2>"$CC_WORK/pipe.err" &
	echo $! >"$CC_WORK/pipe.pid"
	wait $!
	echo $? >"$CC_WORK/pipe.rc"
) | head -n3 >"$CC_WORK/pipe.out" &
pipe=$!
cc_wait_for 20 grep -q '^Tracing' "$CC_WORK/pipe.err"
CC_TRACERS+=("$(cat "$CC_WORK/pipe.pid")")
mapfile -t -O ${#progs[@]} progs < <(cc_prog_ids "$(cat "$CC_WORK/pipe.pid")")
t0=$(date +%s.%N)
cc_container_go "$flood"
cc_wait_for 10 test -s "$CC_WORK/pipe.rc"
secs=$(echo "$(date +%s.%N) - $t0" | bc)
wait "$pipe"
cc_container_wait "$flood" 10
tap_is "$(cat "$CC_WORK/pipe.rc" 2>/dev/null)" 0 "closed stdout: status 0"
[ "$(echo "$secs < 5" | bc)" -eq 1 ]
tap_ok $? "closed stdout: ended within 5 s of the flood's start (took $secs s)"
tap_is "$(grep -c ' workload ' "$CC_WORK/pipe.out")" 2 "closed stdout: head got two events"
cc_closing_ok pipe
tap_ok $? "closed stdout: last stderr line is the count: $(cc_closing_line pipe)"
delivered=$(cc_closing_line pipe | sed -n 's/^copenclose: \([0-9]*\) events delivered.*/\1/p')
[ "${delivered:-0}" -ge 2 ]
tap_ok $? "closed stdout: the count includes the two events head read (says ${delivered:-nothing})"
kill -KILL "$(cat "$CC_WORK/pipe.pid")" 2>/dev/null

cc_wait_for 5 test -z "$(cc_progs_loaded "${progs[@]}")"
tap_is "$(cc_progs_loaded "${progs[@]}")" "" \
	"after every end, bpftool prog list shows none of the ${#progs[@]} programs the tracers held"

# bad_start TAG EXPECTED-STATUS PATTERN COMMAND...: one line on stderr matching PATTERN.
bad_start() {
	local tag=$1 want=$2 pat=$3 rc f
	shift 3
	f=$CC_WORK/$(echo "$tag" | tr -c 'A-Za-z0-9\n' _)
	timeout 20 "$@" >"$f.out" 2>"$f.err" </dev/null
	rc=$?
	if [ "$want" = nonzero ]; then
		[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
		tap_ok $? "$tag: status $rc (want non-zero)"
	else
		tap_is "$rc" "$want" "$tag: status $want"
	fi
	tap_is "$(wc -l <"$f.err")" 1 "$tag: exactly one line on stderr" || tap_diag "$(cat "$f.err")"
	grep -Eq "$pat" "$f.err"
	tap_ok $? "$tag: it says /$pat/: $(head -c 200 "$f.err")"
}

bad_start "unknown flag" 2 '[Uu]sage|--bogus|unrecognized|unknown' "$CC_BIN" --bogus
timeout 20 "$CC_BIN" -p notanumber >/dev/null 2>&1
tap_is "$?" 2 "-p notanumber: status 2"
bad_start "-G /nonexistent" nonzero '/nonexistent' "$CC_BIN" -G /nonexistent -d 1
# A copy the unprivileged user can reach whatever the permissions of the checkout.
install -m 0755 "$CC_BIN" "$CC_WORK/copenclose"
bad_start "not root" 1 'root|CAP_BPF.*CAP_PERFMON' \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CC_WORK/copenclose" -d 1
# shellcheck disable=SC2016
bad_start "no BTF" nonzero 'CONFIG_DEBUG_INFO_BTF' unshare -m sh -c \
	'mount --bind /dev/null /sys/kernel/btf/vmlinux && exec "$0" -d 1' "$CC_BIN"
