#!/usr/bin/env bash
# The node agent: make image's FROM scratch image, run by podman as the DaemonSet runs it (not
# privileged: its securityContext translated to podman's flags, --cap-drop=all and the four
# capabilities it adds, --read-only, no-new-privileges; the host's PID and cgroup namespaces, the
# DaemonSet's read-only host mounts and arguments, all read from
# deploy/kubernetes/daemonset.yaml), traces the host's containers and names them exactly as a
# tracer on the host does, with exact counts; -I drops the host's own processes, not the tracer
# container's; its own events never appear; without --pid=host it refuses to start. With any of
# CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE less, or under podman's default seccomp profile, it refuses
# in one line naming what is missing; without CAP_DAC_READ_SEARCH it still names every container.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
for c in podman python3; do
	command -v "$c" >/dev/null || tap_bail "$c is not installed"
done
tap_plan 43

DS=$CC_ROOT/deploy/kubernetes/daemonset.yaml
DSPY=$CC_ROOT/tests/integration/daemonset.py
IMAGE=localhost/copenclose:test-$$
declare -A AGENT_PID=()
AGENTS=()

agent_cleanup() {
	local n
	for n in "${AGENTS[@]}"; do
		podman rm --force --time 0 "$n" >/dev/null 2>&1
	done
	podman manifest rm "$IMAGE" >/dev/null 2>&1
	podman rmi --force "$IMAGE" "$IMAGE-x86" "$IMAGE-arm64" >/dev/null 2>&1
	cc_cleanup
}
trap agent_cleanup EXIT

# --- the manifest ---
problems=$(python3 "$DSPY" "$DS" check 2>&1)
tap_ok $? "daemonset.yaml is YAML with one DaemonSet: ${problems:-no problem found}"
tap_is "$problems" "" "the DaemonSet: hostPID, not privileged, drops ALL and adds BPF, PERFMON, SYS_PTRACE, DAC_READ_SEARCH, no privilege escalation, read-only root, make image's image, control-plane tolerations, JSON, resources, host paths read-only at the same paths"
mapfile -t SEC < <(python3 "$DSPY" "$DS" podman)
mapfile -t CAPS < <(python3 "$DSPY" "$DS" caps)
tap_is "${CAPS[*]}" "CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" \
	"its capabilities, as podman flags: ${SEC[*]}"
mapfile -t DS_ARGS < <(python3 "$DSPY" "$DS" args)
tap_is "${DS_ARGS[*]}" "-o json -I" "its arguments: JSON lines, the host's own processes left out"
MOUNTS=()
while read -r host path mode; do
	if [ -e "$host" ]; then
		MOUNTS+=(-v "$host:$path:$mode")
	else
		tap_diag "$host: not on this host, not mounted (the DaemonSet creates it empty)"
	fi
done < <(python3 "$DSPY" "$DS" mounts)

# --- the image ---
make -s -C "$CC_ROOT" image IMAGE="$IMAGE" >"$CC_WORK/build.out" 2>&1
tap_ok $? "make image builds $IMAGE $(tail -n1 "$CC_WORK/build.out")"
c=$(podman create "$IMAGE" 2>/dev/null)
tap_is "$(podman export "$c" | tar -t | tr '\n' ' ')" "copenclose " \
	"the image holds one file, the tracer"
podman rm "$c" >/dev/null 2>&1
tap_is "$(podman image inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$IMAGE")" \
	'["/copenclose"] ["-o","json"]' "its entry point is the tracer, JSON lines by default"

# --- both architectures ---
# platforms JSON: the "os/architecture" of each manifest an image index or list names, sorted.
platforms() { jq -r '[.manifests[].platform | "\(.os)/\(.architecture)"] | sort | join(" ")'; }
tap_is "$(podman manifest inspect "$IMAGE" | platforms)" "linux/amd64 linux/arm64" \
	"$IMAGE is one image for both architectures (a manifest list)"
