/* Inside the resolver: what its walks of the hierarchy (resolver_walk.c) use of its cache. */
#ifndef CC_RESOLVER_WALK_H
#define CC_RESOLVER_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "enrich/resolver.h"

/* Walk the v2 hierarchy, calling fn for every cgroup below the root; 0 or -errno. */
int resolver_walk_v2(struct resolver *r, void (*fn)(void *, const char *, uint64_t), void *ctx);

/*
 * The container of the cgroup at path from the path and the state on disk, as
 * resolver_identify_path() (1 when a container's, 0 when not, or -errno); *pending is set when
 * something may yet appear on disk (a name not written yet, a runtime's state not created yet).
 */
int resolver_identify_at(struct resolver *r, const char *path, struct container_info *out,
			 bool *pending);

#endif
