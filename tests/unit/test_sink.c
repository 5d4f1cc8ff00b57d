/* Unit tests of the stdout writer on real pipes and sockets: whole batches, partial writes,
   readers gone, a stop that comes while a write is blocked. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
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

/* Everything a pipe or socket holds, read out: its bytes; torn when not whole lines. */
static size_t drain_pipe(int fd, size_t line_len, int *torn)
{
	char got[8192];
	size_t total = 0;
	ssize_t n;
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while ((n = read(fd, got, sizeof(got))) > 0)
		total += (size_t)n;
	fcntl(fd, F_SETFL, fl);
	*torn = total % line_len != 0;
	return total;
}

/*
 * A reader that takes nothing: with a deadline only whole lines go out (in writes a pipe takes
 * whole), the lines in the pipe are the ones delivered, the rest counted unwritten.
 */
static void test_stalled_reader_partial(void **state)
{
	struct strbuf b = {0};
	struct sink k;
	int p[2], cap, torn;
	size_t in_pipe;

	assert_int_equal(pipe(p), 0);
	cap = fcntl(p[1], F_GETPIPE_SZ);
	assert_true(cap > 0);
	sink_init(&k, p[1]);
	/* lines of 1000 bytes, twice what the pipe holds */
	fill(&k, &b, 2 * cap / 1000, 1000);
	sink_flush(&k, &b, &no_stop, 50);
	assert_true(k.stalled);
	assert_false(k.closed);
	assert_false(k.cut);
	in_pipe = drain_pipe(p[0], 1000, &torn);
	assert_false(torn);
	assert_true(in_pipe > 0);
	assert_int_equal(k.delivered, in_pipe / 1000);
	assert_int_equal(k.delivered + k.unwritten, (uint64_t)(2 * cap / 1000));
	close(p[0]);
	close(p[1]);
	strbuf_free(&b);
}

static volatile sig_atomic_t stop;

static void on_alarm(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGALRM in ms milliseconds sets stop, interrupting a blocked write (no SA_RESTART). */
static void stop_in(int ms)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct itimerval it = {.it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000}};

	stop = 0;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

struct late_reader {
	int fd;
	int after_ms;
	size_t total;
	int torn;
};

/* Reads nothing for after_ms, then everything until the write end closes. */
static void *read_late(void *arg)
{
	struct late_reader *r = arg;
	char got[8192];
	ssize_t n;

	usleep((useconds_t)r->after_ms * 1000);
	while ((n = read(r->fd, got, sizeof(got))) > 0) {
		r->total += (size_t)n;
		r->torn = got[n - 1] != '\n';
	}
	return NULL;
}

/* A UNIX stream socket pair with a small send buffer: [0] reads, [1] writes. */
static void small_socketpair(int sv[2])
{
	int size = 65536;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)), 0);
}

#define MANY 1000 /* lines of 1,000 bytes: more than the pipe or the socket takes */

/*
 * A signal that sets the stop flag while a write to a full pipe is blocked: the pipe was given
 * only what it takes at once, so it holds whole lines only, each delivered one.
 */
static void test_stop_pipe_whole(void **state)
{
	struct strbuf b = {0};
	struct sink k;
	int p[2], torn;
	size_t in_pipe;

	assert_int_equal(pipe(p), 0);
	sink_init(&k, p[1]);
	fill(&k, &b, MANY, 1000);
	stop_in(100);
	sink_flush(&k, &b, &stop, -1);
	assert_true(stop);
	assert_false(k.cut);
	in_pipe = drain_pipe(p[0], 1000, &torn);
	assert_false(torn);
	assert_true(in_pipe > 0);
	assert_int_equal(k.delivered, in_pipe / 1000);
	assert_int_equal(k.delivered + k.unwritten, MANY);
	close(p[0]);
	close(p[1]);
	strbuf_free(&b);
}

/*
 * A signal that sets the stop flag while a write to a full socket is blocked, in the middle of
 * a line: the line is finished once the reader reads again (within SINK_FINISH_MS), and the
 * reader gets whole lines only, each delivered one.
 */
static void test_stop_finishes_the_line(void **state)
{
	struct strbuf b = {0};
	struct late_reader r = {.after_ms = 300};
	struct sink k;
	pthread_t t;
	int sv[2];

	small_socketpair(sv);
	r.fd = sv[0];
	sink_init(&k, sv[1]);
	fill(&k, &b, MANY, 1000);
	assert_int_equal(pthread_create(&t, NULL, read_late, &r), 0);
	stop_in(100);
	sink_flush(&k, &b, &stop, -1);
	assert_true(stop);
	close(sv[1]);
	assert_int_equal(pthread_join(t, NULL), 0);
	close(sv[0]);
	assert_false(k.cut);
	assert_false(r.torn);
	assert_int_equal(r.total % 1000, 0);
	assert_true(r.total > 0);
	assert_int_equal(k.delivered, r.total / 1000);
	assert_int_equal(k.delivered + k.unwritten, MANY);
	strbuf_free(&b);
}

/*
 * The same with a reader that does not read again within SINK_FINISH_MS: the sink stalls with
 * its last line cut (said in cut), writes nothing more, and counts that line unwritten.
 */
static void test_stop_reader_gone_quiet(void **state)
{
	struct strbuf b = {0};
	struct sink k;
	int sv[2], torn;
	size_t got;

	small_socketpair(sv);
	sink_init(&k, sv[1]);
	fill(&k, &b, MANY, 1000);
	stop_in(100);
	sink_flush(&k, &b, &stop, -1);
	assert_true(k.stalled);
	assert_true(k.cut);
	got = drain_pipe(sv[0], 1000, &torn);
	assert_true(torn); /* it took nothing of the begun line's rest: the stream ends cut */
	assert_int_equal(k.delivered, got / 1000);
	assert_int_equal(k.delivered + k.unwritten, MANY);
	/* nothing after the cut line, not even once the reader reads again */
	fill(&k, &b, 3, 1000);
	sink_flush(&k, &b, &stop, 300);
	assert_int_equal(drain_pipe(sv[0], 1000, &torn), 0);
	assert_int_equal(k.delivered + k.unwritten, MANY + 3);
	close(sv[0]);
	close(sv[1]);
	strbuf_free(&b);
}

/* Stop already set and nobody reading: the flush returns (no write blocks), whole lines only. */
static void test_stop_set_before(void **state)
{
	struct strbuf b = {0};
	struct sink k;
	int p[2], cap, torn;
	size_t in_pipe;

	assert_int_equal(pipe(p), 0);
	cap = fcntl(p[1], F_GETPIPE_SZ);
	sink_init(&k, p[1]);
	fill(&k, &b, 2 * cap / 1000, 1000);
	stop = 1;
	sink_flush(&k, &b, &stop, -1);
	assert_true(k.stalled);
	assert_false(k.cut);
	in_pipe = drain_pipe(p[0], 1000, &torn);
	assert_false(torn);
	assert_int_equal(k.delivered, in_pipe / 1000);
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
		cmocka_unit_test(test_whole_batch),
		cmocka_unit_test(test_reader_gone),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_stalled_reader_partial),
		cmocka_unit_test(test_stop_pipe_whole),
		cmocka_unit_test(test_stop_finishes_the_line),
		cmocka_unit_test(test_stop_reader_gone_quiet),
		cmocka_unit_test(test_stop_set_before),
		cmocka_unit_test(test_full),
	};
	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
