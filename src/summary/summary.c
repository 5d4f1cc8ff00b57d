/* The per-container rows: found by container id (hashed), counted by system call and result,
 * bounded in number (the containers past the bound counted in one overflow row), expired. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/namer.h"
#include "summary/summary.h"

void summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
}

int summary_snapshot(const struct summary *s, struct summary *out)
{
	struct summary_row *block = malloc((s->n ? s->n : 1) * sizeof(*block));
	struct summary_row **rows = malloc((s->n ? s->n : 1) * sizeof(*rows));

	memset(out, 0, sizeof(*out));
	if (!block || !rows) {
		free(block);
		free(rows);
		return -ENOMEM;
	}
	rows[0] = block; /* also with no row: what summary_snapshot_free() frees */
	for (size_t i = 0; i < s->n; i++) {
		block[i] = *s->rows[i];
		/* what the copy may not share: the paths' strings, the links */
		memset(&block[i].paths, 0, sizeof(block[i].paths));
		block[i].hnext = block[i].into = NULL;
		rows[i] = &block[i];
		if (s->rows[i] == s->host)
			out->host = &block[i];
		if (s->rows[i] == s->overflow)
			out->overflow = &block[i];
	}
	out->rows = rows;
	out->n = out->cap = s->n;
	out->max_rows = s->max_rows;
	out->nmembers = s->nmembers;
	out->overflowed = s->overflowed;
	memcpy(out->total, s->total, sizeof(out->total));
	memcpy(out->interval, s->interval, sizeof(out->interval));
	return 0;
}

void summary_snapshot_free(struct summary *out)
{
	if (out->rows)
		free(out->rows[0]);
	free(out->rows);
	memset(out, 0, sizeof(*out));
}

void summary_set_max_rows(struct summary *s, size_t max)
{
	s->max_rows = max;
}

static void summary_row_free(struct summary_row *r)
{
	topk_free(&r->paths);
	free(r);
}

static size_t summary_bucket(uint64_t id)
{
	id *= 0x9e3779b97f4a7c15ull;
	return (size_t)(id >> 32) % SUMMARY_BUCKETS;
}

static struct summary_row *summary_index_get(const struct summary *s, uint64_t id)
{
	for (struct summary_cg *c = s->index[summary_bucket(id)]; c; c = c->next)
		if (c->cgroup_id == id)
			return c->row;
	return NULL;
}

/* 0 or -ENOMEM (the id then stays unindexed: found again by container id, more slowly). */
static int summary_index_add(struct summary *s, uint64_t id, struct summary_row *r)
{
	struct summary_cg *c = malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->cgroup_id = id;
	c->row = r;
	c->next = s->index[summary_bucket(id)];
	s->index[summary_bucket(id)] = c;
	return 0;
}

static void summary_index_del(struct summary *s, uint64_t id)
{
	for (struct summary_cg **p = &s->index[summary_bucket(id)]; *p; p = &(*p)->next)
		if ((*p)->cgroup_id == id) {
			struct summary_cg *c = *p;

			*p = c->next;
			free(c);
			return;
		}
}

void summary_free(struct summary *s)
{
	for (size_t i = 0; i < SUMMARY_BUCKETS; i++)
		for (struct summary_cg *c = s->index[i], *next; c; c = next) {
			next = c->next;
			free(c);
		}
	for (size_t i = 0; i < s->n; i++)
		summary_row_free(s->rows[i]);
	for (size_t i = 0; i < s->nmembers; i++)
		summary_row_free(s->members[i]);
	free(s->rows);
	free(s->members);
	memset(s, 0, sizeof(*s));
}

static void summary_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A container's bucket in by_ctr: FNV-1a of its runtime and id. */
static size_t summary_ctr_bucket(const char *runtime, const char *id)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *p = runtime; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	h = (h ^ 0xff) * 0x100000001b3ull; /* "ab"+"c" is not "a"+"bc" */
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return (size_t)(h % SUMMARY_BUCKETS);
}

static struct summary_row *summary_find(struct summary *s, const struct container_info *ctr)
{
	char id[CONTAINER_ID_LEN], runtime[CONTAINER_RUNTIME_LEN];

