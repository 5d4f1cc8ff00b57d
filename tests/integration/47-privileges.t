#!/usr/bin/env bash
# Least privilege: once attached the tracer runs as nobody (uid and gid 65534, no groups) with
# no capability but CAP_DAC_READ_SEARCH (permitted, effective, bounding), none inheritable or
# ambient, no_new_privs set, the securebits set and locked (no /proc file shows them: bpftrace
# reads them from the kernel's task_struct at one of the tracer's system calls, injecting nothing
# into the tracer), and still traces; a setuid copy refuses to run. (The naming of containers,
# which reads root-only runtime state, is checked unprivileged by 10, 14, 15, 44.)
. "$(dirname "$0")/lib.sh"
cc_begin 21

cc_tracer_start caps -o json -n ccprivtest
st=/proc/$CC_TRACER_PID/status
field() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$st"; }
tap_check "uid: real, effective, saved, fs are 65534 ($(field Uid))" \
	[ "$(field Uid | tr -s '\t ' ' ')" = "65534 65534 65534 65534" ]
tap_check "gid: real, effective, saved, fs are 65534 ($(field Gid))" \
	[ "$(field Gid | tr -s '\t ' ' ')" = "65534 65534 65534 65534" ]
tap_check "no supplementary groups ('$(field Groups)')" [ -z "$(field Groups | tr -d ' \t')" ]
# CAP_DAC_READ_SEARCH is bit 2
tap_check "effective capabilities: CAP_DAC_READ_SEARCH only ($(field CapEff))" \
	[ "$(field CapEff)" = 0000000000000004 ]
tap_check "permitted capabilities: CAP_DAC_READ_SEARCH only ($(field CapPrm))" \
	[ "$(field CapPrm)" = 0000000000000004 ]
tap_check "bounding set: CAP_DAC_READ_SEARCH only ($(field CapBnd))" \
	[ "$(field CapBnd)" = 0000000000000004 ]
tap_check "no inheritable or ambient capability ($(field CapInh) $(field CapAmb))" \
	[ "$(field CapInh) $(field CapAmb)" = "0000000000000000 0000000000000000" ]
tap_check "no_new_privs is set ($(field NoNewPrivs))" [ "$(field NoNewPrivs)" = 1 ]
# The securebits of the tracer's main thread (it polls its ring buffer at least every 100 ms, so
# it enters a system call soon), as task->cred holds them, read by bpftrace: an oracle outside the
# tracer that changes nothing in it. In a mount namespace of its own, tracefs mounted there if the
# host has not. Its own failure is reported as the oracle's, never as the tracer's.
# shellcheck disable=SC2016 # the $ in the program are bpftrace's
unshare -m sh -c 'mountpoint -q /sys/kernel/tracing ||
	mount -t tracefs tracefs /sys/kernel/tracing; exec timeout 30 bpftrace -e "
	tracepoint:raw_syscalls:sys_enter /tid == $1/ {
		printf(\"securebits=%d\n\", curtask->cred->securebits); exit(); }"' \
	sh "$CC_TRACER_PID" >"$CC_WORK/bits.out" 2>"$CC_WORK/bits.err"
bits=$(sed -n 's/^securebits=\([0-9]*\)$/\1/p' "$CC_WORK/bits.out")
why=${bits:+securebits $bits}
tap_check "the oracle (bpftrace) read the tracer's securebits (${why:-$(grep -v RLIMIT_MEMLOCK \
	"$CC_WORK/bits.err" | tr '\n' ' ')})" [ -n "$bits" ]
# the bits as include/uapi/linux/securebits.h numbers them
bit() {
	if [ -z "$bits" ]; then
		tap_ok 0 "$3 # SKIP the oracle could not read the securebits"
	else
		tap_is "$(((bits >> $1) & 1))" "$2" "$3 (securebits $bits)"
	fi
}
bit 0 1 "securebits: SECURE_NOROOT is set"
bit 1 1 "securebits: SECURE_NOROOT is locked"
bit 2 1 "securebits: SECURE_NO_SETUID_FIXUP is set"
bit 3 1 "securebits: SECURE_NO_SETUID_FIXUP is locked"
bit 4 0 "securebits: SECURE_KEEP_CAPS is not set"
bit 5 1 "securebits: SECURE_KEEP_CAPS is locked"
bit 6 1 "securebits: SECURE_NO_CAP_AMBIENT_RAISE is set"
bit 7 1 "securebits: SECURE_NO_CAP_AMBIENT_RAISE is locked"
"$CC_FLOOD" -n 5 -c ccprivtest >/dev/null
sleep 0.2
cc_tracer_stop
tap_check "it still traced after dropping them (5 events, got $(grep -c ccprivtest "$CC_WORK/caps.out"))" \
	[ "$(grep -c '"comm":"ccprivtest"' "$CC_WORK/caps.out")" -eq 5 ]
tap_is "$(grep -c 'could not drop privileges' "$CC_WORK/caps.err")" 0 \
	"no warning about the drop on stderr"

cp "$CC_BIN" "$CC_WORK/suid"
chmod 4755 "$CC_WORK/suid"
chmod 755 "$CC_WORK"
setpriv --reuid=65534 --regid=65534 --clear-groups "$CC_WORK/suid" -d 1 >/dev/null 2>"$CC_WORK/suid.err"
rc=$?
tap_check "a setuid copy run by nobody refuses: status $rc" [ "$rc" -eq 1 ]
tap_check "a setuid copy says why: '$(cat "$CC_WORK/suid.err")'" \
	grep -q 'refusing to run setuid' "$CC_WORK/suid.err"
