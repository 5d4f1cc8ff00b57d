#!/usr/bin/env bash
# The host is told by its namespaces, not by the address of a namespace set: a host task with a
# namespace set of its own (unshare -n: its own network namespace, the host's pid, mount and UTS
# ones) is host, and a container whose namespace set reuses that memory once the task exited is
# not: -I keeps every one of its events.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
tap_plan 6
comm=cchostnet$$
comm=${comm:0:15}
bin=$CC_WORK/$comm
cp "$CC_WORKLOAD" "$bin"
file=$CC_WORK/file
echo data >"$file"
rounds=8

# run TAG TRACER-ARGS...: the unshare -n task first (the first task the tracer sees, as -n keeps
# every other one out before the host test), then containers made one by one on the same CPU,
# where the freed namespace set is the next one handed out.
run() {
	local tag=$1 i
	shift
	cc_tracer_start "$tag" -o json -n "$comm" "$@" || return 1
	taskset -c 0 unshare -n "$bin" open "$file" 3 || return 1
	for i in $(seq "$rounds"); do
		taskset -c 0 unshare --uts --pid --fork --mount-proc "$bin" hostname "cchn-$$-$i" \
			open "$file" 2 || return 1
	done
	sleep 0.3
	cc_tracer_stop INT
	[ "$CC_TRACER_RC" -eq 0 ]
}

run plain
tap_ok $? "without -I: the workloads ran under the tracer, which ended with status 0"
j=$CC_WORK/plain.out
tap_is "$(jq -r 'select(.hostname | startswith("cchn-") | not) | .host' "$j" | sort | uniq -c |
	awk '{print $1, $2}')" "6 true" \
	"without -I: the unshare -n task's 6 events are the host's"
tap_is "$(jq -r 'select(.hostname | startswith("cchn-")) | .host' "$j" | sort | uniq -c |
	awk '{print $1, $2}')" "$((rounds * 4)) false" \
	"without -I: the containers' $((rounds * 4)) events are not the host's"

run ignore -I
tap_ok $? "with -I: the workloads ran under the tracer, which ended with status 0"
j=$CC_WORK/ignore.out
tap_is "$(jq -r 'select(.hostname | startswith("cchn-") | not) | .pid' "$j" | wc -l)" 0 \
	"with -I: no event of the unshare -n task"
tap_is "$(jq -r 'select(.hostname | startswith("cchn-")) | "\(.hostname) \(.syscall) \(.host)"' \
	"$j" | sort | uniq -c | awk '{print $1, $2, $3, $4}')" \
	"$(for i in $(seq "$rounds"); do
		echo "2 cchn-$$-$i close false"
		echo "2 cchn-$$-$i openat false"
	done | sort)" \
	"with -I: every container's events are there, none taken for the host"
