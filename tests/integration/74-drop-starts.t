#!/usr/bin/env bash
# The privilege drop where it cannot go as planned: started without CAP_DAC_READ_SEARCH in its
# bounding set (docker --cap-drop, a Kubernetes drop ALL + add, a systemd unit's
# CapabilityBoundingSet=) or not as root with ambient capabilities and no CAP_SETPCAP, the tracer
# still ends with CAP_DAC_READ_SEARCH alone or no capability at all (read in /proc/PID/status),
# says what it runs with in one line, and still traces.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 45 capsh setpriv

# the capability numbers of include/uapi/linux/capability.h
mask() {
	local m=0 b
	for b in "$@"; do m=$((m | (1 << b))); done
	printf '%016x' "$m"
}
SETGID=6 SETUID=7 DAC_READ_SEARCH=2 SYS_PTRACE=19 SYS_ADMIN=21 PERFMON=38 BPF=39
own_bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
none=0000000000000000
cp "$CC_BIN" "$CC_WORK/copenclose"
chmod 755 "$CC_WORK"

# start TAG UID CAPS BOUNDING WORDS COMMAND...: the tracer started by COMMAND ends as UID with
# CAPS permitted and effective, BOUNDING as its bounding set, and one warning line with WORDS.
start() {
	local tag=$1 uid=$2 caps=$3 bnd=$4 words=$5 st
	shift 5
	cc_tracer_spawn "$tag" "$@" -o json -n ccdroptest
	st=/proc/$CC_TRACER_PID/status
	field() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$st"; }
	tap_is "$(field Uid | tr -s '\t ' ' ')" "$uid $uid $uid $uid" "$tag: uid $uid"
	tap_is "$(field CapEff)" "$caps" "$tag: effective capabilities $caps"
	tap_is "$(field CapPrm)" "$caps" "$tag: permitted capabilities $caps"
	tap_is "$(field CapBnd)" "$bnd" "$tag: bounding set $bnd"
	tap_is "$(field CapInh) $(field CapAmb)" "$none $none" "$tag: no inheritable or ambient one"
	tap_is "$(field NoNewPrivs)" 1 "$tag: no_new_privs is set"
	"$CC_FLOOD" -n 5 -c ccdroptest >/dev/null
	sleep 0.2
	cc_tracer_stop
	tap_is "$(grep -c '"comm":"ccdroptest"' "$CC_WORK/$tag.out")" 5 "$tag: it still traced"
	tap_is "$(grep -c 'could not drop privileges' "$CC_WORK/$tag.err")" 1 \
		"$tag: one warning line: $(grep 'could not drop' "$CC_WORK/$tag.err")"
	tap_check "$tag: it says what it runs with: $words" \
		grep -qF "$words" "$CC_WORK/$tag.err"
}

# docker --cap-drop DAC_READ_SEARCH: root, everything else held, CAP_SETPCAP too
start docker 65534 $none $none "as uid 65534 gid 65534 with no capability" \
	capsh --drop=cap_dac_read_search -- -c 'exec "$0" "$@"' "$CC_BIN"
# Kubernetes drop: [ALL], add: [BPF, PERFMON, SYS_ADMIN] (and SYS_PTRACE for the host's /proc)
k8s=$(mask $BPF $PERFMON $SYS_ADMIN $SYS_PTRACE)
start k8s 0 $none "$k8s" "as uid 0 gid 0 with no capability: cgroup ids resolved by walking the tree, bounding set kept" \
	setpriv --bounding-set=-all,+bpf,+perfmon,+sys_admin,+sys_ptrace "$CC_BIN"
# a systemd unit's CapabilityBoundingSet= with the id changes but not CAP_SETPCAP
unit=$(mask $BPF $PERFMON $SYS_ADMIN $SYS_PTRACE $SETUID $SETGID)
start unit 65534 $none "$unit" "as uid 65534 gid 65534 with no capability" \
	setpriv --bounding-set=-all,+bpf,+perfmon,+sys_admin,+sys_ptrace,+setuid,+setgid "$CC_BIN"
# not root: ambient CAP_BPF, CAP_PERFMON (CAP_SYS_PTRACE for the host's /proc, a DAC one for
# tracefs), no CAP_SETPCAP; with CAP_DAC_OVERRIDE it keeps none, with CAP_DAC_READ_SEARCH that one
amb=+bpf,+perfmon,+sys_ptrace,+dac_override
start ambient 65534 $none "$own_bnd" "with no capability" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$amb --ambient-caps=$amb \
	"$CC_WORK/copenclose"
amb=+bpf,+perfmon,+sys_ptrace,+dac_read_search
start ambient-dac 65534 "$(mask $DAC_READ_SEARCH)" "$own_bnd" "with CAP_DAC_READ_SEARCH only" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$amb --ambient-caps=$amb \
	"$CC_WORK/copenclose"
