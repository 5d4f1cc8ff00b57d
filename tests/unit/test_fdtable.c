/* Unit tests of the descriptor table: keys, bounds, process ends, counts, iteration, snapshot. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "summary/fdtable.h"

static struct fd_entry mk(uint32_t tgid, int32_t fd, uint64_t ts, uint64_t cg, const char *text,
			  uint32_t flags)
{
	struct fd_entry e;

	memset(&e, 0, sizeof(e));
	e.tgid = tgid;
	e.fd = fd;
	e.opened_ns = ts;
	e.cgroup_id = cg;
	e.syscall = 1;
	e.flags = flags;
	e.text = text;
	e.text_len = text ? (uint32_t)strlen(text) : 0;
	strcpy(e.comm, "proc");
	return e;
}

static struct fdtable *table(size_t total, size_t per_proc, size_t bytes)
{
	struct fdtable_limits lim = {total, per_proc, bytes};
	struct fdtable *t;

	assert_int_equal(fdtable_new(&lim, &t), 0);
	return t;
}

static void test_open_take(void **state)
{
	struct fdtable *t = table(0, 0, 0);
	char path[] = "/etc/hosts";
	struct fd_entry in = mk(10, 3, 500, 7, path, FDT_CLOEXEC), *e;
	struct fdtable_stats st;

	assert_int_equal(fdtable_open(t, &in), 0);
	path[1] = 'X'; /* the table keeps its own copy */
	assert_non_null(fdtable_find(t, 10, 3));
	assert_null(fdtable_find(t, 10, 4));
	assert_null(fdtable_find(t, 11, 3));
	e = fdtable_take(t, 10, 3);
	assert_non_null(e);
	assert_int_equal(e->tgid, 10);
	assert_int_equal(e->fd, 3);
	assert_int_equal(e->opened_ns, 500);
	assert_int_equal(e->cgroup_id, 7);
	assert_int_equal(e->flags, FDT_CLOEXEC);
	assert_int_equal(e->text_len, 10);
	assert_memory_equal(e->text, "/etc/hosts", 10);
	assert_string_equal(e->comm, "proc");
	fdtable_release(e);
	assert_null(fdtable_take(t, 10, 3));
	fdtable_stats(t, &st);
	assert_int_equal(st.open, 0);
	assert_int_equal(st.procs, 0);
	assert_int_equal(st.text_bytes, 0);
	fdtable_free(t);
}

static void test_replace_and_invalid(void **state)
{
	struct fdtable *t = table(0, 0, 0);
	struct fd_entry a = mk(10, 3, 1, 7, "/a", 0), b = mk(10, 3, 2, 8, "/bb", 0);
	struct fd_entry bad = mk(10, -1, 1, 7, "/a", 0);
	struct fdtable_stats st;
	const struct fd_entry *e;

	assert_int_equal(fdtable_open(t, &a), 0);
	assert_int_equal(fdtable_open(t, &b), 0);
	assert_int_equal(fdtable_open(t, &bad), -EINVAL);
	e = fdtable_find(t, 10, 3);
	assert_int_equal(e->opened_ns, 2);
	assert_memory_equal(e->text, "/bb", 3);
	fdtable_stats(t, &st);
	assert_int_equal(st.open, 1);
	assert_int_equal(st.replaced, 1);
	assert_int_equal(st.text_bytes, 3);
	assert_int_equal(fdtable_open_count(t, 7), 0);
	assert_int_equal(fdtable_open_count(t, 8), 1);
	fdtable_free(t);
}

static void test_bounds(void **state)
{
	struct fdtable *t = table(5, 3, 12);
	struct fdtable_stats st;
	struct fd_entry e;

	for (int fd = 0; fd < 4; fd++) { /* the 4th of one process is refused */
		e = mk(1, fd, fd, 1, "/x", 0);
		assert_int_equal(fdtable_open(t, &e), fd < 3 ? 0 : -ENOSPC);
	}
	e = mk(2, 0, 0, 1, "/yyyy", 0); /* 6 + 5 bytes */
	assert_int_equal(fdtable_open(t, &e), 0);
	e = mk(2, 1, 0, 1, "/zz", 0); /* 11 + 3 > 12 */
	assert_int_equal(fdtable_open(t, &e), -ENOSPC);
	e = mk(2, 1, 0, 1, "/", 0);
	assert_int_equal(fdtable_open(t, &e), 0);
	e = mk(3, 0, 0, 1, "", 0); /* 5 in all */
	assert_int_equal(fdtable_open(t, &e), -ENOSPC);
	fdtable_stats(t, &st);
	assert_int_equal(st.open, 5);
	assert_int_equal(st.dropped_proc, 1);
	assert_int_equal(st.dropped_bytes, 1);
	assert_int_equal(st.dropped_total, 1);
	/* room again once one ends */
	fdtable_release(fdtable_take(t, 1, 0));
	assert_int_equal(fdtable_open(t, &e), 0);
	fdtable_free(t);
}

struct ended {
	int fds[16];
	int n;
};

static void collect(void *ctx, const struct fd_entry *e)
{
	struct ended *x = ctx;

	x->fds[x->n++] = e->fd;
}

