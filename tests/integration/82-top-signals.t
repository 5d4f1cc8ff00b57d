#!/usr/bin/env bash
# top and signals: SIGUSR1 (the tracer's leak report, which top does not make) neither ends top
# nor leaves the terminal raw; Ctrl-C (SIGINT) ends top even while its write to a pipe nobody
# reads is blocked, and what it wrote is whole JSON lines.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 9 tmux

# --- a terminal (tmux): SIGUSR1, then SIGINT; the terminal's settings read after top ended ---
sess=cc82-$$
tmux_stop() { tmux -L "$sess" kill-server 2>/dev/null; }
cc_defer tmux_stop
w=$CC_WORK
tmux -L "$sess" new-session -d -s "$sess" -x 200 -y 40 \
	"sh -c 'echo \$\$ >$w/top.pid; exec \"\$0\" top --interval 0.5' $CC_BIN; echo rc=\$? >$w/rc.tmp;
	 stty -a >$w/stty; mv $w/rc.tmp $w/rc; sleep 30"
pane() { tmux -L "$sess" capture-pane -p -t "$sess"; }
cc_wait_for 20 sh -c "tmux -L $sess capture-pane -p -t $sess | grep -q '^CONTAINER '"
pid=$(cat "$w/top.pid" 2>/dev/null)
tap_check "tmux: top shows its table (pid $pid)" sh -c "tmux -L $sess capture-pane -p -t $sess | grep -q '^CONTAINER '"
kill -USR1 "$pid"
sleep 1.2 # two intervals
tap_check "tmux: SIGUSR1 does not end top" kill -0 "$pid"
kill -INT "$pid"
cc_wait_for 10 test -s "$w/rc"
tap_is "$(cat "$w/rc" 2>/dev/null)" "rc=0" "tmux: SIGINT after SIGUSR1 ends top with status 0"
tap_check "tmux: the terminal is back in canonical mode with echo: $(grep -o -- '-\?icanon\|-\?echo ' "$w/stty" | tr '\n' ' ')" \
	sh -c "grep -q -- ' icanon ' '$w/stty' && grep -Eq -- '(^| )echo ' '$w/stty'"
tmux_stop

# --- -o json into a pipe that is full and nobody reads: SIGINT still ends it, lines whole ---
# The pipe is one page (F_SETPIPE_SZ): full once top wrote into it; its holder reads it after
# top ended.
mkfifo "$w/fifo"
python3 - "$w/fifo" <<'PY' &
import fcntl, os, sys, termios, time
path = sys.argv[1]
fd = os.open(path, os.O_RDWR)
fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
open(path + ".ready", "w").close()
full = False
while not os.path.exists(path + ".read"):
    if not full and int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4), "little") > 0:
        open(path + ".full", "w").close()
        full = True
    time.sleep(0.05)
os.set_blocking(fd, False)
out = b""
while True:
    try:
        b = os.read(fd, 65536)
    except BlockingIOError:
        break
    if not b:
        break
    out += b
open(path + ".out", "wb").write(out)
PY
holder=$!
cc_defer "kill $holder 2>/dev/null"
cc_wait_for 10 test -e "$w/fifo.ready"
"$CC_WORKLOAD" paced /etc/hostname 400 20 >/dev/null 2>&1 & # a host row in every interval
hostload=$!
cc_defer "kill $hostload 2>/dev/null"
cc_tracer_spawn json sh -c 'exec "$0" top -o json --interval 0.1 >"$1"' "$CC_BIN" "$w/fifo"
cc_wait_for 20 test -e "$w/fifo.full"
tap_check "json: top wrote into the pipe" test -e "$w/fifo.full"
sleep 1 # blocked in a write now
cc_tracer_stop INT 10
tap_is "$CC_TRACER_RC" 0 "json, pipe full: SIGINT ends top with status 0 (it took $CC_TRACER_SECS s)"
tap_check "json, pipe full: it ended within 5 s" \
	awk -v s="$CC_TRACER_SECS" 'BEGIN { exit !(s <= 5) }'
tap_check "json, pipe full: the closing line ($(tail -n1 "$w/json.err"))" \
	grep -Eq '^copenclose: [0-9]+ calls counted, [0-9]+ records lost' "$w/json.err"
touch "$w/fifo.read"
wait "$holder"
tap_is "$(python3 - "$w/fifo.out" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
bad = 0 if lines.pop() == b"" else 1
for line in lines:
    try:
        bad += "container_id" not in json.loads(line)
    except ValueError:
        bad += 1
print(len(lines) > 0, bad)
PY
)" "True 0" "json, pipe full: the pipe holds whole JSON rows only"
kill "$hostload" 2>/dev/null
