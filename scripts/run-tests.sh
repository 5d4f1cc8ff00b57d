#!/usr/bin/env bash
# make test: unit tests, then the integration tests on this host, then the integration tests in
# Debian's kernels under qemu (5.10, 6.1, 6.12, arm64's 6.1 and 6.12; the preemptible ones run
# when named) and a 6.12 guest whose PID 1 is systemd
# (scripts/run-vm-tests.sh); the last line sums all for CI.
set -u
cd "$(dirname "$0")/.." || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
scripts/run-unit.sh build/tests/test_* 2>&1 | tee -a "$log"
scripts/run-integration.sh 2>&1 | tee -a "$log"
scripts/run-vm-tests.sh 2>&1 | tee -a "$log"
sum() { sed -n "s/^$1: \([0-9]*\) passed, \([0-9]*\) failed.*/\\$2/p" "$log" | tail -n1; }
p=$(($(sum unit 1) + $(sum integration 1) + $(sum vm 1)))
f=$(($(sum unit 2) + $(sum integration 2) + $(sum vm 2)))
grep -q '^unit: ' "$log" || f=$((f + 1))
grep -q '^integration: ' "$log" || f=$((f + 1))
grep -q '^vm: ' "$log" || f=$((f + 1))
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
