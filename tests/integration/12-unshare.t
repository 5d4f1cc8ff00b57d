#!/usr/bin/env bash
# Bare namespaces without a runtime (unshare --uts --pid --fork --mount-proc): the hostname set
# inside is reported, the pid is the host's view (pid 1 inside), and the events are exact.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 9 rootfs
want=$(cc_std_expected)

# run_ns TAG TRACER-ARGS...: sets name.
run_ns() {
	local tag=$1
	shift
	name=$(cc_name)
	mkdir -p "$CC_WORK/sock-$tag"
	# shellcheck disable=SC2046
	cc_unshare_start "$name" $(cc_std_steps "$(cc_port)" "$CC_WORK/sock-$tag" |
		sed "s#/data/file#$CC_ROOTFS/data/file#g") || return 1
	cc_tracer_start "$tag" "$@" || return 1
	cc_run_traced "$name" || return 1
	[ "$CC_TRACER_RC" -eq 0 ]
}

run_ns table
tap_ok $? "table: the namespaced workload ran under the tracer, which ended with status 0"
tap_is "$(cc_table_summary "$CC_WORK/table.out" HOSTNAME "$name")" "$want" \
	"table: exactly its events under the hostname set inside ($name)"
tap_is "$(awk -v n="$name" '$2 == n && $7 == "workload" { print $3 }' "$CC_WORK/table.out" |
	sort -u)" \
	"${CC_CPID[$name]}" "table: PID is the host's view of it (${CC_CPID[$name]})"

run_ns json -o json -n workload
tap_ok $? "json: the namespaced workload ran under the tracer, which ended with status 0"
j=$CC_WORK/json.out
# unshare(1) itself shares the new UTS namespace (it forks after unshare): keep to the workload.
sel="select(.hostname == \"$name\" and .comm == \"workload\")"
tap_is "$(cc_json_summary "$j" ".hostname == \"$name\"")" "$want" \
	"json: exactly its events by hostname"
tap_is "$(jq -r "$sel | [.pid, .ns_pid] | @tsv" "$j" | sort -u)" \
	"$(printf '%s\t1' "${CC_CPID[$name]}")" \
	"json: pid ${CC_CPID[$name]} as the host sees it, 1 inside its pid namespace"
tap_is "$(jq -r "$sel | [.pidns, .mntns] | @tsv" "$j" | sort -u)" \
	"$(printf '%s\t%s' "${CC_PIDNS[$name]}" "${CC_MNTNS[$name]}")" \
	"json: pidns and mntns are its own"
tap_is "$(jq -r "$sel | (.pidns != $(stat -L -c %i /proc/self/ns/pid) and
	.mntns != $(stat -L -c %i /proc/self/ns/mnt) and .host == false)" "$j" | sort -u)" true \
	"json: pidns and mntns differ from the host's, host is false"
mycg=$(stat -c %i "$CC_V2$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)")
tap_is "$(jq -r "$sel | .cgroup_id" "$j" | sort -u)" "$mycg" \
	"json: cgroup_id is the cgroup it shares with the shell that started it"
