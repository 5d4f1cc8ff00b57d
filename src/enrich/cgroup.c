/* The host's cgroup layout from mountinfo, and cgroup v2 id <-> path. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enrich/cgroup.h"
#include "enrich/statefile.h"

#define FILEID_KERNFS 0xfe
/* mountinfo of a node with thousands of container mounts is a few MiB; far more is not one */
#define CGROUP_MOUNTINFO_MAX (64u << 20)

const char *cgroup_mode_name(enum cgroup_mode mode)
{
	switch (mode) {
	case CGROUP_MODE_LEGACY:
		return "legacy";
	case CGROUP_MODE_HYBRID:
		return "hybrid";
	case CGROUP_MODE_UNIFIED:
		return "unified";
	default:
		return "none";
	}
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

struct mount_row {
	long id;
	char point[PATH_MAX];
	int v2; /* 1 cgroup2, 0 cgroup v1, -1 other */
};

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER". */
static int parse_mount_line(char *line, struct mount_row *row)
{
	char *save = NULL, *tok, *fields[6];
	int i;

	for (i = 0, tok = strtok_r(line, " \n", &save); tok && i < 6;
	     tok = strtok_r(NULL, " \n", &save))
		fields[i++] = tok;
	if (i < 6)
		return -EINVAL;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " \n", &save);
	if (!tok || !(tok = strtok_r(NULL, " \n", &save)))
		return -EINVAL;
	row->id = strtol(fields[0], NULL, 10);
	if (strlen(fields[4]) >= sizeof(row->point))
		return -ENAMETOOLONG;
	strcpy(row->point, fields[4]);
	unescape_octal(row->point);
	row->v2 = strcmp(tok, "cgroup2") == 0 ? 1 : strcmp(tok, "cgroup") == 0 ? 0 : -1;
	return 0;
}

/* True when dir is path itself or one of its ancestors. */
static int path_covers(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return 1;
	return strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * A mount is visible unless a later mount sits on it or on one of its ancestors (as when a
 * private mount namespace mounts cgroup2 over the tmpfs that held the v1 hierarchies).
 */
static int row_visible(const struct mount_row *rows, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++) {
		if (j == i || rows[j].id <= rows[i].id)
			continue;
		if (path_covers(rows[j].point, rows[i].point))
			return 0;
	}
	return 1;
}

int cgroup_detect_text(const char *text, struct cgroup_layout *out)
{
	struct mount_row *rows = NULL, *grown;
	size_t n = 0, cap = 0;
	const char *p = text;
	int err = 0, prefer = -1;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[3 * PATH_MAX];

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				grown = realloc(rows, cap * sizeof(*rows));
				if (!grown) {
					err = -ENOMEM;
					goto out;
				}
				rows = grown;
			}
			if (parse_mount_line(line, &rows[n]) == 0 && rows[n].v2 >= 0)
				n++;
		}
		p += len + (nl ? 1 : 0);
	}
	for (size_t i = 0; i < n; i++) {
		if (!row_visible(rows, n, i))
			continue;
		if (!rows[i].v2) {
			out->v1_count++;
			continue;
		}
		/* prefer the canonical places when several v2 mounts are visible */
		if (prefer < 0 || strcmp(rows[i].point, "/sys/fs/cgroup") == 0 ||
		    (strcmp(rows[i].point, "/sys/fs/cgroup/unified") == 0 &&
		     strcmp(rows[prefer].point, "/sys/fs/cgroup") != 0))
			prefer = (int)i;
	}
	if (prefer >= 0)
		strcpy(out->v2_mount, rows[prefer].point);
	if (prefer >= 0)
		out->mode = out->v1_count ? CGROUP_MODE_HYBRID : CGROUP_MODE_UNIFIED;
	else
		out->mode = out->v1_count ? CGROUP_MODE_LEGACY : CGROUP_MODE_NONE;
out:
	free(rows);
	return err;
}

int cgroup_detect(const char *mountinfo, struct cgroup_layout *out)
{
	size_t len;
	char *text;
	int err = statefile_read(mountinfo, CGROUP_MOUNTINFO_MAX, &text, &len);

	if (err)
		return err;
	err = cgroup_detect_text(text, out);
	free(text);
	return err;
}

/* The path of an open directory relative to the v2 mount, from /proc/self/fd. */
static int fd_rel_path(int fd, const char *v2_mount, char *buf, size_t size)
{
	char link[64], full[PATH_MAX];
	size_t mlen = strlen(v2_mount);
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, full, sizeof(full) - 1);
	if (n < 0)
		return -errno;
	full[n] = '\0';
	if (strncmp(full, v2_mount, mlen) != 0 || (full[mlen] != '\0' && full[mlen] != '/'))
		return -EXDEV;
	if (full[mlen] == '\0')
		return snprintf(buf, size, "/") >= (int)size ? -ENAMETOOLONG : 0;
	if (strlen(full + mlen) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, full + mlen);
	return 0;
}

