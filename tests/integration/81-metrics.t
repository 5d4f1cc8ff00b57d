#!/usr/bin/env bash
# --metrics in streaming mode on real runc containers: /metrics has each container's exact counts,
# passes promtool check metrics, a real Prometheus server scrapes it and answers a query with the
# exact value, and the series of a removed container disappear after --metrics-grace.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
command -v promtool >/dev/null && command -v prometheus >/dev/null ||
	tap_bail "prometheus is not installed (scripts/deps.sh test)"
tap_plan 26

PROM_PID=
prom_stop() { [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID"; }
cc_defer prom_stop

a=$(cc_name) b=$(cc_name) mport=$(cc_port)
pport=$((mport + 1))
scrape() { curl -sf "http://127.0.0.1:$mport/metrics"; }
# value NAME SYSCALL RESULT: the sample of that series in the current scrape, empty when none
value() {
	scrape | awk -v s="copenclose_events_total{container=\"$1\",container_id=\"$1\",runtime=\"runc\",k8s_namespace=\"\",k8s_pod=\"\",syscall=\"$2\",result=\"$3\"}" \
		'index($0, s) == 1 { print $2 }'
}
has_value() { [ "$(value "$1" "$2" "$3")" = "$4" ]; }
has_series() { scrape | grep -q "container=\"$1\""; }
no_series() { scrape >"$CC_WORK/last.prom" && ! grep -q "container=\"$1\"" "$CC_WORK/last.prom"; }

cc_runc_start "$a" paced /data/file 30 20 keep /data/file 2 mark /ctl/finished wait-file /ctl/done
tap_ok $? "container A ($a) ready: 30 opens and closes at 20 per second, 2 opens kept, then waits"
cc_runc_start "$b" paced /data/file 90 60 missing /nonexistent-cc 2 mark /ctl/finished \
	wait-file /ctl/done
tap_ok $? "container B ($b) ready: 90 opens at 60 per second, 2 failed opens, then waits"
cc_tracer_start stream -I -o json -e openat,close --metrics "127.0.0.1:$mport" --metrics-grace 3
tap_ok $? "the streaming tracer started with --metrics 127.0.0.1:$mport --metrics-grace 3"
cc_container_go "$a"
cc_container_go "$b"
cc_wait_for 30 test -d "${CC_CTL[$a]}/finished" -a -d "${CC_CTL[$b]}/finished"
tap_ok $? "both workloads did their opens"

cc_wait_for 10 has_value "$a" openat ok 32
tap_is "$(value "$a" openat ok) $(value "$a" close ok)" "32 30" "/metrics: A's opens and closes"
fds=$(scrape | awk -v s="copenclose_descriptors_open{container=\"$a\"," 'index($0, s) == 1 { print $2 }')
tap_is "$fds" 2 "/metrics: A's 2 descriptors open, from the descriptor table"
cc_wait_for 10 has_value "$b" openat ENOENT 2
tap_is "$(value "$b" openat ok) $(value "$b" openat ENOENT) $(value "$b" close ok)" "90 2 90" \
	"/metrics: B's opens, failed opens (ENOENT) and closes"
scrape >"$CC_WORK/metrics.prom"
promtool check metrics <"$CC_WORK/metrics.prom" >"$CC_WORK/promtool.out" 2>&1
tap_ok $? "promtool check metrics finds nothing wrong" ||
	tap_diag "$(cat "$CC_WORK/promtool.out")"
tap_is "$(grep -c '^# TYPE ' "$CC_WORK/metrics.prom") $(grep -c '^# HELP ' "$CC_WORK/metrics.prom")" \
	"$(grep -v '^#' "$CC_WORK/metrics.prom" | sed 's/[{ ].*//' | sort -u | wc -l) $(grep -v '^#' "$CC_WORK/metrics.prom" | sed 's/[{ ].*//' | sort -u | wc -l)" \
	"a TYPE and a HELP line for every family"

# --- 16 idle connections (opened, nothing sent) do not keep a scrape out ---
idle=()
for _ in $(seq 1 16); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$mport" && idle+=("$fd")
done
tap_is "${#idle[@]}" 16 "16 idle TCP connections to /metrics open"
t0=$(date +%s.%N)
curl -sf -m 5 "http://127.0.0.1:$mport/metrics" >"$CC_WORK/idle.prom"
tap_ok $? "a scrape beside them is answered ($(cc_elapsed "$t0") s)"
tap_is "$(grep -c '^copenclose_up 1$' "$CC_WORK/idle.prom")" 1 "... with the whole exposition"
for fd in "${idle[@]}"; do exec {fd}>&-; done

# --- bad addresses: one line and a non-zero status ---
"$CC_BIN" -I --metrics "127.0.0.1:$mport" -d 1 >/dev/null 2>"$CC_WORK/inuse.err"
tap_is "$? $(wc -l <"$CC_WORK/inuse.err")" "1 1" "a second tracer on the same port: status 1, one line"
tap_is "$(cat "$CC_WORK/inuse.err")" \
	"copenclose: cannot serve metrics on 127.0.0.1:$mport: Address already in use" \
	"... saying the address is in use"
"$CC_BIN" --metrics localhost:80 >/dev/null 2>"$CC_WORK/bad.err"
tap_is "$? $(wc -l <"$CC_WORK/bad.err")" "2 1" "--metrics localhost:80 (not numeric): status 2, one line"
"$CC_BIN" top --metrics 127.0.0.1:99999 >/dev/null 2>"$CC_WORK/bad.err"
tap_is "$? $(wc -l <"$CC_WORK/bad.err")" "2 1" "top --metrics with port 99999: status 2, one line"

# --- a real Prometheus server scrapes it ---
mkdir -p "$CC_WORK/prom-data"
cat >"$CC_WORK/prom.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: copenclose
    static_configs:
      - targets: ['127.0.0.1:$mport']
YAML
prometheus --config.file="$CC_WORK/prom.yml" --storage.tsdb.path="$CC_WORK/prom-data" \
	--web.listen-address="127.0.0.1:$pport" >"$CC_WORK/prom.log" 2>&1 &
PROM_PID=$!
prom_ready() { curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null; }
cc_wait_for 60 prom_ready
tap_ok $? "Prometheus started on 127.0.0.1:$pport" || tap_diag "$(tail -5 "$CC_WORK/prom.log")"
query() {
	curl -sf "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty'
}
prom_has() { [ "$(query "$1")" = "$2" ]; }
q="copenclose_events_total{container=\"$b\",syscall=\"openat\",result=\"ok\"}"
cc_wait_for 30 prom_has "$q" 90
tap_is "$(query "$q")" 90 "Prometheus answers $q with 90"
q="sum by (container) (copenclose_events_total{container=\"$a\"})"
cc_wait_for 10 prom_has "$q" 62
tap_is "$(query "$q")" 62 "Prometheus: A's calls summed over system calls and results, 62"

# --- the series of a removed container go after the grace period ---
touch "${CC_CTL[$a]}/done"
cc_container_wait "$a"
tap_ok $? "A ended and its cgroup was removed"
t0=$SECONDS
# gauge FAMILY: A's sample of that family in $CC_WORK/ended.prom
gauge() {
	awk -v s="$1{container=\"$a\"," 'index($0, s) == 1 { print $2 }' "$CC_WORK/ended.prom"
}
fds_ended() { scrape >"$CC_WORK/ended.prom" && [ "$(gauge copenclose_descriptors_open)" = 0 ]; }
cc_wait_for 2 fds_ended
tap_is "$(gauge copenclose_descriptors_open)" 0 \
	"/metrics: A's 2 descriptors no longer open once its process exited holding them"
tap_is "$(gauge copenclose_container_events_lost_total)" 0 \
	"/metrics: A lost no event (its exit record is not counted as a loss)"
cc_wait_for 20 no_series "$a"
tap_ok $? "A's series are gone from /metrics after the grace period"
tap_ok "$(((SECONDS - t0) >= 2 ? 0 : 1))" "... not before it (gone after $((SECONDS - t0)) s, grace 3)"
# (other containers on this machine may come and go too: at least A expired)
tap_is "$(grep -c "container=\"$b\"" "$CC_WORK/last.prom" | awk '{ print ($1 > 0) }') $(awk '/^copenclose_containers_expired_total / { print ($2 >= 1) }' "$CC_WORK/last.prom")" \
	"1 1" "B's series stay; copenclose_containers_expired_total counts A"

touch "${CC_CTL[$b]}/done"
cc_container_wait "$b"
cc_tracer_stop INT
tap_is "$(jq -r --arg n "$a" 'select(.container_name == $n and .syscall != null) | "\(.syscall) \(.ret >= 0)"' \
	"$CC_WORK/stream.out" | sort | uniq -c | awk '{ print $1, $2, $3 }' | paste -sd,)" \
	"30 close true,32 openat true" "the event lines still stream alongside /metrics"
