#!/usr/bin/env bash
# Measures copenclose against no tracer and its peers in one run of interleaved rounds, and writes
# the medians and the ratios between tracers to a table on stdout and to bench/RESULTS.md.
# BENCH_ROUNDS=N sets the rounds (default 5); BENCH_QUICK=1 makes a short run with fewer calls.
set -u
cd "$(dirname "$0")/.." || exit 1

CC_BIN=build/copenclose
LOAD=build/bench/load
ORIG=build/bench/origprobe
OPENSNOOP=${BENCH_OPENSNOOP:-/usr/sbin/opensnoop}
BPFTRACE=${BENCH_BPFTRACE:-bpftrace}
RESULTS=bench/RESULTS.md

if [ -n "${BENCH_QUICK:-}" ]; then
	rounds=${BENCH_ROUNDS:-2} reps=1 n_fail=20000 n_oc=10000 n_getpid=200000
	burst_n=200000 burst_rounds=1 rate_secs=2
else
	rounds=${BENCH_ROUNDS:-5} reps=2 n_fail=100000 n_oc=50000 n_getpid=1000000
	burst_n=1000000 burst_rounds=$((rounds < 3 ? rounds : 3)) rate_secs=5
fi
rate=60000
bpftrace_prog='tracepoint:syscalls:sys_exit_openat { printf("%d %s %d\n", pid, comm, args->ret); }'

for f in "$CC_BIN" "$LOAD" "$ORIG"; do
	[ -x "$f" ] || {
		echo "run.sh: $f is missing: run make bench" >&2
		exit 1
	}
done
[ "$(id -u)" -eq 0 ] || {
	echo "run.sh: run as root (the tracers load BPF programs)" >&2
	exit 1
}
# The peers' tracepoint programs need tracefs.
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
		echo "run.sh: could not mount tracefs; opensnoop and bpftrace may fail" >&2
fi

tmp=$(mktemp -d)
samples=$tmp/samples
: >"$samples"
tpid=
cleanup() {
	if [ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null; then
		kill -INT "$tpid" 2>/dev/null
		sleep 1
		kill -KILL "$tpid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
log() { printf '%s\n' "$*" >&2; }
record() { echo "$1 $2 $3" >>"$samples"; } # tracer metric value

# The tracer's CPU time in nanoseconds (user + system, every thread), from /proc/PID/stat.
cpu_ns() {
	local hz stat
	hz=$(getconf CLK_TCK)
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || {
		echo 0
		return
	}
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	echo $(((${12} + ${13}) * 1000000000 / hz))
}

# Voluntary context switches of every thread: how often the tracer went to sleep and was woken.
wakeups() {
	local t sum=0 v
	for t in /proc/"$1"/task/*/status; do
		v=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "$t" 2>/dev/null)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

hwm_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }

# The locked memory of the BPF maps whose file descriptors the tracer holds, in KiB.
map_kib() {
	local f sum=0 seen=" " id mem
	for f in /proc/"$1"/fdinfo/*; do
		id=$(sed -n 's/^map_id:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		case "$seen" in *" $id "*) continue ;; esac
		seen="$seen$id "
		mem=$(sed -n 's/^memlock:[[:space:]]*//p' "$f" 2>/dev/null)
		sum=$((sum + ${mem:-0}))
	done
	echo $((sum / 1024))
}

# How many BPF programs the process has attached to tracepoints (bpftool perf).
attached() {
	bpftool perf show 2>/dev/null | awk -v p="$1" '$1 == "pid" && $2 == p' | wc -l
}

# Starts tracer $1 with stdout to $2; sets tpid; 0 once it is tracing.
start_tracer() {
	local name=$1 out=$2 i n last=-1 stable=0
	: >"$tmp/err"
	case "$name" in
	cc-table) "$CC_BIN" >"$out" 2>"$tmp/err" & ;;
	cc-json | cc-jsonfile) "$CC_BIN" -o json >"$out" 2>"$tmp/err" & ;;
	cc-rej-pid) "$CC_BIN" -p 1 >"$out" 2>"$tmp/err" & ;;
	cc-rej-host) "$CC_BIN" -I >"$out" 2>"$tmp/err" & ;;
	opensnoop) "$OPENSNOOP" >"$out" 2>"$tmp/err" & ;;
	bpftrace) "$BPFTRACE" -e "$bpftrace_prog" >"$out" 2>"$tmp/err" & ;;
	orig) "$ORIG" >"$out" 2>"$tmp/err" & ;;
	*) return 1 ;;
	esac
	tpid=$!
	for i in $(seq 300); do
		kill -0 "$tpid" 2>/dev/null || break
		case "$name" in
		cc-* | orig)
			grep -q '^Tracing' "$tmp/err" && return 0
			;;
		*) # the peers say nothing on stderr: wait until their attachments stop growing
			n=$(attached "$tpid")
			if [ "$n" -gt 0 ] && [ "$n" -eq "$last" ]; then
				stable=$((stable + 1))
				[ "$stable" -ge 3 ] && return 0
			else
				stable=0
			fi
			last=$n
			;;
		esac
		sleep 0.1
	done
	log "run.sh: $name did not start tracing: $(head -c 300 "$tmp/err")"
	stop_tracer
	return 1
}

