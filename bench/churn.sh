#!/usr/bin/env bash
# Container churn, two tracer builds in one run: BASE (a build whose consumer names cgroups
# synchronously, e.g. an earlier commit's build/copenclose) against this tree's build, in
# interleaved rounds. Each turn: churn makes cgroups named like docker containers at
# BENCH_CHURN_CPS per second (a process in each making 5 failing openat calls) while load makes
# BENCH_CHURN_RATE failing openat calls per second, for BENCH_CHURN_SECS seconds; the tracer writes
# JSON to a file. Per turn: the events generated, written, lost (the tracer's count), and of the
# containers' events how many were written and how many named (their container_id set).
# BENCH_CHURN_SLOW_MS=N puts docker's state (--state-dir docker=DIR, given to both builds) on a
# FUSE mount (build/helpers/stallfs) that answers every lookup in N ms, as a slow network mount
# would: each new container then costs the naming N ms per file looked for.
# Usage: bench/churn.sh BASE_BINARY   (as root; make bench builds bench/'s parts first)
# Writes a table on stdout and its section of bench/RESULTS.md (replacing the previous one).
set -u
cd "$(dirname "$0")/.." || exit 1

BASE=${1:-}
CUR=${BENCH_CC_BIN:-build/copenclose}
LOAD=build/bench/load
CHURN=build/bench/churn
cps=${BENCH_CHURN_CPS:-200} rate=${BENCH_CHURN_RATE:-100000} secs=${BENCH_CHURN_SECS:-10}
rounds=${BENCH_ROUNDS:-3}
RESULTS=bench/RESULTS.md
slow=${BENCH_CHURN_SLOW_MS:-}
heading="## Container churn: naming on and off the consumer's thread (bench/churn.sh)"
[ -n "$slow" ] && heading="## Container churn, docker's state on a mount answering in $slow ms: naming on and off the consumer's thread (bench/churn.sh)"

if [ -z "$BASE" ] || [ ! -x "$BASE" ]; then
	echo "usage: bench/churn.sh BASE_BINARY (a copenclose build to compare with $CUR)" >&2
	exit 2
fi
for f in "$CUR" "$LOAD" "$CHURN"; do
	[ -x "$f" ] || {
		echo "churn.sh: $f is missing: run make all and make -C bench" >&2
		exit 1
	}
