/* Unit tests of the per-container counters: rows, results, intervals, expiry, top-K, deltas. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "format/strbuf.h"
#include "summary/expo.h"
#include "summary/fdtable.h"
#include "summary/summary.h"
#include "summary/tally.h"
#include "summary/topk.h"

static struct container_info ctr(const char *id, const char *name)
{
	struct container_info c = {.is_container = true, .cgroup_len = strlen(id) + 1};

	snprintf(c.id, sizeof(c.id), "%s", id);
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.runtime, sizeof(c.runtime), "runc");
	return c;
}

static uint64_t result(const struct summary_row *r, uint32_t sc, uint32_t err)
{
	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].syscall == sc && r->results[i].err == err)
			return r->results[i].total;
	return 0;
}

static void test_rows_by_container(void **state)
{
	struct summary s;
	struct container_info a = ctr("aaa", "web"), b = ctr("bbb", "db"), host = {0};
	struct summary_row *ra, *ra2, *rb, *rh, *rh2;

	summary_init(&s);
	ra = summary_row_of(&s, 10, "/aaa", &a);
	ra2 = summary_row_of(&s, 11, "/aaa/sub", &a); /* a sub-cgroup: the same container */
	rb = summary_row_of(&s, 20, "/bbb", &b);
	rh = summary_row_of(&s, 1, "/", &host);
	rh2 = summary_row_of(&s, 2, "/system.slice", NULL);
	assert_ptr_equal(ra, ra2);
	assert_ptr_not_equal(ra, rb);
	assert_ptr_equal(rh, rh2);
	assert_true(rh->host);
	assert_false(ra->host);
	assert_int_equal(s.n, 3);
	assert_string_equal(ra->name, "web");
	assert_string_equal(ra->cgroup_path, "/aaa");
	assert_int_equal(ra->ncgroups, 2);
	/* a cgroup first counted as the host's, then known as a container's, moves */
	assert_ptr_equal(summary_row_of(&s, 30, "/ccc", NULL), rh);
	assert_ptr_equal(summary_row_by_cgroup(&s, 30), rh);
	assert_ptr_equal(summary_row_of(&s, 30, "/bbb", &b), rb);
	assert_ptr_equal(summary_row_by_cgroup(&s, 30), rb);
	/* ... but never back: a container's cgroup stays its container's */
	assert_ptr_equal(summary_row_of(&s, 30, "/bbb", NULL), rb);
	summary_free(&s);
}

static void test_counts(void **state)
{
	struct summary s;
	struct container_info a = ctr("aaa", "web");
	struct summary_row *r;

	summary_init(&s);
	r = summary_row_of(&s, 10, "/aaa", &a);
	summary_add(&s, r, CC_SYS_OPENAT, 0, 5);
	summary_add(&s, r, CC_SYS_OPEN, 0, 2);
	summary_add(&s, r, CC_SYS_OPENAT, ENOENT, 3);
	summary_add(&s, r, CC_SYS_CLOSE, 0, 6);
	summary_add(&s, r, CC_SYS_CLOSE, EBADF, 4);
	summary_add(&s, r, CC_SYS_CONNECT, 0, 1);
	summary_add(&s, r, CC_SYS_ACCEPT, 0, 1);
	summary_add(&s, r, CC_SYS_ACCEPT4, 0, 1);
	assert_int_equal(r->interval[SUM_OPENS], 7);
	assert_int_equal(r->interval[SUM_FAILED], 3);
	assert_int_equal(r->interval[SUM_CLOSES], 10);
	assert_int_equal(r->interval[SUM_CONNECTS], 1);
	assert_int_equal(r->interval[SUM_ACCEPTS], 2);
	assert_int_equal(r->interval[SUM_EVENTS], 23);
	assert_int_equal(s.interval[SUM_EVENTS], 23);
	assert_int_equal(result(r, CC_SYS_OPENAT, 0), 5);
	assert_int_equal(result(r, CC_SYS_OPENAT, ENOENT), 3);
	assert_int_equal(result(r, CC_SYS_CLOSE, EBADF), 4);
	/* 7 opens + 2 accepts - 6 closes that succeeded */
	assert_int_equal(summary_row_fds(r), 3);
	summary_next_interval(&s);
	assert_int_equal(r->interval[SUM_EVENTS], 0);
	assert_int_equal(s.interval[SUM_OPENS], 0);
	assert_int_equal(r->total[SUM_EVENTS], 23);
	assert_int_equal(s.total[SUM_OPENS], 7);
	summary_add(&s, r, CC_SYS_CLOSE, 0, 100);
	assert_int_equal(summary_row_fds(r), 0); /* more closed than opened while tracing */
	summary_set_fds(r, 42); /* the descriptor table's count wins over the estimate */
	assert_int_equal(summary_row_fds(r), 42);
	summary_free(&s);
}