oci=$CC_ROOT/build/image.oci
index=$(jq -r '.manifests[] | select(.mediaType == "application/vnd.oci.image.index.v1+json") |
	.digest | sub("^sha256:"; "")' "$oci/index.json" 2>/dev/null)
tap_is "$(platforms <"$oci/blobs/sha256/${index:-none}")" "linux/amd64 linux/arm64" \
	"build/image.oci holds it as an OCI image index of both"
c=$(podman create --platform linux/arm64 "$IMAGE-arm64" 2>/dev/null)
podman export "$c" | tar -xOf - copenclose >"$CC_WORK/copenclose.arm64"
podman rm "$c" >/dev/null 2>&1
tap_is "$(file -b "$CC_WORK/copenclose.arm64" | cut -d, -f1-2,4 | tr -d ' ')" \
	"ELF64-bitLSBexecutable,ARMaarch64,staticallylinked" \
	"the arm64 image's tracer is a static aarch64 program"

# agent_podman NAME PIDOPT ARGS...: podman run of the image as the DaemonSet's container
# (AGENT_SEC: its securityContext as flags, ${SEC[@]} by default) named NAME, in the foreground;
# PIDOPT is --pid=host or "". The cgroup namespace is the host's, or $AGENT_CGNS (private: as a
# pod on a cgroup v2 node).
agent_podman() {
	local name=$1 pidopt=$2 sec=("${SEC[@]}")
	shift 2
	[ -n "${AGENT_SEC+set}" ] && read -ra sec <<<"$AGENT_SEC"
	# shellcheck disable=SC2086
	podman --runtime runc run --rm --name "$name" "${sec[@]}" $pidopt \
		--cgroupns="${AGENT_CGNS:-host}" --network none --ulimit nofile=1024:1024 \
		--ulimit nproc=4096:4096 "${MOUNTS[@]}" "$IMAGE" "$@"
}

# agent_run TAG PIDOPT ARGS...: agent_podman as cct-agent-PID-TAG in the background, stdout and
# stderr to $CC_WORK/TAG.out and .err.
agent_run() {
	local tag=$1 pidopt=$2 name="cct-agent-$$-$1"
	shift 2
	AGENTS+=("$name")
	: >"$CC_WORK/$tag.err"
	agent_podman "$name" "$pidopt" "$@" >"$CC_WORK/$tag.out" 2>>"$CC_WORK/$tag.err" </dev/null &
	AGENT_PID[$tag]=$!
}

# sec_without WHAT: the DaemonSet's flags without the one that is WHAT (--cap-add=CAP_BPF, ...).
sec_without() {
	local f out=()
	for f in "${SEC[@]}"; do [ "$f" = "$1" ] || out+=("$f"); done
	echo "${out[*]}"
}

# agent_start TAG ARGS...: as the DaemonSet runs it; returns once it printed Tracing.
agent_start() {
	local tag=$1
	shift
	agent_run "$tag" --pid=host "$@"
	cc_wait_for 60 cc_tracer_attached "$tag" "${AGENT_PID[$tag]}"
	grep -q '^Tracing' "$CC_WORK/$tag.err" || {
		tap_diag "agent $tag did not print Tracing:" "$(cat "$CC_WORK/$tag.err")"
		return 1
	}
}

# agent_stop TAG: SIGINT to the tracer in the container; sets rc to its exit status.
agent_stop() {
	podman kill --signal INT "cct-agent-$$-$1" >/dev/null 2>&1
	cc_wait_for 30 cc_not_running "${AGENT_PID[$1]}" || podman rm --force --time 0 "cct-agent-$$-$1"
	wait "${AGENT_PID[$1]}"
	rc=$?
}

# --- without --pid=host: refused, one line ---
agent_run nopid "" "${DS_ARGS[@]}"
cc_wait_for 60 cc_not_running "${AGENT_PID[nopid]}"
wait "${AGENT_PID[nopid]}"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$CC_WORK/nopid.err")" -eq 1 ] &&
	grep -q -- 'not in the host.s PID namespace.*--pid=host' "$CC_WORK/nopid.err"
tap_ok $? "without --pid=host it refuses with one line, status $rc: $(cat "$CC_WORK/nopid.err")"

# --- one capability less, or the runtime's default seccomp profile: refused, one line ---
for cap in CAP_BPF CAP_PERFMON CAP_SYS_PTRACE; do
	AGENT_SEC=$(sec_without "--cap-add=$cap") tap_refuses "without $cap" 1 "^copenclose: .*$cap" \
		agent_podman "cct-agent-$$-no-$cap" --pid=host "${DS_ARGS[@]}" -d 1
done
AGENT_SEC=$(sec_without --security-opt=seccomp=unconfined) tap_refuses \
	"podman's default seccomp profile" 1 "^copenclose: bpf\(\) is refused .*seccomp profile" \
	agent_podman "cct-agent-$$-seccomp" --pid=host "${DS_ARGS[@]}" -d 1

# --- the host's containers, and the host itself, traced from inside a container ---
ctr=$(cc_name) hst=$(cc_name)
# shellcheck disable=SC2046
cc_runc_start "$ctr" $(cc_std_steps "$(cc_port)")
hctl=$(cc_ctl_dir "$hst")
# shellcheck disable=SC2046
cc_host_start "$hst" $(cc_std_steps "$(cc_port)" "$hctl" | sed "s#/data/file#$CC_ROOTFS/data/file#g")
tap_ok $? "a runc container ($ctr) and a host process run the standard workload, held at start"

