#!/usr/bin/env bash
# A cgroup whose path is longer than the 1,024 bytes the cgroup_mkdir tracepoint carries: the
# cut path is not learnt as the cgroup's, which is resolved by its id, whole.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
tap_plan 4
comm=cclongcg$$
comm=${comm:0:15}
bin=$CC_WORK/$comm
cp "$CC_WORKLOAD" "$bin"
echo data >"$CC_WORK/file"
seg=$(printf 'l%.0s' $(seq 1 200))
top="/cclongcg-$$"
rel=$top
for i in 1 2 3 4 5 6; do rel="$rel/$i$seg"; done
long_cleanup() {
	local d=$CC_V2$rel
	while [ "$d" != "$CC_V2" ] && [ "${#d}" -gt "${#CC_V2}" ]; do
		rmdir "$d" 2>/dev/null
		d=${d%/*}
	done
	cc_cleanup
}
trap long_cleanup EXIT

cc_tracer_start j -o json -n "$comm" || tap_bail "the tracer did not start"
mkdir -p "$CC_V2$rel"
tap_ok $? "a cgroup of ${#rel} bytes under the v2 hierarchy, made while tracing"
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" open "$3" 2' sh "$CC_V2$rel" "$bin" \
	"$CC_WORK/file"
tap_ok $? "a process in it opened a file twice"
sleep 0.3
cc_tracer_stop INT
cg=$(jq -r 'select(.syscall == "openat") | .cgroup' "$CC_WORK/j.out" | sort | uniq -c |
	awk '{print $1, length($2)}')
tap_is "$cg" "2 ${#rel}" "both opens name the cgroup with its whole path (count, length)"
tap_is "$(jq -r 'select(.syscall == "openat") | .cgroup' "$CC_WORK/j.out" | sort -u)" "$rel" \
	"the path is the cgroup's own"
