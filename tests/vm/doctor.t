#!/usr/bin/env bash
# Guest only (tests/vm/run-tests.sh): on each Debian kernel of the matrix, copenclose doctor --json
# finds BTF, a unified cgroup v2 host, and fentry, kprobe and lsm programs loading where the kernel
# has ftrace's direct calls (without them, arm64's 6.1, no trampoline attaches to a kernel function:
# fentry and lsm programs do not load, kprobes do, and doctor and the tracer's --attach fentry say
# why), and what it says of the tracer is what the tracer then does: its attach mode (which is also
# the one the matrix expects of this kernel, CC_EXPECT_ATTACH: the oracle, not doctor), why fentry
# was not taken, what is not seen, and that tracing works.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
cc_require_bpf
cc_setup
[ -n "${CC_EXPECT_ATTACH:-}" ] || tap_bail "CC_EXPECT_ATTACH is not set (tests/vm/run-tests.sh sets it)"
# Whether this kernel has ftrace's direct calls, without which no BPF trampoline attaches to a
# kernel function (arm64 before 6.4): its own build configuration says (scripts/vm-run puts it at
# /etc/vm-run/config), not doctor; where the package had none, the running kernel's symbols.
cfg=/etc/vm-run/config
direct=false
if [ -r "$cfg" ]; then
	grep -qx 'CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y' "$cfg" && direct=true
else
	tap_diag "no $cfg: /proc/kallsyms says whether ftrace direct calls are built in"
	grep -qE ' T register_ftrace_direct(_multi)?$' /proc/kallsyms && direct=true
fi
if [ "$direct" = true ]; then tap_plan 15; else tap_plan 18; fi
out=$("$CC_BIN" doctor --json 2>&1)
tap_ok $? "doctor --json ends with status 0" || tap_diag "$out"
tap_is "$(jq -r .kernel <<<"$out")" "$(uname -r)" "it reports the running kernel"
tap_is "$(jq -r '[.btf, .cgroup_mode, .cgroup2_mount] | join(" ")' <<<"$out")" \
	"true unified /sys/fs/cgroup" "BTF, and cgroup v2 alone on /sys/fs/cgroup"
# trampolines attach where the direct calls are
tramp=$direct
for p in fentry kprobe lsm; do
	want=$tramp
	[ "$p" = kprobe ] && want=true
	tap_is "$(jq -r ".bpf.$p" <<<"$out")" "$want" "a $p program loads on $(uname -r): $want"
done
tap_is "$(jq -r .ftrace_direct_calls <<<"$out")" "$direct" \
	"ftrace direct calls: $direct, as the kernel's configuration says"
nodirect='BPF trampolines cannot attach to kernel functions: no ftrace direct calls \(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS'
if [ "$direct" = true ]; then
	tap_check "doctor's attach mode does not blame the direct calls" \
		cc_lacks DIRECT_CALLS <(jq -r .attach_why <<<"$out")
else
	tap_check "doctor: the tracepoint mode, because the kernel has no ftrace direct calls" \
		grep -qE "^tracepoint: .*$nodirect" \
		<(jq -r '"\(.attach_mode): \(.attach_why)"' <<<"$out")
	tap_refuses "--attach fentry" 1 "the fentry attach mode is not available here: $nodirect" \
		"$CC_BIN" --attach fentry -d 1
fi

# The tracer itself, as --attach auto starts it.
cc_tracer_start auto -o json
rc=$?
cc_tracer_stop
tap_is "$rc/$CC_TRACER_RC" 0/0 "the tracer attaches and ends with status 0" ||
	tap_diag "$(cat "$CC_WORK/auto.err")"
tap_is "$(jq -r .tracing_works <<<"$out")" true "doctor says tracing will work"
mode=tracepoint
grep -q '^Tracing .*(fentry: ' "$CC_WORK/auto.err" && mode=fentry
tap_is "$mode" "$CC_EXPECT_ATTACH" "the tracer takes the mode this kernel is expected to give" ||
	tap_diag "$(cat "$CC_WORK/auto.err")"
tap_is "$(jq -r .attach_mode <<<"$out")" "$mode" "doctor's attach mode is the tracer's"
# Why fentry was not taken: the tracer's line and doctor's reason, word for word.
why=$(sed -n 's/^copenclose: the fentry attach mode is not available here (\(.*\)): syscall tracepoints instead$/\1/p' \
	"$CC_WORK/auto.err")
if [ "$mode" = fentry ]; then
	tap_is "$why" "" "fentry taken: the tracer says nothing of a fallback"
else
	tap_is "$(jq -r .attach_why <<<"$out")" "the fentry attach mode is not available here ($why)" \
		"doctor's reason for tracepoints is the tracer's: $why"
fi
# What is not seen: the functions the tracer names as missing, in doctor's list, and no others.
lacks=$(sed -n 's/^copenclose: note: this kernel lacks \(.*\): those io_uring or 32-bit calls are not seen$/\1/p' \
	"$CC_WORK/auto.err")
blind=$(jq -r .blind_spots <<<"$out")
if [ "$mode" = tracepoint ]; then
	tap_is "$blind" "io_uring operations; 32-bit system calls (--compat sees them, at a cost to every system call)" \
		"tracepoints: doctor says io_uring and 32-bit calls are not seen"
	tap_is "$lacks" "" "... and the tracer names no missing function"
else
	passes=$(sed -n 's/.*; what passes through \(.*\) (this kernel has no such function)$/\1/p' <<<"$blind")
	tap_is "$passes" "$lacks" "the functions doctor says are missing are the tracer's: '$lacks'"
	tap_is "${blind%%;*}" "io_uring operations on fixed files (no descriptor is installed)" \
		"fentry: doctor says io_uring on fixed files is not seen"
fi
