/* What enrichment knows of a cgroup: plain data that the writers read, with no calls back. */
#ifndef CC_IDENTITY_H
#define CC_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTAINER_RUNTIME_LEN 32
#define CONTAINER_ID_LEN      128
#define CONTAINER_NAME_LEN    256
#define CONTAINER_IMAGE_LEN   512
#define K8S_NAME_LEN	      256 /* a DNS-1123 subdomain is at most 253 characters */
#define K8S_UID_LEN	      40  /* a pod UID: 36 characters */

enum container_trust {
	CONTAINER_TRUST_SYSTEM = 0,	/* found where only root can create cgroups */
	CONTAINER_TRUST_USER_DELEGATED, /* under a subtree delegated to an unprivileged user */
	CONTAINER_TRUST_USER, /* no cgroup of its own: named from an unprivileged user's state
				 (rootless podman's, read as that user's files; rootless.h) */
};

/*
 * is_container false with a runtime: not a container but an engine's own process (rootless
 * podman's podman, conmon, runc and pause, in its user namespace), a host process.
 */
struct container_info {
	bool is_container;
	enum container_trust trust;
	char runtime[CONTAINER_RUNTIME_LEN]; /* "docker", "podman", "containerd", "cri-o", ... */
	char id[CONTAINER_ID_LEN];	     /* full id, or the name where a runtime has only one */
	char name[CONTAINER_NAME_LEN]; /* the runtime's name for it; the id when it has none */
	size_t cgroup_len;	       /* length of the prefix of the path that is the container's
					  cgroup (sub-cgroups below it belong to it) */
	uint32_t owner_uid; /* with CONTAINER_TRUST_USER_DELEGATED: the uid of the user@UID.service
			       the container lies below (its rootless runtime's state is there);
			       with CONTAINER_TRUST_USER: the user whose state names it */
	char image[CONTAINER_IMAGE_LEN]; /* the image it runs; "" when unknown */
	/* Kubernetes, from the CRI annotations or labels the runtime keeps, else the cgroup path;
	   "" when unknown or not in a pod */
	char k8s_namespace[K8S_NAME_LEN];
	char k8s_pod[K8S_NAME_LEN];
	char k8s_pod_uid[K8S_UID_LEN];
	char k8s_container[K8S_NAME_LEN];
	char k8s_qos[16]; /* "guaranteed", "burstable", "besteffort" */
	bool k8s_sandbox; /* the pod's sandbox (pause) container, not a workload */
	/* "gvisor" or "kata": the container runs in a sandbox whose calls a host tracer sees only
	   as the sandbox's own processes; "" for none */
	char sandbox[8];
};

/* An engine's own process (rootless podman's podman, conmon, runc, pause): a host process that
   carries its engine (container_runtime) and the trust of the state that named it. */
static inline bool container_engine_own(const struct container_info *ci)
{
	return !ci->is_container && ci->trust == CONTAINER_TRUST_USER && ci->runtime[0];
}

/* container_trust's word for a container or an engine's own process; NULL for neither. */
static inline const char *container_trust_word(const struct container_info *ci)
{
	if (!ci->is_container && !container_engine_own(ci))
		return NULL;
	return ci->trust == CONTAINER_TRUST_USER_DELEGATED ? "user-delegated"
	       : ci->trust == CONTAINER_TRUST_USER	   ? "user"
							   : "system";
}

/* What the resolver knows of one cgroup. */
struct cgroup_identity {
	uint64_t cgroup_id;
	const char *path; /* inside the v2 hierarchy; NULL when unresolved */
	struct container_info ctr;
};

#endif
