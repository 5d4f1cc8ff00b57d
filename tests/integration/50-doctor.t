#!/usr/bin/env bash
# copenclose doctor in the three cgroup modes (as the host is, unified and legacy in private
# mount namespaces): mode, v2 mount, runc and crun with their versions and verdicts, strategy,
# exit status, JSON that parses, nothing left loaded, and the failures it must report.
. "$(dirname "$0")/lib.sh"
cc_begin 50 jq

v2=$(cc_v2_mount)
v1=$(awk '$9 == "cgroup" {n++} END {print n + 0}' /proc/self/mountinfo)
if [ -n "$v2" ] && [ "$v1" -gt 0 ]; then host_mode=hybrid
elif [ -n "$v2" ]; then host_mode=unified
else host_mode=legacy; fi
tap_diag "host: $host_mode, v2 at ${v2:-none}"

# The setups, each run in a private mount namespace before doctor.
to_unified='umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup'
if [ "$host_mode" = hybrid ] && [ "$v2" = /sys/fs/cgroup/unified ]; then
	to_legacy='umount -l /sys/fs/cgroup/unified'
else
	to_legacy='umount -l /sys/fs/cgroup && mount -t tmpfs cgroup /sys/fs/cgroup &&
		mkdir /sys/fs/cgroup/cc && mount -t cgroup -o none,name=cc-doctor cgroup /sys/fs/cgroup/cc'
fi

# doctor_in NAME SETUP ARGS...: runs doctor (after SETUP in a private mount namespace, unless
# SETUP is empty) into $CC_WORK/NAME.{out,err,rc}.
doctor_in() {
	local name=$1 setup=$2
	shift 2
	if [ -z "$setup" ]; then
		"$CC_BIN" doctor "$@" >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err"
	else
		unshare -m bash -c "$setup"' && exec "$0" doctor "$@"' "$CC_BIN" "$@" \
			>"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err"
	fi
	echo $? >"$CC_WORK/$name.rc"
}
rc_of() { cat "$CC_WORK/$1.rc"; }
j() { jq -r "$2" <"$CC_WORK/$1.out"; }
has_line() { grep -qE -- "$2" "$CC_WORK/$1.out" || { tap_diag "$1: no line matching '$2'"; return 1; }; }
parses() { jq -e . "$CC_WORK/$1.out" >/dev/null; }
eq() { [ "$1" = "$2" ] || { tap_diag "got '$1', want '$2'"; return 1; }; }

runc_path=$(command -v runc)
crun_path=$(command -v crun)
runc_ver=$("$runc_path" --version 2>/dev/null | head -n1 | awk '{print $3}')
crun_ver=$("$crun_path" --version 2>/dev/null | head -n1 | awk '{print $3}')
tap_diag "runc ${runc_ver:-missing} at ${runc_path:-?}, crun ${crun_ver:-missing} at ${crun_path:-?}"

# Programs are freed a little after their last reference goes (deferred work in the kernel):
# no_probes waits up to 3 s for none of ours to be loaded.
probes() { bpftool prog show 2>/dev/null | grep -c 'name probe_'; }
no_probes() { for _ in $(seq 30); do [ "$(probes)" -eq 0 ] && return 0; sleep 0.1; done; return 1; }
no_probes
doctor_in host "" ; doctor_in host.json "" --json
doctor_in unified "$to_unified"; doctor_in unified.json "$to_unified" --json
doctor_in legacy "$to_legacy"; doctor_in legacy.json "$to_legacy" --json
no_probes
after=$(probes)
[ "$after" -eq 0 ] || tap_diag "left: $(bpftool prog show | grep -A2 'name probe_')"

# --- as the host is ---
tap_check "host: exit 0, nothing on stderr" eq "$(rc_of host) $(cat "$CC_WORK/host.err")" "0 "
tap_check "host: text names the mode $host_mode" has_line host "^  mode +$host_mode: "
tap_check "host: text names the v2 mount" has_line host "^  v2 mount +${v2:-none}\$"
tap_check "host: --json parses" parses host.json
tap_check "host: JSON cgroup_mode $host_mode" eq "$(j host.json .cgroup_mode)" "$host_mode"
tap_check "host: JSON cgroup2_mount" eq "$(j host.json '.cgroup2_mount // "none"')" "${v2:-none}"
tap_check "host: runc found at its path with the version runc --version prints" \
	eq "$(j host.json '.runtimes[] | select(.name == "runc") | "\(.path) \(.version)"')" \
	"$runc_path $runc_ver"
tap_check "host: crun found at its path with the version crun --version prints" \
	eq "$(j host.json '.runtimes[] | select(.name == "crun") | "\(.path) \(.version)"')" \
	"$crun_path $crun_ver"