static void test_results_bounded(void **state)
{
	struct summary s;
	struct container_info a = ctr("aaa", "web");
	struct summary_row *r;
	uint64_t sum = 0;

	summary_init(&s);
	r = summary_row_of(&s, 10, "/aaa", &a);
	for (uint32_t e = 1; e <= 200; e++)
		summary_add(&s, r, CC_SYS_OPENAT, e, 1);
	assert_int_equal(r->nresults, SUMMARY_RESULTS);
	for (size_t i = 0; i < r->nresults; i++)
		sum += r->results[i].total;
	assert_int_equal(sum, 200); /* the rare ones fold into "other" */
	assert_int_equal(result(r, CC_SYS_OPENAT, SUMMARY_ERR_OTHER), 200 - SUMMARY_RESULTS + 1);
	summary_free(&s);
}

static void test_gone_and_expired(void **state)
{
	struct summary s;
	struct container_info a = ctr("aaa", "web"), b = ctr("bbb", "db");
	struct summary_row *ra, *rb;

	summary_init(&s);
	ra = summary_row_of(&s, 10, "/aaa", &a);
	summary_row_of(&s, 11, "/aaa/sub", &a);
	rb = summary_row_of(&s, 20, "/bbb", &b);
	summary_row_of(&s, 1, "/", NULL);
	summary_cgroup_removed(&s, 11, 1000);
	assert_int_equal(ra->gone_since_ns, 0); /* /aaa lives */
	summary_cgroup_removed(&s, 10, 2000);
	assert_int_equal(ra->gone_since_ns, 2000);
	summary_cgroup_removed(&s, 999, 2000); /* unknown: nothing */
	/* a removed cgroup still finds its row: its last counts are read after its removal */
	assert_ptr_equal(summary_row_by_cgroup(&s, 10), ra);
	assert_ptr_equal(summary_row_by_cgroup(&s, 11), ra);
	assert_ptr_equal(summary_row_by_cgroup(&s, 20), rb);
	assert_null(summary_row_by_cgroup(&s, 999));
	assert_int_equal(summary_expire(&s, 2999, 1000), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(summary_expire(&s, 3000, 1000), 1);
	assert_int_equal(s.n, 2);
	for (size_t i = 0; i < s.n; i++)
		assert_true(s.rows[i] == rb || s.rows[i]->host);
	/* a container seen again before expiry is alive again */
	summary_cgroup_removed(&s, 20, 5000);
	assert_int_not_equal(rb->gone_since_ns, 0);
	summary_row_of(&s, 21, "/bbb", &b);
	assert_int_equal(rb->gone_since_ns, 0);
	assert_int_equal(summary_expire(&s, 1000000, 1000), 0);
	summary_free(&s);
}

static void test_topk_exact_while_few(void **state)
{
	struct topk t = {0};
	const struct topk_slot *top[TOPK_SLOTS];
	char path[32];
	size_t n;

	for (int i = 0; i < 10; i++)
		for (int k = 0; k <= i; k++) {
			snprintf(path, sizeof(path), "/p%d", i);
			assert_int_equal(topk_add(&t, path, strlen(path)), 0);
		}
	n = topk_sorted(&t, top, 3);
	assert_int_equal(n, 3);
	assert_string_equal(top[0]->s, "/p9");
	assert_int_equal(top[0]->count, 10);
	assert_int_equal(top[0]->error, 0);
	assert_string_equal(top[1]->s, "/p8");
	assert_int_equal(top[2]->count, 8);
	assert_int_equal(t.seen, 55);
	topk_free(&t);
}

/* A heavy hitter among many distinct strings stays tracked, its count bounded by the error. */
static void test_topk_heavy_hitter(void **state)
{
	struct topk t = {0};
	const struct topk_slot *top[1];
	char path[32];

	for (int i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/rare/%d", i);
		assert_int_equal(topk_add(&t, path, strlen(path)), 0);
		if (i % 4 == 0)
			assert_int_equal(topk_add(&t, "/hot", 4), 0);
	}
	assert_int_equal(topk_sorted(&t, top, 1), 1);
	assert_string_equal(top[0]->s, "/hot");
	assert_true(top[0]->count >= 250);
	assert_true(top[0]->count - top[0]->error <= 250);
	topk_free(&t);
}

static void test_topk_long_and_nul(void **state)
{
	struct topk t = {0};
	const struct topk_slot *top[2];
	char long_a[TOPK_STR_MAX + 100], long_b[TOPK_STR_MAX + 100];

	memset(long_a, 'a', sizeof(long_a));
	memcpy(long_b, long_a, sizeof(long_b));
	long_b[sizeof(long_b) - 1] = 'b'; /* differs after the cut: the same slot */
	assert_int_equal(topk_add(&t, long_a, sizeof(long_a)), 0);
	assert_int_equal(topk_add(&t, long_b, sizeof(long_b)), 0);
	assert_int_equal(topk_add(&t, "x\0y", 3), 0);
	assert_int_equal(topk_add(&t, "x", 1), 0); /* not the same as "x\0y" */
	assert_int_equal(topk_sorted(&t, top, 2), 2);
	assert_int_equal(top[0]->count, 2);
	assert_int_equal(strlen(top[0]->s), TOPK_STR_MAX);
	assert_memory_equal(top[0]->s + TOPK_STR_MAX - 3, "...", 3);
	topk_free(&t);
}

static void hold(struct fdtable *t, uint32_t tgid, int32_t fd, uint64_t cgroup_id)
{
	struct fd_entry e = {.tgid = tgid, .fd = fd, .opened_ns = 1, .cgroup_id = cgroup_id};

	assert_int_equal(fdtable_open(t, &e), 0);
}

/* The descriptors open per row, from the table: by container across its cgroups, what no row
   knows in the host's, and what a process's end or a close took out gone at the next count. */
static void test_count_fds(void **state)
{
	struct summary s;
	struct container_info a = ctr("aaa", "web"), b = ctr("bbb", "db"), host = {0};
	struct summary_row *ra, *rb, *rh;
	struct fdtable *t;

	(void)state;
	summary_init(&s);
	assert_int_equal(fdtable_new(NULL, &t), 0);
	ra = summary_row_of(&s, 10, "/aaa", &a);
	assert_ptr_equal(summary_row_of(&s, 11, "/aaa/sub", &a), ra);
	rb = summary_row_of(&s, 20, "/bbb", &b);
	summary_add(&s, rb, CC_SYS_OPENAT, 0, 5); /* 5 opens counted, none of them in the table */
	summary_count_fds(&s, t);
	assert_int_equal(summary_row_fds(rb), 0); /* the table's 0, not opens minus closes */
	hold(t, 100, 3, 10);
	hold(t, 100, 4, 10);
	hold(t, 101, 3, 11); /* the container's sub-cgroup */
	hold(t, 200, 5, 99); /* a cgroup no row knows, and no host row yet: not counted */
	summary_count_fds(&s, t);
	assert_int_equal(summary_row_fds(ra), 3);
	assert_int_equal(summary_row_fds(rb), 0);
	rh = summary_row_of(&s, 1, "/", &host);
	hold(t, 300, 7, 1);
	summary_count_fds(&s, t);
	assert_int_equal(summary_row_fds(rh), 2); /* its own, and the unknown cgroup's */
	assert_int_equal(fdtable_end_process(t, 100, 0, NULL, NULL), 2); /* exits holding 2 */
	fdtable_release(fdtable_take(t, 300, 7));			 /* a close */
	summary_count_fds(&s, t);
	assert_int_equal(summary_row_fds(ra), 1);
	assert_int_equal(summary_row_fds(rh), 1);
	fdtable_free(t);
	summary_free(&s);
}

static void test_tally_delta(void **state)
{
	struct tally *t;
	struct cc_tally_key k1 = {.cgroup_id = 7, .syscall = CC_SYS_OPENAT, .err = 0};
	struct cc_tally_key k2 = {.cgroup_id = 7, .syscall = CC_SYS_OPENAT, .err = ENOENT};

	assert_int_equal(tally_new(&t), 0);
	assert_int_equal(tally_delta(t, &k1, 5), 5);
	assert_int_equal(tally_delta(t, &k1, 5), 0);
	assert_int_equal(tally_delta(t, &k1, 12), 7);
	assert_int_equal(tally_delta(t, &k2, 3), 3);
	assert_int_equal(tally_delta(t, &k1, 2), 2); /* made again after a delete */
	assert_int_equal(tally_size(t), 2);
	tally_free(t);
}

/* Thousands of containers: each found again by runtime and id (a new cgroup of it joins its row),
   the same id under another runtime is another row, and an expired row is found no more. */
/* The sum of a column over the shown rows. */
static uint64_t rows_total(const struct summary *s, enum summary_col c)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->rows[i]->total[c];
	return n;
}

