/* The naming thread: pops requests, resolves them with its own resolver (the only place files are
 * read once tracing runs), and hands finished identities back. */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "enrich/namer.h"
#include "util.h"

#define NAMER_ANSWERS	 256 /* answers waiting for the consumer at most; then the thread waits */
#define NAMER_STOP_SECS	 1   /* how long stopping waits for a thread busy in a file */
#define NAMER_SWEEP_SECS 30  /* how often the cache is swept of cgroups gone unannounced */

static void answer_clear(struct namer_answer *a)
{
	free(a->path);
	memset(a, 0, sizeof(*a));
}

/* A copy of id (its path too) into a; false when memory is short. */
static bool answer_fill(struct namer_answer *a, uint64_t key, const struct cgroup_identity *id,
			bool pending)
{
	memset(a, 0, sizeof(*a));
	a->key = key;
	a->pending = pending;
	a->id = *id;
	a->id.path = NULL;
	if (id->path) {
		a->path = strdup(id->path);
		if (!a->path)
			return false;
		a->id.path = a->path;
	}
	return true;
}

/* The file work of one request, with no lock held; true when it makes an answer. */
static bool work(struct resolver *r, struct idq_item *it, struct namer_answer *a)
{
	const struct cgroup_identity *id;
	struct cgroup_identity pid_id;

	switch (it->kind) {
	case IDQ_FORGET:
		resolver_forget(r, it->key);
		memset(a, 0, sizeof(*a));
		a->key = it->key;
		a->forget = true;
		return true;
	case IDQ_LEARN:
		resolver_learn_machine(r, it->key, it->path, it->len,
				       it->creator[0] ? it->creator : NULL, it->machine);
		id = resolver_peek(r, it->key, NULL);
		if (!id) /* not learnt (memory): by id */
			id = resolver_lookup(r, it->key);
		return answer_fill(a, it->key, id, resolver_pending(r, it->key));
	case IDQ_LOOKUP:
		id = resolver_lookup(r, it->key);
		return answer_fill(a, it->key, id, resolver_pending(r, it->key));
	case IDQ_LOOKUP_PID:
		memset(&pid_id, 0, sizeof(pid_id));
		pid_id.cgroup_id = it->key;
		/* a gone process is known as no container; a pid is looked at again each second */
		if (resolver_lookup_pid(r, (uint32_t)(it->key & 0xffffffffu), &pid_id.ctr))
			memset(&pid_id.ctr, 0, sizeof(pid_id.ctr));
		return answer_fill(a, it->key, &pid_id, true);
	case IDQ_LOOKUP_NS:
		memset(&pid_id, 0, sizeof(pid_id));
		pid_id.cgroup_id = it->key;
		/* none is no container; looked at again each second (a sandbox starting, or gone)
		 */
		if (resolver_lookup_ns(r, (uint32_t)strtoul(it->creator, NULL, 10), &pid_id.ctr) <
		    0)
			return false; /* the process gone or ending, or its lineage cut: nothing
					 known of its namespace; asked again with the next one's */
		return answer_fill(a, it->key, &pid_id, true);
	}
	return false;
}

/* Hand one answer to the consumer, waiting for room (the lock held); false when stopping. */
static bool hand_over(struct namer *n, struct namer_answer *a)
{
	uint64_t one = 1;

	while (n->ans_n == n->ans_cap && !n->stop)
		pthread_cond_wait(&n->wake, &n->lock);
	if (n->stop) {
		answer_clear(a);
		return false;
	}
	n->ans[n->ans_n++] = *a;
	if (write(n->efd, &one, sizeof(one)) < 0) {
		/* the counter is full: the consumer is woken already */
	}
	return true;
}

/*
 * Every NAMER_SWEEP_SECS: the cgroups of the thread's cache whose directory is gone and that were
 * not used since the last sweep (their removal record was lost) are forgotten, and answered as
 * removed, so the consumer's caches forget them too. Called and returns with the lock held.
 */
static void sweep(struct namer *n)
{
	uint64_t gone[256];
	size_t cnt;

	n->busy = true;
	pthread_mutex_unlock(&n->lock);
	cnt = resolver_sweep(n->back, gone, sizeof(gone) / sizeof(gone[0]));
	pthread_mutex_lock(&n->lock);
	n->back_entries = resolver_cache_size(n->back);
	for (size_t i = 0; i < cnt; i++) {
		struct namer_answer a = {.key = gone[i], .forget = true};

		if (!hand_over(n, &a))
			break;
	}
	n->swept += cnt;
	n->busy = false;
}

