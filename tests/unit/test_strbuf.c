/* Unit tests of the growable buffer: an allocation that fails once takes back its line whole,
   and the next line is written (a failure is not for good). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "format/strbuf.h"

static void add_n(struct strbuf *b, char c, size_t n)
{
	char chunk[1000];

	memset(chunk, c, sizeof(chunk));
	while (n) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);

		strbuf_add(b, chunk, k);
		n -= k;
	}
}

/* A line that does not fit fails once: nothing of it stays, the next line is written whole. */
static void test_fail_once_then_recover(void **state)
{
	struct strbuf b = {.max = 8192};
	size_t mark;

	mark = strbuf_begin(&b);
	add_n(&b, 'a', 5000);
	strbuf_addc(&b, '\n');
	assert_int_equal(strbuf_end(&b, mark), 0);
	assert_int_equal(b.len, 5001);

	mark = strbuf_begin(&b);
	add_n(&b, 'b', 5000); /* 10,001 bytes would not fit in 8,192 */
	strbuf_addc(&b, '\n');
	assert_true(b.oom);
	assert_int_equal(strbuf_end(&b, mark), -ENOMEM);
	assert_false(b.oom);
	assert_int_equal(b.len, 5001);

	mark = strbuf_begin(&b);
	add_n(&b, 'c', 100);
	strbuf_addc(&b, '\n');
	assert_int_equal(strbuf_end(&b, mark), 0);
	assert_int_equal(b.len, 5102);
	assert_int_equal(b.buf[5001], 'c');
	assert_int_equal(b.buf[5101], '\n');
	strbuf_free(&b);
}

/*
 * A failed append in the middle of a line, later appends of the same line that fit: the line is
 * still taken back whole (no line with a hole in it).
 */
static void test_hole_taken_back(void **state)
{
	struct strbuf b = {.max = 4096};
	size_t mark = strbuf_begin(&b);

	strbuf_adds(&b, "{\"a\":1,");
	add_n(&b, 'x', 5000);	       /* fails */
	strbuf_adds(&b, "\"b\":2}\n"); /* fits again */
	assert_int_equal(strbuf_end(&b, mark), -ENOMEM);
	assert_int_equal(b.len, 0);
	strbuf_free(&b);
}

/* Without strbuf_begin/end a failure is still seen in oom, and the next grow tries again. */
static void test_grow_tries_again(void **state)
{
	struct strbuf b = {.max = 4096};

	add_n(&b, 'x', 4000);
	assert_int_equal(strbuf_grow(&b, 200), -ENOMEM);
	assert_true(b.oom);
	b.max = 0; /* memory again */
	assert_int_equal(strbuf_grow(&b, 200), 0);
	strbuf_adds(&b, "yz");
	assert_int_equal(b.len, 4002);
	assert_true(b.oom); /* what failed before is still said, until the next begin */
	strbuf_free(&b);
}

/* A limit is the most the buffer holds: exactly max bytes fit. */
static void test_max_exact(void **state)
{
	struct strbuf b = {.max = 5000};

	add_n(&b, 'x', 5000);
	assert_false(b.oom);
	assert_int_equal(b.len, 5000);
	assert_true(b.cap <= 5000);
	strbuf_addc(&b, 'y');
	assert_true(b.oom);
	assert_int_equal(b.len, 5000);
	strbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_once_then_recover),
		cmocka_unit_test(test_hole_taken_back),
		cmocka_unit_test(test_grow_tries_again),
		cmocka_unit_test(test_max_exact),
	};
	return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
