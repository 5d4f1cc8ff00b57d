/* Unit tests of the stdout writer on real pipes: whole batches, partial writes, readers gone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace/sink.h"

static volatile sig_atomic_t no_stop;

/* n lines of len bytes each (newline included) into b, counted in k. */
static void fill(struct sink *k, struct strbuf *b, int n, size_t len)
{
	char line[70000];

	memset(line, 'x', len - 1);
	line[len - 1] = '\n';
	for (int i = 0; i < n; i++) {
		strbuf_add(b, line, len);
		assert_int_equal(sink_add(k, b->len), 0);
	}
}

static void test_whole_batch(void **state)
{
	struct strbuf b = {0};
	struct sink k;
	int p[2];
	char got[4096];

	assert_int_equal(pipe(p), 0);
	sink_init(&k, p[1]);
	fill(&k, &b, 10, 100);
	sink_flush(&k, &b, &no_stop, -1);
	assert_int_equal(k.delivered, 10);
	assert_int_equal(k.unwritten, 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(read(p[0], got, sizeof(got)), 1000);
	close(p[0]);
	close(p[1]);
	strbuf_free(&b);
}

static void test_reader_gone(void **state)
{
	struct strbuf b = {0};
	struct sink k;
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	sink_init(&k, p[1]);
	fill(&k, &b, 3, 50);
	sink_flush(&k, &b, &no_stop, -1);
	assert_true(k.closed);
	assert_int_equal(k.error, 0); /* a reader that left is not an error */
	assert_int_equal(k.delivered, 0);
	assert_int_equal(k.unwritten, 3);
	close(p[1]);
	strbuf_free(&b);
}

/* A device that takes nothing (ENOSPC): the error is kept, nothing counts as delivered. */
static void test_write_error(void **state)
{
	struct strbuf b = {0};
	struct sink k;
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	sink_init(&k, fd);
	fill(&k, &b, 3, 50);
	sink_flush(&k, &b, &no_stop, -1);
	assert_true(k.closed);
	assert_int_equal(k.error, ENOSPC);
	assert_int_equal(k.delivered, 0);
	assert_int_equal(k.unwritten, 3);
	close(fd);
	strbuf_free(&b);
}

/* A reader that takes nothing: with a deadline the whole lines that fit count, the rest not. */
static void test_stalled_reader_partial(void **state)
{
	struct strbuf b = {0};
	struct sink k;
	int p[2], cap;

	assert_int_equal(pipe(p), 0);
	cap = fcntl(p[1], F_GETPIPE_SZ);
	assert_true(cap > 0);
	sink_init(&k, p[1]);
	/* lines of 1000 bytes, twice what the pipe holds */
	fill(&k, &b, 2 * cap / 1000, 1000);
	sink_flush(&k, &b, &no_stop, 50);
	assert_true(k.stalled);
	assert_false(k.closed);
	/* the pipe holds cap bytes: exactly the lines wholly inside them were delivered */
	assert_int_equal(k.delivered, (uint64_t)cap / 1000);
	assert_int_equal(k.delivered + k.unwritten, (uint64_t)(2 * cap / 1000));
	close(p[0]);
	close(p[1]);
	strbuf_free(&b);
}

static void test_full(void **state)
{
	struct sink k;

	sink_init(&k, -1);
	for (int i = 0; i < SINK_BATCH; i++)
		assert_int_equal(sink_add(&k, (size_t)i), 0);
	assert_true(sink_full(&k));
	assert_int_equal(sink_add(&k, 1), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_batch), cmocka_unit_test(test_reader_gone),
		cmocka_unit_test(test_write_error), cmocka_unit_test(test_stalled_reader_partial),
		cmocka_unit_test(test_full),
	};
	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
