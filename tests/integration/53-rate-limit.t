#!/usr/bin/env bash
# --rate-limit on real runc containers, the noisy neighbour at small scale: one container floods
# failing opens for 3 s while four quiet ones make 200 opens and closes each at 100 a second,
# through a 1 MiB ring. The quiet ones' events all arrive, exactly; the flooder's delivered +
# throttled + lost is what it made, exactly; throttled records come each second, per container
# and system call, and /metrics says the same total while its counts of calls stay whole. The
# option's bad values are refused.
# Side by side, two more tracers on the same containers (-G on their parent cgroup, so that the
# machine's other events take no room) are stopped for 1 s during the flood, as a consumer on a
# busy node falls behind: without a limit the flood fills the ring and the quiet containers lose
# events (each one's delivered + lost is what it made); with the limit none is lost. Their
# closing lines add up exactly: delivered (the event lines written) + lost + throttled = what
# the containers made, with nothing unread.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
tap_plan 66

rate=1000 mport=$(cc_port) parent=$(cc_name)
f=$(cc_name)
quiet=("$(cc_name)" "$(cc_name)" "$(cc_name)" "$(cc_name)")
scrape() { curl -sf "http://127.0.0.1:$mport/metrics"; }
# sample FAMILY-AND-LABELS: its value in the last scrape, empty when none
sample() { awk -v s="$1" 'index($0, s) == 1 { print $NF }' "$CC_WORK/last.prom"; }

cc_runc_start --cgroup "/$parent/$f" "$f" exec /bin/flood -s 3
tap_ok $? "the flooder ($f) ready: failing opens for 3 s"
for q in "${quiet[@]}"; do
	cc_runc_start --cgroup "/$parent/$q" "$q" paced /data/file 200 100
	tap_ok $? "quiet container $q ready: 200 opens and closes at 100 a second"
done
cc_tracer_start rl -I -o json --ringbuf-size 1 --rate-limit "$rate" \
	--metrics "127.0.0.1:$mport"
tap_ok $? "the tracer started with --rate-limit $rate --ringbuf-size 1 --metrics"
declare -A tpid
tpid[rl]=$CC_TRACER_PID
cc_tracer_start st -o json --ringbuf-size 1 --rate-limit "$rate" -G "/$parent"
tap_ok $? "a tracer to stall started: --rate-limit $rate --ringbuf-size 1 -G /$parent"
tpid[st]=$CC_TRACER_PID
cc_tracer_start un -o json --ringbuf-size 1 -G "/$parent"
tap_ok $? "a tracer to stall started: no limit, --ringbuf-size 1 -G /$parent"
tpid[un]=$CC_TRACER_PID
for c in "$f" "${quiet[@]}"; do cc_container_go "$c"; done
sleep 0.5
kill -STOP "${tpid[st]}" "${tpid[un]}" && sleep 1 && kill -CONT "${tpid[st]}" "${tpid[un]}"
tap_ok $? "both tracers stopped for 1 s during the flood"
for q in "${quiet[@]}"; do cc_container_wait "$q"; done
cc_container_wait "$f"
tap_ok $? "the flooder ended"
made=$(tr -dc 0-9 <"$CC_WORK/$f.out")
sleep 2.2 # the last throttled records and a tick of /metrics
scrape >"$CC_WORK/last.prom"
tap_ok $? "/metrics scraped"
for t in un st rl; do
	CC_TRACER_PID=${tpid[$t]}
	cc_tracer_stop INT
	tap_is "$CC_TRACER_RC" 0 "the tracer $t exited 0"
done
out=$CC_WORK/rl.out err=$CC_WORK/rl.err

for q in "${quiet[@]}"; do
	tap_is "$(cc_json_summary "$out" ".type == \"event\" and .hostname == \"$q\"")" \
		"$(printf 'close ok 200\nopenat ok 200')" "$q: every event delivered, exactly"
