#!/usr/bin/env bash
# Guest only (tests/vm/run-tests.sh): three processes open and close each its own long path (a
# directory name of 200 characters that names the process) on the guest's one CPU under the
# tracer, in each attach mode this kernel has. On a kernel that preempts BPF programs (PREEMPT_RT,
# preempt=full, 7.x's syscall tracepoints) another program may run on the CPU while a task is
# preempted inside one: a record half built in a shared per-CPU buffer would come out with the
# fields of two calls. Every event of the three must be whole: its path is its own process's, its
# pid the one that process has, a close carries no path, and an open's descriptor is a number.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
cc_require_bpf
cc_setup
flood=$CC_ROOT/build/helpers/flood
[ -x "$flood" ] || tap_bail "$flood is missing: run make helpers"
modes=(tracepoint)
[ "${CC_EXPECT_ATTACH:-}" = fentry ] && modes+=(fentry)
tap_plan $((7 * ${#modes[@]}))

long=$(printf 'x%.0s' $(seq 200))
for i in a b c; do
	mkdir -p "$CC_WORK/mix-$i-$long"
	: >"$CC_WORK/mix-$i-$long/f"
done

# broken CHECK FILE: the first three events of FILE (mine.MODE, below) that break CHECK
broken() {
	awk -F '\t' -v c="$1" '$1 ~ "(^|,)" c "(,|$)" { print $2 }' "$2" | head -n 3
}

for mode in "${modes[@]}"; do
	rm -f "$CC_WORK/go"
	cc_tracer_start "$mode" -o json -e openat,close --attach "$mode"
	tap_ok $? "$mode: the tracer attached"
	pids=()
	for i in a b c; do
		"$flood" -s "${CC_MIX_SECONDS:-3}" -k -c "ccmix-$i" -p "$CC_WORK/mix-$i-$long/f" -w "$CC_WORK/go" \
			>"$CC_WORK/made-$i.$mode" 2>&1 &
		pids+=($!)
		echo "$! ccmix-$i" >>"$CC_WORK/pids.$mode"
	done
	touch "$CC_WORK/go"
	wait "${pids[@]}"
	sleep 1
	cc_tracer_stop INT 60
	j=$CC_WORK/$mode.out
	# One pass over the tracer's output (jq under TCG takes seconds for each pass over tens of
	# thousands of events): each of the three processes' events, and each event that carries one
	# of their paths (an fd_end record, a descriptor the tracer ends at its process's exit where
	# the close was lost, is not a call's event), is one line in mine.$mode: the names of the
	# checks it breaks (none: "-"), a tab, and the event where it breaks one.
	jq -r --arg w "$CC_WORK/mix-" --arg l "$long" --slurpfile p <(awk \
		'{ print "{\"pid\":" $1 ",\"comm\":\"" $2 "\"}" }' "$CC_WORK/pids.$mode") '
		select(.type == "event") |
		select((.comm // "" | startswith("ccmix-")) or (.path // "" | startswith($w))) |
		. as $e | [
			(select(.path != null and
				.path != $w + (.comm | ltrimstr("ccmix-")) + "-" + $l + "/f") | "path"),
			(select([$p[] | select(.comm == $e.comm and .pid == $e.pid)] | length == 0) |
				"pid"),
			(select(.syscall != "openat" and .syscall != "close") | "syscall"),
			(select(.syscall == "close" and .path != null) | "closepath"),
			(select(.syscall == "openat" and (.ret < 0 or .fd != .ret or .path == null)) |
				"open")
		] | if length == 0 then "-" else "\(join(","))\t\($e | tojson)" end' \
		"$j" >"$CC_WORK/mine.$mode"
	made=$(cat "$CC_WORK"/made-[abc]."$mode" | awk '{ n += $1 } END { print n + 0 }')
	m=$CC_WORK/mine.$mode
	n=$(wc -l <"$m")
	tap_diag "$mode on $(uname -r): $made opens made, $n events of the three seen;" \
		"$(grep -E '^copenclose: [0-9]+ events delivered' "$CC_WORK/$mode.err")"
	[ "$n" -gt 0 ]
	tap_ok $? "$mode: the three processes' events are seen ($n)"
	tap_is "$(broken path "$m")" "" "$mode: every path is its own process's (its comm names it)"
	tap_is "$(broken pid "$m")" "" "$mode: every event's pid is its process's"
	tap_is "$(broken syscall "$m")" "" "$mode: every event is an openat or a close"
	tap_is "$(broken closepath "$m")" "" "$mode: no close carries a path"
	tap_is "$(broken open "$m")" "" "$mode: every open succeeded, with its path and its descriptor"
	rm -f "$CC_WORK/pids.$mode"
done
