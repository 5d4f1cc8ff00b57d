#!/usr/bin/env bash
# Runc containers that live well under a second are counted under their own names in /metrics
# and in top, as the stream names their events, not as the host: each workload's 30 opens,
# 7 failed opens and 30 closes exactly in /metrics (a tracer that counts only the workload's
# command); in top's JSON, every open, failed open and close of each container's cgroup, as a
# tracer streaming the same cgroups wrote them (runc's init does some there too).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
K=5 # containers, one after the other: most live and go between two of the summaries' reads
cc_begin 11 runc cgroup2
cc_rootfs

parent=ccss$$
mkdir "$CC_V2/$parent"
# runc makes the parent in each v1 hierarchy of a hybrid host too
cc_defer 'for h in "$CC_V2" /sys/fs/cgroup/*; do rmdir "$h/$parent"/* "$h/$parent"; done 2>/dev/null'
comm=ccss$$ mport=$(cc_port)
names=()
for _ in $(seq 1 "$K"); do names+=("$(cc_name)"); done
scrape() { curl -sf "http://127.0.0.1:$mport/metrics"; }
# value CONTAINER SYSCALL RESULT: the sample of that series ("" for the host), 0 when none
value() {
	local rt=runc
	[ -z "$1" ] && rt=
	awk -v s="copenclose_events_total{container=\"$1\",container_id=\"$1\",runtime=\"$rt\",k8s_namespace=\"\",k8s_pod=\"\",syscall=\"$2\",result=\"$3\"}" \
		'index($0, s) == 1 { v = $2 } END { print v + 0 }' "$CC_WORK/m.prom"
}
# every container's opens, failed opens and closes in the last scrape, a line each
values() {
	local n
	for n in "${names[@]}"; do
		echo "$n $(value "$n" openat ok) $(value "$n" openat ENOENT) $(value "$n" close ok)"
	done
}
want_values() { for n in "${names[@]}"; do echo "$n 30 7 30"; done; }
counted() { scrape >"$CC_WORK/m.prom" && [ "$(values)" = "$(want_values)" ]; }

cc_tracer_start metrics -o json -e openat,close -n "$comm" --metrics "127.0.0.1:$mport" ||
	tap_bail "the metrics tracer did not start"
metrics_pid=$CC_TRACER_PID
cc_tracer_start stream -o json -e openat,close -G "/$parent" || tap_bail "the stream did not start"
stream_pid=$CC_TRACER_PID
cc_tracer_start top top -o json --interval 1 -e openat,close -G "/$parent" ||
	tap_bail "top did not start"
t0=$(date +%s.%N) ran=0
for n in "${names[@]}"; do
	bundle=$(cc_runc_bundle --raw --cgroup "/$parent/$n" "$n" "$(cc_ctl_dir "$n")" /bin/sh -c \
		"flood -c $comm -n 30 -p /data/file -k && flood -c $comm -n 7 -p /nonexistent/cc-ss") ||
		tap_bail "runc spec failed"
	runc run --bundle "$bundle" "$n" </dev/null >"$CC_WORK/$n.out" 2>&1 && ran=$((ran + 1))
done
tap_is "$ran" "$K" "$K runc containers ran and ended, one after the other ($(cc_elapsed "$t0") s in all)"
tap_is "$(for n in "${names[@]}"; do [ -d "$CC_V2/$parent/$n" ] || echo gone; done | wc -l)" "$K" \
	"their cgroups are gone"

cc_wait_for 10 counted
tap_is "$(values)" "$(want_values)" \
	"/metrics: each one's 30 opens, 7 failed opens and 30 closes under its name"
tap_is "$(grep -c '^copenclose_events_total{container="",' "$CC_WORK/m.prom")" 0 \
	"/metrics: none of them as the host's"
sleep 1.5 # top's next interval
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "top stopped with status 0"
CC_TRACER_PID=$stream_pid cc_tracer_stop INT
CC_TRACER_PID=$metrics_pid cc_tracer_stop INT
tap_is "$(jq -r 'select(.type == "event") | "\(.container_name) \(.syscall)"' \
	"$CC_WORK/metrics.out" | sort | uniq -c | awk '{ print $2, $3, $1 }')" \
	"$(for n in "${names[@]}"; do printf '%s close 30\n%s openat 37\n' "$n" "$n"; done | sort)" \
	"the stream names all of them"
# what a tracer streaming the containers' cgroups saw in each: opens, failed opens, closes
jq -r --arg p "/$parent/" 'select(.type == "event" and (.cgroup // "" | startswith($p))) |
	"\(.cgroup | ltrimstr($p)) \(if .syscall == "close" then 2 elif .ret >= 0 then 0 else 1 end)"' \
	"$CC_WORK/stream.out" | awk '{ c[$1 " " $2]++ } END { for (k in c) print k, c[k] }' |
	sort | awk '$1 != n { if (n != "") print s; n = $1; s = n } { s = s " " $2 ":" $3 }
	END { if (n != "") print s }' >"$CC_WORK/want"
jq -r 'select(.container_name != null) | "\(.container_name) \(.opens) \(.failed_opens) \(.closes)"' \
	"$CC_WORK/top.out" |
	awk '{ o[$1] += $2; f[$1] += $3; c[$1] += $4 }
	END { for (n in o) { s = n; if (o[n]) s = s " 0:" o[n]; if (f[n]) s = s " 1:" f[n]; if (c[n]) s = s " 2:" c[n]; print s } }' |
	sort >"$CC_WORK/got"
tap_is "$(cat "$CC_WORK/got")" "$(cat "$CC_WORK/want")" \
	"top's JSON: every call of each one's cgroup under its name, as the stream saw them"
tap_is "$(jq -r 'select(.host) | .opens + .failed_opens + .closes' "$CC_WORK/top.out" |
	awk '{ s += $1 } END { print s + 0 }')" 0 "top's JSON: none of them as the host's"
# the least, over the containers, of what the stream saw of each kind
least() { awk -v k="$1" '{ for (i = 2; i <= NF; i++) { split($i, a, ":"); if (a[1] == k) v[$1] = a[2] } }
	END { m = -1; for (n in v) if (m < 0 || v[n] < m) m = v[n]; print (NR == length(v) ? m : 0) }' "$CC_WORK/want"; }
tap_check "... which holds each workload's 30 opens (at least $(least 0))" [ "$(least 0)" -ge 30 ]
tap_check "... its 7 failed opens (at least $(least 1))" [ "$(least 1)" -ge 7 ]
tap_check "... and its 30 closes (at least $(least 2))" [ "$(least 2)" -ge 30 ]
