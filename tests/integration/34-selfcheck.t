#!/usr/bin/env bash
# The attach self-check: once attached, the tracer's own thread makes one call of each kind and
# checks that each program ran for it, before its Tracing line. A program made silent with the
# tracer's documented test hook COPENCLOSE_TEST_SILENT=NAME (loaded, never attached: a hook whose
# function is never called) is found: in the tracepoint mode it is an error that says what cannot
# be seen; in the fentry mode --attach auto falls back to the tracepoints whole, in one line
# without -v, and then traces the standard workload exactly; --attach fentry refuses, and doctor
# says what the tracer does. The tracer's own calls reach neither the output nor the closing
# line's counts. On the host (tracepoints) the fentry part is left out; the VM matrix's 6.12
# guest (CC_EXPECT_ATTACH=fentry) runs it.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup

# The mode this kernel must give (cc_expected_attach: never doctor's, which is under test).
cc_expected_attach
expect=$CC_EXPECT
if [ "$expect" = fentry ]; then tap_plan 21; else tap_plan 11; fi
tap_diag "expected attach mode: $expect"

data=$CC_WORK/data
mkdir -p "$data"
echo data >"$data/file"
steps() { cc_std_steps "$1" "$CC_WORK" | sed "s#/data/file#$data/file#g"; }
summary() {
	jq -r --argjson pid "$2" 'select(.type == "event" and .pid == $pid) |
		"\(.syscall) \(.via) \(if .ret >= 0 then "ok" else .errno end)"' "$1" |
		LC_ALL=C sort | uniq -c | awk '{ print $2, $3, $4, $1 }'
}
std_via() { cc_std_expected | awk '{ print $1, "syscall", $2, $3 }'; }
[ -n "$(std_via)" ] || tap_bail "no expected workload (is awk missing?)"

# The programs each mode exercises: the tracepoint mode's one per call (open and creat where the
# architecture has them), the fentry mode's eleven that are not optional.
if [ "$expect" = fentry ]; then programs=11; else programs=$((6 + 2 * CC_HAS_OPEN)); fi

# --- a start in this kernel's mode: every program ran for the tracer's own calls ---------------
name=$(cc_name) port=$(cc_port)
# shellcheck disable=SC2046
cc_start_bin "$name" "$CC_WORKLOAD" mark @CTL@/ready wait-file @CTL@/start $(steps "$port")
cc_tracer_start plain -o json -v
tap_ok $? "the tracer starts ($expect mode)"
line=$(grep '^copenclose: self-check' "$CC_WORK/plain.err")
tap_check "-v: the self-check of the $expect mode, $programs programs, each ran ($line)" \
	grep -Eq "^copenclose: self-check of the $expect mode: $programs programs exercised by the tracer's own calls, each ran, in [0-9]+\.[0-9]+ ms$" \
	<<<"$line"
tracer=$CC_TRACER_PID
cc_run_traced "$name"
tap_is "$(summary "$CC_WORK/plain.out" "${CC_CPID[$name]}")" "$(std_via)" \
	"the standard workload, exactly"
tap_is "$(jq -c --argjson p "$tracer" 'select(.pid == $p)' "$CC_WORK/plain.out" | wc -l)" 0 \
	"no event of the tracer's own calls is written"
tap_is "$(cc_closing_line plain | sed -E 's/^copenclose: [0-9]+ events/copenclose: N events/')" \
	"copenclose: N events delivered, 0 lost" "the closing line: nothing lost, nothing unread"
tap_is "$(cc_closing_counts plain | cut -d' ' -f1)" \
	"$(jq -c 'select(.type == "event")' "$CC_WORK/plain.out" | wc -l)" \
	"its delivered count is the events written: the self-check's calls are in neither"

# --- the tracepoint mode: a silent tracepoint is an error that says what is not seen -----------
tap_refuses "a silent tracepoint (exit_openat)" 1 \
	"^copenclose: the program exit_openat on tracepoint/syscalls/sys_exit_openat did not run for the tracer's own openat call: those calls cannot be seen here$" \
	env COPENCLOSE_TEST_SILENT=exit_openat "$CC_BIN" --attach tracepoint -d 1
if [ "$expect" = tracepoint ]; then
	# doctor, where auto gets the tracepoints, tries that mode with the same check
	doctor=$(COPENCLOSE_TEST_SILENT=exit_openat "$CC_BIN" doctor --json 2>/dev/null)
	tap_is "$(jq -r .tracing_works <<<"$doctor")" false \
		"doctor with exit_openat silent says tracing will not work, as the tracer did"
	tap_is "$(jq -r .problem <<<"$doctor")" \
		"the program exit_openat on tracepoint/syscalls/sys_exit_openat did not run for the tracer's own openat call: those calls cannot be seen here" \
		"and why, in the tracer's words"
	exit 0
fi

# --- the fentry mode: a silent hook, and auto falls back to the tracepoints whole -------------
fallback="^copenclose: the fentry attach mode is not available here \(the program fx_filp_open on fexit/do_filp_open did not run for the tracer's own open, openat and openat2 calls\): syscall tracepoints instead$"
[ "$CC_HAS_OPEN" = 1 ] || fallback=${fallback/open, openat and/openat and}
name=$(cc_name) port=$(cc_port)
# shellcheck disable=SC2046
cc_start_bin "$name" "$CC_WORKLOAD" mark @CTL@/ready wait-file @CTL@/start $(steps "$port")
COPENCLOSE_TEST_SILENT=fx_filp_open cc_tracer_start silent -o json
tap_ok $? "--attach auto with fx_filp_open silent: the tracer starts"
tap_is "$(grep -vc '^Tracing' "$CC_WORK/silent.err")" 1 \
	"one line on stderr beside Tracing, without -v: $(grep -v '^Tracing' "$CC_WORK/silent.err")"
tap_check "it names the silent hook and says what was done" grep -Eq "$fallback" "$CC_WORK/silent.err"
tap_check "the Tracing line says syscall tracepoints" \
	grep -q '^Tracing .*(syscall tracepoints;' "$CC_WORK/silent.err"
cc_run_traced "$name"
tap_is "$CC_TRACER_RC" 0 "the tracer ends with status 0"
tap_is "$(summary "$CC_WORK/silent.out" "${CC_CPID[$name]}")" "$(std_via)" \
	"the standard workload, exactly, through the tracepoints"
tap_check "the closing line: nothing lost, nothing unread ($(cc_closing_line silent))" \
	grep -Eq '^copenclose: [0-9]+ events delivered, 0 lost$' <<<"$(cc_closing_line silent)"
tap_refuses "--attach fentry with fx_do_accept silent" 1 \
	"^copenclose: the fentry attach mode is not available here: the program fx_do_accept on fexit/do_accept did not run for the tracer's own accept and accept4 calls" \
	env COPENCLOSE_TEST_SILENT=fx_do_accept "$CC_BIN" --attach fentry -d 1
doctor=$(COPENCLOSE_TEST_SILENT=fx_filp_open "$CC_BIN" doctor --json)
tap_is "$(jq -r .attach_mode <<<"$doctor")" tracepoint \
	"doctor with fx_filp_open silent says the tracepoint mode, as the tracer did"
tap_check "and why, in the tracer's words ($(jq -r .attach_why <<<"$doctor"))" \
	grep -q "^the fentry attach mode is not available here (the program fx_filp_open on fexit/do_filp_open did not run" \
	<<<"$(jq -r .attach_why <<<"$doctor")"
