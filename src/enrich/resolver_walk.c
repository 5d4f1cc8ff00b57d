/* The walks of the cgroup v2 hierarchy that identify every cgroup in it: -c's lookup, the list of
 * running containers, counts for the waiting filters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/resolver.h"
#include "enrich/resolver_walk.h"
#include "enrich/selector.h"

/* How many matches resolver_find keeps. */
#define FIND_MATCHES 64

struct find_state {
	struct resolver *r;
	const char *query;
	size_t n;
	struct {
		char id[CONTAINER_ID_LEN];
		char name[CONTAINER_NAME_LEN];
		char *path;
		int exact;
	} m[FIND_MATCHES];
};

static void find_consider(struct find_state *fs, const char *rel)
{
	struct container_info ci;
	enum selector_hit hit;
	bool pending;
	int exact;

	/* a cgroup a user controls can be named like any container: -c never selects one */
	if (resolver_identify_at(fs->r, rel, &ci, &pending) != 1 || ci.cgroup_len != strlen(rel) ||
	    ci.trust != CONTAINER_TRUST_SYSTEM)
		return;
	/* the rule of -c --wait too; the empty query (resolver_running) takes every one */
	hit = fs->query[0] ? selector_names(fs->query, &ci) : SELECTOR_PREFIX;
	if (hit == SELECTOR_NONE)
		return;
	exact = hit == SELECTOR_EXACT;
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->m[i].id, ci.id) == 0)
			return;
	if (fs->n == FIND_MATCHES)
		return;
	fs->m[fs->n].path = strdup(rel);
	if (!fs->m[fs->n].path)
		return;
	memcpy(fs->m[fs->n].id, ci.id, sizeof(ci.id));
	memcpy(fs->m[fs->n].name, ci.name, sizeof(ci.name));
	fs->m[fs->n].exact = exact;
	fs->n++;
}

static void find_visit(void *ctx, const char *rel, uint64_t ino)
{
	(void)ino;
	find_consider(ctx, rel);
}

int resolver_find(struct resolver *r, const char *query, char *path, size_t size)
{
	struct find_state *fs;
	size_t exact = 0, pick = 0, want;
	int err = 0;

	if (!r || !query || !*query || !path || size == 0)
		return -EINVAL;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->r = r;
	fs->query = query;
	if ((err = resolver_walk_v2(r, find_visit, fs))) {
		free(fs);
		return err;
	}
	for (size_t i = 0; i < fs->n; i++)
		if (fs->m[i].exact) {
			exact++;
			pick = i;
		}
	want = exact ? 1 : 0; /* exact matches win over prefixes */
	if (fs->n == 0) {
		err = -ENOENT;
	} else if (exact == 1 || (!exact && fs->n == 1)) {
		if (!exact)
			pick = 0;
		if (snprintf(path, size, "%s", fs->m[pick].path) >= (int)size)
			err = -ENAMETOOLONG;
	} else {
		size_t o = 0;

		path[0] = '\0';
		for (size_t i = 0; i < fs->n; i++) {
			int w;

			if (want && !fs->m[i].exact)
				continue;
			w = snprintf(path + o, size - o, "%s%s", o ? "," : "", fs->m[i].id);
			if (w < 0 || (size_t)w >= size - o) {
				path[o] = '\0';
				break;
			}
			o += (size_t)w;
		}
		err = -EEXIST;
	}
	for (size_t i = 0; i < fs->n; i++)
		free(fs->m[i].path);
	free(fs);
	return err;
}

int resolver_running(struct resolver *r, char *list, size_t size)
{
	struct find_state *fs;
	size_t o = 0;
	int err;

	if (!r || !list || size == 0)
		return -EINVAL;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->r = r;
	fs->query = ""; /* every id has the empty prefix */
	err = resolver_walk_v2(r, find_visit, fs);
	list[0] = '\0';
	for (size_t i = 0; !err && i < fs->n; i++) {
		int w = snprintf(list + o, size - o, "%s%s", o ? ", " : "", fs->m[i].name);

		if (w < 0 || (size_t)w >= size - o) {
			list[o] = '\0';
			break;
		}
		o += (size_t)w;
	}
	for (size_t i = 0; i < fs->n; i++)
		free(fs->m[i].path);
	err = err ? err : (int)fs->n;
	free(fs);
	return err;
}

struct count_state {
	struct resolver *r;
	bool (*pred)(void *ctx, const struct container_info *ci);
	void *ctx;
	int n;
};

static void count_visit(void *ctx, const char *rel, uint64_t ino)
{
	struct count_state *cs = ctx;
	struct container_info ci;
	bool pending;

	(void)ino;
	if (resolver_identify_at(cs->r, rel, &ci, &pending) == 1 && ci.cgroup_len == strlen(rel) &&
	    cs->pred(cs->ctx, &ci))
		cs->n++;
}

int resolver_count(struct resolver *r, bool (*pred)(void *ctx, const struct container_info *ci),
		   void *ctx)
{
	struct count_state cs = {r, pred, ctx, 0};
	int err;

	if (!r || !pred)
		return -EINVAL;
	err = resolver_walk_v2(r, count_visit, &cs);
	return err ? err : cs.n;
}
