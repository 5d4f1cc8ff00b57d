#!/usr/bin/env bash
# The open family's arguments, exactly: open, openat with a dirfd and O_CREAT's mode, openat2
# with its resolve flags, in symbolic form; creat(2), reported as the open(2) it is (O_WRONLY|
# O_CREAT|O_TRUNC and its mode), in the tracepoint mode (its own tracepoint) and the fentry mode
# (the guests). Where the machine's table has no open(2) and no creat(2) (arm64), the same calls
# are openat(AT_FDCWD, ...), with no dirfd either.
. "$(dirname "$0")/lib.sh"
cc_begin 5

d=$CC_WORK/dir
mkdir -p "$d"
cc_tracer_start j -o json -n ccopenargs
python3 - "$d" <<'PY'
import ctypes, os, struct, sys
d = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(15, b"ccopenargs", 0, 0, 0)  # PR_SET_NAME
dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
fd = os.open("created", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o640, dir_fd=dfd)
os.close(fd)
how = struct.pack("QQQ", os.O_RDONLY, 0, 0x08 | 0x04)  # RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
buf = ctypes.create_string_buffer(how)
fd = libc.syscall(437, dfd, b"created", buf, len(how))  # openat2
os.close(fd)
if os.uname().machine == "aarch64":  # openat(AT_FDCWD, ...): arm64 has no open(2)
    fd = libc.syscall(56, -100, (d + "/created").encode(), os.O_RDWR | os.O_APPEND, 0)
else:
    fd = libc.syscall(2, (d + "/created").encode(), os.O_RDWR | os.O_APPEND, 0)  # open(2)
os.close(fd)
if os.uname().machine == "aarch64":  # what creat(2) is, where the table has none
    fd = libc.syscall(56, -100, (d + "/made").encode(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
else:
    fd = libc.syscall(85, (d + "/made").encode(), 0o600)  # creat(2)
os.close(fd)
os.close(dfd)
PY
sleep 0.3
cc_tracer_stop
sel() { grep "$1" "$CC_WORK/j.out" | grep '"ret":[0-9]' | head -n1; }
e=$(sel '"syscall":"openat","[^}]*"path":"created"')
tap_check "openat with a dirfd: O_WRONLY|O_CREAT|O_CLOEXEC, mode 0640, dirfd set, resolve null" \
	grep -q '"flags":"O_WRONLY|O_CREAT|O_CLOEXEC","addr":null,"mode":"0640","dirfd":[0-9]*,"resolve":null' <<<"$e"
e=$(sel '"syscall":"openat2"')
tap_check "openat2: path, O_RDONLY, dirfd, RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH" \
	grep -q '"path":"created","flags":"O_RDONLY","addr":null,"mode":null,"dirfd":[0-9]*,"resolve":"RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH"' <<<"$e"
open=open
[ "$CC_HAS_OPEN" = 1 ] || open=openat
e=$(sel "\"syscall\":\"$open\",\"[^}]*\"path\":\"$d/created\"")
tap_check "$open (AT_FDCWD): the whole path, O_RDWR|O_APPEND, no dirfd, no mode" \
	grep -q "\"path\":\"$d/created\",\"flags\":\"O_RDWR|O_APPEND\",\"addr\":null,\"mode\":null,\"dirfd\":null" <<<"$e"
e=$(sel "\"syscall\":\"$open\",\"[^}]*\"path\":\"$d/made\"")
tap_check "creat(2) as $open: the whole path, O_WRONLY|O_CREAT|O_TRUNC, mode 0600, no dirfd" \
	grep -q "\"path\":\"$d/made\",\"flags\":\"O_WRONLY|O_CREAT|O_TRUNC\",\"addr\":null,\"mode\":\"0600\",\"dirfd\":null" <<<"$e"
tap_check "every successful open's fd is its return value" \
	[ "$(grep -c '"syscall":"open' "$CC_WORK/j.out")" -eq "$(grep '"syscall":"open' "$CC_WORK/j.out" | grep -cE '"ret":([0-9]+),.*"fd":\1,')" ]
