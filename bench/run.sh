#!/usr/bin/env bash
# Measures copenclose against no tracer and its peers in one run of interleaved rounds, and writes
# the medians and the ratios between tracers to a table on stdout and to bench/RESULTS.md.
# BENCH_ROUNDS=N sets the rounds (default 5); BENCH_QUICK=1 makes a short run with fewer calls.
# BENCH_ONLY=fdtable runs only the descriptor table's scenario (copenclose -o json with and without
# --no-fd-table, and no tracer), into its own section at the end of bench/RESULTS.md.
# BENCH_PARTS="micro burst stats churn fdtable floods" chooses the parts (default all six; stats:
# the BPF programs' time per run, each against the empty program's at sys_exit_openat) and
# BENCH_STATS_TRACERS the configurations of the BPF statistics part (BENCH_TRACERS and
# BENCH_BURST_TRACERS those of the micro and burst parts); BENCH_CC_BIN runs another
# copenclose build. BENCH_PARTS=fdtable alone measures the descriptor table's cost per event
# (streaming mode and top, with and without the table) and replaces its section of
# bench/RESULTS.md.
set -u
cd "$(dirname "$0")/.." || exit 1

CC_BIN=${BENCH_CC_BIN:-build/copenclose}
parts=" ${BENCH_PARTS:-micro burst stats churn fdtable floods} "
# floods: the noisy neighbour and the cost of a throttled event, a script of its own that
# replaces its section of bench/RESULTS.md (run last, after this script's own sections)
[ "$parts" = " floods " ] && exec bench/floods.sh
LOAD=build/bench/load
CHURN=build/bench/churn
ORIG=build/bench/origprobe
FDCOST=build/bench/fdcost
OPENSNOOP=${BENCH_OPENSNOOP:-/usr/sbin/opensnoop}
BPFTRACE=${BENCH_BPFTRACE:-bpftrace}
RESULTS=bench/RESULTS.md
[ -n "${BENCH_PARTS:-}${BENCH_CC_BIN:-}" ] && RESULTS=build/bench/RESULTS-partial.md # not the full run
fdt_only=
[ "$parts" = " fdtable " ] && [ -z "${BENCH_CC_BIN:-}" ] && fdt_only=1 # its own section

if [ -n "${BENCH_QUICK:-}" ]; then
	rounds=${BENCH_ROUNDS:-2} reps=1 n_fail=20000 n_oc=10000 n_getpid=200000
	burst_n=200000 burst_rounds=1 rate_secs=2 n_spawn=100 n_tally=100000
else
	rounds=${BENCH_ROUNDS:-5} reps=2 n_fail=100000 n_oc=50000 n_getpid=1000000
	burst_n=1000000 burst_rounds=$((rounds < 3 ? rounds : 3)) rate_secs=5 n_spawn=300 n_tally=300000
fi
only=${BENCH_ONLY:-}
rate=60000
bpftrace_prog='tracepoint:syscalls:sys_exit_openat { printf("%d %s %d\n", pid, comm, args->ret); }'

