/* Unit tests for naming rootless podman's containers wherever the user's podman keeps its state
 * (src/enrich/rootless_places.c, through rootless_lookup and rootless_running), on a fixture tree
 * with no run/user/UID: tmp/podman-run-UID (XDG_RUNTIME_DIR unset), and a run root and run
 * directory elsewhere that only the user's conmon's command line names (--runroot,
 * XDG_RUNTIME_DIR set elsewhere). Hostile places a conmon names (a symlinked run root, one below a
 * symlink, one others may write, a ".." path, another container's) name nothing, and
 * rootless_unnamed counts their containers. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "enrich/nsowner.h"
#include "enrich/rootless.h"
#include "fixture_tree.h"

static char root[256];
static unsigned uid;

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define ID_D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define ID_E "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
#define ID_F "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

#define putf(...) fixture_putf(root, 0700, __VA_ARGS__)

/* a process: owner of its user namespace, parent, NSpid, first mount, command line */
static void proc(int pid, unsigned owner, int ppid, const char *nspid, int mount, const char *cmd,
		 size_t cmdlen)
{
	const struct fixture_proc p = {pid, ppid, owner, nspid, mount, cmd, cmdlen, NULL};

	fixture_proc(root, 0700, &p);
}

/* conmon pid of container id (named name) whose run root and run directory are runroot and
   rundir (absolute, in the tree), as podman 4.3 starts it */
static void conmon(int pid, const char *id, const char *name, const char *runroot,
		   const char *rundir)
{
	char cmd[1024];
	int n = snprintf(cmd, sizeof(cmd),
			 "/usr/bin/conmon%c-c%c%s%c-n%c%s%c-p%c%s/vfs-containers/%s/userdata/"
			 "pidfile%c--exit-dir%c%s/libpod/tmp/exits%c--full-attach%c"
			 "--conmon-pidfile%c%s/vfs-containers/%s/userdata/conmon.pid%c"
			 "--exit-command%c/usr/bin/podman%c",
			 0, 0, id, 0, 0, name, 0, 0, runroot, id, 0, 0, rundir, 0, 0, 0, runroot,
			 id, 0, 0, 0);

	proc(pid, uid, 1, NULL, 500, cmd, (size_t)n);
}

/* a container's state in run root runroot (in the tree): its conmon.pid and pidfile */
static void state(const char *runroot, const char *id, int conmon_pid, int pid)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/vfs-containers/%s/userdata/conmon.pid", runroot + 1, id);
	putf(rel, "%d", conmon_pid);
	snprintf(rel, sizeof(rel), "%s/vfs-containers/%s/userdata/pidfile", runroot + 1, id);
	putf(rel, "%d", pid);
}

static void chmod_in(const char *rel, mode_t mode)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(chmod(p, mode), 0);
}

static int setup(void **st)
{
	char tmp[64], rel[128], p[512], t[512];

	(void)st;
	uid = getuid() == 0 ? 1000 : (unsigned)getuid(); /* as root: the tree is given to 1000 */
	fixture_tree_make(root, sizeof(root), "cc-rootless-places");
	snprintf(tmp, sizeof(tmp), "/tmp/podman-run-%u", uid);
	/* A: XDG_RUNTIME_DIR unset, its pause process and conmon in /tmp/podman-run-UID */
	snprintf(rel, sizeof(rel), "%s/libpod/tmp/pause.pid", tmp + 1);
	putf(rel, "150");
	proc(150, uid, 1, NULL, 500, "podman", 7);
	snprintf(p, sizeof(p), "%s/containers", tmp);
	conmon(200, ID_A, "web", p, tmp);
	proc(201, uid, 200, "201\t1", 600, "sleep", 6);
	state(p, ID_A, 200, 201);
	/* B: --runroot /srv/rr, XDG_RUNTIME_DIR=/srv/xdg: a second pause process; podman itself
	   (not below a conmon), in its mount namespace */
	putf("srv/xdg/libpod/tmp/pause.pid", "151");
	proc(151, uid, 1, NULL, 510, "/usr/bin/podman", 16);
	proc(152, uid, 1, NULL, 510, "podman", 7);
	conmon(230, ID_B, "db", "/srv/rr", "/srv/xdg");
	/* a third run directory no place names (no conmon of it runs): podman, its conmon
	   --version, and a child of podman's in a mount namespace of its own */
	proc(160, uid, 1, NULL, 520, "podman", 7);
	proc(161, uid, 160, NULL, 520, "conmon\0--version", 17);
	proc(162, uid, 160, NULL, 521, "sh", 3);
	proc(231, uid, 230, "231\t1", 700, "sleep", 6);
	proc(232, uid, 231, "232\t2", 700, "cat", 4);
	state("/srv/rr", ID_B, 230, 231);
	/* hostile: C's run root a symlink to a real one, D's below a symlinked directory, E's
	   writable by the group, F's only through a ".." path */
	state("/srv/real", ID_C, 240, 241);
	snprintf(p, sizeof(p), "%s/srv/link", root);
	snprintf(t, sizeof(t), "%s/srv/real", root);
	assert_int_equal(symlink(t, p), 0);
	conmon(240, ID_C, "linked", "/srv/link", "/srv/xdg");
	proc(241, uid, 240, "241\t1", 710, "sleep", 6);
	state("/srv/realdir/rr", ID_D, 250, 251);
	snprintf(p, sizeof(p), "%s/srv/ldir", root);
	snprintf(t, sizeof(t), "%s/srv/realdir", root);
	assert_int_equal(symlink(t, p), 0);
	conmon(250, ID_D, "below", "/srv/ldir/rr", "/srv/xdg");
	proc(251, uid, 250, "251\t1", 720, "sleep", 6);
	state("/srv/gw", ID_E, 260, 261);
	conmon(260, ID_E, "shared", "/srv/gw", "/srv/xdg");
	proc(261, uid, 260, "261\t1", 730, "sleep", 6);
	state("/srv/hidden", ID_F, 270, 271);
	putf("srv/x/.keep", "x");
	conmon(270, ID_F, "dotdot", "/srv/x/../hidden", "/srv/xdg");
	proc(271, uid, 270, "271\t1", 740, "sleep", 6);
	if (getuid() == 0) { /* the user's files, as podman leaves them */
		snprintf(p, sizeof(p), "chown -R -h %u:%u '%s'", uid, uid, root);
		assert_int_equal(system(p), 0);
	}
	chmod_in("srv/gw", 0770);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	return fixture_tree_remove(root);
}

