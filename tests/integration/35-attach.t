#!/usr/bin/env bash
# Attach modes. --attach auto takes the kernel's own functions (fentry) where this kernel allows
# trampolines, else the syscall tracepoints, and says which; --attach fentry where it cannot is
# one clear line and status 1. With fentry (Debian's kernels in the VM matrix, which set
# CC_EXPECT_ATTACH=fentry) io_uring operations and 32-bit calls are counted exactly, with via
# "io_uring" and "ia32", and a path rewritten by another thread right after the call shows the
# file really opened. With tracepoints, --compat sees 32-bit calls (where this machine can run
# 32-bit code at all) and io_uring stays unseen, as documented.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
helpers=$CC_ROOT/build/helpers
for h in uring workload32 rewrite; do
	[ -x "$helpers/$h" ] || tap_bail "$helpers/$h is missing: run make helpers"
done

# The mode this kernel must give (cc_expected_attach: never doctor's, which is under test).
cc_expected_attach
expect=$CC_EXPECT
# 32-bit code runs only where the kernel and the virtualisation under it allow it.
can32=0
"$helpers/workload32" sleep 0 >/dev/null 2>&1 && can32=1
if [ "$expect" = fentry ]; then tap_plan 18; else tap_plan 13; fi
tap_diag "expected attach mode: $expect; 32-bit code runs here: $can32"

# The standard workload's steps on the host: its file here, its unix socket in the work directory.
steps() { cc_std_steps "$1" "$CC_WORK" | sed "s#/data/file#$data/file#g"; }

# summary FILE PID: "SYSCALL VIA RESULT COUNT" lines of the events of process PID (all its
# threads: io_uring's workers are threads of the process that submitted).
summary() {
	jq -r --argjson pid "$2" 'select(.pid == $pid) |
		"\(.syscall) \(.via) \(if .ret >= 0 then "ok" else .errno end)"' "$1" |
		LC_ALL=C sort | uniq -c | awk '{ print $2, $3, $4, $1 }'
}

preemptible=0
cc_preemptible && preemptible=1

# The standard workload's expected lines with a via column.
std_via() { cc_std_expected | awk -v via="$1" '{ print $1, via, $2, $3 }'; }

# An empty expectation would make every comparison below pass: refuse it.
[ -n "$(std_via syscall)" ] || tap_bail "no expected workload (is awk missing?)"

data=$CC_WORK/data
mkdir -p "$data/rw"
echo data >"$data/file"
echo a >"$data/rw/a"
echo b >"$data/rw/b"

tap_is "$("$CC_BIN" doctor --json | jq -r .attach_mode)" "$expect" \
	"doctor says this kernel gets the $expect mode"

# --- the mode auto chooses, and the standard workload through it -------------------------------
name=$(cc_name) port=$(cc_port)
# shellcheck disable=SC2046
cc_start_bin "$name" "$CC_WORKLOAD" mark @CTL@/ready wait-file @CTL@/start $(steps "$port")
cc_tracer_start auto -o json
tap_ok $? "--attach auto (the default) attached"
want_line="syscall tracepoints"
[ "$expect" = fentry ] && want_line="fentry: the kernel's own functions"
grep -q "^Tracing .*($want_line;" "$CC_WORK/auto.err"
tap_ok $? "its Tracing line says it chose $expect: $(head -n1 "$CC_WORK/auto.err")"
cc_run_traced "$name"
cc_accounted auto "$(summary "$CC_WORK/auto.out" "${CC_CPID[$name]}")" "$(std_via syscall)"
tap_is "$CC_SEEN" "$(std_via syscall)" \
	"the standard workload, exactly (each event missing counted lost), every event via syscall"
