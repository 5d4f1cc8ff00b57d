/* The consumer's held-back records: copies in a ring, bounded in count and bytes, released in the
 * order they came once named or past their deadline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/deferral.h"

int deferral_init(struct deferral *d, size_t max_recs, size_t max_bytes)
{
	memset(d, 0, sizeof(*d));
	if (!max_recs || !max_bytes)
		return -EINVAL;
	d->recs = calloc(max_recs, sizeof(*d->recs));
	if (!d->recs)
		return -ENOMEM;
	d->max_recs = max_recs;
	d->max_bytes = max_bytes;
	return 0;
}

static void pop(struct deferral *d)
{
	struct deferral_rec *r = &d->recs[d->head];

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
	memset(d, 0, sizeof(*d));
}

uint64_t deferral_next_deadline(const struct deferral *d)
{
	return d->n ? d->recs[d->head].deadline_ns : 0;
}

/* The oldest record out, through ops; counted by why it left. */
static void emit_head(struct deferral *d, const struct deferral_ops *ops, bool known, int why)
{
	struct deferral_rec *r = &d->recs[d->head];

	if (known)
		d->named++;
	else if (why)
		d->pushed++;
	else
		d->late++;
	ops->emit(ops->ctx, r->data, r->size, known);
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
	d->n++;
	d->bytes += size;
	d->held++;
	return 0;
}

size_t deferral_release(struct deferral *d, const struct deferral_ops *ops, uint64_t now_ns,
			bool force)
{
	size_t out = 0;

	while (d->n) {
		bool known = ops->known(ops->ctx, d->recs[d->head].key);

		if (!known && !force && now_ns < d->recs[d->head].deadline_ns)
			break;
		emit_head(d, ops, known, 0);
		out++;
	}
	return out;
}
