#!/usr/bin/env bash
# Guest only (tests/vm/run-tests.sh): on each Debian kernel of the matrix, copenclose doctor --json
# finds BTF, a unified cgroup v2 host, and fentry, kprobe and lsm programs loading (what an fentry
# attach mode will rely on), besides the tracepoints the tracer uses today. Where the matrix says
# the kernel gets the tracepoint mode (CC_EXPECT_ATTACH=tracepoint: arm64's 6.1, which cannot
# attach trampolines to kernel functions), fentry and lsm programs must not load, and kprobes do.
# Where the kernel has no ftrace direct calls, doctor and the tracer's --attach fentry say so.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
cc_require_bpf
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
if [ "$direct" = true ]; then tap_plan 8; else tap_plan 11; fi
out=$("$CC_BIN" doctor --json 2>&1)
tap_ok $? "doctor --json ends with status 0" || tap_diag "$out"
tap_is "$(jq -r .kernel <<<"$out")" "$(uname -r)" "it reports the running kernel"
tap_is "$(jq -r '[.btf, .cgroup_mode, .cgroup2_mount] | join(" ")' <<<"$out")" \
	"true unified /sys/fs/cgroup" "BTF, and cgroup v2 alone on /sys/fs/cgroup"
tramp=true
[ "${CC_EXPECT_ATTACH:-fentry}" = tracepoint ] && tramp=false
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
