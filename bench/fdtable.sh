# The descriptor table's cost per event (part fdtable of bench/run.sh, which sources this file:
# it uses run.sh's variables and functions: record, log, start_tracer, churn_v2, ...).
# shellcheck shell=bash disable=SC2154

# The tracer's CPU time (every thread's, from /proc/PID/task/*/schedstat: nanoseconds, not clock
# ticks) per workload call, and the workload's whole-process time (fork to exit, from bash's time:
# wall, and user + system CPU, which includes the BPF programs run in its system calls), with the
# table and without, in streaming mode (-o json) and in top (-o json), and with no tracer. The
# workload runs in a cgroup of its own and the tracers trace only that cgroup (-G): the calls of
# the machine's other processes are dropped in the kernel and cost the tracer nothing.
fdt_pairs=${BENCH_FDT_PAIRS:-200000} fdt_spawn=${BENCH_FDT_SPAWN:-1000}
[ -n "${BENCH_QUICK:-}" ] && fdt_pairs=50000 fdt_spawn=300
fdt_rounds=${BENCH_ROUNDS:-5}
fdt_tracers=(none fdt-json fdt-json-nofd fdt-top fdt-top-nofd)
fdt_cg=$churn_v2/ccbench-fdt-$$
fdt_round=0

sched_ns() {
	local f v sum=0
	for f in /proc/"$1"/task/*/schedstat; do
		{ read -r v _ <"$f"; } 2>/dev/null && sum=$((sum + v))
	done
	echo "$sum"
}

# Waits until the tracer has caught up (its CPU time grew by under 2 ms in 200 ms; at most
# 10 s); prints its CPU time then.
fdt_settle() {
	local prev cur
	prev=$(sched_ns "$1")
	for _ in $(seq 50); do
		sleep 0.2
		cur=$(sched_ns "$1")
		[ $((cur - prev)) -lt 2000000 ] && break
		prev=$cur
	done
	echo "$cur"
}

# One workload run in the benchmark's cgroup, timed from fork to exit: prints its wall and CPU
# (user + system) ns.
fdt_time() {
	local TIMEFORMAT='%3R %3U %3S' t
	# shellcheck disable=SC2016 # expanded by sh
	t=$({ time sh -c 'cg=$1; shift; echo $$ >"$cg/cgroup.procs" && exec "$@"' sh "$fdt_cg" \
		"$LOAD" "$@" >/dev/null 2>&1; } 2>&1)
	awk '{ printf "%.0f %.0f\n", $1 * 1e9, ($2 + $3) * 1e9 }' <<<"$t"
}

fdt_record() { record "$1" "$2#$fdt_round" "$3"; } # the round, for the ratios per round

# The tracer's CPU ns from c0 at t0 to c1 at t1, less what it spends idle in that time (its
# timers: the interval's reads, the poll timeouts), over n calls.
fdt_per() {
	awk -v c=$(($3 - $1)) -v t=$(($4 - $2)) -v idle="$idle" -v n="$5" \
		'BEGIN { printf "%.1f", (c - idle * t) / n }'
}

fdt_turn() {
	local name=$1 c0 c1 t0 t1 wall cpu idle
	if [ "$name" != none ]; then
		start_tracer "$name" /dev/null || return 0
		sleep 0.5
		c0=$(fdt_settle "$tpid") t0=$(now_ns)
		sleep 2
		c1=$(sched_ns "$tpid") t1=$(now_ns)
		idle=$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.6f", c / t }')
		fdt_record "$name" idle_tracer "$(awk -v i="$idle" 'BEGIN { printf "%.3f", i * 100 }')"
		c0=$c1 t0=$t1
	fi
	[ "$(foreign)" -eq 0 ] || echo "$name" >>"$tmp/fdt-foreign"
	read -r wall cpu < <(fdt_time openclose "$fdt_pairs")
	fdt_record "$name" pair_wall "$(awk -v t="$wall" -v n="$fdt_pairs" 'BEGIN { printf "%.1f", t / n }')"
	fdt_record "$name" pair_cpu "$(awk -v t="$cpu" -v n="$fdt_pairs" 'BEGIN { printf "%.1f", t / n }')"
	if [ -n "$tpid" ]; then
		c1=$(fdt_settle "$tpid") t1=$(now_ns)
		fdt_record "$name" call_tracer "$(fdt_per "$c0" "$t0" "$c1" "$t1" $((2 * fdt_pairs)))"
		c0=$c1 t0=$t1
	fi
	read -r wall cpu < <(fdt_time spawn "$fdt_spawn")
	fdt_record "$name" spawn_wall $((wall / fdt_spawn))
	fdt_record "$name" spawn_cpu $((cpu / fdt_spawn))
	if [ -n "$tpid" ]; then
		c1=$(fdt_settle "$tpid") t1=$(now_ns)
		fdt_record "$name" spawn_tracer "$(fdt_per "$c0" "$t0" "$c1" "$t1" "$fdt_spawn")"
		stop_tracer
	fi
}

# The part's section of bench/RESULTS.md: medians over the rounds, and the ratio with/without the
# table taken in each round (the two ran one after the other) with the median and range of those.
fdt_heading="## Descriptor table cost per event (BENCH_PARTS=fdtable)"
fdt_section() {
	echo "$fdt_heading"
	echo
	echo "- date: $start; kernel: $(uname -r) ($(uname -m)), CPUs: $(nproc)"
	echo "- command: \`${fdt_only:+BENCH_PARTS=fdtable }${BENCH_ROUNDS:+BENCH_ROUNDS=$BENCH_ROUNDS }${BENCH_QUICK:+BENCH_QUICK=1 }bench/run.sh\`" \
		"(the measuring step of \`make bench\`, after \`make all\` and \`make -C bench\`)"
	echo "- $fdt_rounds interleaved rounds (every configuration once per round, in turn: no tracer," \
		"copenclose -o json, the same with --no-fd-table, copenclose top -o json, the same with" \
		"--no-fd-table; each tracer with -G on the workload's own cgroup, stdout to /dev/null);" \
		"each round: $fdt_pairs open+close pairs of /dev/null from one process, then $fdt_spawn" \
		"processes forked and reaped (fork, exit, wait)"
	echo "- load average (1, 5, 15 min) at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)" \
		"(other work on the machine: the workload's times are noisier than the tracer's CPU)"
	echo "- turns during which another process had a program on a system-call tracepoint (kept:" \
		"the configurations are interleaved and suffer alike): $(wc -l <"$tmp/fdt-foreign") of" \
		"$((fdt_rounds * ${#fdt_tracers[@]}))"
	echo "- tracer CPU: every thread's run time from /proc/PID/task/*/schedstat, from before the" \
		"workload until the tracer has caught up, less its idle rate (measured over 2 s before) for" \
		"that time, over the workload's calls (2 per pair) or processes; workload" \
		"time: the process from fork to exit (bash's time), wall and user + system CPU (which" \
		"includes the BPF programs run in its system calls)"
	echo "- ratio: with the table over without, taken in each round, then the median (and the" \
		"range) of those; the medians in the other columns are over the rounds"
	echo
	awk -f - "$samples" <<'AWK'
