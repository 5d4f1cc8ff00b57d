/* cgroup id -> identity: a hash table and LRU list with a hard cap, fed by lookups and
 * cgroup_mkdir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "enrich/cgroup.h"
#include "enrich/engine_state.h"
#include "enrich/k8s.h"
#include "enrich/nsowner.h"
#include "enrich/proc_cgroup.h"
#include "enrich/nspawn.h"
#include "enrich/resolver.h"
#include "enrich/resolver_walk.h"
#include "enrich/runtime_state.h"
#include "util.h"

#define RESOLVER_DEFAULT_CAP 4096
/* A container whose name or state is not on disk yet is looked at again, this often at most. */
#define RETRY_NS  1000000000ull
#define RETRY_MAX 10
/* The walks of the hierarchy: how many cgroups they look at at most. */
#define FIND_DIRS 200000

struct entry {
	uint64_t key;	  /* the cgroup id; a hash of the path for by_path entries */
	bool by_path;	  /* an entry of resolver_lookup_pid, keyed by path */
	bool pending;	  /* name or runtime state to look for (again) */
	bool by_creator;  /* named only by the runtime that created it (no state seen) */
	int tries;	  /* how often it was looked for */
	uint64_t next_ns; /* not again before */
	char *path;	  /* owned; NULL when unresolved */
	uint64_t epoch;	  /* the resolver's sweep epoch when last used */
	struct cgroup_identity ident;
	struct entry *hnext;	   /* hash chain */
	struct entry *prev, *next; /* LRU list, most recent first */
};

struct resolver {
	char *v2_mount;
	char *state_root;
	struct engine_dirs dirs;
	size_t cap, count, nbuckets;
	struct entry **buckets;
	struct entry lru; /* sentinel */
	uint64_t epoch;	  /* resolver_sweep() calls so far */
	struct cgroup_identity scratch;
	char buf[PATH_MAX];
};

static size_t bucket_of(const struct resolver *r, uint64_t key, bool by_path)
{
	uint64_t h = (key ^ (by_path ? 0x9e3779b97f4a7c15ull : 0)) * 0xff51afd7ed558ccdull;

	return (size_t)(h >> 32) & (r->nbuckets - 1);
}

