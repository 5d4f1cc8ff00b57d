#!/usr/bin/env bash
# The descriptor table on runc containers whose descriptors are known by construction: a close
# says what it closed, exit and exec end what a process held, and the leak report (at exit and
# on SIGUSR1, without stopping) lists exactly the descriptors still open, with their paths.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
cc_rootfs
tap_plan 29

# jq over one tracer's JSON lines, the records of one pid only.
of_pid() { jq -c --argjson p "$2" "select(.pid == \$p)" "$CC_WORK/$1.out"; }

# Every descriptor seen made is seen ending or still open: opens and accepts that returned a
# descriptor, against closes that knew what they closed, fd_end records and open_fd records.
balance() {
	of_pid "$1" "$2" | jq -rs '
		([.[] | select(.type == "event" and (.syscall | test("^(open|accept)")) and .ret >= 0)]
		 | length) as $made |
		([.[] | select(.type == "event" and .syscall == "close" and .closed_syscall != null)]
		 | length) as $closed |
		([.[] | select(.type == "fd_end")] | length) as $ended |
		([.[] | select(.type == "open_fd")] | length) as $open |
		"\($made) made, \($closed + $ended + $open) ended or open"'
}

# --- leaks: five files opened, three closed; SIGUSR1 mid-run, then the report at exit ---
name=$(cc_name)
cc_runc_start "$name" keep /data/file 1 keep /etc/passwd 1 keep /etc/group 1 keep /dev/null 1 \
	keep /bin/busybox 1 drop 3 mark /ctl/kept wait-file /ctl/end
cc_tracer_start leaktable -n workload
table_pid=$CC_TRACER_PID
cc_tracer_start leakold -o json -n workload --leaks-older 1
old_pid=$CC_TRACER_PID
cc_tracer_start leaknew -o json -n workload --leaks-older 3600
new_pid=$CC_TRACER_PID
cc_tracer_start leaks -o json -n workload
tap_ok $? "leaks: both tracers attached"
json_pid=$CC_TRACER_PID
cc_container_go "$name"
cc_wait_for 20 test -d "${CC_CTL[$name]}/kept"
sleep 0.3 # the opens and closes through the ring buffer
kill -USR1 "$json_pid"
cc_wait_for 10 sh -c "[ \$(grep -c '\"type\":\"open_fd\"' '$CC_WORK/leaks.out') -ge 2 ]"
sleep 0.2
kill -0 "$json_pid" 2>/dev/null
tap_ok $? "leaks: the tracer goes on after SIGUSR1"
usr1=$(jq -r 'select(.type == "open_fd") | [.fd, .path, .syscall] | @tsv' "$CC_WORK/leaks.out")
tap_is "$usr1" "$(printf '6\t/dev/null\topenat\n7\t/bin/busybox\topenat')" \
	"leaks: SIGUSR1 reports exactly the two descriptors still open, oldest first"
sleep 1.2 # the descriptors are more than 1 s old
CC_TRACER_PID=$json_pid cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "leaks: the JSON tracer ended with status 0"
CC_TRACER_PID=$old_pid cc_tracer_stop INT
CC_TRACER_PID=$new_pid cc_tracer_stop INT
tap_is "$(jq -r 'select(.type == "open_fd") | .path' "$CC_WORK/leakold.out")" \
	"$(printf '/dev/null\n/bin/busybox')" "--leaks-older 1: the two, open for more than 1 s"
tap_is "$(grep -c '"type":"open_fd"' "$CC_WORK/leaknew.out")" 0 \
	"--leaks-older 3600: none is that old"
