/* The descriptor table fed from the event stream: what each close, exit and exec ended. */
#ifndef CC_FDLIFE_H
#define CC_FDLIFE_H

#include <stdint.h>

#include "bpf/event.h"
#include "enrich/resolver.h"
#include "format/output.h"
#include "format/strbuf.h"
#include "summary/fdtable.h"

struct fdlife {
	struct fdtable *table;
	struct strbuf addr; /* scratch: an accepted socket's decoded peer */
};

int fdlife_init(struct fdlife *l, const struct fdtable_limits *lim);
void fdlife_free(struct fdlife *l);

/*
 * One traced system call: a successful open or accept is recorded; a close (but one failing with
 * EBADF, which closed nothing) takes what it closed out of the table and returns it, for the
 * caller to write and then release with fdtable_release. NULL otherwise or when unknown.
 */
struct fd_entry *fdlife_event(struct fdlife *l, const struct cc_event *ev, size_t size);

/*
 * The same for a record named by its mount namespace (a container with no cgroup of its own:
 * NAMER_NS_KEY(mntns)), mntns 0 for one named by its cgroup: the leak report names it so.
 */
struct fd_entry *fdlife_event_ns(struct fdlife *l, const struct cc_event *ev, size_t size,
				 uint32_t mntns);

/* The writers' view of an entry. */
void fdlife_origin(const struct fd_entry *e, struct fd_origin *o);

/*
 * The leak report into out: the descriptors opened at least older_ns before now_ns, grouped by
 * container (resolved through res; res NULL groups by cgroup id), then process, oldest first.
 * The table's heading is written when there is a descriptor to list, or always when asked for
 * (on SIGUSR1, where "0" is an answer). Returns how many were written, or -ENOMEM.
 */
long fdlife_report(struct fdlife *l, struct output *out, struct resolver *res, uint64_t now_ns,
		   uint64_t older_ns, int always);

#endif
