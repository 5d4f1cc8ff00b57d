#!/usr/bin/env bash
# Hostile file names and comm strings: the table holds no raw control byte or bidi override and
# one event stays one line; every JSON line parses strictly, is valid UTF-8, and gives back the
# raw bytes.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
plan 11

d=$T/h
mkdir -p "$d"
names=(
	$'new\nline' $'esc\x1b[31mred\x1b[0m' $'csi\x9b2J' 'quote"and\back\slash' $'tab\there'
	$'bad\xff\xfeutf8' $'bidi\xe2\x80\xaeevil' $'iso\xe2\x81\xa6x' $'del\x7f' $'bell\a'
	$'trunc\xe2\x80' 'plain-é-ü'
)
: >"$T/expected"
for n in "${names[@]}"; do
	printf '%s' "$n" >"$d/$n"
	printf '%s\0' "$d/$n" >>"$T/expected"
done
# a 4000-byte path
long=$d
while [ ${#long} -lt 3700 ]; do long=$long/$(printf 'x%.0s' $(seq 1 200)); done
mkdir -p "$long"
long=$long/$(printf 'y%.0s' $(seq 1 $((3999 - ${#long}))))
touch "$long"
printf '%s\0' "$long" >>"$T/expected"
comm=$'\x1b]0;pwn\a'

run_all() {
	local LC_ALL=C # read -d "" must not join an invalid UTF-8 tail with the next name
	while IFS= read -r -d '' p; do
		"$FLOOD" -n 1 -k -c "$comm" -p "$p" >/dev/null
	done <"$T/expected"
}

start_tracer tab -e openat -n "$comm"
start_tracer json -e openat -n "$comm" -o json
run_all
sleep 0.3
stop_tracer "$(pgrep -f -- "-n $comm -o json" | head -n1)" 2>/dev/null
for p in $(pgrep -f "build/copenclose -e openat"); do stop_tracer "$p"; done
expected_n=$(tr -cd '\0' <"$T/expected" | wc -c)

rows=$(tail -n +2 "$T/tab.out" | wc -l)
check "table: one line per event ($rows rows for $expected_n opens)" [ "$rows" -eq "$expected_n" ]
check "table: no raw control byte (below 0x20 but newline, or 0x7f)" \
	[ "$(LC_ALL=C tr -d '\n\040-\176\200-\377' <"$T/tab.out" | wc -c)" -eq 0 ]
check "table: no bidi override or isolate (U+202A-202E, U+2066-2069)" \
	not env LC_ALL=C grep -qP '\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$T/tab.out"
check "table: no C1 control as UTF-8 (U+0080-009F)" not env LC_ALL=C grep -qP '\xc2[\x80-\x9f]' "$T/tab.out"
check "table: the 4000-byte path is whole" grep -q "$(basename "$long")" "$T/tab.out"

PYTHONPATH=$top/tests/integration python3 - "$T/json.out" "$T/expected" >"$T/py.out" 2>&1 <<'PY'
import json, sys
from jsonraw import raw_field
raw = open(sys.argv[1], 'rb').read()
expected = open(sys.argv[2], 'rb').read().split(b'\0')[:-1]
lines = raw.split(b'\n')[:-1]
for l in lines:
    l.decode('utf-8')  # strict: raises on invalid UTF-8
    json.loads(l)  # strict parser
paths = [raw_field(l, 'path') for l in lines]
print("lines", len(lines))
print("valid", all(isinstance(json.loads(l), dict) for l in lines))
print("recovered", sorted(paths) == sorted(expected))
for p in expected:
    if p not in paths:
        print("missing", p[:60])
PY
check "JSON: every line valid UTF-8 and strict JSON" grep -q '^valid True' "$T/py.out"
check "JSON: one line per open ($(sed -n 's/^lines //p' "$T/py.out"))" grep -qx "lines $expected_n" "$T/py.out"
check "JSON: raw bytes of every path recovered" grep -q '^recovered True' "$T/py.out"
grep -E '^(missing|Traceback|[A-Za-z]*Error)' "$T/py.out" | sed 's/^/# /'

# a hostile cgroup name (cgroupfs refuses only '/' and newline): JSON gives its bytes back,
# the table stays clean
v2=$(awk '$9 == "cgroup2" {print $5}' /proc/self/mountinfo | head -n1)
cgname=$'evil\x1b[2J\xff\t\xe2\x80\xaename'
mkdir -p "$v2/cc-hostile-$$/$cgname"
start_tracer cgj -o json -e openat -G "/cc-hostile-$$"
start_tracer cgt -e openat -G "/cc-hostile-$$"
(echo $BASHPID >"$v2/cc-hostile-$$/$cgname/cgroup.procs" && exec "$FLOOD" -n 2 -p /nonexistent/cc-h) >/dev/null
sleep 0.3
for p in $(jobs -p); do stop_tracer "$p"; done
rmdir "$v2/cc-hostile-$$/$cgname" "$v2/cc-hostile-$$"
PYTHONPATH=$top/tests/integration python3 - "$T/cgj.out" "/cc-hostile-$$/$cgname" <<'PY' >"$T/cg.py" 2>&1
import json, sys
from jsonraw import raw_field
raw = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
want = sys.argv[2].encode('utf-8', 'surrogateescape')
for l in raw:
    l.decode('utf-8'); json.loads(l)
print("cgroups", sum(raw_field(l, 'cgroup') == want for l in raw))
PY
check "hostile cgroup name: both events give its raw bytes back from JSON" grep -qx 'cgroups 2' "$T/cg.py"
check "hostile cgroup name: the table has its two rows" [ "$(tail -n +2 "$T/cgt.out" | wc -l)" -eq 2 ]
check "hostile cgroup name: no raw control byte in the table" \
	[ "$(LC_ALL=C tr -d '\n\040-\176\200-\377' <"$T/cgt.out" | wc -c)" -eq 0 ]
