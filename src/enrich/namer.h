/* Naming off the event consumer's thread: a thread that owns a resolver and does all its file
 * work, fed by a bounded request queue, answering into the consumer's own cache. */
#ifndef CC_NAMER_H
#define CC_NAMER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich/idqueue.h"
#include "enrich/identity.h"
#include "enrich/resolver.h"

/* A process's key (legacy hosts name processes, not cgroup ids): never a cgroup id. */
#define NAMER_PID_KEY(pid) ((1ull << 63) | (uint64_t)(pid))
/* A mount namespace's key (a container with no cgroup of its own: nsowner.h): never a cgroup id
   nor a process's key. */
#define NAMER_NS_BIT	     (1ull << 62)
#define NAMER_NS_KEY(mntns)  (NAMER_NS_BIT | ((uint64_t)(mntns)&0xffffffffu))
#define NAMER_IS_NS_KEY(key) (((key) >> 62) == 1)

struct namer_answer {
	uint64_t key;
	bool pending; /* may be completed by asking again later */
	bool forget;  /* the cgroup was removed: no identity, the front forgets it */
	struct cgroup_identity id;
	char *path; /* owned; id.path points here */
};

struct namer {
	struct resolver *back; /* the thread's, once started: every open, read and walk */
	pthread_t thread;
	pthread_mutex_t lock; /* the queues and flags below; never held during file work */
	pthread_cond_t wake;  /* to the thread: a request, room for answers, or stop */
	struct idqueue req;
	struct namer_answer *ans, *spare; /* answers not collected yet; the consumer swaps them */
	size_t ans_n, ans_cap;
	int efd;   /* eventfd: readable when answers wait */
	bool busy; /* a request is being worked on */
	bool stop;
	bool started;
	uint64_t asked, merged, refused; /* requests queued, merged into one waiting, queue full */
	size_t back_entries;		 /* resolver_cache_size(back) after the last request */
	uint64_t swept; /* cgroups forgotten by the sweep (their removal record was lost) */
	/* whether the consumer still needs a removed cgroup's name (its records wait): then it
	   forgets it itself (namer_forget_unless); NULL: never */
	bool (*in_use)(void *ctx, uint64_t key);
	void *in_use_ctx;
};

/*
 * Start the thread on back (the namer owns it from now on, and frees it in namer_stop): 0 and
 * the namer in *out, or -errno (back is still the caller's). At most queue_cap requests wait.
 */
int namer_start(struct namer **out, struct resolver *back, size_t queue_cap);

/*
 * Stop and join the thread, and free the namer; NULL is fine. A thread stuck in a file for
 * more than a second is left to the process's exit, and the namer with it (not freed).
 */
void namer_stop(struct namer *n);

/*
 * Ask for a key to be named (IDQ_LOOKUP, IDQ_LOOKUP_PID: key is NAMER_PID_KEY(pid), IDQ_LOOKUP_NS:
 * NAMER_NS_KEY(mntns)), or tell of
 * a cgroup created (IDQ_LEARN, with its path and creator) or removed (IDQ_FORGET). Never waits
 * on a file. 0 queued or merged with one waiting, -EAGAIN when the queue is full.
 */
int namer_ask(struct namer *n, enum idq_kind kind, uint64_t key, const char *path, size_t len,
	      const char *creator);

/* IDQ_LEARN with the machine's name its creator's arguments gave (machine may be NULL). */
int namer_learn(struct namer *n, uint64_t key, const char *path, size_t len, const char *creator,
		const char *machine);

/*
 * Put every answer into front (resolver_publish): how many. Never waits on a file. The answer to
 * IDQ_FORGET, which comes after every answer about that cgroup (and the thread's sweep every
 * 30 s, of the cgroups gone unannounced), removes it from front unless
 * the in_use callback says the consumer still needs it (an answer that came after the consumer
 * forgot a removed cgroup would otherwise stay cached until evicted).
 */
size_t namer_collect(struct namer *n, struct resolver *front);

/* Readable when answers wait (for epoll). */
static inline int namer_fd(const struct namer *n)
{
	return n->efd;
}

/* Set the in_use callback (see namer_collect), before the first request. */
void namer_forget_unless(struct namer *n, bool (*in_use)(void *ctx, uint64_t key), void *ctx);

/* How many entries the thread's own resolver caches (for /metrics). */
size_t namer_back_entries(struct namer *n);

/* Requests waiting, answers waiting (for /metrics). */
void namer_queued(struct namer *n, size_t *requests, size_t *answers);

/* Nothing queued, nothing being worked on, no answer left to collect. */
bool namer_idle(struct namer *n);

#endif
