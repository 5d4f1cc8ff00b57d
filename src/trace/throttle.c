/* --rate-limit's reports: per container, what was throttled since the last read (pure), and the
   reading of the kernel's buckets into throttled records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "bpf/ratelimit.h"
#include "format/throttled.h"
#include "trace/session.h"
#include "trace/throttle.h"

/* The index of key in seen, or where it would go. */
static size_t find(const struct throttle *t, uint32_t key)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->seen[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Bucket key's entry, made (with no counts) at index i where there is none; NULL: no memory. */
static struct throttle_seen *make(struct throttle *t, size_t i, uint32_t key)
{
	struct throttle_seen *e;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct throttle_seen *p = realloc(t->seen, cap * sizeof(*p));

		if (!p)
			return NULL;
		t->seen = p;
		t->cap = cap;
	}
	memmove(&t->seen[i + 1], &t->seen[i], (t->n - i) * sizeof(*t->seen));
	t->n++;
	e = &t->seen[i];
	memset(e, 0, sizeof(*e));
	e->key = key;
	return e;
}

long long throttle_delta(struct throttle *t, uint32_t key, const uint64_t counts[CC_SYS_MAX],
			 uint64_t delta[CC_SYS_MAX])
{
	size_t i = find(t, key);
	struct throttle_seen *e = i < t->n && t->seen[i].key == key ? &t->seen[i] : NULL;
	long long sum = 0;
	int restarted = 0;

	for (int sc = 0; e && sc < CC_SYS_MAX; sc++)
		restarted |= counts[sc] < e->counts[sc];
	for (int sc = 0; sc < CC_SYS_MAX; sc++) {
		delta[sc] = e && !restarted ? counts[sc] - e->counts[sc] : counts[sc];
		sum += (long long)delta[sc];
	}
	if (!e && !(e = make(t, i, key)))
		return -ENOMEM;
	memcpy(e->counts, counts, sizeof(e->counts));
	t->reported += (uint64_t)sum;
	return sum;
}

static void forget_name(struct throttle_seen *e)
{
	if (e->named)
		free((char *)e->named->path);
	free(e->named);
	e->named = NULL;
}

const struct cgroup_identity *throttle_name(struct throttle *t, uint32_t key, uint64_t cgroup_id,
					    const struct cgroup_identity *id)
{
	size_t i = find(t, key);
	struct throttle_seen *e = i < t->n && t->seen[i].key == key ? &t->seen[i] : NULL;

	if (!e)
		return id;
	if (!id)
		return e->named && e->named->cgroup_id == cgroup_id ? e->named : NULL;
	if (e->named && e->named->cgroup_id == cgroup_id && e->named->path && id->path &&
	    strcmp(e->named->path, id->path) == 0)
		return id; /* kept already */
	forget_name(e);
	e->named = malloc(sizeof(*e->named));
	if (!e->named)
		return id;
	*e->named = *id;
	e->named->path = id->path ? strdup(id->path) : NULL;
	return id;
}

int throttle_keep(struct throttle *t, uint32_t key, const struct cgroup_identity *id)
{
	size_t i = find(t, key);

	if ((i == t->n || t->seen[i].key != key) && !make(t, i, key))
		return -ENOMEM;
	throttle_name(t, key, id->cgroup_id, id);
	return 0;
}

bool throttle_must_wait(struct throttle *t, uint32_t key, uint64_t cgroup_id,
			const struct cgroup_identity *id, bool nameable, bool held)
{
	if (held)
		return true;
	return nameable && cgroup_id && !id && !throttle_name(t, key, cgroup_id, NULL);
}

void throttle_free(struct throttle *t)
{
	for (size_t i = 0; i < t->n; i++)
		forget_name(&t->seen[i]);
	free(t->seen);
	memset(t, 0, sizeof(*t));
}

const struct cgroup_identity *session_throttled_known(struct session *s,
						      const struct throttle_held *h,
						      struct cgroup_identity *buf)
{
	const struct cgroup_identity *id, *ns;

	if (!s->layout.v2_mount[0])
		return NULL;
	id = resolver_peek(s->res, h->rec.cgroup_id, NULL);
	if (!id)
		namer_ask(s->namer, IDQ_LOOKUP, h->rec.cgroup_id, NULL, 0, NULL);
	if (h->key == CC_RL_HOST || !h->mntns || (id && id->ctr.is_container))
		return id;
	ns = resolver_peek(s->res, NAMER_NS_KEY(h->mntns), NULL);
	if (!ns || !ns->ctr.is_container)
		/* its container gone and no longer named (a sandbox that ended): the name its
		   events had, kept (throttle_keep), else its cgroup's */
		return h->key == h->mntns &&
				       throttle_name(&s->throttle, h->key, h->rec.cgroup_id, NULL)
			       ? NULL
			       : id;
	*buf = *ns;
	buf->cgroup_id = h->rec.cgroup_id;
	buf->path = id ? id->path : NULL;
	return buf;
}

void session_write_throttled(struct session *s, const struct throttle_held *h,
			     const struct cgroup_identity *id, const struct cgroup_identity *guess)
{
	const struct cgroup_identity *name =
		throttle_name(&s->throttle, h->key, h->rec.cgroup_id, id);

	output_throttled(&s->out, &h->rec, name ? name : guess);
}

void session_report_throttled(struct session *s, uint64_t now)
{
	struct bpf_map *map = s->skel->maps.buckets;
	struct throttle_held h = {.type = THROTTLE_REC_HELD};
	struct throttled_rec *r = &h.rec;
	const struct cgroup_identity *id;
	struct cgroup_identity buf;
	uint32_t key, next;
	void *prev = NULL;
	struct cc_bucket b;
	uint64_t counts[CC_SYS_MAX];

	r->interval_ns = now - s->throttle.last_ns;
	r->wall_ns = now_ns(CLOCK_REALTIME);
	s->throttle.last_ns = now;
	while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(map, &key, sizeof(key), &b, sizeof(b), 0))
			continue;
		memcpy(counts, b.throttled, sizeof(counts));
		if (throttle_delta(&s->throttle, key, counts, r->counts) <= 0)
			continue;
		r->total = s->throttle.reported;
		/* a bucket of a mount namespace (struct cc_bucket): no pid namespace's, no
		   host's (the numbers of namespaces never coincide) */
		r->mntns = key != CC_RL_HOST && key == b.mntns ? key : 0;
		r->pidns = r->mntns ? 0 : key;
		r->cgroup_id = b.cgroup_id;
		h.key = key;
		h.mntns = b.mntns;
		if (s->view)
			continue;
		/* not named yet: held like the events, until the naming thread answers (or for
		   as long as an event may wait), behind its cgroup's records held already */
		id = session_throttled_known(s, &h, &buf);
		if (throttle_must_wait(&s->throttle, key, b.cgroup_id, id,
				       s->layout.v2_mount[0] != '\0',
				       deferral_holds(&s->held, b.cgroup_id)))
			session_hold(s, &h, sizeof(h), b.cgroup_id);
		else
			session_write_throttled(s, &h, id, NULL);
	}
}