# SIGINT, then wait (KILL after 60 s); leaves the tracer's stderr in $tmp/err.
stop_tracer() {
	local i
	[ -n "$tpid" ] || return 0
	kill -INT "$tpid" 2>/dev/null
	for i in $(seq 600); do
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	tpid=
}

# Runs the workload; prints its ns per call (empty on failure).
load_ns() {
	"$LOAD" "$@" | sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p'
}

# One tracer's turn in a round: the per-call workloads, then the steady rate.
micro_turn() {
	local name=$1 out=/dev/null r c0 c1 w0 w1 t0 t1
	[ "$name" = cc-jsonfile ] && out=$tmp/out.json
	if [ "$name" != none ]; then
		start_tracer "$name" "$out" || return 0
		sleep 0.3
	fi
	[ -n "$tpid" ] && c0=$(cpu_ns "$tpid")
	for r in $(seq "$reps"); do
		record "$name" failopen "$(load_ns failopen "$n_fail")"
	done
	if [ -n "$tpid" ]; then
		c1=$(cpu_ns "$tpid")
		record "$name" cpu_ns_event $(((c1 - c0) / (n_fail * reps)))
	fi
	for r in $(seq "$reps"); do
		record "$name" openclose "$(load_ns openclose "$n_oc")"
		record "$name" getpid "$(load_ns getpid "$n_getpid")"
	done
	[ -n "$tpid" ] || return 0
	c0=$(cpu_ns "$tpid") w0=$(wakeups "$tpid") t0=$(now_ns)
	"$LOAD" -d "$rate_secs" rate "$rate" >/dev/null
	c1=$(cpu_ns "$tpid") w1=$(wakeups "$tpid") t1=$(now_ns)
	record "$name" rate_cpu_pct "$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN{printf "%.2f", 100*c/t}')"
	record "$name" wakeups_s "$(awk -v w=$((w1 - w0)) -v t=$((t1 - t0)) 'BEGIN{printf "%.0f", w*1e9/t}')"
	record "$name" hwm_kib "$(hwm_kib "$tpid")"
	record "$name" map_kib "$(map_kib "$tpid")"
	stop_tracer
}

# The workload events a tracer wrote to a file: lines naming the workload's comm.
count_lines() {
	case "$1" in
	cc-jsonfile) grep -c '"comm":"load"' "$2" ;;
	*) grep -cw 'load' "$2" ;;
	esac
}

# One burst of burst_n failing openat calls from $2 processes under tracer $1.
burst_turn() {
	local name=$1 jobs=$2 out=$tmp/burst.out t0 t_end c_prev c now busy=0 idle=0 got lost
	start_tracer "$name" "$out" || return 0
	sleep 0.3
	t0=$(now_ns)
	"$LOAD" -j "$jobs" burst "$burst_n" >/dev/null
	t_end=$(now_ns)
	# the tracer has caught up once its CPU time stops growing (under 10% of a core)
	c_prev=$(cpu_ns "$tpid")
	while [ "$idle" -lt 3 ] && [ "$busy" -lt 600 ]; do
		sleep 0.1
		c=$(cpu_ns "$tpid") now=$(now_ns)
		if [ $((c - c_prev)) -gt 10000000 ]; then
			t_end=$now idle=0 busy=$((busy + 1))
		else
			idle=$((idle + 1))
		fi
		c_prev=$c
	done
	record "$name" "b${jobs}_hwm_kib" "$(hwm_kib "$tpid")"
	stop_tracer
	got=$(count_lines "$name" "$out")
	lost=$((burst_n - got))
	[ "$lost" -lt 0 ] && lost=0
	record "$name" "b${jobs}_delivered" "$got"
	record "$name" "b${jobs}_lost" "$lost"
	record "$name" "b${jobs}_eps" $((got * 1000000000 / (t_end - t0)))
	case "$name" in
	cc-*)
		# the tracer's own count, all processes included
		record "$name" "b${jobs}_cc_lost" \
			"$(sed -n 's/.*events delivered, \([0-9]*\) lost.*/\1/p' "$tmp/err" | tail -n1)"
		;;
	esac
	rm -f "$out"
}

