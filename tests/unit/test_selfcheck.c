/* Unit tests of the attach self-check: its table against the programs of the tracer's own object
   (every program the tracer cannot do without is exercised, every name is a program), the decision
   on the counters, the line that names a silent program, and the calls themselves (made from this
   unprivileged process: the outcomes the table expects, no descriptor left behind). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include <bpf/libbpf.h>

#include "bpf/event.h" /* the skeleton's read-only data holds its types */
#include "copenclose.skel.h"
#include "trace/attach.h"
#include "trace/selfcheck.h"

#define OPENS (1u << CC_SYS_OPEN | 1u << CC_SYS_OPENAT | 1u << CC_SYS_OPENAT2)

/* Whether a program of the object makes events and the tracer cannot do without it. */
static bool essential(const char *sec, const char *name)
{
	if (strncmp(sec, "tracepoint/syscalls/", 20) == 0)
		return true;
	return (strncmp(sec, "fentry/", 7) == 0 || strncmp(sec, "fexit/", 6) == 0) &&
	       !attach_optional(name);
}

static void test_table_is_the_object(void **state)
{
	struct copenclose_bpf *skel = copenclose_bpf__open();
	struct bpf_program *prog;
	bool found[CC_HOOKS] = {false};
	unsigned char counted[CC_HOOKS] = {0};
	int essentials = 0;

	(void)state;
	assert_non_null(skel);
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *name = bpf_program__name(prog);
		int h = selfcheck_hook_of(name);

		if (h >= 0)
			found[h] = true;
		if (!essential(bpf_program__section_name(prog), name))
			continue;
		if (h >= 0 && !counted[h]++)
			essentials++; /* a program's copies (fe_sys_openat2_1 ...) share its hook */
		if (h < 0)
			fail_msg("program %s (%s) is not exercised by the self-check", name,
				 bpf_program__section_name(prog));
		if (selfcheck_calls_of(h) == 0)
			fail_msg("no call exercises %s", name);
	}
	for (int h = 0; h < CC_HOOKS; h++)
		if (!found[h])
			fail_msg("hook %s is no program of the object", selfcheck_hook_name(h));
	assert_int_equal(essentials, CC_HOOKS);
	copenclose_bpf__destroy(skel);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(selfcheck_hook_name(CC_HOOK_fx_filp_open), "fx_filp_open");
	assert_int_equal(selfcheck_hook_of("exit_openat"), CC_HOOK_exit_openat);
	assert_int_equal(selfcheck_hook_of("fx_io_openat2"), -1); /* optional: not exercised */
	assert_int_equal(selfcheck_hook_of("exit_open2"), -1);
	assert_int_equal(selfcheck_hook_of("fx_sys_openat2_3"), CC_HOOK_fx_sys_openat2);
	assert_int_equal(selfcheck_hook_of("fe_sys_openat2_1"), CC_HOOK_fe_sys_openat2);
	assert_int_equal(selfcheck_hook_of("exit_open_"), -1);
	assert_int_equal(selfcheck_hook_of("exit_open_12"), -1);
	assert_int_equal(selfcheck_hook_of("exit_open_0"), -1);
	assert_null(selfcheck_hook_name(-1));
	assert_null(selfcheck_hook_name(CC_HOOKS));
	assert_int_equal(selfcheck_calls_of(CC_HOOK_exit_creat), SELFCHECK_CREAT);
	assert_int_equal(selfcheck_calls_of(CC_HOOK_fe_fd_install), OPENS | 1u << CC_SYS_ACCEPT4);
	assert_int_equal(selfcheck_calls_of(CC_HOOKS), 0);
}

static void test_silent(void **state)
{
	bool loaded[CC_HOOKS] = {false};
	uint64_t hits[CC_HOOKS] = {0};
	unsigned int all = SELFCHECK_CREAT | ((1u << CC_SYS_MAX) - 1);

	(void)state;
	/* nothing loaded: nothing judged */
	assert_int_equal(selfcheck_silent(loaded, hits, all), -1);
	loaded[CC_HOOK_exit_openat] = loaded[CC_HOOK_exit_close] = true;
	/* loaded, its call made, no run: silent */
	assert_int_equal(selfcheck_silent(loaded, hits, all), CC_HOOK_exit_openat);
	/* its call not made (a kernel without it, a call refused): not judged */
	assert_int_equal(selfcheck_silent(loaded, hits, 1u << CC_SYS_CLOSE), CC_HOOK_exit_close);
	assert_int_equal(selfcheck_silent(loaded, hits, 1u << CC_SYS_OPEN), -1);
	hits[CC_HOOK_exit_openat] = 1;
	assert_int_equal(selfcheck_silent(loaded, hits, all), CC_HOOK_exit_close);
	hits[CC_HOOK_exit_close] = 3;
	assert_int_equal(selfcheck_silent(loaded, hits, all), -1);
	/* a program of several calls: one of them made is enough to judge it */
	loaded[CC_HOOK_fx_filp_open] = true;
	assert_int_equal(selfcheck_silent(loaded, hits, 1u << CC_SYS_OPENAT2),
			 CC_HOOK_fx_filp_open);
	hits[CC_HOOK_fx_filp_open] = 1;
	assert_int_equal(selfcheck_silent(loaded, hits, all), -1);
}

static void test_why(void **state)
{
	char buf[256];

	(void)state;
	selfcheck_why(CC_HOOK_fx_filp_open, "fexit/do_filp_open", SELFCHECK_CREAT | OPENS, buf,
		      sizeof(buf));
	assert_string_equal(buf,
			    "the program fx_filp_open on fexit/do_filp_open did not run for the "
			    "tracer's own open, openat and openat2 calls");
	selfcheck_why(CC_HOOK_fx_filp_open, "fexit/do_file_open", 1u << CC_SYS_OPENAT, buf,
		      sizeof(buf));
	assert_string_equal(buf,
			    "the program fx_filp_open on fexit/do_file_open did not run for the "
			    "tracer's own openat call");
	selfcheck_why(CC_HOOK_exit_creat, "tracepoint/syscalls/sys_exit_creat", ~0u, buf,
		      sizeof(buf));
	assert_string_equal(buf, "the program exit_creat on tracepoint/syscalls/sys_exit_creat did "
				 "not run for the tracer's own creat call");
	selfcheck_why(CC_HOOK_fx_do_accept, "fexit/do_accept", ~0u, buf, sizeof(buf));
	assert_string_equal(buf, "the program fx_do_accept on fexit/do_accept did not run for the "
				 "tracer's own accept and accept4 calls");
	selfcheck_why(CC_HOOK_fx_do_accept, "fexit/do_accept", ~0u, buf, 20); /* cut, terminated */
	assert_int_equal(strlen(buf), 19);
}

static int fds_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_calls(void **state)
{
	unsigned int want = 1u << CC_SYS_OPENAT | 1u << CC_SYS_CLOSE | 1u << CC_SYS_CONNECT |
			    1u << CC_SYS_ACCEPT4 | 1u << CC_SYS_ACCEPT;
	int before = fds_open();
	unsigned int made = selfcheck_calls();

	(void)state;
#ifdef SYS_open
	want |= 1u << CC_SYS_OPEN;
#endif
#ifdef SYS_creat
	want |= SELFCHECK_CREAT;
#endif
	/* openat2 where this kernel has it (5.6) */
	assert_int_equal(made & ~(1u << CC_SYS_OPENAT2), want);
	assert_int_equal(fds_open(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_the_object),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_silent),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
