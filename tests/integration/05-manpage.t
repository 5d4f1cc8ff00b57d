#!/usr/bin/env bash
# The man page is clean for groff and names every option that --help lists.
cd "$(dirname "$0")/../.." || exit 1
bin=build/copenclose
opts=$({ "$bin" --help; "$bin" top --help; } | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[ ,]*//' | sort -u)
n=$(($(printf '%s\n' "$opts" | wc -l) + 2))
echo "1..$n"
i=1
warn=$(groff -man -ww -z man/copenclose.8 2>&1)
if [ -z "$warn" ]; then echo "ok $i - groff -man -ww -z is clean"; else echo "not ok $i - groff: $warn"; fi
i=$((i + 1))
if [ "$(printf '%s\n' "$opts" | wc -l)" -ge 15 ]; then
	echo "ok $i - --help lists the options"
else
	echo "not ok $i - --help lists only: $opts"
fi
for o in $opts; do
	i=$((i + 1))
	esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
	if grep -q -- "$esc" man/copenclose.8; then
		echo "ok $i - man page names $o"
	else
		echo "not ok $i - man page lacks $o"
	fi
done
