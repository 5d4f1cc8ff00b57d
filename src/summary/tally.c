/* The tally's delta store (a chained hash of the last value per key) and its map reader. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "summary/tally.h"

#define TALLY_BUCKETS	4096
#define RETIRED_BUCKETS 1024

struct tally_node {
	struct tally_node *next;
	struct cc_tally_key key;
	uint64_t last;
};

/* A removed cgroup whose keys wait for their last read. */
struct retired_node {
	struct retired_node *next;
	uint64_t cgroup_id;
	uint64_t gen; /* the read it was retired before: deleted at the end of a later one */
};

struct tally {
	struct tally_node *bucket[TALLY_BUCKETS];
	size_t n;
	struct retired_node *retired[RETIRED_BUCKETS];
	size_t nretired;
	uint64_t gen;	       /* reads begun */
	uint64_t lost_deleted; /* losses of the lost_by_cgroup keys deleted (removed cgroups) */
};

int tally_new(struct tally **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void tally_free(struct tally *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < TALLY_BUCKETS; i++)
		for (struct tally_node *n = t->bucket[i], *next; n; n = next) {
			next = n->next;
			free(n);
		}
	for (size_t i = 0; i < RETIRED_BUCKETS; i++)
		for (struct retired_node *n = t->retired[i], *next; n; n = next) {
			next = n->next;
			free(n);
		}
	free(t);
}

static size_t tally_hash(const struct cc_tally_key *k)
{
	uint64_t h = (k->cgroup_id ^ (uint64_t)k->mntns << 32) * 0x9e3779b97f4a7c15ull ^
		     ((uint64_t)k->syscall << 32 | k->err);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (size_t)(h ^ h >> 32) % TALLY_BUCKETS;
}

static size_t retired_hash(uint64_t cgroup_id)
{
	return (size_t)((cgroup_id * 0x9e3779b97f4a7c15ull) >> 40) % RETIRED_BUCKETS;
}

static bool tally_same(const struct cc_tally_key *a, const struct cc_tally_key *b)
{
	return a->cgroup_id == b->cgroup_id && a->syscall == b->syscall && a->err == b->err &&
	       a->mntns == b->mntns;
}

uint64_t tally_delta(struct tally *t, const struct cc_tally_key *key, uint64_t value)
{
	struct tally_node **head = &t->bucket[tally_hash(key)], *n;
	uint64_t d;

	for (n = *head; n; n = n->next)
		if (tally_same(&n->key, key))
			break;
	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n)
			return 0;
		n->key = *key;
		n->next = *head;
		*head = n;
		t->n++;
	}
	d = value >= n->last ? value - n->last : value;
	n->last = value;
	return d;
}

static void tally_forget(struct tally *t, const struct cc_tally_key *key)
{
	for (struct tally_node **p = &t->bucket[tally_hash(key)]; *p; p = &(*p)->next)
		if (tally_same(&(*p)->key, key)) {
			struct tally_node *n = *p;

			*p = n->next;
			free(n);
			t->n--;
			return;
		}
}

static struct retired_node *retired_find(const struct tally *t, uint64_t cgroup_id)
{
	for (struct retired_node *n = t->retired[retired_hash(cgroup_id)]; n; n = n->next)
		if (n->cgroup_id == cgroup_id)
			return n;
	return NULL;
}

int tally_retire(struct tally *t, uint64_t cgroup_id)
{
	struct retired_node *n = retired_find(t, cgroup_id);
	size_t b = retired_hash(cgroup_id);

	if (n) /* removed again (a repeated record): its keys wait for the next read anyway */
		return 0;
	n = malloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->cgroup_id = cgroup_id;
	n->gen = t->gen;
	n->next = t->retired[b];
	t->retired[b] = n;
	t->nretired++;
	return 0;
}

bool tally_retired(const struct tally *t, uint64_t cgroup_id)
{
	return retired_find(t, cgroup_id) != NULL;
}

size_t tally_retiring(const struct tally *t)
{
	return t->nretired;
}

/* Whether the cgroup was removed before the read gen began: its keys go after this read. */
static bool tally_dead(const struct tally *t, uint64_t cgroup_id, uint64_t gen)
{
	const struct retired_node *n = retired_find(t, cgroup_id);

	return n && n->gen < gen;
}

