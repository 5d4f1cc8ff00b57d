/* Unit tests of the tally reader: deltas per key, and every key of a removed cgroup deleted from
 * the kernel map after its last read, however many cgroups went (a map in memory stands for the
 * kernel's: the same next-key, lookup and delete contract as bpf(2)). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "summary/tally.h"

#define FAKE_MAX  40000
#define FAKE_CPUS 2
#define FD_TALLY  3
#define FD_LOST	  4

/* A hash map as the kernel's answers it: keys in insertion order, a deleted or unknown prev
   key restarts the walk from the first. */
struct fake_map {
	size_t key_size, nvals, n;
	unsigned char keys[FAKE_MAX][sizeof(struct cc_tally_key)];
	uint64_t vals[FAKE_MAX][FAKE_CPUS];
	size_t deletes;
	size_t hint; /* where the last key was found: the reader asks in walk order */
};

static struct fake_map tally_map = {.key_size = sizeof(struct cc_tally_key), .nvals = FAKE_CPUS};
static struct fake_map lost_map = {.key_size = sizeof(uint64_t), .nvals = 1};

static struct fake_map *fake(int fd)
{
	return fd == FD_TALLY ? &tally_map : &lost_map;
}

static long fake_find(struct fake_map *m, const void *key)
{
	for (size_t j = 0; j < m->n; j++) {
		size_t i = (m->hint + j) % m->n;

		if (memcmp(m->keys[i], key, m->key_size) == 0) {
			m->hint = i;
			return (long)i;
		}
	}
	return -1;
}

static int fake_next(int fd, const void *prev, void *next)
{
	struct fake_map *m = fake(fd);
	long i = prev ? fake_find(m, prev) : -1;
	size_t at = i < 0 ? 0 : (size_t)i + 1;

	if (at >= m->n)
		return -ENOENT;
	memcpy(next, m->keys[at], m->key_size);
	return 0;
}

static int fake_lookup(int fd, const void *key, void *value)
{
	struct fake_map *m = fake(fd);
	long i = fake_find(m, key);

	if (i < 0)
		return -ENOENT;
	memcpy(value, m->vals[i], m->nvals * sizeof(uint64_t));
	return 0;
}

static int fake_delete(int fd, const void *key)
{
	struct fake_map *m = fake(fd);
	long i = fake_find(m, key);

	if (i < 0)
		return -ENOENT;
	memmove(m->keys[i], m->keys[i + 1], (m->n - (size_t)i - 1) * sizeof(m->keys[0]));
	memmove(m->vals[i], m->vals[i + 1], (m->n - (size_t)i - 1) * sizeof(m->vals[0]));
	m->n--;
	m->deletes++;
	return 0;
}

static const struct tally_map_ops fake_ops = {fake_next, fake_lookup, fake_delete};

/* Add v on CPU cpu to the key (made when missing), as the programs do. */
/* fresh: the key is known not to be there (a search of 20,000 keys per key is slow) */
static void fake_add(struct fake_map *m, const void *key, int cpu, uint64_t v, bool fresh)
{
	long i = fresh ? -1 : fake_find(m, key);

	if (i < 0) {
		i = (long)m->n++;
		memcpy(m->keys[i], key, m->key_size);
		memset(m->vals[i], 0, sizeof(m->vals[i]));
	}
	m->vals[i][m->nvals > 1 ? cpu : 0] += v;
}

static void call(uint64_t cg, uint32_t sc, uint32_t err, int cpu, uint64_t v)
{
	struct cc_tally_key k = {.cgroup_id = cg, .syscall = sc, .err = err};

	fake_add(&tally_map, &k, cpu, v, false);
}

static void call_new(uint64_t cg, uint32_t sc, uint32_t err, int cpu, uint64_t v)
{
	struct cc_tally_key k = {.cgroup_id = cg, .syscall = sc, .err = err};

	fake_add(&tally_map, &k, cpu, v, true);
}

static void lose(uint64_t cg, uint64_t v)
{
	fake_add(&lost_map, &cg, 0, v, false);
}

static void lose_new(uint64_t cg, uint64_t v)
{
	fake_add(&lost_map, &cg, 0, v, true);
}

