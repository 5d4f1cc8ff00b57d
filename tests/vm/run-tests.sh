#!/usr/bin/env bash
# Runs inside the guest (scripts/vm-run KERNEL -- tests/vm/run-tests.sh): the integration tests
# chosen for the kernel matrix (VM_TESTS), then the guest-only check tests/vm/doctor.t, and prints
# "integration: N passed, N failed, N skipped" (scripts/run-vm-tests.sh relabels it per kernel).
# Which tests, and why the others stay on the host only: tests/vm/README.md.
set -u
cd "$(dirname "$0")/../.." || exit 1
VM_TESTS=${VM_TESTS:-01-workload 10-runc 12-unshare 15-crun 20-cgroup-filter 24-open-args 35-attach}
# Debian's kernels allow BPF trampolines: the default attach mode there must be fentry (arm64's
# 6.1 has no ftrace direct calls to attach them by: scripts/run-vm-tests.sh says tracepoint).
export CC_EXPECT_ATTACH=${CC_EXPECT_ATTACH:-fentry}
tests=()
for n in $VM_TESTS; do
	tests+=("tests/integration/$n.t")
done
exec scripts/run-integration.sh "${tests[@]}" tests/vm/doctor.t
