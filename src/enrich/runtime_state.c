/* Reading container runtimes' state on disk, bounded and without running any runtime command. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enrich/json_read.h"
#include "enrich/runtime_state.h"
#include "enrich/statefile.h"

/* A name found in a runtime's file into name: -ENOENT when there is none (or it is ""). */
static int copy_name(const char *found, char *name, size_t size)
{
	if (!found || !*found)
		return -ENOENT;
	if (strlen(found) >= size)
		return -ENAMETOOLONG;
	strcpy(name, found);
	return 0;
}

/* A state file that cannot be parsed (or is not a file) tells no name: -ENOENT like none. */
static int read_state_json(const char *path, json_t **v)
{
	int err = json_read_file(path, RUNTIME_STATE_MAX, v);

	return err == -EINVAL || err == -ENOTDIR ? -ENOENT : err;
}

int runtime_state_docker_name(const json_t *config, char *name, size_t size)
{
	const char *found = json_read_str(config, "Name", NULL);

	if (found && *found == '/') /* docker keeps "/NAME" */
		found++;
	return copy_name(found, name, size);
}

/* The value of option args[*k] when it is sh or lg ("-n VALUE", "--name VALUE", "--name=VALUE"),
 * *k moved past a separate value; NULL when it is another option or has no value. */
static const char *conmon_opt(const char *const *args, size_t nargs, size_t *k, const char *sh,
			      const char *lg)
{
	const char *a = args[*k];
	size_t n = strlen(lg);

	if (strcmp(a, sh) == 0 || strcmp(a, lg) == 0)
		return *k + 1 < nargs ? args[++*k] : NULL;
	if (strncmp(a, lg, n) == 0 && a[n] == '=')
		return a + n + 1;
	return NULL;
}

int runtime_state_conmon_name(const char *cmdline, size_t len, const char *id, char *name,
			      size_t size)
{
	const char *args[512];
	size_t nargs = 0, i = 0;
	const char *cid = NULL, *nm = NULL;

	while (i < len && nargs < sizeof(args) / sizeof(args[0])) {
		const char *a = cmdline + i;
		const char *z = memchr(a, '\0', len - i);

		if (!z)
			break; /* an unterminated last argument is ignored */
		args[nargs++] = a;
		i = (size_t)(z - cmdline) + 1;
	}
	for (size_t k = 0; k < nargs; k++) {
		const char *v;

		if (strcmp(args[k], "--exit-command") == 0)
			break; /* what follows is podman's own command line */
		if ((v = conmon_opt(args, nargs, &k, "-n", "--name"))) {
			if (!nm)
				nm = v;
		} else if ((v = conmon_opt(args, nargs, &k, "-c", "--cid"))) {
			if (!cid)
				cid = v;
		}
	}
	if (!cid || strcmp(cid, id) != 0)
		return -ENOENT;
	return copy_name(nm, name, size);
}

/* What to look for in each of a store's <driver>-containers directories (dir is its path). */
typedef int (*store_fn)(const char *root, const char *dir, const char *id, char *name, size_t size);

/* Try fn on every <base>/<driver>-containers directory until one answers other than -ENOENT. */
static int each_store(const char *root, const char *base, store_fn fn, const char *id, char *name,
		      size_t size)
{
	char dir[4096], sub[4096];
	struct dirent *de;
	int err = -ENOENT;
	DIR *d;

	if (statefile_path(dir, sizeof(dir), "%s%s", root ? root : "", base))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while (err == -ENOENT && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 11 || strcmp(de->d_name + n - 11, "-containers") != 0)
			continue;
		if (statefile_path(sub, sizeof(sub), "%s/%s", dir, de->d_name))
			continue;
		err = fn(root, sub, id, name, size);
	}
	closedir(d);
	return err;
}

/* Through <dir>/<id>/userdata/conmon.pid to conmon's command line. */
static int conmon_name(const char *root, const char *dir, const char *id, char *name, size_t size)
{
	char p[4096], *txt, *end;
	size_t len;
	long pid;
	int err;

	if (statefile_path(p, sizeof(p), "%s/%s/userdata/conmon.pid", dir, id) ||
	    statefile_read(p, 64, &txt, &len))
		return -ENOENT;
	pid = strtol(txt, &end, 10);
	free(txt);
	if (pid <= 0 || pid > 1 << 22)
		return -ENOENT;
	if (statefile_path(p, sizeof(p), "%s/proc/%ld/cmdline", root, pid) ||
	    statefile_read(p, 1 << 16, &txt, &len))
		return -ENOENT;
	err = runtime_state_conmon_name(txt, len, id, name, size);
	free(txt);
	return err;
}

int runtime_state_storage_name(const json_t *containers, const char *id, char *name, size_t size)
{
	const json_t *names = NULL, *el;
	size_t i;

	json_array_foreach(containers, i, el)
	{
		const char *eid = json_read_str(el, "id", NULL);

		if (eid && strcmp(eid, id) == 0) {
			names = json_object_get(el, "names");
			break;
		}
	}
	if (json_is_array(names))
		names = json_array_get(names, 0);
	return copy_name(json_is_string(names) ? json_string_value(names) : NULL, name, size);
}

/* containers/storage's record of the container: <dir>/containers.json. */
static int storage_name(const char *root, const char *dir, const char *id, char *name, size_t size)
{
	char p[4096];
	json_t *v;
	int err;

	(void)root;
	if (statefile_path(p, sizeof(p), "%s/containers.json", dir))
		return -ENOENT;
	if (read_state_json(p, &v))
		return -ENOENT; /* the next store may know it */
	err = runtime_state_storage_name(v, id, name, size);
	json_decref(v);
	return err;
}

int runtime_state_name(const char *root, const struct container_info *ci, char *name, size_t size)
{
	if (!ci || !ci->is_container || !name || size == 0)
		return -EINVAL;
	if (strcmp(ci->runtime, "podman") == 0 && ci->trust == CONTAINER_TRUST_USER_DELEGATED) {
		char runroot[64];

		/* rootless podman: its run root is $XDG_RUNTIME_DIR/containers */
		snprintf(runroot, sizeof(runroot), "/run/user/%u/containers", ci->owner_uid);
		return each_store(root, runroot, conmon_name, ci->id, name, size);
	}
	if (strcmp(ci->runtime, "podman") == 0) {
		/* conmon lives as long as the container; storage's record as long as podman keeps
		 * it */
		int err = each_store(root, "/run/containers/storage", conmon_name, ci->id, name,
				     size);

		if (err == -ENOENT)
			err = each_store(root, "/var/lib/containers/storage", storage_name, ci->id,
					 name, size);
		return err;
	}
	return -ENOTSUP;
}
