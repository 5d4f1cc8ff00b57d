#!/usr/bin/env bash
# The noisy neighbour, in one run of interleaved rounds: one runc container makes failing opens
# as fast as it can (four flood processes, one forking the others: `flood -j 4`, no shell) while
# four quiet runc containers each make a known number of opens and closes at a steady rate, the
# tracer writing JSON to a file through a 1 MiB ring
# (--ringbuf-size 1). Per tracer: the quiet containers' events lost (copenclose without a limit,
# with --rate-limit, and libbpf-tools' opensnoop), the flooder's delivered + throttled + lost
# against what it made, the tracer's CPU during the flood. Then the cost per event in the calling
# process (bench/load failopen, ns per call minus no tracer's): throttled (--rate-limit 1), with
# the limit on but never reached, excluded by --exclude-path, against a delivered event.
# The containers share a parent cgroup, and copenclose traces only it (-G): the machine's other
# events take no room in the ring, and no other container's throttled events are counted as the
# flooder's (a throttled record is found by the flooder's cgroup id, not by its pid namespace's
# inode number, which the kernel gives to the next namespace made once it is free).
# The -stall turns stop the tracer (SIGSTOP) for 1 s in the middle of the flood, as a consumer on
# a busy node falls behind: the flood then fills the ring whatever the machine's speed.
# BENCH_ROUNDS=N rounds (default 3); BENCH_FLOOD_SECS the flood's length (default 4);
# BENCH_FLOOD_PARTS="flood cost" the turns to run (default both).
# Usage: bench/floods.sh (as root). Writes a table on stdout and its section of bench/RESULTS.md.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/integration/lib.sh
. tests/integration/lib.sh
CC=${BENCH_CC_BIN:-build/copenclose}
LOAD=build/bench/load
OPENSNOOP=${BENCH_OPENSNOOP:-/usr/sbin/opensnoop}
rounds=${BENCH_ROUNDS:-3} secs=${BENCH_FLOOD_SECS:-4} limit=${BENCH_FLOOD_LIMIT:-1000}
n_quiet=1000 quiet_rate=400 n_cost=${BENCH_FLOOD_CALLS:-100000}
fparts=" ${BENCH_FLOOD_PARTS:-flood cost} "
RESULTS=bench/RESULTS.md
heading="## Floods: the noisy neighbour and the cost of a throttled event (bench/floods.sh)"
[ -n "${BENCH_CC_BIN:-}" ] && RESULTS=build/bench/RESULTS-floods.md
for f in "$CC" "$LOAD" "$CC_FLOOD" "$CC_WORKLOAD"; do
	[ -x "$f" ] || { echo "floods.sh: $f is missing: run make all helpers and make -C bench" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "floods.sh: run as root" >&2; exit 1; }
cc_setup
cc_rootfs
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cc_defer "sysctl -q kernel.bpf_stats_enabled=$stats_was"
sysctl -q kernel.bpf_stats_enabled=1
samples=$CC_WORK/samples
: >"$samples"
tpid=
record() { echo "$1 $2 $3" >>"$samples"; }
cpu_ns() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo $(((${12} + ${13}) * 1000000000 / $(getconf CLK_TCK)))
}
start() { # TAG COMMAND...: the tracer, stdout to $CC_WORK/TAG.out; sets tpid
	local tag=$1 i
	shift
	if [ "$tag" = opensnoop ]; then
		"$@" >"$CC_WORK/$tag.out" 2>"$CC_WORK/$tag.err" &
		tpid=$!
		for i in $(seq 100); do # it says nothing: wait for its programs
			bpftool perf show 2>/dev/null | awk -v p="$tpid" '$2 == p' | grep -q . && break
			sleep 0.1
		done
		sleep 1
		return 0
	fi
	cc_tracer_start "$tag" "$@" || return 1
	tpid=$CC_TRACER_PID
}
stop() {
	kill -INT "$tpid" 2>/dev/null
	cc_wait_for 60 cc_not_running "$tpid" || kill -KILL "$tpid"
	wait "$tpid" 2>/dev/null
}

