#!/usr/bin/env bash
# Least privilege: once attached the tracer runs as nobody (uid and gid 65534, no groups) with
# no capability but CAP_DAC_READ_SEARCH (permitted, effective, bounding), none inheritable or
# ambient, no_new_privs set, and still traces; a setuid copy refuses to run. (The naming of
# containers, which reads root-only runtime state, is checked unprivileged by 10, 14, 15, 44.)
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
plan 12

start_tracer caps -o json -n ccprivtest
st=/proc/$TRACER_PID/status
field() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$st"; }
check "uid: real, effective, saved, fs are 65534 ($(field Uid))" \
	[ "$(field Uid | tr -s '\t ' ' ')" = "65534 65534 65534 65534" ]
check "gid: real, effective, saved, fs are 65534 ($(field Gid))" \
	[ "$(field Gid | tr -s '\t ' ' ')" = "65534 65534 65534 65534" ]
check "no supplementary groups ('$(field Groups)')" [ -z "$(field Groups | tr -d ' \t')" ]
# CAP_DAC_READ_SEARCH is bit 2
check "effective capabilities: CAP_DAC_READ_SEARCH only ($(field CapEff))" \
	[ "$(field CapEff)" = 0000000000000004 ]
check "permitted capabilities: CAP_DAC_READ_SEARCH only ($(field CapPrm))" \
	[ "$(field CapPrm)" = 0000000000000004 ]
check "bounding set: CAP_DAC_READ_SEARCH only ($(field CapBnd))" \
	[ "$(field CapBnd)" = 0000000000000004 ]
check "no inheritable or ambient capability ($(field CapInh) $(field CapAmb))" \
	[ "$(field CapInh) $(field CapAmb)" = "0000000000000000 0000000000000000" ]
check "no_new_privs is set ($(field NoNewPrivs))" [ "$(field NoNewPrivs)" = 1 ]
"$FLOOD" -n 5 -c ccprivtest >/dev/null
sleep 0.2
stop_tracer "$TRACER_PID"
check "it still traced after dropping them (5 events, got $(grep -c ccprivtest "$T/caps.out"))" \
	[ "$(grep -c '"comm":"ccprivtest"' "$T/caps.out")" -eq 5 ]
check "no warning about the drop on stderr" not grep -q 'could not drop privileges' "$T/caps.err"

cp "$BIN" "$T/suid"
chmod 4755 "$T/suid"
chmod 755 "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups "$T/suid" -d 1 >/dev/null 2>"$T/suid.err"
rc=$?
check "a setuid copy run by nobody refuses: status $rc" [ "$rc" -eq 1 ]
check "a setuid copy says why: '$(cat "$T/suid.err")'" grep -q 'refusing to run setuid' "$T/suid.err"