static void test_overflow_bound(void **state)
{
	struct summary s;
	struct container_info a = ctr("aaa", "web"), b = ctr("bbb", "db"), c = ctr("ccc", "c"),
			      d = ctr("ddd", "d"), e = ctr("eee", "e"), f = ctr("fff", "f");
	struct summary_row *ra, *rb, *rc, *rd, *re, *o, *rh;

	(void)state;
	summary_init(&s);
	summary_set_max_rows(&s, 2);
	ra = summary_row_of(&s, 10, "/aaa", &a);
	rh = summary_row_of(&s, 1, "/", NULL); /* the host is no container: not bounded */
	rb = summary_row_of(&s, 20, "/bbb", &b);
	assert_null(s.overflow);
	rc = summary_row_of(&s, 30, "/ccc", &c); /* past the bound: members */
	rd = summary_row_of(&s, 40, "/ddd", &d);
	assert_ptr_equal(summary_row_of(&s, 41, "/ddd/sub", &d), rd); /* one member a container */
	re = summary_row_of(&s, 50, "/eee", &e);
	o = s.overflow;
	assert_non_null(o);
	assert_true(o->overflow);
	assert_string_equal(o->name, SUMMARY_OVERFLOW_NAME);
	assert_string_equal(o->id, "");
	assert_ptr_equal(summary_counted(rc), o);
	assert_ptr_equal(summary_counted(rd), o);
	assert_ptr_equal(summary_counted(ra), ra);
	assert_ptr_equal(summary_row_by_cgroup(&s, 41), rd);
	/* shown: the two containers, the host, the overflow row; three members */
	assert_int_equal(s.n, 4);
	assert_int_equal(s.nmembers, 3);
	assert_int_equal(s.overflowed, 3);
	summary_add(&s, ra, CC_SYS_OPENAT, 0, 5);
	summary_add(&s, rb, CC_SYS_OPENAT, 0, 3);
	summary_add(&s, rh, CC_SYS_OPENAT, 0, 1);
	summary_add(&s, rc, CC_SYS_OPENAT, 0, 7);
	summary_add(&s, rd, CC_SYS_OPENAT, ENOENT, 11);
	summary_add(&s, summary_row_by_cgroup(&s, 41), CC_SYS_CLOSE, 0, 13);
	summary_add_lost(re, 2);
	/* nothing dropped: the overflow row has the members' counts, and the rows add up */
	assert_int_equal(result(o, CC_SYS_OPENAT, 0), 7);
	assert_int_equal(result(o, CC_SYS_OPENAT, ENOENT), 11);
	assert_int_equal(result(o, CC_SYS_CLOSE, 0), 13);
	assert_int_equal(o->total[SUM_EVENTS], 31);
	assert_int_equal(o->lost, 2);
	assert_int_equal(s.total[SUM_EVENTS], 5 + 3 + 1 + 31);
	assert_int_equal(rows_total(&s, SUM_EVENTS), s.total[SUM_EVENTS]);
	assert_int_equal(rows_total(&s, SUM_OPENS), s.total[SUM_OPENS]);
	assert_int_equal(rows_total(&s, SUM_FAILED), s.total[SUM_FAILED]);
	assert_int_equal(rows_total(&s, SUM_CLOSES), s.total[SUM_CLOSES]);
	assert_int_equal(ra->total[SUM_EVENTS], 5);
	/* a member gone: it leaves after the grace period, its counts stay in the overflow row */
	summary_cgroup_removed(&s, 30, 1000);
	assert_int_equal(summary_expire(&s, 1500, 1000), 0);
	assert_int_equal(s.nmembers, 3);
	assert_int_equal(summary_expire(&s, 2000, 1000), 0); /* a member is no shown row */
	assert_int_equal(s.nmembers, 2);
	assert_null(summary_row_by_cgroup(&s, 30));
	assert_int_equal(o->total[SUM_EVENTS], 31);
	/* a member that counted nothing and is gone is dropped as unused rows are */
	summary_cgroup_removed(&s, 50, 3000);
	summary_drop_unused(&s);
	assert_int_equal(s.nmembers, 2); /* e lost 2: it counted */
	summary_row_of(&s, 60, "/fff", &f);
	assert_int_equal(s.nmembers, 3);
	summary_cgroup_removed(&s, 60, 3000);
	summary_drop_unused(&s);
	assert_int_equal(s.nmembers, 2);
	assert_int_equal(s.overflowed, 4);
	/* a named row expired: its place goes to the next new container, the members stay */
	summary_cgroup_removed(&s, 10, 4000);
	assert_int_equal(summary_expire(&s, 5000, 1000), 1);
	assert_ptr_equal(summary_row_of(&s, 42, "/ddd/sub2", &d), rd);
	f = ctr("ggg", "g");
	assert_ptr_equal(summary_counted(summary_row_of(&s, 70, "/ggg", &f)),
			 summary_row_of(&s, 70, "/ggg", &f));
	assert_false(summary_row_by_cgroup(&s, 70)->into);
	assert_int_equal(s.overflowed, 4);
	/* the overflow row itself never expires, even with no member left */
	summary_cgroup_removed(&s, 40, 6000);
	summary_cgroup_removed(&s, 41, 6000);
	summary_cgroup_removed(&s, 42, 6000);
	summary_cgroup_removed(&s, 50, 6000);
	summary_expire(&s, 100000, 1000);
	assert_int_equal(s.nmembers, 0);
	assert_ptr_equal(s.overflow, o);
	assert_int_equal(o->total[SUM_EVENTS], 31);
	summary_free(&s);
}