# Every event the programs counted as seen is delivered: no "unread" (nor an unknown or wrapped
# count, as when the kernel refused to read the counters once privileges were dropped: 5.10), and
# nothing lost but where the kernel may preempt a program (each loss counted: above).
want_closing='^copenclose: [0-9]+ events delivered, 0 lost$'
[ "$preemptible" = 1 ] && want_closing='^copenclose: [0-9]+ events delivered, [0-9]+ lost$'
tap_check "the closing line: nothing unread, nothing lost on a kernel that does not preempt programs ($(cc_closing_line auto))" \
	grep -Eq "$want_closing" <<<"$(cc_closing_line auto)"
tap_is "$(cc_closing_counts auto | cut -d' ' -f1)" \
	"$(jq -c 'select(.type == "event")' "$CC_WORK/auto.out" | wc -l)" \
	"the closing line's delivered count is the events written"

# --- --attach tracepoint where fentry is possible; --attach fentry where the kernel refuses ------
if [ "$expect" = fentry ]; then
	name=$(cc_name) port=$(cc_port)
	# shellcheck disable=SC2046
	cc_start_bin "$name" "$CC_WORKLOAD" mark @CTL@/ready wait-file @CTL@/start $(steps "$port")
	cc_tracer_start tp -o json --attach tracepoint
	grep -q '^Tracing .*(syscall tracepoints;' "$CC_WORK/tp.err"
	tap_ok $? "--attach tracepoint is taken when asked for"
	cc_run_traced "$name"
	cc_accounted tp "$(summary "$CC_WORK/tp.out" "${CC_CPID[$name]}")" "$(std_via syscall)"
	tap_is "$CC_SEEN" "$(std_via syscall)" \
		"--attach tracepoint: the standard workload, exactly (each event missing counted lost)"
else
	out=$("$CC_BIN" --attach fentry -d 1 2>&1 >/dev/null)
	rc=$?
	tap_is "$rc" 1 "--attach fentry on a kernel that refuses trampolines: status 1"
	tap_is "$(printf '%s\n' "$out" | grep -c 'fentry attach mode is not available')" 1 \
		"and one line saying so: $out"
fi

# --- io_uring ------------------------------------------------------------------------------------
name=$(cc_name) port=$(cc_port)
cc_start_bin "$name" "$helpers/uring" @CTL@/ready @CTL@/start "$data/file" 4 "$port"
cc_tracer_start uring -o json
cc_run_traced "$name"
tap_is "$?/$CC_TRACER_RC" 0/0 "io_uring: the helper ran under the tracer, which ended with status 0"
uring_pid=${CC_CPID[$name]}
if [ "$expect" = fentry ]; then
	want=$(printf '%s\n' 'accept io_uring ok 1' 'close io_uring ok 7' \
		'connect io_uring ok 1' 'openat io_uring ENOENT 1' 'openat io_uring ok 4')
	cc_accounted uring "$(summary "$CC_WORK/uring.out" "$uring_pid" | grep -v ' syscall ')" "$want"
	tap_is "$CC_SEEN" "$want" \
		"io_uring: every operation, exactly (each missing counted lost), via io_uring"
	want=$(printf '%s O_RDONLY|O_CLOEXEC 4\n%s O_RDONLY|O_CLOEXEC 1' "$data/file" \
		"$data/file.missing")
	cc_accounted uring "$(jq -r --argjson p "$uring_pid" 'select(.pid == $p and
		.via == "io_uring" and .syscall == "openat") | [.path, .flags] | @tsv' \
		"$CC_WORK/uring.out" | sort | uniq -c | awk '{ print $2, $3, $1 }')" "$want"
	tap_is "$CC_SEEN" "$want" \
		"io_uring: the opens' paths and the flags the program asked for (each missing counted lost)"
	tap_is "$(jq -r --argjson p "$uring_pid" 'select(.pid == $p and .syscall == "connect") |
		.addr' "$CC_WORK/uring.out")" "127.0.0.1:$port" "io_uring: connect's address"
