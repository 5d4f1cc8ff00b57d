/* cgroup id -> {cgroup path, container}: lookups cached in a bounded LRU, fed by cgroup_mkdir. */
#ifndef CC_RESOLVER_H
#define CC_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich/container.h"
#include "enrich/engine_state.h"
#include "enrich/identity.h"
#include "enrich/proc_cgroup.h"

struct resolver;

struct resolver_opts {
	const char *v2_mount;	/* "" or NULL when the host has no v2 hierarchy */
	const char *state_root; /* prefix for the runtimes' state directories ("" in production;
				   a fixture tree in tests) */
	const struct engine_dirs *dirs; /* where engines keep their state (below state_root);
					   NULL: the engines' defaults */
	size_t cache_cap;		/* entries at most; 0 means the default (4096) */
	bool no_prime; /* do not learn, at start, the containers already running (by
			  walking the v2 hierarchy): for one-shot lookups */
};

int resolver_new(const struct resolver_opts *opts, struct resolver **out);
void resolver_free(struct resolver *r);

/*
 * The identity of a cgroup id: from the cache, else from what cgroup_mkdir taught, else by
 * looking the id up in the v2 hierarchy. Never NULL: an id that cannot be resolved comes back
 * with path NULL. The pointer stays valid until the next call on r.
 */
const struct cgroup_identity *resolver_lookup(struct resolver *r, uint64_t cgroup_id);

/* A cgroup seen created (cgroup_mkdir) or removed (cgroup_rmdir) in the kernel. */
void resolver_learn(struct resolver *r, uint64_t cgroup_id, const char *path, size_t len);
void resolver_forget(struct resolver *r, uint64_t cgroup_id);
/*
 * Forget the cgroups whose directory is gone among those not used since the previous call (their
 * cgroup_rmdir record was lost: the ring buffer was full), max at most: their ids into gone, how
 * many. Touches the file system: the naming thread's.
 */
size_t resolver_sweep(struct resolver *r, uint64_t *gone, size_t max);
/*
 * The same as resolver_learn(), with the command name of the task that created the cgroup: a
 * bare "/<id>" cgroup created by runc or crun is that runtime's container even when its state
 * on disk is already gone.
 */
void resolver_learn_created(struct resolver *r, uint64_t cgroup_id, const char *path, size_t len,
			    const char *creator);
/*
 * The same, with the machine's name systemd-nspawn's arguments gave at the mkdir (machine: may be
 * NULL): an nspawn payload/ it created is named so at once, and for good (no longer looked at
 * again for the supervisor's arguments, which a short-lived container may take along).
 */
void resolver_learn_machine(struct resolver *r, uint64_t cgroup_id, const char *path, size_t len,
			    const char *creator, const char *machine);

/*
 * A container with no cgroup of its own that the process pid is of (gVisor's sandboxes:
 * nsowner.c), which names its mount namespace: 1 with it in out, else 0; -ESRCH when the process
 * is gone or ends under the lookup, -EAGAIN when a parent of it did (nsowner_lookup). Not cached.
 */
int resolver_lookup_ns(struct resolver *r, uint32_t pid, struct container_info *out);

/* For the legacy-host fallback: the container of a process, from /proc/PID/cgroup. */
int resolver_lookup_pid(struct resolver *r, uint32_t pid, struct container_info *out);

/*
 * Find a running container by a unique prefix of its id or by its name, walking the v2
 * hierarchy: 0 and the container's cgroup path (inside the hierarchy) in path; -ENOENT when none
 * matches; -EEXIST when several do (their ids, comma-separated, in path).
 */
int resolver_find(struct resolver *r, const char *query, char *path, size_t size);

/*
 * The names of the containers running now (as resolver_find sees them), ", "-separated in list
 * (cut at size): how many there are (at most 64 are looked at), or -errno.
 */
int resolver_running(struct resolver *r, char *list, size_t size);

/*
 * How many containers running now (their own cgroups, walking the v2 hierarchy) pred accepts,
 * or -errno.
 */
int resolver_count(struct resolver *r, bool (*pred)(void *ctx, const struct container_info *ci),
		   void *ctx);

size_t resolver_cache_size(const struct resolver *r);

/*
 * The cached identity of key (a cgroup id, or any key resolver_publish() used), touching no
 * file: NULL when not cached. *due (may be NULL) is set when what is cached may still be
 * completed (a name not on disk yet) and it is time to look again; it is then not set again
 * for a second. The pointer stays valid until the next call on r.
 */
const struct cgroup_identity *resolver_peek(struct resolver *r, uint64_t key, bool *due);

/* Whether the cached identity of key may still be completed by looking again (see peek). */
bool resolver_pending(struct resolver *r, uint64_t key);

/*
 * Cache what the path alone tells of a cgroup (container_parse_path and k8s_from_path: no file
 * is touched), as resolver_publish() would, pending: a first guess until the state on disk is
 * read. 0, -EINVAL, -ENOMEM.
 */
int resolver_guess(struct resolver *r, uint64_t cgroup_id, const char *path, size_t len);

/*
 * Cache a finished identity under key (made by another resolver: this one looks nothing up),
 * replacing what was cached; pending as resolver_pending() said there. 0 or -ENOMEM.
 */
int resolver_publish(struct resolver *r, uint64_t key, const struct cgroup_identity *id,
		     bool pending);

/*
 * The container of a cgroup path (inside the hierarchy, or a v1 hierarchy's path), confirmed and
 * named from the runtimes' state on disk (plain runc and crun are only known from there). 1 when
 * in a container, 0 when not, -EINVAL on a malformed path. Not cached.
 */
int resolver_identify_path(struct resolver *r, const char *path, struct container_info *out);

/*
 * The cgroup path from /proc/PID/cgroup that proc_cgroup_pick() chooses (under opts->state_root,
 * so tests can give a fixture), into path, and which line it came from in src (may be NULL); 0 or
 * -errno (-ESRCH when the process is gone).
 */
int resolver_pid_cgroup(const struct resolver *r, uint32_t pid, char *path, size_t size,
			enum proc_cgroup_source *src);

#endif
