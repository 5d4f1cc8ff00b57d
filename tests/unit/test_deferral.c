/* Unit tests of the held-back records: order per key, release when named or late, bounds, counts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "trace/deferral.h"

/* What the tests know as named, and what was emitted, in order. */
struct seen {
	uint64_t known[8];
	size_t nknown;
	char out[64][16];
	bool out_known[64];
	size_t nout;
};

static bool is_known(void *ctx, uint64_t key)
{
	struct seen *s = ctx;

	for (size_t i = 0; i < s->nknown; i++)
		if (s->known[i] == key)
			return true;
	return false;
}

static void emit(void *ctx, const void *data, size_t size, bool known)
{
	struct seen *s = ctx;

	assert_true(size < sizeof(s->out[0]));
	memcpy(s->out[s->nout], data, size);
	s->out[s->nout][size] = '\0';
	s->out_known[s->nout++] = known;
}

static void push(struct deferral *d, const struct deferral_ops *ops, uint64_t key,
		 uint64_t deadline, const char *text)
{
	assert_int_equal(deferral_push(d, ops, key, deadline, text, strlen(text)), 0);
}

static void test_order_and_naming(void **state)
{
	struct seen s = {0};
	const struct deferral_ops ops = {is_known, emit, &s, NULL, NULL};
	struct deferral d;
	char buf[8] = "a1";

	assert_int_equal(deferral_init(&d, 16, 1024), 0);
	assert_true(deferral_empty(&d));
	assert_int_equal(deferral_next_deadline(&d), 0);
	assert_int_equal(deferral_push(&d, &ops, 1, 100, buf, 2), 0);
	buf[0] = 'z'; /* held as a copy */
	push(&d, &ops, 2, 110, "b1");
	push(&d, &ops, 1, 120, "a2");
	assert_int_equal(deferral_next_deadline(&d), 100);
	/* nothing named, nothing late */
	assert_int_equal(deferral_release(&d, &ops, 50, false), 0);
	assert_true(deferral_holds(&d, 1));
	assert_true(deferral_holds(&d, 2));
	assert_false(deferral_holds(&d, 3));
	/* cgroup 2 named: b1 passes a1, whose cgroup is not */
	s.known[s.nknown++] = 2;
	assert_int_equal(deferral_release(&d, &ops, 60, false), 1);
	assert_string_equal(s.out[0], "b1");
	assert_false(deferral_holds(&d, 2));
	assert_true(deferral_holds(&d, 1));
	assert_int_equal(deferral_next_deadline(&d), 100);
	push(&d, &ops, 2, 130, "b2");
	push(&d, &ops, 1, 140, "a3");
	/* cgroup 1 named: its three in the order they came, and b2 */
	s.known[s.nknown++] = 1;
	assert_int_equal(deferral_release(&d, &ops, 70, false), 4);
	assert_int_equal(s.nout, 5);
	assert_string_equal(s.out[1], "a1");
	assert_string_equal(s.out[2], "a2");
	assert_string_equal(s.out[3], "b2");
	assert_string_equal(s.out[4], "a3");
	for (size_t i = 0; i < s.nout; i++)
		assert_true(s.out_known[i]);
	assert_true(deferral_empty(&d));
	assert_false(deferral_holds(&d, 1));
	assert_int_equal(d.bytes, 0);
	assert_int_equal(d.held, 5);
	assert_int_equal(d.named, 5);
	assert_int_equal(d.late, 0);
	deferral_free(&d);
}

