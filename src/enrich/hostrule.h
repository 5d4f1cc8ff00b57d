/* The host rule, one for the kernel's -I filter and the host key: the host's pid namespace and a
 * cgroup that is not a container's. A private mount, UTS or network namespace alone is not a
 * container (systemd's PrivateTmp=, unshare -m). Pure: status bits and what naming knows. */
#ifndef CC_HOSTRULE_H
#define CC_HOSTRULE_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/event.h"
#include "enrich/identity.h"

/* Whether naming knows the cgroup (or, on a legacy host, the process) of a record. */
static inline bool hostrule_named(const struct cgroup_identity *id)
{
	return id && (id->path || id->ctr.is_container);
}

/*
 * Whether a record is the host's: user space's verdict where naming knows its cgroup, else the
 * kernel's (from its cg_verdict map), else the host's when nothing says container.
 */
static inline bool hostrule_host(uint16_t status, const struct cgroup_identity *id)
{
	if (!(status & CC_ST_PIDNS_HOST))
		return false;
	if (hostrule_named(id))
		return !id->ctr.is_container;
	if (!(status & CC_ST_HOST_UNSURE))
		return status & CC_ST_HOST;
	return true;
}

/*
 * What is really ambiguous: a container's cgroup with the host's pid namespace (nsenter into the
 * cgroup, runc's init before it unshares), or a host cgroup with a pid namespace of its own
 * (unshare --pid, nsenter --all). 1 or 0; -1 when the cgroup is not known.
 */
static inline int hostrule_mismatch(uint16_t status, const struct cgroup_identity *id)
{
	if (!id || !id->path)
		return -1;
	if (id->ctr.sandbox[0]) /* a sandbox's processes, named by their mount namespace */
		return 0;
	return id->ctr.is_container == !!(status & CC_ST_PIDNS_HOST);
}

/*
 * The cgroup verdict the kernel is to keep for a record's cgroup: CC_CG_HOST or CC_CG_CONTAINER
 * once naming is sure of it (not pending), 0 while it is not, or nothing is to be kept (the
 * kernel knew already, or the record is not in the host's pid namespace, or the kernel does not
 * look at the cgroup's verdict for it: CC_ST_USERNS).
 */
static inline int hostrule_verdict(uint16_t status, const struct cgroup_identity *id, bool pending)
{
	if ((status & (CC_ST_PIDNS_HOST | CC_ST_HOST_UNSURE | CC_ST_USERNS)) !=
		    (CC_ST_PIDNS_HOST | CC_ST_HOST_UNSURE) ||
	    !id || !id->path || pending)
		return 0;
	return id->ctr.is_container ? CC_CG_CONTAINER : CC_CG_HOST;
}

#endif