/* The retired cgroups whose keys the read gen deleted are forgotten. */
static void tally_retired_done(struct tally *t, uint64_t gen)
{
	for (size_t i = 0; i < RETIRED_BUCKETS; i++)
		for (struct retired_node **p = &t->retired[i]; *p;) {
			struct retired_node *n = *p;

			if (n->gen >= gen) {
				p = &n->next;
				continue;
			}
			*p = n->next;
			free(n);
			t->nretired--;
		}
}

static int bpf_next_key(int fd, const void *prev, void *next)
{
	return bpf_map_get_next_key(fd, prev, next) ? -errno : 0;
}

static int bpf_lookup(int fd, const void *key, void *value)
{
	return bpf_map_lookup_elem(fd, key, value) ? -errno : 0;
}

static int bpf_delete(int fd, const void *key)
{
	return bpf_map_delete_elem(fd, key) ? -errno : 0;
}

const struct tally_map_ops tally_bpf_ops = {bpf_next_key, bpf_lookup, bpf_delete};

/*
 * One map's keys: per-CPU values summed when ncpus > 0, a single value otherwise. Keys of
 * cgroups retired before this read are deleted after the walk: deleting during it would restart
 * it; *complete is cleared when memory was short to list them (they wait for the next read).
 */
static int tally_read_map(struct tally *t, const struct tally_map_ops *ops, int fd, int ncpus,
			  bool lost, uint64_t gen, tally_fn fn, void *ctx, bool *complete)
{
	union {
		struct cc_tally_key key;
		uint64_t cg;
	} cur, prev;
	uint64_t vals[ncpus > 0 ? ncpus : 1];
	struct cc_tally_key want;
	struct dead {
		struct cc_tally_key key;
		uint64_t value;
	} *dead = NULL;
	size_t ndead = 0, capdead = 0;
	bool first = true;
	int err;

	while ((err = ops->next_key(fd, first ? NULL : &prev, &cur)) == 0) {
		uint64_t sum = 0, d;

		first = false;
		prev = cur;
		want = lost ? (struct cc_tally_key){.cgroup_id = cur.cg, .syscall = TALLY_LOST}
			    : cur.key;
		if (ops->lookup(fd, &cur, vals))
			continue; /* deleted meanwhile */
		for (int i = 0; i < (ncpus > 0 ? ncpus : 1); i++)
			sum += vals[i];
		d = tally_delta(t, &want, sum);
		if (d)
			fn(ctx, &want, d);
		if (!tally_dead(t, want.cgroup_id, gen))
			continue;
		if (ndead == capdead) {
			size_t cap = capdead ? capdead * 2 : 64;
			struct dead *p = realloc(dead, cap * sizeof(*p));

			if (!p) {
				*complete = false; /* deleted at a later read */
				continue;
			}
			dead = p;
			capdead = cap;
		}
		dead[ndead++] = (struct dead){want, sum};
	}
	for (size_t i = 0; i < ndead; i++) {
		if (lost) {
			if (ops->del(fd, &dead[i].key.cgroup_id) == 0)
				t->lost_deleted += dead[i].value;
		} else {
			ops->del(fd, &dead[i].key);
		}
		tally_forget(t, &dead[i].key);
	}
	free(dead);
	return err == -ENOENT ? 0 : err;
}

int tally_read_ops(struct tally *t, const struct tally_map_ops *ops, int map_fd, int ncpus,
		   int lost_fd, tally_fn fn, void *ctx)
{
	uint64_t gen = ++t->gen; /* those retired before this read began */
	bool complete = true;
	int err = tally_read_map(t, ops, map_fd, ncpus, false, gen, fn, ctx, &complete);

	if (!err && lost_fd >= 0)
		err = tally_read_map(t, ops, lost_fd, 0, true, gen, fn, ctx, &complete);
	if (!err && complete)
		tally_retired_done(t, gen);
	return err;
}

int tally_read(struct tally *t, int map_fd, int ncpus, int lost_fd, tally_fn fn, void *ctx)
{
	return tally_read_ops(t, &tally_bpf_ops, map_fd, ncpus, lost_fd, fn, ctx);
}

uint64_t tally_lost_deleted(const struct tally *t)
{
	return t ? t->lost_deleted : 0;
}

size_t tally_size(const struct tally *t)
{
	return t->n;
}