/* The copy the HTTP thread renders from renders as the rows do, and stays as it was taken. */
static void test_snapshot(void **state)
{
	struct summary s, c, e;
	struct container_info a = ctr("aaa", "web"), b = ctr("bbb", "db");
	struct expo_state st = {.version = "v", .mode = "stream"};
	struct strbuf x = {0}, y = {0};
	struct summary_row *ra, *rb;

	(void)state;
	summary_init(&s);
	summary_set_max_rows(&s, 1);
	ra = summary_row_of(&s, 10, "/aaa", &a);
	rb = summary_row_of(&s, 20, "/bbb", &b); /* a member */
	summary_add(&s, ra, CC_SYS_OPENAT, 0, 5);
	summary_add(&s, rb, CC_SYS_OPENAT, ENOENT, 2);
	summary_add(&s, summary_row_of(&s, 1, "/", NULL), CC_SYS_CLOSE, 0, 3);
	topk_add(&ra->paths, "/etc/passwd", 11);
	assert_int_equal(summary_snapshot(&s, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.nmembers, 1);
	assert_int_equal(c.overflowed, 1);
	assert_int_equal(c.max_rows, 1);
	assert_true(c.host && c.host->host && c.host != s.host);
	assert_true(c.overflow && c.overflow->overflow && c.overflow != s.overflow);
	assert_int_equal(c.rows[0]->paths.seen, 0); /* the paths' strings are not shared */
	expo_write(&x, &s, &st);
	expo_write(&y, &c, &st);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.buf, y.buf, x.len);
	/* later counts, and the rows' end, leave the copy as it was */
	summary_add(&s, ra, CC_SYS_OPENAT, 0, 100);
	summary_free(&s);
	y.len = 0;
	expo_write(&y, &c, &st);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.buf, y.buf, x.len);
	assert_int_equal(result(c.rows[0], CC_SYS_OPENAT, 0), 5);
	summary_snapshot_free(&c);
	assert_null(c.rows);
	/* no row at all */
	summary_init(&s);
	assert_int_equal(summary_snapshot(&s, &e), 0);
	assert_int_equal(e.n, 0);
	summary_snapshot_free(&e);
	strbuf_free(&x);
	strbuf_free(&y);
}

