/* The host's cgroup layout (legacy, hybrid, unified), where v2 is mounted, and v2 id <-> path. */
#ifndef CC_CGROUP_H
#define CC_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

enum cgroup_mode {
	CGROUP_MODE_NONE = 0, /* no cgroup file system mounted */
	CGROUP_MODE_LEGACY,   /* v1 only */
	CGROUP_MODE_HYBRID,   /* v1 controllers plus a v2 hierarchy */
	CGROUP_MODE_UNIFIED,  /* v2 only */
};

struct cgroup_layout {
	enum cgroup_mode mode;
	char v2_mount[PATH_MAX]; /* "" when v2 is not mounted */
	int v1_count;		 /* v1 hierarchies mounted */
};

const char *cgroup_mode_name(enum cgroup_mode mode);

/* Parse a mountinfo file (normally /proc/self/mountinfo) into a layout; 0 or -errno. */
int cgroup_detect(const char *mountinfo, struct cgroup_layout *out);
/* The same from the text of such a file: pure, for tests. */
int cgroup_detect_text(const char *text, struct cgroup_layout *out);

/*
 * The path inside the v2 hierarchy ("/system.slice/x.scope", "/" for the root) of the cgroup
 * whose id is id; 0, -ENOENT when no such cgroup exists (any more), or -errno.
 */
int cgroup_id_to_path(const char *v2_mount, uint64_t id, char *buf, size_t size);

/*
 * A cgroup given as a path inside the hierarchy or as an absolute path under the v2 mount:
 * its id (the inode number of its directory) and its path inside the hierarchy. 0, -ENOENT,
 * -EXDEV when an absolute path lies outside the v2 mount, -ENOTDIR.
 */
int cgroup_lookup(const char *v2_mount, const char *path, uint64_t *id, char *rel, size_t size);

/* Open a cgroup directory given as in cgroup_lookup(), O_RDONLY|O_DIRECTORY; fd or -errno. */
int cgroup_open(const char *v2_mount, const char *path);

typedef int (*cgroup_walk_fn)(void *ctx, uint64_t id, const char *path, size_t len);

/*
 * Call fn for every cgroup below the v2 mount (not the root), parents before children, at most
 * max of them, never following links; a non-zero return from fn ends the walk with it. 0 or
 * -errno.
 */
int cgroup_walk(const char *v2_mount, cgroup_walk_fn fn, void *ctx, size_t max);

#endif