struct id_match {
	uint64_t id;
	char *buf;
	size_t size;
};

static int match_id(void *ctx, uint64_t id, const char *path, size_t len)
{
	struct id_match *m = ctx;

	if (id != m->id)
		return 0;
	if (len >= m->size)
		return -ENAMETOOLONG;
	memcpy(m->buf, path, len + 1);
	return 1;
}

int cgroup_id_to_path(const char *v2_mount, uint64_t id, char *buf, size_t size)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	int mfd, fd, err;

	if (!v2_mount || !*v2_mount)
		return -ENODEV;
	if (size < 2)
		return -ENAMETOOLONG;
	if (id == 1) {
		strcpy(buf, "/");
		return 0;
	}
	mfd = open(v2_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		err = fd_rel_path(fd, v2_mount, buf, size);
		close(fd);
		close(mfd);
		return err;
	}
	err = -errno;
	if (err == -ESTALE || err == -ENOENT) {
		close(mfd);
		return -ENOENT;
	}
	close(mfd);
	/* file handles refused (no CAP_DAC_READ_SEARCH): a walk comparing inode numbers */
	{
		struct id_match m = {id, buf, size};

		err = cgroup_walk(v2_mount, match_id, &m, (size_t)-1);
	}
	return err == 1 ? 0 : err < 0 ? err : -ENOENT;
}

/* Resolve a user-given cgroup to an absolute path under the v2 mount. */
static int cgroup_abs(const char *v2_mount, const char *path, char *abs, size_t size)
{
	size_t mlen;

	if (!v2_mount || !*v2_mount)
		return -ENODEV;
	mlen = strlen(v2_mount);
	if (strncmp(path, v2_mount, mlen) == 0 && (path[mlen] == '\0' || path[mlen] == '/')) {
		if (snprintf(abs, size, "%s", path) >= (int)size)
			return -ENAMETOOLONG;
		return 0;
	}
	/* an absolute path elsewhere in cgroupfs (a v1 hierarchy) is not a v2 cgroup */
	if (strncmp(path, "/sys/fs/cgroup", 14) == 0 && (path[14] == '\0' || path[14] == '/'))
		return -EXDEV;
	if (snprintf(abs, size, "%s%s%s", v2_mount, path[0] == '/' ? "" : "/", path) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int cgroup_lookup(const char *v2_mount, const char *path, uint64_t *id, char *rel, size_t size)
{
	char abs[PATH_MAX];
	struct stat st;
	size_t mlen;
	int err = cgroup_abs(v2_mount, path, abs, sizeof(abs));

	if (err)
		return err;
	if (lstat(abs, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*id = st.st_ino;
	mlen = strlen(v2_mount);
	if (snprintf(rel, size, "%s", abs[mlen] ? abs + mlen : "/") >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int cgroup_open(const char *v2_mount, const char *path)
{
	char abs[PATH_MAX];
	int fd, err = cgroup_abs(v2_mount, path, abs, sizeof(abs));

	if (err)
		return err;
	fd = open(abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

struct walk {
	cgroup_walk_fn fn;
	void *ctx;
	size_t left;
	char path[PATH_MAX];
};

/* Depth first below dirfd (whose path is w->path[0..used)); takes dirfd. */
static int walk_dir(struct walk *w, int dirfd, size_t used, int depth)
{
	struct dirent *de;
	DIR *d = fdopendir(dirfd);
	int err = 0;

	if (!d) {
		close(dirfd);
		return -errno;
	}
	while (!err && w->left && (de = readdir(d))) {
		size_t nlen = strlen(de->d_name);
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    used + 1 + nlen >= sizeof(w->path))
			continue;
		w->path[used] = '/';
		memcpy(w->path + used + 1, de->d_name, nlen + 1);
		w->left--;
		if ((err = w->fn(w->ctx, de->d_ino, w->path, used + 1 + nlen)))
			break;
		if (depth < 64 &&
		    (sub = openat(dirfd, de->d_name,
				  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
			err = walk_dir(w, sub, used + 1 + nlen, depth + 1);
	}
	closedir(d);
	return err;
}

int cgroup_walk(const char *v2_mount, cgroup_walk_fn fn, void *ctx, size_t max)
{
	struct walk *w;
	int fd, err;

	if (!v2_mount || !*v2_mount)
		return -ENODEV;
	fd = open(v2_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = calloc(1, sizeof(*w));
	if (!w) {
		close(fd);
		return -ENOMEM;
	}
	w->fn = fn;
	w->ctx = ctx;
	w->left = max;
	err = walk_dir(w, fd, 0, 0);
	free(w);
	return err;
}
