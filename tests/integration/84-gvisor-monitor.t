#!/usr/bin/env bash
# gVisor's own view (runsc's runtime monitoring, its remote sink): runsc started with the
# --pod-init-config that `copenclose gvisor-config` prints connects to --gvisor-socket, and the
# sandboxed program's own calls are written as ordinary events: its pid, tid and comm as the
# sandbox sees them, path, flags, result, address, the container named from runsc's state,
# "via": "gvisor", exactly as many as the workload made; the host-side events of the sandbox's
# processes as before. The filters apply (-x, -e, --path), the table too; a client that sends
# malformed and oversized messages is counted, said once, and changes nothing else.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 20 rootfs runsc python3
rroot=$CC_WORK/runsc
mkdir -m 700 "$rroot"
sock=$CC_WORK/gvisor.sock
"$CC_BIN" gvisor-config "$sock" >"$CC_WORK/pod-init.json"

# run TAG TRACER-ARGS...: the tracer with --gvisor-socket, then the container's workload: 3 opens
# and closes of /data/file by openat, 2 by open, 2 openat of a missing file, a close of a bad fd,
# and a loopback TCP pair (connect, accept4, 3 closes).
run() {
	local tag=$1
	shift
	NAME=$(cc_name)
	PORT=$(cc_port)
	cc_tracer_start "$tag" --state-dir "runsc=$rroot" --gvisor-socket "$sock" "$@" || return 1
	[ "$tag" != plain ] || hostile || return 1
	cc_runsc_run "$rroot" "$NAME" --pod-init-config "$CC_WORK/pod-init.json" -- \
		open /data/file 3 sysopen /data/file 2 missing /nonexistent-cc 2 closebad 1 \
		tcppair4 "$PORT" || return 1
	SBMNT=$CC_RUNSC_SBMNT
	cc_container_go "$NAME"
	cc_container_wait "$NAME" 60 || return 1
	sleep 0.5
	cc_tracer_stop INT
	[ "$CC_TRACER_RC" -eq 0 ]
}

# hostile: a client that shakes hands, then sends a message too short for a header, a payload
# that does not parse and one longer than any message (each is dropped), and a valid close.
hostile() {
	python3 - "$sock" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b"\x08\x01")
assert s.recv(64) == b"\x08\x01"
hdr = lambda t: struct.pack("<HHI", 8, t, 0)
s.send(b"\x08\x00")
s.send(hdr(7) + b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")
s.send(hdr(7) + b"\x00" * 70000)
# close(5) = 0 by pid 7 (comm "hostile"), sysno 3: context 1 {thread_id 2, group_id 4, name 9}
ctx = b"\x10\x07\x20\x07\x4a\x07hostile"
s.send(hdr(8) + b"\x0a" + bytes([len(ctx)]) + ctx + b"\x12\x00\x18\x03\x20\x05")
s.close()
PY
}

gvisor_events() {
	jq -r --arg c "${2:-workload}" 'select(.type == "event" and .via == "gvisor" and .comm == $c) |
		"\(.syscall) \(.path // .addr // "-") \(if .ret >= 0 then "ok" else .errno end)"' \
		"$CC_WORK/$1.out" | sed 's/127\.0\.0\.1:[0-9]*/127.0.0.1/' | sort | uniq -c |
		awk '{$1 = $1; print}' | sort
}

run plain -o json -I
tap_ok $? "the tracer with --gvisor-socket and a runsc container with its pod init config ran (status 0)"
j=$CC_WORK/plain.out
tap_is "$(gvisor_events plain)" "$(printf '%s\n' '1 accept4 - ok' '1 close - EBADF' '8 close - ok' \
	'1 connect 127.0.0.1 ok' '2 open /data/file ok' '3 openat /data/file ok' \
	'2 openat /nonexistent-cc ENOENT' | sort)" \
	"gVisor's own view: every call of the workload inside the sandbox, exactly, with its result"
tap_is "$(jq -r 'select(.via == "gvisor" and .comm == "workload") | "\(.pid) \(.tid) \(.ns_pid)" +
	" \(.uid) \(.hostname) \(.container_id) \(.container_name) \(.container_runtime)" +
	" \(.sandbox) \(.host)"' "$j" | sort -u)" "1 1 1 0 $NAME $NAME $NAME runsc gvisor false" \
	"each is the program's own: pid, tid and ns_pid 1 as the sandbox sees them, uid 0, the container's hostname, id and name from runsc's state, sandbox gvisor, not the host"
