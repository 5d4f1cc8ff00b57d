/* The space-saving top-K of strings (see topk.h): a linear scan of 16 slots per occurrence. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "summary/topk.h"

/* s cut to TOPK_STR_MAX bytes with "..." when longer, as a NUL-terminated copy. */
static char *topk_dup(const char *s, size_t n)
{
	size_t keep = n > TOPK_STR_MAX ? TOPK_STR_MAX - 3 : n;
	char *p = malloc(keep + 4);

	if (!p)
		return NULL;
	memcpy(p, s, keep);
	if (keep < n) {
		memcpy(p + keep, "...", 3);
		keep += 3;
	}
	p[keep] = '\0';
	return p;
}

/* A cut string stands for every string with its first bytes: they share a slot. */
static int topk_same(const struct topk_slot *sl, const char *s, size_t n)
{
	if (n > TOPK_STR_MAX)
		return sl->key_len > TOPK_STR_MAX && memcmp(sl->s, s, TOPK_STR_MAX - 3) == 0;
	return sl->key_len == n && memcmp(sl->s, s, n) == 0;
}

int topk_add(struct topk *t, const char *s, size_t n)
{
	struct topk_slot *free_slot = NULL, *min = NULL, *to;
	char *copy;

	for (size_t i = 0; i < TOPK_SLOTS; i++) {
		struct topk_slot *sl = &t->slot[i];

		if (!sl->s) {
			if (!free_slot)
				free_slot = sl;
			continue;
		}
		if (topk_same(sl, s, n)) {
			sl->count++;
			t->seen++;
			return 0;
		}
		if (!min || sl->count < min->count)
			min = sl;
	}
	copy = topk_dup(s, n);
	if (!copy)
		return -ENOMEM;
	t->seen++;
	to = free_slot ? free_slot : min;
	free(to->s);
	to->s = copy;
	to->len = n > TOPK_STR_MAX ? TOPK_STR_MAX : n;
	to->key_len = n;
	to->error = free_slot ? 0 : to->count;
	to->count = free_slot ? 1 : to->count + 1;
	return 0;
}

static int topk_cmp(const void *a, const void *b)
{
	const struct topk_slot *x = *(const struct topk_slot *const *)a;
	const struct topk_slot *y = *(const struct topk_slot *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
}

size_t topk_sorted(const struct topk *t, const struct topk_slot **out, size_t max)
{
	const struct topk_slot *all[TOPK_SLOTS];
	size_t n = 0;

	for (size_t i = 0; i < TOPK_SLOTS; i++)
		if (t->slot[i].s)
			all[n++] = &t->slot[i];
	qsort(all, n, sizeof(all[0]), topk_cmp);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

void topk_free(struct topk *t)
{
	for (size_t i = 0; i < TOPK_SLOTS; i++)
		free(t->slot[i].s);
	memset(t, 0, sizeof(*t));
}