for f in "$CC_BIN" "$LOAD" "$CHURN" "$ORIG" "$FDCOST"; do
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
: >"$tmp/set-aside"
tpid=
stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
cleanup() {
	[ -n "$stats_was" ] && sysctl -q kernel.bpf_stats_enabled="$stats_was" 2>/dev/null
	if [ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null; then
		kill -INT "$tpid" 2>/dev/null
		sleep 1
		kill -KILL "$tpid" 2>/dev/null
	fi
	[ -n "${fdt_cg:-}" ] && rmdir "$fdt_cg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
log() { printf '%s\n' "$*" >&2; }
record() { echo "$1 $2 $3" >>"$samples"; } # tracer metric value

# The tracer's CPU time in nanoseconds (every thread), from /proc/PID/stat: $2 is u (user),
# s (system) or empty for both.
cpu_ns() {
	local hz stat which=${2:-}
	hz=$(getconf CLK_TCK)
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || {
		echo 0
		return
	}
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	case "$which" in
	u) echo $((${12} * 1000000000 / hz)) ;;
	s) echo $((${13} * 1000000000 / hz)) ;;
	*) echo $(((${12} + ${13}) * 1000000000 / hz)) ;;
	esac
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
	local name=$1 out=$2 n last=-1 stable=0
	: >"$tmp/err"
	case "$name" in
	cc-table) "$CC_BIN" >"$out" 2>"$tmp/err" & ;;
	cc-json | cc-jsonfile) "$CC_BIN" -o json >"$out" 2>"$tmp/err" & ;;
	cc-json-nofd) "$CC_BIN" -o json --no-fd-table >"$out" 2>"$tmp/err" & ;;
	cc-rej-pid) "$CC_BIN" -p 1 >"$out" 2>"$tmp/err" & ;;
	cc-rej-host) "$CC_BIN" -I >"$out" 2>"$tmp/err" & ;;
	opensnoop) "$OPENSNOOP" >"$out" 2>"$tmp/err" & ;;
	bpftrace) "$BPFTRACE" -e "$bpftrace_prog" >"$out" 2>"$tmp/err" & ;;
	cc-jsonfile-ring4) "$CC_BIN" -o json --ringbuf-size 4 >"$out" 2>"$tmp/err" & ;;
	cc-jsonfile-omit) "$CC_BIN" -o json --omit-null >"$out" 2>"$tmp/err" & ;;
	orig) "$ORIG" >"$out" 2>"$tmp/err" & ;;
	cc-close-stream) "$CC_BIN" -o json -e close --no-fd-table >"$out" 2>"$tmp/err" & ;;
	cc-close-metrics)
		"$CC_BIN" -o json -e close --no-fd-table --metrics 127.0.0.1:39464 >"$out" \
			2>"$tmp/err" &
		;;
	cc-close-top) "$CC_BIN" top -o json -e close >"$out" 2>"$tmp/err" & ;;
	fdt-json) "$CC_BIN" -o json -G "$fdt_cg" >"$out" 2>"$tmp/err" & ;;
	fdt-json-nofd) "$CC_BIN" -o json --no-fd-table -G "$fdt_cg" >"$out" 2>"$tmp/err" & ;;
	fdt-top) "$CC_BIN" top -o json -G "$fdt_cg" >"$out" 2>"$tmp/err" & ;;
	fdt-top-nofd) "$CC_BIN" top -o json --no-fd-table -G "$fdt_cg" >"$out" 2>"$tmp/err" & ;;
	floor-tp) "$ORIG" --floor-tp >"$out" 2>"$tmp/err" & ;;
	floor-rawtp) "$ORIG" --floor-raw-tp >"$out" 2>"$tmp/err" & ;;
	*) return 1 ;;
	esac
	tpid=$!
	for _ in $(seq 300); do
		kill -0 "$tpid" 2>/dev/null || break
		case "$name" in
		cc-* | orig | floor-*)
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
	[ -n "$tpid" ] || return 0
	kill -INT "$tpid" 2>/dev/null
	for _ in $(seq 600); do
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	tpid=
}

# Programs that other processes keep on system-call tracepoints (another tracer on this machine)
# slow every system call down: a sample taken while one is attached is set aside.
foreign() {
	bpftool perf show 2>/dev/null |
		awk -v p="${tpid:-0}" '$1 == "pid" && $2 != p && $NF ~ /^sys_(enter|exit)/' | wc -l
}

# Records tracer $1's metric $2 from the workload given by the other arguments; up to 5 tries
# when another tracer was attached during one.
sample() {
	local name=$1 metric=$2 v
	shift 2
	if [ "$only" = fdtable ]; then
		# with and without the table suffer alike from other tracers: interleaved, compared
		[ "$(foreign)" -eq 0 ] || echo "$name $metric" >>"$tmp/foreign"
		record "$name" "$metric" "$(load_ns "$@")"
		return 0
	fi
	for _ in 1 2 3 4 5; do
		if [ "$(foreign)" -eq 0 ]; then
			v=$(load_ns "$@")
			if [ "$(foreign)" -eq 0 ]; then
				record "$name" "$metric" "$v"
				return 0
			fi
		fi
		echo "$name $metric" >>"$tmp/set-aside"
		sleep 2
	done
}

pct() { awk -v c="$1" -v t="$2" 'BEGIN{printf "%.2f", 100*c/t}'; }

# Runs the workload; prints its ns per call (empty on failure).
load_ns() {
	"$LOAD" "$@" | sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p'
}

