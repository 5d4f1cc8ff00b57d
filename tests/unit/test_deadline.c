/* Unit tests of the poll loop's wait: an overdue deadline waits for nothing (the tick's branch
   was dead: an unsigned difference of an overdue tick wrapped around to a huge wait). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "trace/deadline.h"

#define MS 1000000ull

static void test_overdue(void **state)
{
	uint64_t now = 5000 * MS;

	assert_int_equal(deadline_timeout_ms(now, now - 1, 100), 0);
	assert_int_equal(deadline_timeout_ms(now, now - 3000 * MS, 100), 0);
	assert_int_equal(deadline_timeout_ms(now, now, 100), 0);
}

static void test_due_later(void **state)
{
	uint64_t now = 5000 * MS;

	assert_int_equal(deadline_timeout_ms(now, now + 1, 100), 1); /* rounded up */
	assert_int_equal(deadline_timeout_ms(now, now + 40 * MS, 100), 40);
	assert_int_equal(deadline_timeout_ms(now, now + 40 * MS + 1, 100), 41);
	assert_int_equal(deadline_timeout_ms(now, now + 100 * MS, 100), 100);
	assert_int_equal(deadline_timeout_ms(now, now + 7000 * MS, 100), 100); /* not later */
	assert_int_equal(deadline_timeout_ms(now, now + 7000 * MS, -1), 7000); /* no limit yet */
	assert_int_equal(deadline_timeout_ms(now, now + 3 * MS, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_due_later),
	};
	return cmocka_run_group_tests_name("deadline", tests, NULL, NULL);
}