tap_check "host: text lists runc with its version and path" \
	has_line host "^  runc +${runc_ver//+/\\+} +$runc_path\$"
tap_check "host: every runtime has a driver and a reason" \
	eq "$(j host.json '[.runtimes[] | select(.cgroup_driver == null or .why == "")] | length')" 0
tap_check "host: the BPF types tracing needs load, and the ring buffer works" \
	eq "$(j host.json '"\(.bpf.tracepoint) \(.bpf.ringbuf) \(.btf)"')" "true true true"
lockdown=$(unshare -m sh -c 'mountpoint -q /sys/kernel/security ||
	mount -t securityfs none /sys/kernel/security; cat /sys/kernel/security/lockdown' 2>/dev/null |
	sed -n 's/.*\[\(.*\)\].*/\1/p')
tap_check "host: lockdown mode as the kernel says (${lockdown:-none})" \
	eq "$(j host.json '.lockdown // ""')" "$lockdown"
tap_check "host: the privileges held are reported" \
	eq "$(j host.json '"\(.privileges.root) \(.privileges.cap_bpf)"')" "true true"
case $host_mode in
hybrid)
	tap_check "hybrid: runc gets its own v2 cgroup" \
		eq "$(j host.json '.runtimes[] | select(.name == "runc") | .own_cgroup_v2')" true
	tap_check "hybrid: crun does not, it refuses hybrid hosts" \
		eq "$(j host.json '.runtimes[] | select(.name == "crun") | "\(.own_cgroup_v2) \(.runs_here)"')" \
		"false false"
	tap_check "hybrid: the text verdicts say so" \
		has_line host "own v2 cgroup +no \(does not run here\): crun refuses hybrid"
	# cgroup ids tell the containers of every runtime apart on a hybrid host but runsc's, whose
	# sandbox joins only the v1 hierarchies (its processes stay in the v2 root): where runsc is
	# installed, --by cgroup is not the advice.
	want=cgroup
	command -v runsc >/dev/null && want=uts
	tap_check "hybrid: strategy $want (runsc: $(command -v runsc || echo absent))" \
		eq "$(j host.json .strategy)" "$want"
	tap_check "hybrid: advice says how crun would run" has_line host "^  - crun: refuses this hybrid host"
	;;
*)
	for _ in 1 2 3 4 5; do tap_ok 0 "# SKIP the host is $host_mode, not hybrid"; done
	;;
esac

# --- unified ---
tap_check "unified: exit 0" eq "$(rc_of unified)" 0
tap_check "unified: text names the mode" has_line unified '^  mode +unified: cgroup v2 only$'
tap_check "unified: text names the v2 mount" has_line unified '^  v2 mount +/sys/fs/cgroup$'
tap_check "unified: --json parses" parses unified.json
tap_check "unified: JSON mode and mount" \
	eq "$(j unified.json '"\(.cgroup_mode) \(.cgroup2_mount)"')" "unified /sys/fs/cgroup"
tap_check "unified: runc and crun both get their own v2 cgroup" \
	eq "$(j unified.json '[.runtimes[] | select(.name == "runc" or .name == "crun") | .own_cgroup_v2] | join(",")')" \
	"true,true"
tap_check "unified: runc and crun keep their versions" \
	eq "$(j unified.json '[.runtimes[] | select(.name == "runc" or .name == "crun") | .version] | join(" ")')" \
	"$runc_ver $crun_ver"
tap_check "unified: text verdict for crun" has_line unified "own v2 cgroup +yes: unified host"
tap_check "unified: strategy cgroup" eq "$(j unified.json .strategy)" cgroup

# --- legacy ---
tap_check "legacy: exit 0 (tracing still works, by namespaces)" eq "$(rc_of legacy)" 0
tap_check "legacy: text names the mode" has_line legacy '^  mode +legacy: cgroup v1 only$'
tap_check "legacy: text says no v2 mount" has_line legacy '^  v2 mount +none$'
tap_check "legacy: --json parses" parses legacy.json
tap_check "legacy: JSON mode, no mount, no controllers" \
	eq "$(j legacy.json '"\(.cgroup_mode) \(.cgroup2_mount) \(.cgroup2_controllers | length)"')" \
	"legacy null 0"
tap_check "legacy: no runtime gets a v2 id" \
	eq "$(j legacy.json '[.runtimes[] | select(.own_cgroup_v2)] | length')" 0
tap_check "legacy: runc and crun are still found" \
	eq "$(j legacy.json '[.runtimes[] | select(.name == "runc" or .name == "crun") | .name] | join(",")')" \
	"runc,crun"
tap_check "legacy: strategy uts" eq "$(j legacy.json .strategy)" uts
tap_check "legacy: advice names the kernel command line" \
	has_line legacy 'systemd\.unified_cgroup_hierarchy=1'
