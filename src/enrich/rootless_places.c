/* Where a user's rootless podman keeps its state, each place trusted only while it is the user's
 * own: every directory the user's, none a symlink nor below one, the run root and run directory
 * writable by the user alone. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "enrich/conmon_args.h"
#include "enrich/rootless.h"
#include "enrich/rootless_places.h"
#include "enrich/statefile.h"

#define PID_MAX_LIMIT 4194304 /* the kernel's bound on a pid */
#define PIDFILE_MAX   32      /* bytes of a pid file */
#define PROCS_MAX     65536   /* /proc (or directory) entries looked at in one pass */

/* root/proc/PID/FILE into *buf (free it): 0 or -errno. */
int places_proc_read(const char *root, uint32_t pid, const char *file, char **buf, size_t *len)
{
	char p[4096];

	if (statefile_path(p, sizeof(p), "%s/proc/%u/%s", root, pid, file))
		return -ENAMETOOLONG;
	return statefile_read(p, 1 << 16, buf, len);
}

/* The owner of pid's user namespace (rootless_map_owner), 0 when none. */
uint32_t places_owner(const char *root, uint32_t pid)
{
	char *buf;
	size_t len;
	uint32_t owner = 0;

	if (places_proc_read(root, pid, "uid_map", &buf, &len))
		return 0;
	if (!rootless_map_owner(buf, len, &owner))
		owner = 0;
	free(buf);
	return owner;
}

/* A directory of uid's that is no symlink (and, strict, writable by uid alone). */
int places_user_dir(const char *path, uint32_t uid, int strict)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid &&
	       (!strict || !(st.st_mode & (S_IWGRP | S_IWOTH)));
}

/* The pid in uid's pid file at path, 0 when none can be trusted. */
uint32_t places_pidfile(const char *path, uint32_t uid)
{
	char *buf;
	size_t len;
	uint32_t pid;

	if (statefile_read_owned(path, PIDFILE_MAX, uid, &buf, &len))
		return 0;
	pid = rootless_pidfile(buf, len);
	free(buf);
	return pid;
}

/* Whether no component of root/rel (rel absolute, clean) is a symlink (root is the caller's). */
static int no_symlink(const char *root, const char *rel)
{
	char p[PLACE_LEN];
	size_t r = strlen(root), n;
	struct stat st;

	if (statefile_path(p, sizeof(p), "%s%s", root, rel))
		return 0;
	n = strlen(p);
	for (size_t i = r + 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (lstat(p, &st) || S_ISLNK(st.st_mode))
			return 0;
		if (i < n)
			p[i] = '/';
	}
	return 1;
}

/* Adds dir (n bytes of a clean absolute path; tail appended) to list when it is uid's, not a
   symlink nor below one, writable by uid alone, and not there yet. */
static void places_add(const char *root, char (*list)[PLACE_LEN], size_t *count, const char *dir,
		       size_t n, const char *tail, uint32_t uid)
{
	char rel[PLACE_LEN], p[PLACE_LEN];

	if (*count == PLACES_MAX || n + strlen(tail) >= sizeof(rel))
		return;
	memcpy(rel, dir, n);
	snprintf(rel + n, sizeof(rel) - n, "%s", tail);
	if (statefile_path(p, sizeof(p), "%s%s", root, rel))
		return;
	for (size_t i = 0; i < *count; i++)
		if (strcmp(list[i], p) == 0)
			return;
	if (!places_user_dir(p, uid, 1) || !no_symlink(root, rel))
		return;
	memcpy(list[(*count)++], p, strlen(p) + 1);
}

/* The known default places of uid's podman: $XDG_RUNTIME_DIR's usual /run/user/UID, and
   /tmp/podman-run-UID where podman goes when XDG_RUNTIME_DIR is unset and /run/user/UID is not
   the user's. Each run directory must be uid's (and writable by it alone) too. */
void places_defaults(const char *root, uint32_t uid, struct places *pl)
{
	static const char *const dirs[] = {"/run/user/%u", "/tmp/podman-run-%u"};
	char d[64], p[PLACE_LEN];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(d, sizeof(d), dirs[i], uid);
		if (statefile_path(p, sizeof(p), "%s%s", root, d) || !places_user_dir(p, uid, 1))
			continue;
		places_add(root, pl->rundir, &pl->ndir, d, strlen(d), "", uid);
		places_add(root, pl->runroot, &pl->nroot, d, strlen(d), "/containers", uid);
	}
}

/* The places conmon pid (of a container of uid's) names: its --conmon-pidfile's run root, its
   --exit-dir's run directory; wherever XDG_RUNTIME_DIR, --runroot or storage.conf put them. */
