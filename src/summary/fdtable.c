/* The descriptor table: chained hashes by (tgid, fd), by process and by cgroup, with bounds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "summary/fdtable.h"

#define DEFAULT_TOTAL	   65536
#define DEFAULT_PER_PROC   4096
#define DEFAULT_TEXT_BYTES (16u << 20)

/* A process with descriptors in the table: its count and the list of its entries. */
struct fd_proc {
	uint32_t tgid;
	size_t count;
	struct fd_entry *head;
	struct fd_proc *hnext;
};

/* A cgroup with descriptors in the table, so fdtable_open_count is one lookup. */
struct fd_cgroup {
	uint64_t id;
	size_t count;
	struct fd_cgroup *hnext;
};

struct fdtable {
	struct fdtable_limits lim;
	struct fd_entry **entries;
	struct fd_proc **procs;
	struct fd_cgroup **cgroups;
	size_t nentries, nprocs; /* bucket counts, powers of two */
	struct fdtable_stats st;
};

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

static size_t mix(uint64_t k, size_t buckets)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (buckets - 1);
}

static size_t entry_slot(const struct fdtable *t, uint32_t tgid, int32_t fd)
{
	return mix((uint64_t)tgid << 32 | (uint32_t)fd, t->nentries);
}

int fdtable_new(const struct fdtable_limits *lim, struct fdtable **out)
{
	struct fdtable *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return -ENOMEM;
	if (lim)
		t->lim = *lim;
	if (!t->lim.max_total)
		t->lim.max_total = DEFAULT_TOTAL;
	if (!t->lim.max_per_proc)
		t->lim.max_per_proc = DEFAULT_PER_PROC;
	if (!t->lim.max_text_bytes)
		t->lim.max_text_bytes = DEFAULT_TEXT_BYTES;
	t->nentries = pow2_at_least(t->lim.max_total / 2);
	t->nprocs = pow2_at_least(t->lim.max_total / 8);
	t->entries = calloc(t->nentries, sizeof(*t->entries));
	t->procs = calloc(t->nprocs, sizeof(*t->procs));
	t->cgroups = calloc(t->nprocs, sizeof(*t->cgroups));
	if (!t->entries || !t->procs || !t->cgroups) {
		fdtable_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void fdtable_free(struct fdtable *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->entries && i < t->nentries; i++)
		for (struct fd_entry *e = t->entries[i], *n; e; e = n) {
			n = e->hnext;
			free(e);
		}
	for (size_t i = 0; t->procs && i < t->nprocs; i++)
		for (struct fd_proc *p = t->procs[i], *n; p; p = n) {
			n = p->hnext;
			free(p);
		}
	for (size_t i = 0; t->cgroups && i < t->nprocs; i++)
		for (struct fd_cgroup *c = t->cgroups[i], *n; c; c = n) {
			n = c->hnext;
			free(c);
		}
	free(t->entries);
	free(t->procs);
	free(t->cgroups);
	free(t);
}

static struct fd_proc **proc_link(const struct fdtable *t, uint32_t tgid)
{
	struct fd_proc **pp = &t->procs[mix(tgid, t->nprocs)];

	while (*pp && (*pp)->tgid != tgid)
		pp = &(*pp)->hnext;
	return pp;
}

static struct fd_cgroup **cgroup_link(const struct fdtable *t, uint64_t id)
{
	struct fd_cgroup **pp = &t->cgroups[mix(id, t->nprocs)];

	while (*pp && (*pp)->id != id)
		pp = &(*pp)->hnext;
	return pp;
}

static struct fd_entry **entry_link(const struct fdtable *t, uint32_t tgid, int32_t fd)
{
	struct fd_entry **pp = &t->entries[entry_slot(t, tgid, fd)];

	while (*pp && ((*pp)->tgid != tgid || (*pp)->fd != fd))
		pp = &(*pp)->hnext;
	return pp;
}

/* Unlink *link (an entry) from every index; the caller frees it. */
static struct fd_entry *unlink_entry(struct fdtable *t, struct fd_entry **link)
{
	struct fd_entry *e = *link;
	struct fd_proc **pp = proc_link(t, e->tgid), *p = *pp;
	struct fd_cgroup **cp = cgroup_link(t, e->cgroup_id), *c = *cp;

	*link = e->hnext;
	if (e->pprev)
		e->pprev->pnext = e->pnext;
	else if (p)
		p->head = e->pnext;
	if (e->pnext)
		e->pnext->pprev = e->pprev;
	if (p && --p->count == 0) {
		*pp = p->hnext;
		free(p);
		t->st.procs--;
	}
	if (c && --c->count == 0) {
		*cp = c->hnext;
		free(c);
	}
	e->hnext = e->pnext = e->pprev = NULL;
	t->st.open--;
	t->st.text_bytes -= e->text_len;
	return e;
}

int fdtable_open(struct fdtable *t, const struct fd_entry *in)
{
	struct fd_entry **link, *e;
	struct fd_proc **pp, *p;
	struct fd_cgroup **cp, *c;
	size_t len = in->text_len;

	if (in->fd < 0)
		return -EINVAL;
	link = entry_link(t, in->tgid, in->fd);
	if (*link) {
		free(unlink_entry(t, link));
		t->st.replaced++;
		link = entry_link(t, in->tgid, in->fd);
	}
	if (t->st.open >= t->lim.max_total) {
		t->st.dropped_total++;
		return -ENOSPC;
	}
	pp = proc_link(t, in->tgid);
	if (*pp && (*pp)->count >= t->lim.max_per_proc) {
		t->st.dropped_proc++;
		return -ENOSPC;
	}
	if (t->st.text_bytes + len > t->lim.max_text_bytes) {
		t->st.dropped_bytes++;
		return -ENOSPC;
	}
	e = malloc(sizeof(*e) + len);
	if (!e)
		return -ENOMEM;
	p = *pp;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			free(e);
			return -ENOMEM;
		}
		p->tgid = in->tgid;
		*pp = p;
		t->st.procs++;
	}
	cp = cgroup_link(t, in->cgroup_id);
	c = *cp;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			free(e);
			if (p->count == 0) {
				*pp = p->hnext;
				free(p);
				t->st.procs--;
			}
			return -ENOMEM;
		}
		c->id = in->cgroup_id;
		*cp = c;
	}
	*e = *in;
	if (len)
		memcpy((char *)(e + 1), in->text, len);
	e->text = (const char *)(e + 1);
	e->hnext = *link;
	*link = e;
	e->pprev = NULL;
	e->pnext = p->head;
	if (p->head)
		p->head->pprev = e;
	p->head = e;
	p->count++;
	c->count++;
	t->st.open++;
	t->st.text_bytes += len;
	return 0;
}

