#!/usr/bin/env bash
# The content of a runc container's events, exactly: hostile file names and a 4000-byte path come
# out whole and recoverable, each open's fd is the one its close names, and connect and accept
# carry their addresses; the table keeps one event on one line.
. "$(dirname "$0")/tracer-lib.sh"
require_bpf
command -v runc >/dev/null || skip_all "runc is not installed"
make_rootfs || skip_all "no static busybox to build a root file system"
plan 10

id=ccev$$
port=$((20000 + $$ % 10000))
runc_bundle "$T/b" content sh -c '
	while [ ! -e /cc/go ]; do sleep 0.05; done
	for f in /cc/files/*; do flood -n 1 -k -c hostile -p "$f"; done
	flood -n 1 -k -c hostile -p "$(cat /cc/longpath)"
	flood -n 1 -c hostile -p /cc/missing
	workload tcppair '"$port"'
	workload tcppair4 '"$((port + 1))" || exit 1
share=$T/b/share
mkdir -p "$share/files"
names=($'new\nline' $'esc\x1b[31mred' 'quote"s' $'tab\there' $'bad\xff\xfeutf8' 'plain-é')
for n in "${names[@]}"; do : >"$share/files/$n"; done
long=$share/l
while [ ${#long} -lt 3800 ]; do long=$long/$(printf 'd%.0s' $(seq 1 200)); done
mkdir -p "$long"
inside=/cc${long#"$share"}
file=$(printf 'f%.0s' $(seq 1 $((4000 - ${#inside} - 1))))
: >"$long/$file"
printf '%s' "$inside/$file" >"$share/longpath"
trap 'runc kill $id KILL 2>/dev/null; sleep 0.2; runc delete -f $id 2>/dev/null; cleanup_tracers' EXIT
runc run -d --bundle "$T/b" "$id" >/dev/null 2>&1 </dev/null

start_tracer json -o json -I
start_tracer table -I -n hostile
touch "$share/go"
for _ in $(seq 100); do runc state "$id" 2>/dev/null | grep -q '"status": "stopped"' && break; sleep 0.1; done
sleep 0.3
for p in $(jobs -p); do stop_tracer "$p"; done
mine=$T/mine.json
grep "\"container_id\":\"$id\"" "$T/json.out" | grep -E '"comm":"(hostile|workload)"' >"$mine"

PYTHONPATH=$top/tests/integration python3 - "$mine" "$share/files" "$(cat "$share/longpath")" "$port" <<'PY' >"$T/py"
import json, os, re, sys
from jsonraw import raw_field
mine, files, longpath, port = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
lines = open(mine, 'rb').read().split(b'\n')[:-1]
def raw_path(line):
    return raw_field(line, 'path')
evs = [(json.loads(l), l) for l in lines]
want = sorted(b'/cc/files/' + n for n in os.listdir(files.encode())) + [longpath]
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
      miss[0]['fd'] is None and miss[0]['path'] == '/cc/missing')
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
v() { grep -q "^$1 True" "$T/py"; }
check "hostile names and the 4000-byte path: every raw byte recovered from JSON" v paths
check "each open: fd = ret, flags O_RDONLY, and the next call closes that fd" v fds
check "the 4000-byte path is whole, not marked truncated" v long
check "the missing file: ret -2, errno ENOENT, fd null" v missing
check "connect: ret 0 and the listener's address, for accept and accept4 pairs" v connect
check "accept and accept4: the new fd and the peer's address; accept4's SOCK_CLOEXEC" v accept
check "six closes of the sockets, the accepted fds among them" v closes
grep -v True "$T/py" | sed 's/^/# /'
rows=$(tail -n +2 "$T/table.out" | wc -l)
n_hostile=$(grep -c '"comm":"hostile"' "$mine")
check "table: one line per event ($rows rows, $n_hostile events)" [ "$rows" -eq "$n_hostile" ]
check "table: no raw control byte" [ "$(LC_ALL=C tr -d '\n\040-\176\200-\377' <"$T/table.out" | wc -c)" -eq 0 ]
check "table: the newline in a name is written \\n" grep -q 'new\\nline' "$T/table.out"
