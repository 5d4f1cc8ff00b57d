#!/usr/bin/env bash
# runc containers under any cgroupsPath, not only "/<id>": a parent of the user's choosing
# (/PARENT/<id>), containerd's shape (/<namespace>/<id>), the kubelet's
# (/kubepods/besteffort/pod<uid>/<id>, a 64-hex id), and a short-lived one under a parent whose
# state is gone before it is looked at: each named runc with its id, exact counts.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
tap_plan 11
want=$(cc_std_expected)

parent=/cc-bars-$$ nsdir=/cc-ns-$$ uid=$(cat /proc/sys/kernel/random/uuid)
cc_engine_cgroup "$parent" "$nsdir" /kubepods

# start_at NAME CGROUPS-PATH STEP...: cc_runc_start with another cgroupsPath.
start_at() {
	local name=$1 cg=$2 ctl bundle
	shift 2
	ctl=$(cc_ctl_dir "$name")
	bundle=$(cc_runc_bundle "$name" "$ctl" "$@") || return 1
	jq --arg cg "$cg" '.linux.cgroupsPath = $cg' "$bundle/config.json" >"$bundle/c.new" &&
		mv "$bundle/c.new" "$bundle/config.json"
	CC_KIND[$name]=runc CC_CTL[$name]=$ctl CC_CGPATH[$name]=$cg
	runc run --bundle "$bundle" "$name" </dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	cc_container_ready "$name"
}

a=$(cc_name) b=$(cc_name) k=$(cc_hex_id) brief=$(cc_name)
# shellcheck disable=SC2046
start_at "$a" "$parent/$a" $(cc_std_steps "$(cc_port)") &&
	start_at "$b" "$nsdir/$b" $(cc_std_steps "$(cc_port)") &&
	start_at "$k" "/kubepods/besteffort/pod$uid/$k" $(cc_std_steps "$(cc_port)")
tap_ok $? "three runc containers under $parent, $nsdir and /kubepods/besteffort/pod<uid> wait"
cc_tracer_start json -o json -C
tap_ok $? "the tracer attached"
for n in "$a" "$b" "$k"; do
	cc_container_go "$n"
	cc_container_wait "$n" || tap_diag "$n failed"
done
# short-lived: straight through, its state removed by runc run's end
ctl=$(cc_ctl_dir "$brief")
touch "$ctl/start"
# shellcheck disable=SC2046
start_at "$brief" "$parent/$brief" $(cc_std_steps "$(cc_port)")
cc_container_wait "$brief"
tap_ok $? "a short-lived runc container under $parent ran to its end"
sleep 0.5
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer ended with status 0"
j=$CC_WORK/json.out

for n in "$a" "$b" "$k"; do
	tap_is "$(cc_json_summary "$j" ".cgroup_id == ${CC_CGID[$n]:-0}")" "$want" \
		"${CC_CGPATH[$n]%/*}/<id>: exactly the workload's events in its cgroup"
done
tap_is "$(jq -c --argjson c1 "${CC_CGID[$a]:-0}" --argjson c2 "${CC_CGID[$b]:-0}" \
	'select(.cgroup_id == $c1 or .cgroup_id == $c2) |
	[.container_runtime, .container_id, .container_name, .cgroup]' "$j" | sort -u)" \
	"$(printf '["runc","%s","%s","%s"]\n' "$a" "$a" "$parent/$a" "$b" "$b" "$nsdir/$b" | sort)" \
	"$parent/<id> and $nsdir/<id>: runc, the id and name on every event"
tap_is "$(jq -c --argjson c "${CC_CGID[$k]:-0}" 'select(.cgroup_id == $c) |
	[.container_runtime, .container_id, .k8s_pod_uid]' "$j" | sort -u)" \
	"[\"runc\",\"$k\",\"$uid\"]" \
	"/kubepods/besteffort/pod<uid>/<id>: runc (its state), the full id, the pod uid from the path"
tap_is "$(cc_json_summary "$j" ".container_name == \"$brief\"")" "$want" \
	"short-lived under $parent: exactly the workload's events under its name"
tap_is "$(jq -c --arg n "$brief" 'select(.container_name == $n) | [.container_runtime,
	.container_id, .cgroup]' "$j" | sort -u)" "[\"runc\",\"$brief\",\"$parent/$brief\"]" \
	"short-lived: runc and its id on every event"
