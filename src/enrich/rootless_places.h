/* Where a user's rootless podman keeps its state (its run roots and run directories: the known
 * default places, and those its conmons' command lines name), each trusted only while it is that
 * user's own: for rootless.c. */
#ifndef CC_ROOTLESS_PLACES_H
#define CC_ROOTLESS_PLACES_H

#include <stddef.h>
#include <stdint.h>

#define PLACES_MAX  8	 /* run roots (and run directories) looked at per user */
#define PLACE_LEN   1024 /* bytes of one (with the root before it) */
#define CONMONS_MAX 256	 /* conmon processes looked at in one pass over /proc */

/* Where one user's podman keeps its state: run roots (<driver>-containers/<id>/userdata below)
   and run directories (libpod/tmp/pause.pid below), each root-prefixed and trusted when added. */
struct places {
	size_t nroot, ndir;
	char runroot[PLACES_MAX][PLACE_LEN];
	char rundir[PLACES_MAX][PLACE_LEN];
};

/* root/proc/PID/FILE into *buf (free it): 0 or -errno. */
int places_proc_read(const char *root, uint32_t pid, const char *file, char **buf, size_t *len);

/* The owner of pid's user namespace (rootless_map_owner), 0 when none. */
uint32_t places_owner(const char *root, uint32_t pid);

/* Whether path is a directory of uid's that is no symlink (and, strict, writable by uid alone). */
int places_user_dir(const char *path, uint32_t uid, int strict);

/* The pid in uid's pid file at path, 0 when none can be trusted. */
uint32_t places_pidfile(const char *path, uint32_t uid);

/*
 * Adds to pl uid's podman's known default places: $XDG_RUNTIME_DIR's usual /run/user/UID, and
 * /tmp/podman-run-UID where podman goes when XDG_RUNTIME_DIR is unset and /run/user/UID is not
 * the user's (each the run directory, its containers/ the run root).
 */
void places_defaults(const char *root, uint32_t uid, struct places *pl);

/*
 * Adds to pl the places conmon pid (in uid's user namespace) names: the run root of its
 * --conmon-pidfile (conmon_runroot), the run directory of its --exit-dir (conmon_rundir);
 * wherever XDG_RUNTIME_DIR, --runroot or storage.conf put them. Nothing when pid is not a conmon
 * of uid's.
 */
void places_conmon(const char *root, uint32_t pid, uint32_t uid, struct places *pl);

/*
 * The processes running now (root/proc) whose first argument is conmon, of uid (0: of any user
 * but root, by the owner /proc shows): up to max of their pids into pids, their users into
 * uids; how many.
 */
size_t places_conmons(const char *root, uint32_t uid, uint32_t *pids, uint32_t *uids, size_t max);

/* Adds to pl the places of every conmon of uid's running now. */
void places_scan(const char *root, uint32_t uid, struct places *pl);

/*
 * uid's pause process (podman's user namespace kept alive) as the run directory dir of pl names
 * it (libpod/tmp/pause.pid), 0 when it does not run.
 */
uint32_t places_pause(const char *root, const char *dir, uint32_t uid);

/* Whether pid runs podman (its first argument podman or a path ending in /podman) in uid's user
   namespace: 1. */
int places_podman(const char *root, uint32_t pid, uint32_t uid);

/* The users of dir's entries PREFIX<uid> (root-prefixed) appended to uids (n there, up to max):
   how many now. */
size_t places_users(const char *root, const char *dir, const char *prefix, uint32_t *uids, size_t n,
		    size_t max);

#endif
