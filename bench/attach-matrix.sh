#!/usr/bin/env bash
# The attach modes measured where each exists, into bench/ATTACH.md: on this host the tracepoint
# mode against --compat (what the raw_syscalls program adds to every system call), and in Debian's
# 6.1 and 6.12 kernels under qemu (scripts/vm-run --icount) the tracepoint mode against fentry.
# There the guest's clock counts instructions (one per nanosecond), so its figures are the work
# each mode adds, steady whatever else the host runs; with one CPU they include the tracer's own
# reading of each event, the same in both modes. Part of make bench.
set -u
cd "$(dirname "$0")/.." || exit 1
out=bench/ATTACH.md
rounds=${BENCH_ROUNDS:-5}
{
	echo "# Attach modes"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); $rounds interleaved rounds per place" \
		"(\`bench/attach.sh\`, medians); command: \`make bench\`"
	echo "- added = the median with the tracer minus the median without, in the same run;" \
		"getpid is a call copenclose does not trace, a failing openat one it traces"
	echo
	echo "## This host ($(uname -r)): tracepoints, with and without --compat"
	echo
	bench/attach.sh tracepoint compat || echo "(failed)"
	for k in 6.1 6.12; do
		echo
		echo "## Debian's $k cloud kernel under qemu (TCG, instructions counted): tracepoints against fentry"
		echo
		scripts/vm-run --icount --timeout 1800 "$k" -- env BENCH_ROUNDS="$rounds" \
			${BENCH_QUICK:+BENCH_QUICK=1} bench/attach.sh tracepoint fentry 2>/dev/null |
			grep -v '^vm-run:' || echo "(failed)"
	done
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
echo "written to $out"
