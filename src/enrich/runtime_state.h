/* What container runtimes leave on disk: containers' names. */
#ifndef CC_RUNTIME_STATE_H
#define CC_RUNTIME_STATE_H

#include <stddef.h>

#include <jansson.h>

#include "enrich/container.h"

/* The largest state file read (docker's config.v2.json is a few KiB). */
#define RUNTIME_STATE_MAX (4u << 20)

/*
 * podman's name for container ci (the -n/--name argument of its conmon, found through
 * conmon.pid, else containers/storage's containers.json) into name; 0, -ENOENT when none is known
 * (yet), -ENOTSUP for other runtimes (docker's name is engine_state's), or -errno.
 */
int runtime_state_name(const char *root, const struct container_info *ci, char *name, size_t size);

/* Pure: the value of conmon's -n/--name in a NUL-separated command line, when its -c/--cid is id.
 */
int runtime_state_conmon_name(const char *cmdline, size_t len, const char *id, char *name,
			      size_t size);

/*
 * Pure: docker's name in its parsed config.v2.json: the string "Name" without docker's leading
 * "/". 0; -ENOENT when missing, not a string or empty; -ENAMETOOLONG when it does not fit.
 */
int runtime_state_docker_name(const json_t *config, char *name, size_t size);

/*
 * Pure: in containers/storage's parsed containers.json (an array of objects), the first object
 * whose string "id" is id: its "names", a string or an array whose first element is a string.
 * 0, -ENOENT, -ENAMETOOLONG as above.
 */
int runtime_state_storage_name(const json_t *containers, const char *id, char *name, size_t size);

#endif
