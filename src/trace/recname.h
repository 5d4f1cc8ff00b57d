/* What names a record, from the consumer's cache: never a file read. */
#ifndef CC_RECNAME_H
#define CC_RECNAME_H

#include <stdint.h>

#include "bpf/event.h"
#include "enrich/identity.h"

struct session;

/*
 * The key a record is named by: its cgroup id; NAMER_NS_KEY(its mount namespace) when it has a
 * user namespace of its own in the host's pid namespace, or a pid namespace of its own, in a
 * cgroup known as no container's (gVisor's sandbox, stubs and gofer); NAMER_PID_KEY(pid) on a
 * legacy host.
 */
uint64_t session_record_key(struct session *s, const struct cc_event *ev);

/* Ask the naming thread for key, a record's (a mount namespace's goes with the record's pid). */
void session_ask(struct session *s, uint64_t key, const struct cc_event *ev);

/*
 * What the consumer's cache knows of a record's key, or NULL; a miss, or a name due to be looked
 * for again, is asked of the naming thread (merged with a request already waiting). A process's
 * or a mount namespace's identity is copied into scratch with the record's cgroup (for a mount
 * namespace no container owns: the cgroup's own identity). A sandbox named for the first time is
 * said on stderr, once.
 */
const struct cgroup_identity *session_identify(struct session *s, const struct cc_event *ev,
					       struct cgroup_identity *scratch);

#endif
