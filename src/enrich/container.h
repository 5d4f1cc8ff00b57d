/* Which container a cgroup path (or a process) belongs to: runtime, full id, name; a bounded cache.
 */
#ifndef CC_CONTAINER_H
#define CC_CONTAINER_H

#include <stddef.h>

#include "enrich/identity.h"

/*
 * Pure: recognise the runtime and the innermost container from a cgroup path inside the v2
 * hierarchy (or a v1 hierarchy's path). 1 when the path is in a container, 0 when not (out is
 * cleared), -EINVAL on a malformed path. name is set to the id; the resolver refines
 * it from the runtime's state on disk. runtime is "" where the path names no engine (the
 * kubelet's cgroupfs layout, /kubepods/<qos>/pod<uid>/<id>).
 */
int container_parse_path(const char *path, struct container_info *out);

/*
 * Pure: plain runc and crun put a container at "/<id>" (by default) and nothing in the path
 * names them; only their state on disk tells. 1 when the first component of path could be such
 * an id ([A-Za-z0-9_.+-], shorter than CONTAINER_ID_LEN): the id in id (size bytes) and the
 * length of "/<id>" in cgroup_len; 0 when not; -EINVAL on a malformed path.
 */
int container_bare_candidate(const char *path, char *id, size_t size, size_t *cgroup_len);

#endif