static uint64_t hash_path(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

struct visit {
	void (*fn)(void *ctx, const char *rel, uint64_t ino);
	void *ctx;
};

static int visit_one(void *ctx, uint64_t id, const char *path, size_t len)
{
	struct visit *v = ctx;

	(void)len;
	v->fn(v->ctx, path, id);
	return 0;
}

int resolver_walk_v2(struct resolver *r, void (*fn)(void *, const char *, uint64_t), void *ctx)
{
	struct visit v = {fn, ctx};

	return cgroup_walk(r->v2_mount, visit_one, &v, FIND_DIRS);
}

static void prime_visit(void *ctx, const char *rel, uint64_t ino);

int resolver_new(const struct resolver_opts *opts, struct resolver **out)
{
	struct resolver *r;

	if (!opts || !out)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->cap = opts->cache_cap ? opts->cache_cap : RESOLVER_DEFAULT_CAP;
	r->nbuckets = 16;
	while (r->nbuckets < r->cap && r->nbuckets < ((size_t)1 << 30))
		r->nbuckets <<= 1;
	r->buckets = calloc(r->nbuckets, sizeof(*r->buckets));
	r->v2_mount = strdup(opts->v2_mount ? opts->v2_mount : "");
	r->state_root = strdup(opts->state_root ? opts->state_root : "");
	if (!r->buckets || !r->v2_mount || !r->state_root) {
		resolver_free(r);
		return -ENOMEM;
	}
	if (opts->dirs)
		r->dirs = *opts->dirs;
	else
		engine_dirs_defaults(&r->dirs);
	r->lru.next = r->lru.prev = &r->lru;
	if (!opts->no_prime && r->v2_mount[0])
		resolver_walk_v2(r, prime_visit, r);
	*out = r;
	return 0;
}

static void lru_unlink(struct entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void lru_push(struct resolver *r, struct entry *e)
{
	e->epoch = r->epoch;
	e->next = r->lru.next;
	e->prev = &r->lru;
	r->lru.next->prev = e;
	r->lru.next = e;
}

static void entry_remove(struct resolver *r, struct entry *e)
{
	struct entry **pp = &r->buckets[bucket_of(r, e->key, e->by_path)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	lru_unlink(e);
	free(e->path);
	free(e);
	r->count--;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	if (r->buckets)
		while (r->lru.next && r->lru.next != &r->lru)
			entry_remove(r, r->lru.next);
	free(r->buckets);
	free(r->v2_mount);
	free(r->state_root);
	free(r);
}

size_t resolver_cache_size(const struct resolver *r)
{
	return r ? r->count : 0;
}

static struct entry *find(struct resolver *r, uint64_t key, bool by_path, const char *path)
{
	struct entry *e = r->buckets[bucket_of(r, key, by_path)];

	for (; e; e = e->hnext)
		if (e->key == key && e->by_path == by_path &&
		    (!by_path || (e->path && strcmp(e->path, path) == 0)))
			return e;
	return NULL;
}

/* A new entry at the front, evicting the least recently used one at the cap; NULL on ENOMEM. */
static struct entry *insert(struct resolver *r, uint64_t key, bool by_path, const char *path,
			    size_t len)
{
	struct entry *e;
	size_t b;

	if (r->count >= r->cap && r->lru.prev != &r->lru)
		entry_remove(r, r->lru.prev);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (path) {
		e->path = malloc(len + 1);
		if (!e->path) {
			free(e);
			return NULL;
		}
		memcpy(e->path, path, len);
		e->path[len] = '\0';
	}
	e->key = key;
	e->by_path = by_path;
	e->ident.cgroup_id = by_path ? 0 : key;
	e->ident.path = e->path;
	b = bucket_of(r, key, by_path);
	e->hnext = r->buckets[b];
	r->buckets[b] = e;
	lru_push(r, e);
	r->count++;
	return e;
}

/* Whether path lies below a subtree systemd delegates to a user ("user@UID.service"). */
static bool below_user(const char *path)
{
	return strstr(path, "/user@") != NULL;
}

/*
 * A cgroup the path does not tell: its components, the deepest first, looked for as container
 * ids in the engines' state, which must record this cgroup (runc's cgroupsPath can be anything:
 * "/<id>", "/<namespace>/<id>", "/kubepods/<qos>/pod<uid>/<id>", "/parent/<id>").
 */
static int identify_by_state(struct resolver *r, const char *path, struct container_info *out)
{
	char prefix[PATH_MAX], id[CONTAINER_ID_LEN];
	size_t end = strlen(path);
	bool strict = below_user(path);

	if (end >= sizeof(prefix))
		return 0;
	memcpy(prefix, path, end + 1);
	while (end > 1) {
		size_t start = end, n;

		while (start > 0 && prefix[start - 1] != '/')
			start--;
		n = end - start;
		prefix[end] = '\0';
		if (container_bare_candidate(prefix + start - 1, id, sizeof(id), NULL) == 1 &&
		    strlen(id) == n) {
			memset(out, 0, sizeof(*out));
			if (engine_state_lookup(r->state_root, &r->dirs, id, prefix, strict, out)) {
				out->is_container = true;
				out->trust = CONTAINER_TRUST_SYSTEM;
				out->cgroup_len = end;
				return 1;
			}
		}
		end = start > 0 ? start - 1 : 0;
	}
	memset(out, 0, sizeof(*out));
	return 0;
}

int resolver_identify_at(struct resolver *r, const char *path, struct container_info *out,
			 bool *pending)
{
	char name[CONTAINER_NAME_LEN], cgroup[PATH_MAX];
	int rc, err;

	*pending = false;
	rc = container_parse_path(path, out);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		rc = identify_by_state(r, path, out);
		*pending = rc == 0;
	} else if (nspawn_is_payload(path, out->cgroup_len)) {
		/* nspawn's payload/ only beside its supervisor/ */
		rc = nspawn_confirm(r->v2_mount, r->state_root, path, out->cgroup_len, out->name,
				    sizeof(out->name));
		if (rc != 1) { /* supervisor/ may not be made yet */
			memset(out, 0, sizeof(*out));
			rc = 0;
		}
		/* named by its unit until the supervisor's arguments give the machine's name */
		*pending = rc == 0 || strcmp(out->name, out->id) == 0;
	} else if (strcmp(out->runtime, "podman") == 0) {
		err = runtime_state_name(r->state_root, out, name, sizeof(name));
		if (err == 0)
			memcpy(out->name, name, sizeof(out->name));
		else if (err != -ENOTSUP)
			*pending = true;
	} else if (!out->runtime[0] || strcmp(out->runtime, "docker") == 0 ||
		   strcmp(out->runtime, "containerd") == 0 || strcmp(out->runtime, "cri-o") == 0) {
		/* the engine's record: its name, image and pod (and which engine, for kubepods) */
		struct container_info st = *out;

		if (out->cgroup_len < sizeof(cgroup)) {
			memcpy(cgroup, path, out->cgroup_len);
			cgroup[out->cgroup_len] = '\0';
			if (engine_state_lookup(r->state_root, &r->dirs, out->id, cgroup,
						out->trust != CONTAINER_TRUST_SYSTEM, &st) == 1)
				*out = st;
			else
				*pending = true;
		}
	}
	if (rc == 1)
		k8s_from_path(path, out);
	return rc;
}

int resolver_identify_path(struct resolver *r, const char *path, struct container_info *out)
{
	bool pending;

	if (!r || !out)
		return -EINVAL;
	return resolver_identify_at(r, path, out, &pending);
}

/* (Re)identify a cached entry when it is due. */
static void refresh(struct resolver *r, struct entry *e)
{
	uint64_t now;

	if (!e->pending || !e->path)
		return;
	now = now_ns(CLOCK_MONOTONIC);
	if (e->tries > 0 && now < e->next_ns)
		return;
	resolver_identify_at(r, e->path, &e->ident.ctr, &e->pending);
	e->tries++;
	e->next_ns = now + RETRY_NS;
	if (e->tries >= RETRY_MAX)
		e->pending = false;
}

const struct cgroup_identity *resolver_lookup(struct resolver *r, uint64_t cgroup_id)
{
	struct entry *e = find(r, cgroup_id, false, NULL);
	int err;

	if (e) {
		lru_unlink(e);
		lru_push(r, e);
		refresh(r, e);
		return &e->ident;
	}
	err = cgroup_id_to_path(r->v2_mount, cgroup_id, r->buf, sizeof(r->buf));
	if (err == 0 || err == -ENOENT) {
		e = insert(r, cgroup_id, false, err ? NULL : r->buf, err ? 0 : strlen(r->buf));
		if (e) {
			e->pending = err == 0;
			refresh(r, e);
			return &e->ident;
		}
	}
	/* Not cached: the error may pass (or memory is short). */
	memset(&r->scratch, 0, sizeof(r->scratch));
	r->scratch.cgroup_id = cgroup_id;
	return &r->scratch;
}

const struct cgroup_identity *resolver_peek(struct resolver *r, uint64_t key, bool *due)
{
	struct entry *e = find(r, key, false, NULL);

	if (due)
		*due = false;
	if (!e)
		return NULL;
	lru_unlink(e);
	lru_push(r, e);
	if (due && e->pending) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);

		if (now >= e->next_ns) {
			*due = true;
			e->next_ns = now + RETRY_NS;
		}
	}
	return &e->ident;
}

