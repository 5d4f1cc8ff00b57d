/* Per-container counting in the session: deltas of the kernel's tally mapped to containers. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace/summarize.h"
#include "util.h"

int summarize_init(struct summarize *z, const struct config *cfg, const char *v2_mount, bool psi)
{
	struct timespec ts;
	int err;

	memset(z, 0, sizeof(*z));
	summary_init(&z->sum);
	if ((err = tally_new(&z->tally)))
		return err;
	if (cfg->metrics && (err = metrics_start(cfg->metrics, &z->metrics))) {
		tally_free(z->tally);
		z->tally = NULL;
		return err;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	z->state.version = CC_VERSION;
	z->state.mode = psi ? "top" : "stream";
	z->state.start_time_seconds = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	z->state.ringbuf_bytes = (uint64_t)cfg->ringbuf_mib << 20;
	z->grace_ns = (uint64_t)cfg->metrics_grace * 1000000000ull;
	summary_set_max_rows(&z->sum, cfg->metrics_max_containers);
	z->psi = psi;
	z->v2_mount = v2_mount;
	return 0;
}

void summarize_free(struct summarize *z)
{
	metrics_stop(z->metrics);
	tally_free(z->tally);
	summary_free(&z->sum);
	free(z->held);
	memset(z, 0, sizeof(*z));
}

static bool summarize_is_open(uint32_t sc)
{
	return sc == CC_SYS_OPEN || sc == CC_SYS_OPENAT || sc == CC_SYS_OPENAT2;
}

void summarize_event(struct summarize *z, const struct cc_event *ev, size_t size,
		     const struct cgroup_identity *id, uint64_t key)
{
	struct summary_row *r;
	size_t len = tail_bytes(ev->tail_len, size, sizeof(*ev));

	if (!z->psi || /* only top shows paths: /metrics has none */
	    !summarize_is_open(ev->syscall) || ev->ret < 0 || (ev->status & CC_ST_TAIL_UNREADABLE))
		return;
	/* by what names it: a sandbox's open, named by its mount namespace, never makes the
	   host's cgroup a container's */
	r = summary_row_by_cgroup(&z->sum, key);
	if (!r || r->host)
		r = summary_row_of(&z->sum, key, id ? id->path : NULL, id ? &id->ctr : NULL);
	if (r)
		topk_add(&summary_counted(r)->paths, ev->tail, len);
}

void summarize_names(struct summarize *z, struct resolver *res, struct resolver *guess,
		     struct namer *namer)
{
	z->res = res;
	z->guess = guess;
	z->namer = namer;
}

/* Whether cgroups are named by id here (a v2 hierarchy): else every call is the host's. */
static bool summarize_by_id(const struct summarize *z)
{
	return z->res && z->v2_mount && z->v2_mount[0];
}

/*
 * What the stream would write a record of the cgroup with now: the consumer's cache of the
 * naming thread's answers, the thread asked (again, when due) where it is missing; never a file.
 */
static const struct cgroup_identity *summarize_known(struct summarize *z, uint64_t cgroup_id)
{
	bool due;
	const struct cgroup_identity *id = resolver_peek(z->res, cgroup_id, &due);

	if ((!id || due) && z->namer)
		namer_ask(z->namer, IDQ_LOOKUP, cgroup_id, NULL, 0, NULL);
	return id;
}

static void summarize_count(struct summarize *z, struct summary_row *r,
			    const struct cc_tally_key *key, uint64_t delta)
{
	if (!r)
		return;
	if (key->syscall == TALLY_LOST)
		summary_add_lost(r, delta);
	else
		summary_add(&z->sum, r, key->syscall, key->err, delta);
}

/*
 * A delta of a task with a mount namespace in its key (a pid namespace of its own, or a user
 * namespace of its own in the host's: a gVisor sandbox, its stubs and gofer; rootless podman's
 * containers) in a cgroup that is no container's: counted in the row of the container its mount
 * namespace names, as its events are named (their naming asks for it, with their pid). 1:
 * counted; 0: to wait for a name; -1: to count by its cgroup (a container's cgroup, a mount
 * namespace that is no container's, or no name after waiting: force).
 */
