#!/usr/bin/env bash
# The kernel matrix: runs tests/vm/run-tests.sh (the integration tests that make sense in a unified
# guest without podman) inside each Debian kernel under qemu (scripts/vm-run), after the harness's
# own checks (tests/vm/harness.t). Prints "vm harness: ...", "vm KERNEL: N passed, N failed,
# N skipped" for each kernel and, last, "vm: N passed, N failed". A kernel that cannot be fetched
# or booted counts as a failure, with the line that says why.
# Usage: scripts/run-vm-tests.sh [KERNEL...] (default: 6.1 6.12)
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- 6.1 6.12
pass=0 fail=0

# part LABEL COMMAND...: runs COMMAND, relabels its "integration:" line "vm LABEL:", adds it up.
part() {
	local label=$1 log line t0=$SECONDS
	shift
	log=$(mktemp)
	"$@" 2>&1 | sed -u "s/^integration: /vm $label: /" | tee "$log"
	line=$(grep "^vm $label: [0-9]* passed, [0-9]* failed" "$log" | tail -n1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "vm $label: 0 passed, 1 failed, 0 skipped (no result: see the lines above)"
		fail=$((fail + 1))
		return
	fi
	[[ $line =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]
	pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
	echo "# vm $label took $((SECONDS - t0)) s"
}

part harness scripts/run-integration.sh tests/vm/harness.t
for k in "$@"; do
	part "$k" scripts/vm-run "$k" -- tests/vm/run-tests.sh
done
echo "vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
