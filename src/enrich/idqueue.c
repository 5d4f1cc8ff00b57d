/* The naming requests between the event consumer and the resolver's thread: a ring and a count
 * per key, so a cgroup whose events keep coming is asked for once. Not locked: the caller locks. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/idqueue.h"

int idqueue_init(struct idqueue *q, size_t cap)
{
	int err;

	memset(q, 0, sizeof(*q));
	if (cap == 0)
		return -EINVAL;
	if ((err = keycount_init(&q->waiting, 2 * cap)))
		return err;
	q->items = calloc(2 * cap, sizeof(*q->items));
	if (!q->items) {
		idqueue_free(q);
		return -ENOMEM;
	}
	q->cap = cap;
	return 0;
}

void idqueue_free(struct idqueue *q)
{
	struct idq_item it;

	if (q->items)
		while (idqueue_pop(q, &it) == 0)
			free(it.path);
	free(q->items);
	keycount_free(&q->waiting);
	memset(q, 0, sizeof(*q));
}

/*
 * Whether the last item waiting for key is a forget. A cgroup's lookup merges with its forget (a
 * removed cgroup's id is not given again: the answer is "gone"), but a pid is: the lookup after a
 * process's forget is of the next process given its pid, and must be answered.
 */
static bool forget_last(const struct idqueue *q, uint64_t key)
{
	for (size_t i = q->n; i-- > 0;) {
		const struct idq_item *it = &q->items[(q->head + i) % (2 * q->cap)];

		if (it->key == key)
			return it->kind == IDQ_FORGET;
	}
	return false;
}

/* Queue a request (idqueue_push), with machine (NULL, or IDQ_LEARN's creator's machine). */
static int push(struct idqueue *q, enum idq_kind kind, uint64_t key, const char *path, size_t len,
		const char *creator, const char *machine)
{
	struct idq_item *it;
	size_t mlen = machine ? strlen(machine) : 0;

	if (!q->items || (kind == IDQ_LEARN && !path))
		return -EINVAL;
	if ((kind == IDQ_LOOKUP || kind == IDQ_LOOKUP_PID || kind == IDQ_LOOKUP_NS) &&
	    keycount_get(&q->waiting, key) && !(kind == IDQ_LOOKUP_PID && forget_last(q, key)))
		return 1;
	if (q->n >= (kind == IDQ_FORGET ? 2 * q->cap : q->cap))
		return -EAGAIN;
	it = &q->items[(q->head + q->n) % (2 * q->cap)];
	memset(it, 0, sizeof(*it));
	if (kind == IDQ_LEARN) {
		/* the machine's name after the path's NUL, in one block */
		it->path = malloc(len + 1 + (machine ? mlen + 1 : 0));
		if (!it->path)
			return -ENOMEM;
		memcpy(it->path, path, len);
		it->path[len] = '\0';
		it->len = len;
		if (machine) {
			memcpy(it->path + len + 1, machine, mlen + 1);
			it->machine = it->path + len + 1;
		}
	}
	it->kind = kind;
	it->key = key;
	if (creator)
		snprintf(it->creator, sizeof(it->creator), "%s", creator);
	q->n++;
	keycount_add(&q->waiting, key);
	return 0;
}

int idqueue_push(struct idqueue *q, enum idq_kind kind, uint64_t key, const char *path, size_t len,
		 const char *creator)
{
	return push(q, kind, key, path, len, creator, NULL);
}

int idqueue_push_learn(struct idqueue *q, uint64_t key, const char *path, size_t len,
		       const char *creator, const char *machine)
{
	return push(q, IDQ_LEARN, key, path, len, creator, machine);
}

int idqueue_pop(struct idqueue *q, struct idq_item *out)
{
	if (!q->n)
		return -ENOENT;
	*out = q->items[q->head];
	memset(&q->items[q->head], 0, sizeof(q->items[q->head]));
	q->head = (q->head + 1) % (2 * q->cap);
	q->n--;
	keycount_del(&q->waiting, out->key);
	return 0;
}
