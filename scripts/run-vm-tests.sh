#!/usr/bin/env bash
# The kernel matrix: runs tests/vm/run-tests.sh (the integration tests that make sense in a unified
# guest without podman) inside each Debian kernel under qemu (scripts/vm-run), after the harness's
# own checks (tests/vm/harness.t). Prints "vm harness: ...", "vm KERNEL: N passed, N failed,
# N skipped" for each kernel and, last, "vm: N passed, N failed". A kernel that cannot be fetched
# or booted counts as a failure, with the line that says why.
# Usage: scripts/run-vm-tests.sh [KERNEL...] (default: 6.1 6.12 6.12+systemd). KERNEL+systemd
# boots KERNEL with systemd as PID 1 (scripts/vm-run --systemd) and runs there tests/vm/systemd.t
# and the test that needs it, 33-systemd-driver, alone (make vm-test-systemd runs only that
# guest); the harness's checks run once, when some plain KERNEL is named. arm64-KERNEL boots
# Debian's arm64 KERNEL (scripts/vm-run --arch arm64) with the arm64 build (make static helpers
# ARCH=arm64) and runs there the focused subset tests/vm/README.md gives (VM_TESTS_ARM64 for
# another choice).
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- 6.1 6.12 6.12+systemd arm64-6.1 arm64-6.12
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

case " $* " in *' 6.1 '* | *' 6.12 '*) part harness scripts/run-integration.sh tests/vm/harness.t ;; esac
for k in "$@"; do
	case $k in
	*+systemd)
		part "$k" scripts/vm-run --systemd "${k%+systemd}" -- \
			scripts/run-integration.sh tests/vm/systemd.t tests/integration/33-systemd-driver.t
		;;
	arm64-*)
		# arm64's 6.1 cannot attach trampolines to kernel functions (no ftrace direct calls
		# there before 6.4): its default attach mode is the tracepoints'. 6.12 has them: the
		# fentry mode, and there a real engine's container end to end (15-crun).
		expect=fentry tests="01-workload 24-open-args 35-attach 15-crun"
		if [ "${k#arm64-}" = 6.1 ]; then
			expect=tracepoint tests="01-workload 24-open-args 35-attach"
		fi
		part "$k" env VM_TESTS="${VM_TESTS_ARM64:-$tests}" \
			CC_EXPECT_ATTACH=$expect scripts/vm-run --arch arm64 "${k#arm64-}" -- \
			tests/vm/run-tests.sh
		;;
	*) part "$k" scripts/vm-run "$k" -- tests/vm/run-tests.sh ;;
	esac
done
echo "vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
