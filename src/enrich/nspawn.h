/* systemd-nspawn --keep-unit: its payload/ cgroup confirmed by the supervisor/ beside it, and the
 * machine's name read from the supervisor's command line. */
#ifndef CC_NSPAWN_H
#define CC_NSPAWN_H

#include <stddef.h>

/* Whether a container's cgroup (the first cgroup_len bytes of path) is an nspawn payload/. */
int nspawn_is_payload(const char *path, size_t cgroup_len);

/*
 * Pure: the machine's name from systemd-nspawn's arguments (NUL-separated, len bytes): -M or
 * --machine, else the last component of -D/--directory or -i/--image (".raw" dropped). 0 and
 * the name in name, -ENOENT when none is given, -EINVAL when it is not a plain name.
 */
int nspawn_name_from_cmdline(const char *args, size_t len, char *name, size_t size);

/*
 * Pure: the same from the arguments that came with a cgroup_mkdir record (len bytes, cut at the
 * kernel's bound: a last argument without its NUL is left out).
 */
int nspawn_name_from_args(const char *args, size_t len, char *name, size_t size);

/*
 * Confirm a payload/ cgroup (path inside the v2 hierarchy mounted at v2_mount, its first
 * cgroup_len bytes the container's): 1 when supervisor/ is beside it, with the machine's name
 * in name when the supervisor's command line (under proc_root, "" for /proc) gives one (else
 * name is left alone); 0 when there is no supervisor/ (not nspawn's).
 */
int nspawn_confirm(const char *v2_mount, const char *proc_root, const char *path, size_t cgroup_len,
		   char *name, size_t size);

#endif
