#!/usr/bin/env bash
# Tens of thousands of cgroups created and removed under --metrics, each joined by a process that
# opens a file there: every removed cgroup's keys leave the kernel's tally map (16,384 entries),
# so none is lost to a full map, every open is counted, and a runc container made afterwards gets
# its row with its exact counts.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
N=${CC_TALLY_CHURN:-30000}
cc_begin 7 runc cgroup2
CHURN=$CC_ROOT/build/helpers/cgchurn
[ -x "$CHURN" ] || tap_bail "$CHURN is missing: run make helpers"
cc_rootfs

parent=cctally$$
mkdir "$CC_V2/$parent"
# runc makes the parent in each v1 hierarchy of a hybrid host too
cc_defer 'for h in "$CC_V2" /sys/fs/cgroup/*; do rmdir "$h/$parent"/* "$h/$parent"; done 2>/dev/null'
mport=$(cc_port)
scrape() { curl -sf "http://127.0.0.1:$mport/metrics"; }
# value CONTAINER SYSCALL RESULT: the sample of that series ("" for the host), 0 when none
value() {
	local rt=runc
	[ -z "$1" ] && rt=
	scrape | awk -v s="copenclose_events_total{container=\"$1\",container_id=\"$1\",runtime=\"$rt\",k8s_namespace=\"\",k8s_pod=\"\",syscall=\"$2\",result=\"$3\"}" \
		'index($0, s) == 1 { v = $2 } END { print v + 0 }'
}
plain() { scrape | awk -v n="$1" '$1 == n { print $2 }'; }
has_value() { [ "$(value "$1" "$2" "$3")" = "$4" ]; }

cc_tracer_start churn -o json -e openat -G "/$parent" --metrics "127.0.0.1:$mport" \
	--metrics-grace 120 || tap_bail "the tracer did not start"
t0=$SECONDS
made=$("$CHURN" "$CC_V2/$parent" "$N" /nonexistent/cc-tally-churn 4000)
tap_is "$made" "$N" "$N cgroups made, joined, opened in and removed (in $((SECONDS - t0)) s)"
cc_wait_for 10 has_value "" openat ENOENT "$N"
tap_is "$(value "" openat ENOENT)" "$N" "/metrics: the $N failed opens, each counted once"
tap_is "$(plain copenclose_tally_full_total)" 0 "/metrics: no call went uncounted for a full tally map"

# a container made now: its row, with exactly what its workload does
name=$(cc_name)
cc_runc_start --cgroup "/$parent/$name" "$name" open /data/file 5 missing /nonexistent-cc 3 \
	mark /ctl/finished
tap_ok $? "a runc container ($name) made after the churn is ready"
# what runc's init did in its cgroup is counted too: the counts before its workload, once steady
steady() {
	local a b
	a="$(value "$name" openat ok) $(value "$name" openat ENOENT)"
	sleep 1.2
	b="$(value "$name" openat ok) $(value "$name" openat ENOENT)"
	[ "$a" = "$b" ] && [ "$b" != "0 0" ] && echo "$b" >"$CC_WORK/before"
}
cc_wait_for 15 steady
tap_ok $? "its row appeared in /metrics (runc's init: $(cat "$CC_WORK/before" 2>/dev/null) opens, failed opens)"
read -r ok0 fail0 <"$CC_WORK/before" 2>/dev/null
cc_container_go "$name"
cc_wait_for 30 test -d "${CC_CTL[$name]}/finished"
cc_wait_for 10 has_value "$name" openat ENOENT $((fail0 + 3))
tap_is "$(($(value "$name" openat ok) - ok0)) $(($(value "$name" openat ENOENT) - fail0))" "5 3" \
	"its workload's 5 opens and 3 failed opens, exactly"
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer stopped with status 0"