done
[ "$(id -u)" -eq 0 ] || {
	echo "churn.sh: run as root (the tracers load BPF programs)" >&2
	exit 1
}
v2=/sys/fs/cgroup/unified
[ -d "$v2" ] || v2=/sys/fs/cgroup
tmp=$(mktemp -d)
base_dir=$v2/ccbench-churn-$$
tpid=
fs_pid=
slow_dir=$tmp/slow-state
extra=()
cleanup() {
	if [ -n "$fs_pid" ]; then
		umount "$slow_dir" 2>/dev/null || umount -l "$slow_dir" 2>/dev/null
		kill "$fs_pid" 2>/dev/null
		wait "$fs_pid" 2>/dev/null
	fi
	if [ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null; then
		kill -KILL "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
	fi
	if [ -d "$base_dir" ]; then
		find "$base_dir" -mindepth 2 -maxdepth 2 -type d -print0 | xargs -0 -r -P 16 -n 32 rmdir 2>/dev/null
		find "$base_dir" -depth -type d -exec rmdir {} + 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One turn of tracer binary $2 under name $1; appends "name metric value" lines to samples.
turn() {
	local name=$1 bin=$2 out=$tmp/out.json err=$tmp/err gen got named lost load_got late
	mkdir -p "$base_dir/system.slice" || return 1
	"$bin" -o json "${extra[@]}" >"$out" 2>"$err" &
	tpid=$!
	for _ in $(seq 300); do
		grep -q '^Tracing' "$err" && break
		sleep 0.1
	done
	sleep 0.3
	"$LOAD" -d "$secs" rate "$rate" >"$tmp/load" &
	local lpid=$!
	"$CHURN" -d "$secs" -r "$cps" "$base_dir/system.slice" >"$tmp/churn"
	wait "$lpid"
	sleep 1
	kill -INT "$tpid"
	for _ in $(seq 600); do
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$tpid" 2>/dev/null
	tpid=
	gen=$(($(sed -n 's/.*calls=\([0-9]*\).*/\1/p' "$tmp/load") +
		$(sed -n 's/.* calls=\([0-9]*\).*/\1/p' "$tmp/churn")))
	got=$(grep -c '"path":"/nonexistent-copenclose-bench/[a-z]*"' "$out")
	load_got=$(grep -c '"path":"/nonexistent-copenclose-bench/missing"' "$out")
	named=$(grep '"path":"/nonexistent-copenclose-bench/churn"' "$out" | grep -c '"container_id":"')
	lost=$(sed -n 's/.*events delivered, \([0-9]*\) lost.*/\1/p' "$err" | tail -n1)
	late=$(sed -n 's/.* \([0-9]*\) records written before their cgroup was named.*/\1/p' "$err")
	{
		awk -v n="$name" '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
			END {printf "%s containers %d\n%s cps %.0f\n%s churn_calls %d\n", n,
				v["containers"], n, v["containers"] * 1e9 / v["elapsed_ns"], n, v["calls"]}' \
			"$tmp/churn"
		echo "$name load_calls $(sed -n 's/.*calls=\([0-9]*\).*/\1/p' "$tmp/load")"
		echo "$name generated $gen"
		echo "$name written $got"
		echo "$name missing $((gen - got))"
		echo "$name lost ${lost:-0}"
		echo "$name load_written $load_got"
		echo "$name churn_written $((got - load_got))"
		echo "$name churn_named $named"
		echo "$name named_late ${late:-0}"
		awk -v n="$name" -v named="$named" -v made="$((got - load_got))" -v lost="${lost:-0}" \
			-v gen="$gen" -v calls="$(sed -n 's/.* calls=\([0-9]*\).*/\1/p' "$tmp/churn")" \
			'BEGIN {printf "%s named_of_written %.4f\n%s named_of_made %.4f\n%s lost_of_generated %.4f\n",
				n, made ? named / made : 0, n, calls ? named / calls : 0, n, gen ? lost / gen : 0}'
	} >>"$tmp/samples"
	echo "- $name: $(cat "$tmp/churn"); $gen events generated, $got written, ${lost:-?} lost;" \
		"of the containers' $((got - load_got)) events written, $named named" >>"$tmp/turns"
	echo "churn.sh: $name: $(cat "$tmp/churn"); $gen events generated, $got written," \
		"${lost:-?} lost, $named container events named" >&2
	find "$base_dir/system.slice" -mindepth 1 -maxdepth 1 -type d -print0 |
		xargs -0 -r -P 16 -n 32 rmdir 2>/dev/null
	rm -f "$out"
}

if [ -n "$slow" ]; then
	[ -x build/helpers/stallfs ] || {
		echo "churn.sh: build/helpers/stallfs is missing: run make helpers" >&2
		exit 1
	}
	mkdir -p "$slow_dir"
	build/helpers/stallfs -d "$slow" "$tmp/no-gate" "$slow_dir" -f -o allow_other 2>/dev/null &
	fs_pid=$!
	for _ in $(seq 100); do
		mountpoint -q "$slow_dir" && break
		sleep 0.1
	done
	mountpoint -q "$slow_dir" || {
		echo "churn.sh: the slow file system did not mount" >&2
		exit 1
	}
	extra=(--state-dir "docker=$slow_dir")
fi
start=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$tmp/samples"
: >"$tmp/turns"
for r in $(seq "$rounds"); do
	echo "churn.sh: round $r/$rounds" >&2
	turn before "$BASE"
	turn after "$CUR"
done
cp "$tmp/samples" build/bench/churn-samples.txt 2>/dev/null

# Medians per build and metric, then the ratios that matter.
table=$(awk '
	{ v[$1 " " $2] = v[$1 " " $2] " " $3 }
	function fmt(x) { return x == int(x) ? sprintf("%d", x) : x > 10 ? sprintf("%.1f", x) : sprintf("%.4f", x) }
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		split("containers cps churn_calls load_calls generated written missing lost load_written churn_written churn_named named_late named_of_written named_of_made lost_of_generated", m, " ")
		print "| metric (median of the rounds) | before | after |"
		print "| --- | ---: | ---: |"
		for (i = 1; i in m; i++)
			printf "| %s | %s | %s |\n", m[i], fmt(median(v["before " m[i]])), fmt(median(v["after " m[i]]))
	}' "$tmp/samples")
{
	echo "$heading"
	echo
	echo "- date: $start; kernel $(uname -r), $(nproc) CPUs; load average at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- command: \`${slow:+BENCH_CHURN_SLOW_MS=$slow }bench/churn.sh BASE\` (BENCH_ROUNDS=$rounds, BENCH_CHURN_SECS=$secs)${slow:+, both tracers with \`--state-dir docker=DIR\`, DIR a FUSE mount answering each lookup in $slow ms}; before: BASE, a build that names cgroups on the consumer's thread; after: this tree's build"
	echo "- each turn: \`churn -d $secs -r $cps\` (docker-named cgroups under a private parent, 5 failing openat in each) while \`load -d $secs rate $rate\` (failing openat), the tracer writing \`-o json\` to a file; interleaved rounds, medians"
	echo "- rows: containers made and the rate achieved (the machine may not reach $cps/s); events generated (load + churn), written, missing (generated - written), lost (the tracer's count, every process's events); the containers' events written and named (container_id set); named_late: records written before their cgroup was named (after only); the ratios are per turn, then their median"
	echo
	echo "$table"
	echo
	echo "Each turn, in the order run:"
	echo
	cat "$tmp/turns"
	echo
} >"$tmp/section"
# this section replaces its previous run, before the descriptor table's (which run.sh's
# BENCH_ONLY=fdtable rewrites to the end of the file)
[ -f "$RESULTS" ] || : >"$RESULTS"
awk -v h="$heading" -v sec="$tmp/section" '
	function put(   l) { while ((getline l < sec) > 0) print l; done = 1 }
	$0 == h { skip = 1; next }
	skip && /^## / { skip = 0 }
	/^## Descriptor table scenario/ && !done { put() }
	!skip { print }
	END { if (!done) put() }' "$RESULTS" >"$tmp/results"
mv "$tmp/results" "$RESULTS"
echo "$table"
echo "written to $RESULTS"
