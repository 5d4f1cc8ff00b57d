/* The tally's delta store (a chained hash of the last value per key) and its map reader. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "summary/tally.h"

#define TALLY_BUCKETS 4096
#define TALLY_RETIRED 256 /* cgroups waiting for a last read before their keys go */

struct tally_node {
	struct tally_node *next;
	struct cc_tally_key key;
	uint64_t last;
};

struct tally {
	struct tally_node *bucket[TALLY_BUCKETS];
	size_t n;
	uint64_t retired[TALLY_RETIRED];
	size_t nretired;
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
	free(t);
}

static size_t tally_hash(const struct cc_tally_key *k)
{
	uint64_t h = k->cgroup_id * 0x9e3779b97f4a7c15ull ^ ((uint64_t)k->syscall << 32 | k->err);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (size_t)(h ^ h >> 32) % TALLY_BUCKETS;
}

static bool tally_same(const struct cc_tally_key *a, const struct cc_tally_key *b)
{
	return a->cgroup_id == b->cgroup_id && a->syscall == b->syscall && a->err == b->err;
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

void tally_retire(struct tally *t, uint64_t cgroup_id)
{
	if (t->nretired < TALLY_RETIRED)
		t->retired[t->nretired++] = cgroup_id;
	/* more removals than that in one interval: their keys wait for the next one */
}

static bool tally_is_retired(const struct tally *t, uint64_t cgroup_id, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
		if (t->retired[i] == cgroup_id)
			return true;
	return false;
}

/*
 * One map's keys: per-CPU values summed when ncpus > 0, a single value otherwise. Keys of retired
 * cgroups are deleted after the walk: deleting during it would restart it.
 */
static int tally_read_map(struct tally *t, int fd, int ncpus, bool lost, size_t retired,
			  tally_fn fn, void *ctx)
{
	union {
		struct cc_tally_key key;
		uint64_t cg;
	} cur, prev;
	uint64_t vals[ncpus > 0 ? ncpus : 1];
	struct cc_tally_key want, *dead = NULL;
	size_t ndead = 0, capdead = 0;
	bool first = true;
	int err;

	while ((err = bpf_map_get_next_key(fd, first ? NULL : &prev, &cur)) == 0) {
		uint64_t sum = 0, d;

		first = false;
		prev = cur;
		want = lost ? (struct cc_tally_key){.cgroup_id = cur.cg, .syscall = TALLY_LOST}
			    : cur.key;
		if (bpf_map_lookup_elem(fd, &cur, vals))
			continue; /* deleted meanwhile */
		for (int i = 0; i < (ncpus > 0 ? ncpus : 1); i++)
			sum += vals[i];
		d = tally_delta(t, &want, sum);
		if (d)
			fn(ctx, &want, d);
		if (!tally_is_retired(t, want.cgroup_id, retired))
			continue;
		if (ndead == capdead) {
			size_t cap = capdead ? capdead * 2 : 64;
			struct cc_tally_key *p = realloc(dead, cap * sizeof(*p));

			if (!p)
				continue; /* deleted at a later read */
			dead = p;
			capdead = cap;
		}
		dead[ndead++] = want;
	}
	for (size_t i = 0; i < ndead; i++) {
		if (lost)
			bpf_map_delete_elem(fd, &dead[i].cgroup_id);
		else
			bpf_map_delete_elem(fd, &dead[i]);
		tally_forget(t, &dead[i]);
	}
	free(dead);
	return err == -ENOENT ? 0 : err;
}

int tally_read(struct tally *t, int map_fd, int ncpus, int lost_fd, tally_fn fn, void *ctx)
{
	size_t retired = t->nretired; /* those removed before this read began */
	int err = tally_read_map(t, map_fd, ncpus, false, retired, fn, ctx);

	if (!err && lost_fd >= 0)
		err = tally_read_map(t, lost_fd, 0, true, retired, fn, ctx);
	memmove(t->retired, t->retired + retired, (t->nretired - retired) * sizeof(t->retired[0]));
	t->nretired -= retired;
	return err;
}

size_t tally_size(const struct tally *t)
{
	return t->n;
}
