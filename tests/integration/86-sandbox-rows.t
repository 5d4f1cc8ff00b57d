#!/usr/bin/env bash
# A gVisor sandbox's rows are its container's: runsc's sandbox and its stubs stay in the host's
# v2 cgroup and pid namespace on a hybrid host (named through their mount namespace, with a user
# namespace of their own). The exit leak report names what they hold open as their events are
# named (runsc, the container's id, "sandbox": "gvisor"), not as the root cgroup's; a host
# process's descriptor, and a host tool's in a user namespace of its own (unshare -U -r, which no
# sandbox owns), stay the host's. --rate-limit gives the sandbox a bucket of its own, keyed by its
# mount namespace (not the host's): its throttled records say that namespace, not the host, and
# name the container. `top` and /metrics count a sandbox's calls in its container's row (runsc,
# its id), not the host's: exactly the calls a streaming tracer saw of the sandbox's processes
# (its sandbox, stubs and gofer, by their mount namespaces) over the container's life.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_begin 19 rootfs runsc
rroot=$CC_WORK/runsc
mkdir -m 700 "$rroot"
comm=ccsbrows$$
comm=${comm:0:15}
cp "$CC_WORKLOAD" "$CC_WORK/$comm"
name=$(cc_name)

cc_runsc_kill() { runsc --root "$rroot" delete --force "$1" >/dev/null 2>&1; }

# the container keeps /data/file open twice, tells it did, and waits to be let go
ctl=$(cc_ctl_dir "$name")
bundle=$(cc_runc_bundle --cgroup "/$name" "$name" "$ctl" keep /data/file 2 mark /ctl/kept \
	wait-file /ctl/end) || tap_bail "no bundle for $name"
CC_KIND[$name]=runsc CC_CTL[$name]=$ctl
runsc --root "$rroot" --network=none --platform=ptrace run --bundle "$bundle" "$name" \
	</dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
CC_PID[$name]=$!
cc_container_ready "$name" || tap_bail "runsc container $name did not start"
gofer=$(jq -r .goferPid "$rroot/${name}_sandbox:$name.state")

cc_tracer_start leaks -o json -e openat,close --state-dir "runsc=$rroot"
tap_ok $? "the tracer attached"
cc_container_go "$name"
cc_wait_for 60 test -d "$ctl/kept"
tap_ok $? "the sandboxed workload opened /data/file twice and keeps it open"
# a host process and a host tool in a user namespace of its own keep /etc/hostname open
"$CC_WORK/$comm" keep /etc/hostname 1 wait-file "$ctl/end" &
host=$!
unshare -U -r "$CC_WORK/$comm" keep /etc/hostname 1 wait-file "$ctl/end" &
userns=$!
cc_wait_for 10 sh -c "[ \$(grep -c '\"comm\":\"$comm\"' '$CC_WORK/leaks.out') -ge 2 ]"
sleep 0.3
cc_tracer_stop INT
touch "$ctl/end"
wait "$host" "$userns"

# the open_fd records of the report: "PATH RUNTIME ID SANDBOX HOST" of those not the gofer's
leaks() {
	jq -r --argjson g "$gofer" --arg c "$comm" 'select(.type == "open_fd" and .pid != $g and
		(.path == "/data/file" or .comm == $c)) |
		"\(.path) \(.container_runtime) \(.container_id) \(.sandbox) \(.cgroup)"' \
		"$CC_WORK/leaks.out" | sort | uniq -c | awk '{$1 = $1; print}'
}
tap_is "$CC_TRACER_RC" 0 "the tracer ended with status 0"
tap_is "$(leaks)" "$(printf '2 /data/file runsc %s gvisor /\n2 /etc/hostname null null null /' \
	"$name")" \
	"the report: the sandbox's 2 descriptors of /data/file its container's (runsc, $name, gvisor, in the root cgroup); the host's and the user-namespace tool's the host's"
tap_is "$(jq -r --arg c "$comm" 'select(.type == "open_fd" and .comm == $c) | .pid' \
	"$CC_WORK/leaks.out" | sort -n | tr '\n' ' ')" "$(printf '%s\n' "$host" "$userns" |
	sort -n | tr '\n' ' ')" "the host's two are the host process's and the user-namespace tool's"
cc_container_wait "$name" 60 >/dev/null

# --rate-limit 5: a sandboxed workload opens /data/file 30 times at once
name=$(cc_name)
ctl=$(cc_ctl_dir "$name")
bundle=$(cc_runc_bundle --cgroup "/$name" "$name" "$ctl" open /data/file 30) ||
	tap_bail "no bundle for $name"
CC_KIND[$name]=runsc CC_CTL[$name]=$ctl
runsc --root "$rroot" --network=none --platform=ptrace run --bundle "$bundle" "$name" \
	</dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
CC_PID[$name]=$!
cc_container_ready "$name" || tap_bail "runsc container $name did not start"
sb=$(jq -r .sandbox.pid "$rroot/${name}_sandbox:$name.state")
sbmnt=$(stat -L -c %i "/proc/$sb/ns/mnt")
cc_tracer_start limit -o json -e openat,close --rate-limit 5 --state-dir "runsc=$rroot"
tap_ok $? "--rate-limit 5: the tracer attached"
cc_container_go "$name"
cc_container_wait "$name" 60
tap_ok $? "--rate-limit 5: the sandboxed workload opened /data/file 30 times"
sleep 2.2 # the last throttled records
cc_tracer_stop INT
j=$CC_WORK/limit.out
tap_is "$(jq -r --argjson m "$sbmnt" 'select(.type == "throttled" and .mntns == $m) |
	"\(.host) \(.pidns) \(.container_runtime) \(.container_id) \(.cgroup)"' "$j" | sort -u)" \
	"false null runsc $name /" \
	"--rate-limit: the sandbox's throttled records: its mount namespace's bucket, not the host's, named runsc $name"
