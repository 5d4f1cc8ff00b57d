#!/usr/bin/env bash
# scripts/vm-run itself, on the host: a command's output and non-zero status come out of the guest,
# a guest that hangs is killed at the timeout with a clear line, and a kernel that cannot be
# fetched, cannot boot or is not known fails clearly (status 125) instead of passing or skipping.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
cd "$CC_ROOT" || exit 1
[ "$(id -u)" -eq 0 ] || tap_bail "scripts/vm-run needs root"
tap_plan 14
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scripts/vm-run 6.1 -- sh -c 'echo "on stdout"; echo "on stderr" >&2; exit 7' >"$tmp/out" 2>"$tmp/err"
tap_is "$?" 7 "a command's exit status comes out of the guest"
tap_is "$(grep -c -e '^on stdout$' -e '^on stderr$' "$tmp/out")" 2 "its stdout and stderr come out" ||
	tap_diag "$(cat "$tmp/out" "$tmp/err")"
grep -q '^vm-run: 6.1 (linux-image-6.1.0-[0-9]*-cloud-amd64-unsigned): status 7 after [0-9.]* s (guest booted in [0-9.]* s)' "$tmp/err"
tap_ok $? "vm-run says which kernel ran it and the status" || tap_diag "$(cat "$tmp/err")"

# --icount (the benchmarks' guests, whose clock counts instructions) boots the same guest; every
# guest has one CPU (two under multi-threaded TCG once ran a half-rewritten kernel instruction).
# --append adds to the kernel's command line (the matrix's preempt=full).
scripts/vm-run --icount --append 'cc_vm_harness=1 quiet' 6.1 -- sh -c 'nproc; cat /proc/cmdline' \
	>"$tmp/out" 2>"$tmp/err"
tap_is "$?" 0 "--icount boots a guest that runs its command" || tap_diag "$(tail -n 5 "$tmp/err")"
tap_is "$(grep -x '[0-9]*' "$tmp/out")" 1 "the guest has one CPU"
tap_is "$(grep -o 'cc_vm_harness=1 quiet$' "$tmp/out")" "cc_vm_harness=1 quiet" \
	"--append ends the kernel's command line with its arguments" || tap_diag "$(cat "$tmp/out")"

t0=$SECONDS
scripts/vm-run --timeout 30 6.1 -- sleep 1000 >"$tmp/out" 2>"$tmp/err"
rc=$? secs=$((SECONDS - t0))
tap_is "$rc" 124 "a guest that hangs is killed at the timeout: status 124"
grep -q '^vm-run: 6.1: the guest was killed at the 30 s timeout' "$tmp/err" && [ "$secs" -lt 120 ]
tap_ok $? "... with a clear line, long before the default timeout ($secs s)" || tap_diag "$(cat "$tmp/err")"

VM_KERNEL_PACKAGE=linux-image-0.0.0-0-cloud-amd64-unsigned scripts/vm-run 6.1 -- true \
	>"$tmp/out" 2>"$tmp/err"
tap_is "$?" 125 "a kernel that cannot be fetched fails the run: status 125"
grep -q '^vm-run: 6.1: cannot fetch the kernel: apt-get download linux-image-0.0.0-0' "$tmp/err"
tap_ok $? "... with a line that says so" || tap_diag "$(cat "$tmp/err")"

scripts/vm-run 5.4 -- true >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 125 ] && grep -q "^vm-run: unknown kernel '5.4': 5.10, 6.1, 6.12, 6.12-rt or sid" "$tmp/err"
tap_ok $? "an unknown kernel fails clearly (status $rc)" || tap_diag "$(cat "$tmp/err")"

# A kernel that cannot boot: an initramfs without the init it is told to run, so the kernel panics
# (and the guest ends, -no-reboot) before any command. vm-run boots it twice (a boot can fail
# under a loaded host's TCG), then fails with one line and the console's end.
scripts/vm-run --append rdinit=cc-no-such-init 6.1 -- true >"$tmp/out" 2>"$tmp/err"
tap_is "$?" 125 "a kernel that cannot boot fails the run: status 125" || tap_diag "$(cat "$tmp/err")"
grep -q '^vm-run: 6.1+rdinit=cc-no-such-init: the guest ended (qemu status [0-9]*) without the command.s status' \
	"$tmp/err"
tap_ok $? "... with a line that says so" || tap_diag "$(cat "$tmp/err")"
tap_is "$(grep -c '^vm-run: 6.1+rdinit=cc-no-such-init: the guest ended before its command; booting it again' \
	"$tmp/err")" 1 "... after booting it a second time" || tap_diag "$(cat "$tmp/err")"
