#!/usr/bin/env bash
# Arguments at their edges: an IPv6 accept into a 4-byte buffer shows the real peer, never the
# memory after the buffer; openat2 with an unreadable struct open_how says so instead of flags 0;
# 32-bit arguments with garbage in the register's upper half are read at their width.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
tap_plan 8
edge=$CC_ROOT/build/helpers/edgecalls
[ -x "$edge" ] || tap_bail "$edge is missing: run make helpers"
comm=ccedge$$
comm=${comm:0:15}
bin=$CC_WORK/$comm
cp "$edge" "$bin"
port=$(cc_port)

cc_tracer_start j -o json -n "$comm" || tap_bail "the tracer did not start"
"$bin" accept6-small "$port"
tap_ok $? "accept6-small: a 4-byte accept4 buffer on [::1]:$port"
"$bin" openat2-badhow "$CC_WORK/file"
tap_ok $? "openat2-badhow: openat2 with a bad struct open_how pointer failed with EFAULT"
"$bin" openat-wide "$CC_WORK/created"
tap_ok $? "openat-wide: openat and close with garbage above their 32-bit arguments"
sleep 0.3
cc_tracer_stop INT
j=$CC_WORK/j.out

tap_is "$(jq -r 'select(.syscall == "accept4") | "\(.addr) \(.flags)"' "$j")" \
	"[::1]:$((port + 1)) SOCK_CLOEXEC" \
	"accept4: the peer read from the socket, [::1]:$((port + 1)), and flags SOCK_CLOEXEC only"
tap_is "$(jq -c 'select(.syscall == "openat2") | [.errno, .path, .flags, .mode, .resolve]' "$j")" \
	"[\"EFAULT\",\"$CC_WORK/file\",null,null,null]" \
	"openat2 with an unreadable how: flags, mode and resolve null (unknown), not O_RDONLY"
tap_is "$(jq -c 'select(.syscall == "openat") | [.path, .flags, .mode, .dirfd]' "$j")" \
	"[\"$CC_WORK/created\",\"O_WRONLY|O_CREAT|O_CLOEXEC\",\"0640\",null]" \
	"openat: flags and mode at their width, AT_FDCWD seen as no dirfd"
fd=$(jq -r 'select(.syscall == "openat") | .fd' "$j")
tap_is "$(jq -sc 'map(select(.syscall == "close")) | last | [.fd, .ret]' "$j")" "[$fd,0]" \
	"close: the last close is of the fd the openat returned ($fd), read at its width"
tap_is "$(jq -r 'select(.syscall == "accept4") | .fd' "$j")" \
	"$(jq -sr 'map(select(.syscall == "close")) | .[1].fd' "$j")" \
	"accept4: its fd is the one closed second (client, accepted, listener)"