/* rootless_lookup of pid with its parents from the fixture's status files */
static int lookup(uint32_t pid, struct container_info *ci)
{
	uint32_t l[8];

	return rootless_lookup(root, l, fixture_lineage(root, pid, l, 8), ci);
}

static void test_lookup(void **st)
{
	static const struct {
		uint32_t pid;
		int rc;
		const char *id, *name; /* NULL id with rc 1: podman's own */
	} cases[] = {
		{201, 1, ID_A, "web"}, /* /tmp/podman-run-UID's container */
		{200, 1, NULL, NULL},  /* its conmon: podman's own (the pause there) */
		{150, 1, NULL, NULL},  /* that pause process */
		{231, 1, ID_B, "db"},  /* --runroot's container, from its conmon's line */
		{232, 1, ID_B, "db"},  /* its child */
		{230, 1, NULL, NULL},  /* its conmon: podman's own (its --exit-dir's pause) */
		{152, 1, NULL, NULL}, /* podman, below no conmon: from every conmon of the user's */
		{161, 1, NULL, NULL}, /* conmon --version below podman, in its namespaces */
		{160, 1, NULL, NULL}, /* that podman */
		{162, 0, NULL, NULL}, /* below podman, in another mount namespace */
		{241, 0, NULL, NULL}, /* a symlinked run root */
		{251, 0, NULL, NULL}, /* a run root below a symlink */
		{261, 0, NULL, NULL}, /* a run root others may write */
		{271, 0, NULL, NULL}, /* a ".." path */
	};

	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_info ci;

		print_message("pid %u\n", cases[i].pid);
		assert_int_equal(lookup(cases[i].pid, &ci), cases[i].rc);
		if (cases[i].rc == 0) {
			assert_false(ci.is_container);
			assert_string_equal(ci.runtime, "");
			continue;
		}
		assert_string_equal(ci.runtime, "podman");
		assert_int_equal(ci.trust, CONTAINER_TRUST_USER);
		assert_int_equal(ci.owner_uid, uid);
		assert_int_equal(ci.is_container, cases[i].id != NULL);
		assert_string_equal(ci.id, cases[i].id ? cases[i].id : "");
		assert_string_equal(ci.name, cases[i].name ? cases[i].name : "");
	}
}

/* the mount namespace inode of pid in the tree */
static uint32_t mntns(int pid)
{
	char p[512];
	struct stat s;

	snprintf(p, sizeof(p), "%s/proc/%d/ns/mnt", root, pid);
	assert_int_equal(stat(p, &s), 0);
	return (uint32_t)s.st_ino;
}

/* rootless_running: both pause processes and A and B, once each; the hostile three unnamed */
static void test_running(void **st)
{
	struct nsowner_found out[16];
	uint32_t uids[4] = {0};
	int pauses = 0, a = 0, b = 0;
	size_t n;

	(void)st;
	n = rootless_running(root, out, 16);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].ci.owner_uid, uid);
		assert_int_equal(out[i].ci.trust, CONTAINER_TRUST_USER);
		if (!out[i].ci.is_container) {
			assert_true(out[i].mntns == mntns(150) || out[i].mntns == mntns(151));
			pauses++;
		} else if (strcmp(out[i].ci.id, ID_A) == 0) {
			assert_int_equal(out[i].mntns, mntns(201));
			assert_string_equal(out[i].ci.name, "web");
			a++;
		} else {
			assert_string_equal(out[i].ci.id, ID_B);
			assert_int_equal(out[i].mntns, mntns(231));
			assert_string_equal(out[i].ci.name, "db");
			b++;
		}
	}
	assert_int_equal(pauses, 2);
	assert_int_equal(a, 1);
	assert_int_equal(b, 1);
	assert_int_equal(rootless_unnamed(root, out, n, uids, 4), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(uids[i], uid);
	assert_int_equal(rootless_unnamed(root, out, 0, uids, 4), 6); /* nothing named: all */
}

/* the run root made the user's alone again: E named */
static void test_fixed(void **st)
{
	struct container_info ci;

	(void)st;
	chmod_in("srv/gw", 0700);
	assert_int_equal(lookup(261, &ci), 1);
	assert_string_equal(ci.id, ID_E);
	assert_string_equal(ci.name, "shared");
	chmod_in("srv/gw", 0770);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_fixed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
