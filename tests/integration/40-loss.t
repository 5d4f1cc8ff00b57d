#!/usr/bin/env bash
# Loss accounting is exact: a 1,000,000-event burst arrives whole; with the reader stopped,
# delivered + lost = generated, loss is reported per cgroup, in JSON and by exit status.
. "$(dirname "$0")/lib.sh"
cc_begin 14
N=${CC_BURST:-$([ -n "${CC_STRESS:-}" ] && echo 5000000 || echo 1000000)}

# 1. the whole burst from one filtered process, JSON to a file
"$CC_FLOOD" -n "$N" -w "$CC_WORK/go1" >"$CC_WORK/flood1.out" &
fp=$!
cc_tracer_start burst -p "$fp" -o json
touch "$CC_WORK/go1"
wait "$fp"
sleep 0.3
cc_tracer_stop
read -r d l u <<<"$(cc_closing_counts burst)"
tap_check "burst: the workload made $N calls" [ "$(cat "$CC_WORK/flood1.out")" = "$N" ]
tap_check "burst: $N delivered, 0 lost, 0 unread (got $d $l $u)" [ "$d $l $u" = "$N 0 0" ]
tap_check "burst: $N JSON lines in the file" [ "$(wc -l <"$CC_WORK/burst.out")" -eq "$N" ]
tap_check "burst: exit status 0" [ "$CC_TRACER_RC" -eq 0 ]

# 2. the reader stopped during a 100,000-event burst into a 1 MiB ring
M=100000
"$CC_FLOOD" -n "$M" -w "$CC_WORK/go2" >/dev/null &
fp=$!
cc_tracer_start stalled -p "$fp" -o json --ringbuf-size 1 --fail-on-loss
kill -STOP "$CC_TRACER_PID"
touch "$CC_WORK/go2"
wait "$fp"
kill -CONT "$CC_TRACER_PID"
sleep 1.5
cc_tracer_stop
read -r d l u <<<"$(cc_closing_counts stalled)"
tap_diag "stalled reader: delivered $d lost $l unread $u"
tap_check "stalled: delivered + lost + unread = $M exactly" [ $((d + l + u)) -eq "$M" ]
tap_check "stalled: events were lost" [ "$l" -gt 0 ]
tap_check "stalled: some were delivered" [ "$d" -gt 0 ]
# a record takes 8 bytes of header + 192 + the 29-byte path rounded up to 8: 232 bytes
tap_check "stalled: delivered at most what a 1 MiB ring holds ($d <= $((1048576 / 232)))" \
	[ "$d" -le $((1048576 / 232)) ]
tap_check "stalled: delivered a full 1 MiB ring ($d >= $((1048576 / 232 - 2)))" \
	[ "$d" -ge $((1048576 / 232 - 2)) ]
tap_check "stalled: JSON lines = delivered events + lost records" \
	[ "$(grep -c '"type":"event"' "$CC_WORK/stalled.out")" -eq "$d" ]
lostsum=$(grep '"type":"lost"' "$CC_WORK/stalled.out" | sed 's/.*"lost":\([0-9]*\).*/\1/' | awk '{s += $1} END {print s + 0}')
tap_check "stalled: the lost records add up to $l (got ${lostsum:-none})" [ "${lostsum:-0}" -eq "$l" ]
tap_check "stalled: a warning on stderr" grep -q 'warning: [0-9]* events lost' "$CC_WORK/stalled.err"
tap_check "stalled: losses named per cgroup" grep -q "lost $l events of cgroup" "$CC_WORK/stalled.err"
tap_check "stalled: --fail-on-loss exits 3 (got $CC_TRACER_RC)" [ "$CC_TRACER_RC" -eq 3 ]
