#!/usr/bin/env bash
# Least privilege: once attached the tracer holds no capability but CAP_DAC_READ_SEARCH, has
# no_new_privs set, and still traces; a setuid copy refuses to run.
. "$(dirname "$0")/lib.sh"
cc_begin 6

cc_tracer_start caps -o json -n ccprivtest
eff=$(awk '/^CapEff/ {print $2}' "/proc/$CC_TRACER_PID/status")
prm=$(awk '/^CapPrm/ {print $2}' "/proc/$CC_TRACER_PID/status")
nnp=$(awk '/^NoNewPrivs/ {print $2}' "/proc/$CC_TRACER_PID/status")
# CAP_DAC_READ_SEARCH is bit 2
tap_check "effective capabilities: CAP_DAC_READ_SEARCH only ($eff)" [ "$eff" = 0000000000000004 ]
tap_check "permitted capabilities: CAP_DAC_READ_SEARCH only ($prm)" [ "$prm" = 0000000000000004 ]
tap_check "no_new_privs is set ($nnp)" [ "$nnp" = 1 ]
"$CC_FLOOD" -n 5 -c ccprivtest >/dev/null
sleep 0.2
cc_tracer_stop
tap_check "it still traced after dropping them (5 events, got $(grep -c ccprivtest "$CC_WORK/caps.out"))" \
	[ "$(grep -c '"comm":"ccprivtest"' "$CC_WORK/caps.out")" -eq 5 ]

cp "$CC_BIN" "$CC_WORK/suid"
chmod 4755 "$CC_WORK/suid"
chmod 755 "$CC_WORK"
setpriv --reuid=65534 --regid=65534 --clear-groups "$CC_WORK/suid" -d 1 >/dev/null 2>"$CC_WORK/suid.err"
rc=$?
tap_check "a setuid copy run by nobody refuses: status $rc" [ "$rc" -eq 1 ]
tap_check "a setuid copy says why: '$(cat "$CC_WORK/suid.err")'" \
	grep -q 'refusing to run setuid' "$CC_WORK/suid.err"
