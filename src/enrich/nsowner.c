/* Containers with no cgroup of their own, named through their processes' parents and the runtime's
 * state. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "enrich/json_read.h"
#include "enrich/k8s.h"
#include "enrich/nsowner.h"
#include "enrich/rootless.h"
#include "enrich/runtime_state.h"
#include "enrich/statefile.h"

#define PID_MAX_LIMIT 4194304 /* the kernel's bound on a pid */

/* A pid from a state's JSON, 0 when it is not one. */
static uint32_t state_pid(const json_t *v)
{
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;

	return n > 1 && n <= PID_MAX_LIMIT ? (uint32_t)n : 0;
}

/* The parent of pid from root/proc/PID/stat (after the command's closing parenthesis) into *pp
   (0 when it tells none): 0, or -ESRCH when the process is gone or its stat unreadable. */
static int parent_of(const char *root, uint32_t pid, uint32_t *pp)
{
	char p[4096], *buf, *rp;
	size_t len;
	unsigned long v = 0;
	char state;

	*pp = 0;
	if (snprintf(p, sizeof(p), "%s/proc/%u/stat", root, pid) >= (int)sizeof(p) ||
	    statefile_read(p, 4096, &buf, &len))
		return -ESRCH;
	rp = strrchr(buf, ')');
	if (rp && sscanf(rp + 1, " %c %lu", &state, &v) == 2 && v <= PID_MAX_LIMIT)
		*pp = (uint32_t)v;
	free(buf);
	return 0;
}

/* Whether root/proc/PID/cmdline's first argument is want. */
static int runs(const char *root, uint32_t pid, const char *want)
{
	char p[4096], *buf;
	size_t len;
	int ok;

	if (snprintf(p, sizeof(p), "%s/proc/%u/cmdline", root, pid) >= (int)sizeof(p) ||
	    statefile_read(p, 4096, &buf, &len))
		return 0;
	ok = len > strlen(want) && strcmp(buf, want) == 0;
	free(buf);
	return ok;
}

/* An id a runtime could have given: not empty, printable, no slash, and fits. */
static int plain_id(const char *id, size_t size)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n >= size)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] <= ' ' || id[i] == '/' || (unsigned char)id[i] >= 0x7f)
			return 0;
	return 1;
}

/* A directory only root may change: where a state that names a container is trusted. */
static int root_only_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* The process: it and its parents (up to NSOWNER_DEPTH of them), and its /proc/PID/cgroup. */
struct lineage {
	uint32_t pid[NSOWNER_DEPTH];
	size_t n;
	char *cgroups; /* NULL when unreadable */
	size_t cgroups_len;
};