done
for q in "${quiet[@]}"; do
	tap_is "$(jq -r "select(.type == \"throttled\" and .pidns == ${CC_PIDNS[$q]})" "$out" | wc -l)" 0 \
		"$q: nothing throttled"
done

delivered=$(jq -r "select(.type == \"event\" and .hostname == \"$f\") | .syscall" "$out" | wc -l)
throttled=$(jq -r "select(.type == \"throttled\" and .pidns == ${CC_PIDNS[$f]}) | .counts.openat" \
	"$out" | awk '{ s += $1 } END { print s + 0 }')
lost=$(sed -n "s/^copenclose: lost \([0-9]*\) events of cgroup ${CC_CGID[$f]} .*/\1/p" "$err")
lost=${lost:-0}
tap_diag "flooder: made $made, delivered $delivered, throttled $throttled, lost $lost"
tap_ok "$([ "${made:-0}" -gt $((rate * 10)) ] && echo 0 || echo 1)" \
	"the flooder made more than 10 times the limit ($made opens)"
tap_is "$((delivered + throttled + lost))" "$made" \
	"the flooder: delivered + throttled + lost = made, exactly"
tap_ok "$([ "$delivered" -le $((rate * 5)) ] && echo 0 || echo 1)" \
	"the flooder's delivered events are within the limit: $delivered <= $rate x (3 s + burst 1 s + 1 s of margin)"
tap_is "$(jq -r "select(.type == \"event\" and .hostname == \"$f\") | .syscall + \" \" + .errno" "$out" | sort -u)" \
	"openat ENOENT" "the flooder's events are its failing opens"
recs=$(jq -r "select(.type == \"throttled\" and .pidns == ${CC_PIDNS[$f]}) | .pidns" "$out" | wc -l)
tap_ok "$([ "$recs" -ge 2 ] && [ "$recs" -le 5 ] && echo 0 || echo 1)" \
	"one throttled record a second while it lasts ($recs records for 3 s)"
tap_is "$(jq -r "select(.type == \"throttled\" and .pidns == ${CC_PIDNS[$f]}) | (.counts | keys | join(\",\"))" "$out" | sort -u)" \
	"openat" "the records count by system call: openat only"
tap_is "$(jq -r "select(.type == \"throttled\" and .pidns == ${CC_PIDNS[$f]}) | .container_name + \" \" + .container_runtime + \" \" + (.cgroup_id | tostring) + \" \" + (.host | tostring)" "$out" | sort -u)" \
	"$f runc ${CC_CGID[$f]} false" "the records name the container (name, runtime, cgroup id, not the host)"
tap_is "$(jq -r "select(.type == \"throttled\") | (.interval_ns > 900000000 and .interval_ns < 1500000000)" "$out" | sort -u)" \
	"true" "each record covers its interval (interval_ns about one second)"
all=$(jq -r 'select(.type == "throttled") | .throttled' "$out" | awk '{ s += $1 } END { print s + 0 }')
tap_is "$(jq -r 'select(.type == "throttled") | .throttled_total' "$out" | tail -n1)" "$all" \
	"throttled_total of the last record is the sum of the records"
tap_check "the closing line says delivered, lost and throttled" \
	grep -Eq '^copenclose: [0-9]+ events delivered, [0-9]+ lost, [0-9]+ throttled$' "$err"
tap_is "$(sed -n 's/^copenclose: .* lost, \([0-9]*\) throttled$/\1/p' "$err")" "$all" \
	"the closing line's throttled count is the sum of the records"
tap_is "$(sample 'copenclose_events_throttled_total ')" "$all" \
	"copenclose_events_throttled_total in /metrics is the same"
tap_is "$(sample "copenclose_events_total{container=\"$f\",container_id=\"$f\",runtime=\"runc\",k8s_namespace=\"\",k8s_pod=\"\",syscall=\"openat\",result=\"ENOENT\"}")" \
	"$made" "/metrics counts every call of the flooder, throttled or not ($made)"
