# The integration tests' tracer: its start and stop, reading what it wrote (table, JSON, the
# closing line), and the BPF objects it held or left loaded. Sourced by lib.sh only.
# shellcheck shell=bash disable=SC2034

# --- the tracer ----------------------------------------------------------------------------

# cc_tracer_start TAG ARGS...: runs the tracer in the background, stdout to $CC_WORK/TAG.out and
# stderr to TAG.err; returns once it printed its Tracing line (0), or 1 after 20 s or its death.
cc_tracer_start() { cc_tracer_spawn "$1" "$CC_BIN" "${@:2}"; }

# cc_tracer_spawn TAG COMMAND...: the same for a COMMAND that runs the tracer (in another mount
# namespace, with another stdout, ...). Sets CC_TRACER_PID and records the BPF objects the tracer
# holds once attached, for cc_leftover_ids.
cc_tracer_spawn() {
	local tag=$1
	shift
	: >"$CC_WORK/$tag.err"
	"$@" >"$CC_WORK/$tag.out" 2>>"$CC_WORK/$tag.err" </dev/null &
	CC_TRACER_PID=$!
	CC_TRACERS+=("$CC_TRACER_PID")
	CC_TRACER_TAG[$CC_TRACER_PID]=$tag
	CC_TRACER_IGN[$CC_TRACER_PID]=
	case " $* " in *" -I "* | *" --ignore-host-ns "*) CC_TRACER_IGN[$CC_TRACER_PID]=1 ;; esac
	cc_wait_for "${CC_ATTACH_WAIT:-20}" cc_tracer_attached "$tag" "$CC_TRACER_PID"
	if ! grep -q '^Tracing' "$CC_WORK/$tag.err"; then
		tap_diag "tracer $* did not print Tracing; stderr:" "$(cat "$CC_WORK/$tag.err")"
		return 1
	fi
	cc_held_ids "$CC_TRACER_PID" >>"$CC_WORK/held-ids"
}

cc_tracer_attached() {
	grep -q '^Tracing' "$CC_WORK/$1.err" || ! kill -0 "$2" 2>/dev/null
}

