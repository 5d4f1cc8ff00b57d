#!/usr/bin/env bash
# Filters that wait: -c NAME --wait names a runc container that starts after the tracer;
# --pod, --k8s-namespace and both select pods (kubelet-shaped, on a real containerd) made after
# the tracer started. From the first event of the selected containers every event of theirs is
# kept, exactly, and nothing else (a second container, other pods, the host) appears. Without
# --wait, -c of a container that is not running stays a usage error.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
tap_plan 15
want=$(cc_std_expected)

# --- -c NAME --wait ---------------------------------------------------------------------------
name=$(cc_name) other=$(cc_name)
"$CC_BIN" -c "$name" >/dev/null 2>"$CC_WORK/nowait.err"
tap_is "$? $(grep -c "no running container matches '$name'" "$CC_WORK/nowait.err")" "2 1" \
	"without --wait: -c of a container not running is exit 2, with the running ones listed"
cc_tracer_start wait -o json -c "$name" --wait
tap_ok $? "-c $name --wait: the tracer attached before the container exists"
tap_is "$(grep -c "^copenclose: waiting for container '$name': none is running yet" \
	"$CC_WORK/wait.err")" 1 "it says on stderr that it is waiting"
# shellcheck disable=SC2046
cc_runc_start "$name" $(cc_std_steps "$(cc_port)") &&
	cc_runc_start "$other" $(cc_std_steps "$(cc_port)")
tap_ok $? "then two runc containers started: $name and $other"
for n in "$name" "$other"; do
	cc_container_go "$n"
	cc_container_wait "$n" || tap_diag "$n failed"
done
sleep 0.5
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer ended with status 0"
tap_is "$(cc_json_summary "$CC_WORK/wait.out" ".container_name == \"$name\"")" "$want" \
	"exactly the workload's events of $name"
tap_is "$(jq -r '[.container_name, .cgroup_id] | @tsv' "$CC_WORK/wait.out" | sort -u)" \
	"$(printf '%s\t%s' "$name" "${CC_CGID[$name]:-0}")" \
	"and nothing else: every event is $name's, in its cgroup (not $other's, not the host's)"
cc_closing_line wait | grep -Eq '^copenclose: [0-9]+ events delivered, 0 lost, [0-9]+ not selected$'
tap_ok $? "the closing line counts what was not selected"

# --- --pod, --k8s-namespace -------------------------------------------------------------------
cc_containerd_daemon || tap_bail "containerd did not start"
cc_engine_cgroup /kubepods
ns=shop-$$ ns2=lab-$$ pod=cart-$$ pod2=queue-$$
cc_tracer_start both -o json --pod "$pod" --k8s-namespace "$ns" "${CC_ENGINE_ARGS[@]}" &&
	both_pid=$CC_TRACER_PID &&
	cc_tracer_start byns -o json --k8s-namespace "$ns" "${CC_ENGINE_ARGS[@]}" &&
	byns_pid=$CC_TRACER_PID &&
	cc_tracer_start bypod -o json --pod "$pod" "${CC_ENGINE_ARGS[@]}"
tap_ok $? "three tracers (--pod with --k8s-namespace, --k8s-namespace, --pod) attached first"
tap_is "$(cat "$CC_WORK/both.err" "$CC_WORK/byns.err" "$CC_WORK/bypod.err" | grep -c '^copenclose: waiting for ')" \
	3 "each says it is waiting"

# pod_ctr NAME POD NAMESPACE: a workload container of a pod (its own pod uid), as the CRI makes it
pod_ctr() {
	local id uid
	id=$(cc_hex_id) uid=$(cat /proc/sys/kernel/random/uuid)
	# shellcheck disable=SC2046
	cc_ctr_start "$1" k8s.io "$id" --cgroup "/kubepods/besteffort/pod$uid/$id" \
		--annotation=io.kubernetes.cri.container-type=container \
		--annotation="io.kubernetes.cri.sandbox-name=$2" \
		--annotation="io.kubernetes.cri.sandbox-namespace=$3" \
		--annotation="io.kubernetes.cri.sandbox-uid=$uid" \
		--annotation="io.kubernetes.cri.container-name=$1" -- $(cc_std_steps "$(cc_port)")
}
pod_ctr app1 "$pod" "$ns" && pod_ctr app2 "$pod2" "$ns" && pod_ctr app3 "$pod" "$ns2"
tap_ok $? "then pods: $ns/$pod (app1), $ns/$pod2 (app2), $ns2/$pod (app3)"
for n in app1 app2 app3; do
	cc_container_go "$n"
	cc_container_wait "$n" || tap_diag "$n failed"
done
sleep 0.5
cc_tracer_stop INT
rc=$CC_TRACER_RC
for p in "$both_pid" "$byns_pid"; do
	CC_TRACER_PID=$p
	cc_tracer_stop INT
	rc="$rc $CC_TRACER_RC"
done
tap_is "$rc" "0 0 0" "the three tracers ended with status 0"

# kept TAG: per cgroup of the output, the container and its exact event summary
kept() {
	local n
	for n in app1 app2 app3; do
		if [ "$(cc_json_summary "$CC_WORK/$1.out" ".cgroup_id == ${CC_CGID[$n]:-0}")" == "$want" ]; then
			echo "$n"
		fi
	done
	jq -r '.cgroup_id' "$CC_WORK/$1.out" | sort -u | wc -l
}
tap_is "$(kept both)" "app1
1" "--pod $pod --k8s-namespace $ns: exactly app1's events, and only its cgroup"
tap_is "$(kept byns)" "app1
app2
2" "--k8s-namespace $ns: exactly app1's and app2's events, and only their cgroups"
tap_is "$(kept bypod)" "app1
app3
2" "--pod $pod: exactly app1's and app3's (pods of that name in any namespace), nothing else"
