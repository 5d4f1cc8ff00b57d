/* Unit tests of the list of optional programs the kernel refused: names appended once each,
   ","-separated, a name never taken for another it begins, and a full list refused whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "trace/optional.h"

static void test_appends_once(void **state)
{
	char list[64] = "";

	(void)state;
	assert_int_equal(optional_add(list, sizeof(list), "fx_io_close"), 0);
	assert_string_equal(list, "fx_io_close");
	assert_int_equal(optional_add(list, sizeof(list), "fx_io_openat2"), 0);
	assert_string_equal(list, "fx_io_close,fx_io_openat2");
	assert_int_equal(optional_add(list, sizeof(list), "fx_io_close"), 0);
	assert_string_equal(list, "fx_io_close,fx_io_openat2");
}

static void test_prefix_is_another_name(void **state)
{
	char list[64] = "fx_io_openat2";

	(void)state;
	assert_int_equal(optional_add(list, sizeof(list), "fx_io_open"), 0);
	assert_string_equal(list, "fx_io_openat2,fx_io_open");
	assert_int_equal(optional_add(list, sizeof(list), "fx_io"), 0);
	assert_string_equal(list, "fx_io_openat2,fx_io_open,fx_io");
}

static void test_full(void **state)
{
	char list[12] = "";

	(void)state;
	assert_int_equal(optional_add(list, sizeof(list), "fx_io_close"), 0); /* 11 + NUL */
	assert_int_equal(optional_add(list, sizeof(list), "a"), -ENOSPC);
	assert_string_equal(list, "fx_io_close");
	list[0] = '\0';
	assert_int_equal(optional_add(list, sizeof(list), "fx_io_accept"), -ENOSPC);
	assert_string_equal(list, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends_once),
		cmocka_unit_test(test_prefix_is_another_name),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