# One tracer's turn in a round: the per-call workloads, then the steady rate.
micro_turn() {
	local name=$1 out=/dev/null c0 c1 s0 s1 w0 w1 t0 t1
	case "$name" in cc-jsonfile | cc-jsonfile-omit) out=$tmp/out.json ;; esac
	if [ "$name" != none ]; then
		start_tracer "$name" "$out" || return 0
		sleep 0.3
	fi
	[ -n "$tpid" ] && c0=$(cpu_ns "$tpid")
	for _ in $(seq "$reps"); do
		sample "$name" failopen failopen "$n_fail"
	done
	if [ -n "$tpid" ]; then
		c1=$(cpu_ns "$tpid")
		record "$name" cpu_ns_event $(((c1 - c0) / (n_fail * reps)))
	fi
	[ -n "$tpid" ] && c0=$(cpu_ns "$tpid")
	for _ in $(seq "$reps"); do
		sample "$name" openclose openclose "$n_oc"
	done
	[ -n "$tpid" ] && record "$name" cpu_ns_pair $((($(cpu_ns "$tpid") - c0) / (n_oc * reps)))
	for _ in $(seq "$reps"); do
		sample "$name" getpid getpid "$n_getpid"
	done
	case "$name" in none | cc-json | cc-json-nofd) # what process exit costs, with the exit program
		for _ in $(seq "$reps"); do
			sample "$name" spawn spawn "$n_spawn"
		done
		;;
	esac
	[ -n "$tpid" ] || return 0
	case "$name" in floor-*) ;; *)
		c0=$(cpu_ns "$tpid" u) s0=$(cpu_ns "$tpid" s) w0=$(wakeups "$tpid") t0=$(now_ns)
		"$LOAD" -d "$rate_secs" rate "$rate" >/dev/null
		c1=$(cpu_ns "$tpid" u) s1=$(cpu_ns "$tpid" s) w1=$(wakeups "$tpid") t1=$(now_ns)
		record "$name" rate_cpu_pct "$(pct $((c1 - c0 + s1 - s0)) $((t1 - t0)))"
		record "$name" rate_usr_pct "$(pct $((c1 - c0)) $((t1 - t0)))"
		record "$name" rate_sys_pct "$(pct $((s1 - s0)) $((t1 - t0)))"
		;;
	esac
	[ -n "${w0:-}" ] && record "$name" wakeups_s "$(awk -v w=$((w1 - w0)) -v t=$((t1 - t0)) 'BEGIN{printf "%.0f", w*1e9/t}')"
	record "$name" hwm_kib "$(hwm_kib "$tpid")"
	record "$name" map_kib "$(map_kib "$tpid")"
	stop_tracer
}

# The workload events a tracer wrote to a file: lines naming the workload's comm.
count_lines() {
	case "$1" in
	cc-jsonfile*) grep -c '"comm":"load"' "$2" ;;
	*) grep -cw 'load' "$2" ;;
	esac
}

# One burst of burst_n failing openat calls from $2 processes under tracer $1.
burst_turn() {
	local name=$1 jobs=$2 out=$tmp/burst.out t0 t_end c_prev c now busy=0 idle=0 got lost c0
	start_tracer "$name" "$out" || return 0
	sleep 0.3
	c0=$(cpu_ns "$tpid")
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
	record "$name" "b${jobs}_cpu_ns_event" $(((c_prev - c0) / burst_n))
	stop_tracer
	got=$(count_lines "$name" "$out")
	lost=$((burst_n - got))
	[ "$lost" -lt 0 ] && lost=0
	record "$name" "b${jobs}_delivered" "$got"
	record "$name" "b${jobs}_lost" "$lost"
	record "$name" "b${jobs}_eps" $((got * 1000000000 / (t_end - t0)))
	[ "$got" -gt 0 ] && record "$name" "b${jobs}_bytes_event" $(($(stat -c %s "$out") / got))
	case "$name" in
	cc-*)
		# the tracer's own count, all processes included
		record "$name" "b${jobs}_cc_lost" \
			"$(sed -n 's/.*events delivered, \([0-9]*\) lost.*/\1/p' "$tmp/err" | tail -n1)"
		;;
	esac
	rm -f "$out"
}

# The run time and run count of every BPF program the tracer has attached (kernel.bpf_stats_enabled).
bpf_stats() {
	local id t=0 c=0 line
	for id in $(bpftool perf show 2>/dev/null | awk -v p="$1" '$1 == "pid" && $2 == p { print $6 }' | sort -u); do
		line=$(bpftool prog show id "$id" 2>/dev/null | head -n1)
		case "$line" in *run_time_ns*) ;; *) continue ;; esac
		t=$((t + $(printf '%s\n' "$line" | sed 's/.*run_time_ns \([0-9]*\).*/\1/')))
		c=$((c + $(printf '%s\n' "$line" | sed 's/.*run_cnt \([0-9]*\).*/\1/')))
	done
	echo "$t $c"
}

