/* The session's per-container counting for `top` and --metrics: tally reads, rows, /metrics. */
#ifndef CC_SUMMARIZE_H
#define CC_SUMMARIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "bpf/event.h"
#include "enrich/identity.h"
#include "enrich/namer.h"
#include "enrich/resolver.h"
#include "format/strbuf.h"
#include "summary/expo.h"
#include "summary/fdtable.h"
#include "summary/metrics.h"
#include "summary/summary.h"
#include "summary/tally.h"

#define SUMMARIZE_HOLD_NS 2000000000ull /* a delta waits this long for its cgroup's name */
#define SUMMARIZE_HELD	  4096		/* deltas waiting at most; more are counted at once */

/* A tally delta of a cgroup not named yet: counted once named, or after SUMMARIZE_HOLD_NS. */
struct summarize_held {
	struct cc_tally_key key;
	uint64_t delta;
	uint64_t since_ns;
};

struct summarize {
	struct summary sum;
	/* naming as the stream names, never a file read: the consumer's cache of the naming
	   thread's answers (res), what cgroup_mkdir paths tell (guess), the thread to ask (namer)
	 */
	struct resolver *res, *guess;
	struct namer *namer;
	struct summarize_held *held; /* deltas waiting for their cgroup's name, oldest first */
	size_t nheld, capheld;
	uint64_t held_late; /* deltas counted unnamed after waiting (or with no room to wait) */
	struct tally *tally;
	struct metrics *metrics; /* NULL without --metrics */
	struct expo_state state;
	uint64_t grace_ns;
	bool psi; /* top: read each row's pressure files every interval, count its paths */
	const char *v2_mount;
	uint64_t next_sweep_ns; /* when to look for containers whose removal went unseen */
};

/* 0, or -errno from starting the HTTP server (nothing is left to free then). */
int summarize_init(struct summarize *z, const struct config *cfg, const char *v2_mount, bool psi);
void summarize_free(struct summarize *z);

/* A streamed open record: its path counts in its container's most opened paths (key: what
   names it, session_record_key). */
void summarize_event(struct summarize *z, const struct cc_event *ev, size_t size,
		     const struct cgroup_identity *id, uint64_t key);

/* Where names come from (the session's; none is owned): set once, before the first collect. */
void summarize_names(struct summarize *z, struct resolver *res, struct resolver *guess,
		     struct namer *namer);

/*
 * A cgroup_rmdir record, before the caches forget the cgroup: a container's cgroup keeps the name
 * the stream knew it by for the calls of it still to be read, and its row for the grace period.
 */
void summarize_removed(struct summarize *z, uint64_t cgroup_id, uint64_t now_ns);

/* Whether the cgroup has no name yet that its last calls could go with (none asked for). */
bool summarize_unnamed(struct summarize *z, uint64_t cgroup_id);

/*
 * Read the tally (tally_fd, per-CPU) and the losses per cgroup (lost_fd) into the rows (a
 * cgroup's calls under the name the stream gives it: held while the naming thread has not
 * answered, for SUMMARIZE_HOLD_NS and SUMMARIZE_HELD deltas at most, then counted with what its
 * path told, else as the host's), expire
 * the rows gone for longer than the grace period, count each row's open descriptors from the
 * descriptor table fds (NULL: none is kept, the tally's estimate stands), read PSI, and publish
 * /metrics. final: the last interval, nothing left held (the naming thread's answers awaited
 * for 100 ms at most). 0 or -errno.
 */
int summarize_collect(struct summarize *z, int tally_fd, int lost_fd, int ncpus,
		      const struct fdtable *fds, uint64_t now_ns, bool final);

#endif
