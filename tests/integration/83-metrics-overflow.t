#!/usr/bin/env bash
# --metrics-max-containers bounds the series: with a bound of 2, the first two real runc
# containers to make a call get series of their own, and the three that come after are counted,
# exactly, in the one overflow row (container="(overflow)"); copenclose_overflow_containers and
# copenclose_overflow_containers_total say how many it holds, and no call goes uncounted. The
# exposition is rendered when scraped, from what the consumer published: a sixth container's
# 2000 opens are in the next scrape, with a client that sent its request and never reads beside
# it, and nothing lost.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 26 runc rootfs
command -v promtool >/dev/null || tap_bail "promtool is not installed (scripts/deps.sh test)"

parent=ccovf$$
mkdir "$CC_V2/$parent"
# runc makes the parent in each v1 hierarchy of a hybrid host too
cc_defer 'for h in "$CC_V2" /sys/fs/cgroup/*; do rmdir "$h/$parent"/* "$h/$parent"; done 2>/dev/null'
mport=$(cc_port)
scrape() { curl -sf "http://127.0.0.1:$mport/metrics"; }
# value NAME SYSCALL RESULT: the sample of that container's series, 0 when none; NAME (overflow)
# is the overflow row, whose other container labels are empty
value() {
	local id=$1 rt=runc
	[ "$1" = "(overflow)" ] && id='' rt=''
	scrape | awk -v s="copenclose_events_total{container=\"$1\",container_id=\"$id\",runtime=\"$rt\",k8s_namespace=\"\",k8s_pod=\"\",syscall=\"$2\",result=\"$3\"}" \
		'index($0, s) == 1 { v = $2 } END { print v + 0 }'
}
has_value() { [ "$(value "$1" "$2" "$3")" = "$4" ]; }
plain() { awk -v n="$1" '$1 == n { print $2 }' "$CC_WORK/last.prom"; }

# A and B first; C, D and E once A's and B's series are there
declare -A steps=(
	[a]="open /data/file 4"
	[b]="open /data/file 6 missing /nonexistent-cc 1"
	[c]="open /data/file 3"
	[d]="open /data/file 5 missing /nonexistent-cc 2"
	[e]="open /data/file 7"
	[f]="open /data/file 2000"
)
declare -A n=()
for k in a b c d e f; do
	n[$k]=$(cc_name)
	# shellcheck disable=SC2086 # the steps are words
	cc_runc_start --cgroup "/$parent/${n[$k]}" "${n[$k]}" ${steps[$k]} mark /ctl/finished
	tap_ok $? "container $k (${n[$k]}) ready: ${steps[$k]}"
done
cc_tracer_start stream -o json -e openat,close -G "/$parent" --metrics "127.0.0.1:$mport" \
	--metrics-max-containers 2
tap_ok $? "the tracer started with --metrics-max-containers 2, on the containers' parent cgroup"

cc_container_go "${n[a]}"
cc_container_go "${n[b]}"
cc_wait_for 30 test -d "${CC_CTL[${n[a]}]}/finished" -a -d "${CC_CTL[${n[b]}]}/finished"
tap_ok $? "A and B did their calls"
cc_wait_for 10 has_value "${n[a]}" openat ok 4
cc_wait_for 10 has_value "${n[b]}" openat ENOENT 1
tap_is "$(value "${n[a]}" openat ok) $(value "${n[a]}" close ok)" "4 4" \
	"A has series of its own: its 4 opens and 4 closes"
tap_is "$(value "${n[b]}" openat ok) $(value "${n[b]}" openat ENOENT) $(value "${n[b]}" close ok)" \
	"6 1 6" "B has series of its own: its 6 opens, 1 failed open, 6 closes"

for k in c d e; do cc_container_go "${n[$k]}"; done
cc_wait_for 30 test -d "${CC_CTL[${n[c]}]}/finished" -a -d "${CC_CTL[${n[d]}]}/finished" \
	-a -d "${CC_CTL[${n[e]}]}/finished"
tap_ok $? "C, D and E did their calls"
cc_wait_for 10 has_value "(overflow)" close ok 15
scrape >"$CC_WORK/last.prom"
tap_is "$(value "(overflow)" openat ok) $(value "(overflow)" openat ENOENT) $(value "(overflow)" close ok)" \
	"15 2 15" "the overflow row: C's, D's and E's 3+5+7 opens, 2 failed opens, 15 closes"
tap_is "$(grep -c -F -e "container=\"${n[c]}\"" -e "container=\"${n[d]}\"" -e "container=\"${n[e]}\"" \
	"$CC_WORK/last.prom")" 0 "C, D and E have no series of their own"
tap_is "$(plain copenclose_overflow_containers)" 3 "copenclose_overflow_containers: it holds 3"
tap_is "$(plain copenclose_overflow_containers_total)" 3 \
	"copenclose_overflow_containers_total: 3 went to it"
tap_is "$(plain copenclose_containers_max)" 2 "copenclose_containers_max: the bound, 2"
tap_is "$(plain copenclose_containers)" 3 "copenclose_containers: A, B and the overflow row"
# nothing dropped: every series of the exposition adds up to every call the five made
tap_is "$(awk '/^copenclose_events_total\{/ { s += $2 } END { print s + 0 }' "$CC_WORK/last.prom")" \
	$(((4 + 4) + (6 + 1 + 6) + (15 + 2 + 15))) "every call counted once: the series add up to 53"
tap_is "$(awk '/^copenclose_descriptors_open\{container="\(overflow\)"/ { print $2 }' "$CC_WORK/last.prom")" \
	0 "the overflow row's descriptors open: 0 (each closed what it opened)"
promtool check metrics <"$CC_WORK/last.prom" >"$CC_WORK/promtool.out" 2>&1
tap_ok $? "promtool check metrics finds nothing wrong" ||
	tap_diag "$(cat "$CC_WORK/promtool.out")"

# --- a stalled scraper: its request sent, its answer never read ---
exec {stalled}<>"/dev/tcp/127.0.0.1/$mport"
printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&"$stalled"
tap_ok $? "a client sent its request for /metrics and reads nothing"
cc_container_go "${n[f]}"
cc_wait_for 30 test -d "${CC_CTL[${n[f]}]}/finished"
cc_wait_for 10 has_value "(overflow)" close ok 2015
scrape >"$CC_WORK/last.prom"
tap_is "$(value "(overflow)" openat ok) $(value "(overflow)" close ok)" "2015 2015" \
	"the next scrapes have F's 2000 opens and closes in the overflow row, exactly"
tap_is "$(plain copenclose_events_lost_total)" 0 "... and no event was lost"
tap_is "$(plain copenclose_overflow_containers) $(plain copenclose_overflow_containers_total)" \
	"4 4" "the overflow row holds 4 containers, 4 went to it"
exec {stalled}>&-

"$CC_BIN" --metrics-max-containers 0 -d 1 >/dev/null 2>"$CC_WORK/bad.err"
tap_is "$? $(wc -l <"$CC_WORK/bad.err")" "2 1" "--metrics-max-containers 0: status 2, one line"
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer stopped with status 0"