	if (!ctr)
		return s->host;
	/* as the row keeps them */
	summary_copy(id, sizeof(id), ctr->id);
	summary_copy(runtime, sizeof(runtime), ctr->runtime);
	for (struct summary_row *r = s->by_ctr[summary_ctr_bucket(runtime, id)]; r; r = r->hnext)
		if (strcmp(r->id, id) == 0 && strcmp(r->runtime, runtime) == 0)
			return r;
	return NULL;
}

static void summary_ctr_del(struct summary *s, struct summary_row *r)
{
	for (struct summary_row **p = &s->by_ctr[summary_ctr_bucket(r->runtime, r->id)]; *p;
	     p = &(*p)->hnext)
		if (*p == r) {
			*p = r->hnext;
			return;
		}
}

/* Room for one more pointer in *v (n of cap); 0 or -ENOMEM. */
static int summary_grow(struct summary_row ***v, size_t n, size_t *cap)
{
	struct summary_row **p;

	if (n < *cap)
		return 0;
	p = realloc(*v, (*cap ? *cap * 2 : 16) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

/* The containers with a row of their own. */
static size_t summary_ctr_rows(const struct summary *s)
{
	return s->n - (s->host != NULL) - (s->overflow != NULL);
}

/* The overflow row (made when there is none); NULL when out of memory. */
static struct summary_row *summary_overflow_row(struct summary *s)
{
	struct summary_row *r;

	if (s->overflow)
		return s->overflow;
	if (summary_grow(&s->rows, s->n, &s->cap) || !(r = calloc(1, sizeof(*r))))
		return NULL;
	r->overflow = true;
	strcpy(r->name, SUMMARY_OVERFLOW_NAME);
	s->rows[s->n++] = r;
	return s->overflow = r;
}

static struct summary_row *summary_new_row(struct summary *s, const struct container_info *ctr)
{
	struct summary_row *r, *into = NULL;

	if (ctr && s->max_rows && summary_ctr_rows(s) >= s->max_rows) {
		/* past the bound: a member, counted in the overflow row */
		if (!(into = summary_overflow_row(s)) ||
		    summary_grow(&s->members, s->nmembers, &s->capmembers))
			return NULL;
	} else if (summary_grow(&s->rows, s->n, &s->cap)) {
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->host = !ctr;
	r->into = into;
	if (ctr) {
		summary_copy(r->id, sizeof(r->id), ctr->id);
		summary_copy(r->name, sizeof(r->name), ctr->name);
		summary_copy(r->runtime, sizeof(r->runtime), ctr->runtime);
		summary_copy(r->k8s_namespace, sizeof(r->k8s_namespace), ctr->k8s_namespace);
		summary_copy(r->k8s_pod, sizeof(r->k8s_pod), ctr->k8s_pod);
		r->hnext = s->by_ctr[summary_ctr_bucket(r->runtime, r->id)];
		s->by_ctr[summary_ctr_bucket(r->runtime, r->id)] = r;
	} else {
		strcpy(r->cgroup_path, "/");
		s->host = r;
	}
	if (into) {
		s->members[s->nmembers++] = r;
		s->overflowed++;
	} else {
		s->rows[s->n++] = r;
	}
	return r;
}

struct summary_row *summary_row_of(struct summary *s, uint64_t cgroup_id, const char *cgroup_path,
				   const struct container_info *ctr)
{
	const struct container_info *key = ctr && ctr->is_container ? ctr : NULL;
	struct summary_row *r = summary_index_get(s, cgroup_id);
	size_t i;

	if (r && r->host && key) {
		/* counted as the host's before it was known to be a container's: from now on its */
		summary_index_del(s, cgroup_id);
		r = NULL;
	}
	if (r) { /* known: alive again unless this very cgroup was removed */
		for (i = 0; i < r->ncgroups && r->cgroups[i] != cgroup_id; i++)
			;
		if (i < r->ncgroups || r->host)
			r->gone_since_ns = 0;
		return r;
	}
	r = summary_find(s, key);
	if (!r && !(r = summary_new_row(s, key)))
		return NULL;
	if (key && cgroup_path && !r->cgroup_path[0] && key->cgroup_len > 0 &&
	    key->cgroup_len < sizeof(r->cgroup_path) && strlen(cgroup_path) >= key->cgroup_len) {
		memcpy(r->cgroup_path, cgroup_path, key->cgroup_len);
		r->cgroup_path[key->cgroup_len] = '\0';
	}
	if (r->host) {
		summary_index_add(s, cgroup_id, r);
		return r;
	}
	r->gone_since_ns = 0;
	if (r->ncgroups + r->ndead == SUMMARY_CGROUPS && r->ndead) {
		/* full: the last removed one is forgotten */
		summary_index_del(s, r->cgroups[r->ncgroups + r->ndead - 1]);
		r->ndead--;
	}
	if (r->ncgroups + r->ndead == SUMMARY_CGROUPS ||
	    summary_index_add(s, cgroup_id, r)) /* 16 live ones: the rest is found by id */
		return r;
	/* the first removed one moves to the end, the new live one takes its place */
	if (r->ndead)
		r->cgroups[r->ncgroups + r->ndead] = r->cgroups[r->ncgroups];
	r->cgroups[r->ncgroups++] = cgroup_id;
	return r;
}

struct summary_row *summary_row_by_cgroup(struct summary *s, uint64_t cgroup_id)
{
	return summary_index_get(s, cgroup_id);
}

static enum summary_col summary_col_of(uint32_t syscall, uint32_t err)
{
	switch (syscall) {
	case CC_SYS_OPEN:
	case CC_SYS_OPENAT:
	case CC_SYS_OPENAT2:
		return err ? SUM_FAILED : SUM_OPENS;
	case CC_SYS_CLOSE:
		return SUM_CLOSES;
	case CC_SYS_CONNECT:
		return SUM_CONNECTS;
	case CC_SYS_ACCEPT:
	case CC_SYS_ACCEPT4:
		return SUM_ACCEPTS;
	}
	return SUM_COLS;
}

static void summary_result_add(struct summary_row *r, uint32_t syscall, uint32_t err,
			       uint64_t delta)
{
	size_t i;

	for (i = 0; i < r->nresults; i++)
		if (r->results[i].syscall == syscall && r->results[i].err == err)
			break;
	if (i == r->nresults) {
		if (r->nresults == SUMMARY_RESULTS) {
			/* the last slot becomes the catch-all of this system call's rare errnos */
			for (i = 0; i < r->nresults; i++)
				if (r->results[i].syscall == syscall &&
				    r->results[i].err == SUMMARY_ERR_OTHER)
					break;
			if (i == r->nresults)
				return;
		} else {
			r->results[i].syscall = syscall;
			r->results[i].err =
				r->nresults == SUMMARY_RESULTS - 1 && err ? SUMMARY_ERR_OTHER : err;
			r->results[i].total = 0;
			r->nresults++;
		}
	}
	r->results[i].total += delta;
}

void summary_add(struct summary *s, struct summary_row *r, uint32_t syscall, uint32_t err,
		 uint64_t delta)
{
	enum summary_col c = summary_col_of(syscall, err);

	if (c == SUM_COLS || delta == 0)
		return;
	if (r->into) { /* a member: counted in the overflow row; its own total says it counted */
		r->total[SUM_EVENTS] += delta;
		r = r->into;
	}
	summary_result_add(r, syscall, err, delta);
	r->interval[c] += delta;
	r->total[c] += delta;
	r->interval[SUM_EVENTS] += delta;
	r->total[SUM_EVENTS] += delta;
	s->interval[c] += delta;
	s->total[c] += delta;
	s->interval[SUM_EVENTS] += delta;
	s->total[SUM_EVENTS] += delta;
	if (!err && (c == SUM_OPENS || c == SUM_ACCEPTS))
		r->fd_opened += delta;
	else if (!err && c == SUM_CLOSES)
		r->fd_closed += delta;
}

void summary_add_lost(struct summary_row *r, uint64_t delta)
{
	r->lost += delta;
	if (r->into)
		r->into->lost += delta;
}

void summary_cgroup_removed(struct summary *s, uint64_t cgroup_id, uint64_t now_ns)
{
	struct summary_row *r = summary_index_get(s, cgroup_id);

	if (!r)
		return;
	if (r->host) { /* the host row never goes; its last counts resolve to it anyway */
		summary_index_del(s, cgroup_id);
		return;
	}
	for (size_t j = 0; j < r->ncgroups; j++) {
		if (r->cgroups[j] != cgroup_id)
			continue;
		/* swap it with the last live one, which makes it the first removed one */
		r->cgroups[j] = r->cgroups[r->ncgroups - 1];
		r->cgroups[r->ncgroups - 1] = cgroup_id;
		r->ncgroups--;
		r->ndead++;
		if (r->ncgroups == 0)
			r->gone_since_ns = now_ns ? now_ns : 1;
		return;
	}
}

void summary_next_interval(struct summary *s)
{
	memset(s->interval, 0, sizeof(s->interval));
	for (size_t i = 0; i < s->n; i++)
		memset(s->rows[i]->interval, 0, sizeof(s->rows[i]->interval));
}

bool summary_row_expired(const struct summary_row *r, uint64_t now_ns, uint64_t grace_ns)
{
	return r->gone_since_ns && now_ns - r->gone_since_ns >= grace_ns;
}

/* A gone row that never counted anything: made for a container whose calls were all read. */
static bool summary_row_unused(const struct summary_row *r)
{
	return r->gone_since_ns && !r->host && r->total[SUM_EVENTS] == 0 && r->lost == 0 &&
	       r->paths.seen == 0;
}

/* Drop the rows of v (n of them) that are unused, or else expired; how many. */
static size_t summary_drop_of(struct summary *s, struct summary_row **v, size_t *n, uint64_t now_ns,
			      uint64_t grace_ns, bool unused)
{
	size_t kept = 0, dropped = 0;

	for (size_t i = 0; i < *n; i++) {
		struct summary_row *r = v[i];

		if (unused ? summary_row_unused(r) : summary_row_expired(r, now_ns, grace_ns)) {
			for (size_t j = 0; j < r->ncgroups + r->ndead; j++)
				summary_index_del(s, r->cgroups[j]);
			if (!r->host)
				summary_ctr_del(s, r);
			summary_row_free(r);
			dropped++;
			continue;
		}
		v[kept++] = r;
	}
	*n = kept;
	return dropped;
}

static size_t summary_drop(struct summary *s, uint64_t now_ns, uint64_t grace_ns, bool unused)
{
	/* the overflow row is never gone: it stays, with what its members counted */
	summary_drop_of(s, s->members, &s->nmembers, now_ns, grace_ns, unused);
	return summary_drop_of(s, s->rows, &s->n, now_ns, grace_ns, unused);
}

size_t summary_expire(struct summary *s, uint64_t now_ns, uint64_t grace_ns)
{
	return summary_drop(s, now_ns, grace_ns, false);
}

size_t summary_drop_unused(struct summary *s)
{
	return summary_drop(s, 0, 0, true);
}

struct summary_row *summary_host_row(struct summary *s)
{
	return s->host ? s->host : summary_new_row(s, NULL);
}

void summary_set_fds(struct summary_row *r, uint64_t n)
{
	r->fds_known = true;
	r->fds = n;
}

uint64_t summary_row_fds(const struct summary_row *r)
{
	if (r->fds_known)
		return r->fds;
	return r->fd_opened > r->fd_closed ? r->fd_opened - r->fd_closed : 0;
}

void summary_count_fds(struct summary *s, const struct fdtable *t)
{
	struct fdtable_iter it;
	const struct fd_entry *e;

	for (size_t i = 0; i < s->n; i++)
		summary_set_fds(s->rows[i], 0);
	fdtable_iter_init(t, &it);
	while ((e = fdtable_iter_next(t, &it))) {
		/* one named by its mount namespace (a sandbox's) in that one's row */
		struct summary_row *r = summary_counted(
			summary_row_by_cgroup(s, e->mntns ? NAMER_NS_KEY(e->mntns) : e->cgroup_id));

		if (!r)
			r = s->host; /* a cgroup with no counted call yet: not a known container */
		if (r)
			r->fds++;
	}
}
