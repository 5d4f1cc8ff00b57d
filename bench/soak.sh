#!/usr/bin/env bash
# Memory under steady churn, for as long as a node agent runs: the tracer (-o json to /dev/null,
# --metrics, the descriptor table on) while real runc containers start and end (SOAK_CPS a second,
# default 3, each a few opens) and batches of SOAK_BATCH cgroups (default 200) are made and removed
# every second. Every SOAK_INTERVAL seconds (default 30) it samples the tracer's RSS, its [heap]
# (from /proc/PID/smaps), every copenclose_*_entries gauge of /metrics (the size of each bounded
# structure), the series served and the loss counters; then prints a table. It fails (exit 1)
# when the RSS after the warm-up (SOAK_WARMUP seconds, default 300, a quarter of a shorter run)
# grows by more than 10 %, or when events were lost.
# Usage: bench/soak.sh   (as root; SOAK_SECONDS=1200 by default; make soak)
# SOAK_WRAP="heaptrack -o FILE" runs the tracer under a heap profiler; SOAK_OUT=FILE keeps the table.
set -u
cd "$(dirname "$0")/.." || exit 1

BIN=${SOAK_CC_BIN:-build/copenclose}
secs=${SOAK_SECONDS:-1200}
cps=${SOAK_CPS:-3}
batch=${SOAK_BATCH:-200}
interval=${SOAK_INTERVAL:-30}
warm=${SOAK_WARMUP:-300}
[ "$warm" -gt $((secs / 4)) ] && [ "$secs" -lt 1200 ] && warm=$((secs / 4))
port=${SOAK_PORT:-$((20000 + $$ % 20000))}
read -r -a wrap <<<"${SOAK_WRAP:-}"

die() {
	echo "soak.sh: $*" >&2
	exit 2
}
[ "$(id -u)" -eq 0 ] || die "run as root (the tracer loads BPF programs, runc makes containers)"
[ -x "$BIN" ] || die "$BIN is missing: run make all"
for c in runc busybox curl; do
	command -v "$c" >/dev/null || die "$c is missing: run scripts/deps.sh bench"
done
v2=/sys/fs/cgroup/unified
[ -f "$v2/cgroup.procs" ] || v2=/sys/fs/cgroup
[ -f "$v2/cgroup.procs" ] || die "no cgroup v2 hierarchy at /sys/fs/cgroup(/unified)"

