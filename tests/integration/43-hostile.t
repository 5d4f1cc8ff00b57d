#!/usr/bin/env bash
# Hostile file names and comm strings: the table holds no raw control byte or bidi override and
# one event stays one line; every JSON line parses strictly, is valid UTF-8, and gives back the
# raw bytes.
. "$(dirname "$0")/lib.sh"
cc_begin 15

d=$CC_WORK/h
mkdir -p "$d"
names=(
	$'new\nline' $'esc\x1b[31mred\x1b[0m' $'csi\x9b2J' 'quote"and\back\slash' $'tab\there'
	$'bad\xff\xfeutf8' $'bidi\xe2\x80\xaeevil' $'iso\xe2\x81\xa6x' $'del\x7f' $'bell\a'
	$'trunc\xe2\x80' 'plain-é-ü'
)
: >"$CC_WORK/expected"
for n in "${names[@]}"; do
	printf '%s' "$n" >"$d/$n"
	printf '%s\0' "$d/$n" >>"$CC_WORK/expected"
done
# a 4000-byte path
long=$d
while [ ${#long} -lt 3700 ]; do long=$long/$(printf 'x%.0s' $(seq 1 200)); done
mkdir -p "$long"
long=$long/$(printf 'y%.0s' $(seq 1 $((3999 - ${#long}))))
touch "$long"
printf '%s\0' "$long" >>"$CC_WORK/expected"
comm=$'\x1b]0;pwn\a'

run_all() {
	local LC_ALL=C # read -d "" must not join an invalid UTF-8 tail with the next name
	while IFS= read -r -d '' p; do
		"$CC_FLOOD" -n 1 -k -c "$comm" -p "$p" >/dev/null
	done <"$CC_WORK/expected"
}

cc_tracer_start tab -e openat -n "$comm"
cc_tracer_start json -e openat -n "$comm" -o json
run_all
sleep 0.3
cc_tracers_stop
expected_n=$(tr -cd '\0' <"$CC_WORK/expected" | wc -c)

rows=$(tail -n +2 "$CC_WORK/tab.out" | wc -l)
tap_check "table: one line per event ($rows rows for $expected_n opens)" [ "$rows" -eq "$expected_n" ]
tap_check "table: no raw control byte (below 0x20 but newline, or 0x7f)" \
	[ "$(LC_ALL=C tr -d '\n\040-\176\200-\377' <"$CC_WORK/tab.out" | wc -c)" -eq 0 ]
tap_check "table: no bidi override or isolate (U+202A-202E, U+2066-2069)" \
	cc_lacks '\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$CC_WORK/tab.out"
tap_check "table: no C1 control as UTF-8 (U+0080-009F)" cc_lacks '\xc2[\x80-\x9f]' "$CC_WORK/tab.out"
tap_check "table: the 4000-byte path is whole" grep -q "$(basename "$long")" "$CC_WORK/tab.out"

PYTHONPATH=$CC_ROOT/tests/integration python3 - "$CC_WORK/json.out" "$CC_WORK/expected" >"$CC_WORK/py.out" 2>&1 <<'PY'
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
tap_check "JSON: every line valid UTF-8 and strict JSON" grep -q '^valid True' "$CC_WORK/py.out"
tap_check "JSON: one line per open ($(sed -n 's/^lines //p' "$CC_WORK/py.out"))" grep -qx "lines $expected_n" "$CC_WORK/py.out"
tap_check "JSON: raw bytes of every path recovered" grep -q '^recovered True' "$CC_WORK/py.out"
grep -E '^(missing|Traceback|[A-Za-z]*Error)' "$CC_WORK/py.out" | sed 's/^/# /'

# The JSON byte contract on a real file opened by a real process: the name u\xff\xfe is
# "u\udcff\udcfe", which a plain decoder reads as U+DCFF U+DCFE (never the valid name "uÿþ"),
# jq as replacement characters, and Python's surrogateescape as the exact bytes.
ufe=$CC_WORK/u$'\xff\xfe'
: >"$ufe"
cc_tracer_start ufe -o json -e openat -n ccufe
"$CC_FLOOD" -n 1 -k -c ccufe -p "$ufe" >/dev/null
sleep 0.3
cc_tracer_stop
grep -a '"comm":"ccufe"' "$CC_WORK/ufe.out" >"$CC_WORK/ufe.json"
python3 - "$CC_WORK/ufe.json" "$ufe" >"$CC_WORK/ufe.py" 2>&1 <<'PY'
import json, os, sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
path = json.loads(lines[0])['path'] if len(lines) == 1 else ''
print("events", len(lines))
print("plain", os.path.basename(path) == 'u\udcff\udcfe')
print("bytes", path.encode('utf-8', 'surrogateescape') == os.fsencode(sys.argv[2]))
PY
tap_check "u\\xff\\xfe: one event" grep -qx 'events 1' "$CC_WORK/ufe.py"
tap_check "u\\xff\\xfe: Python's plain json reads u, U+DCFF, U+DCFE, not uÿþ" \
	grep -qx 'plain True' "$CC_WORK/ufe.py"
tap_check "u\\xff\\xfe: surrogateescape gives back the exact bytes" grep -qx 'bytes True' "$CC_WORK/ufe.py"
tap_is "$(jq -r .path "$CC_WORK/ufe.json" | tail -c 9 | od -An -tx1 | tr -d ' \n')" 2f75efbfbdefbfbd0a \
	"u\\xff\\xfe: jq prints u and two replacement characters"
grep -v True "$CC_WORK/ufe.py" | grep -v '^events 1$' | sed 's/^/# /'

# a hostile cgroup name (cgroupfs refuses only '/' and newline): JSON gives its bytes back,
# the table stays clean
v2=$CC_V2
cgname=$'evil\x1b[2J\xff\t\xe2\x80\xaename'
mkdir -p "$v2/cc-hostile-$$/$cgname"
cc_tracer_start cgj -o json -e openat -G "/cc-hostile-$$"
cc_tracer_start cgt -e openat -G "/cc-hostile-$$"
(echo $BASHPID >"$v2/cc-hostile-$$/$cgname/cgroup.procs" && exec "$CC_FLOOD" -n 2 -p /nonexistent/cc-h) >/dev/null
sleep 0.3
cc_tracers_stop
rmdir "$v2/cc-hostile-$$/$cgname" "$v2/cc-hostile-$$"
PYTHONPATH=$CC_ROOT/tests/integration python3 - "$CC_WORK/cgj.out" "/cc-hostile-$$/$cgname" <<'PY' >"$CC_WORK/cg.py" 2>&1
import json, sys
from jsonraw import raw_field
raw = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
want = sys.argv[2].encode('utf-8', 'surrogateescape')
for l in raw:
    l.decode('utf-8'); json.loads(l)
print("cgroups", sum(raw_field(l, 'cgroup') == want for l in raw))
PY
tap_check "hostile cgroup name: both events give its raw bytes back from JSON" grep -qx 'cgroups 2' "$CC_WORK/cg.py"
tap_check "hostile cgroup name: the table has its two rows" [ "$(tail -n +2 "$CC_WORK/cgt.out" | wc -l)" -eq 2 ]
tap_check "hostile cgroup name: no raw control byte in the table" \
	[ "$(LC_ALL=C tr -d '\n\040-\176\200-\377' <"$CC_WORK/cgt.out" | wc -c)" -eq 0 ]
