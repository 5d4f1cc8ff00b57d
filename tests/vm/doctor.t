#!/usr/bin/env bash
# Guest only (tests/vm/run-tests.sh): on each Debian kernel of the matrix, copenclose doctor --json
# finds BTF, a unified cgroup v2 host, and fentry, kprobe and lsm programs loading (what an fentry
# attach mode will rely on), besides the tracepoints the tracer uses today. Where the matrix says
# the kernel gets the tracepoint mode (CC_EXPECT_ATTACH=tracepoint: arm64's 6.1, which cannot
# attach trampolines to kernel functions), fentry and lsm programs must not load, and kprobes do.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
cc_require_bpf
tap_plan 6
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