# The tracer's BPF programs' own time per run during the failing-openat workload, from the
# kernel's BPF statistics: independent of how busy the machine is (every process's calls count).
# Also the program on sys_exit_openat alone (copenclose's exit_openat, the empty floor_tp of
# floor-tp): the same hook and the same calls, so the empty program's time per run (the
# statistics' own two clock reads and the program's call) is the floor of copenclose's.
stats_turn() {
	local name=$1 t0 c0 t1 c1 before after
	start_tracer "$name" /dev/null || return 0
	read -r t0 c0 < <(bpf_stats "$tpid")
	before=$(prog_stats "$tpid")
	"$LOAD" failopen "$n_fail" >/dev/null
	read -r t1 c1 < <(bpf_stats "$tpid")
	after=$(prog_stats "$tpid")
	stop_tracer
	[ $((c1 - c0)) -gt 0 ] && record "$name" bpf_ns_run $(((t1 - t0) / (c1 - c0)))
	while read -r prog t0 c0 t1 c1; do
		case "$prog" in exit_openat | floor_tp) ;; *) continue ;; esac
		[ $((c1 - c0)) -gt 0 ] && record "$name" bpf_ns_openat $(((t1 - t0) / (c1 - c0)))
	done < <(join <(echo "$before" | sort) <(echo "$after" | sort))
}

# Container churn while events flow: churn_cps cgroups named like docker containers are made per
# second (a process in each making 5 failing openat calls, the cgroup removed after) while the
# workload makes churn_rate failing openat calls per second, for churn_secs seconds; the tracer
# writes JSON to a file. Records the rate of containers achieved, the workload events generated
# and delivered, and what the tracer says it lost.
churn_cps=200 churn_rate=100000 churn_secs=${BENCH_CHURN_SECS:-10}
churn_v2=/sys/fs/cgroup/unified
[ -d "$churn_v2" ] || churn_v2=/sys/fs/cgroup
churn_turn() {
	local name=cc-jsonfile out=$tmp/churn.json base gen got lost cpid lpid
	base=$churn_v2/ccbench-churn-$$/system.slice
	mkdir -p "$base" || return 0
	start_tracer "$name" "$out" || return 0
	sleep 0.3
	"$LOAD" -d "$churn_secs" rate "$churn_rate" >"$tmp/churn.load" &
	lpid=$!
	"$CHURN" -d "$churn_secs" -r "$churn_cps" "$base" >"$tmp/churn.out" &
	cpid=$!
	wait "$lpid" "$cpid"
	sleep 1
	stop_tracer
	gen=$(($(sed -n 's/.*calls=\([0-9]*\).*/\1/p' "$tmp/churn.load") +
		$(sed -n 's/.* calls=\([0-9]*\).*/\1/p' "$tmp/churn.out")))
	got=$(grep -c '"path":"/nonexistent-copenclose-bench/[a-z]*"' "$out")
	lost=$(sed -n 's/.*events delivered, \([0-9]*\) lost.*/\1/p' "$tmp/err" | tail -n1)
	record "$name" churn_cps "$(awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
		END {printf "%.0f", v["containers"] * 1e9 / v["elapsed_ns"]}' "$tmp/churn.out")"
	record "$name" churn_generated "$gen"
	record "$name" churn_delivered "$got"
	record "$name" churn_missing $((gen - got))
	record "$name" churn_cc_lost "${lost:-0}"
	log "churn: $(cat "$tmp/churn.out"); $gen workload events, $got written, tracer lost ${lost:-?}"
	find "$base" -mindepth 1 -maxdepth 1 -type d -print0 | xargs -0 -r -P 64 -n 16 rmdir 2>/dev/null
	rmdir "$base" "${base%/*}" 2>/dev/null
	rm -f "$out"
}

# The run time and run count of each BPF program of the tracer (by name), from the ids it holds.
prog_stats() {
	local id
	for id in $(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un); do
		bpftool prog show id "$id" 2>/dev/null | head -n1 |
			sed -n 's/.* name \([^ ]*\) .*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2 \3/p'
	done
}

