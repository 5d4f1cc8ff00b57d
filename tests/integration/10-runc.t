#!/usr/bin/env bash
# A runc container (hybrid host, cgroup /NAME) does a known workload: the table, the -C table and
# JSON lines show exactly its events, keyed by hostname and by cgroup v2 id; the tracer never
# reports itself.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 30 rootfs
want=$(cc_std_expected)
total=$(echo "$want" | awk '{ n += $3 } END { print n }')

# One container per run, so each run sees the whole workload from its start file on.
# run_case TAG TRACER-ARGS...: sets name, port. $linger: more steps after the workload.
run_case() {
	local tag=$1
	shift
	name=$(cc_name) port=$(cc_port)
	# shellcheck disable=SC2046,SC2086
	cc_runc_start "$name" $(cc_std_steps "$port") ${linger:-} || return 1
	cc_tracer_start "$tag" "$@" || return 1
	cc_run_traced "$name" || return 1
	[ "$CC_TRACER_RC" -eq 0 ] || { tap_diag "$tag: tracer exited $CC_TRACER_RC"; return 1; }
}

# --- the default table: HOSTNAME column ---
run_case table
tap_ok $? "table: container ran under the tracer, which ended with status 0 on SIGINT"
table_pid=$CC_TRACER_PID
tap_is "$(cc_table_summary "$CC_WORK/table.out" HOSTNAME "$name")" "$want" \
	"table: exactly the workload's events under HOSTNAME $name"
tap_is "$(awk -v n="$name" '$2 == n' "$CC_WORK/table.out" | wc -l)" "$total" \
	"table: $total rows with this hostname, all of them the workload's"
tap_is "$(head -n1 "$CC_WORK/table.out" | awk '{ print $1, $2, $3, $4, $5, $6, $7 }')" \
	"TIME HOSTNAME PID UID GID SYSCALL COMM" "table: the original's columns, in order"
tap_is "$(awk -v n="$name" '$2 == n { print $3 }' "$CC_WORK/table.out" | sort -u)" \
	"${CC_CPID[$name]}" "table: PID is the workload's pid as the host sees it"
tap_is "$(awk -v p="$table_pid" '$3 == p' "$CC_WORK/table.out" 2>&1 | wc -l)" 0 \
	"table: no event from the tracer itself (pid $table_pid), though it traces everything"
cc_closing_ok table
tap_ok $? "table: closing line on stderr: $(cc_closing_line table)"
oracle=$(cc_strace_oracle "$(cc_port)")
tap_is "$(cc_table_summary "$CC_WORK/table.out" HOSTNAME "$name")" "$oracle" \
	"table: the same counts as strace -f over the same workload on the host"

# --- -C: CGROUPID column is the inode of the container's v2 directory ---
run_case cgv2 -C
tap_ok $? "-C: container ran under the tracer, which ended with status 0"
cgid=${CC_CGID[$name]}
tap_is "$(head -n1 "$CC_WORK/cgv2.out" | awk '{ print $1, $2, $3 }')" "TIME CGROUPID PID" \
	"-C: CGROUPID in place of HOSTNAME"
tap_is "$(cc_table_summary "$CC_WORK/cgv2.out" CGROUPID "$cgid")" "$want" \
	"-C: exactly the workload's events under CGROUPID $cgid (inode of $CC_V2/$name)"
tap_is "$(awk -v c="$cgid" '$2 == c' "$CC_WORK/cgv2.out" | wc -l)" "$total" \
	"-C: $total rows with this cgroup id, all of them the workload's"

# --- JSON lines, the workload's comm only (the container lingers 1.5 s: its cgroup still exists when the tracer reads) ---
linger="sleep 1500" run_case json -o json -n workload
tap_ok $? "json: container ran under the tracer, which ended with status 0"
cgid=${CC_CGID[$name]}
jq -e . "$CC_WORK/json.out" >/dev/null 2>&1
tap_ok $? "json: every line is valid JSON"
tap_is "$(cc_json_missing_keys "$CC_WORK/json.out")" "" \
	"json: every line has every key of the contract"
# -n workload keeps the file small on a busy host; the rest looks at this container only.
j=$CC_WORK/json.mine
jq -c "select(.hostname == \"$name\" or .cgroup_id == $cgid)" "$CC_WORK/json.out" >"$j"
tap_is "$(cc_json_summary "$j" ".hostname == \"$name\"")" "$want" \
	"json: exactly the workload's events by hostname"
