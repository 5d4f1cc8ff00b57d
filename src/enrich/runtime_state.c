/* Reading container runtimes' state on disk, bounded and without running any runtime command. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enrich/jsonscan.h"
#include "enrich/runtime_state.h"

static int path_join(char *buf, size_t size, const char *root, const char *a, const char *b,
		     const char *c)
{
	int n = snprintf(buf, size, "%s%s%s%s", root ? root : "", a, b ? b : "", c ? c : "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode));
}

/*
 * A runtime's state directory, <root>/run/<runtime>/<id>, holding its state file, or exec.fifo:
 * both runc and crun make that fifo before they create the cgroup, and write the state file only
 * later, so a container seen at cgroup_mkdir (or one that lives a few milliseconds) is known too.
 */
static int has_state(const char *root, const char *runtime, const char *id, const char *file)
{
	char p[4096];
	int n;

	n = snprintf(p, sizeof(p), "%s/run/%s/%s/%s", root ? root : "", runtime, id, file);
	if (n < 0 || (size_t)n >= sizeof(p))
		return 0;
	if (exists(p))
		return 1;
	n = snprintf(p, sizeof(p), "%s/run/%s/%s/exec.fifo", root ? root : "", runtime, id);
	return n > 0 && (size_t)n < sizeof(p) && exists(p);
}

const char *runtime_state_bare(const char *root, const char *id)
{
	if (!id || !*id || strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return NULL;
	if (has_state(root, "runc", id, "state.json"))
		return "runc";
	if (has_state(root, "crun", id, "status"))
		return "crun";
	return NULL;
}

/* Read at most max bytes of a file into a new NUL-terminated buffer; -errno or -EFBIG. */
static int read_small(const char *path, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= max) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int docker_name(const char *root, const char *id, char *name, size_t size)
{
	char p[4096], *js;
	size_t len;
	int err;

	if ((err = path_join(p, sizeof(p), root, "/var/lib/docker/containers/", id,
			     "/config.v2.json")))
		return err;
	if ((err = read_small(p, RUNTIME_STATE_MAX, &js, &len)))
		return err == -ENOTDIR ? -ENOENT : err;
	err = jsonscan_top_string(js, len, "Name", name, size);
	free(js);
	if (err == -EINVAL)
		return -ENOENT;
	if (err)
		return err;
	if (name[0] == '/') /* docker keeps "/NAME" */
		memmove(name, name + 1, strlen(name));
	return name[0] ? 0 : -ENOENT;
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
		const char *a = args[k], *v = NULL;
		int is_name = 0, is_cid = 0;

		if (strcmp(a, "-n") == 0 || strcmp(a, "--name") == 0) {
			is_name = 1;
			v = k + 1 < nargs ? args[++k] : NULL;
		} else if (strncmp(a, "--name=", 7) == 0) {
			is_name = 1;
			v = a + 7;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--cid") == 0) {
			is_cid = 1;
			v = k + 1 < nargs ? args[++k] : NULL;
		} else if (strncmp(a, "--cid=", 6) == 0) {
			is_cid = 1;
			v = a + 6;
		} else if (strcmp(a, "--exit-command") == 0) {
			break; /* what follows is podman's own command line */
		}
		if (is_name && v && !nm)
			nm = v;
		if (is_cid && v && !cid)
			cid = v;
	}
	if (!cid || !nm || strcmp(cid, id) != 0 || !*nm)
		return -ENOENT;
	if (strlen(nm) >= size)
		return -ENAMETOOLONG;
	strcpy(name, nm);
	return 0;
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

	if (path_join(dir, sizeof(dir), root, base, NULL, NULL))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while (err == -ENOENT && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 11 || strcmp(de->d_name + n - 11, "-containers") != 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
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

	if (snprintf(p, sizeof(p), "%s/%s/userdata/conmon.pid", dir, id) >= (int)sizeof(p) ||
	    read_small(p, 64, &txt, &len))
		return -ENOENT;
	pid = strtol(txt, &end, 10);
	free(txt);
	if (pid <= 0 || pid > 1 << 22)
		return -ENOENT;
	if (snprintf(p, sizeof(p), "%s/proc/%ld/cmdline", root, pid) >= (int)sizeof(p) ||
	    read_small(p, 1 << 16, &txt, &len))
		return -ENOENT;
	err = runtime_state_conmon_name(txt, len, id, name, size);
	free(txt);
	return err;
}

/* containers/storage's record of the container: <dir>/containers.json. */
static int storage_name(const char *root, const char *dir, const char *id, char *name, size_t size)
{
	char p[4096], *js;
	size_t len;
	int err;

	(void)root;
	if (snprintf(p, sizeof(p), "%s/containers.json", dir) >= (int)sizeof(p) ||
	    read_small(p, RUNTIME_STATE_MAX, &js, &len))
		return -ENOENT;
	err = jsonscan_array_find(js, len, "id", id, "names", name, size);
	free(js);
	return err == -EINVAL ? -ENOENT : err;
}

int runtime_state_name(const char *root, const struct container_info *ci, char *name, size_t size)
{
	if (!ci || !ci->is_container || !name || size == 0)
		return -EINVAL;
	if (strcmp(ci->runtime, "docker") == 0)
		return docker_name(root, ci->id, name, size);
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
