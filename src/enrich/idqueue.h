/* A bounded FIFO of naming requests (look a cgroup up, learn or forget one), lookups deduplicated.
 */
#ifndef CC_IDQUEUE_H
#define CC_IDQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "enrich/keycount.h"

enum idq_kind {
	IDQ_LOOKUP,	/* name the cgroup id key */
	IDQ_LOOKUP_PID, /* name the process whose key this is (legacy hosts: /proc/PID/cgroup) */
	IDQ_LOOKUP_NS,	/* name the mount namespace whose key this is (NAMER_NS_KEY); creator
			   holds, in decimal, the pid of a process in it */
	IDQ_LEARN,	/* a cgroup created (cgroup_mkdir): its path and creator come along */
	IDQ_FORGET,	/* a cgroup removed */
};

#define IDQ_CREATOR_LEN 32

struct idq_item {
	enum idq_kind kind;
	uint64_t key;
	char *path; /* IDQ_LEARN: owned (NUL-terminated), else NULL */
	size_t len;
	const char *machine; /* IDQ_LEARN: the machine's name its creator gave (in path's block), or
				NULL */
	char creator[IDQ_CREATOR_LEN];
};

struct idqueue {
	struct idq_item *items; /* ring of 2 * cap items from head */
	size_t cap, head, n;
	struct keycount waiting; /* items queued per key */
};

/*
 * 0 or -ENOMEM; cap is how many lookups and learns may wait at most; forgets may fill twice that,
 * so a removed cgroup is forgotten by the thread (and its cache) even when lookups fill the queue.
 */
int idqueue_init(struct idqueue *q, size_t cap);
void idqueue_free(struct idqueue *q);

/*
 * Queue a request: 0 when queued; 1 when a lookup was not queued because a request for the same
 * key already waits (its answer serves both); -EAGAIN when full (cap requests wait; 2 * cap for a
 * forget); -EINVAL, -ENOMEM. path (len
 * bytes, IDQ_LEARN only) and creator (may be NULL) are copied.
 */
int idqueue_push(struct idqueue *q, enum idq_kind kind, uint64_t key, const char *path, size_t len,
		 const char *creator);

/* The same for IDQ_LEARN, with the machine's name its creator's arguments gave (may be NULL). */
int idqueue_push_learn(struct idqueue *q, uint64_t key, const char *path, size_t len,
		       const char *creator, const char *machine);

/* 0 and the oldest request in out (its path is the caller's to free), or -ENOENT when empty. */
int idqueue_pop(struct idqueue *q, struct idq_item *out);

static inline size_t idqueue_len(const struct idqueue *q)
{
	return q->n;
}

#endif
