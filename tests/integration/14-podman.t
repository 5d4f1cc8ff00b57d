#!/usr/bin/env bash
# A podman container (runc runtime, cgroupfs: /libpod_parent/libpod-ID) does the known workload:
# exact events in the table and in JSON, with its cgroup id, hostname, runtime and full id.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 8 rootfs
want=$(cc_std_expected)

name=$(cc_name)
# The container lingers 1.5 s so that its cgroup outlives its events (10-runc.t tests the
# short-lived case).
# shellcheck disable=SC2046
cc_podman_start "$name" $(cc_std_steps "$(cc_port)") sleep 1500
tap_ok $? "the podman container started and waits"
cc_tracer_start json -o json -n workload && cc_run_traced "$name" && [ "$CC_TRACER_RC" -eq 0 ]
tap_ok $? "it ran under the tracer, which ended with status 0"
j=$CC_WORK/json.out
id=${CC_ID[$name]} cgid=${CC_CGID[$name]}
tap_is "$(cc_json_summary "$j" ".hostname == \"$name\"")" "$want" \
	"json: exactly the workload's events by hostname"
tap_is "$(cc_json_summary "$j" ".cgroup_id == ${cgid:-0}")" "$want" \
	"json: exactly the workload's events by cgroup_id ${cgid:-unknown} ($CC_V2${CC_CGPATH[$name]})"
tap_is "$(jq -c "select(.hostname == \"$name\") | [.cgroup_id, .cgroup, .container_runtime,
	.container_id, .host, .pid]" "$j" | sort -u)" \
	"[${cgid:-0},\"/libpod_parent/libpod-$id\",\"podman\",\"$id\",false,${CC_CPID[$name]}]" \
	"json: cgroup_id, cgroup, runtime podman, the full id, not host, the host's pid"
tap_is "$(jq -r "select(.hostname == \"$name\") | .container_name" "$j" | sort -u)" "$name" \
	"json: container_name is the podman name"

name=$(cc_name)
# shellcheck disable=SC2046
cc_podman_start "$name" $(cc_std_steps "$(cc_port)") sleep 1500
cc_tracer_start table -C && cc_run_traced "$name" && [ "$CC_TRACER_RC" -eq 0 ]
tap_ok $? "-C table: a second container ran under the tracer, which ended with status 0"
tap_is "$(cc_table_summary "$CC_WORK/table.out" CGROUPID "${CC_CGID[$name]:-0}")" "$want" \
	"-C table: exactly the workload's events under its CGROUPID"
