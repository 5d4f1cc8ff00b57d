#!/usr/bin/env bash
# Guest only (the systemd guest of scripts/run-vm-tests.sh): systemd's services are the host. Real
# transient units (systemd-run) with a private /tmp (PrivateTmp=: a mount namespace of their own),
# a read-only system (ProtectSystem=strict: idem), a network namespace of their own
# (PrivateNetwork=) and a user of their own (DynamicUser=: which implies the first two) each open
# and close a known file twice: without -I each unit's 4 events, exactly, are the host's (host
# true, the kernel never judging otherwise, never identity_mismatch, no container), and -I drops
# every one of them. (The same with unshare -m, -u and -n on any host: 75-host-rule.) The units have
# DefaultDependencies=no: the default ones start sysinit.target, whose systemd-tmpfiles --remove
# empties /tmp, where the work directory is (and the guest stays lean for systemd-deb.t, which
# starts it itself).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
[ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] || tap_skip_all "systemd is not PID 1"
cc_begin 25
# a guest under TCG: the tracer takes longer to attach (as tests/vm/run-tests.sh allows)
export CC_ATTACH_WAIT=${CC_ATTACH_WAIT:-120}
comm=cchunits$$
comm=${comm:0:15}
# Under /run: PrivateTmp= hides the work directory's /tmp from the units.
dir=/run/cchu-$$
mkdir -m 755 "$dir" || tap_bail "cannot make $dir"
cc_defer "rm -rf '$dir'"
bin=$dir/$comm file=$dir/file
cp "$CC_WORKLOAD" "$bin" && chmod 755 "$bin" && echo data >"$file" && chmod 644 "$file" ||
	tap_bail "cannot copy the workload into $dir"
kinds="tmp ro net dyn"
declare -A PROP=([tmp]=PrivateTmp=yes [ro]=ProtectSystem=strict [net]=PrivateNetwork=yes
	[dyn]=DynamicUser=yes)

unit() { echo "cchu-$1-$$.service"; }

# Two tracers at once, one without -I and one with it, watch one set of units (under TCG a set of
# units and a tracer's start and stop each cost a good part of the test); each unit runs the
# workload to its end (systemd-run --wait), one at a time.
cc_tracer_start plain -o json -n "$comm" || tap_bail "the tracer without -I did not start"
plain_pid=$CC_TRACER_PID
cc_tracer_start ignore -o json -n "$comm" -I || tap_bail "the tracer with -I did not start"
ignore_pid=$CC_TRACER_PID
units_rc=0
for k in $kinds; do
	systemd-run --quiet --wait --collect --unit="$(unit "$k")" -p "${PROP[$k]}" \
		-p DefaultDependencies=no "$bin" open "$file" 2 || units_rc=1
done
sleep 0.3
CC_TRACER_PID=$plain_pid
cc_tracer_stop INT
plain_rc=$CC_TRACER_RC
CC_TRACER_PID=$ignore_pid
cc_tracer_stop INT
ignore_rc=$CC_TRACER_RC
tap_is "$units_rc" 0 "the four units ran to status 0 under both tracers"
tap_is "$plain_rc" 0 "the tracer without -I ended with status 0"
tap_is "$ignore_rc" 0 "the tracer with -I ended with status 0"

# what TAG KIND: "COUNT host mismatch kernel-agrees runtime" of the unit's events, one line a set
# (the kernel's verdict, kernel_host, is null where it made none: the fentry mode without -I)
what() {
	jq -r --arg cg "/system.slice/$(unit "$2")" 'select(.cgroup == $cg) |
		"\(.host) \(.identity_mismatch) \(.kernel_host != false) \(.container_runtime)"' \
		"$CC_WORK/$1.out" | sort | uniq -c | awk '{$1 = $1; print}'
}

# key TAG KIND KEY: the distinct values of KEY in the unit's events
key() {
	jq -r --arg cg "/system.slice/$(unit "$2")" --arg k "$3" \
		'select(.cgroup == $cg) | .[$k]' "$CC_WORK/$1.out" | sort -u | tr '\n' ' '
}

for k in $kinds; do
	tap_is "$(what plain "$k")" "4 true false true null" \
		"without -I: ${PROP[$k]}: 4 events, host, no mismatch, the kernel not disagreeing"
	tap_is "$(jq -r --arg cg "/system.slice/$(unit "$k")" 'select(.cgroup == $cg) |
		.syscall' "$CC_WORK/plain.out" | sort | uniq -c | awk '{$1 = $1; print}' |
		tr '\n' ' ')" "2 close 2 openat " "without -I: ${PROP[$k]}: exactly 2 opens and 2 closes"
done
hostmnt=$(stat -L -c %i /proc/1/ns/mnt)
for k in tmp ro dyn; do
	tap_check "without -I: ${PROP[$k]}: a mount namespace not the host's" \
		[ "$(key plain "$k" mntns)" != "$hostmnt " ]
done
tap_is "$(key plain tmp uid)" "0 " "without -I: the units but DynamicUser='s run as root"
dynuid=$(key plain dyn uid)
dynuid=${dynuid% }
tap_check "without -I: DynamicUser=yes: a uid of systemd's dynamic range (61184-): $dynuid" \
	[ "${dynuid:-0}" -ge 61184 ]
tap_check "without -I: DynamicUser=yes: a uid of systemd's dynamic range (-65519): $dynuid" \
	[ "${dynuid:-99999}" -le 65519 ]
# one unit's open as written, its null keys left out (for the reader of the log)
tap_diag "a PrivateTmp=yes unit's open: $(jq -c --arg cg "/system.slice/$(unit tmp)" \
	'select(.cgroup == $cg and (.syscall | startswith("open"))) | with_entries(select(.value != null))' \
	"$CC_WORK/plain.out" | head -n1)"
tap_is "$(jq -r 'select(.identity_mismatch == true) | .pid' "$CC_WORK/plain.out" | wc -l)" 0 \
	"without -I: no event of the run has identity_mismatch"
tap_is "$(jq -r 'select(.type == "event") | .pid' "$CC_WORK/plain.out" | wc -l)" 16 \
	"without -I: 16 events in all (the tracer's -n keeps the units' workload only)"

for k in $kinds; do
	tap_is "$(jq -r --arg cg "/system.slice/$(unit "$k")" 'select(.cgroup == $cg) |
		.syscall' "$CC_WORK/ignore.out" | wc -l)" 0 "with -I: no event of ${PROP[$k]}"
done
tap_is "$(jq -r 'select(.type == "event") | .pid' "$CC_WORK/ignore.out" | wc -l)" 0 \
	"with -I: no event at all"
tap_is "$(cc_closing_counts ignore)" "0 0 0" \
	"with -I: the closing line: 0 events delivered, 0 lost, none unread"
