/* What names a record: its cgroup, its mount namespace (a container with no cgroup of its own), or
 * on a legacy host its process; looked up in the consumer's cache only. */
#include <stdio.h>

#include "trace/recname.h"
#include "trace/session.h"

/*
 * Whether a record may be of a container with no cgroup of its own: a user namespace of its own
 * in the host's pid namespace (gVisor's sandbox), or a pid namespace of its own (gVisor's
 * gofer, rootless podman's containers), in a cgroup naming knows as not a container's.
 */
static bool ns_owned(struct session *s, const struct cc_event *ev)
{
	const struct cgroup_identity *cg;

	if ((ev->status & (CC_ST_PIDNS_HOST | CC_ST_USERNS)) == CC_ST_PIDNS_HOST)
		return false;
	cg = resolver_peek(s->res, ev->cgroup_id, NULL);
	return cg && cg->path && !cg->ctr.is_container;
}

/* What names a record: its cgroup, or its mount namespace (ns_owned), or on a legacy host its
   process. */
uint64_t session_record_key(struct session *s, const struct cc_event *ev)
{
	if (!s->layout.v2_mount[0])
		return NAMER_PID_KEY(ev->pid);
	return ns_owned(s, ev) ? NAMER_NS_KEY(ev->mntns) : ev->cgroup_id;
}

/* Ask the naming thread for a record's key: a mount namespace's with the record's pid. */
void session_ask(struct session *s, uint64_t key, const struct cc_event *ev)
{
	char pid[16];

	if (!s->layout.v2_mount[0]) {
		namer_ask(s->namer, IDQ_LOOKUP_PID, key, NULL, 0, NULL);
	} else if (NAMER_IS_NS_KEY(key)) {
		snprintf(pid, sizeof(pid), "%u", ev->pid);
		namer_ask(s->namer, IDQ_LOOKUP_NS, key, NULL, 0, pid);
	} else {
		namer_ask(s->namer, IDQ_LOOKUP, key, NULL, 0, NULL);
	}
}

/* Once per sandbox (as far as the notes kept reach): what a host tracer sees of it. */
static void sandbox_note(struct session *s, const struct container_info *ci)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *c = ci->id; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	for (size_t i = 0; i < s->sandboxes_noted; i++)
		if (s->sandbox_notes[i] == h)
			return;
	if (s->sandboxes_noted < sizeof(s->sandbox_notes) / sizeof(s->sandbox_notes[0]))
		s->sandbox_notes[s->sandboxes_noted++] = h;
	fprintf(stderr,
		"copenclose: note: %s container %.64s runs in a %s sandbox: its events are the "
		"sandbox's own processes' (pid and comm are theirs), not the sandboxed program's\n",
		ci->runtime, ci->id, ci->sandbox);
}

/*
 * What the consumer's cache knows of a record's cgroup (on a legacy host: of its process; for a
 * container with no cgroup of its own, of its mount namespace, with the cgroup's path; for an
 * engine's own process named by its mount namespace, its cgroup's with the engine), or
 * NULL; never a file read. A miss, or a name due to be looked for again, is asked of the naming
 * thread (merged with a request already waiting).
 */
const struct cgroup_identity *session_identify(struct session *s, const struct cc_event *ev,
					       struct cgroup_identity *legacy)
{
	uint64_t key = session_record_key(s, ev);
	bool due;
	const struct cgroup_identity *id = resolver_peek(s->res, key, &due), *cg;

	if (!id || due)
		session_ask(s, key, ev);
	if (!id || (s->layout.v2_mount[0] && !NAMER_IS_NS_KEY(key)))
		return id;
	if (NAMER_IS_NS_KEY(key)) {
		cg = resolver_peek(s->res, ev->cgroup_id, NULL);
		if (!id->ctr.is_container && (!id->ctr.runtime[0] || !cg))
			return cg; /* no container of its own: its cgroup's */
		if (id->ctr.sandbox[0])
			sandbox_note(s, &id->ctr);
		*legacy = *id;
		legacy->cgroup_id = ev->cgroup_id;
		legacy->path = cg ? cg->path : NULL;
		return legacy;
	}
	*legacy = *id;
	legacy->cgroup_id = ev->cgroup_id;
	legacy->path = NULL;
	return legacy;
}
