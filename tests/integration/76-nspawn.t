#!/usr/bin/env bash
# systemd-nspawn without machined (--register=no --keep-unit: the caller's cgroup split into
# payload/, the container, and supervisor/, nspawn itself) is named systemd-nspawn with its
# machine's name (from nspawn's arguments at its mkdir of payload/); a virtual machine's qemu in libvirt's machined scope is a host process, which
# -I drops like the host's other processes.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 10 rootfs cgroup2 systemd-nspawn
v2=$(cc_v2_mount)
unit=ccnspawn-$$
machine=ccns-$$
vm='/machine.slice/machine-qemu\x2d1\x2dccvm'$$'.scope'
root=$CC_WORK/nsroot
cp -a "$CC_ROOTFS" "$root"
mkdir -p "$root/usr/lib"
echo 'ID=copenclose-test' >"$root/usr/lib/os-release"
mkdir -p "$v2/$unit" "$v2$vm"
cc_defer "rmdir '$v2/$unit/payload' '$v2/$unit/supervisor' '$v2/$unit' '$v2$vm' '$v2/machine.slice' 2>/dev/null"
comm=ccvmqemu$$
comm=${comm:0:15}
cp "$CC_WORKLOAD" "$CC_WORK/$comm"

# run TAG TRACER-ARGS...: the workload in the nspawn container (3 opens and closes, 2 failing
# opens), then a "qemu" in the VM's scope (2 opens and closes).
run() {
	local tag=$1
	shift
	cc_tracer_start "$tag" -o json "$@" || return 1
	(echo "$BASHPID" >"$v2/$unit/cgroup.procs" &&
		exec systemd-nspawn --register=no --keep-unit -q -D "$root" -M "$machine" \
			/bin/workload sleep 300 open /data/file 3 missing /nonexistent-cc 2) >"$CC_WORK/$tag.ns" 2>&1 ||
		return 1
	(echo "$BASHPID" >"$v2$vm/cgroup.procs" && exec "$CC_WORK/$comm" open /etc/hostname 2) ||
		return 1
	sleep 0.3
	cc_tracer_stop INT
	[ "$CC_TRACER_RC" -eq 0 ]
}

run plain -e openat,close
tap_ok $? "without -I: the nspawn container and the VM's process ran under the tracer (status 0)"
j=$CC_WORK/plain.out
tap_is "$(cc_json_summary "$j" ".cgroup == \"/$unit/payload\"")" \
	"$(printf 'close ok 3\nopenat ENOENT 2\nopenat ok 3')" \
	"without -I: exactly the workload's events, in /$unit/payload"
# the machine's name (-M) from nspawn's own arguments, which the kernel side reads at its mkdir of
# payload/ (a container gone before user space could read them is named all the same)
tap_is "$(jq -r 'select(.comm == "workload") |
	"\(.container_runtime) \(.container_id) \(.container_name)"' "$j" | sort -u)" \
	"systemd-nspawn $unit $machine" \
	"without -I: runtime systemd-nspawn, id the unit it split ($unit), named $machine (its -M)"
tap_is "$(jq -r 'select(.comm == "workload") | "\(.host) \(.identity_mismatch) \(.ns_pid != .pid)"' \
	"$j" | sort -u)" "false false true" \
	"without -I: not the host, no mismatch, a pid namespace of its own"
tap_is "$(jq -r --arg c "/$unit/supervisor" 'select(.cgroup == $c) | "\(.comm) \(.container_id) \(.host)"' \
	"$j" | sort -u)" "systemd-nspawn null true" \
	"without -I: nspawn's own calls, in supervisor/, are the host's (no container)"
tap_is "$(jq -r --arg c "$comm" 'select(.comm == $c) | "\(.syscall) \(.container_runtime) \(.host) \(.identity_mismatch)"' \
	"$j" | sort | uniq -c | awk '{$1 = $1; print}')" \
	"$(printf '2 close null true false\n2 openat null true false')" \
	"without -I: the VM's qemu in its machined scope is a host process, no container"

run ignore -I -e openat,close
tap_ok $? "with -I: the same ran under the tracer (status 0)"
j=$CC_WORK/ignore.out
tap_is "$(cc_json_summary "$j" ".cgroup == \"/$unit/payload\"")" \
	"$(printf 'close ok 3\nopenat ENOENT 2\nopenat ok 3')" "with -I: the container's events kept"
tap_is "$(jq -r --arg c "$comm" 'select(.comm == $c) | .syscall' "$j" | wc -l)" 0 \
	"with -I: no event of the VM's qemu"
tap_is "$(jq -r --arg c "/$unit/supervisor" 'select(.cgroup == $c) | .syscall' "$j" | wc -l)" 0 \
	"with -I: no event of nspawn's supervisor"