tap_is "$(cc_json_summary "$j" ".cgroup_id == $cgid")" "$want" \
	"json: exactly the workload's events by cgroup_id $cgid"
sel="select(.hostname == \"$name\")"
tap_is "$(jq -c "$sel | [.cgroup_id, .cgroup, .container_runtime, .container_id, .host, .comm]" \
	"$j" | sort -u)" "[$cgid,\"/$name\",\"runc\",\"$name\",false,\"workload\"]" \
	"json: cgroup_id, cgroup, runtime, id, host and comm of every event"
hostpidns=$(stat -L -c %i /proc/self/ns/pid)
tap_is "$(jq -r "$sel | (.pidns != $hostpidns and .pid == ${CC_CPID[$name]} and
	.tid == .pid)" "$j" | sort -u)" true \
	"json: pid is the host's view (${CC_CPID[$name]}), pidns is not the host's ($hostpidns)"
tap_is "$(jq -r "$sel | select(.errno == \"ENOENT\") | [.syscall, .ret, .path, .fd] | @tsv" \
	"$j" | sort -u)" "$(printf 'openat\t-2\t/nonexistent-cc\t')" \
	"json: the failed opens: ret -2, errno ENOENT, the path, no fd"
tap_is "$(jq -r "$sel | select(.errno == \"EBADF\") | [.syscall, .ret] | @tsv" "$j" |
	sort | uniq -c | awk '{ print $1, $2, $3 }')" "4 close -9" \
	"json: the bad closes: ret -9, errno EBADF"
tap_is "$(jq -r "$sel | select(.ret >= 0) | .errno" "$j" | sort -u)" "null" \
	"json: errno is null on every success"
tap_is "$(jq -r "$sel | select(.syscall == \"connect\") | .addr" "$j" | sort)" \
	"$(printf '127.0.0.1:%s\n127.0.0.1:%s\nunix:/ctl/cc.sock' "$port" $((port + 1)))" \
	"json: connect addresses: both loopback ports and the unix socket"
tap_is "$(jq -r "$sel | select(.syscall | test(\"^open\")) | select(.ret >= 0) |
	[.syscall, .path, .fd == .ret] | @tsv" "$j" | sort | uniq -c | awk '{ $1 = $1; print }')" \
	"$({ [ "$CC_HAS_OPEN" = 0 ] || echo '2 open /data/file true'
		printf '5 openat /data/file true\n2 openat2 /data/file true\n'; })" \
	"json: successful opens: path and fd == ret"

# --- a short-lived container: it exits (its cgroup removed) before the tracer reads its events;
# the container existed, running, before the tracer started, so nothing excuses not knowing it.
run_case shortlived -o json -n workload
sel="select(.hostname == \"$name\")"
tap_is "$(jq -c "$sel | [.cgroup_id, .cgroup, .container_runtime, .container_id]" \
	"$CC_WORK/shortlived.out" | sort -u)" "[${CC_CGID[$name]},\"/$name\",\"runc\",\"$name\"]" \
	"json: a container that exits right after its workload is still named in its events"
tap_is "$(cc_json_summary "$CC_WORK/shortlived.out" ".hostname == \"$name\"")" "$want" \
	"json: and its events are all there"

# --- -p of the tracer's own pid yields nothing, while it resolves a container ---
name=$(cc_name) port=$(cc_port)
# shellcheck disable=SC2046
cc_runc_start "$name" $(cc_std_steps "$port")
"$CC_BIN" -o json -p "\$\$" >/dev/null 2>&1
selfp=$?
# shellcheck disable=SC2016
: >"$CC_WORK/self.err"
sh -c 'exec "$1" -o json -p $$' sh "$CC_BIN" >"$CC_WORK/self.out" 2>>"$CC_WORK/self.err" &
CC_TRACER_PID=$!
CC_TRACERS+=("$CC_TRACER_PID")
cc_wait_for 20 cc_tracer_attached self "$CC_TRACER_PID"
cc_run_traced "$name"
grep -q '^Tracing' "$CC_WORK/self.err" && [ "$CC_TRACER_RC" -eq 0 ]
tap_ok $? "-p SELF: the tracer attached, and ended with status $CC_TRACER_RC (want 0)"
tap_is "$(wc -l <"$CC_WORK/self.out")" 0 "-p SELF: the tracer's own calls are never reported"
tap_is "$selfp" 2 "-p with a non-numeric pid is a usage error (status 2)"

# --- the workload's exit status under every run ---
tap_is "$(runc list -q | grep -c "^cct-$$-")" 0 "no container of this test is left behind"
