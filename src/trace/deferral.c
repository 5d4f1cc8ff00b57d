/* The consumer's held-back records: copies in a ring, bounded in count and bytes, released once
 * named or past their deadline, in the order they came per key. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/deferral.h"

int deferral_init(struct deferral *d, size_t max_recs, size_t max_bytes)
{
	int err;

	memset(d, 0, sizeof(*d));
	if (!max_recs || !max_bytes)
		return -EINVAL;
	if ((err = keycount_init(&d->keys, max_recs)))
		return err;
	d->recs = calloc(max_recs, sizeof(*d->recs));
	if (!d->recs) {
		keycount_free(&d->keys);
		return -ENOMEM;
	}
	d->max_recs = max_recs;
	d->max_bytes = max_bytes;
	return 0;
}

static void pop(struct deferral *d)
{
	struct deferral_rec *r = &d->recs[d->head];

	keycount_del(&d->keys, r->key);
	d->bytes -= r->size;
	free(r->data);
	memset(r, 0, sizeof(*r));
	d->head = (d->head + 1) % d->max_recs;
	d->n--;
}

void deferral_free(struct deferral *d)
{
	while (d->recs && d->n)
		pop(d);
	free(d->recs);
	keycount_free(&d->keys);
	memset(d, 0, sizeof(*d));
}

uint64_t deferral_next_deadline(const struct deferral *d)
{
	return d->n ? d->wake_ns : 0;
}

/* A record out through ops, counted by why it left. */
static void emit(struct deferral *d, const struct deferral_ops *ops, struct deferral_rec *r,
		 bool known, int early)
{
	if (known)
		d->named++;
	else if (early)
		d->pushed++;
	else
		d->late++;
	ops->emit(ops->ctx, r->data, r->size, known);
}

static void emit_head(struct deferral *d, const struct deferral_ops *ops, bool known, int early)
{
	emit(d, ops, &d->recs[d->head], known, early);
	pop(d);
}

int deferral_push(struct deferral *d, const struct deferral_ops *ops, uint64_t key,
		  uint64_t deadline_ns, const void *data, size_t size)
{
	struct deferral_rec *r;
	void *copy;

	if (size > d->max_bytes)
		return -E2BIG;
	while (d->n && (d->n == d->max_recs || d->bytes + size > d->max_bytes))
		emit_head(d, ops, ops->known(ops->ctx, d->recs[d->head].key), 1);
	copy = malloc(size ? size : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, size);
	r = &d->recs[(d->head + d->n) % d->max_recs];
	r->key = key;
	r->deadline_ns = deadline_ns;
	r->size = size;
	r->data = copy;
	if (!d->n || deadline_ns < d->wake_ns)
		d->wake_ns = deadline_ns;
	d->n++;
	d->bytes += size;
	d->held++;
	keycount_add(&d->keys, key);
	return 0;
}

size_t deferral_release(struct deferral *d, const struct deferral_ops *ops, uint64_t now_ns,
			bool force)
{
	size_t out = 0, n = d->n, kept = 0;
	uint64_t wake = UINT64_MAX;

	/* the records that stay are moved up behind the head, in their order */
	for (size_t i = 0; i < n; i++) {
		struct deferral_rec *r = &d->recs[(d->head + i) % d->max_recs];
		bool known = ops->known(ops->ctx, r->key);
		uint64_t due = r->deadline_ns;

		if (known && ops->rekey) {
			uint64_t key = ops->rekey(ops->ctx, r->data, r->size, r->key);

			if (key != r->key) { /* one out, one in: the count's room is kept */
				keycount_del(&d->keys, r->key);
				keycount_add(&d->keys, key);
				r->key = key;
				known = ops->known(ops->ctx, key);
			}
		}

		if (!known && !force && now_ns >= due && ops->patience)
			due += ops->patience(ops->ctx, r->key);
		if (!known && !force && now_ns < due) {
			if (kept != i)
				d->recs[(d->head + kept) % d->max_recs] = *r;
			kept++;
			if (due < wake)
				wake = due;
			continue;
		}
		emit(d, ops, r, known, 0);
		keycount_del(&d->keys, r->key);
		d->bytes -= r->size;
		free(r->data);
		out++;
	}
	for (size_t i = kept; i < n; i++)
		memset(&d->recs[(d->head + i) % d->max_recs], 0, sizeof(d->recs[0]));
	d->n = kept;
	d->wake_ns = kept ? wake : 0;
	return out;
}
