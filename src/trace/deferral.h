/* Records held back until their cgroup is named: bounded, released in order per cgroup. */
#ifndef CC_DEFERRAL_H
#define CC_DEFERRAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich/keycount.h"

struct deferral_rec {
	uint64_t key;	      /* what must be known to write it (a cgroup id, or a process) */
	uint64_t deadline_ns; /* written by then, named or not */
	size_t size;
	void *data; /* owned copy of the record */
};

struct deferral {
	struct deferral_rec *recs; /* ring of max_recs from head */
	size_t max_recs, max_bytes, head, n, bytes;
	struct keycount keys; /* records held per key */
	uint64_t held;	      /* records ever held back */
	uint64_t named;	      /* released once their key was known */
	uint64_t late;	      /* released by the deadline, key still unknown */
	uint64_t pushed;      /* released unknown early, to make room (the bounds were reached) */
	uint64_t wake_ns;     /* no held record is due before (a lower bound) */
};

/* 0 or -ENOMEM: at most max_recs records and max_bytes bytes of them are held. */
int deferral_init(struct deferral *d, size_t max_recs, size_t max_bytes);
void deferral_free(struct deferral *d);

static inline bool deferral_empty(const struct deferral *d)
{
	return d->n == 0;
}

/* Whether records of key are held: a later one of the same key must be held behind them. */
static inline bool deferral_holds(const struct deferral *d, uint64_t key)
{
	return d->n && keycount_get(&d->keys, key) > 0;
}

/* When the next held record may be due (never later than it is; earlier only after records
   left to make room); 0 when none is held. */
uint64_t deferral_next_deadline(const struct deferral *d);

/*
 * How each released record is handed back: its data, and whether its key was known then. The
 * callback decides what "known" means (known(ctx, key)). patience (NULL: none) is how much longer
 * than its deadline an unknown key's records may wait; it must not differ between two records of
 * one key in one release, so that they keep their order.
 */
struct deferral_ops {
	bool (*known)(void *ctx, uint64_t key);
	void (*emit)(void *ctx, const void *data, size_t size, bool known);
	void *ctx;
	uint64_t (*patience)(void *ctx, uint64_t key);
	/* NULL, or what a held record whose key is known waits for now: its key (it goes), or
	   another that naming that key made it need (held under it from then on, unless known) */
	uint64_t (*rekey)(void *ctx, const void *data, size_t size, uint64_t key);
};

/*
 * Hold a copy of a record. When the bounds are reached the oldest records are emitted first (as
 * they are known, counted in pushed) to make room: holding never fails for want of room, and
 * the order is kept. 0, -E2BIG (the record alone exceeds the bound: emit it yourself, after
 * deferral_release(..., true) so the order is kept), -ENOMEM.
 */
int deferral_push(struct deferral *d, const struct deferral_ops *ops, uint64_t key,
		  uint64_t deadline_ns, const void *data, size_t size);

/*
 * Emit, oldest first, every held record whose key is known or whose deadline (plus its key's
 * patience) is past (all of them with force); the others stay. A record whose key is known and
 * that rekey gives another key is held under that one, keeping its place and deadline. Records of
 * one key leave in the order they came (a record that stays has an unknown key and a deadline not
 * past, and so have the later ones of its key); records of different keys may pass each other. How
 * many were emitted.
 */
size_t deferral_release(struct deferral *d, const struct deferral_ops *ops, uint64_t now_ns,
			bool force);

#endif
