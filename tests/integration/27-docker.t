#!/usr/bin/env bash
# Real Docker (Debian's dockerd, started privately when the host runs none): containers made with
# docker run --name, --pid=host, --uts=host, --cgroup-parent and a short-lived --rm one do the
# known workload; every event of each carries the engine, the full id, the name and the image,
# with exact counts.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
tap_plan 17
want=$(cc_std_expected)

cc_docker_daemon
tap_ok $? "dockerd answers (private dir: ${CC_DOCKER_DIR:-none, the host daemon}; up in ${CC_DOCKER_SECS:-0} s)"
cc_docker_image
tap_ok $? "the busybox root imported as $CC_DOCKER_IMAGE"

parent=/cc-bars-$$
cc_engine_cgroup "$parent"
plain=$(cc_name) pidhost=$(cc_name) utshost=$(cc_name) nested=$(cc_name) brief=$(cc_name)
# shellcheck disable=SC2046
cc_docker_start "$plain" --network none -- $(cc_std_steps "$(cc_port)") &&
	cc_docker_start "$pidhost" --network none --pid=host -- $(cc_std_steps "$(cc_port)") &&
	cc_docker_start "$utshost" --network none --uts=host -- $(cc_std_steps "$(cc_port)") &&
	cc_docker_start "$nested" --network none --cgroup-parent "$parent" -- \
		$(cc_std_steps "$(cc_port)")
tap_ok $? "four docker containers started and wait"
tap_is "${CC_CGPATH[$nested]}" "$parent/${CC_ID[$nested]}" \
	"--cgroup-parent: the container's cgroup is $parent/ID"

cc_tracer_start json -o json -C "${CC_ENGINE_ARGS[@]}"
tap_ok $? "the tracer attached"
for n in "$plain" "$pidhost" "$utshost" "$nested"; do
	cc_container_go "$n"
	cc_container_wait "$n" || tap_diag "$n failed"
done
# a short-lived container, made after the tracer started: it runs straight through
ctl=$(cc_ctl_dir "$brief")
touch "$ctl/start"
# shellcheck disable=SC2046
cc_docker run --rm --name "$brief" --label "cc-test=$$" --network none -v "$ctl:/ctl" \
	"$CC_DOCKER_IMAGE" /bin/workload mark /ctl/ready wait-file /ctl/start \
	$(cc_std_steps "$(cc_port)") >"$CC_WORK/$brief.out" 2>&1
tap_ok $? "a short-lived docker run --rm ran to its end under the tracer"
sleep 0.5
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer ended with status 0"
j=$CC_WORK/json.out

# identity NAME: what every event of the container's cgroup says of it, one line when uniform
identity() {
	jq -c --argjson cg "${CC_CGID[$1]:-0}" 'select(.cgroup_id == $cg) | [.container_runtime,
		.container_id, .container_name, .container_image, .k8s_namespace, .k8s_pod,
		.k8s_pod_uid, .k8s_container]' "$j" | sort -u
}
for n in "$plain" "$pidhost" "$utshost" "$nested"; do
	case $n in
	"$plain") what="docker run --name" ;;
	"$pidhost") what="--pid=host" ;;
	"$utshost") what="--uts=host" ;;
	*) what="--cgroup-parent $parent" ;;
	esac
	tap_is "$(cc_json_summary "$j" ".cgroup_id == ${CC_CGID[$n]:-0}")" "$want" \
		"$what: exactly the workload's events in its cgroup"
	tap_is "$(identity "$n")" \
		"[\"docker\",\"${CC_ID[$n]}\",\"$n\",\"$CC_DOCKER_IMAGE\",null,null,null,null]" \
		"$what: every event says docker, the full id, the name, the image, no pod"
done
tap_is "$(cc_json_summary "$j" ".container_name == \"$brief\"")" "$want" \
	"docker run --rm (short-lived): exactly the workload's events under its name"
tap_is "$(jq -c --arg n "$brief" 'select(.container_name == $n and .comm == "workload") |
	[.container_runtime, (.container_id | length), .container_image]' "$j" | sort -u)" \
	"[\"docker\",64,\"$CC_DOCKER_IMAGE\"]" \
	"docker run --rm: engine docker, a full id, the image on every event"