CC_TRACER_PID=$table_pid cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "leaks: the table tracer ended with status 0"
cpid=${CC_CPID[$name]}
touch "${CC_CTL[$name]}/end"
cc_container_wait "$name"
tap_ok $? "leaks: the workload did what it should"
tap_is "$(jq -r 'select(.type == "open_fd") | [.pid, .fd, .path] | @tsv' "$CC_WORK/leaks.out")" \
	"$(printf '%s\t6\t/dev/null\n%s\t7\t/bin/busybox\n%s\t6\t/dev/null\n%s\t7\t/bin/busybox' \
		"$cpid" "$cpid" "$cpid" "$cpid")" \
	"leaks: at exit the same two again (the workload still holds them), of pid $cpid"
tap_is "$(jq -c 'select(.type == "open_fd") | [.container_id, .container_runtime, .cloexec,
	.comm, (.age_ns > 0), (.opened | test("^[0-9-]+T[0-9:.]+Z$"))]' "$CC_WORK/leaks.out" | sort -u)" \
	"[\"$name\",\"runc\",false,\"workload\",true,true]" \
	"leaks: each names the container, its runtime, the comm, the age and when it was opened"
tap_is "$(of_pid leaks "$cpid" | jq -r 'select(.syscall == "close") |
	[.fd, .ret, .closed_path, .closed_syscall, (.lifetime_ns > 0)] | @tsv')" \
	"$(printf '3\t0\t/data/file\topenat\ttrue\n4\t0\t/etc/passwd\topenat\ttrue\n5\t0\t/etc/group\topenat\ttrue')" \
	"leaks: the three closes say what they closed, and how long it lived"
tap_is "$(balance leaks "$cpid")" "5 made, 7 ended or open" \
	"leaks: 5 made; 3 closed and 2 open, reported twice (SIGUSR1 and exit)"
tap_is "$(awk '/^Descriptors still open/ { print; getline; print $1, $2, $3, $4, $5, $6, $7, $8;
	hdr = 1; next } hdr && NF { print $1, $2, $4, $5, $7, $8 }' "$CC_WORK/leaktable.out")" \
	"$(printf 'Descriptors still open that were opened while tracing: 2\nCONTAINER RUNTIME PID COMM FD AGE SYSCALL PATH/ADDR\n%s runc workload 6 openat /dev/null\n%s runc workload 7 openat /bin/busybox' \
		"$name" "$name")" \
	"leaks: the table's report after a blank line: a title with the count, the columns, two rows"
tap_is "$(grep -B1 '^Descriptors still open' "$CC_WORK/leaktable.out" | head -n1)" "" \
	"leaks: a blank line before the table's report"

# --- every close of a traced open says what it closed; -e close alone still knows ---
name=$(cc_name) port=$(cc_port)
# shellcheck disable=SC2046
cc_runc_start "$name" $(cc_std_steps "$port")
cc_tracer_start closeonly -o json -n workload -e close
close_pid=$CC_TRACER_PID
cc_tracer_start std -o json -n workload
cc_run_traced "$name"
tap_ok $? "closes: the standard workload ran under the tracer"
CC_TRACER_PID=$close_pid cc_tracer_stop INT
cpid=${CC_CPID[$name]}
got=$(of_pid std "$cpid" | jq -r 'select(.syscall == "close" and .closed_path != null) | .closed_syscall' |
	sort | uniq -c | awk '{ $1 = $1; print }')
tap_is "$got" "$(printf '2 open\n5 openat\n2 openat2')" \
	"closes: the 9 closes of opened files name the call that made them (open, openat, openat2)"
tap_is "$(of_pid std "$cpid" | jq -r 'select(.syscall == "close" and .closed_path != null) |
	.closed_path' | sort -u)" "/data/file" "closes: and their path"
tap_is "$(of_pid std "$cpid" | jq -r 'select(.syscall == "close" and .closed_addr != null) |
	[.closed_syscall, (.closed_addr | test("^(127\\.0\\.0\\.1:[0-9]+|unix:.*)$"))] | @tsv' | sort | uniq -c |
	awk '{ $1 = $1; print }')" "$(printf '2 accept true\n1 accept4 true')" \
	"closes: the 3 closes of accepted sockets name accept or accept4 and the peer"
