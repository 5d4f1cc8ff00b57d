#!/usr/bin/env bash
# Losses per cgroup add up: with the reader stopped and a 1 MiB ring, events lost in 12 cgroups
# (two processes each, on both CPUs) are reported per cgroup, the ones beyond the eighth as one
# line with their count, and their sum is the total lost; losses in more cgroups than the kernel's
# per-cgroup table holds are said to be a lower bound, by how much; with --metrics, the losses of
# cgroups removed while tracing (their entries deleted once counted in their rows) are said as
# such, not blamed on the table's eviction.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
FLOOD=$CC_ROOT/build/helpers/flood
[ -x "$FLOOD" ] || tap_bail "$FLOOD is missing: run make helpers"
tap_plan 10
comm=cclosscg$$
comm=${comm:0:15}
base=$CC_V2/cclosscg-$$
loss_cleanup() {
	# each rmdir waits for the kernel's RCU grace periods: side by side, they overlap
	[ -d "$base" ] && find "$base" -mindepth 1 -maxdepth 1 -type d -print0 |
		xargs -0 -r -P 64 -n 16 rmdir 2>/dev/null
	rmdir "$base" 2>/dev/null
	cc_cleanup
}
trap loss_cleanup EXIT
mkdir -p "$base"

# per_cgroup_sum FILE: the sum of the per-cgroup lines and of the "more cgroups" line.
per_cgroup_sum() {
	sed -n 's/^copenclose: lost \([0-9]*\) events of cgroup .*/\1/p;
		s/^copenclose: and \([0-9]*\) events lost in [0-9]* more cgroups$/\1/p' "$1" |
		awk '{s += $1} END {print s + 0}'
}
unattributed() {
	sed -n 's/^copenclose: the losses per cgroup are a lower bound: \([0-9]*\) of the [0-9]* lost events .*/\1/p' "$1"
}
lost_total() {
	sed -n 's/^copenclose: [0-9]* events delivered, \([0-9]*\) lost.*/\1/p' "$1" | tail -n1
}

# 1. 12 cgroups, two flooding processes in each, one per CPU
for i in $(seq 12); do mkdir "$base/$i"; done
cc_tracer_start few -o json -n "$comm" --ringbuf-size 1 || tap_bail "the tracer did not start"
kill -STOP "$CC_TRACER_PID"
pids=()
for i in $(seq 12); do
	for cpu in 0 1; do
		taskset -c "$cpu" sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n 4000 -c "$3" -w "$4"' \
			sh "$base/$i" "$FLOOD" "$comm" "$CC_WORK/go" >/dev/null &
		pids+=($!)
	done
done
touch "$CC_WORK/go"
wait "${pids[@]}"
kill -CONT "$CC_TRACER_PID"
sleep 0.5
cc_tracer_stop INT
e=$CC_WORK/few.err
l=$(lost_total "$e")
tap_ok "$([ "${l:-0}" -gt 0 ] && echo 0 || echo 1)" "12 cgroups: events were lost (${l:-none})"
tap_is "$(grep -c '^copenclose: lost [0-9]* events of cgroup' "$e")" 8 \
	"12 cgroups: eight named one per line"
tap_is "$(grep -c '^copenclose: and [0-9]* events lost in 4 more cgroups$' "$e")" 1 \
	"12 cgroups: the four others on one line with their count"
tap_is "$(per_cgroup_sum "$e")" "$l" "12 cgroups: the per-cgroup counts add up to the total lost"
tap_is "$(unattributed "$e")" "" "12 cgroups: no loss unattributed"

# 2. more cgroups than the per-cgroup table holds (4,096): one process visits 4,400 of them,
# losing one openat and one close in each while the ring is full
n=4400
(cd "$base" && seq "$n" | sed 's/^/m/' | xargs mkdir)
cp "$(command -v bash)" "$CC_WORK/$comm"
cc_tracer_start many -o json -n "$comm" --ringbuf-size 1 || tap_bail "the tracer did not start"
kill -STOP "$CC_TRACER_PID"
"$FLOOD" -n 20000 -c "$comm" >/dev/null
"$CC_WORK/$comm" -c 'for i in $(seq "$2"); do echo $$ >"$1/m$i/cgroup.procs"; : <"$3"; done
	echo $$ >"$1/cgroup.procs"' sh "$base" "$n" /dev/null
kill -CONT "$CC_TRACER_PID"
sleep 0.5
cc_tracer_stop INT
e=$CC_WORK/many.err
l=$(lost_total "$e")
u=$(unattributed "$e")
tap_ok "$([ "${u:-0}" -gt 0 ] && echo 0 || echo 1)" \
	"$n cgroups: the per-cgroup counts are said to be a lower bound (${u:-no line})"
tap_is "$(($(per_cgroup_sum "$e") + ${u:-0}))" "$l" \
	"$n cgroups: per cgroup + unattributed = the total lost ($l)"

# 3. with --metrics: the 12 cgroups lose events, their processes end and the cgroups are removed
# while tracing; their entries are deleted after the summaries' next read of them
flood_12() {
	pids=()
	for i in $(seq 12); do
		mkdir "$base/r$i"
		for cpu in 0 1; do
			taskset -c "$cpu" sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n 4000 -c "$3" -w "$4"' \
				sh "$base/r$i" "$FLOOD" "$comm" "$CC_WORK/go" >/dev/null &
			pids+=($!)
		done
	done
	touch "$CC_WORK/go"
	wait "${pids[@]}"
}
rm -f "$CC_WORK/go"
cc_tracer_start removed -o json -n "$comm" --ringbuf-size 1 --metrics "127.0.0.1:$(cc_port)" ||
	tap_bail "the tracer did not start"
kill -STOP "$CC_TRACER_PID"
flood_12
kill -CONT "$CC_TRACER_PID"
for i in $(seq 12); do rmdir "$base/r$i"; done
sleep 2.5 # two reads of the tally: the one that learns of the removals, the one that deletes
cc_tracer_stop INT
e=$CC_WORK/removed.err
l=$(lost_total "$e")
r=$(sed -n 's/^copenclose: and \([0-9]*\) events lost in cgroups removed while tracing .*/\1/p' "$e")
tap_ok "$([ "${r:-0}" -gt 0 ] && echo 0 || echo 1)" \
	"removed cgroups: their losses are said to be of cgroups removed (${r:-no line}, of ${l:-none} lost)"
tap_is "$(unattributed "$e")" "" "removed cgroups: no loss blamed on the table's eviction"
tap_is "$(($(per_cgroup_sum "$e") + ${r:-0}))" "$l" \
	"removed cgroups: per cgroup + removed = the total lost ($l)"
