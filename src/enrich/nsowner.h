/* Containers with no cgroup of their own, found by a mount namespace: gVisor's sandboxes (runsc's
 * state) and rootless podman's containers and podman's own processes (rootless.h). */
#ifndef CC_NSOWNER_H
#define CC_NSOWNER_H

#include <stdint.h>

#include "enrich/engine_state.h"
#include "enrich/identity.h"

/* At most this many state entries are looked at per directory. */
#define NSOWNER_SCAN_MAX 256
/* How far up a process's parents a sandbox's process is looked for (its stubs are below it). */
#define NSOWNER_DEPTH 8

/*
 * The container the process pid is of, under root ("" on a real host; a fixture tree in tests,
 * which holds proc/PID/stat, cgroup and cmdline too): a runsc container whose sandbox process
 * (the pid itself, a parent, or a process in the sandbox's v1 cgroup: its stubs) or gofer it is
 * (runtime "runsc", sandbox "gvisor"), from d's runsc directories. A pid a state names is
 * trusted only while its command line is runsc's (runsc-sandbox, runsc-gofer); else a rootless
 * podman container's or podman's own process (rootless_lookup). Reads only what
 * /proc shows every user (the tracer keeps no CAP_SYS_PTRACE). Fills ci (is_container set); 1
 * when found, 0 when not, -ESRCH when the process is gone or ends under the lookup (a zombie's
 * or an exiting process's mountinfo shows no mount namespace), -EAGAIN when one of its parents
 * did (nothing known of its namespace: another of its processes may tell).
 */
int nsowner_lookup(const char *root, const struct engine_dirs *d, uint32_t pid,
		   struct container_info *ci);

/* A sandbox's process found running, by its mount namespace. */
struct nsowner_found {
	uint32_t mntns;
	struct container_info ci;
};

/*
 * The runsc sandboxes and gofers, and rootless podman's containers and pause processes,
 * running now (their mount namespaces read from root/proc/PID/ns:
 * which needs the privileges to look into other users' processes; at start, before they are
 * dropped), at most max of them into out: how many.
 */
size_t nsowner_running(const char *root, const struct engine_dirs *d, struct nsowner_found *out,
		       size_t max);

/*
 * The runsc container id as its state under root names it (d's runsc directories): runtime
 * "runsc", sandbox "gvisor", the OCI spec's Kubernetes annotations; its hostname into hostname
 * (hsize bytes; "" when it has none that fits). 1 with both filled, 0 when no state holds it (or
 * id is not one a runtime gives).
 */
int nsowner_runsc_by_id(const char *root, const struct engine_dirs *d, const char *id,
			struct container_info *ci, char *hostname, size_t hsize);

#endif
