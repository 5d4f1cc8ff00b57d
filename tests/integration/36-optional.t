#!/usr/bin/env bash
# The fentry mode's optional programs (io_uring's, the 32-bit close) are really optional: one the
# kernel refuses to load is turned off, named in one line on stderr, and the rest traces exactly.
# The refusal is forced with the tracer's documented test hook COPENCLOSE_TEST_REFUSE=NAME, which
# gives that one program two instructions the kernel's verifier really refuses (a read of a
# register never written): the load fails in the kernel, as it would where a kernel's verifier or
# BTF does not take the program. Needs the fentry mode (the VM matrix's 6.12 guest; the host here
# cannot attach trampolines): elsewhere it skips, saying why.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cc_require_bpf
cc_setup
helpers=$CC_ROOT/build/helpers
[ -x "$helpers/uring" ] || tap_bail "$helpers/uring is missing: run make helpers"
if [ "${CC_EXPECT_ATTACH:-}" != fentry ]; then
	why=$("$CC_BIN" --attach fentry -d 0.1 2>&1 >/dev/null | head -n1)
	[ -z "$why" ] || ! grep -q 'not available' <<<"$why" ||
		tap_skip_all "the fentry attach mode cannot load here: $why"
fi
tap_plan 7

# summary FILE PID: "SYSCALL VIA RESULT COUNT" lines of the events of process PID.
summary() {
	jq -r --argjson pid "$2" 'select(.type == "event" and .pid == $pid) |
		"\(.syscall) \(.via) \(if .ret >= 0 then "ok" else .errno end)"' "$1" |
		LC_ALL=C sort | uniq -c | awk '{ print $2, $3, $4, $1 }'
}

data=$CC_WORK/data
mkdir -p "$data"
echo data >"$data/file"
std=$(cc_name) uring=$(cc_name) port=$(cc_port) port2=$(cc_port)
# shellcheck disable=SC2046
cc_start_bin "$std" "$CC_WORKLOAD" mark @CTL@/ready wait-file @CTL@/start \
	$(cc_std_steps "$port" "$CC_WORK" | sed "s#/data/file#$data/file#g")
cc_start_bin "$uring" "$helpers/uring" @CTL@/ready @CTL@/start "$data/file" 4 "$port2"

COPENCLOSE_TEST_REFUSE=fx_io_openat2 cc_tracer_start refuse -o json --attach fentry
tap_ok $? "--attach fentry attaches though the kernel refused one optional program"
tap_is "$(grep -c 'refused' "$CC_WORK/refuse.err")" 1 \
	"one line on stderr names what was refused: $(grep refused "$CC_WORK/refuse.err")"
tap_check "and it is the io_uring open's exit program" \
	grep -q '^copenclose: note: the kernel refused the optional programs fx_io_openat2 ' \
	"$CC_WORK/refuse.err"
cc_container_go "$std"
cc_container_go "$uring"
cc_container_wait "$std"
cc_container_wait "$uring"
sleep 0.3
cc_tracer_stop INT
tap_is "$CC_TRACER_RC" 0 "the tracer ends with status 0"
tap_is "$(summary "$CC_WORK/refuse.out" "${CC_CPID[$std]}")" \
	"$(cc_std_expected | awk '{ print $1, "syscall", $2, $3 }')" \
	"the standard workload, exactly"
tap_is "$(summary "$CC_WORK/refuse.out" "${CC_CPID[$uring]}" | grep -v ' syscall ')" \
	"$(printf '%s\n' 'accept io_uring ok 1' 'close io_uring ok 7' 'connect io_uring ok 1' \
		'openat io_uring ENOENT 1' 'openat io_uring ok 4')" \
	"io_uring: every operation, exactly (the open's entry program and fx_filp_open still see them)"
tap_check "the closing line: nothing lost, nothing unread ($(cc_closing_line refuse))" \
	grep -Eq '^copenclose: [0-9]+ events delivered, 0 lost$' <<<"$(cc_closing_line refuse)"
