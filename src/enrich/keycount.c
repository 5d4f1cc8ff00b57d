/* Counts per key for the queues between the consumer and the naming thread: linear probing, and
 * on removal the later items of a run moved back, so lookups stay short without tombstones. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/keycount.h"

static size_t home(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

int keycount_init(struct keycount *k, size_t max_items)
{
	size_t n = 16;

	memset(k, 0, sizeof(*k));
	if (!max_items)
		return -EINVAL;
	while (n < 2 * max_items)
		n <<= 1;
	k->slots = calloc(n, sizeof(*k->slots));
	if (!k->slots)
		return -ENOMEM;
	k->mask = n - 1;
	return 0;
}

void keycount_free(struct keycount *k)
{
	free(k->slots);
	memset(k, 0, sizeof(*k));
}

static struct keycount_slot *find(const struct keycount *k, uint64_t key)
{
	for (size_t i = home(key, k->mask); k->slots[i].count; i = (i + 1) & k->mask)
		if (k->slots[i].key == key)
			return &k->slots[i];
	return NULL;
}

uint32_t keycount_get(const struct keycount *k, uint64_t key)
{
	const struct keycount_slot *s = k->slots ? find(k, key) : NULL;

	return s ? s->count : 0;
}

void keycount_add(struct keycount *k, uint64_t key)
{
	size_t i = home(key, k->mask);

	while (k->slots[i].count && k->slots[i].key != key)
		i = (i + 1) & k->mask;
	k->slots[i].key = key;
	k->slots[i].count++;
}

void keycount_del(struct keycount *k, uint64_t key)
{
	struct keycount_slot *s = find(k, key);
	size_t i, j;

	if (!s || --s->count)
		return;
	i = (size_t)(s - k->slots);
	for (j = (i + 1) & k->mask; k->slots[j].count; j = (j + 1) & k->mask) {
		size_t h = home(k->slots[j].key, k->mask);
		/* an item stays when its home lies cyclically in (i, j] */
		int stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);

		if (!stays) {
			k->slots[i] = k->slots[j];
			k->slots[j].count = 0;
			i = j;
		}
	}
	k->slots[i].count = 0;
}