else
	tap_is "$(summary "$CC_WORK/uring.out" "$uring_pid" | grep -c io_uring)" 0 \
		"io_uring: with tracepoints its operations are not seen (the documented blind spot)"
fi

# --- 32-bit calls --------------------------------------------------------------------------------
if [ "$expect" = fentry ]; then
	for mode in fentry compat; do
		args=(-o json)
		[ "$mode" = compat ] && args+=(--attach tracepoint --compat)
		name=$(cc_name) port=$(cc_port)
		# shellcheck disable=SC2046
		cc_start_bin "$name" "$helpers/workload32" mark @CTL@/ready wait-file @CTL@/start \
			$(steps "$port")
		cc_tracer_start "w32$mode" "${args[@]}"
		cc_run_traced "$name"
		cc_accounted "w32$mode" "$(summary "$CC_WORK/w32$mode.out" "${CC_CPID[$name]}")" \
			"$(std_via ia32)"
		tap_is "$CC_SEEN" "$(std_via ia32)" \
			"32-bit ($mode): the standard workload, exactly (each missing counted lost), via ia32"
		want=$({ [ "$CC_HAS_OPEN" = 0 ] || echo 'open O_RDONLY 2'
			printf 'openat O_RDONLY|O_CLOEXEC 5\nopenat2 O_RDONLY|O_CLOEXEC 2\n'; })
		cc_accounted "w32$mode" "$(jq -r --argjson p "${CC_CPID[$name]}" 'select(.pid == $p and
			(.syscall | test("^open")) and .ret >= 0) | [.syscall, .flags] | @tsv' \
			"$CC_WORK/w32$mode.out" | sort | uniq -c | awk '{ print $2, $3, $1 }')" "$want"
		tap_is "$CC_SEEN" "$want" \
			"32-bit ($mode): the opens' flags as the program passed them (each missing counted lost)"
	done
else
	name=$(cc_name) port=$(cc_port)
	bin=$CC_WORKLOAD
	[ "$can32" = 1 ] && bin=$helpers/workload32
	# shellcheck disable=SC2046
	cc_start_bin "$name" "$bin" mark @CTL@/ready wait-file @CTL@/start $(steps "$port")
	cc_tracer_start compat -o json --compat
	tap_ok $? "--compat attaches with the tracepoints"
	grep -q '^Tracing .*raw_syscalls for 32-bit calls' "$CC_WORK/compat.err"
	tap_ok $? "and its Tracing line says so"
	cc_run_traced "$name"
	if [ "$can32" = 1 ]; then
		tap_is "$(summary "$CC_WORK/compat.out" "${CC_CPID[$name]}")" "$(std_via ia32)" \
			"--compat: the 32-bit standard workload, exactly, via ia32"
	else
		tap_is "$(summary "$CC_WORK/compat.out" "${CC_CPID[$name]}")" "$(std_via syscall)" \
			"--compat: 64-bit calls are as without it (this machine runs no 32-bit code)"
	fi
fi

# --- a path rewritten right after the call -------------------------------------------------------
if [ "$expect" = fentry ]; then
	name=$(cc_name)
	cc_start_bin "$name" "$helpers/rewrite" @CTL@/ready @CTL@/start "$data/rw" 300
	cc_tracer_start rw -o json -e openat
	cc_run_traced "$name"
	jq -r --argjson p "${CC_CPID[$name]}" 'select(.pid == $p) | .path[-1:]' \
		"$CC_WORK/rw.out" >"$CC_WORK/rw.seen"
	tap_is "$(wc -l <"$CC_WORK/rw.seen")" 300 "rewrite: 300 opens seen"
	tap_is "$(paste -d' ' "$CC_WORK/$name.out" "$CC_WORK/rw.seen" | awk '$1 != $2' | wc -l)" 0 \
		"rewrite: each open's path is the file opened, though another thread rewrote it ($(sort \
			"$CC_WORK/$name.out" | uniq -c | tr '\n' ' '))"
fi