static int summarize_place_ns(struct summarize *z, const struct cc_tally_key *key, uint64_t delta,
			      bool force)
{
	uint64_t nskey = NAMER_NS_KEY(key->mntns);
	struct summary_row *r = summary_row_by_cgroup(&z->sum, nskey);
	const struct cgroup_identity *cg, *ns;

	if (r && !r->host) {
		summarize_count(z, r, key, delta);
		return 1;
	}
	cg = summarize_known(z, key->cgroup_id);
	if (!cg)
		return force ? -1 : 0;
	if (!cg->path || cg->ctr.is_container)
		return -1;
	ns = resolver_peek(z->res, nskey, NULL);
	if (!ns)
		return force ? -1 : 0;
	if (!ns->ctr.is_container)
		return -1;
	summarize_count(z, summary_row_of(&z->sum, nskey, cg->path, &ns->ctr), key, delta);
	return 1;
}

/*
 * Count a delta in its row; false when its cgroup is not named yet and it may wait (force: it
 * may not: counted with what the cgroup's path told, else as the host's).
 */
static bool summarize_place(struct summarize *z, const struct cc_tally_key *key, uint64_t delta,
			    bool force)
{
	/* a row knows its cgroups, removed ones too: the caches forget those at once */
	struct summary_row *r = summary_row_by_cgroup(&z->sum, key->cgroup_id);
	const struct cgroup_identity *id;
	int placed;

	if (r && !r->host) {
		summarize_count(z, r, key, delta);
		return true;
	}
	if (!summarize_by_id(z)) {
		summarize_count(z, summary_row_of(&z->sum, key->cgroup_id, NULL, NULL), key, delta);
		return true;
	}
	if (key->mntns && (placed = summarize_place_ns(z, key, delta, force)) >= 0)
		return placed;
	if (tally_retired(z->tally, key->cgroup_id)) {
		/* removed, and no container's when it went (summarize_removed made that row):
		   the host's, without indexing a cgroup that is gone */
		summarize_count(z, r ? r : summary_host_row(&z->sum), key, delta);
		return true;
	}
	/* the host's may turn out a container's once named */
	id = summarize_known(z, key->cgroup_id);
	if (!id && !r && !force)
		return false;
	if (!id && !r) { /* waited long enough: what its path told, else the host's */
		id = resolver_peek(z->guess, key->cgroup_id, NULL);
		z->held_late++;
	}
	summarize_count(
		z,
		summary_row_of(&z->sum, key->cgroup_id, id ? id->path : NULL, id ? &id->ctr : NULL),
		key, delta);
	return true;
}

/* A delta kept until its cgroup is named; when no room is left, the oldest is counted now. */
static void summarize_hold(struct summarize *z, const struct cc_tally_key *key, uint64_t delta,
			   uint64_t now_ns)
{
	if (z->nheld == z->capheld) {
		size_t cap = z->capheld ? z->capheld * 2 : 64;
		struct summarize_held *h =
			cap <= SUMMARIZE_HELD ? realloc(z->held, cap * sizeof(*h)) : NULL;

		if (!h) { /* full (or no memory): the oldest goes first */
			if (!z->nheld) {
				summarize_place(z, key, delta, true);
				return;
			}
			summarize_place(z, &z->held[0].key, z->held[0].delta, true);
			memmove(z->held, z->held + 1, (z->nheld - 1) * sizeof(*z->held));
			z->nheld--;
		} else {
			z->held = h;
			z->capheld = cap;
		}
	}
	z->held[z->nheld++] = (struct summarize_held){*key, delta, now_ns};
}

/*
 * The held deltas counted where their cgroup is named now, or waited long enough (force: all);
 * only those of cgroup_id when it is not 0.
 */
static void summarize_release(struct summarize *z, uint64_t now_ns, uint64_t cgroup_id, bool force)
{
	size_t kept = 0;

	for (size_t i = 0; i < z->nheld; i++) {
		struct summarize_held *h = &z->held[i];
		bool all = force || now_ns - h->since_ns >= SUMMARIZE_HOLD_NS;

		if ((cgroup_id && h->key.cgroup_id != cgroup_id) ||
		    !summarize_place(z, &h->key, h->delta, all))
			z->held[kept++] = *h;
	}
	z->nheld = kept;
}

bool summarize_unnamed(struct summarize *z, uint64_t cgroup_id)
{
	return summarize_by_id(z) && !resolver_peek(z->res, cgroup_id, NULL);
}

void summarize_removed(struct summarize *z, uint64_t cgroup_id, uint64_t now_ns)
{
	struct summary_row *r = summary_row_by_cgroup(&z->sum, cgroup_id);
	/* the name the stream wrote its last records with */
	const struct cgroup_identity *id =
		summarize_by_id(z) ? resolver_peek(z->res, cgroup_id, NULL) : NULL;

	if (!id && summarize_by_id(z))
		id = resolver_peek(z->guess, cgroup_id, NULL);
	/* a container's cgroup: its row now, under the name it had, for its calls still to be
	   read (a row that counts none of them is dropped after that read) */
	if ((!r || r->host) && id && id->ctr.is_container && summarize_by_id(z))
		summary_row_of(&z->sum, cgroup_id, id->path, &id->ctr);
	summary_cgroup_removed(&z->sum, cgroup_id, now_ns);
	tally_retire(z->tally, cgroup_id);
	if (z->nheld) /* named now or never: the row made above, else the host's */
		summarize_release(z, now_ns, cgroup_id, true);
}