delivered=$(jq -r --argjson m "$sbmnt" 'select(.type == "event" and .mntns == $m and
	.syscall == "openat" and .path == "/data/file") | .pid' "$j" | wc -l)
throttled=$(jq -r --argjson m "$sbmnt" 'select(.type == "throttled" and .mntns == $m) |
	.counts.openat // 0' "$j" | awk '{ n += $1 } END { print n + 0 }')
tap_diag "the sandbox's opens of /data/file delivered: $delivered; its openat throttled: $throttled"
tap_check "--rate-limit: some of the 30 opens delivered ($delivered)" [ "$delivered" -ge 1 ]
tap_check "--rate-limit: the 30 - $delivered others throttled in its bucket ($throttled)" \
	[ "$throttled" -ge $((30 - delivered)) ]

# --- top and /metrics: a sandbox's rows its container's ---
# (runsc's own root, where top, which has no --state-dir, finds its state; the sandbox waits for
# its start, calling nothing traced, while the tracers attach)
name=$(cc_name) mport=$(cc_port) sroot=/run/runsc
cc_defer "runsc --root $sroot delete --force $name >/dev/null 2>&1"
ctl=$(cc_ctl_dir "$name")
bundle=$(cc_runc_bundle --cgroup "/$name" "$name" "$ctl" open /data/file 30) ||
	tap_bail "no bundle for $name"
CC_KIND[$name]=runsc CC_CTL[$name]=$ctl
runsc --root "$sroot" --network=none --platform=ptrace run --bundle "$bundle" "$name" \
	</dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
CC_PID[$name]=$!
cc_container_ready "$name" || tap_bail "runsc container $name did not start"
# the sandbox's processes: the sandbox and its stubs (the host's pid namespace) and the gofer (a
# pid namespace of its own), by their mount and pid namespaces together (a mount namespace's
# number may have been another container's before: other tests' containers come and go)
st=$sroot/${name}_sandbox:$name.state
nss=$(for p in "$(jq -r .sandbox.pid "$st")" "$(jq -r .goferPid "$st")"; do
	echo "$(stat -L -c %i "/proc/$p/ns/mnt") $(stat -L -c %i "/proc/$p/ns/pid")"
done | jq -Rsc 'split("\n") | map(select(. != "") | split(" ") | map(tonumber))')
cc_tracer_start stream -o json --ringbuf-size 64
tap_ok $? "rows: the streaming tracer (the oracle) attached"
stream_pid=$CC_TRACER_PID
cc_tracer_start top top -o json --interval 0.5 --metrics "127.0.0.1:$mport"
tap_ok $? "rows: top -o json --metrics attached"
cc_container_go "$name"
cc_container_wait "$name" 60
tap_ok $? "rows: the sandboxed workload opened /data/file 30 times"
sleep 1.2 # one more interval: the last counts reach the rows
metrics=$(curl -sf "http://127.0.0.1:$mport/metrics")
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "rows: top ended with status 0"
CC_TRACER_PID=$stream_pid
cc_tracer_stop INT
tap_is "$(cc_closing_counts stream | cut -d' ' -f2-)" "0 0" \
	"rows: the streaming tracer lost nothing (its counts are whole)"
# the stream's calls of the sandbox's processes: "OPENS CLOSES OPENAT-OK CLOSE-OK"
read -r s_opens s_closes s_openat s_close < <(jq -r --argjson m "$nss" 'select(.type == "event"
	and ([.mntns, .pidns] as $x | $m | index([$x]))) |
	"\(.syscall) \(.ret >= 0)"' "$CC_WORK/stream.out" |
	awk '$1 ~ /^open/ && $2 == "true" { o++ } $1 == "close" { c++ }
		$1 == "openat" && $2 == "true" { oa++ } $1 == "close" && $2 == "true" { cl++ }
		END { print o + 0, c + 0, oa + 0, cl + 0 }')
tap_diag "the stream: the sandbox's processes (mount and pid namespaces $nss): $s_opens opens, $s_closes closes"
tap_check "rows: the stream saw the workload's 30 opens at least ($s_opens)" [ "$s_opens" -ge 30 ]
tap_is "$(jq -rs --arg n "$name" 'map(select(.container_id == $n)) |
	"\(map(.container_runtime) | unique | join(",")) \(map(.opens) | add) \(map(.closes) | add)"' \
	"$CC_WORK/top.out")" "runsc $s_opens $s_closes" \
	"top: the sandbox's row is its container's (runsc, $name), with every open and close of its processes"
series() { # series SYSCALL RESULT: the container's value in the scrape
	echo "$metrics" | awk -v s="container_id=\"$name\",runtime=\"runsc\"" -v c="syscall=\"$1\",result=\"$2\"}" \
		'index($0, "copenclose_events_total{") == 1 && index($0, s) && index($0, c) { print $2 }'
}
tap_is "$(series openat ok) $(series close ok)" "$s_openat $s_close" \
	"/metrics: the container's series (runtime runsc, $name) count its processes' openat and close"
tap_is "$(jq -rs --arg n "$name" 'map(select(.container_id == $n and .host)) | length' \
	"$CC_WORK/top.out")" 0 "top: no row of the container is the host's"
