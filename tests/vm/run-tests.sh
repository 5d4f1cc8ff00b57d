#!/usr/bin/env bash
# Runs inside the guest (scripts/vm-run KERNEL -- tests/vm/run-tests.sh): the integration tests
# that make sense on a unified guest, then the guest-only checks of tests/vm/*.t, and prints
# "integration: N passed, N failed, N skipped" (scripts/run-vm-tests.sh relabels it per kernel).
#
# Left out, with the reason:
#   05-manpage.t       groff on the man page: the same on every kernel, run on the host
#   14-podman.t        podman is not in the guest (its storage needs overlayfs, its network
#                      netavark); podman's cgroup paths are covered by the host run
#   60-bench-load.t    builds bench/ with a compiler the guest does not have; the same everywhere
# and, chosen by measured time under TCG (see tests/vm/README), the tests that run long and
# test user space alone rather than the kernel: LONG below.
set -u
cd "$(dirname "$0")/../.." || exit 1
LEFT_OUT='05-manpage 14-podman 60-bench-load'
LONG=${VM_LONG_TESTS-}
tests=()
for t in tests/integration/*.t; do
	n=$(basename "$t" .t)
	case " $LEFT_OUT $LONG " in *" $n "*) continue ;; esac
	tests+=("$t")
done
exec scripts/run-integration.sh "${tests[@]}" tests/vm/*.t
