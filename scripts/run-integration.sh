#!/usr/bin/env bash
# Runs the TAP integration tests (tests/integration/*.t, as root, real BPF and containers) and
# prints "integration: N passed, N failed, N skipped". Exit status 1 when any failed.
# CC_TESTS="pattern" runs only the tests whose file name matches it; file arguments run only
# those (default: every tests/integration/*.t). Each test's duration follows it as a comment.
# A test still running after 900 s is ended and counted failed (exit 124); with CC_STRESS (make
# stress: five times the rounds, bursts and containers) after 3600 s, CC_TEST_TIMEOUT=SECONDS
# another limit.
set -u
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 skip=0 failed_files=()
limit=${CC_TEST_TIMEOUT:-$([ -n "${CC_STRESS:-}" ] && echo 3600 || echo 900)}
[ $# -gt 0 ] || set -- tests/integration/*.t
for t in "$@"; do
	if [ ! -e "$t" ]; then
		echo "not ok - $t does not exist"
		fail=$((fail + 1)) failed_files+=("$t")
		continue
	fi
	case "$t" in *${CC_TESTS:-}*) ;; *) continue ;; esac
	echo "# $t"
	t0=$SECONDS
	out=$(timeout "$limit" bash "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	echo "# $t took $((SECONDS - t0)) s"
	p=$(printf '%s\n' "$out" | grep -E '^ok ' | grep -Evc '# (SKIP|skip)')
	s=$(printf '%s\n' "$out" | grep -Ec '^ok .*# (SKIP|skip)')
	f=$(printf '%s\n' "$out" | grep -Ec '^not ok ')
	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\).*/\1/p' | head -n1)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $t exited $rc"
	elif [ -n "$plan" ] && [ $((p + s + f)) -ne "$plan" ]; then
		echo "not ok - $t planned $plan tests, ran $((p + s + f))"
		f=$((f + 1))
	fi
	[ "$f" -gt 0 ] && failed_files+=("$t")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
[ ${#failed_files[@]} -gt 0 ] && echo "failed: ${failed_files[*]}"
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
