/* Unit tests of the naming thread: its answers to a removed cgroup (the consumer's cache forgets
   it after every earlier answer about it, unless the consumer still holds records of it), and
   the hand-over (the consumer woken through the eventfd, the two answer arrays swapped, the
   thread waiting for room when the consumer does not collect). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <poll.h>

#include <cmocka.h>

#include "enrich/namer.h"
#include "enrich/resolver.h"

static struct resolver *plain_resolver(void)
{
	struct resolver_opts o = {
		.v2_mount = "", .state_root = "/nonexistent-copenclose-unit", .no_prime = true};
	struct resolver *r = NULL;

	assert_int_equal(resolver_new(&o, &r), 0);
	return r;
}

/* Collect until the thread has nothing left (a few seconds at most). */
static void settle(struct namer *n, struct resolver *front)
{
	struct timespec ms = {0, 1000000};

	for (int i = 0; i < 5000 && !namer_idle(n); i++) {
		namer_collect(n, front);
		nanosleep(&ms, NULL);
	}
	namer_collect(n, front);
	assert_true(namer_idle(n));
}

static bool always(void *ctx, uint64_t key)
{
	(void)key;
	++*(int *)ctx;
	return true;
}

/* A cgroup made and removed before its answer came: the cache ends without it. */
static void test_forget_after_answer(void **state)
{
	struct resolver *front = plain_resolver();
	struct namer *n;
	size_t req = 9, ans = 9;

	(void)state;
	assert_int_equal(namer_start(&n, plain_resolver(), 64), 0);
	for (uint64_t k = 100; k < 110; k++)
		assert_int_equal(namer_ask(n, IDQ_LEARN, k, "/gone", 5, "mkdir"), 0);
	for (uint64_t k = 100; k < 110; k++)
		assert_int_equal(namer_ask(n, IDQ_FORGET, k, NULL, 0, NULL), 0);
	assert_int_equal(namer_ask(n, IDQ_LEARN, 200, "/kept", 5, "mkdir"), 0);
	settle(n, front);
	assert_null(resolver_peek(front, 100, NULL));
	assert_null(resolver_peek(front, 109, NULL));
	assert_non_null(resolver_peek(front, 200, NULL));
	assert_string_equal(resolver_peek(front, 200, NULL)->path, "/kept");
	assert_int_equal(resolver_cache_size(front), 1);
	assert_int_equal(namer_back_entries(n), 1);
	namer_queued(n, &req, &ans);
	assert_int_equal(req, 0);
	assert_int_equal(ans, 0);
	namer_stop(n);
	resolver_free(front);
}

/* Records of the cgroup still wait: the consumer forgets it itself, later. */
static void test_forget_in_use(void **state)
{
	struct resolver *front = plain_resolver();
	struct namer *n;
	int asked = 0;

	(void)state;
	assert_int_equal(namer_start(&n, plain_resolver(), 64), 0);
	namer_forget_unless(n, always, &asked);
	assert_int_equal(namer_ask(n, IDQ_LEARN, 300, "/held", 5, "mkdir"), 0);
	assert_int_equal(namer_ask(n, IDQ_FORGET, 300, NULL, 0, NULL), 0);
	settle(n, front);
	assert_int_equal(asked, 1);
	assert_non_null(resolver_peek(front, 300, NULL));
	assert_int_equal(namer_back_entries(n), 0);
	namer_stop(n);
	resolver_free(front);
}

