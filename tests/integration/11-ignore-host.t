#!/usr/bin/env bash
# -I drops the host's own events and keeps the container's: a workload on the host and one in a
# runc container run at the same time, with and without -I.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 8 rootfs
want=$(cc_std_expected)

# run_pair TAG TRACER-ARGS...: sets c (container) and h (host workload).
run_pair() {
	local tag=$1
	shift
	c=$(cc_name) h=$(cc_name)
	# shellcheck disable=SC2046
	cc_runc_start "$c" $(cc_std_steps "$(cc_port)") sleep 1500 ||
		{ tap_diag "$tag: the container did not start"; return 1; }
	mkdir -p "$CC_WORK/sock-$h"
	# shellcheck disable=SC2046
	cc_host_start "$h" $(cc_std_steps "$(cc_port)" "$CC_WORK/sock-$h" |
		sed "s#/data/file#$CC_ROOTFS/data/file#g") ||
		{ tap_diag "$tag: the host workload did not start"; return 1; }
	cc_tracer_start "$tag" -o json -n workload "$@" || return 1
	cc_container_go "$h"
	cc_container_go "$c"
	cc_container_wait "$h" || { tap_diag "$tag: the host workload failed"; return 1; }
	cc_container_wait "$c" || { tap_diag "$tag: the container failed"; return 1; }
	sleep 0.3
	cc_tracer_stop INT
	# Keep the two workloads' events and those marked host (the host may be busy).
	jq -c "select(.pid == ${CC_CPID[$h]} or .hostname == \"$c\" or .host)" \
		"$CC_WORK/$tag.out" >"$CC_WORK/$tag.mine"
	[ "$CC_TRACER_RC" -eq 0 ]
}

run_pair plain
tap_ok $? "without -I: both workloads ran under the tracer, which ended with status 0"
tap_is "$(cc_json_summary "$CC_WORK/plain.mine" ".pid == ${CC_CPID[$h]}")" "$want" \
	"without -I: the host workload's events are all there"
tap_is "$(jq -r "select(.pid == ${CC_CPID[$h]}) | .host" "$CC_WORK/plain.mine" | sort -u)" true \
	"without -I: they are marked host: true"
tap_is "$(cc_json_summary "$CC_WORK/plain.mine" ".hostname == \"$c\"")" "$want" \
	"without -I: the container's events are all there"

run_pair ignore -I
tap_ok $? "with -I: both workloads ran under the tracer, which ended with status 0"
# (2>&1: a missing file counts as a line, not as an empty answer)
tap_is "$(jq -r "select(.pid == ${CC_CPID[$h]}) | .syscall" "$CC_WORK/ignore.mine" 2>&1 |
	wc -l)" 0 \
	"with -I: no event of the host workload (pid ${CC_CPID[$h]})"
tap_is "$(jq -r 'select(.host) | .pid' "$CC_WORK/ignore.mine" 2>&1 | wc -l)" 0 \
	"with -I: no event marked host at all"
tap_is "$(cc_json_summary "$CC_WORK/ignore.mine" ".hostname == \"$c\"")" "$want" \
	"with -I: the container's events are all there"
