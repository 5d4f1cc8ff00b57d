#!/usr/bin/env bash
# The host rule: the host's pid namespace and a cgroup that is not a container's. Host tools in a
# private mount (unshare -m: systemd's PrivateTmp=, ProtectSystem=), UTS (unshare -u) or network
# namespace (unshare -n: PrivateNetwork=) are the host: host true, no identity mismatch, the
# kernel judging the same, and -I drops them; a private pid namespace in a host cgroup is not the
# host and is ambiguous (identity_mismatch). The harness's own invariant check is shown to bite.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
tap_plan 17
comm=cchostrule$$
comm=${comm:0:15}
bin=$CC_WORK/$comm
cp "$CC_WORKLOAD" "$bin"
file=$CC_WORK/file
echo data >"$file"
kinds="plain m u uh n"
declare -A PIDS=() WHAT=([plain]="a plain host task" [m]="unshare -m" [u]="unshare -u"
	[uh]="unshare -u, hostname set" [n]="unshare -n")

# run TAG TRACER-ARGS...: each kind of host task opens and closes the file twice (4 events),
# then a task in a pid namespace of its own does the same; sets PIDS.
run() {
	local tag=$1 k
	shift
	cc_tracer_start "$tag" -o json -n "$comm" "$@" || return 1
	for k in $kinds; do
		case $k in
		plain) "$bin" open "$file" 2 & ;;
		m) unshare -m "$bin" open "$file" 2 & ;;
		u) unshare -u "$bin" open "$file" 2 & ;;
		uh) unshare -u "$bin" hostname "cchr-$$" open "$file" 2 & ;;
		n) unshare -n "$bin" open "$file" 2 & ;;
		esac
		PIDS[$k]=$!
		wait "${PIDS[$k]}" || return 1
	done
	unshare --pid --fork "$bin" open "$file" 2 || return 1
	sleep 0.3
	cc_tracer_stop INT
	[ "$CC_TRACER_RC" -eq 0 ]
}

# what TAG PID: "COUNT host mismatch kernel_host runtime" of PID's events, one line per value set
what() {
	jq -r --argjson p "$2" 'select(.pid == $p) |
		"\(.host) \(.identity_mismatch) \(.kernel_host) \(.container_runtime)"' \
		"$CC_WORK/$1.out" | sort | uniq -c | awk '{$1 = $1; print}'
}

run plain
tap_ok $? "without -I: the host tasks ran under the tracer, which ended with status 0"
j=$CC_WORK/plain.out
for k in $kinds; do
	tap_is "$(what plain "${PIDS[$k]}")" "4 true false true null" \
		"without -I: ${WHAT[$k]}: 4 events, host, no mismatch, the kernel agreeing"
done
tap_check "without -I: unshare -m's mount namespace is not the host's" \
	[ "$(jq -r --argjson p "${PIDS[m]}" 'select(.pid == $p) | .mntns' "$j" | sort -u)" != \
	"$(stat -L -c %i /proc/$$/ns/mnt)" ]
tap_check "without -I: unshare -u's UTS namespace is not the host's" \
	[ "$(jq -r --argjson p "${PIDS[u]}" 'select(.pid == $p) | .utsns' "$j" | sort -u)" != \
	"$(stat -L -c %i /proc/$$/ns/uts)" ]
tap_is "$(jq -r 'select(.ns_pid == 1) | "\(.host) \(.identity_mismatch)"' "$j" | sort |
	uniq -c | awk '{$1 = $1; print}')" "4 false true" \
	"without -I: a pid namespace of its own in a host cgroup: not the host, a mismatch"

run ignore -I
tap_ok $? "with -I: the host tasks ran under the tracer, which ended with status 0"
j=$CC_WORK/ignore.out
for k in $kinds; do
	tap_is "$(jq -r --argjson p "${PIDS[$k]}" 'select(.pid == $p) | .syscall' "$j" | wc -l)" 0 \
		"with -I: no event of ${WHAT[$k]}"
done
tap_is "$(jq -r 'select(.ns_pid == 1) | .syscall' "$j" | sort | uniq -c | awk '{$1 = $1; print}')" \
	"$(printf '2 close\n2 openat')" "with -I: the task with a pid namespace of its own is kept"

# the harness's check: a line whose host key the kernel contradicts, and a host event under -I
printf '%s\n' '{"syscall":"openat","host":false,"kernel_host":true}' \
	'{"syscall":"openat","host":true,"kernel_host":null}' >"$CC_WORK/fake.out"
CC_TRACER_TAG[1]=fake CC_TRACER_IGN[1]=1
cc_host_rule_check 1
tap_is "$(wc -l <"$CC_WORK/host-rule.bad")" 2 \
	"the harness flags a host key the kernel contradicts and a host event under -I"
rm -f "$CC_WORK/host-rule.bad"
