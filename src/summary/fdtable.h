/* The descriptor table: what made each file descriptor open now, keyed by (tgid, fd), bounded. */
#ifndef CC_FDTABLE_H
#define CC_FDTABLE_H

#include <stddef.h>
#include <stdint.h>

#define FD_COMM_LEN 16

/* fd_entry.flags */
enum fd_entry_flags {
	FDT_CLOEXEC = 1 << 0,	/* made with O_CLOEXEC or SOCK_CLOEXEC: exec ends it */
	FDT_TEXT_ADDR = 1 << 1, /* text is a decoded socket address, not a path */
	FDT_TEXT_CUT = 1 << 2,	/* text was cut (by the kernel record or the table's bound) */
};

/* One descriptor made while tracing and not yet seen ending. */
struct fd_entry {
	uint32_t tgid;
	int32_t fd;
	uint64_t opened_ns; /* CLOCK_MONOTONIC of the call that made it */
	uint64_t cgroup_id; /* the cgroup of the task that made it */
	uint32_t syscall;   /* enum cc_syscall */
	uint32_t flags;	    /* enum fd_entry_flags */
	uint32_t text_len;
	/* the mount namespace that names it (a container with no cgroup of its own: a gVisor
	   sandbox's processes), 0 when its cgroup does */
	uint32_t mntns;
	char comm[FD_COMM_LEN]; /* the task that made it, NUL-padded */
	const char *text;	/* path or address, text_len bytes (not NUL-terminated) */
	/* the table's own links */
	struct fd_entry *hnext, *pnext, *pprev;
};

/* Bounds; a zero field takes its default. */
struct fdtable_limits {
	size_t max_total;      /* descriptors in all (default 65536) */
	size_t max_per_proc;   /* descriptors per process (default 4096) */
	size_t max_text_bytes; /* path and address bytes in all (default 16 MiB) */
};

/* What the table holds and what did not fit. */
struct fdtable_stats {
	size_t open;		/* descriptors in the table now */
	size_t procs;		/* processes with at least one */
	size_t text_bytes;	/* path and address bytes held */
	uint64_t dropped_total; /* made but not recorded: the table was full */
	uint64_t dropped_proc;	/* made but not recorded: the process had max_per_proc */
	uint64_t dropped_bytes; /* made but not recorded: the text budget was spent */
	uint64_t replaced; /* recorded over an entry whose end was never seen (dup2, close_range) */
};

struct fdtable;

int fdtable_new(const struct fdtable_limits *lim, struct fdtable **out);
void fdtable_free(struct fdtable *t);

/*
 * A descriptor made: e's tgid, fd, opened_ns, cgroup_id, syscall, flags and comm are copied,
 * and text_len bytes of e->text. An entry already at (tgid, fd) is dropped first (counted as
 * replaced). 0; -ENOSPC when a bound refused it (counted); -ENOMEM; -EINVAL for a negative fd.
 */
int fdtable_open(struct fdtable *t, const struct fd_entry *e);

/* The entry at (tgid, fd), taken out of the table (free it with fdtable_release); or NULL. */
struct fd_entry *fdtable_take(struct fdtable *t, uint32_t tgid, int32_t fd);
void fdtable_release(struct fd_entry *e);

/* The entry at (tgid, fd), left in place; or NULL. */
const struct fd_entry *fdtable_find(const struct fdtable *t, uint32_t tgid, int32_t fd);

/*
 * The end of every descriptor of process tgid (only those with FDT_CLOEXEC when cloexec_only):
 * each is passed to fn, lowest fd first, then dropped. Returns how many ended.
 */
size_t fdtable_end_process(struct fdtable *t, uint32_t tgid, int cloexec_only,
			   void (*fn)(void *ctx, const struct fd_entry *e), void *ctx);

/* How many descriptors of process tgid the table holds. */
size_t fdtable_process_count(const struct fdtable *t, uint32_t tgid);

/* Descriptors open now that were made while tracing by a task of this cgroup. */
size_t fdtable_open_count(const struct fdtable *t, uint64_t cgroup_id);

/* Iteration over the open entries, in no particular order; the table must not change meanwhile. */
struct fdtable_iter {
	size_t bucket;
	const struct fd_entry *next;
};
void fdtable_iter_init(const struct fdtable *t, struct fdtable_iter *it);
const struct fd_entry *fdtable_iter_next(const struct fdtable *t, struct fdtable_iter *it);

/*
 * The entries made at or before opened_before_ns, in *out (malloc'd array of pointers into the
 * table, valid until it changes; NULL when none), sorted by process then open time, oldest
 * first. 0 or -ENOMEM.
 */
int fdtable_snapshot(const struct fdtable *t, uint64_t opened_before_ns,
		     const struct fd_entry ***out, size_t *n);

void fdtable_stats(const struct fdtable *t, struct fdtable_stats *st);

#endif