tmp=$(mktemp -d)
cgdir=$v2/ccsoak-$$
tpid='' pid='' churn_pid='' cg_pid=''
cleanup() {
	for p in $churn_pid $cg_pid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for id in $(runc list -q 2>/dev/null | grep "^ccsoak-$$-"); do
		runc delete --force "$id" >/dev/null 2>&1
	done
	if [ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null; then
		kill -INT "${pid:-$tpid}"
		wait "$tpid" 2>/dev/null
	fi
	[ -d "$cgdir" ] && find "$cgdir" -depth -type d -exec rmdir {} + 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A busybox root and one bundle (cgroupsPath left to runc: /<id>) for every container.
root=$tmp/rootfs bundle=$tmp/bundle
mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp} "$bundle"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in sh cat true; do ln -s busybox "$root/bin/$a"; done
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
runc spec --bundle "$bundle" || die "runc spec failed"
jq --arg root "$root" '.process.terminal = false | .root = {path: $root, readonly: true} |
	.process.args = ["/bin/sh", "-c", "cat /etc/passwd /etc/group >/dev/null; cat /nonexistent 2>/dev/null; true"] |
	.linux.namespaces |= map(select(.type != "network"))' \
	"$bundle/config.json" >"$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"

"${wrap[@]}" "$BIN" -o json --metrics "127.0.0.1:$port" --metrics-grace 60 >/dev/null 2>"$tmp/err" &
tpid=$!
for _ in $(seq 3000); do
	grep -q '^Tracing' "$tmp/err" && break
	kill -0 "$tpid" 2>/dev/null || break
	sleep 0.1
done
grep -q '^Tracing' "$tmp/err" || die "the tracer did not start: $(cat "$tmp/err")"
# the tracer's own pid (a wrapper may have started it as its child)
pid=$tpid
if [ ${#wrap[@]} -gt 0 ]; then
	pid=$(pgrep -n -f "^$BIN -o json --metrics 127.0.0.1:$port" || pgrep -n -x copenclose)
fi

# Containers: SOAK_CPS a second, each `runc run` in the background (runc removes it at its end).
(
	i=0
	while :; do
		i=$((i + 1))
		runc run --bundle "$bundle" "ccsoak-$$-$i" </dev/null >/dev/null 2>&1 &
		sleep "$(echo "scale=3; 1 / $cps" | bc)"
	done
) &
churn_pid=$!
# Cgroups: a batch made and removed every second, each with a new name (new ids).
(
	mkdir -p "$cgdir"
	j=0
	while :; do
		j=$((j + 1))
		mkdir "$cgdir/b$j"
		(cd "$cgdir/b$j" && mkdir $(seq -f 'c%g' "$batch"))
		find "$cgdir/b$j" -depth -type d -exec rmdir {} +
		sleep 1
	done
) &
cg_pid=$!

kib() { awk -v k="$2" '$1 == k":" {print $2; exit}' "/proc/$1/status"; }
heap_kib() { awk '/\[heap\]/ {h = 1; next} h && /^Rss:/ {print $2; exit}' "/proc/$1/smaps"; }
metrics() { curl -s --max-time 5 "http://127.0.0.1:$port/metrics"; }
start=$(date +%s)
: >"$tmp/samples"
echo "soak.sh: $secs s, $cps containers/s, batches of $batch cgroups/s, a sample every $interval s (warm-up $warm s)" >&2
while :; do
	t=$(($(date +%s) - start))
	kill -0 "$pid" 2>/dev/null || {
		echo "soak.sh: the tracer ended early: $(tail -n3 "$tmp/err")" >&2
		exit 1
	}
	m=$(metrics)
	{
		echo "t=$t rss_kib=$(kib "$pid" VmRSS) heap_kib=$(heap_kib "$pid")"
		echo "running=$(runc list -q 2>/dev/null | grep -c "^ccsoak-$$-")"
		echo "series=$(grep -vc '^#' <<<"$m")"
		awk '/^copenclose_[a-z_]*_entries(\{| )/ { n = $1; sub(/^copenclose_/, "", n); sub(/_entries/, "", n)
				if (n ~ /\{/) { l = n; sub(/\{.*/, "", n); sub(/^[^"]*"/, "", l); sub(/".*/, "", l); n = n "." l }
				v[n] = $NF }
			/^copenclose_(events_lost_total|cgroup_records_lost_total|containers) / { n = $1; sub(/^copenclose_/, "", n); v[n] = $2 }
			END { for (n in v) printf "%s=%d\n", n, v[n] }' <<<"$m" | sort
	} | paste -sd' ' >>"$tmp/samples"
	echo "soak.sh: $(tail -n1 "$tmp/samples")" >&2
	[ "$t" -ge "$secs" ] && break
	sleep "$interval"
done
kill "$churn_pid" "$cg_pid" 2>/dev/null
wait "$churn_pid" "$cg_pid" 2>/dev/null
churn_pid='' cg_pid=''
sleep 2
kill -INT "$pid"
wait "$tpid"
rc=$?
tpid='' pid=''
summary=$(grep 'events delivered' "$tmp/err" | tail -n1)
lost=$(sed -n 's/.*events delivered, \([0-9]*\) lost.*/\1/p' <<<"$summary")

# The table: one row a sample, one column a key (in the order first seen).
table=$(awk '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (!(kv[1] in seen)) { seen[kv[1]] = 1; keys[++nk] = kv[1] } v[NR, kv[1]] = kv[2] } }
	END {
		line = "|"; sep = "|"
		for (k = 1; k <= nk; k++) { line = line " " keys[k] " |"; sep = sep " ---: |" }
		print line; print sep
		for (r = 1; r <= NR; r++) { line = "|"; for (k = 1; k <= nk; k++) line = line " " v[r, keys[k]] " |"; print line }
	}' "$tmp/samples")
verdict=$(awk -v warm="$warm" '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	v["t"] >= warm && base == "" { base = v["rss_kib"] }
	base != "" && v["rss_kib"] > max { max = v["rss_kib"] }
	END {
		if (base == "") { print "no sample after the warm-up"; exit 1 }
		printf "RSS after the warm-up: %d KiB, at most %d KiB later (%+.1f%%)", base, max, (max - base) * 100 / base
		exit (max > base * 1.10) ? 1 : 0
	}' "$tmp/samples")
grow=$?
{
	echo "soak: $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "soak: $secs s, $cps runc containers/s, $batch cgroups made and removed a second, warm-up $warm s"
	echo
	echo "$table"
	echo
	echo "$verdict"
	echo "tracer: $summary (exit status $rc)"
} | tee "${SOAK_OUT:-/dev/null}"
[ "$rc" -eq 0 ] || exit 1
[ "${lost:-1}" -eq 0 ] || {
	echo "soak.sh: events were lost" >&2
	exit 1
}
[ "$grow" -eq 0 ] || {
	echo "soak.sh: RSS grew by more than 10 % after the warm-up" >&2
	exit 1
}
exit 0