tap_is "$(jq -r 'select(.via == "gvisor" and .comm == "workload" and .path == "/data/file") |
	"\(.syscall) \(.flags) \(.fd) \(.errno)"' "$j" | sort | uniq -c | awk '{$1 = $1; print}')" \
	"$(printf '2 open O_RDONLY 3 null\n3 openat O_RDONLY|O_CLOEXEC 3 null')" \
	"the opens' flags and descriptors as the program asked and got them"
tap_is "$(jq -r 'select(.via == "gvisor" and .syscall == "connect") | "\(.addr) \(.fd)"' "$j")" \
	"127.0.0.1:$PORT 4" "the connect's address and socket"
tap_is "$(jq -r 'select(.via == "gvisor" and .comm == "workload" and .ret < 0) |
	"\(.syscall) \(.ret) \(.errno)"' "$j" | sort | uniq -c | awk '{$1 = $1; print}')" \
	"$(printf '1 close -9 EBADF\n2 openat -2 ENOENT')" "the failures: ret -errno and the errno's name"
tap_is "$(grep -c '"via":"gvisor"' "$j")" "$(sed -n 's/.*gvisor: \([0-9]*\) events from 2 sandbox connections (\1 written, 0 filtered), 0 lost.*/\1/p' "$CC_WORK/plain.err")" \
	"stderr counts every gVisor event received and written, none lost"
tap_is "$(grep -c '"type":"event"' "$j") events delivered, 0 lost" \
	"$(sed -n 's/^copenclose: \([0-9]* events delivered, [0-9]* lost\).*/\1/p' "$CC_WORK/plain.err")" \
	"the closing line's delivered counts them with the kernel's, nothing unread"
tap_is "$(grep -o '[0-9]* malformed and [0-9]* oversized' "$CC_WORK/plain.err")" \
	"2 malformed and 1 oversized" "a hostile client's bad messages: counted"
tap_is "$(grep -c 'sandbox connection 1 sent a malformed message: dropped' "$CC_WORK/plain.err")" 1 \
	"and said once on stderr"
tap_is "$(gvisor_events plain hostile)" "1 close - ok" "its valid message after them was read"

run failed -o json -x -e openat,close,connect
tap_ok $? "-x -e openat,close,connect: ran (status 0)"
tap_is "$(gvisor_events failed)" "$(printf '1 close - EBADF\n2 openat /nonexistent-cc ENOENT')" \
	"-x and -e: only the failed openat and close calls of gVisor's view"
# (the stubs' calls are the platform's: usually one per call of the program, at times more)
stubs=$(jq -r --argjson m "$SBMNT" 'select(.via == "syscall" and .mntns == $m and
	.path == "/nonexistent-cc") | "\(.comm) \(.uid) \(.errno)"' "$CC_WORK/failed.out")
tap_is "$(sort -u <<<"$stubs")" "exe 65534 ENOENT" \
	"the host-side view as before: the failed opens as the sandbox's stubs made them"
tap_check "at least the program's 2 of them ($(wc -l <<<"$stubs") seen)" [ "$(wc -l <<<"$stubs")" -ge 2 ]
tap_check "stderr: 3 written, the 15 others filtered" \
	grep -q 'gvisor: 18 events from 1 sandbox connections (3 written, 15 filtered), 0 lost' \
	"$CC_WORK/failed.err"

run table -e openat --path /data
tap_ok $? "a table with -e openat --path /data: ran (status 0)"
tap_is "$(awk '$2 == NAME && $3 == 1 && $6 == "openat" && $7 == "workload" && $8 == NAME &&
	$9 == "runsc" && $10 == 3 && $11 == "/data/file"' NAME="$NAME" "$CC_WORK/table.out" | wc -l)" 3 \
	"its rows: the 3 openat of /data/file, the container's hostname, pid 1, named, their descriptor"
tap_is "$(awk '$7 == "workload" && $8 == NAME' NAME="$NAME" "$CC_WORK/table.out" | wc -l)" 3 \
	"and no other row of the program's (--path drops the missing file's, -e the rest)"
tap_is "$(sed -n 's/^copenclose: \([0-9]* events delivered, [0-9]* lost\)/\1/p' "$CC_WORK/table.err")" \
	"$(($(wc -l <"$CC_WORK/table.out") - 1)) events delivered, 0 lost" \
	"its closing line: every row delivered, gVisor's out of the kernel's accounting (nothing unread)"