struct fd_entry *fdtable_take(struct fdtable *t, uint32_t tgid, int32_t fd)
{
	struct fd_entry **link = entry_link(t, tgid, fd);

	return *link ? unlink_entry(t, link) : NULL;
}

void fdtable_release(struct fd_entry *e)
{
	free(e);
}

const struct fd_entry *fdtable_find(const struct fdtable *t, uint32_t tgid, int32_t fd)
{
	return *entry_link(t, tgid, fd);
}

static int by_fd(const void *a, const void *b)
{
	const struct fd_entry *x = *(const struct fd_entry *const *)a;
	const struct fd_entry *y = *(const struct fd_entry *const *)b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

size_t fdtable_end_process(struct fdtable *t, uint32_t tgid, int cloexec_only,
			   void (*fn)(void *ctx, const struct fd_entry *e), void *ctx)
{
	struct fd_proc *p = *proc_link(t, tgid);
	struct fd_entry **list, *e;
	size_t n = 0;

	if (!p)
		return 0;
	list = malloc(p->count * sizeof(*list));
	if (!list) {
		/* no room to sort: end them in list order, still every one */
		while ((p = *proc_link(t, tgid)) != NULL) {
			for (e = p->head; e && cloexec_only && !(e->flags & FDT_CLOEXEC);
			     e = e->pnext)
				;
			if (!e)
				break;
			if (fn)
				fn(ctx, e);
			free(unlink_entry(t, entry_link(t, tgid, e->fd)));
			n++;
		}
		return n;
	}
	for (e = p->head; e; e = e->pnext)
		if (!cloexec_only || (e->flags & FDT_CLOEXEC))
			list[n++] = e;
	qsort(list, n, sizeof(*list), by_fd);
	for (size_t i = 0; i < n; i++) {
		if (fn)
			fn(ctx, list[i]);
		free(unlink_entry(t, entry_link(t, tgid, list[i]->fd)));
	}
	free(list);
	return n;
}

size_t fdtable_process_count(const struct fdtable *t, uint32_t tgid)
{
	const struct fd_proc *p = *proc_link(t, tgid);

	return p ? p->count : 0;
}

size_t fdtable_open_count(const struct fdtable *t, uint64_t cgroup_id)
{
	const struct fd_cgroup *c = *cgroup_link(t, cgroup_id);

	return c ? c->count : 0;
}

void fdtable_iter_init(const struct fdtable *t, struct fdtable_iter *it)
{
	it->bucket = 0;
	it->next = t->entries[0];
}

const struct fd_entry *fdtable_iter_next(const struct fdtable *t, struct fdtable_iter *it)
{
	const struct fd_entry *e;

	while (!it->next) {
		if (++it->bucket >= t->nentries)
			return NULL;
		it->next = t->entries[it->bucket];
	}
	e = it->next;
	it->next = e->hnext;
	return e;
}

static int by_proc_then_age(const void *a, const void *b)
{
	const struct fd_entry *x = *(const struct fd_entry *const *)a;
	const struct fd_entry *y = *(const struct fd_entry *const *)b;

	if (x->tgid != y->tgid)
		return (x->tgid > y->tgid) - (x->tgid < y->tgid);
	if (x->opened_ns != y->opened_ns)
		return (x->opened_ns > y->opened_ns) - (x->opened_ns < y->opened_ns);
	return (x->fd > y->fd) - (x->fd < y->fd);
}

int fdtable_snapshot(const struct fdtable *t, uint64_t opened_before_ns,
		     const struct fd_entry ***out, size_t *n)
{
	const struct fd_entry **list = NULL, *e;
	struct fdtable_iter it;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (!t->st.open)
		return 0;
	list = malloc(t->st.open * sizeof(*list));
	if (!list)
		return -ENOMEM;
	fdtable_iter_init(t, &it);
	while ((e = fdtable_iter_next(t, &it)) != NULL)
		if (e->opened_ns <= opened_before_ns)
			list[k++] = e;
	if (!k) {
		free(list);
		return 0;
	}
	qsort(list, k, sizeof(*list), by_proc_then_age);
	*out = list;
	*n = k;
	return 0;
}

void fdtable_stats(const struct fdtable *t, struct fdtable_stats *st)
{
	*st = t->st;
}
