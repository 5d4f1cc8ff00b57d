#!/usr/bin/env bash
# LXC (lxc-execute): the container's events are named lxc with its name, not the host's, and -I
# keeps them.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 6 rootfs lxc-execute
name=cclxc-$$
conf=$CC_WORK/lxc.conf
mkdir -p "$CC_WORK/lxcpath"
cat >"$conf" <<EOC
lxc.rootfs.path = dir:$CC_ROOTFS
lxc.uts.name = $name
lxc.net.0.type = empty
EOC

# run TAG TRACER-ARGS...: the workload in an lxc container: 3 opens and closes, 2 failing opens
run() {
	local tag=$1
	shift
	cc_tracer_start "$tag" -o json -e openat,close "$@" || return 1
	timeout 60 lxc-execute -n "$name" -f "$conf" -P "$CC_WORK/lxcpath" -- \
		/bin/workload open /data/file 3 missing /nonexistent-cc 2 >"$CC_WORK/$tag.lxc" 2>&1 ||
		return 1
	sleep 0.3
	cc_tracer_stop INT
	[ "$CC_TRACER_RC" -eq 0 ]
}

for tag in plain ignore; do
	args=()
	[ $tag = ignore ] && args=(-I)
	run $tag "${args[@]}"
	tap_ok $? "$tag: lxc-execute ran the workload under the tracer (status 0)"
	j=$CC_WORK/$tag.out
	tap_is "$(cc_json_summary "$j" '.comm == "workload"')" \
		"$(printf 'close ok 3\nopenat ENOENT 2\nopenat ok 3')" "$tag: exactly the workload's events"
	tap_is "$(jq -r 'select(.comm == "workload") |
		"\(.container_runtime) \(.container_name) \(.host) \(.identity_mismatch)"' "$j" | sort -u)" \
		"lxc $name false false" "$tag: named lxc, $name, not the host"
done
