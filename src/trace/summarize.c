/* Per-container counting in the session: deltas of the kernel's tally mapped to containers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace/summarize.h"

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
	z->psi = psi;
	z->v2_mount = v2_mount;
	return 0;
}

void summarize_free(struct summarize *z)
{
	metrics_stop(z->metrics);
	tally_free(z->tally);
	summary_free(&z->sum);
	strbuf_free(&z->text);
	memset(z, 0, sizeof(*z));
}

static bool summarize_is_open(uint32_t sc)
{
	return sc == CC_SYS_OPEN || sc == CC_SYS_OPENAT || sc == CC_SYS_OPENAT2;
}

void summarize_event(struct summarize *z, const struct cc_event *ev, size_t size,
		     const struct cgroup_identity *id)
{
	struct summary_row *r;
	size_t len = ev->tail_len;

	if (!z->psi || /* only top shows paths: /metrics has none */
	    !summarize_is_open(ev->syscall) || ev->ret < 0 || (ev->status & CC_ST_TAIL_UNREADABLE))
		return;
	if (len > size - sizeof(*ev))
		len = size - sizeof(*ev);
	r = summary_row_by_cgroup(&z->sum, ev->cgroup_id);
	if (!r || r->host)
		r = summary_row_of(&z->sum, ev->cgroup_id, id ? id->path : NULL,
				   id ? &id->ctr : NULL);
	if (r)
		topk_add(&r->paths, ev->tail, len);
}

void summarize_removed(struct summarize *z, uint64_t cgroup_id, uint64_t now_ns)
{
	summary_cgroup_removed(&z->sum, cgroup_id, now_ns);
	tally_retire(z->tally, cgroup_id);
}

struct summarize_ctx {
	struct summarize *z;
	struct resolver *res;
};

static void summarize_delta(void *ctx, const struct cc_tally_key *key, uint64_t delta)
{
	struct summarize_ctx *c = ctx;
	/* a row knows its cgroups, removed ones too: the resolver forgets those at once */
	struct summary_row *r = summary_row_by_cgroup(&c->z->sum, key->cgroup_id);

	if (!r || r->host) { /* the host's may turn out a container's once resolved */
		const struct cgroup_identity *id = resolver_lookup(c->res, key->cgroup_id);

		r = summary_row_of(&c->z->sum, key->cgroup_id, id->path, &id->ctr);
	}

	if (!r)
		return;
	if (key->syscall == TALLY_LOST)
		r->lost += delta;
	else
		summary_add(&c->z->sum, r, key->syscall, key->err, delta);
}

#define SUMMARIZE_SWEEP_NS 30000000000ull

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
	for (size_t i = 0; i < z->sum.n; i++) {
		struct summary_row *r = z->sum.rows[i];

		if (r->host || r->gone_since_ns || !r->cgroup_path[0] ||
		    (size_t)snprintf(path, sizeof(path), "%s%s", z->v2_mount, r->cgroup_path) >=
			    sizeof(path) ||
		    access(path, F_OK) == 0 || errno != ENOENT)
			continue;
		while (r->ncgroups)
			summarize_removed(z, r->cgroups[0], now_ns);
	}
}

int summarize_collect(struct summarize *z, struct resolver *res, int tally_fd, int lost_fd,
		      int ncpus, const struct fdtable *fds, uint64_t now_ns)
{
	struct summarize_ctx c = {.z = z, .res = res};
	int err = tally_read(z->tally, tally_fd, ncpus, lost_fd, summarize_delta, &c);

	if (fds) /* the descriptor table knows better than opens minus closes */
		summary_count_fds(&z->sum, fds);
	summarize_sweep(z, now_ns);
	z->state.rows_expired += summary_expire(&z->sum, now_ns, z->grace_ns);
	z->state.cgroups_resolved = resolver_cache_size(res);
	if (z->psi)
		for (size_t i = 0; i < z->sum.n; i++) {
			struct summary_row *r = z->sum.rows[i];

			if (r->gone_since_ns || !r->cgroup_path[0])
				memset(&r->psi, 0, sizeof(r->psi));
			else
				psi_read(z->v2_mount, r->cgroup_path, &r->psi);
		}
	if (z->metrics) {
		z->text.len = 0;
		expo_write(&z->text, &z->sum, &z->state);
		if (!z->text.oom)
			metrics_publish(z->metrics, z->text.buf, z->text.len);
	}
	return err;
}