micro_tracers=(none cc-table cc-json cc-jsonfile cc-rej-pid cc-rej-host opensnoop bpftrace orig)
burst_tracers=(cc-jsonfile opensnoop bpftrace orig)
start=$(date -u '+%Y-%m-%d %H:%M UTC')
log "run.sh: $rounds rounds of ${#micro_tracers[@]} configurations, $burst_rounds burst rounds"
for round in $(seq "$rounds"); do
	for t in "${micro_tracers[@]}"; do
		log "round $round/$rounds: $t"
		micro_turn "$t"
	done
done
for round in $(seq "$burst_rounds"); do
	for t in "${burst_tracers[@]}"; do
		for j in 1 2; do
			log "burst round $round/$burst_rounds: $t, $j process(es)"
			burst_turn "$t" "$j"
		done
	done
done
cp "$samples" build/bench/samples.txt

# Medians per tracer and metric, then the tables and the target checks.
report() {
	awk -v rounds="$rounds" -v reps="$reps" -v burst_n="$burst_n" -v rate="$rate" '
	function median(key,   n, i, j, t, a) {
		n = cnt[key]
		if (!n)
			return ""
		for (i = 1; i <= n; i++)
			a[i] = val[key, i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function m(t, k) { return median(t SUBSEP k) }
	function added(t, k,   b, v) {
		v = m(t, k); b = m("none", k)
		return (v == "" || b == "") ? "" : v - b
	}
	function fmt(v, f) { return v == "" ? "n/a" : sprintf(f, v) }
	function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }
	function check(what, ok, detail) {
		printf "| %s | %s | %s |\n", what, ok == "" ? "n/a" : ok ? "PASS" : "MISS", detail
	}
	$3 != "" { k = $1 SUBSEP $2; val[k, ++cnt[k]] = $3 + 0 }
	END {
		split("none cc-table cc-json cc-jsonfile cc-rej-pid cc-rej-host opensnoop bpftrace orig", T, " ")
		label["none"] = "no tracer"
		label["cc-table"] = "copenclose (table > /dev/null)"
		label["cc-json"] = "copenclose -o json > /dev/null"
		label["cc-jsonfile"] = "copenclose -o json > file"
		label["cc-rej-pid"] = "copenclose -p 1 (events rejected)"
		label["cc-rej-host"] = "copenclose -I (host events rejected)"
		label["opensnoop"] = "opensnoop (libbpf-tools)"
		label["bpftrace"] = "bpftrace one-liner"
		label["orig"] = "original approach (raw_syscalls + perf buffer)"

		print "### Cost to the traced process (medians; added = traced - no tracer)\n"
		print "| tracer | failing openat ns | added ns/event | open+close ns | added ns/pair | getpid ns | added ns (untraced) | tracer CPU ns/event |"
		print "|---|---|---|---|---|---|---|---|"
		for (i = 1; i in T; i++) {
			t = T[i]
			if (m(t, "failopen") == "")
				continue
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", label[t],
				fmt(m(t, "failopen"), "%.0f"), t == "none" ? "-" : fmt(added(t, "failopen"), "%+.0f"),
				fmt(m(t, "openclose"), "%.0f"), t == "none" ? "-" : fmt(added(t, "openclose"), "%+.0f"),
				fmt(m(t, "getpid"), "%.0f"), t == "none" ? "-" : fmt(added(t, "getpid"), "%+.1f"),
				t == "none" ? "-" : fmt(m(t, "cpu_ns_event"), "%.0f")
		}
		print "\nopen+close is two events for copenclose and the original approach (open and close), one for opensnoop and bpftrace (openat only)."
		print "\n### Steady " rate " events/s, bursts of " burst_n " events, memory (medians)\n"
		print "| tracer | CPU % of a core | wake-ups/s | peak RSS MiB | BPF maps MiB | burst 1 proc: events/s | lost | burst 2 procs: events/s | lost |"
		print "|---|---|---|---|---|---|---|---|---|"
		for (i = 2; i in T; i++) {
			t = T[i]
			if (m(t, "rate_cpu_pct") == "" && m(t, "b1_eps") == "")
				continue
			hwm = m(t, "hwm_kib"); b = m(t, "b1_hwm_kib"); if (b > hwm) hwm = b
			b = m(t, "b2_hwm_kib"); if (b > hwm) hwm = b
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label[t],
				fmt(m(t, "rate_cpu_pct"), "%.2f"), fmt(m(t, "wakeups_s"), "%.0f"),
				fmt(hwm == "" ? "" : hwm / 1024, "%.1f"), fmt(m(t, "map_kib") == "" ? "" : m(t, "map_kib") / 1024, "%.2f"),
				fmt(m(t, "b1_eps"), "%.0f"), fmt(m(t, "b1_lost"), "%.0f"),
				fmt(m(t, "b2_eps"), "%.0f"), fmt(m(t, "b2_lost"), "%.0f")
		}
		print "\nBurst events/s: workload events the tracer wrote, over the time from the burst'"'"'s start until the tracer was idle again; lost = generated - written."

		print "\n### Targets (ratios between tracers in this run)\n"
		print "| target | result | measured |"
		print "|---|---|---|"
		a = added("cc-table", "failopen"); o = added("opensnoop", "failopen"); r = ratio(a, o)
		check("added cost per traced event <= 0.10 x opensnoop'"'"'s", r == "" ? "" : r <= 0.10,
			sprintf("%s (%s ns vs %s ns)", fmt(r, "%.3f"), fmt(a, "%.0f"), fmt(o, "%.0f")))
		a = added("cc-table", "getpid"); o = added("opensnoop", "getpid"); g = added("orig", "getpid")
		check("added cost per untraced call <= opensnoop'"'"'s", (a == "" || o == "") ? "" : a <= o,
			sprintf("%s ns vs %s ns", fmt(a, "%.1f"), fmt(o, "%.1f")))
		r = ratio(a, g)
		check("added cost per untraced call <= 0.25 x original approach'"'"'s", r == "" ? "" : r <= 0.25,
			sprintf("%s (%s ns vs %s ns)", fmt(r, "%.3f"), fmt(a, "%.1f"), fmt(g, "%.1f")))
		d = added("cc-table", "failopen")
		split("cc-rej-pid cc-rej-host", R, " ")
		for (i = 1; i in R; i++) {
			a = added(R[i], "failopen"); r = ratio(a, d)
			check("rejected event (" (R[i] == "cc-rej-pid" ? "-p of another pid" : "-I on host events") ") <= 0.35 x a delivered event'"'"'s added cost",
				r == "" ? "" : r <= 0.35, sprintf("%s (%s ns vs %s ns)", fmt(r, "%.3f"), fmt(a, "%.0f"), fmt(d, "%.0f")))
		}
		for (j = 1; j <= 2; j++) {
			e = m("cc-jsonfile", "b" j "_eps"); l = m("cc-jsonfile", "b" j "_lost")
			check("burst of " burst_n " from " j " process(es), JSON to a file: 0 lost at >= 400000 events/s",
				(e == "" || l == "") ? "" : (l == 0 && e >= 400000),
				sprintf("%s events/s, %s lost", fmt(e, "%.0f"), fmt(l, "%.0f")))
		}
		c = m("cc-table", "rate_cpu_pct")
		check("tracer CPU at " rate " events/s <= 3% of a core (table)", c == "" ? "" : c <= 3, fmt(c, "%.2f%%"))
		c = m("cc-jsonfile", "rate_cpu_pct")
		check("tracer CPU at " rate " events/s <= 5% of a core (JSON to a file)", c == "" ? "" : c <= 5, fmt(c, "%.2f%%"))
		w = m("cc-table", "wakeups_s"); x = m("cc-jsonfile", "wakeups_s"); if (x > w) w = x
		check("at most 1000 wake-ups/s at " rate " events/s", w == "" ? "" : w <= 1000, fmt(w, "%.0f/s"))
		hwm = 0
		for (i = 2; i <= 6; i++)
			for (j = 0; j <= 2; j++) {
				b = m(T[i], j ? "b" j "_hwm_kib" : "hwm_kib")
				if (b != "" && b > hwm) hwm = b
			}
		check("peak RSS <= 32 MiB", hwm ? hwm <= 32 * 1024 : "", fmt(hwm ? hwm / 1024 : "", "%.1f MiB"))
	}' "$samples"
}

table=$(report)
{
	echo "# copenclose benchmark results"
	echo
	echo "- date: $start"
	echo "- kernel: $(uname -r) ($(uname -m)), CPUs: $(nproc)"
	echo "- command: \`${BENCH_ROUNDS:+BENCH_ROUNDS=$BENCH_ROUNDS }${BENCH_QUICK:+BENCH_QUICK=1 }make bench\`"
	echo "- $rounds interleaved rounds (every configuration once per round, in turn), $reps runs of each workload per round;" \
		"failing openat x $n_fail, open+close x $n_oc, getpid x $n_getpid; steady rate ${rate_secs}s;" \
		"$burst_rounds burst rounds"
	echo "- the workload times itself with CLOCK_MONOTONIC; this machine is noisy, so compare tracers by" \
		"the ratios measured in the same run, not by the absolute times"
	echo
	echo "$table"
} >"$RESULTS"
echo "$table"
echo
echo "written to $RESULTS"
