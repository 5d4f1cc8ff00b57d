#!/usr/bin/env bash
# Shutdown under a flood: SIGINT/SIGTERM end it promptly every time with status 0, whole lines
# and the closing line accounting for them; a stdout nobody reads, a reader stopped, and
# `| head -n1` too; nothing of ours stays loaded.
# "Promptly" is within 5 s, far from the 23 s hang of a poll loop that does not bail out, and
# loose enough for a loaded machine (times are measured in make bench, not asserted here).
. "$(dirname "$0")/lib.sh"
R=${CC_SHUTDOWN_ROUNDS:-$([ -n "${CC_STRESS:-}" ] && echo 100 || echo 20)}
cc_begin 21

pinned0=$(find /sys/fs/bpf -mindepth 1 2>/dev/null | wc -l)
# a sustained flood on the host for the whole test
"$CC_FLOOD" -s 600 >/dev/null &
flood=$!
cc_defer 'kill $flood 2>/dev/null'

now_ms() { date +%s%3N; }
# How long the last tracer took from the signal to its exit, in ms: cc_tracer_stop's own
# measure, without the checks it then runs over the tracer's output (hundreds of MB here).
tracer_stop_ms() { awk -v s="$CC_TRACER_SECS" 'BEGIN { printf "%d\n", s * 1000 }'; }

