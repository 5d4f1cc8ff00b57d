#!/usr/bin/env bash
# -c keeps exactly one container's events, by name or unique id prefix of at least 12 characters
# (the rule of -c --wait); two runc containers run the same workload at the same time and the
# other one's events are dropped in the kernel.
. "$(dirname "$0")/lib.sh"
cc_begin 14 runc

a=ccfilterprefix-a-$$ b=ccfilterprefix-b-$$
cc_runc_start "$a" exec /bin/flood -n 100 -p /nonexistent/cc-filter
cc_runc_start "$b" exec /bin/flood -n 200 -p /nonexistent/cc-filter
tap_is "$(runc list -q | grep -cE "^($a|$b)$")" 2 "two runc containers running"

"$CC_BIN" -c ccfilterprefix >/dev/null 2>"$CC_WORK/amb.err"
tap_is "$?" 2 "an ambiguous prefix: status 2"
tap_check "an ambiguous prefix names $a ($(cat "$CC_WORK/amb.err"))" grep -q "$a" "$CC_WORK/amb.err"
tap_check "an ambiguous prefix names $b" grep -q "$b" "$CC_WORK/amb.err"
"$CC_BIN" -c ccfilterpre >/dev/null 2>"$CC_WORK/short.err"
tap_is "$?" 2 "a prefix of 11 characters: status 2"
tap_check "a prefix of 11 characters selects nothing, and says why: $(cat "$CC_WORK/short.err")" \
	grep -q "no running container matches 'ccfilterpre' (an id prefix takes at least 12 characters)" \
	"$CC_WORK/short.err"
tap_refuses "an unknown name, listing the running ones" 2 "running: .*$a" "$CC_BIN" -c "nosuch$$"
tap_check "an unknown name lists $b too" sh -c '"$0" -c "nosuch$1" 2>&1 | grep -q "$2"' \
	"$CC_BIN" $$ "$b"
cc_tracer_start by-name -o json -c "$a"
cc_tracer_start by-prefix -o json -c "ccfilterprefix-b"
cc_container_go "$a"
cc_container_go "$b"
cc_container_wait "$a"
cc_container_wait "$b"
sleep 0.3
cc_tracers_stop
na=$(grep -c '"path":"/nonexistent/cc-filter"' "$CC_WORK/by-name.out")
wrong=$(grep -vc "\"container_id\":\"$a\"" "$CC_WORK/by-name.out")
nb=$(grep -c '"path":"/nonexistent/cc-filter"' "$CC_WORK/by-prefix.out")
tap_check "-c NAME: exactly container a's 100 opens (got $na)" [ "$na" -eq 100 ]
tap_check "-c NAME: no event of another container ($wrong)" [ "$wrong" -eq 0 ]
tap_check "-c PREFIX: exactly container b's 200 opens (got $nb)" [ "$nb" -eq 200 ]
tap_check "-c PREFIX: every event names b, runtime runc" \
	[ "$(grep -c "\"container_id\":\"$b\",.*\"container_runtime\":\"runc\"" "$CC_WORK/by-prefix.out")" -eq "$nb" ]
