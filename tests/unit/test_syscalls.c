/* Unit tests of the syscall table and -e list parsing. */
#include <errno.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "format/syscalls.h"

static void test_names_roundtrip(void **state)
{
	static const char *const expect[CC_SYS_MAX] = {"open",	  "openat", "openat2", "close",
						       "connect", "accept", "accept4"};

	for (int i = 0; i < CC_SYS_MAX; i++) {
		char tp[32];

		assert_string_equal(syscalls_name(i), expect[i]);
		assert_int_equal(syscalls_lookup(expect[i]), i);
		snprintf(tp, sizeof(tp), "sys_exit_%s", expect[i]);
		assert_string_equal(syscalls_tracepoint(i), tp);
	}
	assert_string_equal(syscalls_name(CC_SYS_MAX), "?");
	assert_null(syscalls_tracepoint(99));
	assert_int_equal(syscalls_lookup("read"), -1);
	assert_int_equal(syscalls_lookup(""), -1);
}

static void test_lists(void **state)
{
	static const struct {
		const char *list;
		unsigned int mask;
	} cases[] = {
		{"open", 1u << CC_SYS_OPEN},
		{"openat,close", 1u << CC_SYS_OPENAT | 1u << CC_SYS_CLOSE},
		{"all", SYSCALLS_ALL},
		{"open*", 1u << CC_SYS_OPEN | 1u << CC_SYS_OPENAT | 1u << CC_SYS_OPENAT2},
		{"accept*,connect",
		 1u << CC_SYS_ACCEPT | 1u << CC_SYS_ACCEPT4 | 1u << CC_SYS_CONNECT},
		{"close,close", 1u << CC_SYS_CLOSE},
	};
	char bad[80];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned int mask = 0;

		assert_int_equal(syscalls_parse_list(cases[i].list, &mask, bad, sizeof(bad)), 0);
		assert_int_equal(mask, cases[i].mask);
	}
}

static void test_bad_lists(void **state)
{
	static const struct {
		const char *list, *bad;
	} cases[] = {
		{"read", "read"}, {"open,,close", ""},	     {"open,", ""},
		{",open", ""},	  {"openat,bogus", "bogus"}, {"OPEN", "OPEN"},
	};
	char bad[80];
	unsigned int mask;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(syscalls_parse_list(cases[i].list, &mask, bad, sizeof(bad)),
				 -EINVAL);
		assert_string_equal(bad, cases[i].bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_roundtrip),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_bad_lists),
	};
	return cmocka_run_group_tests_name("syscalls", tests, NULL, NULL);
}
