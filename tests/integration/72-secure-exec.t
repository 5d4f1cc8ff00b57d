#!/usr/bin/env bash
# A copy of the tracer started for secure execution refuses with one line and status 1: with file
# capabilities (setcap), setuid or setgid, each run by an unprivileged user; the same copy without
# them is not refused (it fails later, for want of privileges, with another line).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
command -v setcap >/dev/null || tap_bail "setcap (libcap2-bin) is not installed"
tap_plan 8

# run_as_nobody FILE TAG ARGS...: runs FILE as uid/gid 65534; sets rc, stderr in $CC_WORK/TAG.err.
run_as_nobody() {
	local file=$1 tag=$2
	shift 2
	setpriv --reuid=65534 --regid=65534 --clear-groups "$file" "$@" >"$CC_WORK/$tag.out" \
		2>"$CC_WORK/$tag.err" </dev/null
	rc=$?
}

refusal='^copenclose: refusing to run setuid, setgid or with file capabilities'

# refused TAG: status 1, and stderr is the one refusal line.
refused() {
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$CC_WORK/$1.err")" -eq 1 ] && grep -q "$refusal" "$CC_WORK/$1.err"
}

cp "$CC_BIN" "$CC_WORK/plain"
run_as_nobody "$CC_WORK/plain" plain -d 1
! grep -q "$refusal" "$CC_WORK/plain.err" && [ "$rc" -ne 0 ]
tap_ok $? "control: a plain copy run by nobody is not refused as secure execution (status $rc: $(head -n1 "$CC_WORK/plain.err"))"

# File capabilities enough to trace: only AT_SECURE tells this start from a plain one (the real
# and effective ids are equal).
cp "$CC_BIN" "$CC_WORK/fcap"
setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep "$CC_WORK/fcap"
tap_is "$(getcap "$CC_WORK/fcap" | awk '{ print $2 }')" "cap_dac_read_search,cap_perfmon,cap_bpf=ep" \
	"the copy has file capabilities"
run_as_nobody "$CC_WORK/fcap" fcap -d 1
refused fcap
tap_ok $? "file capabilities, run by nobody: refused with one line, status $rc: $(cat "$CC_WORK/fcap.err")"
run_as_nobody "$CC_WORK/fcap" fcapv --version
refused fcapv
tap_ok $? "file capabilities: refused before anything else, --version included (status $rc)"
tap_is "$(wc -c <"$CC_WORK/fcap.out")" 0 "nothing on stdout"

cp "$CC_BIN" "$CC_WORK/suid"
chmod 4755 "$CC_WORK/suid"
run_as_nobody "$CC_WORK/suid" suid -d 1
refused suid
tap_ok $? "setuid root, run by nobody: refused with one line, status $rc"

cp "$CC_BIN" "$CC_WORK/sgid"
chgrp 0 "$CC_WORK/sgid"
chmod 2755 "$CC_WORK/sgid"
run_as_nobody "$CC_WORK/sgid" sgid -d 1
refused sgid
tap_ok $? "setgid root, run by nobody: refused with one line, status $rc"

# Root running the same copy gains nothing from its file capabilities: no secure execution, and
# it traces.
"$CC_WORK/fcap" -d 1 -n cc-no-such-comm >/dev/null 2>"$CC_WORK/rootfcap.err"
rc=$?
[ "$rc" -eq 0 ] && grep -q '^Tracing' "$CC_WORK/rootfcap.err"
tap_ok $? "root may run the copy with file capabilities: it traces and ends with status $rc"
