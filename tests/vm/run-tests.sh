#!/usr/bin/env bash
# Runs inside the guest (scripts/vm-run KERNEL -- tests/vm/run-tests.sh): the integration tests
# chosen for the kernel matrix (VM_TESTS), then the guest-only checks (tests/vm/doctor.t and
# VM_GUEST_TESTS), and prints
# "integration: N passed, N failed, N skipped" (scripts/run-vm-tests.sh relabels it per kernel).
# Which tests, and why the others stay on the host only: tests/vm/README.md.
set -u
cd "$(dirname "$0")/../.." || exit 1
VM_TESTS=${VM_TESTS:-01-workload 10-runc 12-unshare 15-crun 20-cgroup-filter 24-open-args 35-attach}
# The attach mode the kernel must give (scripts/run-vm-tests.sh sets it per guest): fentry where
# the matrix says nothing.
export CC_EXPECT_ATTACH=${CC_EXPECT_ATTACH:-fentry}
# Attaching a score of trampolines under TCG on a loaded host took over 20 s (sid): the tests
# wait up to 120 s for the Tracing line here.
export CC_ATTACH_WAIT=${CC_ATTACH_WAIT:-120}
# Detaching them takes as long: in the 6.12-rt guest at load 16 doctor.t's tracer, asked to stop,
# had not ended in 10 s and was killed. The tests here wait up to 120 s for its exit (the time
# it takes is asserted on the host: 41-shutdown).
export CC_STOP_WAIT=${CC_STOP_WAIT:-120}
# The guest-only tests after doctor.t, which every guest runs (scripts/run-vm-tests.sh chooses
# them per guest: scratch-mix where programs are preemptible, for one).
VM_GUEST_TESTS=${VM_GUEST_TESTS-preempt-loss scratch-mix uring-edges}
tests=()
for n in $VM_TESTS; do
	tests+=("tests/integration/$n.t")
done
tests+=(tests/vm/doctor.t)
for n in $VM_GUEST_TESTS; do
	tests+=("tests/vm/$n.t")
done
exec scripts/run-integration.sh "${tests[@]}"
