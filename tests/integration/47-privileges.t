#!/usr/bin/env bash
# Least privilege: once attached the tracer holds no capability but CAP_DAC_READ_SEARCH, has
# no_new_privs set, and still traces; a setuid copy refuses to run.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
plan 5

start_tracer caps -o json -n ccprivtest
eff=$(awk '/^CapEff/ {print $2}' "/proc/$TRACER_PID/status")
prm=$(awk '/^CapPrm/ {print $2}' "/proc/$TRACER_PID/status")
nnp=$(awk '/^NoNewPrivs/ {print $2}' "/proc/$TRACER_PID/status")
# CAP_DAC_READ_SEARCH is bit 2
check "effective capabilities: CAP_DAC_READ_SEARCH only ($eff)" [ "$eff" = 0000000000000004 ]
check "permitted capabilities: CAP_DAC_READ_SEARCH only ($prm)" [ "$prm" = 0000000000000004 ]
check "no_new_privs is set ($nnp)" [ "$nnp" = 1 ]
"$FLOOD" -n 5 -c ccprivtest >/dev/null
sleep 0.2
stop_tracer "$TRACER_PID"
check "it still traced after dropping them (5 events, got $(grep -c ccprivtest "$T/caps.out"))" \
	[ "$(grep -c '"comm":"ccprivtest"' "$T/caps.out")" -eq 5 ]

cp "$BIN" "$T/suid"
chmod 4755 "$T/suid"
chmod 755 "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups "$T/suid" -d 1 >/dev/null 2>"$T/suid.err"
rc=$?
check "a setuid copy run by nobody refuses: status $rc, '$(cat "$T/suid.err")'" \
	[ "$rc" -eq 1 ] && grep -q 'refusing to run setuid' "$T/suid.err"
