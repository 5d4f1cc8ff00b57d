#!/usr/bin/env bash
# -e, -x, -p and --by with two runc containers running the known workload at once: each filter
# keeps exactly the events it should, of the one it should, and --by keys the table by the
# namespace it names.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 14 rootfs
want=$(cc_std_expected)

# run_two TAG TRACER-ARGS...: containers a and b run the standard workload under the tracer.
run_two() {
	local tag=$1
	shift
	a=$(cc_name) b=$(cc_name)
	# shellcheck disable=SC2046
	cc_runc_start "$a" $(cc_std_steps "$(cc_port)") sleep 1000 || return 1
	# shellcheck disable=SC2046
	cc_runc_start "$b" $(cc_std_steps "$(cc_port)") sleep 1000 || return 1
	cc_tracer_start "$tag" "$@" || return 1
	cc_container_go "$a"
	cc_container_go "$b"
	cc_container_wait "$a" || return 1
	cc_container_wait "$b" || return 1
	sleep 0.3
	cc_tracer_stop INT
	[ "$CC_TRACER_RC" -eq 0 ] || tap_diag "$tag: the tracer exited $CC_TRACER_RC:" \
		"$(cat "$CC_WORK/$tag.err")"
	[ "$CC_TRACER_RC" -eq 0 ]
}

# The rows of a table, after its header: SYSCALL RET for every row (the whole host).
rows() { awk '!hdr && $1 == "TIME" { hdr = 1; next } hdr { print $6, $8 }' "$CC_WORK/$1.out"; }

run_two calls -e connect,accept,accept4
tap_ok $? "-e connect,accept,accept4: both ran under the tracer, which ended with status 0"
tap_is "$(cc_table_summary "$CC_WORK/calls.out" HOSTNAME "$a")" \
	"$(echo "$want" | grep -E '^(connect|accept|accept4) ')" \
	"-e: exactly the connects and accepts of container a"
tap_is "$(rows calls | awk '{ print $1 }' | sort -u | tr '\n' ' ')" "accept accept4 connect " \
	"-e: no other system call from anywhere"

run_two failed -x
tap_ok $? "-x: both ran under the tracer, which ended with status 0"
tap_is "$(cc_table_summary "$CC_WORK/failed.out" HOSTNAME "$b")" \
	"$(echo "$want" | grep -Ev ' ok ')" "-x: exactly the failed calls of container b"
tap_is "$(rows failed | awk '$2 ~ /^[0-9]+$/' | wc -l)" 0 "-x: no success from anywhere"

# -p: the pid is known only once a is ready, so the tracer starts inside the run.
a=$(cc_name) b=$(cc_name)
# shellcheck disable=SC2046
cc_runc_start "$a" $(cc_std_steps "$(cc_port)") sleep 1000
# shellcheck disable=SC2046
cc_runc_start "$b" $(cc_std_steps "$(cc_port)") sleep 1000
cc_tracer_start pid -p "${CC_CPID[$a]}" && cc_container_go "$b" && cc_run_traced "$a" &&
	cc_container_wait "$b" && [ "$CC_TRACER_RC" -eq 0 ]
tap_ok $? "-p ${CC_CPID[$a]}: both ran under the tracer, which ended with status 0"
tap_is "$(cc_table_summary "$CC_WORK/pid.out" HOSTNAME "$a")" "$want" \
	"-p: exactly the events of container a's workload"
tap_is "$(awk '!hdr && $1 == "TIME" { hdr = 1; next } hdr { print $3 }' "$CC_WORK/pid.out" |
	sort -u)" "${CC_CPID[$a]}" "-p: no event of any other process"

run_two pidns --by pidns
tap_ok $? "--by pidns: both ran under the tracer, which ended with status 0"
tap_is "$(head -n1 "$CC_WORK/pidns.out" | awk '{ print $2 }')" PIDNS \
	"--by pidns: the second column is PIDNS"
tap_is "$(cc_table_summary "$CC_WORK/pidns.out" PIDNS "${CC_PIDNS[$a]}")" "$want" \
	"--by pidns: exactly container a's events under its pid namespace ${CC_PIDNS[$a]}"

run_two mntns --by mntns
tap_ok $? "--by mntns: both ran under the tracer, which ended with status 0"
tap_is "$(cc_table_summary "$CC_WORK/mntns.out" MNTNS "${CC_MNTNS[$b]}")" "$want" \
	"--by mntns: exactly container b's events under its mount namespace ${CC_MNTNS[$b]}"