static void test_deadline(void **state)
{
	struct seen s = {0};
	const struct deferral_ops ops = {is_known, emit, &s, NULL, NULL};
	struct deferral d;

	assert_int_equal(deferral_init(&d, 16, 1024), 0);
	push(&d, &ops, 1, 100, "a1");
	push(&d, &ops, 3, 120, "c1");
	push(&d, &ops, 2, 150, "b1");
	push(&d, &ops, 1, 200, "a2");
	s.known[s.nknown++] = 2;
	/* a1 is late at 100: out unnamed; c1 not late yet; b1 is named; a2 not late yet */
	assert_int_equal(deferral_release(&d, &ops, 100, false), 2);
	assert_string_equal(s.out[0], "a1");
	assert_false(s.out_known[0]);
	assert_string_equal(s.out[1], "b1");
	assert_true(s.out_known[1]);
	assert_int_equal(deferral_next_deadline(&d), 120);
	assert_int_equal(deferral_release(&d, &ops, 150, false), 1);
	assert_string_equal(s.out[2], "c1");
	assert_int_equal(deferral_next_deadline(&d), 200);
	assert_int_equal(deferral_release(&d, &ops, 199, false), 0);
	/* forced (exit): what is left, named or not */
	assert_int_equal(deferral_release(&d, &ops, 0, true), 1);
	assert_string_equal(s.out[3], "a2");
	assert_false(s.out_known[3]);
	assert_int_equal(d.late, 3);
	assert_int_equal(d.named, 1);
	assert_int_equal(d.pushed, 0);
	deferral_free(&d);
}

static void test_bounds_push_oldest_out(void **state)
{
	struct seen s = {0};
	const struct deferral_ops ops = {is_known, emit, &s, NULL, NULL};
	struct deferral d;
	char big[40];

	/* three records at most */
	assert_int_equal(deferral_init(&d, 3, 1024), 0);
	push(&d, &ops, 1, 100, "r1");
	push(&d, &ops, 1, 100, "r2");
	push(&d, &ops, 1, 100, "r3");
	assert_int_equal(s.nout, 0);
	push(&d, &ops, 1, 100, "r4");
	assert_int_equal(s.nout, 1);
	assert_string_equal(s.out[0], "r1");
	assert_false(s.out_known[0]);
	assert_int_equal(d.pushed, 1);
	/* the ring wraps: order kept */
	s.known[s.nknown++] = 1;
	assert_int_equal(deferral_release(&d, &ops, 0, false), 3);
	assert_string_equal(s.out[1], "r2");
	assert_string_equal(s.out[3], "r4");
	deferral_free(&d);

	/* ten bytes at most */
	memset(&s, 0, sizeof(s));
	assert_int_equal(deferral_init(&d, 100, 10), 0);
	push(&d, &ops, 7, 100, "aaaa");
	push(&d, &ops, 7, 100, "bbbb");
	push(&d, &ops, 7, 100, "cc"); /* exactly 10 */
	assert_int_equal(s.nout, 0);
	push(&d, &ops, 7, 100, "d"); /* 11: aaaa leaves */
	assert_int_equal(s.nout, 1);
	assert_string_equal(s.out[0], "aaaa");
	assert_int_equal(d.bytes, 7);
	/* larger than the bound alone: refused, nothing emitted for it */
	memset(big, 'x', sizeof(big));
	assert_int_equal(deferral_push(&d, &ops, 7, 100, big, sizeof(big)), -E2BIG);
	assert_int_equal(s.nout, 1);
	assert_int_equal(d.n, 3);
	deferral_free(&d);
	assert_int_equal(deferral_init(&d, 0, 10), -EINVAL);
}

/* Keys 10 and above may wait 1000 past their deadline (-I: what the path does not tell). */
static uint64_t patience(void *ctx, uint64_t key)
{
	(void)ctx;
	return key >= 10 ? 1000 : 0;
}