/* What the reads reported, summed per cgroup (calls) and per cgroup (losses). */
#define SEEN_MAX 40000
struct seen {
	uint64_t calls[SEEN_MAX], lost[SEEN_MAX];
	size_t reports;
	struct tally *retire_during; /* when set, cgroup 5 is retired in the middle of a read */
	uint32_t mntns;		     /* the calls of this mount namespace go to ns_calls */
	uint64_t ns_calls;
};

static void on_delta(void *ctx, const struct cc_tally_key *key, uint64_t delta)
{
	struct seen *s = ctx;

	assert_true(key->cgroup_id < SEEN_MAX);
	if (key->mntns) {
		assert_int_equal(key->mntns, s->mntns);
		s->ns_calls += delta;
	} else if (key->syscall == TALLY_LOST)
		s->lost[key->cgroup_id] += delta;
	else
		s->calls[key->cgroup_id] += delta;
	s->reports++;
	if (s->retire_during)
		assert_int_equal(tally_retire(s->retire_during, 5), 0);
}

static int reset(void **state)
{
	(void)state;
	tally_map.n = lost_map.n = 0;
	tally_map.deletes = lost_map.deletes = 0;
	return 0;
}

static struct seen seen;

static void test_read_deltas(void **state)
{
	struct tally *t;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(tally_new(&t), 0);
	call(10, CC_SYS_OPENAT, 0, 0, 3);
	call(10, CC_SYS_OPENAT, 0, 1, 4); /* per-CPU values are summed */
	call(10, CC_SYS_OPENAT, ENOENT, 0, 2);
	call(20, CC_SYS_CLOSE, 0, 1, 5);
	lose(10, 6);
	assert_int_equal(
		tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, FD_LOST, on_delta, &seen), 0);
	assert_int_equal(seen.calls[10], 9);
	assert_int_equal(seen.calls[20], 5);
	assert_int_equal(seen.lost[10], 6);
	assert_int_equal(tally_size(t), 4);
	/* only what grew since: one more close, two more losses */
	memset(&seen, 0, sizeof(seen));
	call(20, CC_SYS_CLOSE, 0, 0, 1);
	lose(10, 2);
	assert_int_equal(
		tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, FD_LOST, on_delta, &seen), 0);
	assert_int_equal(seen.reports, 2);
	assert_int_equal(seen.calls[20], 1);
	assert_int_equal(seen.lost[10], 2);
	/* nothing removed: nothing deleted from the maps */
	assert_int_equal(tally_map.n, 3);
	assert_int_equal(lost_map.n, 1);
	assert_int_equal(tally_map.deletes + lost_map.deletes, 0);
	tally_free(t);
}

/* 20,000 cgroups removed in one interval (the bound was 256): every key read once more, then
   deleted from both maps and from the deltas kept; a cgroup that lives on keeps its keys. */
static void test_retire_every_key(void **state)
{
	const uint64_t n = 20000;
	struct tally *t;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(tally_new(&t), 0);
	for (uint64_t cg = 100; cg < 100 + n; cg++) {
		call_new(cg, CC_SYS_OPENAT, ENOENT, (int)(cg % 2), 1);
		if (cg % 10 == 0)
			lose_new(cg, 1);
	}
	call(7, CC_SYS_OPENAT, 0, 0, 1);
	assert_int_equal(
		tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, FD_LOST, on_delta, &seen), 0);
	assert_int_equal(tally_size(t), n + n / 10 + 1);
	assert_int_equal(tally_lost_deleted(t), 0);
	/* their last calls, made after that read, then their removal */
	for (uint64_t cg = 100; cg < 100 + n; cg++) {
		call(cg, CC_SYS_OPENAT, ENOENT, 0, 1);
		assert_int_equal(tally_retire(t, cg), 0);
	}
	assert_int_equal(tally_retire(t, 100), 0); /* a repeated record changes nothing */
	assert_int_equal(tally_retiring(t), n);
	assert_true(tally_retired(t, 100 + n - 1));
	assert_false(tally_retired(t, 7));
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(
		tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, FD_LOST, on_delta, &seen), 0);
	/* the last calls are counted before the keys go */
	assert_int_equal(seen.calls[100], 1);
	assert_int_equal(seen.calls[100 + n - 1], 1);
	assert_int_equal(seen.reports, n);
	assert_int_equal(tally_map.n, 1); /* cgroup 7's key alone */
	assert_int_equal(lost_map.n, 0);
	/* the losses those deleted keys held: no longer the table's to report, nor evicted */
	assert_int_equal(tally_lost_deleted(t), n / 10);
	assert_int_equal(tally_size(t), 1);
	assert_int_equal(tally_retiring(t), 0);
	assert_false(tally_retired(t, 100));
	tally_free(t);
}

