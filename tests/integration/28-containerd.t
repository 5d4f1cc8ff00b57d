#!/usr/bin/env bash
# Real containerd (Debian's 1.6, started privately when the host runs none) and the containerd
# that dockerd starts: a pod made the way the kubelet's CRI plugin makes one on a cgroupfs node
# (namespace k8s.io, cgroup /kubepods/besteffort/pod<uid>/<id>, the CRI annotations in the OCI
# spec) with its sandbox and two workloads, a plain ctr run in namespace default, and a pod's
# container on dockerd's containerd. Every event carries the engine, full id, name, pod,
# namespace, pod uid, container name and image, with exact counts.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
tap_plan 18
want=$(cc_std_expected)

cc_containerd_daemon
tap_ok $? "containerd answers (private dir: ${CC_CTRD_DIR:-none, the host daemon}; up in ${CC_CTRD_SECS:-0} s)"
cc_docker_daemon
tap_ok $? "dockerd answers, with its own containerd (up in ${CC_DOCKER_SECS:-0} s)"

uid=$(cat /proc/sys/kernel/random/uuid) uid2=$(cat /proc/sys/kernel/random/uuid)
pod=cart-$$ ns=shop-$$ image=registry.example/cc/app:1
cc_engine_cgroup /kubepods
# cri ROLE POD NS UID SANDBOX-ID [CONTAINER-NAME]: the annotations the CRI plugin writes
cri() {
	echo "--annotation=io.kubernetes.cri.container-type=$1"
	echo "--annotation=io.kubernetes.cri.sandbox-name=$2"
	echo "--annotation=io.kubernetes.cri.sandbox-namespace=$3"
	echo "--annotation=io.kubernetes.cri.sandbox-uid=$4"
	echo "--annotation=io.kubernetes.cri.sandbox-id=$5"
	if [ -n "${6:-}" ]; then
		echo "--annotation=io.kubernetes.cri.container-name=$6"
		echo "--annotation=io.kubernetes.cri.image-name=$image"
	fi
}
sb=$(cc_hex_id) w1=$(cc_hex_id) w2=$(cc_hex_id) dw=$(cc_hex_id) dsb=$(cc_hex_id)
plain=cc-plain-$$
mapfile -t a_sb < <(cri sandbox "$pod" "$ns" "$uid" "$sb")
mapfile -t a_w1 < <(cri container "$pod" "$ns" "$uid" "$sb" app)
mapfile -t a_w2 < <(cri container "$pod" "$ns" "$uid" "$sb" sidecar)
mapfile -t a_dw < <(cri container "web-$$" "$ns" "$uid2" "$dsb" front)
cg=/kubepods/besteffort/pod$uid
# shellcheck disable=SC2046
cc_ctr_start sandbox k8s.io "$sb" --cgroup "$cg/$sb" "${a_sb[@]}" -- \
	$(cc_std_steps "$(cc_port)") &&
	cc_ctr_start app k8s.io "$w1" --cgroup "$cg/$w1" "${a_w1[@]}" -- \
		$(cc_std_steps "$(cc_port)") &&
	cc_ctr_start sidecar k8s.io "$w2" --cgroup "$cg/$w2" "${a_w2[@]}" -- \
		$(cc_std_steps "$(cc_port)") &&
	cc_ctr_start plain default "$plain" -- $(cc_std_steps "$(cc_port)") &&
	CC_CTR_ADDRESS=$(cc_docker_containerd_sock) cc_ctr_start front k8s.io "$dw" \
		--cgroup "/kubepods/besteffort/pod$uid2/$dw" "${a_dw[@]}" -- $(cc_std_steps "$(cc_port)")
tap_ok $? "a pod (sandbox and two workloads), a plain ctr run and a pod on dockerd's containerd wait"
tap_is "${CC_CGPATH[app]} ${CC_CGPATH[plain]}" "$cg/$w1 /default/$plain" \
	"their cgroups: the kubelet's /kubepods/besteffort/pod<uid>/<id>, containerd's /<namespace>/<id>"

cc_tracer_start table -C "${CC_ENGINE_ARGS[@]}"
table_pid=$CC_TRACER_PID
cc_tracer_start json -o json -C "${CC_ENGINE_ARGS[@]}"
tap_ok $? "two tracers attached (table, JSON)"
for n in sandbox app sidecar plain front; do
	cc_container_go "$n"
	cc_container_wait "$n" || tap_diag "$n failed"
done
sleep 0.5
cc_tracer_stop INT
json_rc=$CC_TRACER_RC
CC_TRACER_PID=$table_pid
cc_tracer_stop INT
tap_is "$json_rc $CC_TRACER_RC" "0 0" "both tracers ended with status 0"
j=$CC_WORK/json.out

identity() {
	jq -c --argjson cg "${CC_CGID[$1]:-0}" 'select(.cgroup_id == $cg) | [.container_runtime,
		.container_id, .container_name, .container_image, .k8s_namespace, .k8s_pod,
		.k8s_pod_uid, .k8s_container]' "$j" | sort -u
}
check() { # NAME WHAT IDENTITY
	tap_is "$(cc_json_summary "$j" ".cgroup_id == ${CC_CGID[$1]:-0}")" "$want" \
		"$2: exactly the workload's events in its cgroup"
	tap_is "$(identity "$1")" "$3" "$2: every event says $3"
}
check sandbox "the pod's sandbox" \
	"[\"containerd\",\"$sb\",\"$sb\",null,\"$ns\",\"$pod\",\"$uid\",null]"
check app "workload app" \
	"[\"containerd\",\"$w1\",\"$w1\",\"$image\",\"$ns\",\"$pod\",\"$uid\",\"app\"]"
check sidecar "workload sidecar" \
	"[\"containerd\",\"$w2\",\"$w2\",\"$image\",\"$ns\",\"$pod\",\"$uid\",\"sidecar\"]"
check plain "ctr run in namespace default" \
	"[\"containerd\",\"$plain\",\"$plain\",null,null,null,null,null]"
check front "a pod's container on dockerd's containerd" \
	"[\"containerd\",\"$dw\",\"$dw\",\"$image\",\"$ns\",\"web-$$\",\"$uid2\",\"front\"]"

t=$CC_WORK/table.out
tap_is "$(cc_table_summary "$t" CGROUPID "${CC_CGID[app]:-0}")" "$want" \
	"table: exactly the workload's events under app's CGROUPID"
tap_is "$(awk -v cg="${CC_CGID[app]:-0}" -v sb="${CC_CGID[sandbox]:-0}" '
	$1 == "TIME" { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["CGROUPID"] == cg || $col["CGROUPID"] == sb { print $col["CONTAINER"], $col["RUNTIME"] }' "$t" |
	sort -u)" "$ns/$pod/POD containerd
$ns/$pod/app containerd" "table: CONTAINER is namespace/pod/container (the sandbox's: POD)"
