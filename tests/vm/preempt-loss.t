#!/usr/bin/env bash
# Guest only (tests/vm/run-tests.sh): three processes flood openat on the guest's one CPU under the
# tracer, in each attach mode this kernel has. Where the kernel lets a task be preempted inside a
# BPF program (PREEMPT_RT, preempt=full, 7.x's syscall tracepoints), a call that reaches the program
# meanwhile is skipped and counted only in its recursion_misses: nothing may be lost in silence.
# Every flood call is an event delivered or counted, exactly, in the tracer's "lost" or "unread" (its
# closing line, and --fail-on-loss's status 3 when anything was lost or left unread); the figures are
# printed for tests/vm/README.md. Neither mode loses anything: the fentry mode's open steps are
# each several programs (attach_fentry.bpf.h, CC_OPEN_COPIES), and so are the tracepoint mode's
# programs where the kernel runs syscall tracepoints preemptibly (attach_tp_copies.bpf.h): three
# tasks preempted inside them cannot hold them all. The ring buffer is large enough for the whole flood (the
# reader is slow under TCG): a ring buffer drop is not what this test is about.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
cc_require_bpf
cc_setup
flood=$CC_ROOT/build/helpers/flood
[ -x "$flood" ] || tap_bail "$flood is missing: run make helpers"
modes=(tracepoint)
[ "${CC_EXPECT_ATTACH:-}" = fentry ] && modes+=(fentry)
tap_plan $((6 * ${#modes[@]}))

for mode in "${modes[@]}"; do
	rm -f "$CC_WORK/go"
	cc_tracer_start "$mode" -o json -e openat --attach "$mode" --fail-on-loss --ringbuf-size 64
	tap_ok $? "$mode: the tracer attached"
	pids=()
	for i in 1 2 3; do
		"$flood" -s 4 -c "ccflood$i" -p "/nonexistent/cc-preempt-$i" -w "$CC_WORK/go" \
			>"$CC_WORK/flood$i.$mode" 2>&1 &
		pids+=($!)
	done
	touch "$CC_WORK/go"
	wait "${pids[@]}"
	sleep 1
	cc_tracer_stop INT 60
	made=$(cat "$CC_WORK"/flood[123]."$mode" | awk '{ n += $1 } END { print n + 0 }')
	seen=$(jq -r 'select(.path != null and (.path | startswith("/nonexistent/cc-preempt-"))) |
		.pid' "$CC_WORK/$mode.out" | wc -l)
	lost=$(sed -n 's/^copenclose: [0-9]* events delivered, \([0-9]*\) lost.*/\1/p' \
		"$CC_WORK/$mode.err")
	misses=$(sed -n 's/^copenclose: \([0-9]*\) events lost, unattributed: .*recursion misses.*/\1/p' \
		"$CC_WORK/$mode.err")
	tap_diag "$mode on $(uname -r) ($(cat /sys/kernel/debug/sched/preempt 2>/dev/null || echo '?')):" \
		"flood calls $made, events seen $seen, missing $((made - seen)), reported lost ${lost:-?}" \
		"(recursion misses ${misses:-0})"
	unread=$(sed -n 's/^copenclose: [0-9]* events delivered, .*, \([0-9]*\) unread$/\1/p' \
		"$CC_WORK/$mode.err")
	tap_diag "$(grep -E '^copenclose: [0-9]+ events delivered' "$CC_WORK/$mode.err")"
	[ "$made" -gt 0 ] && [ -n "$lost" ] && [ $((made - seen)) -eq $((lost + ${unread:-0})) ]
	tap_ok $? "$mode: what is missing is what was counted lost or unread ($((made - seen)) missing, ${lost:-?} lost, ${unread:-0} unread)"
	if [ $((${lost:-0} + ${unread:-0})) -gt 0 ]; then want=3; else want=0; fi
	tap_is "$CC_TRACER_RC" "$want" "$mode: --fail-on-loss's status says whether anything was lost"
	[ "$seen" -le "$made" ]
	tap_ok $? "$mode: no event more than the calls made ($seen of $made)"
	tap_is "$seen" "$made" "$mode: every flood call is an event ($seen of $made)"
	tap_is "${lost:-?}" 0 "$mode: nothing lost"
done