/* A cgroup retired while a read walks the map is not deleted by that read (its removal came
   after some of its keys were read): by the next one. */
static void test_retired_during_read(void **state)
{
	struct tally *t;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(tally_new(&t), 0);
	call(5, CC_SYS_OPENAT, 0, 0, 1);
	call(6, CC_SYS_OPENAT, 0, 0, 1);
	seen.retire_during = t;
	assert_int_equal(tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, -1, on_delta, &seen), 0);
	seen.retire_during = NULL;
	assert_int_equal(tally_map.n, 2);
	assert_true(tally_retired(t, 5));
	call(5, CC_SYS_OPENAT, 0, 1, 2);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, -1, on_delta, &seen), 0);
	assert_int_equal(seen.calls[5], 2);
	assert_int_equal(tally_map.n, 1);
	assert_int_equal(fake_find(&tally_map, &(struct cc_tally_key){.cgroup_id = 6,
								      .syscall = CC_SYS_OPENAT}),
			 0);
	assert_false(tally_retired(t, 5));
	tally_free(t);
}

/* A sandbox's calls (a mount namespace in the key) in the host's cgroup: a delta of their own,
   apart from the cgroup's other calls of the same system call and result, each reported with
   its mount namespace; deleted with the cgroup's keys when it is removed. */
static void test_mntns_keys(void **state)
{
	struct cc_tally_key sb = {.cgroup_id = 1, .syscall = CC_SYS_OPENAT, .mntns = 4026532999u};
	struct tally *t;

	(void)state;
	assert_int_equal(tally_new(&t), 0);
	call(1, CC_SYS_OPENAT, 0, 0, 7);
	fake_add(&tally_map, &sb, 1, 3, false);
	memset(&seen, 0, sizeof(seen));
	seen.mntns = sb.mntns;
	assert_int_equal(tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, -1, on_delta, &seen), 0);
	assert_int_equal(seen.reports, 2);
	assert_int_equal(seen.calls[1], 7);
	assert_int_equal(seen.ns_calls, 3);
	assert_int_equal(tally_size(t), 2);
	fake_add(&tally_map, &sb, 0, 2, false);
	memset(&seen, 0, sizeof(seen));
	seen.mntns = sb.mntns;
	assert_int_equal(tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, -1, on_delta, &seen), 0);
	assert_int_equal(seen.reports, 1);
	assert_int_equal(seen.ns_calls, 2);
	assert_int_equal(seen.calls[1], 0);
	assert_int_equal(tally_retire(t, 1), 0);
	assert_int_equal(tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, -1, on_delta, &seen), 0);
	assert_int_equal(tally_map.n, 0);
	assert_int_equal(tally_size(t), 0);
	tally_free(t);
}

/* A key deleted and made again (its cgroup id reused by nobody; a value below the last) counts
   from 0. */
static void test_read_error(void **state)
{
	struct tally *t;

	(void)state;
	assert_int_equal(tally_new(&t), 0);
	call(9, CC_SYS_CLOSE, 0, 0, 4);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, -1, on_delta, &seen), 0);
	tally_map.vals[0][0] = 1; /* deleted and made again meanwhile */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(tally_read_ops(t, &fake_ops, FD_TALLY, FAKE_CPUS, -1, on_delta, &seen), 0);
	assert_int_equal(seen.calls[9], 1);
	tally_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_read_deltas, reset),
		cmocka_unit_test_setup(test_retire_every_key, reset),
		cmocka_unit_test_setup(test_retired_during_read, reset),
		cmocka_unit_test_setup(test_read_error, reset),
		cmocka_unit_test_setup(test_mntns_keys, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
