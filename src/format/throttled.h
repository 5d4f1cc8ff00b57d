/* The record of what --rate-limit suppressed in a container over one interval: JSON or a line. */
#ifndef CC_THROTTLED_H
#define CC_THROTTLED_H

#include <stdint.h>

#include "bpf/event.h"
#include "enrich/identity.h"
#include "format/output.h"

/* mntns: the bucket's mount namespace where it is keyed by one (a task in the host's pid
   namespace with a user namespace of its own: pidns is then 0, and it is not the host's) */
struct throttled_rec {
	uint64_t wall_ns;	     /* CLOCK_REALTIME at the interval's end */
	uint64_t interval_ns;	     /* how long the interval was */
	uint32_t pidns;		     /* the container's pid namespace; 0 for the host */
	uint32_t mntns;		     /* see above; 0 for none */
	uint64_t cgroup_id;	     /* the cgroup of the last event throttled */
	uint64_t counts[CC_SYS_MAX]; /* events throttled in the interval, by system call */
	uint64_t total;		     /* every container's, since the start */
};

/*
 * {"type":"throttled",...} with the container's keys (id is what the resolver knows of the
 * cgroup, or NULL), "counts" by system call (those above 0) and the interval; in the table, one
 * line that says the same.
 */
void output_throttled(struct output *o, const struct throttled_rec *r,
		      const struct cgroup_identity *id);

#endif
