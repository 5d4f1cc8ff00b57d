/* Feeding the descriptor table from the records, and the leak report over what is left in it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "enrich/namer.h"
#include "format/decode.h"
#include "trace/fdlife.h"
#include "util.h"

#define CC_EBADF 9

int fdlife_init(struct fdlife *l, const struct fdtable_limits *lim)
{
	memset(l, 0, sizeof(*l));
	return fdtable_new(lim, &l->table);
}

void fdlife_free(struct fdlife *l)
{
	fdtable_free(l->table);
	strbuf_free(&l->addr);
	memset(l, 0, sizeof(*l));
}

static void made(struct fdlife *l, const struct cc_event *ev, size_t size, uint32_t mntns)
{
	struct fd_entry e = {0};
	size_t n = tail_bytes(ev->tail_len, size, sizeof(*ev));
	int unreadable = !!(ev->status & CC_ST_TAIL_UNREADABLE);

	e.tgid = ev->pid;
	e.fd = (int32_t)ev->ret;
	e.opened_ns = ev->ts_ns;
	e.cgroup_id = ev->cgroup_id;
	e.mntns = mntns;
	e.syscall = ev->syscall;
	memcpy(e.comm, ev->comm, sizeof(e.comm));
	if (ev->syscall == CC_SYS_ACCEPT || ev->syscall == CC_SYS_ACCEPT4) {
		e.flags = FDT_TEXT_ADDR;
		if (ev->syscall == CC_SYS_ACCEPT4 && (ev->flags & SOCK_CLOEXEC))
			e.flags |= FDT_CLOEXEC;
		l->addr.len = 0;
		if (!unreadable && n && decode_sockaddr(&l->addr, ev->tail, n) == 0) {
			e.text = l->addr.buf;
			e.text_len = (uint32_t)l->addr.len;
		}
	} else {
		if (ev->flags & O_CLOEXEC)
			e.flags |= FDT_CLOEXEC;
		if (ev->status & CC_ST_TAIL_TRUNCATED)
			e.flags |= FDT_TEXT_CUT;
		if (!unreadable) {
			e.text = ev->tail;
			e.text_len = (uint32_t)n;
		}
	}
	/* a refusal is counted in the table's statistics; the close will say "unknown" */
	(void)fdtable_open(l->table, &e);
}

struct fd_entry *fdlife_event(struct fdlife *l, const struct cc_event *ev, size_t size)
{
	return fdlife_event_ns(l, ev, size, 0);
}

struct fd_entry *fdlife_event_ns(struct fdlife *l, const struct cc_event *ev, size_t size,
				 uint32_t mntns)
{
	if (size < sizeof(*ev))
		return NULL;
	switch (ev->syscall) {
	case CC_SYS_OPEN:
	case CC_SYS_OPENAT:
	case CC_SYS_OPENAT2:
	case CC_SYS_ACCEPT:
	case CC_SYS_ACCEPT4:
		if (ev->ret >= 0 && ev->ret <= INT32_MAX)
			made(l, ev, size, mntns);
		return NULL;
	case CC_SYS_CLOSE:
		/* close releases the descriptor even when it fails, but for EBADF */
		if (ev->ret == -CC_EBADF || ev->fd < 0)
			return NULL;
		return fdtable_take(l->table, ev->pid, ev->fd);
	default:
		return NULL;
	}
}

void fdlife_origin(const struct fd_entry *e, struct fd_origin *o)
{
	o->syscall = e->syscall;
	o->text = e->text;
	o->text_len = e->text_len;
	o->is_addr = !!(e->flags & FDT_TEXT_ADDR);
	o->opened_ns = e->opened_ns;
}

/* One line of the report: the entry and the container it is grouped under. */
struct held {
	const struct fd_entry *e;
	char *group;  /* container id, else cgroup path, else "" */
	size_t order; /* its place in the snapshot (process, then age) */
};

static int by_group(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/*
 * What the consumer's cache holds (the naming thread's answers): no file is read here, so a
 * hung state mount cannot stall the report. An entry named by its mount namespace (a gVisor
 * sandbox's processes, in the host's cgroup) is its container's, with its cgroup's path (in
 * *buf), as its records were.
 */
static const struct cgroup_identity *identity(struct resolver *res, const struct fd_entry *e,
					      struct cgroup_identity *buf)
{
	const struct cgroup_identity *ns, *cg;

	if (!res)
		return NULL;
	cg = resolver_peek(res, e->cgroup_id, NULL);
	if (!e->mntns || !(ns = resolver_peek(res, NAMER_NS_KEY(e->mntns), NULL)) ||
	    !ns->ctr.is_container)
		return cg;
	*buf = *ns;
	buf->cgroup_id = e->cgroup_id;
	buf->path = cg ? cg->path : NULL;
	return buf;
}

long fdlife_report(struct fdlife *l, struct output *out, struct resolver *res, uint64_t now_ns,
		   uint64_t older_ns, int always)
{
	const struct fd_entry **list;
	struct held *rows;
	size_t n;
	int err;

	err = fdtable_snapshot(l->table,
			       !older_ns	    ? UINT64_MAX
			       : now_ns >= older_ns ? now_ns - older_ns
						    : 0,
			       &list, &n);
	if (err)
		return err;
	if (older_ns > now_ns)
		n = 0;
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(list);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct cgroup_identity buf;
		const struct cgroup_identity *id = identity(res, list[i], &buf);
		const char *g = id && id->ctr.is_container ? id->ctr.id
				: id && id->path	   ? id->path
							   : "";

		rows[i].e = list[i];
		rows[i].order = i;
		rows[i].group = strdup(g);
		if (!rows[i].group) {
			for (size_t j = 0; j < i; j++)
				free(rows[j].group);
			free(rows);
			free(list);
			return -ENOMEM;
		}
	}
	qsort(rows, n, sizeof(*rows), by_group);
	if (n || always)
		output_leaks_header(out, n, older_ns);
	for (size_t i = 0; i < n; i++) {
		const struct fd_entry *e = rows[i].e;
		struct fd_held h = {
			.pid = e->tgid,
			.fd = e->fd,
			.cgroup_id = e->cgroup_id,
			.comm = e->comm,
			.cloexec = !!(e->flags & FDT_CLOEXEC),
		};

		struct cgroup_identity buf;

		fdlife_origin(e, &h.origin);
		output_open_fd(out, &h, now_ns, identity(res, e, &buf));
		free(rows[i].group);
	}
	free(rows);
	free(list);
	return (long)n;
}