# cc_tracer_stop [SIGNAL [SECONDS]]: signals the last tracer started and waits for its exit
# (SECONDS: 10, or CC_STOP_WAIT where the guests set it). Sets CC_TRACER_RC (124 when it had to
# be killed) and CC_TRACER_SECS (how long it took).
cc_tracer_stop() {
	local sig=${1:-INT} limit=${2:-${CC_STOP_WAIT:-10}} t0 t1
	t0=$(date +%s.%N)
	kill -"$sig" "$CC_TRACER_PID" 2>/dev/null
	if cc_wait_for "$limit" cc_not_running "$CC_TRACER_PID"; then
		wait "$CC_TRACER_PID"
		CC_TRACER_RC=$?
	else
		kill -KILL "$CC_TRACER_PID" 2>/dev/null
		wait "$CC_TRACER_PID"
		CC_TRACER_RC=124
	fi
	t1=$(date +%s.%N)
	cc_host_rule_check "$CC_TRACER_PID"
	CC_TRACER_SECS=$(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN{print $t1 - $t0}")
}

# cc_tracers_stop [SIGNAL]: stops every tracer this test started that still runs, in the order
# they started (CC_TRACER_RC is the last one's).
cc_tracers_stop() {
	local pid
	for pid in "${CC_TRACERS[@]}"; do
		kill -0 "$pid" 2>/dev/null || continue
		CC_TRACER_PID=$pid
		cc_tracer_stop "${1:-INT}"
	done
}

# Runs the workload of NAME under a tracer already attached, then stops the tracer.
cc_run_traced() {
	local name=$1 rc
	cc_container_go "$name"
	cc_container_wait "$name"
	rc=$?
	sleep 0.3 # let the last events through the ring buffer
	cc_tracer_stop INT
	return "$rc"
}

# --- reading the tracer's output -------------------------------------------------------------

# cc_table_summary FILE KEYCOLUMN KEYVALUE: the rows whose KEYCOLUMN (e.g. HOSTNAME or CGROUPID)
# is KEYVALUE and COMM is workload, as sorted "SYSCALL RESULT COUNT" lines (RESULT: ok when RET
# is a number >= 0, else the RET text as printed, with a leading minus and digits read as err).
cc_table_summary() {
	awk -v key="$2" -v val="$3" '
		BEGIN {
			errname["-2"] = "ENOENT"; errname["-9"] = "EBADF"; errname["-13"] = "EACCES"
			errname["-111"] = "ECONNREFUSED"; errname["-22"] = "EINVAL"
		}
		!hdr && $1 == "TIME" {
			for (i = 1; i <= NF; i++) col[$i] = i
			hdr = 1; next
		}
		hdr && $col[key] == val && $col["COMM"] == "workload" {
			r = $col["RET"]
			res = (r ~ /^[0-9]+$/) ? "ok" : (r in errname) ? errname[r] : r
			n[$col["SYSCALL"] " " res]++
		}
		END { for (k in n) print k, n[k] }' "$1" | LC_ALL=C sort
}

# cc_json_summary FILE JQ-CONDITION: the same from JSON lines (RESULT: ok or the errno name).
cc_json_summary() {
	jq -r "select(($2) and .comm == \"workload\") |
		\"\\(.syscall) \\(if .ret >= 0 then \"ok\" else .errno end)\"" "$1" |
		LC_ALL=C sort | uniq -c | awk '{ print $2, $3, $1 }'
}

# cc_strace_summary FILE: the same from `strace -f -o FILE` (traced calls only).
cc_strace_summary() {
	awk '
		/ = / && !/resumed>/ && !/ = \?/ {
			name = $2; sub(/\(.*/, "", name)
			ret = $0; sub(/.* = /, "", ret)
			split(ret, w, " ")
			n[name " " (w[1] ~ /^-/ ? w[2] : "ok")]++
		}
		END { for (k in n) print k, n[k] }' "$1" | LC_ALL=C sort
}

# cc_strace_oracle PORT: the standard workload run on the host under strace -f, summarised.
cc_strace_oracle() {
	local d="$CC_WORK/oracle-$1"
	mkdir -p "$d"
	touch "$d/start"
	# shellcheck disable=SC2046
	strace -f -qq -e trace=open,openat,openat2,close,connect,accept,accept4 -o "$d/strace" \
		"$CC_WORKLOAD" mark "$d/ready" wait-file "$d/start" \
		$(cc_std_steps "$1" "$d" | sed "s#/data/file#$CC_ROOTFS/data/file#g") >&2 || return 1
	cc_strace_summary "$d/strace"
}

# The JSON keys of the contract, sorted: every line must have at least these.
CC_JSON_KEYS='addr,cgroup,cgroup_id,comm,container_id,container_image,container_name,container_runtime,errno,fd,flags,gid,host,hostname,identity_mismatch,k8s_container,k8s_namespace,k8s_pod,k8s_pod_uid,mntns,path,pid,pidns,ppid,ret,sandbox,syscall,tid,time,uid'

# cc_json_missing_keys FILE: prints the contract keys that some line lacks (nothing when all ok).
cc_json_missing_keys() {
	jq -r --arg keys "$CC_JSON_KEYS" '($keys | split(",")) - keys | .[]' "$1" | sort -u
}

# The last line the tracer wrote to stderr, and whether it is the closing count (more counts
# may follow, as ", N WORDS").
cc_closing_line() { tail -n1 "$CC_WORK/$1.err"; }
cc_closing_ok() {
	cc_closing_line "$1" | grep -Eq '^copenclose: [0-9]+ events delivered, [0-9]+ lost(, [0-9]+ [a-z ]+)*$'
}

# cc_closing_counts TAG: "DELIVERED LOST UNREAD" from the closing line of TAG's stderr.
cc_closing_counts() {
	sed -n 's/^copenclose: \([0-9]*\) events delivered, \([0-9]*\) lost\(, \([0-9]*\) unread\)\{0,1\}$/\1 \2 \4/p' \
		"$CC_WORK/$1.err" | tail -n1 | awk '{print $1, $2, ($3 == "" ? 0 : $3)}'
}

# cc_expected_attach: sets CC_EXPECT to the attach mode this kernel must give: the caller's
# (CC_EXPECT_ATTACH: the VM matrix knows its kernels), else fentry where another tool, bpftrace,
# attaches a trampoline (kfunc) here, tracepoint where it cannot. Never doctor: it is under test.
cc_expected_attach() {
	CC_EXPECT=${CC_EXPECT_ATTACH:-}
	[ -n "$CC_EXPECT" ] && return 0
	command -v bpftrace >/dev/null || tap_bail "bpftrace is missing (scripts/deps.sh test)"
	CC_EXPECT=tracepoint
	timeout 60 bpftrace -e 'kfunc:vmlinux:fd_install { exit(); } interval:ms:100 { exit(); }' \
		>"$CC_WORK/bpftrace.out" 2>&1 && CC_EXPECT=fentry
	tap_diag "bpftrace kfunc:fd_install: $(head -n2 "$CC_WORK/bpftrace.out" | tr '\n' ' ')"
}

# Whether this kernel may preempt a task inside a BPF program: its preemption model (the one in
# parentheses in sched/preempt) is full or lazy, or it is a PREEMPT_RT build (sid, preempt=full).
cc_preemptible() {
	grep -Eq '\((full|lazy)\)' /sys/kernel/debug/sched/preempt 2>/dev/null ||
		uname -v | grep -q PREEMPT_RT
}

# cc_accounted TAG SEEN WANT: sets CC_SEEN to SEEN, or to WANT where the kernel may preempt a
# program (cc_preemptible) and SEEN lacks only events (no other, none more) that the tracer TAG's
# closing line counted lost or unread: a skip there is counted, never silent. Elsewhere nothing may
# be missing.
cc_accounted() {
	local missing lost unread
	CC_SEEN=$2
	[ "$2" != "$3" ] && cc_preemptible || return 0
	missing=$(awk '!NF { next } NR == FNR { k = $0; sub(/ [0-9]+$/, "", k); w[k] = $NF; next }
		{ k = $0; sub(/ [0-9]+$/, "", k); if (!(k in w) || $NF > w[k]) bad = 1; s[k] = $NF }
		END { if (bad) { print -1; exit } for (k in w) m += w[k] - s[k]; print m + 0 }' \
		<(printf '%s\n' "$3") <(printf '%s\n' "$2"))
	read -r _ lost unread <<<"$(cc_closing_counts "$1")"
	tap_diag "$1: $missing events missing on a preemptible kernel; closing line: ${lost:-?} lost, ${unread:-?} unread"
	[ "$missing" -gt 0 ] && [ -n "$lost" ] && [ "$missing" -le $((lost + unread)) ] && CC_SEEN=$3
	return 0
}

# cc_held_ids PID: "prog N", "map N", "link N" for every BPF object process PID holds.
cc_held_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		sed -n 's/^prog_id:[[:space:]]*/prog /p; s/^map_id:[[:space:]]*/map /p
			s/^link_id:[[:space:]]*/link /p' "$f" 2>/dev/null
	done | sort -u
}

# cc_leftover_ids: the objects that some tracer of this test held once attached and that the
# kernel still has.
cc_leftover_ids() {
	local kind
	[ -s "$CC_WORK/held-ids" ] || return 0
	for kind in prog map link; do
		bpftool "$kind" show -j 2>/dev/null | jq -r ".[].id | \"$kind \\(.)\"" 2>/dev/null
	done | sort -u | comm -12 - <(sort -u "$CC_WORK/held-ids")
}

# cc_orphan_progs: the ids of programs named as ours that no process holds (by a program or a
# link fd): what a tracer that died half-way would leave. Tracers of other tests running at the
# same time hold theirs, so they do not count.
cc_orphan_progs() {
	local held
	held=$(cat /proc/[0-9]*/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -u)
	bpftool prog show -j 2>/dev/null | jq -r '.[] | select(.name // "" |
		test("^(exit_(open|openat|openat2|close|connect|accept|accept4)|cgroup_(mkdir|rmdir))$"))
		| .id' | grep -vxF -f <(echo "${held:-none}")
}

# cc_lacks PCRE FILE: FILE holds no match of the Perl regular expression PCRE, read as bytes.
cc_lacks() { ! LC_ALL=C grep -qP -- "$1" "$2"; }

# cc_prog_ids PID: the ids of the BPF programs that process PID holds, one a line.
cc_prog_ids() { sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un; }

# cc_progs_loaded ID...: those of the given BPF program ids that the kernel still has.
cc_progs_loaded() {
	local loaded
	loaded=$(bpftool prog list -j 2>/dev/null | jq '.[].id')
	printf '%s\n' "$@" | grep -Fxf <(echo "$loaded") | tr '\n' ' '
}

# cc_start_bin NAME BIN ARGS...: a host process BIN (@CTL@ in ARGS is its control directory) that
# makes CTL/ready and waits for CTL/start, so that a tracer started then sees exactly what it does
# after that.
cc_start_bin() {
	local name=$1 bin=$2 ctl
	shift 2
	ctl=$(cc_ctl_dir "$name")
	CC_KIND[$name]=host CC_CTL[$name]=$ctl
	"$bin" "${@//@CTL@/$ctl}" </dev/null >"$CC_WORK/$name.out" 2>"$CC_WORK/$name.err" &
	CC_PID[$name]=$!
	cc_wait_for 30 cc_ready_or_dead "$name"
	CC_CPID[$name]=${CC_PID[$name]}
}