# The descriptor table's kernel side: the BPF time per run of the open, close and exit programs
# over open+close pairs and process spawns, with and without the table.
fd_stats_turn() {
	local name=$1 before after
	start_tracer "$name" /dev/null || return 0
	before=$(prog_stats "$tpid")
	"$LOAD" openclose "$n_oc" >/dev/null
	"$LOAD" spawn "$n_spawn" >/dev/null
	after=$(prog_stats "$tpid")
	stop_tracer
	join <(echo "$before" | sort) <(echo "$after" | sort) | while read -r prog t0 c0 t1 c1; do
		case "$prog" in exit_openat | exit_close | proc_exit) ;; *) continue ;; esac
		[ $((c1 - c0)) -gt 0 ] && record "$name" "bpf_ns_$prog" $(((t1 - t0) / (c1 - c0)))
	done
}

# Close calls counted in the kernel's tally (top) against streamed as events (with and without
# --metrics, which tallies too): exit_close's time per run and the tracer's CPU per call.
tally_turn() {
	local name=$1 t0 c0 t1 c1 u0 u1
	start_tracer "$name" /dev/null || return 0
	sleep 0.3
	read -r t0 c0 < <(prog_stats "$tpid" | awk '$1 == "exit_close" { print $2, $3 }')
	u0=$(cpu_ns "$tpid")
	"$LOAD" openclose "$n_tally" >/dev/null
	sleep 1.2 # the tally is read once a second: once more after the calls
	read -r t1 c1 < <(prog_stats "$tpid" | awk '$1 == "exit_close" { print $2, $3 }')
	u1=$(cpu_ns "$tpid")
	if [ -n "$c1" ] && [ $((c1 - c0)) -gt 0 ]; then
		record "$name" close_bpf_ns_run $(((t1 - t0) / (c1 - c0)))
		record "$name" close_cpu_ns_call $(((u1 - u0) / (c1 - c0)))
	fi
	stop_tracer
}

# --- the descriptor table's cost per event (part fdtable) ---
# shellcheck source=bench/fdtable.sh
. bench/fdtable.sh

micro_tracers=(none cc-table cc-json cc-json-nofd cc-jsonfile cc-jsonfile-omit cc-rej-pid cc-rej-host
	opensnoop bpftrace orig floor-tp floor-rawtp)
burst_tracers=(cc-jsonfile cc-jsonfile-omit cc-jsonfile-ring4 opensnoop bpftrace orig)
# BENCH_TRACERS="none cc-table ..." and BENCH_BURST_TRACERS: fewer configurations (a partial run)
[ -n "${BENCH_TRACERS:-}" ] && read -r -a micro_tracers <<<"$BENCH_TRACERS"
[ -n "${BENCH_BURST_TRACERS:-}" ] && read -r -a burst_tracers <<<"$BENCH_BURST_TRACERS"
if [ "$only" = fdtable ]; then
	micro_tracers=(none cc-json cc-json-nofd)
	burst_rounds=0
fi
: >"$tmp/foreign"
start=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
[ "${parts#* micro }" = "$parts" ] && rounds=0
[ "${parts#* burst }" = "$parts" ] && burst_rounds_run=0 || burst_rounds_run=$burst_rounds
[ "${parts#* stats }" = "$parts" ] && stats_rounds=0 || stats_rounds=$burst_rounds
log "run.sh: parts$parts; $rounds rounds of ${#micro_tracers[@]} configurations, $burst_rounds_run burst rounds, $stats_rounds statistics rounds"
read -r -a stats_tracers <<<"${BENCH_STATS_TRACERS:-cc-table cc-json cc-rej-pid cc-rej-host opensnoop bpftrace orig floor-tp floor-rawtp}"
for round in $(seq "$rounds"); do
	for t in "${micro_tracers[@]}"; do
		log "round $round/$rounds: $t"
		micro_turn "$t"
	done
done
for round in $(seq "$burst_rounds_run"); do
	for t in "${burst_tracers[@]}"; do
		for j in 1 2; do
			log "burst round $round/$burst_rounds: $t, $j process(es)"
			burst_turn "$t" "$j"
		done
	done
done
if sysctl -q kernel.bpf_stats_enabled=1 2>/dev/null; then
	for round in $(seq "$rounds"); do
		for t in cc-json cc-json-nofd; do
			log "BPF statistics of the descriptor table, round $round/$rounds: $t"
			fd_stats_turn "$t"
		done
	done
	for round in $(seq "$stats_rounds"); do
		for t in "${stats_tracers[@]}"; do
			log "BPF statistics round $round/$burst_rounds: $t"
			stats_turn "$t"
		done
		for t in cc-close-stream cc-close-metrics cc-close-top; do
			log "tally round $round/$burst_rounds: $t"
			tally_turn "$t"
		done
	done
	sysctl -q kernel.bpf_stats_enabled="${stats_was:-0}"