tap_is "$(of_pid std "$cpid" | jq -r 'select(.syscall == "close" and .closed_syscall == null) |
	(if .ret == 0 then "ok" else .errno end)' | sort | uniq -c | awk '{ $1 = $1; print }')" \
	"$(printf '4 EBADF\n6 ok')" \
	"closes: unknown only for sockets made by socket() (6) and the bad closes (4)"
tap_is "$(of_pid std "$cpid" | jq -r 'select(.syscall != "close" and .type == "event") |
	[has("closed_path"), has("closed_addr"), has("closed_syscall"), has("lifetime_ns"),
	.closed_path, .closed_addr, .closed_syscall, .lifetime_ns] | map(tostring) | join(",")' |
	sort -u)" "true,true,true,true,null,null,null,null" \
	"closes: the other events have the four keys, all null"
tap_is "$(balance std "$cpid")" "12 made, 12 ended or open" \
	"closes: every descriptor made (9 files, 3 accepted sockets) is seen ending"
tap_is "$(of_pid closeonly "$cpid" | jq -r '.syscall' | sort | uniq -c | awk '{ $1 = $1; print }')" \
	"22 close" "-e close: only the 22 closes are written"
tap_is "$(of_pid closeonly "$cpid" | jq -r 'select(.closed_syscall != null) | .closed_syscall' |
	sort | uniq -c | awk '{ $1 = $1; print }')" "$(printf '2 accept\n1 accept4\n2 open\n5 openat\n2 openat2')" \
	"-e close: they still say what they closed (the opens attach only to feed the table)"
cc_closing_line closeonly | grep -Eq '^copenclose: [0-9]+ events delivered, 0 lost$'
tap_ok $? "-e close: the opens read only for the table are not unread: $(cc_closing_line closeonly)"

# --- exit and exec end descriptors ---
name=$(cc_name)
cc_runc_start "$name" keep /data/file 2 keepcx /etc/passwd 1 exec /bin/workload keepcx /etc/group 1 sleep 100
cc_tracer_start ends -o json -n workload
ends_pid=$CC_TRACER_PID
cc_tracer_start endstable -n workload
cc_run_traced "$name"
tap_ok $? "ends: the workload ran, exec'd and exited under the tracer"
table_rc=$CC_TRACER_RC
CC_TRACER_PID=$ends_pid cc_tracer_stop INT
cpid=${CC_CPID[$name]}
tap_is "$(of_pid ends "$cpid" | jq -r 'select(.type == "fd_end") |
	[.reason, .fd, .closed_path, .closed_syscall, (.lifetime_ns > 0), .comm, .container_id] | @tsv')" \
	"$(printf 'exec\t5\t/etc/passwd\topenat\ttrue\tworkload\t%s\nexit\t3\t/data/file\topenat\ttrue\tworkload\t%s\nexit\t4\t/data/file\topenat\ttrue\tworkload\t%s\nexit\t5\t/etc/group\topenat\ttrue\tworkload\t%s' \
		"$name" "$name" "$name" "$name")" \
	"ends: exec ends the O_CLOEXEC one, exit the three left, in order, each with its path"
tap_is "$(balance ends "$cpid")" "4 made, 4 ended or open" \
	"ends: no descriptor of the process is left open at exit"
tap_is "$(awk -v p="$cpid" '$3 == p && ($6 == "exit" || $6 == "exec") { print $6, $10, $NF }' \
	"$CC_WORK/endstable.out")" \
	"$(printf 'exec - (/etc/passwd)\nexit - (/data/file)\nexit - (/data/file)\nexit - (/etc/group)')" \
	"ends: the table has a line per ended descriptor (SYSCALL exit or exec, fd N (PATH))"
tap_is "$table_rc $CC_TRACER_RC" "0 0" "ends: the tracers ended with status 0"