bool resolver_pending(struct resolver *r, uint64_t key)
{
	struct entry *e = find(r, key, false, NULL);

	return e && e->pending;
}

int resolver_publish(struct resolver *r, uint64_t key, const struct cgroup_identity *id,
		     bool pending)
{
	struct entry *e = find(r, key, false, NULL);

	if (e)
		entry_remove(r, e);
	e = insert(r, key, false, id->path, id->path ? strlen(id->path) : 0);
	if (!e)
		return -ENOMEM;
	e->ident.ctr = id->ctr;
	e->ident.cgroup_id = id->cgroup_id;
	e->pending = pending;
	/* asked again (resolver_peek's due) a second from now at the soonest */
	e->tries = 1;
	e->next_ns = now_ns(CLOCK_MONOTONIC) + RETRY_NS;
	return 0;
}

int resolver_guess(struct resolver *r, uint64_t cgroup_id, const char *path, size_t len)
{
	struct cgroup_identity id = {.cgroup_id = cgroup_id};
	char *p;
	int err;

	if (!r || !path || len == 0 || memchr(path, '\0', len))
		return -EINVAL;
	p = strndup(path, len);
	if (!p)
		return -ENOMEM;
	if (container_parse_path(p, &id.ctr) == 1)
		k8s_from_path(p, &id.ctr);
	else
		memset(&id.ctr, 0, sizeof(id.ctr));
	id.path = p;
	err = resolver_publish(r, cgroup_id, &id, true);
	free(p);
	return err;
}

