#!/usr/bin/env bash
# The content of a runc container's events, exactly: hostile file names and a 4000-byte path come
# out whole and recoverable, each open's fd is the one its close names, and connect and accept
# carry their addresses; the table keeps one event on one line.
. "$(dirname "$0")/lib.sh"
cc_begin 10 runc

id=ccev$$
port=$(cc_port)
cc_runc_start "$id" exec /bin/sh -c '
	for f in /ctl/files/*; do flood -n 1 -k -c hostile -p "$f"; done
	flood -n 1 -k -c hostile -p "$(cat /ctl/longpath)"
	flood -n 1 -c hostile -p /ctl/missing
	workload tcppair '"$port"'
	workload tcppair4 '"$((port + 1))"
share=${CC_CTL[$id]}
mkdir -p "$share/files"
names=($'new\nline' $'esc\x1b[31mred' 'quote"s' $'tab\there' $'bad\xff\xfeutf8' 'plain-é')
for n in "${names[@]}"; do : >"$share/files/$n"; done
long=$share/l
while [ ${#long} -lt 3800 ]; do long=$long/$(printf 'd%.0s' $(seq 1 200)); done
mkdir -p "$long"
inside=/ctl${long#"$share"}
file=$(printf 'f%.0s' $(seq 1 $((4000 - ${#inside} - 1))))
: >"$long/$file"
printf '%s' "$inside/$file" >"$share/longpath"

cc_tracer_start json -o json -I
cc_tracer_start table -I -n hostile
cc_container_go "$id"
cc_container_wait "$id"
sleep 0.3
cc_tracers_stop
mine=$CC_WORK/mine.json
grep "\"container_id\":\"$id\"" "$CC_WORK/json.out" | grep -E '"comm":"(hostile|workload)"' >"$mine"

PYTHONPATH=$CC_ROOT/tests/integration python3 - "$mine" "$share/files" "$(cat "$share/longpath")" "$port" <<'PY' >"$CC_WORK/py"
import json, os, re, sys
from jsonraw import raw_field
mine, files, longpath, port = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
lines = open(mine, 'rb').read().split(b'\n')[:-1]
def raw_path(line):
    return raw_field(line, 'path')
evs = [(json.loads(l), l) for l in lines]
want = sorted(b'/ctl/files/' + n for n in os.listdir(files.encode())) + [longpath]
opens = [(e, l) for e, l in evs if e['syscall'] == 'openat' and e['comm'] == 'hostile' and e['ret'] >= 0]
got = sorted(raw_path(l) for e, l in opens)
print('paths', got == sorted(want))
ok_fd = True
seq = [e for e, l in evs if e['comm'] == 'hostile']
for i, e in enumerate(seq):
    if e['syscall'] == 'openat' and e['ret'] >= 0:
        nxt = seq[i + 1] if i + 1 < len(seq) else None
        ok_fd &= (e['fd'] == e['ret'] and e['flags'] == 'O_RDONLY' and nxt is not None and
                  nxt['syscall'] == 'close' and nxt['fd'] == e['fd'] and nxt['ret'] == 0 and
                  nxt['pid'] == e['pid'])
print('fds', ok_fd and len(opens) == len(want))
print('long', any(e['truncated'] is False and len(raw_path(l)) == 4000 for e, l in opens))
miss = [e for e, l in evs if e['syscall'] == 'openat' and e['ret'] < 0]
print('missing', len(miss) == 1 and miss[0]['errno'] == 'ENOENT' and miss[0]['ret'] == -2 and
      miss[0]['fd'] is None and miss[0]['path'] == '/ctl/missing')
wl = [e for e, l in evs if e['comm'] == 'workload']
conn = [e for e in wl if e['syscall'] == 'connect']
acc = [e for e in wl if e['syscall'] in ('accept', 'accept4')]
print('connect', [(e['ret'], e['addr']) for e in conn] ==
      [(0, '127.0.0.1:%d' % port), (0, '127.0.0.1:%d' % (port + 1))])
peer = re.compile(r'^127\.0\.0\.1:[1-9][0-9]*$')
print('accept', [e['syscall'] for e in acc] == ['accept', 'accept4'] and
      all(e['ret'] >= 0 and e['fd'] == e['ret'] and peer.match(e['addr'] or '') for e in acc) and
      acc[1]['flags'] == 'SOCK_CLOEXEC')
closes = [e for e in wl if e['syscall'] == 'close']
print('closes', len(closes) == 6 and all(e['ret'] == 0 for e in closes) and
      {acc[0]['fd'], acc[1]['fd']} <= {e['fd'] for e in closes})
PY
v() { grep -q "^$1 True" "$CC_WORK/py"; }
tap_check "hostile names and the 4000-byte path: every raw byte recovered from JSON" v paths
tap_check "each open: fd = ret, flags O_RDONLY, and the next call closes that fd" v fds
tap_check "the 4000-byte path is whole, not marked truncated" v long
tap_check "the missing file: ret -2, errno ENOENT, fd null" v missing
tap_check "connect: ret 0 and the listener's address, for accept and accept4 pairs" v connect
tap_check "accept and accept4: the new fd and the peer's address; accept4's SOCK_CLOEXEC" v accept
tap_check "six closes of the sockets, the accepted fds among them" v closes
grep -v True "$CC_WORK/py" | sed 's/^/# /'
rows=$(tail -n +2 "$CC_WORK/table.out" | wc -l)
n_hostile=$(grep -c '"comm":"hostile"' "$mine")
tap_check "table: one line per event ($rows rows, $n_hostile events)" [ "$rows" -eq "$n_hostile" ]
tap_check "table: no raw control byte" [ "$(LC_ALL=C tr -d '\n\040-\176\200-\377' <"$CC_WORK/table.out" | wc -c)" -eq 0 ]
tap_check "table: the newline in a name is written \\n" grep -q 'new\\nline' "$CC_WORK/table.out"