static void test_patience(void **state)
{
	struct seen s = {0};
	const struct deferral_ops ops = {is_known, emit, &s, patience, NULL};
	struct deferral d;

	assert_int_equal(deferral_init(&d, 16, 1024), 0);
	push(&d, &ops, 10, 100, "p1");
	push(&d, &ops, 1, 110, "a1");
	push(&d, &ops, 10, 120, "p2");
	push(&d, &ops, 2, 130, "b1");
	assert_int_equal(deferral_next_deadline(&d), 100);
	/* at 115 a1 is late; p1 past its deadline waits on, and p2 behind it */
	assert_int_equal(deferral_release(&d, &ops, 115, false), 1);
	assert_string_equal(s.out[0], "a1");
	assert_true(deferral_holds(&d, 10));
	/* p2's own deadline comes first (a wake-up early, never late), then b1's (130) */
	assert_int_equal(deferral_next_deadline(&d), 120);
	assert_int_equal(deferral_release(&d, &ops, 120, false), 0);
	assert_int_equal(deferral_next_deadline(&d), 130);
	assert_int_equal(deferral_release(&d, &ops, 130, false), 1);
	assert_string_equal(s.out[1], "b1");
	assert_int_equal(deferral_next_deadline(&d), 1100);
	assert_int_equal(deferral_release(&d, &ops, 1099, false), 0);
	/* named before its patience ran out: both, in order, named */
	s.known[s.nknown++] = 10;
	assert_int_equal(deferral_release(&d, &ops, 1099, false), 2);
	assert_string_equal(s.out[2], "p1");
	assert_string_equal(s.out[3], "p2");
	assert_true(s.out_known[2]);
	assert_true(s.out_known[3]);
	assert_int_equal(deferral_next_deadline(&d), 0);
	/* never named: out when the patience is over, in order, unnamed */
	push(&d, &ops, 11, 2000, "q1");
	push(&d, &ops, 11, 2050, "q2");
	assert_int_equal(deferral_release(&d, &ops, 2999, false), 0);
	assert_int_equal(deferral_next_deadline(&d), 3000);
	assert_int_equal(deferral_release(&d, &ops, 3000, false), 1);
	assert_string_equal(s.out[4], "q1");
	assert_false(s.out_known[4]);
	assert_int_equal(deferral_next_deadline(&d), 3050);
	assert_int_equal(deferral_release(&d, &ops, 3050, false), 1);
	assert_string_equal(s.out[5], "q2");
	assert_int_equal(d.late, 4);
	assert_int_equal(d.named, 2);
	deferral_free(&d);
}

/* records whose text starts with 'n' need key 9 once their own is known (a cgroup known as no
   container's: their mount namespace) */
static uint64_t rekey(void *ctx, const void *data, size_t size, uint64_t key)
{
	(void)ctx;
	(void)size;
	return ((const char *)data)[0] == 'n' ? 9 : key;
}

static void test_rekey(void **state)
{
	struct seen s = {0};
	const struct deferral_ops ops = {is_known, emit, &s, NULL, rekey};
	struct deferral d;

	assert_int_equal(deferral_init(&d, 16, 1024), 0);
	push(&d, &ops, 1, 100, "n1");
	push(&d, &ops, 1, 110, "c1");
	push(&d, &ops, 1, 120, "n2");
	push(&d, &ops, 2, 130, "n3");
	/* key 1 named: c1 goes, n1 and n2 wait for 9 in their order, not written unnamed */
	s.known[s.nknown++] = 1;
	assert_int_equal(deferral_release(&d, &ops, 50, false), 1);
	assert_string_equal(s.out[0], "c1");
	assert_true(s.out_known[0]);
	assert_false(deferral_holds(&d, 1));
	assert_true(deferral_holds(&d, 9));
	assert_true(deferral_holds(&d, 2)); /* its key unknown: not asked */
	/* their deadlines kept: n1 late at 100, unnamed */
	assert_int_equal(deferral_next_deadline(&d), 100);
	assert_int_equal(deferral_release(&d, &ops, 100, false), 1);
	assert_string_equal(s.out[1], "n1");
	assert_false(s.out_known[1]);
	/* 9 and 2 named: n2, n3 in order, named */
	s.known[s.nknown++] = 9;
	s.known[s.nknown++] = 2;
	assert_int_equal(deferral_release(&d, &ops, 101, false), 2);
	assert_string_equal(s.out[2], "n2");
	assert_string_equal(s.out[3], "n3");
	assert_true(s.out_known[2] && s.out_known[3]);
	assert_false(deferral_holds(&d, 9));
	assert_true(deferral_empty(&d));
	assert_int_equal(d.named, 3);
	assert_int_equal(d.late, 1);
	deferral_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_naming),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_bounds_push_oldest_out),
		cmocka_unit_test(test_patience),
		cmocka_unit_test(test_rekey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
