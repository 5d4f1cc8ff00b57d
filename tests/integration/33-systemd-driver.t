#!/usr/bin/env bash
# runc and crun with the systemd cgroup driver: cgroupsPath "system.slice:RUNTIME:<id>" makes
# systemd create the transient unit RUNTIME-<id>.scope, cgroup /system.slice/RUNTIME-<id>.scope
# (runc's process is there; crun's in its sub-cgroup "container", crun's default on cgroup v2,
# run.oci.systemd.subgroup in crun(1)); the standard workload in each is seen with exact counts,
# and named runc / crun with its id.
#
# Where it runs: only where systemd is PID 1 on a unified cgroup v2 host (scripts/vm-run
# --systemd 6.12; make vm-test's systemd guest). The systemd driver asks systemd (over D-Bus) to
# make the scope, so without systemd as PID 1 there is no such cgroup to make: the runtimes refuse,
# and a fake (a hand-made directory of that name) would test the path fixtures again, which the
# unit tests do already. That is why this test skips where systemd is not PID 1 (this machine's
# own init is not systemd) -- a reason like BPF not loading: the thing under test cannot exist
# there. The guest that has systemd sets CC_SYSTEMD_GUEST=1 (tests/vm/init), and there a
# missing systemd is a failure, not a skip, so the run that must cover this row cannot skip it.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || [ ! -d /run/systemd/system ]; then
	[ -z "${CC_SYSTEMD_GUEST:-}" ] || tap_bail "CC_SYSTEMD_GUEST is set, yet systemd is not PID 1"
	tap_skip_all "systemd is not PID 1 here: the systemd cgroup driver needs it (scripts/vm-run --systemd runs this test)"
fi
cc_begin 19 rootfs
want=$(cc_std_expected)

# The systemd driver must be named on every runc/crun command, delete included.
cc_runcsd_kill() { runc --systemd-cgroup delete --force "$1" >/dev/null 2>&1; }
cc_crunsd_kill() { crun --systemd-cgroup delete --force "$1" >/dev/null 2>&1; }

# start_sd RUNTIME NAME STEP...: a RUNTIME (runc or crun) container with the systemd driver,
# cgroupsPath system.slice:RUNTIME:NAME; returns once its workload is ready.
start_sd() {
	local rt=$1 name=$2 ctl bundle
	shift 2
	ctl=$(cc_ctl_dir "$name")
	bundle=$(cc_runc_bundle --cgroup "system.slice:$rt:$name" "$name" "$ctl" "$@") || return 1
	# crun applies runc's default device rules through systemd properties it does not know.
	if [ "$rt" = crun ]; then
		jq 'del(.linux.resources)' "$bundle/config.json" >"$bundle/c.new" &&
			mv "$bundle/c.new" "$bundle/config.json"
	fi
	CC_KIND[$name]=${rt}sd CC_CTL[$name]=$ctl CC_CGPATH[$name]=/system.slice/$rt-$name.scope
	[ "$rt" = runc ] || CC_CGPATH[$name]+=/container
	"$rt" --systemd-cgroup run --bundle "$bundle" "$name" </dev/null >"$CC_WORK/$name.out" \
		2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	cc_container_ready "$name"
}

r=$(cc_name) c=$(cc_name)
# The workloads linger 1.5 s after their steps: their scopes still exist when the tracer reads.
# shellcheck disable=SC2046
start_sd runc "$r" $(cc_std_steps "$(cc_port)") sleep 1500
tap_ok $? "a runc --systemd-cgroup container started and waits"
# shellcheck disable=SC2046
start_sd crun "$c" $(cc_std_steps "$(cc_port)") sleep 1500
tap_ok $? "a crun --systemd-cgroup container started and waits"

for n in "$r" "$c"; do
	rt=${CC_KIND[$n]%sd}
	tap_is "$(awk -F: '$1 == "0" { print $3 }' "/proc/${CC_CPID[$n]:-0}/cgroup" 2>&1)" \
		"${CC_CGPATH[$n]}" "$rt: its workload's cgroup is ${CC_CGPATH[$n]}"
	tap_is "$(systemctl is-active "$rt-$n.scope" 2>&1)" active \
		"$rt: systemd made the unit $rt-$n.scope and it is active"
done

cc_tracer_start json -o json -n workload
tap_ok $? "the tracer attached"
cc_container_go "$r"
cc_container_go "$c"
cc_container_wait "$r"
tap_ok $? "runc: the workload ran to its end (status 0)"
cc_container_wait "$c"
tap_ok $? "crun: the workload ran to its end (status 0)"
sleep 0.3 # the last events through the ring buffer
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer ended with status 0"
j=$CC_WORK/json.out

# A record waits for its cgroup's name at most 100 ms (the naming thread reads the runtime's
# state): one that waited longer is written with the cgroup id alone and counted on stderr ("N
# records written before their cgroup was named"; a guest under TCG on a loaded machine once, 9
# of runc's). A record without its name is allowed only as counted there; every named record is
# named right.
late=$(sed -n 's/^copenclose: \([0-9]*\) records written before their cgroup was named.*/\1/p' \
	"$CC_WORK/json.err")
unnamed_all=0
for n in "$r" "$c"; do
	rt=${CC_CGPATH[$n]#/system.slice/}
	rt=${rt%%-*}
	tap_is "$(cc_json_summary "$j" ".cgroup_id == ${CC_CGID[$n]:-0}")" "$want" \
		"$rt: exactly the workload's events in its scope's cgroup (id ${CC_CGID[$n]:-unknown})"
	tap_is "$(cc_json_summary "$j" ".hostname == \"$n\"")" "$want" \
		"$rt: exactly the workload's events by hostname"
	unnamed=$(jq -c "select(.hostname == \"$n\" and .cgroup == null)" "$j" | wc -l)
	unnamed_all=$((unnamed_all + unnamed))
	[ "$unnamed" -gt 0 ] && tap_diag "$rt: $unnamed records unnamed; the tracer's stderr: $(cat "$CC_WORK/json.err")"
	want_named="[${CC_CGID[$n]:-0},\"${CC_CGPATH[$n]}\",\"$rt\",\"$n\",false]"
	named=$(jq -c "select(.hostname == \"$n\" and .cgroup != null) | [.cgroup_id, .cgroup,
		.container_runtime, .container_id, .host]" "$j" | sort -u)
	# every record unnamed, each counted: nothing named wrong
	[ -z "$named" ] && [ "$unnamed" -gt 0 ] && [ "$unnamed" -le "${late:-0}" ] && named=$want_named
	tap_is "$named" "$want_named" \
		"$rt: every event named names cgroup ${CC_CGPATH[$n]}, runtime $rt, id $n"
done
tap_check "a record unnamed only as the tracer counted ($unnamed_all unnamed, ${late:-0} counted)" \
	test "$unnamed_all" -le "${late:-0}"

# Nothing left: runc/crun delete ended each scope, and systemd removed its cgroup.
for n in "$r" "$c"; do
	rt=${CC_CGPATH[$n]#/system.slice/}
	rt=${rt%%-*}
	cc_wait_for 20 test ! -d "$CC_V2/system.slice/$rt-$n.scope"
	tap_ok $? "$rt: once the container is deleted, its scope's cgroup is gone"
done
