/* Rootless podman's containers and podman's own processes, named through their user namespace and
 * the owning user's podman state, read as that user's hostile files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enrich/conmon_args.h"
#include "enrich/nsowner.h"
#include "enrich/rootless.h"
#include "enrich/rootless_places.h"
#include "enrich/runtime_state.h"
#include "enrich/statefile.h"

#define PID_MAX_LIMIT 4194304 /* the kernel's bound on a pid */
#define USERS_MAX     256     /* users looked at (run directories, conmons) */
#define SCAN_MAX      256     /* container directories looked at per user */

int rootless_map_owner(const char *text, size_t len, uint32_t *owner)
{
	const char *line = text, *end = text + len;

	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		char buf[96];
		size_t n = (size_t)((nl ? nl : end) - line);
		unsigned long long in, out, count;

		if (n < sizeof(buf)) {
			memcpy(buf, line, n);
			buf[n] = '\0';
			if (sscanf(buf, "%llu %llu %llu", &in, &out, &count) == 3 && in == 0 &&
			    count > 0) {
				if (out == 0 || out > UINT32_MAX - 1)
					return 0; /* the initial namespace, or root's own */
				*owner = (uint32_t)out;
				return 1;
			}
		}
		line += n + 1;
	}
	return 0;
}

/* The text after "NAME:" on its line of a /proc/PID/status text, or NULL; *n its length. */
static const char *status_field(const char *text, size_t len, const char *name, size_t *n)
{
	size_t k = strlen(name);

	for (const char *line = text; line && line < text + len;) {
		const char *nl = memchr(line, '\n', (size_t)(text + len - line));
		const char *stop = nl ? nl : text + len;

		if ((size_t)(stop - line) > k && memcmp(line, name, k) == 0 && line[k] == ':') {
			*n = (size_t)(stop - line - k - 1);
			return line + k + 1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

int rootless_nested(const char *text, size_t len)
{
	size_t n, words = 0;
	const char *v = status_field(text, len, "NSpid", &n);

	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((v[i] != ' ' && v[i] != '\t') &&
		    (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t'))
			words++;
	return words > 1;
}

uint32_t rootless_pidfile(const char *text, size_t len)
{
	unsigned long v = 0;
	size_t i = 0;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0 || len > 7)
		return 0;
	for (; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(text[i] - '0');
	}
	return v > 1 && v <= PID_MAX_LIMIT ? (uint32_t)v : 0;
}

/* A podman container id: 64 lowercase hex digits. */
static int podman_id(const char *s)
{
	size_t n = strlen(s);

	if (n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Whether pid runs conmon (its first argument) for container id (its -c) in uid's user
   namespace: 1 with its -n in name. */
static int conmon_of(const char *root, uint32_t pid, uint32_t uid, const char *id, char *name,
		     size_t size)
{
	char *buf;
	size_t len, k;
	int ok;

	if (!pid || places_owner(root, pid) != uid ||
	    places_proc_read(root, pid, "cmdline", &buf, &len))
		return 0;
	k = strnlen(buf, len);
	ok = k < len && k >= 6 && strcmp(buf + k - 6, "conmon") == 0 &&
	     (k == 6 || buf[k - 7] == '/') &&
	     runtime_state_conmon_name(buf, len, id, name, size) == 0;
	free(buf);
	return ok;
}

/* The parent of pid from root/proc/PID/status, 0. */
static uint32_t parent_of(const char *root, uint32_t pid)
{
	char *buf;
	size_t len, n;
	const char *v;
	uint32_t pp = 0;

	if (places_proc_read(root, pid, "status", &buf, &len))
		return 0;
	v = status_field(buf, len, "PPid", &n);
	if (v)
		pp = (uint32_t)strtoul(v, NULL, 10);
	free(buf);
	return pp;
}

static int in(const uint32_t *lineage, size_t from, size_t n, uint32_t pid)
{
	for (size_t i = from; pid && i < n; i++)
		if (lineage[i] == pid)
			return 1;
	return 0;
}

unsigned long rootless_first_mount(const char *root, uint32_t pid)
{
	char p[4096], buf[64];
	struct stat st;
	ssize_t n;
	int fd;

	if (statefile_path(p, sizeof(p), "%s/proc/%u/mountinfo", root, pid) ||
	    (fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return 0;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof(buf) - 1) : -1;
	close(fd);
	if (n <= 0 || buf[0] < '1' || buf[0] > '9')
		return 0;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10);
}

/* Whether processes a and b are in the same mount namespace (rootless_first_mount). */
static int same_mnt(const char *root, uint32_t a, uint32_t b)
{
	unsigned long m = a && b ? rootless_first_mount(root, a) : 0;

	return m && m == rootless_first_mount(root, b);
}

/* Whether processes a and b are both shown in a mount namespace, and not the same one. */
static int other_mnt(const char *root, uint32_t a, uint32_t b)
{
	unsigned long m = a && b ? rootless_first_mount(root, a) : 0,
		      n = m ? rootless_first_mount(root, b) : 0;

	return m && n && m != n;
}

static void fill(struct container_info *ci, uint32_t uid, const char *id, const char *name)
{
	memset(ci, 0, sizeof(*ci));
	ci->is_container = id != NULL;
	ci->trust = CONTAINER_TRUST_USER;
	ci->owner_uid = uid;
	snprintf(ci->runtime, sizeof(ci->runtime), "podman");
	if (id) {
		snprintf(ci->id, sizeof(ci->id), "%s", id);
		snprintf(ci->name, sizeof(ci->name), "%s", name && name[0] ? name : id);
	}
}

/* What one container directory (dir: .../<driver>-containers/<id>) of uid says. */
struct ctr_state {
	uint32_t conmon, pid;
	char name[CONTAINER_NAME_LEN];
};

/* Reads a container's userdata (its pid files) when it is uid's and conmon runs it: 1. */
static int ctr_read(const char *root, const char *dir, const char *id, uint32_t uid,
		    struct ctr_state *st)
{
	char p[4096];

	if (!podman_id(id) || statefile_path(p, sizeof(p), "%s/%s", dir, id) ||
	    !places_user_dir(p, uid, 0) ||
	    statefile_path(p, sizeof(p), "%s/%s/userdata", dir, id) ||
	    !places_user_dir(p, uid, 0) ||
	    statefile_path(p, sizeof(p), "%s/%s/userdata/conmon.pid", dir, id))
		return 0;
	st->conmon = places_pidfile(p, uid);
	if (!conmon_of(root, st->conmon, uid, id, st->name, sizeof(st->name)))
		return 0;
	if (statefile_path(p, sizeof(p), "%s/%s/userdata/pidfile", dir, id))
		return 0;
	st->pid = places_pidfile(p, uid);
	if (st->pid && parent_of(root, st->pid) != st->conmon)
		st->pid = 0; /* not conmon's child: reused, or not yet the container's */
	return 1;
}

/* What is done with each container of a user: 1 stops the walk. */
typedef int (*ctr_fn)(void *ctx, const char *id, const struct ctr_state *st);

/* Each container of uid's run root base (root-prefixed, trusted: places_add) whose conmon runs. */
static int each_ctr(const char *root, uint32_t uid, const char *base, ctr_fn fn, void *ctx)
{
	char dir[4096];
	DIR *d, *dd;
	struct dirent *e, *c;
	int seen = 0, done = 0;

	if (!places_user_dir(base, uid, 1) || !(d = opendir(base)))
		return 0;
	while (!done && seen < SCAN_MAX && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 12 || strcmp(e->d_name + n - 11, "-containers") ||
		    statefile_path(dir, sizeof(dir), "%s/%s", base, e->d_name) ||
		    !places_user_dir(dir, uid, 0) || !(dd = opendir(dir)))
			continue;
		while (!done && seen < SCAN_MAX && (c = readdir(dd))) {
			struct ctr_state st = {0};

			if (c->d_name[0] == '.')
				continue;
			seen++;
			if (ctr_read(root, dir, c->d_name, uid, &st))
				done = fn(ctx, c->d_name, &st);
		}
		closedir(dd);
	}
	closedir(d);
	return done;
}

/* The process being named. */
struct lookup {
	const char *root;
	const uint32_t *lineage;
	size_t n;
	int nested;
	uint32_t uid;
	struct container_info *ci;
};

static int match(void *ctx, const char *id, const struct ctr_state *st)
{
	struct lookup *l = ctx;

	/* below its conmon in a pid namespace of its own (runc's init before the pid file) or in
	   a mount namespace other than conmon's (runc's init stages before: runc:[1:CHILD] has
	   unshared its mounts, not yet its pids), the container's pid or below it, or in its mount
	   namespace (podman exec) */
	if ((in(l->lineage, 1, l->n, st->conmon) &&
	     (l->nested > 0 || other_mnt(l->root, l->lineage[0], st->conmon))) ||
	    in(l->lineage, 0, l->n, st->pid) || same_mnt(l->root, l->lineage[0], st->pid)) {
		fill(l->ci, l->uid, id, st->name);
		return 1;
	}
	return 0;
}

/* The places from root to run root from, run directory dfrom on: 1 when one names the process
   (l->ci filled). */
static int lookup_in(struct lookup *l, const struct places *pl, size_t from, size_t dfrom)
{
	uint32_t pause;

	for (size_t i = from; i < pl->nroot; i++)
		if (each_ctr(l->root, l->uid, pl->runroot[i], match, l))
			return 1;
	/* podman's own: in the host's pid namespace, in the user namespace of U's pause process */
	for (size_t i = dfrom; l->nested == 0 && i < pl->ndir; i++)
		if ((pause = places_pause(l->root, pl->rundir[i], l->uid)) &&
		    (pause == l->lineage[0] || same_mnt(l->root, pause, l->lineage[0]))) {
			fill(l->ci, l->uid, NULL, NULL);
			return 1;
		}
	return 0;
}

int rootless_lookup(const char *root, const uint32_t *lineage, size_t n, struct container_info *ci)
{
	struct lookup l = {root, lineage, n, -1, 0, ci};
	struct places *pl;
	size_t nroot, ndir;
	char *buf;
	size_t len;
	int found;

	memset(ci, 0, sizeof(*ci));
	if (!root || !lineage || n == 0 || !(l.uid = places_owner(root, lineage[0])))
		return 0;
	if (places_proc_read(root, lineage[0], "status", &buf, &len) == 0) {
		l.nested = rootless_nested(buf, len);
		free(buf);
	}
	if (!(pl = calloc(1, sizeof(*pl))))
		return 0;
	/* the default places, and those the conmons among the process and its parents name */
	places_defaults(root, l.uid, pl);
	for (size_t i = 0; i < n; i++)
		places_conmon(root, lineage[i], l.uid, pl);
	found = lookup_in(&l, pl, 0, 0);
	if (!found) {
		/* those every conmon of the user's names (podman itself, before its conmon) */
		nroot = pl->nroot;
		ndir = pl->ndir;
		places_scan(root, l.uid, pl);
		if (pl->nroot > nroot || pl->ndir > ndir)
			found = lookup_in(&l, pl, nroot, ndir);
	}
	/* podman's own while no place names its pause process (no conmon of the user's runs, its
	   run directory elsewhere): podman among the process and its parents, in the host's pid
	   namespace and the process's user and mount namespaces (as a pause process would be) */
	for (size_t i = 0; !found && l.nested == 0 && i < n; i++)
		if (places_podman(root, lineage[i], l.uid) &&
		    (i == 0 || same_mnt(root, lineage[i], lineage[0]))) {
			fill(ci, l.uid, NULL, NULL);
			found = 1;
		}
	free(pl);
	return found;
}

/* The inode of root/proc/PID/ns/mnt, 0 when it cannot be read. */
static uint32_t pid_mntns(const char *root, uint32_t pid)
{
	char p[4096];
	struct stat st;

	if (statefile_path(p, sizeof(p), "%s/proc/%u/ns/mnt", root, pid) || stat(p, &st))
		return 0;
	return (uint32_t)st.st_ino;
}

struct running {
	const char *root;
	uint32_t uid;
	struct nsowner_found *out;
	size_t n, max;
};

/* Whether out already holds what ci names in mount namespace ns (one run root reached twice). */
static int have(const struct running *r, uint32_t ns, const struct container_info *ci)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->out[i].mntns == ns && strcmp(r->out[i].ci.id, ci->id) == 0)
			return 1;
	return 0;
}

static int add_running(void *ctx, const char *id, const struct ctr_state *st)
{
	struct running *r = ctx;
	uint32_t ns;

	if (st->pid && (ns = pid_mntns(r->root, st->pid))) {
		fill(&r->out[r->n].ci, r->uid, id, st->name);
		if (!have(r, ns, &r->out[r->n].ci))
			r->out[r->n++].mntns = ns;
	}
	return r->n == r->max;
}

size_t rootless_running(const char *root, struct nsowner_found *out, size_t max)
{
	struct running r = {root ? root : "", 0, out, 0, max};
	uint32_t users[USERS_MAX], pids[CONMONS_MAX], owners[CONMONS_MAX];
	size_t nusers = 0, nconmon;
	struct places *pl;

	if (!out || max == 0 || !(pl = malloc(sizeof(*pl))))
		return 0;
	/* the users with a run directory in the default places, and those a conmon runs for */
	nusers = places_users(r.root, "/run/user", "", users, nusers, USERS_MAX);
	nusers = places_users(r.root, "/tmp", "podman-run-", users, nusers, USERS_MAX);
	nconmon = places_conmons(r.root, 0, pids, owners, CONMONS_MAX);
	for (size_t i = 0; i < nconmon && nusers < USERS_MAX; i++)
		users[nusers++] = owners[i];
	for (size_t u = 0; u < nusers && r.n < max; u++) {
		int dup = 0;

		for (size_t v = 0; v < u; v++)
			dup |= users[v] == users[u];
		if (dup)
			continue;
		r.uid = users[u];
		memset(pl, 0, sizeof(*pl));
		places_defaults(r.root, r.uid, pl);
		for (size_t i = 0; i < nconmon; i++)
			if (owners[i] == r.uid)
				places_conmon(r.root, pids[i], r.uid, pl);
		for (size_t i = 0; i < pl->ndir && r.n < max; i++) {
			uint32_t pause = places_pause(r.root, pl->rundir[i], r.uid), ns;

			if (pause && (ns = pid_mntns(r.root, pause))) {
				fill(&out[r.n].ci, r.uid, NULL, NULL);
				if (!have(&r, ns, &out[r.n].ci))
					out[r.n++].mntns = ns;
			}
		}
		for (size_t i = 0; i < pl->nroot && r.n < max; i++)
			each_ctr(r.root, r.uid, pl->runroot[i], add_running, &r);
	}
	free(pl);
	return r.n;
}

/* Whether conmon pid is a container's own (not a podman exec session's) that found does not name.
 */
static int unnamed(const char *root, uint32_t pid, uint32_t uid, const struct nsowner_found *found,
		   size_t n)
{
	struct conmon_args a;
	char *buf;
	size_t len;
	int missing;

	if (!places_owner(root, pid) || places_proc_read(root, pid, "cmdline", &buf, &len))
		return 0;
	missing = conmon_args_parse(buf, len, &a) == 0 && !a.exec;
	for (size_t i = 0; missing && i < n; i++)
		missing = !(found[i].ci.is_container && found[i].ci.owner_uid == uid &&
			    strcmp(found[i].ci.id, a.cid) == 0);
	free(buf);
	return missing;
}

size_t rootless_unnamed(const char *root, const struct nsowner_found *found, size_t n,
			uint32_t *uids, size_t max)
{
	uint32_t pids[CONMONS_MAX], owners[CONMONS_MAX];
	size_t k = 0, m;

	if (!root)
		root = "";
	m = places_conmons(root, 0, pids, owners, CONMONS_MAX);
	for (size_t i = 0; i < m; i++)
		if (unnamed(root, pids[i], owners[i], found, n)) {
			if (k < max && uids)
				uids[k] = owners[i];
			k++;
		}
	return k;
}
