/* The naming requests between the event consumer and the resolver's thread: a ring and a count
 * per key, so a cgroup whose events keep coming is asked for once. Not locked: the caller locks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/idqueue.h"

static size_t home(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

int idqueue_init(struct idqueue *q, size_t cap)
{
	size_t slots = 16;

	memset(q, 0, sizeof(*q));
	if (cap == 0)
		return -EINVAL;
	while (slots < 2 * cap)
		slots <<= 1;
	q->items = calloc(cap, sizeof(*q->items));
	q->set = calloc(slots, sizeof(*q->set));
	if (!q->items || !q->set) {
		idqueue_free(q);
		return -ENOMEM;
	}
	q->cap = cap;
	q->mask = slots - 1;
	return 0;
}

void idqueue_free(struct idqueue *q)
{
	struct idq_item it;

	if (q->items)
		while (idqueue_pop(q, &it) == 0)
			free(it.path);
	free(q->items);
	free(q->set);
	memset(q, 0, sizeof(*q));
}

static struct idq_slot *set_find(struct idqueue *q, uint64_t key)
{
	for (size_t i = home(key, q->mask); q->set[i].count; i = (i + 1) & q->mask)
		if (q->set[i].key == key)
			return &q->set[i];
	return NULL;
}

static void set_add(struct idqueue *q, uint64_t key)
{
	size_t i = home(key, q->mask);

	while (q->set[i].count && q->set[i].key != key)
		i = (i + 1) & q->mask;
	q->set[i].key = key;
	q->set[i].count++;
}

/* One item of key less; a slot that empties is closed by moving later ones of its run back
   (linear probing keeps no tombstones). */
static void set_del(struct idqueue *q, uint64_t key)
{
	struct idq_slot *s = set_find(q, key);
	size_t i, j;

	if (!s || --s->count)
		return;
	i = (size_t)(s - q->set);
	for (j = (i + 1) & q->mask; q->set[j].count; j = (j + 1) & q->mask) {
		size_t k = home(q->set[j].key, q->mask);
		/* an item stays when its home lies cyclically in (i, j] */
		int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);

		if (!stays) {
			q->set[i] = q->set[j];
			q->set[j].count = 0;
			i = j;
		}
	}
	q->set[i].count = 0;
}

int idqueue_push(struct idqueue *q, enum idq_kind kind, uint64_t key, const char *path, size_t len,
		 const char *creator)
{
	struct idq_item *it;

	if (!q->items || (kind == IDQ_LEARN && !path))
		return -EINVAL;
	if ((kind == IDQ_LOOKUP || kind == IDQ_LOOKUP_PID) && set_find(q, key))
		return 1;
	if (q->n == q->cap)
		return -EAGAIN;
	it = &q->items[(q->head + q->n) % q->cap];
	memset(it, 0, sizeof(*it));
	if (kind == IDQ_LEARN) {
		it->path = malloc(len + 1);
		if (!it->path)
			return -ENOMEM;
		memcpy(it->path, path, len);
		it->path[len] = '\0';
		it->len = len;
	}
	it->kind = kind;
	it->key = key;
	if (creator)
		snprintf(it->creator, sizeof(it->creator), "%s", creator);
	q->n++;
	set_add(q, key);
	return 0;
}

int idqueue_pop(struct idqueue *q, struct idq_item *out)
{
	if (!q->n)
		return -ENOENT;
	*out = q->items[q->head];
	memset(&q->items[q->head], 0, sizeof(q->items[q->head]));
	q->head = (q->head + 1) % q->cap;
	q->n--;
	set_del(q, out->key);
	return 0;
}