/*
 * The program that created a cgroup, as the kernel saw it at cgroup_mkdir: runc and crun create
 * their container's cgroup themselves ("/<id>", or below any parent their cgroupsPath names),
 * so this names a container whose state on disk is gone before we look. Not below a user's
 * delegated subtree, where anyone may create a cgroup of any name.
 */
static void identify_by_creator(struct resolver *r, struct entry *e, const char *creator,
				const char *machine)
{
	static const char *const runtimes[] = {"runc", "crun"};
	struct container_info *c = &e->ident.ctr, ns;
	char id[CONTAINER_ID_LEN];
	const char *last = strrchr(e->path, '/');
	size_t len = strlen(e->path);
	bool by_runtime = false;

	if (!creator || !last || below_user(e->path))
		return;
	/* nspawn makes payload/ before supervisor/: its own payload/ is its container */
	if (strcmp(creator, "systemd-nspawn") == 0 &&
	    (!c->is_container || strcmp(c->runtime, "systemd-nspawn") == 0) &&
	    container_parse_path(e->path, &ns) == 1 && nspawn_is_payload(e->path, ns.cgroup_len)) {
		if (!c->is_container)
			*c = ns;
		if (machine && machine[0] && strlen(machine) < sizeof(c->name)) {
			/* its arguments at the mkdir: the machine's name, for good */
			snprintf(c->name, sizeof(c->name), "%s", machine);
			e->pending = false;
			return;
		}
		if (strcmp(c->name, c->id) != 0)
			return; /* named by the supervisor's arguments already */
		e->pending = nspawn_confirm(r->v2_mount, r->state_root, e->path, c->cgroup_len,
					    c->name, sizeof(c->name)) != 1 ||
			     strcmp(c->name, c->id) == 0;
		return;
	}
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		if (strcmp(creator, runtimes[i]) != 0)
			continue;
		by_runtime = true;
		if (c->is_container || container_bare_candidate(last, id, sizeof(id), NULL) != 1 ||
		    strlen(id) != len - (size_t)(last + 1 - e->path))
			break;
		memset(c, 0, sizeof(*c));
		c->is_container = true;
		c->trust = CONTAINER_TRUST_SYSTEM;
		snprintf(c->runtime, sizeof(c->runtime), "%s", runtimes[i]);
		memcpy(c->id, id, sizeof(c->id));
		memcpy(c->name, id, sizeof(id));
		c->cgroup_len = len;
		e->pending = false;
		e->by_creator = true;
		break;
	}
	/* a parent the same runtime made on the way (mkdir -p) is not a container */
	if (by_runtime && last != e->path && r->v2_mount[0]) {
		struct entry *pe;
		struct stat st;

		if (snprintf(r->buf, sizeof(r->buf), "%s%.*s", r->v2_mount, (int)(last - e->path),
			     e->path) < (int)sizeof(r->buf) &&
		    stat(r->buf, &st) == 0 && (pe = find(r, (uint64_t)st.st_ino, false, NULL)) &&
		    pe->by_creator) {
			memset(&pe->ident.ctr, 0, sizeof(pe->ident.ctr));
			pe->by_creator = false;
		}
	}
}

void resolver_learn_created(struct resolver *r, uint64_t cgroup_id, const char *path, size_t len,
			    const char *creator)
{
	resolver_learn_machine(r, cgroup_id, path, len, creator, NULL);
}

