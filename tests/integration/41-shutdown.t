#!/usr/bin/env bash
# Shutdown under a flood: SIGINT/SIGTERM end it within 1 s every time with status 0 and the
# closing line; a stdout nobody reads and `| head -n1` too; nothing of ours stays loaded.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
R=${CC_SHUTDOWN_ROUNDS:-$([ -n "${CC_STRESS:-}" ] && echo 100 || echo 20)}
plan 9

pinned0=$(find /sys/fs/bpf -mindepth 1 2>/dev/null | wc -l)
# a sustained flood on the host for the whole test
"$FLOOD" -s 600 >/dev/null &
flood=$!
trap 'kill $flood 2>/dev/null; cleanup_tracers' EXIT

# elapsed_ms CMD...: runs CMD and prints how long it took
now_ms() { date +%s%3N; }

slow=0 bad=0
for i in $(seq 1 "$R"); do
	sig=INT
	[ $((i % 2)) -eq 0 ] && sig=TERM
	start_tracer "r$i" -o json || { bad=$((bad + 1)); continue; }
	sleep 0.2
	t0=$(now_ms)
	stop_tracer "$TRACER_PID" "$sig"
	dt=$(($(now_ms) - t0))
	[ "$dt" -gt 1000 ] && { slow=$((slow + 1)); diag "round $i: $dt ms"; }
	if [ "$TRACER_RC" -ne 0 ] || ! tail -n1 "$T/r$i.err" | grep -q '^copenclose: [0-9]* events delivered, [0-9]* lost'; then
		bad=$((bad + 1))
		diag "round $i: status $TRACER_RC, last line: $(tail -n1 "$T/r$i.err")"
	fi
	rm -f "$T/r$i.out"
done
check "SIGINT/SIGTERM under a flood: $R of $R rounds ended within 1 s ($slow slow)" [ "$slow" -eq 0 ]
check "every round: status 0 and the closing line last ($bad bad)" [ "$bad" -eq 0 ]

# stdout a pipe that nobody reads: the writer blocks, a signal must still end it
mkfifo "$T/fifo"
exec 7<>"$T/fifo" # holds the pipe open without reading it
"$BIN" -o json >&7 2>"$T/stall.err" &
TRACER_PID=$!
_tracers+=("$TRACER_PID")
wait_tracing stall
sleep 1
t0=$(now_ms)
stop_tracer "$TRACER_PID" INT
dt=$(($(now_ms) - t0))
exec 7>&-
check "stalled pipe: SIGINT ends it within 1 s (took $dt ms)" [ "$dt" -le 1000 ]
check "stalled pipe: status 0 (got $TRACER_RC)" [ "$TRACER_RC" -eq 0 ]
read -r d l u <<<"$(closing_counts "$T/stall.err")"
check "stalled pipe: closing line accounts for unread events ($d delivered, $l lost, $u unread)" \
	[ -n "$d" ]

# | head -n1: stdout closes under the tracer
t0=$(now_ms)
timeout 10 "$BIN" -o json 2>"$T/head.err" | head -n1 >"$T/head.out"
rc=${PIPESTATUS[0]}
dt=$(($(now_ms) - t0))
check "| head -n1: one line, status 0 (got $rc)" [ "$rc" -eq 0 ] && [ "$(wc -l <"$T/head.out")" -eq 1 ]
check "| head -n1: closing line printed" grep -q '^copenclose: [0-9]* events delivered' "$T/head.err"

kill "$flood" 2>/dev/null
wait "$flood" 2>/dev/null
sleep 0.2
sleep 0.5 # the kernel frees programs a moment after their last reference goes
left=$(leftover_ids | tr '\n' ' ')
check "none of the $(wc -l <"$T/held-ids") BPF programs, maps and links its tracers held is left: ${left:-none}" [ -z "$left" ]
check "nothing pinned in /sys/fs/bpf, no child left" \
	[ "$(find /sys/fs/bpf -mindepth 1 2>/dev/null | wc -l)" -eq "$pinned0" ] && ! pgrep -f "^$BIN" >/dev/null
