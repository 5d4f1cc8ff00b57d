#!/usr/bin/env bash
# The attach modes side by side, in one run of interleaved rounds: what each adds to a system call
# copenclose does not trace (getpid) and to one it traces (a failing openat), against no tracer.
# Usage: bench/attach.sh MODE...   MODE: tracepoint, fentry, compat (tracepoints and --compat),
# tp-single and tp-copies (the tracepoint mode with one program per call or its copies, forced)
# Prints a Markdown table of medians and the ratios between modes. Under an emulator (the VM
# matrix runs TCG) the nanoseconds are not hardware figures: read the ratios.
# BENCH_ROUNDS=N (default 5), BENCH_QUICK=1 for fewer calls. Last, where bpftool is installed,
# the programs each mode runs for a failing openat and their own average run time
# (kernel.bpf_stats_enabled): what is the programs' and what is the hooks'.
set -u
cd "$(dirname "$0")/.." || exit 1

CC_BIN=build/copenclose
LOAD=build/bench/load
rounds=${BENCH_ROUNDS:-5}
n_getpid=1000000 n_fail=100000
[ -n "${BENCH_QUICK:-}" ] && n_getpid=200000 n_fail=20000
[ $# -gt 0 ] || {
	echo "usage: $0 tracepoint|fentry|compat|tp-single|tp-copies..." >&2
	exit 2
}
for f in "$CC_BIN" "$LOAD"; do
	[ -x "$f" ] || {
		echo "attach.sh: $f is missing: run make bench" >&2
		exit 1
	}
done

tmp=$(mktemp -d)
tpid=
cleanup() {
	[ -n "$tpid" ] && kill -KILL "$tpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mode_args() {
	case $1 in
	tracepoint) echo --attach tracepoint ;;
	fentry) echo --attach fentry ;;
	compat) echo --attach tracepoint --compat ;;
	tp-single | tp-copies) echo --attach tracepoint ;;
	*) return 1 ;;
	esac
}

for m in "$@"; do
	mode_args "$m" >/dev/null || {
		echo "attach.sh: unknown mode '$m'" >&2
		exit 2
	}
done

# Starts the tracer in mode $1 (stdout discarded); 0 once it prints its Tracing line.
start() {
	# tp-single and tp-copies: the tracepoint mode's one program per call, or its raw tracepoint
	# copies (attach_tp_copies.bpf.h), whatever this kernel would take (the tracer's test hook)
	local copies=
	case $1 in tp-single) copies=0 ;; tp-copies) copies=1 ;; esac
	# shellcheck disable=SC2046
	COPENCLOSE_TEST_TP_COPIES=$copies "$CC_BIN" -o json $(mode_args "$1") >/dev/null 2>"$tmp/err" &
	tpid=$!
	for _ in $(seq 600); do
		grep -q '^Tracing' "$tmp/err" && return 0
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	echo "attach.sh: the tracer did not start in mode $1: $(head -c 300 "$tmp/err")" >&2
	return 1
}

stop() {
	kill -INT "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	tpid=
}

ns() { "$LOAD" "$1" "$2" | sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p'; }

for r in $(seq "$rounds"); do
	for m in none "$@"; do
		if [ "$m" != none ]; then start "$m" || exit 1; fi
		echo "$m getpid $(ns getpid "$n_getpid")" >>"$tmp/samples"
		echo "$m failopen $(ns failopen "$n_fail")" >>"$tmp/samples"
		[ "$m" != none ] && stop
	done
	echo "attach.sh: round $r of $rounds done" >&2
done

awk -v modes="$*" '
	{ v[$1, $2, ++n[$1, $2]] = $3 }
	function median(m, k,    c, i, j, t, a) {
		c = n[m, k]
		for (i = 1; i <= c; i++) a[i] = v[m, k, i]
		for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	}
	END {
		nm = split(modes, ms, " ")
		g0 = median("none", "getpid"); f0 = median("none", "failopen")
		printf "| mode | getpid (untraced), ns | added | failing openat (traced), ns | added |\n"
		printf "| --- | --- | --- | --- | --- |\n"
		printf "| no tracer | %.1f | | %.1f | |\n", g0, f0
		for (i = 1; i <= nm; i++) {
			g[i] = median(ms[i], "getpid") - g0; f[i] = median(ms[i], "failopen") - f0
			printf "| %s | %.1f | %+.1f | %.1f | %+.1f |\n", ms[i], g[i] + g0, g[i], f[i] + f0, f[i]
		}
		for (i = 2; i <= nm; i++) {
			printf "\n%s / %s: added per untraced call %.3f, added per traced call %.3f\n",
				ms[i], ms[1], (g[1] != 0 ? g[i] / g[1] : 0), (f[1] != 0 ? f[i] / f[1] : 0)
		}
	}' "$tmp/samples"

command -v bpftool >/dev/null || exit 0
echo
echo "Programs run per failing openat, and their own average time (kernel.bpf_stats_enabled):"
echo
echo "| mode | program | runs per call | ns per run |"
echo "| --- | --- | --- | --- |"
for m in "$@"; do
	start "$m" || exit 1
	sysctl -qw kernel.bpf_stats_enabled=1
	before=$(bpftool -j prog show)
	"$LOAD" failopen "$n_fail" >/dev/null
	after=$(bpftool -j prog show)
	sysctl -qw kernel.bpf_stats_enabled=0
	stop
	python3 -c '
import json, sys
mode, calls = sys.argv[1], int(sys.argv[2])
was = {p["id"]: p for p in json.loads(sys.argv[3])}
for p in json.loads(sys.argv[4]):
    b = was.get(p["id"], {})
    runs = p.get("run_cnt", 0) - b.get("run_cnt", 0)
    ns = p.get("run_time_ns", 0) - b.get("run_time_ns", 0)
    if runs >= calls // 2:
        print("| %s | %s | %.2f | %.0f |" % (mode, p.get("name", "?"), runs / calls, ns / runs))
' "$m" "$n_fail" "$before" "$after"
done
