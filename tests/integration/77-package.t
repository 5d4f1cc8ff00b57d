#!/usr/bin/env bash
# The Debian package's parts that make test can check without building it (make deb does, with
# lintian): the systemd unit's offline exposure score stays at or under the figure reached (3.5),
# the tracer runs with exactly the unit's capabilities as an unprivileged user (as DynamicUser=
# starts it), ends on SIGTERM with status 0 and its closing line, and with any one of those
# capabilities less refuses to start with one line naming it; the bash completion offers exactly
# the options --help lists, for the tracer and for top, and -e's system call names; the licence
# is one: LICENSE, debian/copyright and the SPDX headers agree.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 23 setpriv systemd-analyze

unit=$CC_ROOT/debian/copenclose.service
completion=$CC_ROOT/deploy/bash-completion/copenclose
max_exposure=3.5

exposure=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1 |
	sed -n 's/.*Overall exposure level for copenclose.service: \([0-9.]*\) .*/\1/p')
tap_check "systemd-analyze security --offline=true: exposure ${exposure:-none} <= $max_exposure" \
	awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e != "" && e <= m) }'

# The unit's capabilities, as setpriv names them (cap_bpf -> bpf).
unit_caps() {
	sed -n "s/^$1=//p" "$unit" | tr ' ' '\n' | sed 's/^CAP_//' | tr '[:upper:]' '[:lower:]' | sort | tr '\n' ' '
}
bnd=$(unit_caps CapabilityBoundingSet)
tap_is "$(unit_caps AmbientCapabilities)" "$bnd" "AmbientCapabilities= equals CapabilityBoundingSet=: $bnd"
tap_is "$bnd" "bpf dac_read_search perfmon sys_ptrace " "the unit's capabilities are the measured four"

cp "$CC_BIN" "$CC_WORK/copenclose"
uid=61234 # a uid of DynamicUser='s range, no account's
# as_unit CAPS ARGS...: execs the tracer with ARGS as the unit starts it: that uid, only CAPS (a list
# such as bpf,perfmon) bounding, inheritable and ambient, no_new_privs.
as_unit() {
	local set
	set=$(echo "$1" | tr ' ' '\n' | grep -v '^$' | sed 's/^/+/' | paste -sd,)
	shift
	exec setpriv --no-new-privs --bounding-set=-all,"$set" --reuid=$uid --regid=$uid --clear-groups \
		--inh-caps=-all,"$set" --ambient-caps=-all,"$set" "$CC_WORK/copenclose" -o json "$@"
}

cc_tracer_spawn unit as_unit "$bnd" -n ccunittest
tap_check "with the unit's capabilities it attaches" grep -q '^Tracing' "$CC_WORK/unit.err"
"$CC_FLOOD" -n 5 -c ccunittest >/dev/null
sleep 0.2
cc_tracer_stop TERM 30
tap_is "$CC_TRACER_RC" 0 "SIGTERM ends it with status 0"
tap_is "$(grep -c '"comm":"ccunittest"' "$CC_WORK/unit.out")" 5 "it traced the 5 events"
tap_check "its closing line: $(grep 'events delivered' "$CC_WORK/unit.err")" \
	grep -q '^copenclose: [0-9]* events delivered, 0 lost' "$CC_WORK/unit.err"

for drop in $bnd; do
	caps=()
	for c in $bnd; do [ "$c" = "$drop" ] || caps+=("$c"); done
	(as_unit "${caps[*]}" -d 5) >"$CC_WORK/less.out" 2>"$CC_WORK/less.err"
	rc=$?
	tap_is "$rc" 1 "without CAP_${drop^^} it refuses to start (status 1)"
	tap_check "in one line naming CAP_${drop^^}: $(head -n 1 "$CC_WORK/less.err")" \
		grep -q "^copenclose: .*CAP_${drop^^}" "$CC_WORK/less.err"
done
tap_is "$(wc -l <"$CC_WORK/less.err")" 1 "the refusal is one line"

# The completion's option lists against --help: one option a line, sorted.
help_opts() {
	"$CC_BIN" "$@" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z0-9-]+' | tr -d ' ' | tr ',' '\n' |
		sort
}
completion_var() {
	bash -c '. "$1"; printf "%s\n" ${!2}' _ "$completion" "$1" | sort
}
tap_is "$(completion_var _copenclose_opts | tr '\n' ' ')" "$(help_opts | tr '\n' ' ')" \
	"the completion's options are --help's"
tap_is "$(completion_var _copenclose_top_opts | tr '\n' ' ')" "$(help_opts top | tr '\n' ' ')" \
	"the completion's top options are top --help's"
# -e's names: the words after "these:" up to the next option, but "also".
syscalls=$("$CC_BIN" --help | sed -n '/-e, --syscalls/,/^  -p/p' | sed '$d' | tr '\n' ' ' |
	sed 's/.*these://' | tr -c 'a-z0-9*' '\n' | grep -v -e '^$' -e '^also$' | sort | tr '\n' ' ')
tap_is "$(completion_var _copenclose_syscalls | tr '\n' ' ')" "$syscalls" "-e completes --help's names: $syscalls"

# One licence: LICENSE is the GPL version 2 (Debian's own copy of its text is the oracle),
# debian/copyright gives every file GPL-2.0-only, and every SPDX header says GPL-2.0-only.
tap_check "LICENSE is the text of the GNU GPL version 2" \
	cmp -s "$CC_ROOT/LICENSE" /usr/share/common-licenses/GPL-2
tap_is "$(sed -n 's/^License: //p' "$CC_ROOT/debian/copyright" | sort -u | tr '\n' ' ')" "GPL-2.0-only " \
	"debian/copyright: every stanza's License: is GPL-2.0-only"
spdx=$(cd "$CC_ROOT" && grep -rhoI --exclude-dir=build --exclude-dir=.git --exclude=77-package.t \
	'SPDX-License-Identifier: [^ */]*' . | sort | uniq -c | awk '{ print $1, $3 }')
tap_check "SPDX headers: $(echo "$spdx" | tr '\n' ' ')" test -n "$spdx"
tap_is "$(echo "$spdx" | awk '{ print $2 }' | sort -u)" "GPL-2.0-only" \
	"every SPDX header in the tree says GPL-2.0-only"