void places_conmon(const char *root, uint32_t pid, uint32_t uid, struct places *pl)
{
	struct conmon_args a;
	char *buf;
	size_t len, n;

	if (!pid || places_owner(root, pid) != uid ||
	    places_proc_read(root, pid, "cmdline", &buf, &len))
		return;
	if (conmon_args_parse(buf, len, &a) == 0) {
		if (a.conmon_pidfile && (n = conmon_runroot(a.conmon_pidfile, a.cid)))
			places_add(root, pl->runroot, &pl->nroot, a.conmon_pidfile, n, "", uid);
		if (a.exit_dir && (n = conmon_rundir(a.exit_dir)))
			places_add(root, pl->rundir, &pl->ndir, a.exit_dir, n, "", uid);
	}
	free(buf);
}

/* The conmon processes running now (root/proc), of uid (0: of any user but root): up to max of
   their pids into pids, their users into uids; how many. */
size_t places_conmons(const char *root, uint32_t uid, uint32_t *pids, uint32_t *uids, size_t max)
{
	char p[4096];
	struct dirent *e;
	size_t n = 0;
	int seen = 0;
	DIR *d;

	if (statefile_path(p, sizeof(p), "%s/proc", root) || !(d = opendir(p)))
		return 0;
	while (n < max && seen++ < PROCS_MAX && (e = readdir(d))) {
		char *end, *buf;
		unsigned long pid = strtoul(e->d_name, &end, 10);
		struct stat st;
		size_t len, k;
		int ok;

		if (e->d_name[0] < '1' || e->d_name[0] > '9' || *end || pid > PID_MAX_LIMIT ||
		    statefile_path(p, sizeof(p), "%s/proc/%lu", root, pid) || stat(p, &st) ||
		    st.st_uid == 0 || (uid && st.st_uid != uid) ||
		    places_proc_read(root, (uint32_t)pid, "cmdline", &buf, &len))
			continue;
		k = strnlen(buf, len);
		ok = k >= 6 && strcmp(buf + k - 6, "conmon") == 0 && (k == 6 || buf[k - 7] == '/');
		free(buf);
		if (!ok)
			continue;
		pids[n] = (uint32_t)pid;
		uids[n++] = (uint32_t)st.st_uid;
	}
	closedir(d);
	return n;
}

/* The places of every conmon of uid running now. */
void places_scan(const char *root, uint32_t uid, struct places *pl)
{
	uint32_t pids[CONMONS_MAX], uids[CONMONS_MAX];
	size_t n = places_conmons(root, uid, pids, uids, CONMONS_MAX);

	for (size_t i = 0; i < n; i++)
		places_conmon(root, pids[i], uid, pl);
}

/* U's pause process (podman's user namespace kept alive) as run directory dir (root-prefixed,
   trusted: places_add) names it, 0 when it does not run. */
uint32_t places_pause(const char *root, const char *dir, uint32_t uid)
{
	char p[4096];
	uint32_t pid;

	if (statefile_path(p, sizeof(p), "%s/libpod", dir) || !places_user_dir(p, uid, 0) ||
	    statefile_path(p, sizeof(p), "%s/libpod/tmp", dir) || !places_user_dir(p, uid, 0) ||
	    statefile_path(p, sizeof(p), "%s/libpod/tmp/pause.pid", dir))
		return 0;
	pid = places_pidfile(p, uid);
	return pid && places_podman(root, pid, uid) ? pid : 0;
}

int places_podman(const char *root, uint32_t pid, uint32_t uid)
{
	char *buf;
	size_t len;
	int ok;

	if (!pid || places_owner(root, pid) != uid ||
	    places_proc_read(root, pid, "cmdline", &buf, &len))
		return 0;
	ok = len >= 6 && (strcmp(buf, "podman") == 0 ||
			  (strlen(buf) > 7 && strcmp(buf + strlen(buf) - 7, "/podman") == 0));
	free(buf);
	return ok;
}

/* The users of dir's entries PREFIX<uid> (root-prefixed) into uids (n of them, up to max). */
size_t places_users(const char *root, const char *dir, const char *prefix, uint32_t *uids, size_t n,
		    size_t max)
{
	char p[4096];
	struct dirent *e;
	size_t k = strlen(prefix);
	int seen = 0;
	DIR *d;

	if (statefile_path(p, sizeof(p), "%s%s", root, dir) || !(d = opendir(p)))
		return n;
	while (n < max && seen++ < PROCS_MAX && (e = readdir(d))) {
		char *end;
		unsigned long uid;

		if (strncmp(e->d_name, prefix, k) || e->d_name[k] < '1' || e->d_name[k] > '9')
			continue;
		uid = strtoul(e->d_name + k, &end, 10);
		if (!*end && uid <= UINT32_MAX - 1)
			uids[n++] = (uint32_t)uid;
	}
	closedir(d);
	return n;
}
