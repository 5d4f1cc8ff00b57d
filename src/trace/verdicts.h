/* The host rule's cgroup half kept for the kernel: which cgroups are containers' and which the
 * host's (the cg_verdict map), so -I drops the host's events there and marks the rest. */
#ifndef CC_VERDICTS_H
#define CC_VERDICTS_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/event.h"
#include "enrich/resolver.h"

/*
 * Judge every cgroup that exists now (the v2 hierarchy's root and all below it) with r, which
 * reads the runtimes' state: how many were kept, or -errno.
 */
int verdicts_prime(int map_fd, struct resolver *r, const char *v2_mount);

struct session;

/*
 * A record the kernel could not judge (CC_ST_HOST_UNSURE): its cgroup's verdict kept once the
 * consumer's cache is sure of it, so the kernel judges the cgroup's next events itself; true
 * when the record is the host's under -I, dropped here as the kernel would have (counted).
 */
bool verdicts_unsure_dropped(struct session *s, const struct cc_event *ev,
			     const struct cgroup_identity *id);

/* A cgroup removed: its verdict goes (its id is never used again). */
void verdicts_forget(struct session *s, uint64_t cgroup_id);

#endif
