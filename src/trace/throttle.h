/* --rate-limit's reports: the kernel's per-container counts of throttled events, read every
   second, and what each container had throttled since the last read. */
#ifndef CC_THROTTLE_H
#define CC_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "enrich/identity.h"
#include "format/throttled.h"

/* The counts last read of each bucket, sorted by key, and what named it last (a container's
   throttled events are still named after its cgroup is gone and forgotten). */
struct throttle_seen {
	uint32_t key;
	uint64_t counts[CC_SYS_MAX];
	struct cgroup_identity *named; /* NULL until named; path is owned */
};

struct throttle {
	struct throttle_seen *seen;
	size_t n, cap;
	uint64_t reported; /* every container's throttled events reported so far */
	uint64_t last_ns;  /* CLOCK_MONOTONIC of the last read */
};

/*
 * The counts of bucket key read now: delta gets what was throttled since the last read of it
 * (all of counts for a bucket not seen before, or one that the LRU evicted and made again, whose
 * counts started over); returns the sum of delta, or -ENOMEM (delta is then counts, and the
 * bucket is not remembered).
 */
long long throttle_delta(struct throttle *t, uint32_t key, const uint64_t counts[CC_SYS_MAX],
			 uint64_t delta[CC_SYS_MAX]);

/* What names cgroup_id in bucket key: id when known (then kept), else the copy kept of the same
   cgroup, else NULL. */
const struct cgroup_identity *throttle_name(struct throttle *t, uint32_t key, uint64_t cgroup_id,
					    const struct cgroup_identity *id);

/*
 * Bucket key named id (a copy kept, as throttle_name keeps one) before any of its events was
 * throttled: what an event of a sandbox's mount namespace was named with, for its throttled
 * records written once the sandbox is gone and no longer named. 0 or -ENOMEM.
 */
int throttle_keep(struct throttle *t, uint32_t key, const struct cgroup_identity *id);

/*
 * Whether bucket key's record for cgroup_id must wait among the held records: its cgroup not named
 * (id NULL) and no copy of its name kept, where cgroups can be named (nameable), or records of
 * that cgroup held already (held), which it must not pass.
 */
bool throttle_must_wait(struct throttle *t, uint32_t key, uint64_t cgroup_id,
			const struct cgroup_identity *id, bool nameable, bool held);

/* A throttled record as the held records keep it (in user space only, never in the ring): the
   first field tells it from the kernel's records. */
#define THROTTLE_REC_HELD 0x7474u
struct throttle_held {
	uint32_t type;	/* THROTTLE_REC_HELD */
	uint32_t key;	/* its bucket */
	uint32_t mntns; /* the mount namespace of its bucket's last throttled event */
	struct throttled_rec rec;
};

void throttle_free(struct throttle *t);

#endif
