#!/usr/bin/env bash
# The kernel matrix: runs tests/vm/run-tests.sh (the integration tests that make sense in a unified
# guest without podman) inside each Debian kernel under qemu (scripts/vm-run), after the harness's
# own checks (tests/vm/harness.t). Prints "vm harness: ...", "vm GUEST: N passed, N failed,
# N skipped" for each guest and, last, "vm: N passed, N failed". A kernel that cannot be fetched
# or booted counts as a failure, with the line that says why.
# Usage: scripts/run-vm-tests.sh [GUEST...] (default: the matrix below). A GUEST is a kernel of
# scripts/vm-run (5.10, 6.1, 6.12, 6.12-rt, sid), with
#   +systemd     systemd as PID 1 in a real Debian system (scripts/vm-run --systemd):
#                tests/vm/systemd.t, the test that needs it, 33-systemd-driver, systemd-units.t
#                (services with private namespaces are the host), and last
#                tests/vm/systemd-deb.t, the package make deb built installed and run as its unit
#                (make vm-test-systemd runs only that guest);
#   +ARG=VALUE   ARG=VALUE added to the kernel's command line (6.12+preempt=full);
# or arm64-KERNEL: Debian's arm64 KERNEL (scripts/vm-run --arch arm64) with the arm64 build (make
# static helpers ARCH=arm64), running the focused subset tests/vm/README.md gives (VM_TESTS_ARM64 for
# another choice).
# Which tests each guest runs: vm_tests below (VM_TESTS, when set, for every plain guest).
# VM_JOBS guests run side by side (default 2: each guest has one CPU); their output comes out
# whole, guest by guest. The harness's checks run once, first, when 6.1 or 6.12 is named.
set -u
cd "$(dirname "$0")/.." || exit 1
# make test's guests (tests/vm/README.md: what each runs and takes), the longest first so that the
# two slots end together. 6.12-rt runs when named (6.12+preempt=full checks a program preempted).
# sid and 6.12+preempt=full run when named, not in make test: their 35-attach's rewrite check
# failed once in five runs in sid (tests/vm/README.md).
[ $# -gt 0 ] || set -- 6.12 6.12+systemd arm64-6.12 6.1 5.10 arm64-6.1
jobs=${VM_JOBS:-2}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Which integration tests each guest runs (VM_TESTS, when set, for every plain guest): what differs
# on its kernel, each test of the subset where it tells something no other guest does (the time:
# tests/vm/README.md). 6.12, the kernel most nodes run with fentry, runs the whole subset, with
# 36-optional (an optional program refused, through the tracer's test hook) and 34-selfcheck (a
# program made silent, the same way). 6.1 the same but
# 10-runc, whose engines' user space is the same on every kernel (6.12 and arm64-6.12 run it;
# 15-crun runs here). 5.10 and sid: the standard workload exactly in every attach mode the kernel
# has (01, 35-attach), the arguments (24), a real engine's container by hostname and cgroup v2 id
# (15-crun), and 5.10's probe reads of the namespaces (12-unshare). sid and 6.12 with preempt=full
# are there for what a preemptible kernel changes (a program left mid-way by a preempted task):
# attaching and the standard workload in each mode with every loss counted (01, 35-attach), sid's
# renamed functions and a real engine's container named (15-crun); the rest 6.12 runs. 6.12's
# PREEMPT_RT build (when named): loading, attaching and the arguments.
vm_tests() {
	local all="01-workload 10-runc 12-unshare 15-crun 20-cgroup-filter 24-open-args 35-attach"
	case $1 in
	*+preempt=*) echo "${VM_TESTS:-01-workload 35-attach}" ;;
	*-rt) echo "${VM_TESTS:-01-workload 24-open-args 35-attach}" ;;
	5.10*) echo "${VM_TESTS:-01-workload 12-unshare 15-crun 24-open-args 35-attach}" ;;
	sid*) echo "${VM_TESTS:-01-workload 15-crun 35-attach}" ;;
	6.12) echo "${VM_TESTS:-$all 36-optional 34-selfcheck}" ;;
	6.1) echo "${VM_TESTS:-01-workload 12-unshare 15-crun 20-cgroup-filter 24-open-args 35-attach}" ;;
	*) echo "${VM_TESTS:-$all}" ;;
	esac
}

# The guest-only tests after doctor.t (which every guest runs: tests/vm/run-tests.sh). Where the
# kernel lets a task be preempted inside a BPF program (sid's syscall tracepoints, preempt=full,
# PREEMPT_RT): the flood's loss counted (preempt-loss), and whole records (scratch-mix) in
# 6.12+preempt=full, where both modes' programs are preemptible. The kernels that do not (5.10,
# 6.1 and 6.12 run voluntary preemption, a BPF program is never left mid-way for another task)
# cannot mix a record that way: preempt-loss there checks the loss counted where only the ring
# overflows, once with fentry (6.12) and once on 5.10, whose counters are read with CAP_BPF kept.
# io_uring's edges (uring-edges) where the fentry mode sees io_uring; it skips elsewhere.
guest_tests() {
	case $1 in
	sid*) echo "preempt-loss" ;;
	*+preempt=*) echo "preempt-loss scratch-mix" ;;
	*-rt) echo "preempt-loss scratch-mix uring-edges" ;;
	6.12 | 5.10) echo "preempt-loss uring-edges" ;;
	*) echo "uring-edges" ;;
	esac
}

