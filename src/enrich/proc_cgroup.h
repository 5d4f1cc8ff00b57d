/* Which cgroup path of a /proc/PID/cgroup file says the most about the process's container. */
#ifndef CC_PROC_CGROUP_H
#define CC_PROC_CGROUP_H

#include <stddef.h>

/* Which line of the file the chosen path came from. */
enum proc_cgroup_source {
	PROC_CGROUP_V2 = 0, /* the "0::" line of the v2 hierarchy */
	PROC_CGROUP_V1,	    /* a v1 controller's or named hierarchy's line */
};

/*
 * Pure: pick one path from the text of /proc/PID/cgroup ("ID:CONTROLLERS:PATH" lines; the path
 * may itself hold colons). In order: the v2 path when it is in a container, else the first v1
 * path that is, else the v2 path, else the name=systemd path, else the first v1 path. 0 and the
 * path in out (size bytes); -ENOENT when the text has no usable line; -ENAMETOOLONG.
 */
int proc_cgroup_pick(const char *text, size_t len, char *out, size_t size,
		     enum proc_cgroup_source *src);

#endif
