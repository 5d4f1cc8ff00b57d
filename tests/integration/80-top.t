#!/usr/bin/env bash
# copenclose top on real runc containers: two containers at different rates give their exact
# counts in `top -o json` (summed over the intervals) and in top's /metrics; descriptors open come
# from the descriptor table (one container holds 2 of 5, one closes all it opens, and a process
# that exits holding descriptors drops them); without a terminal the table is plain lines; in a
# terminal (tmux) it shows the rows, s changes the sort, q quits.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
command -v tmux >/dev/null || tap_bail "tmux is not installed (scripts/deps.sh test)"
tap_plan 34

# sum_json NAME KEY: KEY summed over every interval's object of container NAME.
sum_json() {
	jq -s --arg n "$1" --arg k "$2" \
		'map(select(.container_name == $n) | .[$k]) | add // 0' "$CC_WORK/top.out"
}

a=$(cc_name) b=$(cc_name) port=$(cc_port) mport=$(cc_port)
cc_runc_start "$a" paced /data/file 30 20
tap_ok $? "container A ($a) ready: 30 opens at 20 per second"
cc_runc_start "$b" paced /data/file 90 60 missing /nonexistent-cc 4 tcppair "$port"
tap_ok $? "container B ($b) ready: 90 opens at 60 per second, 4 failed opens, a TCP pair"
d=$(cc_name) e=$(cc_name)
cc_runc_start "$d" keep /data/file 5 drop 3 mark /ctl/kept wait-file /ctl/end
tap_ok $? "container D ($d) ready: opens 5 files, closes 3, holds 2 until told, exits holding them"
cc_runc_start "$e" open /data/file 20 mark /ctl/done wait-file /ctl/end
tap_ok $? "container E ($e) ready: 20 opens, each closed, then waits"
cc_tracer_start topc top -c "$b" -o json --interval 0.5
tap_ok $? "top -c B -o json started"
topc_pid=$CC_TRACER_PID
cc_tracer_start top top -I -o json --interval 0.5 --metrics "127.0.0.1:$mport"
tap_ok $? "top -o json started"
cc_container_go "$a"
cc_container_go "$b"
cc_container_go "$d"
cc_container_go "$e"
cc_container_wait "$a"
tap_ok $? "A's workload succeeded"
cc_container_wait "$b"
tap_ok $? "B's workload succeeded"
cc_wait_for 20 test -d "${CC_CTL[$d]}/kept"
cc_wait_for 20 test -d "${CC_CTL[$e]}/done"
sleep 1.2 # one more interval: the last counts reach the rows
metrics=$(curl -sf "http://127.0.0.1:$mport/metrics")
tap_ok $? "top serves /metrics on 127.0.0.1:$mport"
held=$(wc -l <"$CC_WORK/top.out") # whole objects so far: D still holds its 2 descriptors
touch "${CC_CTL[$d]}/end"
cc_container_wait "$d"
tap_ok $? "D's workload succeeded and exited holding 2 descriptors"
touch "${CC_CTL[$e]}/end"
cc_container_wait "$e"
sleep 1.2 # the exit's record reaches the table, an interval shows it
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "top ended with status 0 on SIGINT"
kill -INT "$topc_pid"
wait "$topc_pid"
tap_is "$?" 0 "top -c ended with status 0 on SIGINT"
tap_is "$(jq -rs 'map(.container_name) | unique | join(" ")' "$CC_WORK/topc.out") $(jq -s \
	'map(.opens) | add' "$CC_WORK/topc.out")" "$b 90" "top -c B: rows of B only, its 90 opens"

tap_is "$(sum_json "$a" opens) $(sum_json "$a" failed_opens) $(sum_json "$a" closes)" \
	"30 0 30" "A: 30 opens, 0 failed, 30 closes over all intervals"
tap_is "$(sum_json "$a" connects) $(sum_json "$a" accepts) $(sum_json "$a" events)" "0 0 60" \
	"A: no connect, no accept, 60 calls"
tap_is "$(sum_json "$b" opens) $(sum_json "$b" failed_opens) $(sum_json "$b" closes)" \
	"90 4 93" "B: 90 opens, 4 failed, 93 closes (3 of the TCP pair)"
tap_is "$(sum_json "$b" connects) $(sum_json "$b" accepts) $(sum_json "$b" events)" "1 1 189" \
	"B: one connect, one accept, 189 calls"
tap_is "$(jq -rs --arg n "$b" 'map(select(.container_name == $n)) | last |
	"\(.top_paths[0].path) \(.top_paths[0].opens) \(.top_paths | length)"' "$CC_WORK/top.out")" \
	"/data/file 90 1" "B: the most opened path is /data/file, 90 times, and the only one"
tap_is "$(jq -rs --arg n "$a" 'map(select(.container_name == $n)) |
	"\(length > 1) \(all(.host == false and .container_runtime == "runc" and
	.container_id == $n and (.interval_s > 0)))"' "$CC_WORK/top.out")" "true true" \
	"A: one object per interval, runtime runc, id $a"
