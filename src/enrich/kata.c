/* Kata Containers: a containerd task run by Kata's shim, from the shim's and the sandbox's state.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "enrich/json_read.h"
#include "enrich/kata.h"
#include "enrich/statefile.h"

#define SHIM_PATH_MAX 4096
#define PERSIST_MAX   (4 << 20) /* a sandbox's persist.json: devices, network, config */
#define SCAN_MAX      256	/* tasks looked at per namespace by kata_seen */

/* Whether s (n bytes) is "PREFIX" or "PREFIX-NAME" followed by suffix, NAME a plain word. */
static bool named(const char *s, size_t n, const char *prefix, const char *suffix)
{
	size_t p = strlen(prefix), q = strlen(suffix);

	if (n < p + q || memcmp(s, prefix, p) || memcmp(s + n - q, suffix, q))
		return false;
	if (n == p + q)
		return true;
	if (s[p] != '-' || n == p + q + 1)
		return false;
	for (size_t i = p + 1; i < n - q; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool kata_shim_name(const char *text, size_t len)
{
	const char *base;

	if (!text)
		return false;
	while (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0 || memchr(text, '\0', len) || memchr(text, '\n', len))
		return false;
	base = text + len;
	while (base > text && base[-1] != '/')
		base--;
	len -= (size_t)(base - text);
	return named(base, len, "containerd-shim-kata", "-v2") ||
	       (base == text && named(base, len, "io.containerd.kata", ".v2"));
}

/* A directory (not a symlink to one) at path. */
static bool is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether the sandbox sid has Kata's state under root. */
static bool sandbox_state(const char *root, const char *sid)
{
	char p[4096];
	json_t *v;
	bool ok = false;

	if (!statefile_path(p, sizeof(p), "%s/run/vc/sbs/%s/persist.json", root, sid) &&
	    json_read_file(p, PERSIST_MAX, &v) == 0) {
		const char *c = json_read_str(v, "SandboxContainer", NULL);

		ok = c && strcmp(c, sid) == 0;
		json_decref(v);
		if (ok)
			return true;
	}
	return (!statefile_path(p, sizeof(p), "%s/run/kata/%s", root, sid) && is_dir(p)) ||
	       (!statefile_path(p, sizeof(p), "%s/run/kata-containers/shared/sandboxes/%s", root,
				sid) &&
		is_dir(p));
}

/* Whether the task's shim-binary-path names Kata's shim. */
static bool kata_shim(const char *taskdir)
{
	char p[4096], *text;
	size_t len;
	bool ok;

	if (statefile_path(p, sizeof(p), "%s/shim-binary-path", taskdir) ||
	    statefile_read(p, SHIM_PATH_MAX, &text, &len))
		return false;
	ok = kata_shim_name(text, len);
	free(text);
	return ok;
}

/* An id of a sandbox: not empty, no slash, no dot first, printable, short. */
static bool plain_sid(const char *sid)
{
	size_t n = sid ? strlen(sid) : 0;

	if (n == 0 || n > 128 || sid[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)sid[i] <= ' ' || sid[i] == '/' || (unsigned char)sid[i] >= 0x7f)
			return false;
	return true;
}

int kata_task(const char *root, const char *taskdir, const char *sid)
{
	if (!root || !taskdir || !plain_sid(sid))
		return 0;
	return kata_shim(taskdir) && sandbox_state(root, sid);
}

/* Whether a namespace directory of containerd's tasks holds one run by Kata's shim. */
static bool ns_has_kata(const char *nsdir)
{
	char p[4096];
	struct dirent *e;
	DIR *d = opendir(nsdir);
	bool found = false;
	int seen = 0;

	if (!d)
		return false;
	while (!found && seen < SCAN_MAX && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		seen++;
		found = !statefile_path(p, sizeof(p), "%s/%s", nsdir, e->d_name) && kata_shim(p);
	}
	closedir(d);
	return found;
}

bool kata_seen(const char *root, const struct engine_dirs *d)
{
	char p[4096];
	bool found = false;

	if (!root)
		root = "";
	if ((!statefile_path(p, sizeof(p), "%s/run/vc/sbs", root) && is_dir(p)) ||
	    (!statefile_path(p, sizeof(p), "%s/run/kata", root) && is_dir(p)))
		return true;
	for (size_t i = 0; d && !found && i < d->n[ENGINE_CONTAINERD]; i++) {
		struct dirent *e;
		DIR *dir;

		if (statefile_path(p, sizeof(p), "%s%s/io.containerd.runtime.v2.task", root,
				   d->dir[ENGINE_CONTAINERD][i]) ||
		    !(dir = opendir(p)))
			continue;
		while (!found && (e = readdir(dir))) {
			char ns[4096];

			if (e->d_name[0] != '.' &&
			    !statefile_path(ns, sizeof(ns), "%s/%s", p, e->d_name))
				found = ns_has_kata(ns);
		}
		closedir(dir);
	}
	return found;
}