static void *namer_main(void *arg)
{
	struct namer *n = arg;
	struct namer_answer a;
	struct idq_item it;
	uint64_t next_sweep = now_ns(CLOCK_MONOTONIC) / 1000000000 + NAMER_SWEEP_SECS;

	pthread_mutex_lock(&n->lock);
	while (!n->stop) {
		bool made;

		if (now_ns(CLOCK_MONOTONIC) / 1000000000 >= next_sweep) {
			sweep(n);
			next_sweep = now_ns(CLOCK_MONOTONIC) / 1000000000 + NAMER_SWEEP_SECS;
			continue;
		}
		if (idqueue_pop(&n->req, &it)) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += NAMER_SWEEP_SECS;
			pthread_cond_timedwait(&n->wake, &n->lock, &until);
			continue;
		}
		n->busy = true;
		pthread_mutex_unlock(&n->lock);
		made = work(n->back, &it, &a);
		free(it.path);
		pthread_mutex_lock(&n->lock);
		n->back_entries = resolver_cache_size(n->back);
		if (made)
			hand_over(n, &a);
		n->busy = false;
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

int namer_start(struct namer **out, struct resolver *back, size_t queue_cap)
{
	struct namer *n = calloc(1, sizeof(*n));
	int err;

	*out = NULL;
	if (!n)
		return -ENOMEM;
	n->efd = -1;
	n->back = back;
	n->ans_cap = NAMER_ANSWERS;
	n->ans = calloc(n->ans_cap, sizeof(*n->ans));
	n->spare = calloc(n->ans_cap, sizeof(*n->spare));
	if (!n->ans || !n->spare || (err = idqueue_init(&n->req, queue_cap))) {
		err = -ENOMEM;
		goto fail;
	}
	n->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->efd < 0) {
		err = -errno;
		goto fail;
	}
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
	if ((err = -pthread_create(&n->thread, NULL, namer_main, n))) {
		pthread_cond_destroy(&n->wake);
		pthread_mutex_destroy(&n->lock);
		goto fail;
	}
	n->started = true;
	*out = n;
	return 0;
fail:
	n->back = NULL; /* the caller keeps it */
	namer_stop(n);
	return err;
}

void namer_stop(struct namer *n)
{
	if (!n)
		return;
	if (n->started) {
		struct timespec until;

		pthread_mutex_lock(&n->lock);
		n->stop = true;
		pthread_cond_broadcast(&n->wake);
		pthread_mutex_unlock(&n->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += NAMER_STOP_SECS;
		if (pthread_timedjoin_np(n->thread, NULL, &until)) {
			/* stuck in a file (a hung mount): left to the process's exit, with all it
			   uses, n included (freeing that under it would be worse than the leak) */
			pthread_detach(n->thread);
			return;
		}
		pthread_cond_destroy(&n->wake);
		pthread_mutex_destroy(&n->lock);
		n->started = false;
	}
	for (size_t i = 0; n->ans && i < n->ans_n; i++)
		answer_clear(&n->ans[i]);
	free(n->ans);
	free(n->spare);
	idqueue_free(&n->req);
	if (n->efd >= 0)
		close(n->efd);
	resolver_free(n->back);
	free(n);
}

/* Queue a request, counted (namer_ask); machine for IDQ_LEARN only. */
static int ask(struct namer *n, enum idq_kind kind, uint64_t key, const char *path, size_t len,
	       const char *creator, const char *machine)
{
	int rc;

	pthread_mutex_lock(&n->lock);
	rc = kind == IDQ_LEARN ? idqueue_push_learn(&n->req, key, path, len, creator, machine)
			       : idqueue_push(&n->req, kind, key, path, len, creator);
	if (rc == 0) {
		n->asked++;
		pthread_cond_signal(&n->wake);
	} else if (rc == 1) {
		n->merged++;
		rc = 0;
	} else {
		n->refused++;
	}
	pthread_mutex_unlock(&n->lock);
	return rc;
}

int namer_ask(struct namer *n, enum idq_kind kind, uint64_t key, const char *path, size_t len,
	      const char *creator)
{
	return ask(n, kind, key, path, len, creator, NULL);
}

int namer_learn(struct namer *n, uint64_t key, const char *path, size_t len, const char *creator,
		const char *machine)
{
	return ask(n, IDQ_LEARN, key, path, len, creator, machine);
}

size_t namer_collect(struct namer *n, struct resolver *front)
{
	struct namer_answer *got;
	uint64_t v;
	size_t cnt;

	if (read(n->efd, &v, sizeof(v)) < 0) {
		/* nothing signalled (EAGAIN): answers may still wait, looked at below */
	}
	pthread_mutex_lock(&n->lock);
	got = n->ans;
	cnt = n->ans_n;
	n->ans = n->spare;
	n->spare = got;
	n->ans_n = 0;
	if (cnt)
		pthread_cond_signal(&n->wake); /* room for answers again */
	pthread_mutex_unlock(&n->lock);
	/* the spare array is the consumer's alone until the next swap */
	for (size_t i = 0; i < cnt; i++) {
		if (!got[i].forget)
			resolver_publish(front, got[i].key, &got[i].id, got[i].pending);
		else if (!n->in_use || !n->in_use(n->in_use_ctx, got[i].key))
			resolver_forget(front, got[i].key);
		answer_clear(&got[i]);
	}
	return cnt;
}

void namer_forget_unless(struct namer *n, bool (*in_use)(void *ctx, uint64_t key), void *ctx)
{
	n->in_use = in_use;
	n->in_use_ctx = ctx;
}

size_t namer_back_entries(struct namer *n)
{
	size_t v;

	pthread_mutex_lock(&n->lock);
	v = n->back_entries;
	pthread_mutex_unlock(&n->lock);
	return v;
}

void namer_queued(struct namer *n, size_t *requests, size_t *answers)
{
	pthread_mutex_lock(&n->lock);
	*requests = idqueue_len(&n->req);
	*answers = n->ans_n;
	pthread_mutex_unlock(&n->lock);
}

bool namer_idle(struct namer *n)
{
	bool idle;

	pthread_mutex_lock(&n->lock);
	idle = !n->busy && idqueue_len(&n->req) == 0 && n->ans_n == 0;
	pthread_mutex_unlock(&n->lock);
	return idle;
}