tap_is "$(jq -rs 'map(select(.host) | .container_name, .container_id, .container_runtime) |
	unique | map(tostring) | join(" ")' "$CC_WORK/top.out")" "$(jq -rs 'if any(.host) then "null"
	else "" end' "$CC_WORK/top.out")" "a host row, if any, names no container"
tap_is "$(jq -rs --arg n "$b" 'map(select(.container_name == $n and (.gone | not)) |
	(.psi_cpu | type) + "," + (.psi_memory | type) + "," + (.psi_io | type)) | unique | join(" ")' \
	"$CC_WORK/top.out")" "number,number,number" \
	"B: the three PSI values read from its cgroup v2 directory while it runs"

# last_fds LINES NAME: the fds of container NAME's last object in the first LINES lines.
last_fds() {
	head -n "$1" "$CC_WORK/top.out" | jq -rs --arg n "$2" \
		'map(select(.container_name == $n)) | last | .fds'
}
tap_is "$(last_fds "$held" "$d")" 2 "D: fds 2 while it holds 2 of the 5 it opened"
tap_is "$(last_fds "$held" "$e")" 0 "E: fds 0 after 20 opens each closed"
tap_is "$(last_fds "$(wc -l <"$CC_WORK/top.out")" "$d")" 0 \
	"D: fds 0 once its process exited holding 2 (its exit ended them; opens - closes is 2)"

fds_gauge() { # fds_gauge NAME: copenclose_descriptors_open of container NAME in the scrape above
	echo "$metrics" | awk -v s="copenclose_descriptors_open{container=\"$1\",container_id=\"$1\",runtime=\"runc\",k8s_namespace=\"\",k8s_pod=\"\"}" \
		'index($0, s) == 1 { print $2 }'
}
tap_is "$(fds_gauge "$d") $(fds_gauge "$e")" "2 0" \
	"/metrics of top: copenclose_descriptors_open from the table, 2 for D, 0 for E"

series() { # series NAME SYSCALL RESULT: the value in the scrape above
	echo "$metrics" | awk -v s="copenclose_events_total{container=\"$1\",container_id=\"$1\",runtime=\"runc\",k8s_namespace=\"\",k8s_pod=\"\",syscall=\"$2\",result=\"$3\"}" \
		'index($0, s) == 1 { print $2 }'
}
tap_is "$(series "$a" openat ok) $(series "$a" close ok)" "30 30" "/metrics of top: A's counts"
tap_is "$(series "$b" openat ok) $(series "$b" openat ENOENT) $(series "$b" close ok) $(series "$b" accept ok)" \
	"90 4 93 1" "/metrics of top: B's counts by system call and result"

# --- no terminal: plain lines, no escape codes ---
# The host opens a file every 50 ms meanwhile, so that it has a row in every interval even on a
# machine that does nothing else.
"$CC_WORKLOAD" paced /etc/hostname 200 20 >/dev/null 2>&1 &
hostload=$!
"$CC_BIN" top -d 1.2 --interval 0.5 >"$CC_WORK/plain.out" 2>"$CC_WORK/plain.err" </dev/null
tap_ok $? "top without a terminal ended by itself after -d"
kill "$hostload" 2>/dev/null
wait "$hostload" 2>/dev/null
tap_is "$(grep -c '^(host) ' "$CC_WORK/plain.out")" 3 "without -I: the host's row in every table"
tap_is "$(grep -c $'\x1b' "$CC_WORK/plain.out") $(grep -c '^CONTAINER ' "$CC_WORK/plain.out")" \
	"0 3" "plain lines: no escape code, one table per interval (2 full and the last)"

# --- a terminal: tmux runs top; its rows show, s changes the sort, q quits ---
c=$(cc_name)
cc_runc_start "$c" paced /data/file 400 20 || tap_diag "container C did not start"
sess="cct-$$"
tmux_stop() { tmux -L "$sess" kill-server 2>/dev/null; }
cc_defer tmux_stop
tmux -L "$sess" new-session -d -s "$sess" -x 220 -y 40 \
	"$CC_BIN top -I; echo \"rc=\$?\" >$CC_WORK/tmux.rc; sleep 30"
cc_container_go "$c"
pane() { tmux -L "$sess" capture-pane -p -t "$sess"; }
shows() { pane | grep -q "$1"; }
cc_wait_for 20 shows "^$c "
tap_ok $? "tmux: top shows a row for container C ($c)"
tmux -L "$sess" send-keys -t "$sess" s
cc_wait_for 10 shows "sort: failed"
tap_ok $? "tmux: s sorts by the next column (failed)"
tmux -L "$sess" send-keys -t "$sess" q
cc_wait_for 10 test -s "$CC_WORK/tmux.rc"
tap_is "$(cat "$CC_WORK/tmux.rc" 2>/dev/null)" "rc=0" "tmux: q quits top with status 0"
tap_is "$(pane | grep -c '^CONTAINER ') $(pane | grep -Ec '^copenclose: [0-9]+ calls counted')" "0 1" \
	"tmux: the terminal is back (no table left on it), the closing line visible"
tmux_stop
