#!/usr/bin/env bash
# Loss accounting is exact: a 1,000,000-event burst arrives whole; with the reader stopped,
# delivered + lost = generated, loss is reported per cgroup, in JSON and by exit status.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
plan 12
N=${CC_BURST:-$([ -n "${CC_STRESS:-}" ] && echo 5000000 || echo 1000000)}

# 1. the whole burst from one filtered process, JSON to a file
"$FLOOD" -n "$N" -w "$T/go1" >"$T/flood1.out" &
fp=$!
start_tracer burst -p "$fp" -o json
touch "$T/go1"
wait "$fp"
sleep 0.3
stop_tracer "$TRACER_PID"
read -r d l u <<<"$(closing_counts "$T/burst.err")"
check "burst: the workload made $N calls" [ "$(cat "$T/flood1.out")" = "$N" ]
check "burst: $N delivered, 0 lost, 0 unread (got $d $l $u)" [ "$d $l $u" = "$N 0 0" ]
check "burst: $N JSON lines in the file" [ "$(wc -l <"$T/burst.out")" -eq "$N" ]
check "burst: exit status 0" [ "$TRACER_RC" -eq 0 ]

# 2. the reader stopped during a 100,000-event burst into a 1 MiB ring
M=100000
"$FLOOD" -n "$M" -w "$T/go2" >/dev/null &
fp=$!
start_tracer stalled -p "$fp" -o json --ringbuf-size 1 --fail-on-loss
kill -STOP "$TRACER_PID"
touch "$T/go2"
wait "$fp"
kill -CONT "$TRACER_PID"
sleep 1.5
stop_tracer "$TRACER_PID"
read -r d l u <<<"$(closing_counts "$T/stalled.err")"
diag "stalled reader: delivered $d lost $l unread $u"
check "stalled: delivered + lost + unread = $M exactly" [ $((d + l + u)) -eq "$M" ]
check "stalled: events were lost and some delivered" [ "$l" -gt 0 ] && [ "$d" -gt 0 ]
# a record takes 8 bytes of header + 192 + the 29-byte path rounded up to 8: 232 bytes
check "stalled: delivered is what a 1 MiB ring holds ($d <= $((1048576 / 232)))" \
	[ "$d" -le $((1048576 / 232)) ] && [ "$d" -ge $((1048576 / 232 - 2)) ]
check "stalled: JSON lines = delivered events + lost records" \
	[ "$(grep -c '"type":"event"' "$T/stalled.out")" -eq "$d" ]
lostsum=$(grep '"type":"lost"' "$T/stalled.out" | sed 's/.*"lost":\([0-9]*\).*/\1/' | awk '{s += $1} END {print s + 0}')
check "stalled: the lost records add up to $l (got ${lostsum:-none})" [ "${lostsum:-0}" -eq "$l" ]
check "stalled: a warning on stderr" grep -q 'warning: [0-9]* events lost' "$T/stalled.err"
check "stalled: losses named per cgroup" grep -q "lost $l events of cgroup" "$T/stalled.err"
check "stalled: --fail-on-loss exits 3 (got $TRACER_RC)" [ "$TRACER_RC" -eq 3 ]