static void test_many_containers(void **state)
{
	enum { N = 5000 };
	static struct summary_row *rows[N];
	struct summary s;
	char id[32];

	(void)state;
	summary_init(&s);
	for (int i = 0; i < N; i++) {
		struct container_info c;

		snprintf(id, sizeof(id), "c%d", i);
		c = ctr(id, id);
		rows[i] = summary_row_of(&s, 100000 + (uint64_t)i, id, &c);
		assert_non_null(rows[i]);
	}
	assert_int_equal(s.n, N);
	for (int i = 0; i < N; i++) {
		struct container_info c;

		snprintf(id, sizeof(id), "c%d", i);
		c = ctr(id, id);
		assert_ptr_equal(summary_row_of(&s, 200000 + (uint64_t)i, id, &c), rows[i]);
		snprintf(c.runtime, sizeof(c.runtime), "crun");
		assert_ptr_not_equal(summary_row_of(&s, 300000 + (uint64_t)i, id, &c), rows[i]);
	}
	assert_int_equal(s.n, 2 * N);
	/* the runc rows' cgroups removed, then expired: only the crun rows stay, still found */
	for (int i = 0; i < N; i++) {
		summary_cgroup_removed(&s, 100000 + (uint64_t)i, 1);
		summary_cgroup_removed(&s, 200000 + (uint64_t)i, 1);
	}
	assert_int_equal(summary_expire(&s, 10, 5), N);
	assert_int_equal(s.n, N);
	for (int i = 0; i < N; i += 7) {
		struct container_info c;
		struct summary_row *r;

		snprintf(id, sizeof(id), "c%d", i);
		c = ctr(id, id);
		snprintf(c.runtime, sizeof(c.runtime), "crun");
		r = summary_row_by_cgroup(&s, 300000 + (uint64_t)i);
		assert_non_null(r);
		assert_ptr_equal(summary_row_of(&s, 400000 + (uint64_t)i, id, &c), r);
		/* the runc one is a new row now */
		snprintf(c.runtime, sizeof(c.runtime), "runc");
		r = summary_row_of(&s, 500000 + (uint64_t)i, id, &c);
		assert_non_null(r);
		assert_int_equal(r->ncgroups, 1);
		assert_int_equal(r->total[SUM_EVENTS], 0);
	}
	summary_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_containers),
		cmocka_unit_test(test_overflow_bound),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_rows_by_container),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_results_bounded),
		cmocka_unit_test(test_gone_and_expired),
		cmocka_unit_test(test_topk_exact_while_few),
		cmocka_unit_test(test_topk_heavy_hitter),
		cmocka_unit_test(test_topk_long_and_nul),
		cmocka_unit_test(test_tally_delta),
		cmocka_unit_test(test_count_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