# json_lines FILE [N]: "NOT_JSON EVENTS": of the last N lines of FILE (all by default), those
# that are not one JSON object each (Python's json), a last line without its newline among them;
# and the event lines ("type":"event") in all of FILE. A round under the flood writes hundreds of
# MB to a regular file: its last 2,000 lines are parsed, its events counted.
json_lines() {
	local cut=0
	[ -s "$1" ] && [ -n "$(tail -c1 "$1")" ] && cut=1
	echo $((cut + $(tail -n "${2:-+1}" "$1" | python3 -c '
import json, sys
bad = 0
for line in sys.stdin.buffer:
    try:
        bad += not isinstance(json.loads(line), dict)
    except ValueError:
        bad += 1
print(bad)'))) "$(LC_ALL=C grep -ac '"type":"event"' "$1")"
}

slow=0 bad=0 badout=0
for i in $(seq 1 "$R"); do
	sig=INT
	[ $((i % 2)) -eq 0 ] && sig=TERM
	cc_tracer_start "r$i" -o json || { bad=$((bad + 1)); continue; }
	sleep 0.2
	cc_tracer_stop "$sig"
	dt=$(tracer_stop_ms)
	[ "$dt" -gt 5000 ] && { slow=$((slow + 1)); tap_diag "round $i: $dt ms"; }
	if [ "$CC_TRACER_RC" -ne 0 ] || ! tail -n1 "$CC_WORK/r$i.err" | grep -q '^copenclose: [0-9]* events delivered, [0-9]* lost'; then
		bad=$((bad + 1))
		tap_diag "round $i: status $CC_TRACER_RC, last line: $(tail -n1 "$CC_WORK/r$i.err")"
	fi
	read -r d _ _ <<<"$(cc_closing_counts "r$i")"
	read -r torn events <<<"$(json_lines "$CC_WORK/r$i.out" 2000)"
	if [ "$torn" -ne 0 ] || [ "$events" != "$d" ]; then
		badout=$((badout + 1))
		tap_diag "round $i: $torn lines not JSON, $events event lines for $d delivered"
	fi
	rm -f "$CC_WORK/r$i.out"
done
tap_check "SIGINT/SIGTERM under a flood: $R of $R rounds ended within 5 s ($slow slow)" [ "$slow" -eq 0 ]
tap_check "every round: status 0 and the closing line last ($bad bad)" [ "$bad" -eq 0 ]
tap_check "every round: every line JSON, as many event lines as delivered ($badout bad)" \
	[ "$badout" -eq 0 ]

# stdout a pipe that nobody reads: the writer blocks, a signal must still end it; the closing
# line accounts for every call of a counted workload, the pipe holds whole lines, as many events
# as delivered
mkfifo "$CC_WORK/fifo"
exec 7<>"$CC_WORK/fifo" # holds the pipe open without reading it
cc_tracer_spawn stall sh -c 'exec "$0" -o json -n ccstall >&7' "$CC_BIN"
made=$("$CC_FLOOD" -n 20000 -c ccstall)
sleep 1
cc_tracer_stop INT
dt=$(tracer_stop_ms)
python3 -c 'import os, sys
os.set_blocking(7, False)
while True:
    try:
        b = os.read(7, 65536)
    except BlockingIOError:
        break
    if not b:
        break
    sys.stdout.buffer.write(b)' >"$CC_WORK/stall.out"
exec 7>&-
tap_check "stalled pipe: SIGINT ends it within 5 s (took $dt ms)" [ "$dt" -le 5000 ]
tap_check "stalled pipe: status 0 (got $CC_TRACER_RC)" [ "$CC_TRACER_RC" -eq 0 ]
read -r d l u <<<"$(cc_closing_counts stall)"
tap_is "$((d + l + u))" "$made" \
	"stalled pipe: closing line accounts for every call made ($d delivered, $l lost, $u unread)"
tap_check "stalled pipe: some were unread ($u)" [ "${u:-0}" -gt 0 ]
read -r torn events <<<"$(json_lines "$CC_WORK/stall.out")"
tap_is "$torn" 0 "stalled pipe: every line in it is JSON"
tap_is "$events" "$d" "stalled pipe: it holds as many event lines as delivered"

# A reader that stops reading (SIGSTOP) under a flood, SIGTERM, the reader resumed (within
# the second a begun line may take, and after it): every line it got is whole, as many events
# as delivered, every call of the workload accounted
for late in 0.3 2; do
	tag=stop$late
	mkfifo "$CC_WORK/$tag.fifo"
	cat "$CC_WORK/$tag.fifo" >"$CC_WORK/$tag.out" &
	reader=$!
	cc_tracer_spawn "$tag" sh -c 'exec "$0" -o json -n ccstop >"$1"' "$CC_BIN" "$CC_WORK/$tag.fifo"
	kill -STOP "$reader"
	made=$("$CC_FLOOD" -n 20000 -c ccstop)
	sleep 0.5
	kill -TERM "$CC_TRACER_PID"
	sleep "$late"
	kill -CONT "$reader"
	cc_tracer_stop 0 # it was signalled: wait for its end
	wait "$reader"
	read -r d l u <<<"$(cc_closing_counts "$tag")"
	read -r torn events <<<"$(json_lines "$CC_WORK/$tag.out")"
	tap_is "$torn" 0 "reader stopped, resumed $late s after SIGTERM: every line it got is JSON"
	tap_is "$events" "$d" "reader resumed after $late s: as many event lines as delivered ($d)"
	tap_is "$((d + l + u))" "$made" \
		"reader resumed after $late s: every call accounted ($d delivered, $l lost, $u unread)"
done

# | head -n1: stdout closes under the tracer
t0=$(now_ms)
timeout 10 "$CC_BIN" -o json 2>"$CC_WORK/head.err" | head -n1 >"$CC_WORK/head.out"
rc=${PIPESTATUS[0]}
dt=$(($(now_ms) - t0))
tap_check "| head -n1: status 0 (got $rc)" [ "$rc" -eq 0 ]
tap_check "| head -n1: one line" [ "$(wc -l <"$CC_WORK/head.out")" -eq 1 ]
tap_check "| head -n1: closing line printed" grep -q '^copenclose: [0-9]* events delivered' "$CC_WORK/head.err"

kill "$flood" 2>/dev/null
wait "$flood" 2>/dev/null
sleep 0.2
sleep 0.5 # the kernel frees programs a moment after their last reference goes
left=$(cc_leftover_ids | tr '\n' ' ')
tap_check "none of the $(wc -l <"$CC_WORK/held-ids") BPF programs, maps and links its tracers held is left: ${left:-none}" [ -z "$left" ]
tap_check "nothing pinned in /sys/fs/bpf" [ "$(find /sys/fs/bpf -mindepth 1 2>/dev/null | wc -l)" -eq "$pinned0" ]
tap_check "no tracer left running" sh -c '! pgrep -f "^$0" >/dev/null' "$CC_BIN"
