/* Unit tests of the naming thread's answers to a removed cgroup: the consumer's cache forgets it
   after every earlier answer about it, unless the consumer still holds records of it. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forget_after_answer),
		cmocka_unit_test(test_forget_in_use),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