tap_check "legacy: JSON advice too" \
	eq "$(j legacy.json '[.advice[] | select(test("systemd.unified_cgroup_hierarchy=1"))] | length')" 1

# --- configuration files: podman's containers.conf on a tmpfs over /etc/containers ---
printf '[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n' >"$CC_WORK/runc.conf"
printf '[engine]\ncgroup_manager = "systemd"\n' >"$CC_WORK/systemd.conf"
printf '[engine]\ncgroup_manager = "cgroupfs\n' >"$CC_WORK/bad.conf"
conf() { echo "mount -t tmpfs none /etc/containers && cp $CC_WORK/$1 /etc/containers/containers.conf"; }
doctor_in podman-runc "$(conf runc.conf)" --json
doctor_in podman-systemd "$(conf systemd.conf)" --json
doctor_in podman-bad "$(conf bad.conf)" --json
printf '[engine]\nruntime = "crun"\n' >"$CC_WORK/dropin.conf"
doctor_in podman-dropin "$(conf runc.conf) && mkdir /etc/containers/containers.conf.d &&
	cp $CC_WORK/dropin.conf /etc/containers/containers.conf.d/50-crun.conf" --json
podman_q='.runtimes[] | select(.name == "podman")'
if command -v podman >/dev/null; then
	tap_check "podman: driver and OCI runtime read from containers.conf, with the line" \
		eq "$(j podman-runc "$podman_q"' | "\(.cgroup_driver) \(.cgroup_driver_source) \(.oci_runtime)"')" \
		"cgroupfs /etc/containers/containers.conf:2 runc"
	if [ "$host_mode" = hybrid ]; then
		tap_check "podman with runc on a hybrid host: own v2 cgroup" \
			eq "$(j podman-runc "$podman_q | .own_cgroup_v2")" true
	else
		tap_ok 0 "# SKIP the host is $host_mode, not hybrid"
	fi
	if [ -d /run/systemd/system ]; then
		tap_ok 0 "# SKIP systemd is PID 1 here"
	else
		tap_check "podman with the systemd driver and no systemd: refuses, and the setting to flip" \
			eq "$(j podman-systemd "$podman_q"' | "\(.runs_here) \(.cgroup_driver)"') $(j podman-systemd '[.advice[] | select(contains("cgroup_manager = \"cgroupfs\""))] | length')" \
			"false systemd 1"
	fi
	tap_check "podman with a malformed containers.conf: a note, the default, exit 0" \
		eq "$(rc_of podman-bad) $(j podman-bad "$podman_q"' | "\(.cgroup_driver_source) \(.config_note | test("line 2: unterminated string"))"')" \
		"0 default true"
	tap_check "podman: a containers.conf.d drop-in overrides containers.conf" \
		eq "$(j podman-dropin "$podman_q"' | "\(.oci_runtime) \(.cgroup_driver_source)"')" \
		"crun /etc/containers/containers.conf:2"
else
	for _ in 1 2 3 4 5; do tap_ok 0 "# SKIP podman is not installed"; done
fi

# --- failures and the rest ---
tap_check "no probe program left loaded" eq "$after" 0
doctor_in nobtf "" --btf /dev/null --json
tap_check "--btf /dev/null: exit 1" eq "$(rc_of nobtf)" 1
tap_check "--btf /dev/null: stderr says BTF" grep -q "tracing will not work here: no kernel BTF at /dev/null" "$CC_WORK/nobtf.err"
tap_check "--btf /dev/null: JSON btf false, still parses" eq "$(j nobtf '"\(.btf) \(.tracing_works)"')" "false false"
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$CC_BIN" doctor \
		>"$CC_WORK/nobody.out" 2>"$CC_WORK/nobody.err"
	rc=$?
	tap_check "unprivileged: exit 1 with the reason" eq "$rc $(grep -c 'not privileged' "$CC_WORK/nobody.err")" "1 1"
else
	tap_ok 0 "# SKIP setpriv is not installed"
fi
"$CC_BIN" doctor --bogus >/dev/null 2>"$CC_WORK/bogus.err"
tap_check "unknown option: exit 2 with usage" eq "$? $(grep -c '^usage: copenclose doctor' "$CC_WORK/bogus.err")" "2 1"
"$CC_BIN" doctor --help >"$CC_WORK/help.out"
echo $? >"$CC_WORK/help.rc"
help_ok() { [ "$(rc_of help)" = 0 ] && grep -q -- '--json' "$CC_WORK/help.out" && grep -q -- '--btf FILE' "$CC_WORK/help.out"; }
tap_check "--help: exit 0, names --json and --btf" help_ok
tap_check "text fits in 100 columns" eq "$(cat "$CC_WORK/host.out" "$CC_WORK/unified.out" "$CC_WORK/legacy.out" | awk 'length > 100' | wc -l)" 0
