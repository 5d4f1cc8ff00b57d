/* Per-container counters: one row per container (the host is one row), fed by the tally. */
#ifndef CC_SUMMARY_H
#define CC_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "enrich/identity.h"
#include "summary/fdtable.h"
#include "summary/psi.h"
#include "summary/topk.h"

#define SUMMARY_CGROUPS 16 /* cgroup ids remembered per container (sub-cgroups included) */
#define SUMMARY_RESULTS                                                                            \
	64 /* distinct (system call, errno) pairs per container; more go to                        \
	      one "other" result */

/* What the top view shows per interval. */
enum summary_col {
	SUM_OPENS = 0, /* open, openat, openat2 that succeeded */
	SUM_FAILED,    /* ... that failed */
	SUM_CLOSES,
	SUM_CONNECTS,
	SUM_ACCEPTS, /* accept and accept4 */
	SUM_EVENTS,  /* every traced call */
	SUM_COLS,
};

/* A cumulative count of one system call with one result. */
struct summary_result {
	uint32_t syscall; /* enum cc_syscall */
	uint32_t err;	  /* 0: ok; SUMMARY_ERR_OTHER when the table was full */
	uint64_t total;
};

#define SUMMARY_ERR_OTHER 0xffffffffu

struct summary_row {
	bool host; /* every task not in a container */
	char id[CONTAINER_ID_LEN];
	char name[CONTAINER_NAME_LEN];
	char runtime[CONTAINER_RUNTIME_LEN];
	char k8s_namespace[K8S_NAME_LEN];
	char k8s_pod[K8S_NAME_LEN];
	char cgroup_path[512]; /* the container's own cgroup (for PSI); "" when unknown */
	uint64_t cgroups[SUMMARY_CGROUPS]; /* live ones first, then removed ones */
	size_t ncgroups;		   /* how many of them live */
	size_t ndead;			   /* removed ones after them */
	uint64_t interval[SUM_COLS];	   /* since summary_next_interval() */
	uint64_t total[SUM_COLS];	   /* since tracing began */
	struct summary_result results[SUMMARY_RESULTS];
	size_t nresults;
	uint64_t lost;	    /* events of this container the ring buffer had no room for */
	uint64_t fd_opened; /* successful opens and accepts, for the descriptor estimate */
	uint64_t fd_closed; /* successful closes */
	bool fds_known;	    /* fds below comes from the descriptor table */
	uint64_t fds;	    /* descriptors open now, when fds_known */
	struct topk paths;  /* successful opens' paths */
	struct psi psi;
	uint64_t gone_since_ns;	   /* 0 while one of its cgroups lives */
	struct summary_row *hnext; /* the next row in its by_ctr bucket */
	/* a container past the bound (a member, in summary.members, never shown): its cgroups and
	   lifetime are its own, its calls, losses, paths and descriptors are counted in this row,
	   the overflow row; its own total only tells that it counted some */
	struct summary_row *into;
	bool overflow; /* the overflow row: every member's counts, named OVERFLOW_NAME */
};

/* The overflow row's container label: no engine allows parentheses in a container's name, and
   its id is empty where every container's has one. */
#define SUMMARY_OVERFLOW_NAME "(overflow)"

#define SUMMARY_BUCKETS 1024

/* cgroup id -> row, for every cgroup a row remembers (and the host's live ones). */
struct summary_cg {
	struct summary_cg *next;
	uint64_t cgroup_id;
	struct summary_row *row;
};

struct summary {
	struct summary_row **rows; /* shown: the containers', the host's, the overflow row */
	size_t n, cap;
	struct summary_row *host; /* NULL until a host task was counted */
	/* at most max_rows containers have a row of their own (0: no bound); the others are
	   members of the overflow row, made when the first one came */
	size_t max_rows;
	struct summary_row *overflow;
	struct summary_row **members;
	size_t nmembers, capmembers;
	uint64_t overflowed; /* containers made members, since tracing began */
	struct summary_cg *index[SUMMARY_BUCKETS];
	struct summary_row *by_ctr[SUMMARY_BUCKETS]; /* container rows by runtime and id */
	uint64_t total[SUM_COLS];		     /* every row, since tracing began */
	uint64_t interval[SUM_COLS];
};

