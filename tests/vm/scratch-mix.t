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
	# the three processes' events, and the events that carry one of their paths
	# (an fd_end record, a descriptor the tracer ends at its process's exit where the close was
	# lost, is not a call's event)
	jq -c --arg w "$CC_WORK/mix-" 'select(.type == "event") |
		select((.comm // "" | startswith("ccmix-")) or (.path // "" | startswith($w)))' \
		"$j" >"$CC_WORK/mine.$mode"
	made=$(cat "$CC_WORK"/made-[abc]."$mode" | awk '{ n += $1 } END { print n + 0 }')
	n=$(wc -l <"$CC_WORK/mine.$mode")
	tap_diag "$mode on $(uname -r): $made opens made, $n events of the three seen;" \
		"$(grep -E '^copenclose: [0-9]+ events delivered' "$CC_WORK/$mode.err")"
	[ "$n" -gt 0 ]
	tap_ok $? "$mode: the three processes' events are seen ($n)"
	bad=$(jq -c --arg w "$CC_WORK/mix-" --arg l "$long" 'select(.path != null) |
		select(.path != $w + (.comm | ltrimstr("ccmix-")) + "-" + $l + "/f")' \
		"$CC_WORK/mine.$mode" | head -n 3)
	tap_is "$bad" "" "$mode: every path is its own process's (its comm names it)"
	bad=$(jq -c --slurpfile p <(awk '{ print "{\"pid\":" $1 ",\"comm\":\"" $2 "\"}" }' \
		"$CC_WORK/pids.$mode") 'select(.comm as $c | .pid as $n |
		[$p[] | select(.comm == $c and .pid == $n)] | length == 0)' "$CC_WORK/mine.$mode" |
		head -n 3)
	tap_is "$bad" "" "$mode: every event's pid is its process's"
	bad=$(jq -c 'select(.syscall != "openat" and .syscall != "close")' "$CC_WORK/mine.$mode" |
		head -n 3)
	tap_is "$bad" "" "$mode: every event is an openat or a close"
	bad=$(jq -c 'select(.syscall == "close" and .path != null)' "$CC_WORK/mine.$mode" | head -n 3)
	tap_is "$bad" "" "$mode: no close carries a path"
	bad=$(jq -c 'select(.syscall == "openat" and (.ret < 0 or .fd != .ret or .path == null))' \
		"$CC_WORK/mine.$mode" | head -n 3)
	tap_is "$bad" "" "$mode: every open succeeded, with its path and its descriptor"
	rm -f "$CC_WORK/pids.$mode"
done
