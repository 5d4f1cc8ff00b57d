/* Where container engines keep their state on disk, and what it says of a container id. */
#ifndef CC_ENGINE_STATE_H
#define CC_ENGINE_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "enrich/identity.h"

enum engine_kind {
	ENGINE_CONTAINERD = 0, /* a containerd state directory (io.containerd.runtime.v2.task) */
	ENGINE_CRIO,   /* containers/storage's run root (overlay-containers/<id>/userdata) */
	ENGINE_DOCKER, /* docker's data root (containers/<id>/config.v2.json) */
	ENGINE_RUNC,   /* a runc root (<id>/state.json) */
	ENGINE_CRUN,   /* a crun root (<id>/status) */
	ENGINE_RUNSC,  /* a runsc root (<id>_sandbox:<sandbox id>.state): nsowner.c reads it */
	ENGINE_KINDS,
};

#define ENGINE_DIRS_MAX 8

/* The directories looked in, per kind, in order. The strings are not owned. */
struct engine_dirs {
	const char *dir[ENGINE_KINDS][ENGINE_DIRS_MAX];
	size_t n[ENGINE_KINDS];
};

/* The engines' own defaults: /run/containerd, dockerd's /run/docker/containerd/daemon, ... */
void engine_dirs_defaults(struct engine_dirs *d);

/*
 * Add "KIND=DIR" (KIND: containerd, cri-o, docker, runc, crun, runsc; DIR an absolute path) in
 * front of KIND's directories. 0; -EINVAL when spec is malformed; -E2BIG when KIND has
 * ENGINE_DIRS_MAX. spec must outlive d.
 */
int engine_dirs_add(struct engine_dirs *d, const char *spec);

/*
 * Which engine keeps a container of this id, looked for under root ("" on a real host; a fixture
 * tree in tests) + each directory: containerd's task specs (namespace "moby" is dockerd's),
 * CRI-O's, docker's, runc's and crun's state. cgroup is the container's cgroup path inside the
 * hierarchy: where the state records one (runc's cgroup_paths, an OCI spec's absolute
 * cgroupsPath, crun's cgroup-path), it must end with it; with strict, a state that records none
 * is not trusted. Fills ci's runtime, id, name, image and Kubernetes facts (is_container,
 * cgroup_len and trust are the caller's). 1 when found, 0 when no engine has it (yet).
 */
int engine_state_lookup(const char *root, const struct engine_dirs *d, const char *id,
			const char *cgroup, bool strict, struct container_info *ci);

#endif