struct summarize_ctx {
	struct summarize *z;
	uint64_t now_ns;
};

static void summarize_delta(void *ctx, const struct cc_tally_key *key, uint64_t delta)
{
	struct summarize_ctx *c = ctx;

	if (!summarize_place(c->z, key, delta, false))
		summarize_hold(c->z, key, delta, c->now_ns);
}

#define SUMMARIZE_SWEEP_NS 30000000000ull
#define SUMMARIZE_AWAIT_MS 100

/*
 * A container whose cgroup_rmdir record was lost (the ring buffer was full) would keep its rows
 * and tally keys forever: every 30 s, a row whose cgroup directory is gone is removed as if its
 * records had come.
 */
static void summarize_sweep(struct summarize *z, uint64_t now_ns)
{
	char path[4096];

	if (now_ns < z->next_sweep_ns || !z->v2_mount || !z->v2_mount[0])
		return;
	z->next_sweep_ns = now_ns + SUMMARIZE_SWEEP_NS;
	/* the rows, then the overflow row's members (read afresh: a removal may add a row) */
	for (size_t i = 0; i < z->sum.n + z->sum.nmembers; i++) {
		struct summary_row *r =
			i < z->sum.n ? z->sum.rows[i] : z->sum.members[i - z->sum.n];

		if (r->host || r->overflow || r->gone_since_ns || !r->cgroup_path[0] ||
		    (size_t)snprintf(path, sizeof(path), "%s%s", z->v2_mount, r->cgroup_path) >=
			    sizeof(path) ||
		    access(path, F_OK) == 0 || errno != ENOENT)
			continue;
		while (r->ncgroups)
			summarize_removed(z, r->cgroups[0], now_ns);
	}
}

/* The last interval: the naming thread's answers to what was asked, awaited a little. */
static void summarize_await(struct summarize *z)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct pollfd p = {.fd = namer_fd(z->namer), .events = POLLIN};

		namer_collect(z->namer, z->res);
		if (namer_idle(z->namer))
			break;
		poll(&p, 1, 10);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 <
		 SUMMARIZE_AWAIT_MS);
	namer_collect(z->namer, z->res);
}

int summarize_collect(struct summarize *z, int tally_fd, int lost_fd, int ncpus,
		      const struct fdtable *fds, uint64_t now_ns, bool final)
{
	struct summarize_ctx c = {.z = z, .now_ns = now_ns};
	int err;

	if (z->nheld)
		summarize_release(z, now_ns, 0, false);
	err = tally_read(z->tally, tally_fd, ncpus, lost_fd, summarize_delta, &c);
	if (final && z->nheld) {
		if (z->namer)
			summarize_await(z);
		summarize_release(z, now_ns, 0, true);
	}
	summary_drop_unused(&z->sum);

	if (fds) /* the descriptor table knows better than opens minus closes */
		summary_count_fds(&z->sum, fds);
	summarize_sweep(z, now_ns);
	/* their keys go too, if not gone already (the overflow row's members' too) */
	for (size_t i = 0; i < z->sum.n + z->sum.nmembers; i++) {
		const struct summary_row *r =
			i < z->sum.n ? z->sum.rows[i] : z->sum.members[i - z->sum.n];

		if (summary_row_expired(r, now_ns, z->grace_ns))
			for (size_t j = 0; j < r->ncgroups + r->ndead; j++)
				tally_retire(z->tally, r->cgroups[j]);
	}
	z->state.rows_expired += summary_expire(&z->sum, now_ns, z->grace_ns);
	z->state.cgroups_resolved = resolver_cache_size(z->res);
	if (z->psi)
		for (size_t i = 0; i < z->sum.n; i++) {
			struct summary_row *r = z->sum.rows[i];

			if (r->gone_since_ns || !r->cgroup_path[0])
				memset(&r->psi, 0, sizeof(r->psi));
			else
				psi_read(z->v2_mount, r->cgroup_path, &r->psi);
		}
	if (z->metrics) /* a copy of the rows: the HTTP thread renders them when scraped */
		metrics_publish(z->metrics, &z->sum, &z->state);
	return err;
}