# One noisy-neighbour turn under tracer TAG (stopped for 1 s mid-flood when TAG ends in -stall).
flood_turn() {
	local tag=$1 f q c0 c1 t0 t1 made got lost thr i quiet=() ql=0 parent
	shift
	parent=$(cc_name) f=$(cc_name)
	[ "$tag" = opensnoop ] || set -- "$@" -G "/$parent"
	cc_runc_start --cgroup "/$parent/$f" "$f" exec /bin/flood -j 4 -s "$secs" || return 1
	for i in 1 2 3 4; do
		q=$(cc_name)
		quiet+=("$q")
		cc_runc_start --cgroup "/$parent/$q" "$q" paced /data/file "$n_quiet" "$quiet_rate" || return 1
	done
	start "$tag" "$@" || return 1
	c0=$(cpu_ns "$tpid") t0=$(date +%s%N)
	for c in "$f" "${quiet[@]}"; do cc_container_go "$c"; done
	case $tag in *-stall) sleep 1 && kill -STOP "$tpid" && sleep 1 && kill -CONT "$tpid" ;; esac
	cc_container_wait "$f" $((secs + 60))
	c1=$(cpu_ns "$tpid") t1=$(date +%s%N)
	for q in "${quiet[@]}"; do cc_container_wait "$q" 60; done
	sleep 1.5
	stop
	made=$(awk '{ s += $1 } END { print s + 0 }' "$CC_WORK/$f.out")
	record "$tag" cpu_pct "$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", 100 * c / t }')"
	record "$tag" made "$made"
	if [ "$tag" = opensnoop ]; then # its lines: PID COMM FD ERR PATH
		got=$(awk '$2 == "workload" && $NF == "/data/file"' "$CC_WORK/$tag.out" | wc -l)
		record "$tag" quiet_lost $((4 * n_quiet - got))
		record "$tag" flood_delivered "$(awk '$2 == "flood"' "$CC_WORK/$tag.out" | wc -l)"
	else
		for q in "${quiet[@]}"; do
			got=$(jq -r "select(.type == \"event\" and .hostname == \"$q\") | .syscall" \
				"$CC_WORK/$tag.out" | wc -l)
			ql=$((ql + 2 * n_quiet - got))
		done
		record "$tag" quiet_lost "$ql"
		got=$(jq -r "select(.type == \"event\" and .hostname == \"$f\" and .comm == \"flood\") | .syscall" \
			"$CC_WORK/$tag.out" | wc -l)
		thr=$(jq -r "select(.type == \"throttled\" and .cgroup_id == ${CC_CGID[$f]}) | .throttled" \
			"$CC_WORK/$tag.out" | awk '{ s += $1 } END { print s + 0 }')
		lost=$(sed -n "s/^copenclose: lost \([0-9]*\) events of cgroup ${CC_CGID[$f]} .*/\1/p" \
			"$CC_WORK/$tag.err")
		record "$tag" flood_delivered "$got"
		record "$tag" flood_throttled "$thr"
		record "$tag" flood_lost "${lost:-0}"
		record "$tag" flood_sum_minus_made $((got + thr + ${lost:-0} - made))
	fi
	for c in "$f" "${quiet[@]}"; do cc_container_kill "$c"; done
}

# The run time and count of the tracer's sys_exit_openat program (kernel.bpf_stats_enabled).
openat_stats() {
	local id
	id=$(bpftool perf show 2>/dev/null | awk -v p="$1" '$1 == "pid" && $2 == p && /sys_exit_openat$/ { print $6 }' | head -n1)
	bpftool prog show id "${id:-0}" 2>/dev/null | head -n1 |
		sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p'
}