$2 ~ /#/ {
	split($2, m, "#"); k = $1 " " m[1]
	v[k] = v[k] " " $3; at[k, m[2]] = $3; has[k, m[2]] = 1
	if (m[2] + 0 > rounds) rounds = m[2] + 0
}
function sort_med(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	if (n == 0) return ""
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	lo = a[1]; hi = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function cell(x) { return x == "" ? "-" : sprintf("%.1f", x) }
# the ratio of with/without per round; added: both less the same round's no-tracer value
function ratio(with, without, m, added,    r, s, a, b, med) {
	s = ""
	for (r = 1; r <= rounds; r++) {
		if (!has[with " " m, r] || !has[without " " m, r]) continue
		if (added && !has["none " m, r]) continue
		a = at[with " " m, r]; b = at[without " " m, r]
		if (added) { a -= at["none " m, r]; b -= at["none " m, r] }
		if (b > 0) s = s " " a / b
	}
	med = sort_med(s)
	return med == "" ? "-" : sprintf("%.2f (%.2f-%.2f)", med, lo, hi)
}
function med(k) { return sort_med(v[k]) }
function row(label, m, added,    n, st, sn, tt, tn) {
	n = med("none " m); st = med("fdt-json " m); sn = med("fdt-json-nofd " m)
	tt = med("fdt-top " m); tn = med("fdt-top-nofd " m)
	printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", label, added ? "-" : cell(n),
		added ? "" : cell(st), added ? "" : cell(sn), ratio("fdt-json", "fdt-json-nofd", m, added),
		added ? "" : cell(tt), added ? "" : cell(tn), ratio("fdt-top", "fdt-top-nofd", m, added)
}
END {
	print "| measure | no tracer | stream, table | stream, --no-fd-table | ratio | top, table | top, --no-fd-table | ratio |"
	print "|---|---|---|---|---|---|---|---|"
	row("tracer CPU ns per traced call (open+close workload)", "call_tracer", 0)
	row("workload wall ns per open+close pair, fork to exit", "pair_wall", 0)
	row("... the part added over no tracer", "pair_wall", 1)
	row("workload CPU ns per open+close pair (user + system)", "pair_cpu", 0)
	row("... the part added over no tracer", "pair_cpu", 1)
	row("tracer CPU ns per process spawned", "spawn_tracer", 0)
	row("tracer CPU idle, % of a core (subtracted above)", "idle_tracer", 0)
	row("workload wall ns per process spawned (fork, exit, wait)", "spawn_wall", 0)
	row("workload CPU ns per process spawned", "spawn_cpu", 0)
}
AWK
	echo
	echo "What differs: in streaming mode the kernel runs the same system-call programs with the table and without (close is traced either way), so the table is user-space work per open and close, plus the programs on sched_process_exit and sched_process_exec (one record per exit or exec). In top, the table also makes every successful open, accept and close a record to read, where without it only the successful opens are streamed (for their paths) and closes are only counted in the kernel's tally. A per-round ratio whose denominator is near 0 (top's tracer CPU, the per-spawn tracer CPU after the idle time is taken off) has a wide range: the medians of the two columns compare too."
}