static void test_end_process(void **state)
{
	struct fdtable *t = table(0, 0, 0);
	int fds[] = {7, 3, 12, 5, 4};
	struct ended x = {0};
	struct fd_entry e;

	for (int i = 0; i < 5; i++) {
		e = mk(100, fds[i], i, 9, "/f", fds[i] % 2 ? FDT_CLOEXEC : 0);
		assert_int_equal(fdtable_open(t, &e), 0);
	}
	e = mk(101, 3, 0, 9, "/other", FDT_CLOEXEC);
	assert_int_equal(fdtable_open(t, &e), 0);
	assert_int_equal(fdtable_open_count(t, 9), 6);
	/* exec: the O_CLOEXEC ones (3, 5, 7), lowest first */
	assert_int_equal(fdtable_process_count(t, 100), 5);
	assert_int_equal(fdtable_end_process(t, 100, 1, collect, &x), 3);
	assert_int_equal(fdtable_process_count(t, 100), 2);
	assert_int_equal(x.n, 3);
	assert_int_equal(x.fds[0], 3);
	assert_int_equal(x.fds[1], 5);
	assert_int_equal(x.fds[2], 7);
	assert_non_null(fdtable_find(t, 100, 4));
	assert_non_null(fdtable_find(t, 100, 12));
	assert_null(fdtable_find(t, 100, 5));
	/* exit: the rest */
	x.n = 0;
	assert_int_equal(fdtable_end_process(t, 100, 0, collect, &x), 2);
	assert_int_equal(x.fds[0], 4);
	assert_int_equal(x.fds[1], 12);
	assert_int_equal(fdtable_end_process(t, 100, 0, collect, &x), 0);
	assert_int_equal(fdtable_end_process(t, 555, 0, collect, &x), 0);
	assert_non_null(fdtable_find(t, 101, 3));
	assert_int_equal(fdtable_open_count(t, 9), 1);
	fdtable_free(t);
}

static void test_iter_and_snapshot(void **state)
{
	struct fdtable *t = table(0, 0, 0);
	const struct fd_entry **list, *e;
	struct fdtable_iter it;
	struct fd_entry in;
	int seen[3][4] = {{0}};
	size_t n;

	/* tgid 2: fds 0..3 opened at 40, 10, 30, 20; tgid 1: fds 0..3 at 5, 6, 7, 8 */
	uint64_t ts2[] = {40, 10, 30, 20};
	for (int fd = 0; fd < 4; fd++) {
		in = mk(2, fd, ts2[fd], 5, "/p", 0);
		assert_int_equal(fdtable_open(t, &in), 0);
		in = mk(1, fd, 5 + fd, 6, "/q", 0);
		assert_int_equal(fdtable_open(t, &in), 0);
	}
	fdtable_iter_init(t, &it);
	while ((e = fdtable_iter_next(t, &it)) != NULL)
		seen[e->tgid][e->fd]++;
	for (int p = 1; p <= 2; p++)
		for (int fd = 0; fd < 4; fd++)
			assert_int_equal(seen[p][fd], 1);
	assert_int_equal(fdtable_snapshot(t, 30, &list, &n), 0);
	assert_int_equal(n, 7); /* all but tgid 2's fd 0 (opened at 40) */
	int want_tgid[] = {1, 1, 1, 1, 2, 2, 2}, want_fd[] = {0, 1, 2, 3, 1, 3, 2};
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(list[i]->tgid, want_tgid[i]);
		assert_int_equal(list[i]->fd, want_fd[i]);
	}
	free(list);
	assert_int_equal(fdtable_snapshot(t, 4, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);
	fdtable_free(t);
}

/* Random operations against a plain array of what should be open. */
static void test_against_model(void **state)
{
	enum { P = 6, F = 20 };
	struct fdtable *t = table(0, 0, 0);
	int model[P][F] = {{0}};
	uint64_t cg_of[P] = {1, 1, 2, 2, 3, 4};
	unsigned seed = 12345;

	for (int step = 0; step < 20000; step++) {
		seed = seed * 1103515245 + 12345;
		int p = (seed >> 8) % P, fd = (seed >> 16) % F, op = (seed >> 24) % 4;
		if (op < 2) {
			struct fd_entry e = mk(p, fd, step, cg_of[p], "/m", 0);
			assert_int_equal(fdtable_open(t, &e), 0);
			model[p][fd] = 1;
		} else if (op == 2) {
			struct fd_entry *e = fdtable_take(t, p, fd);
			assert_int_equal(e != NULL, model[p][fd]);
			fdtable_release(e);
			model[p][fd] = 0;
		} else if ((seed >> 4) % 50 == 0) {
			size_t want = 0;
			for (int f = 0; f < F; f++)
				want += model[p][f];
			assert_int_equal(fdtable_end_process(t, p, 0, NULL, NULL), want);
			memset(model[p], 0, sizeof(model[p]));
		}
		for (uint64_t cg = 1; cg <= 4; cg++) {
			size_t want = 0;
			for (int q = 0; q < P; q++)
				for (int f = 0; f < F; f++)
					want += cg_of[q] == cg && model[q][f];
			assert_int_equal(fdtable_open_count(t, cg), want);
		}
	}
	for (int p = 0; p < P; p++)
		for (int f = 0; f < F; f++)
			assert_int_equal(fdtable_find(t, p, f) != NULL, model[p][f]);
	fdtable_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_take),
		cmocka_unit_test(test_replace_and_invalid),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_end_process),
		cmocka_unit_test(test_iter_and_snapshot),
		cmocka_unit_test(test_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