void resolver_learn_machine(struct resolver *r, uint64_t cgroup_id, const char *path, size_t len,
			    const char *creator, const char *machine)
{
	struct entry *e;

	if (!r || !path || len == 0 || memchr(path, '\0', len))
		return;
	e = find(r, cgroup_id, false, NULL);
	if (e)
		entry_remove(r, e);
	e = insert(r, cgroup_id, false, path, len);
	if (e) {
		/* Now, while a short-lived container's state is still on disk; again later at
		   lookups when something was missing. */
		resolver_identify_at(r, e->path, &e->ident.ctr, &e->pending);
		identify_by_creator(r, e, creator, machine);
	}
}

void resolver_learn(struct resolver *r, uint64_t cgroup_id, const char *path, size_t len)
{
	resolver_learn_created(r, cgroup_id, path, len, NULL);
}

void resolver_forget(struct resolver *r, uint64_t cgroup_id)
{
	struct entry *e = r ? find(r, cgroup_id, false, NULL) : NULL;

	if (e)
		entry_remove(r, e);
}

size_t resolver_sweep(struct resolver *r, uint64_t *gone, size_t max)
{
	char p[PATH_MAX];
	size_t n = 0;

	/* from the least recently used: those not used since the last sweep */
	for (struct entry *e = r->lru.prev, *prev; e != &r->lru && n < max; e = prev) {
		prev = e->prev;
		if (e->epoch == r->epoch)
			break;
		if (e->by_path || !e->path || !r->v2_mount[0] ||
		    (size_t)snprintf(p, sizeof(p), "%s%s", r->v2_mount, e->path) >= sizeof(p) ||
		    access(p, F_OK) == 0 || errno != ENOENT)
			continue;
		gone[n++] = e->key;
		entry_remove(r, e);
	}
	r->epoch++;
	return n;
}

int resolver_pid_cgroup(const struct resolver *r, uint32_t pid, char *path, size_t size,
			enum proc_cgroup_source *src)
{
	/* 13 hierarchies of PATH_MAX paths at most; a longer file is cut at its last full line */
	const size_t max = 128 * 1024;
	char p[PATH_MAX], *text;
	ssize_t n;
	size_t len = 0;
	int fd, err;

	if (snprintf(p, sizeof(p), "%s/proc/%u/cgroup", r->state_root, pid) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	text = malloc(max);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (len < max && (n = read(fd, text + len, max - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			close(fd);
			free(text);
			return err;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len == max)
		while (len > 0 && text[len - 1] != '\n')
			len--;
	err = proc_cgroup_pick(text, len, path, size, src);
	free(text);
	return err;
}

int resolver_lookup_ns(struct resolver *r, uint32_t pid, struct container_info *out)
{
	return r && out ? nsowner_lookup(r->state_root, &r->dirs, pid, out) : 0;
}

int resolver_lookup_pid(struct resolver *r, uint32_t pid, struct container_info *out)
{
	struct entry *e;
	uint64_t h;
	int err;

	if (!r || !out)
		return -EINVAL;
	if ((err = resolver_pid_cgroup(r, pid, r->buf, sizeof(r->buf), NULL)))
		return err;
	h = hash_path(r->buf);
	e = find(r, h, true, r->buf);
	if (e) {
		lru_unlink(e);
		lru_push(r, e);
	} else {
		e = insert(r, h, true, r->buf, strlen(r->buf));
		if (!e)
			return -ENOMEM;
		e->pending = true;
	}
	refresh(r, e);
	*out = e->ident.ctr;
	return 0;
}

/*
 * A container cgroup that exists at start: known now, while its runtime's state is on disk,
 * so that its events still name it after it is gone (no cgroup_mkdir will tell of it).
 */
static void prime_visit(void *ctx, const char *rel, uint64_t ino)
{
	struct resolver *r = ctx;
	struct container_info ci;
	struct entry *e;
	bool pending;

	if (r->count >= r->cap || resolver_identify_at(r, rel, &ci, &pending) != 1 ||
	    find(r, ino, false, NULL))
		return;
	e = insert(r, ino, false, rel, strlen(rel));
	if (e) {
		e->ident.ctr = ci;
		e->pending = pending;
	}
}