cc_tracer_start host -o json -n workload
host_tracer=$CC_TRACER_PID
agent_start plain -o json -n workload
tap_ok $? "in a container, -o json: Tracing"
agent_start ds "${DS_ARGS[@]}" -n workload
tap_ok $? "in a container, the DaemonSet's arguments (${DS_ARGS[*]}): Tracing"
AGENT_CGNS=private agent_start cgns -o json -n workload
tap_ok $? "in a container with a cgroup namespace of its own, -o json: Tracing"
agent_start self -o json -n copenclose
tap_ok $? "in a container, -o json -n copenclose (the tracers' own name): Tracing"
AGENT_SEC=$(sec_without --cap-add=CAP_DAC_READ_SEARCH) agent_start nodac -o json -n workload
tap_ok $? "in a container without CAP_DAC_READ_SEARCH, -o json: Tracing"
# The capabilities the tracer process holds: CapBnd stays what the container gave (no
# CAP_SETPCAP to shrink it); bits 2 (DAC_READ_SEARCH), 19 (SYS_PTRACE), 38 (PERFMON), 39 (BPF).
plain_pid=$(podman inspect -f '{{.State.Pid}}' "cct-agent-$$-plain")
tap_is "$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$plain_pid/status")" "000000c000080004" \
	"the tracer in the container holds exactly the DaemonSet's four capabilities (bounding set)"
self_pid=$(podman inspect -f '{{.State.Pid}}' "cct-agent-$$-self")
self_cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$self_pid/cgroup")

cc_container_go "$ctr"
cc_container_go "$hst"
cc_container_wait "$ctr"
cc_container_wait "$hst"
sleep 0.5 # the last events through the ring buffers
ok=0
for t in plain ds cgns self nodac; do
	agent_stop "$t"
	if [ "$rc" -ne 0 ] || ! cc_closing_ok "$t"; then
		ok=1
		tap_diag "$t: status $rc, $(cc_closing_line "$t")"
	fi
done
tap_ok $ok "each ended with status 0 on SIGINT and its closing count: $(cc_closing_line ds)"
CC_TRACER_PID=$host_tracer
cc_tracer_stop INT

want=$(cc_std_expected)
hpid=${CC_PID[$hst]}
tap_is "$(cc_json_summary "$CC_WORK/plain.out" ".container_id == \"$ctr\"")" "$want" \
	"-o json: exactly the container's events"
# Everything the host's tracer says about each event, but the time.
fields='[.syscall, .pid, .tid, .ppid, .uid, .ret, .errno, .fd, .path, .flags, .addr,
	.cgroup_id, .cgroup, .hostname, .pidns, .mntns, .container_id, .container_runtime,
	.container_name, .container_image, .k8s_pod, .identity_mismatch, .host]'
tap_is "$(jq -c "select(.container_id == \"$ctr\") | $fields" "$CC_WORK/plain.out" | sort)" \
	"$(jq -c "select(.container_id == \"$ctr\") | $fields" "$CC_WORK/host.out" | sort)" \
	"-o json: every field of every event of the container as the tracer on the host has it"
tap_is "$(jq -c "select(.container_id == \"$ctr\") | $fields" "$CC_WORK/cgns.out" | sort)" \
	"$(jq -c "select(.container_id == \"$ctr\") | $fields" "$CC_WORK/host.out" | sort)" \
	"in its own cgroup namespace too: every field of every event of the container as on the host"
tap_is "$(jq -c "select(.container_id == \"$ctr\") | $fields" "$CC_WORK/nodac.out" | sort)" \
	"$(jq -c "select(.container_id == \"$ctr\") | $fields" "$CC_WORK/host.out" | sort)" \
	"without CAP_DAC_READ_SEARCH (cgroups found by a walk): every field of every event as on the host"
tap_is "$(cc_json_summary "$CC_WORK/plain.out" ".pid == $hpid")" "$want" \
	"-o json: exactly the host process's events"
tap_is "$(jq -c "select(.pid == $hpid) | [.host, .pidns, .mntns, .container_id]" \
	"$CC_WORK/plain.out" | sort -u)" \
	"[true,$(stat -L -c %i /proc/self/ns/pid),$(stat -L -c %i /proc/self/ns/mnt),null]" \
	"-o json: the host process is the host: the host's namespaces, not the tracer container's"
tap_is "$(cc_json_summary "$CC_WORK/ds.out" ".container_id == \"$ctr\"")" "$want" \
	"-I: exactly the container's events"
tap_is "$(jq -c "select(.pid == $hpid or .host)" "$CC_WORK/ds.out" | wc -l)" 0 \
	"-I: none of the host process's, no event of the host at all"

tap_is "$(jq -c "select(.pid == $self_pid)" "$CC_WORK/self.out" | wc -l)" 0 \
	"itself: no event of its own host pid $self_pid"
tap_is "$(jq -c "select(.cgroup == \"$self_cg\")" "$CC_WORK/self.out" | wc -l)" 0 \
	"itself: no event from its container's cgroup $self_cg"
others=$(jq -c 'select(.comm == "copenclose")' "$CC_WORK/self.out" | wc -l)
[ "$others" -gt 0 ]
tap_ok $? "and yet it saw the other tracers' calls ($others events of processes named copenclose)"

n=0
for t in "${AGENTS[@]}"; do
	podman container exists "$t" && n=$((n + 1))
done
tap_is "$n" 0 "no tracer container is left behind"
