/* Rootless podman's containers with no cgroup of their own (runc, --cgroup-manager cgroupfs on a
 * host without systemd: every process stays in the caller's cgroup), and podman's own processes:
 * found through the user namespace they are in and the owning user's podman state (its run root
 * and run directory: /run/user/UID, /tmp/podman-run-UID, or wherever the user's conmons' command
 * lines say: rootless_places.h), read as that user's files. */
#ifndef CC_ROOTLESS_H
#define CC_ROOTLESS_H

#include <stddef.h>
#include <stdint.h>

#include "enrich/identity.h"

/*
 * The process lineage[0] (lineage: it and its parents, nearest first, n of them), under root
 * ("" on a real host, a fixture tree in tests): 1 with ci filled when it is
 *  - a rootless podman container's: its user namespace's owner U (uid_map's outside uid of uid 0;
 *    not root) keeps, in one of its run roots (/run/user/U/containers, /tmp/podman-run-U/
 *    containers, the one --conmon-pidfile names of a conmon of U's among the process and its
 *    parents, else of any conmon of U's running) <driver>-containers/<id>/userdata, a conmon.pid
 *    naming a conmon of that id (its command line's -c) in the same user namespace, and the
 *    process is below that conmon in a pid namespace of its own, or is (or is below) the
 *    container's pid (userdata/pidfile) whose parent that conmon is: is_container, runtime
 *    "podman", the id, the name conmon's -n gives (else the id), trust CONTAINER_TRUST_USER,
 *    owner_uid U;
 *  - podman's own (podman, conmon, runc, the pause process): in the host's pid namespace, in the
 *    user namespace of U's pause process (libpod/tmp/pause.pid in a run directory: /run/user/U,
 *    /tmp/podman-run-U, the one a conmon's --exit-dir names; running podman), or of a podman
 *    among it and its parents in its mount namespace (no place names the pause process: no
 *    conmon of U's runs, its run directory elsewhere): is_container false, runtime "podman",
 *    trust CONTAINER_TRUST_USER, owner_uid U.
 * Every directory from the run root (or run directory) down must be U's, not a symlink; none
 * above it a symlink; the run root and run directory not writable by group or others; every
 * file U's, regular, small; else nothing is read from it. 0 when none, ci zeroed. Reads only
 * what /proc shows any user.
 */
int rootless_lookup(const char *root, const uint32_t *lineage, size_t n, struct container_info *ci);

struct nsowner_found; /* nsowner.h */

/*
 * The rootless podman containers (their pid's mount namespace) and podman's pause processes
 * running now, of every user with a /run/user/UID or /tmp/podman-run-UID, or a conmon running
 * (in each of the places above), at most max of them into out: how many. Reads
 * root/proc/PID/ns/mnt: at start, before the privileges are dropped.
 */
size_t rootless_running(const char *root, struct nsowner_found *out, size_t max);

/*
 * The containers rootless podman runs now (a conmon in a user's user namespace, not a podman exec
 * session's) that found (n of them, from rootless_running) does not name, their state not
 * found or not trusted: how many; the user of each of the first max into uids.
 */
size_t rootless_unnamed(const char *root, const struct nsowner_found *found, size_t n,
			uint32_t *uids, size_t max);

/*
 * Pure: the owner of a user namespace from its uid_map text: the outside uid that uid 0 maps to;
 * 1 with *owner set, 0 when it is the initial namespace's identity map, maps 0 to root, or has
 * no line for uid 0.
 */
int rootless_map_owner(const char *text, size_t len, uint32_t *owner);

/* Pure: whether a /proc/PID/status text's NSpid has more than one pid (a pid namespace of its own):
 * 1, 0, or -1 when it has no NSpid line. */
int rootless_nested(const char *text, size_t len);

/*
 * The id of the first mount in root/proc/PID/mountinfo (its mount namespace's root), which any
 * user may read: mount ids are unique among live mounts and a mount namespace's copy gets new
 * ones, so two processes with the same first mount are in the same mount namespace. 0 when
 * unreadable: the process is gone, or a zombie or exiting (the kernel shows no mount namespace
 * once the task has left its namespaces).
 */
unsigned long rootless_first_mount(const char *root, uint32_t pid);

/* Pure: the pid a pid file holds (decimal digits, one optional newline), 0 when it is not one. */
uint32_t rootless_pidfile(const char *text, size_t len);

#endif