/* The text of root/proc/PID/cgroup into *buf (free it), 0 or -errno. */
static int read_cgroups(const char *root, uint32_t pid, char **buf, size_t *len)
{
	char p[4096];

	if (snprintf(p, sizeof(p), "%s/proc/%u/cgroup", root, pid) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	return statefile_read(p, 1 << 16, buf, len);
}

/* Whether a v1 line ("ID:CONTROLLERS:PATH", ID not 0) of a /proc/PID/cgroup text is path. */
static int in_v1(const char *text, size_t len, const char *path)
{
	const char *line = text, *end = text + len;

	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *stop = nl ? nl : end, *c1 = memchr(line, ':', (size_t)(stop - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(stop - c1 - 1)) : NULL;

		if (c2 && !(c1 - line == 1 && line[0] == '0') &&
		    (size_t)(stop - c2 - 1) == strlen(path) && !memcmp(c2 + 1, path, strlen(path)))
			return 1;
		line = stop + 1;
	}
	return 0;
}

/*
 * Whether the process is in the sandbox's v1 cgroup (runsc joins only the v1 hierarchies of a
 * hybrid host, and its stubs' parents do not last): the sandbox process, which runs runsc's
 * sandbox, is in it too. Only root moves processes between v1 cgroups.
 */
static int in_sandbox_cgroup(const char *root, const struct lineage *l, uint32_t sandbox_pid,
			     const char *cg)
{
	char *buf;
	size_t len;
	int in;

	if (!l->cgroups || !cg || cg[0] != '/' || !cg[1] ||
	    !in_v1(l->cgroups, l->cgroups_len, cg) || read_cgroups(root, sandbox_pid, &buf, &len))
		return 0;
	in = in_v1(buf, len, cg);
	free(buf);
	return in;
}

static int in_lineage(const struct lineage *l, uint32_t pid)
{
	for (size_t i = 0; pid && i < l->n; i++)
		if (l->pid[i] == pid)
			return 1;
	return 0;
}

/* A runsc container (id: its own, or its sandbox's) from its state v. */
static void runsc_fill(const json_t *v, const char *id, struct container_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->is_container = true;
	ci->trust = CONTAINER_TRUST_SYSTEM;
	snprintf(ci->runtime, sizeof(ci->runtime), "runsc");
	snprintf(ci->id, sizeof(ci->id), "%s", id);
	snprintf(ci->name, sizeof(ci->name), "%s", id);
	snprintf(ci->sandbox, sizeof(ci->sandbox), "gvisor");
	k8s_from_annotations(json_object_get(json_object_get(v, "spec"), "annotations"), ci);
}

/* What a runsc state file says of its container, sandbox and gofer (v to json_decref). */
struct runsc_fields {
	json_t *v;
	const char *id, *sid;
	uint32_t sandbox_pid, gofer_pid;
};

/* Reads one runsc state file into f: 0, or -1 when it cannot be read or parsed. */
static int runsc_read(const char *path, struct runsc_fields *f)
{
	if (json_read_file(path, RUNTIME_STATE_MAX, &f->v))
		return -1;
	f->id = json_read_str(f->v, "id", NULL);
	f->sid = json_read_str(f->v, "sandbox", "id", NULL);
	f->sandbox_pid = state_pid(json_object_get(json_object_get(f->v, "sandbox"), "pid"));
	f->gofer_pid = state_pid(json_object_get(f->v, "goferPid"));
	return 0;
}

/*
 * One runsc state (the JSON of path): 1 when the process is its sandbox's (the sandbox or a stub
 * below it) or its gofer, with the container in ci. The sandbox's processes are named with the
 * sandbox's id (a pod's sandbox runs every container of it), the gofer with its container's.
 */
static int runsc_state(const char *root, const char *path, const struct lineage *l,
		       struct container_info *ci)
{
	struct runsc_fields f;
	const char *id;
	int found = 0;

	if (runsc_read(path, &f))
		return 0;
	id = f.id;
	if (!plain_id(id, sizeof(ci->id)))
		goto out;
	if (f.sandbox_pid && plain_id(f.sid, sizeof(ci->id)) &&
	    (in_lineage(l, f.sandbox_pid) ||
	     in_sandbox_cgroup(
		     root, l, f.sandbox_pid,
		     json_read_str(f.v, "sandbox", "cgroup", "cgroupv1", "name", NULL))) &&
	    runs(root, f.sandbox_pid, "runsc-sandbox"))
		found = 1, id = f.sid;
	else if (f.gofer_pid && f.gofer_pid == l->pid[0] && runs(root, f.gofer_pid, "runsc-gofer"))
		found = 1;
	if (found)
		runsc_fill(f.v, id, ci);
out:
	json_decref(f.v);
	return found;
}

/* The state files of one runsc root (dir under root): 1 when one owns the process. */
static int runsc_dir(const char *root, const char *dir, const struct lineage *l,
		     struct container_info *ci)
{
	char p[4096];
	DIR *d;
	struct dirent *e;
	int found = 0, seen = 0;

	if (snprintf(p, sizeof(p), "%s%s", root, dir) >= (int)sizeof(p) || !root_only_dir(p))
		return 0;
	d = opendir(p);
	if (!d)
		return 0;
	while (!found && seen < NSOWNER_SCAN_MAX && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 7 || strcmp(e->d_name + n - 6, ".state") || !strstr(e->d_name, "_sandbox:"))
			continue;
		seen++;
		if (snprintf(p, sizeof(p), "%s%s/%s", root, dir, e->d_name) >= (int)sizeof(p))
			continue;
		found = runsc_state(root, p, l, ci);
	}
	closedir(d);
	return found;
}

int nsowner_lookup(const char *root, const struct engine_dirs *d, uint32_t pid,
		   struct container_info *ci)
{
	struct lineage l = {.n = 0};
	int found = 0, broken = 0;

	if (!d || !ci || pid <= 1 || pid > PID_MAX_LIMIT)
		return 0;
	if (!root)
		root = "";
	if (read_cgroups(root, pid, &l.cgroups, &l.cgroups_len))
		return -ESRCH; /* gone (or unreadable): another of its namespace's may tell */
	/* up to, not including, PID 1 (the host's init) */
	while (pid > 1 && l.n < NSOWNER_DEPTH && !broken) {
		l.pid[l.n++] = pid;
		broken = parent_of(root, pid, &pid);
	}
	for (size_t i = 0; !found && i < d->n[ENGINE_RUNSC]; i++)
		found = runsc_dir(root, d->dir[ENGINE_RUNSC][i], &l, ci);
	if (!found)
		found = rootless_lookup(root, l.pid, l.n, ci);
	free(l.cgroups);
	/* Nothing found is an answer for the whole mount namespace only when the process was
	   there all along: not when it ended under the lookup (gone, a zombie, or exiting: its
	   mount namespace no longer shown, so its files told nothing), nor when one of its
	   parents did (its lineage was cut); another of its namespace's processes may tell. */
	if (found == 0 && !rootless_first_mount(root, l.pid[0]))
		return -ESRCH;
	if (found == 0 && broken)
		return -EAGAIN;
	return found;
}