/* The sweep: a cgroup whose directory is gone, unused since the previous sweep, is forgotten. */
static void test_sweep(void **state)
{
	char dir[] = "/tmp/cc-unit-sweep-XXXXXX", a[64], b[64];
	struct resolver_opts o = {.state_root = "/nonexistent-copenclose-unit", .no_prime = true};
	struct resolver *r = NULL;
	uint64_t gone[4];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	assert_int_equal(mkdir(a, 0700), 0);
	assert_int_equal(mkdir(b, 0700), 0);
	o.v2_mount = dir;
	assert_int_equal(resolver_new(&o, &r), 0);
	resolver_learn(r, 11, "/a", 2);
	resolver_learn(r, 12, "/b", 2);
	assert_int_equal(resolver_cache_size(r), 2);
	assert_int_equal(rmdir(a), 0);
	/* used since the last sweep (there was none): kept for now */
	assert_int_equal(resolver_sweep(r, gone, 4), 0);
	assert_int_equal(resolver_cache_size(r), 2);
	/* unused since: /a is gone, /b is there */
	assert_int_equal(resolver_sweep(r, gone, 4), 1);
	assert_int_equal(gone[0], 11);
	assert_null(resolver_peek(r, 11, NULL));
	assert_non_null(resolver_peek(r, 12, NULL)); /* used again */
	assert_int_equal(rmdir(b), 0);
	assert_int_equal(resolver_sweep(r, gone, 4), 0);
	assert_int_equal(resolver_sweep(r, gone, 4), 1);
	assert_int_equal(gone[0], 12);
	assert_int_equal(resolver_cache_size(r), 0);
	resolver_free(r);
	assert_int_equal(rmdir(dir), 0);
}

static bool readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* The consumer is woken only when there are answers; 1,000 answers pass through arrays of 256:
   the thread waits for room (never more than 256 wait), each collect swaps and makes room,
   every answer reaches the consumer's cache once, with its own path. */
static void test_swap_and_wakeup(void **state)
{
	struct resolver *front = plain_resolver();
	struct namer *n;
	size_t req, ans, total = 0, most = 0;
	char path[32];

	(void)state;
	/* the front cache holds them all */
	assert_int_equal(namer_start(&n, plain_resolver(), 2048), 0);
	assert_false(readable(namer_fd(n), 50)); /* nothing asked: no wake-up */
	assert_int_equal(namer_collect(n, front), 0);
	assert_int_equal(namer_ask(n, IDQ_LEARN, 1, "/one", 4, "mkdir"), 0);
	assert_true(readable(namer_fd(n), 5000)); /* the thread woke, answered, woke us */
	assert_int_equal(namer_collect(n, front), 1);
	assert_string_equal(resolver_peek(front, 1, NULL)->path, "/one");
	assert_false(readable(namer_fd(n), 0)); /* the collect read the wake-up */
	for (uint64_t k = 1000; k < 2000; k++) {
		snprintf(path, sizeof(path), "/c%llu", (unsigned long long)k);
		assert_int_equal(namer_ask(n, IDQ_LEARN, k, path, strlen(path), "mkdir"), 0);
	}
	/* not collected: the thread stops at 256 waiting answers, the rest still asked */
	for (int i = 0; i < 5000; i++) {
		namer_queued(n, &req, &ans);
		if (ans == 256)
			break;
		usleep(1000);
	}
	namer_queued(n, &req, &ans);
	assert_int_equal(ans, 256);
	usleep(20000);
	namer_queued(n, &req, &ans);
	assert_int_equal(ans, 256);
	assert_true(req > 0);
	assert_false(namer_idle(n));
	while (total < 1000 && readable(namer_fd(n), 5000)) {
		size_t got = namer_collect(n, front);

		most = got > most ? got : most;
		total += got;
	}
	assert_int_equal(total, 1000);
	assert_int_equal(most, 256);
	settle(n, front);
	for (uint64_t k = 1000; k < 2000; k++) {
		const struct cgroup_identity *id = resolver_peek(front, k, NULL);

		snprintf(path, sizeof(path), "/c%llu", (unsigned long long)k);
		assert_non_null(id);
		assert_string_equal(id->path, path);
	}
	assert_int_equal(resolver_cache_size(front), 1001);
	namer_stop(n);
	resolver_free(front);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forget_after_answer),
		cmocka_unit_test(test_forget_in_use),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_swap_and_wakeup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