# The kernel's own time per failing openat (its program's run time per run, from the BPF
# statistics: the machine's load does not enter) under tracer TAG, during bench/load failopen.
# Also the CPU time (user + system) the caller spends per call, which time it was preempted for
# does not enter: none's is the baseline.
cost_turn() {
	local tag=$1 t0 c0 t1 c1 cpu
	shift
	[ "$tag" = none ] || start "$tag" "$@" || return 1
	[ "$tag" = none ] || read -r t0 c0 < <(openat_stats "$tpid")
	cpu=$( { TIMEFORMAT='%3U %3S'; time "$LOAD" failopen "$n_cost" >/dev/null; } 2>&1 | tail -n1)
	record "$tag" cpu_call "$(awk -v u="${cpu% *}" -v s="${cpu#* }" -v n="$n_cost" 'BEGIN { printf "%.0f", (u + s) * 1e9 / n }')"
	[ "$tag" = none ] && return 0
	read -r t1 c1 < <(openat_stats "$tpid")
	[ "$((c1 - c0))" -gt 0 ] && record "$tag" ns_call $(((t1 - t0) / (c1 - c0)))
	stop
}

for round in $(seq "$rounds"); do
	echo "floods: round $round/$rounds" >&2
	if [ "${fparts#* flood }" != "$fparts" ]; then
		flood_turn cc -I -o json --ringbuf-size 1
		flood_turn cc-limit -I -o json --ringbuf-size 1 --rate-limit "$limit"
		flood_turn cc-stall -I -o json --ringbuf-size 1
		flood_turn cc-limit-stall -I -o json --ringbuf-size 1 --rate-limit "$limit"
		[ -x "$OPENSNOOP" ] && flood_turn opensnoop "$OPENSNOOP"
	fi
	[ "${fparts#* cost }" != "$fparts" ] || continue
	cost_turn none
	cost_turn delivered -o json
	cost_turn throttled -o json --rate-limit 1
	cost_turn limit-unreached -o json --rate-limit 10000000
	cost_turn excluded -o json --exclude-path /nonexistent-copenclose-bench/
done

med() { # TAG METRIC: the median of its samples
	awk -v t="$1" -v m="$2" '$1 == t && $2 == m { print $3 }' "$samples" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.10g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
all() { awk -v t="$1" -v m="$2" '$1 == t && $2 == m { printf "%s%s", s, $3; s = " " }' "$samples"; }
added() { med "$1" ns_call; }
base=$(med none cpu_call)
cadded() { awk -v a="$(med "$1" cpu_call)" -v b="$base" 'BEGIN { printf "%.0f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
d=$(added delivered) th=$(added throttled) lu=$(added limit-unreached) ex=$(added excluded)
cd_=$(cadded delivered) cth=$(cadded throttled) clu=$(cadded limit-unreached) cex=$(cadded excluded)
table=$(
	echo "| tracer | quiet events lost (of $((8 * n_quiet))) | flooder made | delivered | throttled | lost | delivered+throttled+lost-made | tracer CPU during the flood |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for t in cc cc-limit cc-stall cc-limit-stall opensnoop; do
		[ "$(med "$t" made)" = - ] && continue
		echo "| $t | $(all "$t" quiet_lost) | $(med "$t" made) | $(med "$t" flood_delivered) | $(med "$t" flood_throttled) | $(med "$t" flood_lost) | $(all "$t" flood_sum_minus_made) | $(med "$t" cpu_pct)% |"
	done
	echo
	echo "| cost per failing openat (medians) | program ns per run | ratio | caller CPU ns per call added (none: $base) | ratio | goal |"
	echo "| --- | --- | --- | --- | --- | --- |"
	echo "| delivered (-o json) | $d | 1 | $cd_ | 1 | |"
	echo "| throttled (--rate-limit 1) | $th | $(ratio "$th" "$d") | $cth | $(ratio "$cth" "$cd_") | <= 0.35 |"
	echo "| delivered with --rate-limit 10000000 (never reached) | $lu | $(ratio "$lu" "$d") | $clu | $(ratio "$clu" "$cd_") | <= 1.10 |"
	echo "| excluded (--exclude-path) | $ex | $(ratio "$ex" "$d") | $cex | $(ratio "$cex" "$cd_") | <= 0.35 |"
)
{
	echo "$heading"
	echo
	echo "Run on $(date -u +%Y-%m-%d) by \`bench/floods.sh\` (BENCH_PARTS=floods bench/run.sh), $rounds interleaved"
	echo "rounds, $(nproc) CPUs, kernel $(uname -r). The flooder: one runc container running"
	echo "four processes of build/helpers/flood -j 4 (failing openat in a loop; no shell, whose opens of /dev/null for its background jobs were throttled and counted as the flooder's: the +4 of a run) for $secs s; the quiet ones: four runc containers"
	echo "each making $n_quiet openat + close at $quiet_rate a second; all five under one parent cgroup;"
	echo "tracers write to a file, copenclose with -I -G PARENT --ringbuf-size 1, --rate-limit $limit for"
	echo "cc-limit*; the -stall turns stop the tracer (SIGSTOP) for 1 s a second into the flood, as a"
	echo "consumer on a busy node falls behind (opensnoop: its defaults, the whole machine; it sees opens"
	echo "only, so its quiet count is of $((4 * n_quiet)) opens). Lost and sums: every round, in order;"
	echo "the others medians. Costs: the sys_exit_openat program's run time per run (kernel.bpf_stats_enabled)"
	echo "during bench/load failopen $n_cost under each tracer (the flooder's side of the cost: what the"
	echo "kernel spends per call; a delivered event costs the consumer its decoding and writing too), and"
	echo "the caller's own CPU time (user + system) per call minus no tracer's."
	echo
	echo "$table"
	echo
} >"$CC_WORK/section"
mkdir -p "$(dirname "$RESULTS")"
[ -f "$RESULTS" ] || : >"$RESULTS"
awk -v h="$heading" -v sec="$CC_WORK/section" '
	function put(   l) { while ((getline l < sec) > 0) print l; done = 1 }
	$0 == h { skip = 1; next }
	skip && /^## / { skip = 0 }
	/^## Descriptor table scenario/ && !done { put() }
	!skip { print }
	END { if (!done) put() }' "$RESULTS" >"$CC_WORK/results"
mv "$CC_WORK/results" "$RESULTS"
echo "$table"
echo "written to $RESULTS"