void summary_init(struct summary *s);
void summary_free(struct summary *s);

/*
 * A copy of s's shown rows and totals into out, to render on another thread: rows copied whole
 * (one block), without their paths, index or members; out is only read, then freed with
 * summary_snapshot_free(). 0 or -ENOMEM (out is then empty).
 */
int summary_snapshot(const struct summary *s, struct summary *out);
void summary_snapshot_free(struct summary *out);

/* At most max containers get a row of their own (0: no bound); the others, from then on, are
   counted in one overflow row until they are gone and expire. The host's row is no container's. */
void summary_set_max_rows(struct summary *s, size_t max);

/* The row r's counts go to: the overflow row for a member, else r itself. */
static inline struct summary_row *summary_counted(struct summary_row *r)
{
	return r && r->into ? r->into : r;
}

/*
 * The row of a cgroup (creating it): the row of ctr's container when ctr->is_container, else the
 * host's; past the bound a container's is a member of the overflow row (summary_counted()).
 * cgroup_path (may be NULL) is the cgroup's path inside the v2 hierarchy. NULL when out of
 * memory.
 */
struct summary_row *summary_row_of(struct summary *s, uint64_t cgroup_id, const char *cgroup_path,
				   const struct container_info *ctr);

/* delta more calls of syscall with result err (0 for ok) in row r (a member's: in the overflow
   row). */
void summary_add(struct summary *s, struct summary_row *r, uint32_t syscall, uint32_t err,
		 uint64_t delta);

/* delta more events of row r (a member's: of the overflow row) the ring buffer had no room for. */
void summary_add_lost(struct summary_row *r, uint64_t delta);

/* The row a cgroup id was seen in, removed cgroups included until their row expires; or NULL. */
struct summary_row *summary_row_by_cgroup(struct summary *s, uint64_t cgroup_id);

/* The cgroup was removed: its row is gone (since now) once none of its cgroups lives. */
void summary_cgroup_removed(struct summary *s, uint64_t cgroup_id, uint64_t now_ns);

/* Start a new interval: the interval counts go back to 0. */
void summary_next_interval(struct summary *s);

/* Drop the rows gone for grace_ns or longer, members too; how many rows were dropped. */
size_t summary_expire(struct summary *s, uint64_t now_ns, uint64_t grace_ns);

/* Whether summary_expire() drops r. */
bool summary_row_expired(const struct summary_row *r, uint64_t now_ns, uint64_t grace_ns);

/* Drop the gone rows that never counted a call, a loss or a path (made when a container's
   cgroup went, in case calls of it were still to be read); how many. */
size_t summary_drop_unused(struct summary *s);

/* The host's row (made when there is none), its cgroups not indexed: for the last calls of a
   removed cgroup that is no container's. NULL when out of memory. */
struct summary_row *summary_host_row(struct summary *s);

/*
 * Descriptors open in the row's container that were made while tracing: what the descriptor
 * table counted (summary_set_fds), else successful opens and accepts minus successful closes
 * since tracing began (0 when more were closed).
 */
uint64_t summary_row_fds(const struct summary_row *r);

/* The descriptor table's count for the row, for this interval. */
void summary_set_fds(struct summary_row *r, uint64_t n);

/*
 * Every row's descriptors open from the descriptor table t: its entries counted by the row of
 * their cgroup (a container's sub-cgroups in its row; a cgroup no row knows in the host's, if
 * any), every row's count known from now on, 0 where none is open.
 */
void summary_count_fds(struct summary *s, const struct fdtable *t);

#endif
