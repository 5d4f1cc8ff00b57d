/* The session's per-container counting for `top` and --metrics: tally reads, rows, /metrics. */
#ifndef CC_SUMMARIZE_H
#define CC_SUMMARIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "bpf/event.h"
#include "enrich/identity.h"
#include "enrich/resolver.h"
#include "format/strbuf.h"
#include "summary/expo.h"
#include "summary/fdtable.h"
#include "summary/metrics.h"
#include "summary/summary.h"
#include "summary/tally.h"

struct summarize {
	struct summary sum;
	struct tally *tally;
	struct metrics *metrics; /* NULL without --metrics */
	struct strbuf text;	 /* the exposition, rendered every interval */
	struct expo_state state;
	uint64_t grace_ns;
	bool psi; /* top: read each row's pressure files every interval, count its paths */
	const char *v2_mount;
	uint64_t next_sweep_ns; /* when to look for containers whose removal went unseen */
};

/* 0, or -errno from starting the HTTP server (nothing is left to free then). */
int summarize_init(struct summarize *z, const struct config *cfg, const char *v2_mount, bool psi);
void summarize_free(struct summarize *z);

/* A streamed open record: its path counts in its container's most opened paths. */
void summarize_event(struct summarize *z, const struct cc_event *ev, size_t size,
		     const struct cgroup_identity *id);

/* A cgroup_rmdir record. */
void summarize_removed(struct summarize *z, uint64_t cgroup_id, uint64_t now_ns);

/*
 * Read the tally (tally_fd, per-CPU) and the losses per cgroup (lost_fd) into the rows, expire
 * the rows gone for longer than the grace period, count each row's open descriptors from the
 * descriptor table fds (NULL: none is kept, the tally's estimate stands), read PSI, and publish
 * /metrics. 0 or -errno.
 */
int summarize_collect(struct summarize *z, struct resolver *res, int tally_fd, int lost_fd,
		      int ncpus, const struct fdtable *fds, uint64_t now_ns);

#endif