else
	log "BPF statistics: left out, kernel.bpf_stats_enabled cannot be set (sysctl: procps)"
fi
# The table's share of the tracer's own work, in CPU time: independent of the machine's load.
log "descriptor table: user-space CPU per open+close pair, with and without"
for round in $(seq "$rounds"); do
	"$FDCOST" 200000 9 | tr ' ' '\n' | sed -n 's/^\(with\|without\)_ns_pair=/fdcost \1_ns_pair /p' \
		>>"$samples"
done
if [ "${parts#* churn }" != "$parts" ]; then
	for round in $(seq "$burst_rounds"); do
		log "churn round $round/$burst_rounds"
		churn_turn
	done
fi
: >"$tmp/fdt-foreign"
if [ "${parts#* fdtable }" != "$parts" ] && mkdir -p "$fdt_cg"; then
	for round in $(seq "$fdt_rounds"); do
		fdt_round=$round
		for t in "${fdt_tracers[@]}"; do
			log "descriptor table cost, round $round/$fdt_rounds: $t"
			fdt_turn "$t"
		done
	done
	rmdir "$fdt_cg"
fi
cp "$samples" build/bench/samples.txt
if [ -n "$fdt_only" ]; then
	# only this part ran: its section of bench/RESULTS.md is replaced, the rest stays
	fdt_section >"$tmp/fdt"
	awk -v h="$fdt_heading" -v f="$tmp/fdt" '
		$0 == h { skip = 1; next }
		skip && /^## / { skip = 0 }
		!skip { print }
		END { print ""; while ((getline l < f) > 0) print l }' bench/RESULTS.md |
		cat -s >"$tmp/results"
	mv "$tmp/results" bench/RESULTS.md
	cat "$tmp/fdt"
	echo
	echo "written to bench/RESULTS.md"
	exit 0
fi

# Medians per tracer and metric, then the tables and the target checks.
report() {
	awk -v burst_n="$burst_n" -v rate="$rate" -v only="$only" -f bench/report.awk "$samples"
}

table=$(report)
fd_heading="## Descriptor table scenario (BENCH_ONLY=fdtable)"
{
	if [ "$only" = fdtable ]; then
		# the full run's results stay; this section replaces the previous one
		[ -f "$RESULTS" ] && sed "/^$fd_heading/,\$d" "$RESULTS"
		echo "$fd_heading"
	else
		echo "# copenclose benchmark results"
	fi
	echo
	echo "- date: $start"
	echo "- kernel: $(uname -r) ($(uname -m)), CPUs: $(nproc)"
	echo "- command: \`${only:+BENCH_ONLY=$only }${BENCH_ROUNDS:+BENCH_ROUNDS=$BENCH_ROUNDS }${BENCH_QUICK:+BENCH_QUICK=1 }make bench\`"
	echo "- $rounds interleaved rounds (every configuration once per round, in turn), $reps runs of each workload per round;" \
		"failing openat x $n_fail, open+close x $n_oc, getpid x $n_getpid; steady rate ${rate_secs}s;" \
		"$burst_rounds burst rounds"
	echo "- load average (1, 5, 15 min) at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)" \
		"(other work on the machine slows tracers and baseline alike, but not equally)"
	echo "- samples set aside because another process had a program on a system-call tracepoint:" \
		"$(wc -l <"$tmp/set-aside" 2>/dev/null || echo 0)"
	[ "$only" = fdtable ] && echo "- samples taken while another process had such a program (kept: the" \
		"configurations compared are interleaved and suffer alike): $(wc -l <"$tmp/foreign")"
	echo "- the workload times itself with CLOCK_MONOTONIC; this machine is noisy, so compare tracers by" \
		"the ratios measured in the same run, not by the absolute times"
	echo
	echo "$table"
	if [ "${parts#* fdtable }" != "$parts" ]; then
		echo
		fdt_section
	fi
} >"$tmp/results"
mv "$tmp/results" "$RESULTS"
echo "$table"
echo
echo "written to $RESULTS"
if [ "${parts#* floods }" != "$parts" ]; then
	echo
	bench/floods.sh
fi
