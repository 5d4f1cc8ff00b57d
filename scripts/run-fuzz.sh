#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time over its committed corpus
# (tests/fuzz/corpus/<target>/); new inputs go to build/fuzz/corpus. Usage: run-fuzz.sh SECONDS BIN...
set -euo pipefail
secs=$1
shift
for bin in "$@"; do
	name=$(basename "$bin")
	seed=tests/fuzz/corpus/$name
	work=build/fuzz/corpus/$name
	mkdir -p "$seed" "$work"
	echo "fuzz: $name for ${secs}s"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/$name-" \
		"$work" "$seed" 2>&1 | tail -n 12
done