tap_check "promtool check metrics passes" sh -c "promtool check metrics <'$CC_WORK/last.prom'"

for bad in 0 -5 abc 10000001; do
	tap_refuses "--rate-limit $bad" 2 "invalid --rate-limit" "$CC_BIN" --rate-limit "$bad"
done

# The stalled tracers, side by side: what each container's events became.
lost_of() { # TAG CGROUP-ID: the events of that cgroup the tracer TAG lost
	local n
	n=$(sed -n "s/^copenclose: lost \([0-9]*\) events of cgroup $2 .*/\1/p" "$CC_WORK/$1.err")
	echo "${n:-0}"
}
for t in st un; do # one pass over each output: the event lines per hostname
	jq -r 'select(.type == "event") | .hostname' "$CC_WORK/$t.out" | sort | uniq -c >"$CC_WORK/$t.hosts"
done
events_of() { awk -v h="$2" '$2 == h { n = $1 } END { print n + 0 }' "$CC_WORK/$1.hosts"; }
event_lines() { awk '{ n += $1 } END { print n + 0 }' "$CC_WORK/$1.hosts"; }
closing() { sed -n "s/^copenclose: \([0-9]*\) events delivered, \([0-9]*\) lost\(, \([0-9]*\) throttled\)\{0,1\}$/$2/p" "$CC_WORK/$1.err"; }
qgot=0
for q in "${quiet[@]}"; do
	tap_is "$(events_of st "$q") $(lost_of st "${CC_CGID[$q]}")" "400 0" \
		"with the limit, stalled: $q's 400 events all delivered, none lost"
	g=$(events_of un "$q") l=$(lost_of un "${CC_CGID[$q]}")
	qgot=$((qgot + g))
	tap_diag "without a limit, stalled: $q delivered $g, lost $l"
	tap_is "$((g + l))" 400 "without a limit, stalled: $q's delivered + lost = the 400 it made"
done
tap_ok "$([ "$qgot" -lt 1600 ] && echo 0 || echo 1)" \
	"without a limit, stalled: the flood made the quiet containers lose events ($qgot of 1600 delivered)"
d=$(events_of st "$f") th=$(closing st '\4') l=$(lost_of st "${CC_CGID[$f]}")
tap_diag "with the limit, stalled: the flooder made $made, delivered $d, throttled $th, lost $l"
tap_is "$((d + th + l))" "$made" "with the limit, stalled: the flooder's delivered + throttled + lost = made"
tap_ok "$([ "${th:-0}" -gt 0 ] && echo 0 || echo 1)" "with the limit, stalled: the flooder was throttled ($th)"
d=$(events_of un "$f") l=$(lost_of un "${CC_CGID[$f]}")
tap_is "$((d + l))" "$made" "without a limit, stalled: the flooder's delivered + lost = made"
lines=$(event_lines st)
tap_check "with the limit: the closing line says delivered, lost and throttled, nothing unread" \
	grep -Eq '^copenclose: [0-9]+ events delivered, [0-9]+ lost, [0-9]+ throttled$' "$CC_WORK/st.err"
tap_is "$(closing st '\1')" "$lines" "with the limit: the closing line's delivered is the event lines written"
tap_is "$(($(closing st '\1') + $(closing st '\2') + $(closing st '\4')))" "$((made + 1600))" \
	"with the limit: delivered + lost + throttled on the closing line = every event made, exactly"
lines=$(event_lines un)
tap_check "without a limit: the closing line says delivered and lost, nothing unread" \
	grep -Eq '^copenclose: [0-9]+ events delivered, [0-9]+ lost$' "$CC_WORK/un.err"
tap_is "$(closing un '\1')" "$lines" "without a limit: the closing line's delivered is the event lines written"
tap_is "$(($(closing un '\1') + $(closing un '\2')))" "$((made + 1600))" \
	"without a limit: delivered + lost on the closing line = every event made, exactly"