/* The inode of root/proc/PID/ns/mnt, 0 when it cannot be read. */
static uint32_t pid_mntns(const char *root, uint32_t pid)
{
	char p[4096];
	struct stat st;

	if (snprintf(p, sizeof(p), "%s/proc/%u/ns/mnt", root, pid) >= (int)sizeof(p) ||
	    stat(p, &st))
		return 0;
	return (uint32_t)st.st_ino;
}

/* One state's running sandbox and gofer into out (room for 2): how many. */
static size_t runsc_running(const char *root, const char *path, uint32_t host_mntns,
			    struct nsowner_found *out)
{
	struct runsc_fields f;
	uint32_t ns;
	size_t n = 0;

	if (runsc_read(path, &f))
		return 0;
	if (plain_id(f.id, sizeof(out->ci.id)) && plain_id(f.sid, sizeof(out->ci.id)) &&
	    f.sandbox_pid && runs(root, f.sandbox_pid, "runsc-sandbox") &&
	    (ns = pid_mntns(root, f.sandbox_pid)) && ns != host_mntns) {
		out[n].mntns = ns;
		runsc_fill(f.v, f.sid, &out[n++].ci);
	}
	if (plain_id(f.id, sizeof(out->ci.id)) && f.gofer_pid &&
	    runs(root, f.gofer_pid, "runsc-gofer") && (ns = pid_mntns(root, f.gofer_pid)) &&
	    ns != host_mntns) {
		out[n].mntns = ns;
		runsc_fill(f.v, f.id, &out[n++].ci);
	}
	json_decref(f.v);
	return n;
}

size_t nsowner_running(const char *root, const struct engine_dirs *d, struct nsowner_found *out,
		       size_t max)
{
	char p[4096];
	size_t n = 0;
	uint32_t host_mntns;

	if (!d || !out)
		return 0;
	if (!root)
		root = "";
	host_mntns = pid_mntns(root, 1);
	for (size_t i = 0; i < d->n[ENGINE_RUNSC]; i++) {
		const char *dir = d->dir[ENGINE_RUNSC][i];
		struct dirent *e;
		DIR *dd;
		int seen = 0;

		if (snprintf(p, sizeof(p), "%s%s", root, dir) >= (int)sizeof(p) ||
		    !root_only_dir(p) || !(dd = opendir(p)))
			continue;
		while (n + 2 <= max && seen < NSOWNER_SCAN_MAX && (e = readdir(dd))) {
			size_t len = strlen(e->d_name);

			if (len < 7 || strcmp(e->d_name + len - 6, ".state") ||
			    !strstr(e->d_name, "_sandbox:"))
				continue;
			seen++;
			if (snprintf(p, sizeof(p), "%s%s/%s", root, dir, e->d_name) <
			    (int)sizeof(p))
				n += runsc_running(root, p, host_mntns, out + n);
		}
		closedir(dd);
	}
	return n + rootless_running(root, out + n, max - n);
}

/* One runsc root's state of container id (dir under root): 1 with ci filled, else 0. */
static int runsc_by_id_dir(const char *root, const char *dir, const char *id,
			   struct container_info *ci, char *hostname, size_t hsize)
{
	char p[4096];
	size_t idlen = strlen(id);
	struct dirent *e;
	DIR *d;
	int found = 0, seen = 0;

	if (snprintf(p, sizeof(p), "%s%s", root, dir) >= (int)sizeof(p) || !root_only_dir(p) ||
	    !(d = opendir(p)))
		return 0;
	while (!found && seen < NSOWNER_SCAN_MAX && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct runsc_fields f;

		/* "<id>_sandbox:<sandbox id>.state" */
		if (n < 7 || strcmp(e->d_name + n - 6, ".state") || !strstr(e->d_name, "_sandbox:"))
			continue;
		seen++;
		if (strncmp(e->d_name, id, idlen) || strncmp(e->d_name + idlen, "_sandbox:", 9) ||
		    snprintf(p, sizeof(p), "%s%s/%s", root, dir, e->d_name) >= (int)sizeof(p) ||
		    runsc_read(p, &f))
			continue;
		if (f.id && strcmp(f.id, id) == 0) {
			const char *h = json_read_str(f.v, "spec", "hostname", NULL);

			runsc_fill(f.v, id, ci);
			if (hsize)
				snprintf(hostname, hsize, "%s", h && strlen(h) < hsize ? h : "");
			found = 1;
		}
		json_decref(f.v);
	}
	closedir(d);
	return found;
}

int nsowner_runsc_by_id(const char *root, const struct engine_dirs *d, const char *id,
			struct container_info *ci, char *hostname, size_t hsize)
{
	if (!d || !ci || !id || !plain_id(id, sizeof(ci->id)))
		return 0;
	for (size_t i = 0; i < d->n[ENGINE_RUNSC]; i++)
		if (runsc_by_id_dir(root ? root : "", d->dir[ENGINE_RUNSC][i], id, ci, hostname,
				    hsize))
			return 1;
	return 0;
}