# part LABEL COMMAND...: runs COMMAND, relabels its "integration:" line "vm LABEL:", writes its
# output and its summary line into $tmp/LABEL.
part() {
	local label=$1 log=$tmp/$1 line t0=$SECONDS
	shift
	"$@" >"$log.out" 2>&1
	sed -i "s/^integration: /vm $label: /" "$log.out"
	line=$(grep "^vm $label: [0-9]* passed, [0-9]* failed" "$log.out" | tail -n1)
	if [ -z "$line" ]; then
		echo "vm $label: 0 passed, 1 failed, 0 skipped (no result: see the lines above)" >>"$log.out"
	fi
	echo "# vm $label took $((SECONDS - t0)) s" >>"$log.out"
}

# tally LABEL: prints a finished part's output and adds up its result.
tally() {
	local out=$tmp/$1.out line
	cat "$out"
	line=$(grep "^vm $1: [0-9]* passed, [0-9]* failed" "$out" | tail -n1)
	[[ $line =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]
	pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
}

# The attach mode --attach auto must take in each guest (tests/vm/doctor.t, 35-attach): the
# matrix's own knowledge, not doctor's. 5.10 has trampolines but no task storage,
# bpf_get_current_task_btf (5.11) nor bpf_task_pt_regs (5.15), which the fentry programs use.
expect_attach() {
	case $1 in
	5.10*) echo tracepoint ;;
	*) echo fentry ;;
	esac
}

guest() {
	local k=$1 kernel opts=()
	kernel=${k%%+*}
	CC_EXPECT_ATTACH=$(expect_attach "$k")
	export CC_EXPECT_ATTACH
	case $k in
	*+systemd)
		# the patience tests/vm/run-tests.sh gives the tests in the other guests
		part "$k" env CC_ATTACH_WAIT="${CC_ATTACH_WAIT:-120}" CC_STOP_WAIT="${CC_STOP_WAIT:-120}" \
			scripts/vm-run --systemd "$kernel" -- \
			scripts/run-integration.sh tests/vm/systemd.t tests/integration/33-systemd-driver.t \
			tests/vm/doctor.t tests/vm/systemd-units.t tests/vm/systemd-deb.t
		;;
	arm64-*)
		# arm64's 6.1 cannot attach trampolines to kernel functions (no ftrace direct calls
		# there before 6.4): its default attach mode is the tracepoints'. 6.12 has them: the
		# fentry mode, and there the real engines' containers end to end (10-runc, 15-crun);
		# bare namespaces and the cgroup filter in 6.1. Each test of the x86 guests' subset
		# runs in one arm64 guest at least (the time: tests/vm/README.md).
		expect=fentry tests="01-workload 10-runc 15-crun 24-open-args 35-attach"
		if [ "${k#arm64-}" = 6.1 ]; then
			expect=tracepoint
			tests="01-workload 12-unshare 20-cgroup-filter 24-open-args 35-attach"
		fi
		part "$k" env VM_TESTS="${VM_TESTS_ARM64:-$tests}" VM_GUEST_TESTS="$(guest_tests "$k")" \
			CC_EXPECT_ATTACH=$expect scripts/vm-run --arch arm64 "${k#arm64-}" -- \
			tests/vm/run-tests.sh
		;;
	*+*=*)
		opts=(--append "$(tr '+' ' ' <<<"${k#*+}")")
		VM_TESTS=$(vm_tests "$k") VM_GUEST_TESTS=$(guest_tests "$k") part "$k" \
			scripts/vm-run "${opts[@]}" "$kernel" -- tests/vm/run-tests.sh
		;;
	*)
		VM_TESTS=$(vm_tests "$k") VM_GUEST_TESTS=$(guest_tests "$k") part "$k" \
			scripts/vm-run "$kernel" -- tests/vm/run-tests.sh
		;;
	esac
}

case " $* " in *' 6.1 '* | *' 6.12 '*)
	part harness scripts/run-integration.sh tests/vm/harness.t
	tally harness
	;;
esac
# The guests, VM_JOBS at a time; each one's output printed in the order given once it ended.
pids=()
for k in "$@"; do
	guest "$k" &
	pids+=($!)
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
done
i=0
for k in "$@"; do
	wait "${pids[$i]}"
	tally "$k"
	i=$((i + 1))
done
echo "vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
