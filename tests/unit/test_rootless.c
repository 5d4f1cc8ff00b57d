/* Unit tests for naming rootless podman's containers and podman's own processes
 * (src/enrich/rootless.c), on a fixture tree: run/user/UID/containers/vfs-containers/ID/userdata/
 * {conmon.pid,pidfile}, run/user/UID/libpod/tmp/pause.pid and proc/PID/{uid_map,status,cmdline,
 * mountinfo,ns/mnt}; UID is the test's own (as root: 1000, the tree given to it), and hostile state
 * (another user's directory, a symlink, a torn pid file, a directory others may write) names
 * nothing. */
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

static void put(const char *rel, const char *text, size_t len)
{
	fixture_put(root, 0700, rel, text, len);
}

#define putf(...) fixture_putf(root, 0700, __VA_ARGS__)

/* a process: owner of its user namespace, parent, NSpid, first mount (0: a zombie), command
   line */
static void proc(int pid, unsigned owner, int ppid, const char *nspid, int mount, const char *cmd,
		 size_t cmdlen)
{
	const struct fixture_proc p = {pid, ppid, owner, nspid, mount, cmd, cmdlen, NULL};

	fixture_proc(root, 0700, &p);
}

#define CMD(lit) lit, sizeof(lit) - 1
#define CONMON(id, name)                                                                           \
	CMD("/usr/bin/conmon\0--api-version\0001\0-c\0" id "\0-u\0" id "\0-n\0" name               \
	    "\0--exit-command\0/usr/bin/podman\0-n\0not-this\0")

/* a container's state: its conmon.pid and pidfile ("" leaves it out) */
static void state(unsigned owner, const char *id, const char *conmon, const char *pid)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "run/user/%u/containers/vfs-containers/%s/userdata/conmon.pid",
		 owner, id);
	put(rel, conmon, strlen(conmon));
	if (pid[0]) {
		snprintf(rel, sizeof(rel),
			 "run/user/%u/containers/vfs-containers/%s/userdata/pidfile", owner, id);
		put(rel, pid, strlen(pid));
	}
}

static int setup(void **st)
{
	char rel[128], p[512], t[512];

	(void)st;
	uid = getuid() == 0 ? 1000 : (unsigned)getuid(); /* as root: the tree is given to 1000 */
	fixture_tree_make(root, sizeof(root), "cc-rootless");
	snprintf(rel, sizeof(rel), "run/user/%u/libpod/tmp/pause.pid", uid);
	putf(rel, "150");
	proc(150, uid, 1, "150", 500, CMD("podman\0"));		    /* the pause process */
	proc(200, uid, 1, "200", 500, CONMON(ID_A, "web"));	    /* conmon of A */
	proc(201, uid, 200, "201\t1", 600, CMD("sleep\0"));	    /* A's pid */
	proc(202, uid, 201, "202\t2", 600, CMD("cat\0"));	    /* its child */
	proc(203, uid, 1, "203\t3", 600, CMD("sh\0"));		    /* podman exec into A */
	proc(210, uid, 200, "210", 500, CMD("/usr/bin/runc\0"));    /* runc under conmon */
	proc(230, uid, 1, "230", 500, CONMON(ID_B, "db"));	    /* conmon of B */
	proc(220, uid, 230, "220\t1", 700, CMD("runc:[2:INIT]\0")); /* B before its pidfile */
	proc(300, uid, 1, "300", 800, CMD("unshare\0"));	    /* unshare -U -r: no podman's */
	proc(310, 0, 1, "310", 1, CMD("bash\0"));		    /* the initial user namespace */
	proc(320, uid, 1, "320", 900, CMD("sh\0"));		    /* a stale pidfile's pid now */
	proc(410, uid + 1, 1, "410", 950, CONMON(ID_C, "other"));   /* conmon of another user */
	proc(411, uid + 1, 410, "411\t1", 960, CMD("sleep\0"));
	proc(250, uid, 1, "250", 500, CONMON(ID_D, "linked"));
	proc(251, uid, 250, "251\t1", 970, CMD("sleep\0"));
	proc(260, uid, 1, "260", 500, CONMON(ID_E, "torn"));
	proc(261, uid, 260, "261\t1", 980, CMD("sleep\0"));
	/* ending under a lookup: a runc of podman's exited and not reaped yet (a zombie shows no
	   mount namespace), a zombie child of A's pid, and B's init whose parent (not conmon)
	   ended while its lineage was read */
	proc(211, uid, 200, "211", 0, CMD(""));
	proc(204, uid, 201, "204\t4", 0, CMD(""));
	proc(221, uid, 222, "221\t1", 700, CMD("runc:[2:INIT]\0"));
	/* B's runc create under its conmon, its init's first stage (podman's mounts), and its
	   second, which has unshared its mounts, not yet its pids; a zombie under conmon */
	proc(226, uid, 230, "226", 500, CMD("/usr/bin/runc\0create\0"));
	proc(225, uid, 226, "225", 500, CMD("runc:[0:PARENT]\0"));
	proc(224, uid, 225, "224", 700, CMD("runc:[1:CHILD]\0"));
	proc(227, uid, 230, "227", 0, CMD(""));
	state(uid, ID_A, "200\n", "201");
	state(uid, ID_B, "230", "");
	/* hostile: another user's state kept in a directory of ours (the wrong owner), a symlinked
	   conmon.pid, a torn one, a name that is no podman id, a stale pidfile */
	state(uid + 1, ID_C, "410", "411");
	snprintf(rel, sizeof(rel), "run/user/%u/containers/vfs-containers/%s/userdata/pidfile", uid,
		 ID_D);
	putf(rel, "251");
	snprintf(p, sizeof(p), "%s/run/user/%u/containers/vfs-containers/%s/userdata/conmon.pid",
		 root, uid, ID_D);
	snprintf(t, sizeof(t), "%s/linked.pid", root);
	putf("linked.pid", "250");
	assert_int_equal(symlink(t, p), 0);
	state(uid, ID_E, "26", "");
	state(uid, "not-an-id", "200", "201");
	if (getuid() == 0) { /* the user's files, as podman leaves them */
		snprintf(p, sizeof(p), "chown -R -h %u:%u '%s'", uid, uid, root);
		assert_int_equal(system(p), 0);
	}
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
		{201, 1, ID_A, "web"}, /* the container's pid */
		{202, 1, ID_A, "web"}, /* its child */
		{203, 1, ID_A, "web"}, /* in its mount namespace, not below it */
		{220, 1, ID_B, "db"},  /* runc's init below conmon before the pidfile */
		{224, 1, ID_B, "db"},  /* its stage before, in the container's mounts only */
		{225, 1, NULL, NULL},  /* its first stage, in podman's mounts: podman's own */
		{226, 1, NULL, NULL},  /* runc create under B's conmon: podman's own */
		{227, 0, NULL, NULL},  /* a zombie under B's conmon: nothing shown */
		{150, 1, NULL, NULL},  /* the pause process */
		{200, 1, NULL, NULL},  /* conmon: podman's own */
		{210, 1, NULL, NULL},  /* runc under conmon, in the host's pid namespace */
		{300, 0, NULL, NULL},  /* the user's other user namespace: nobody's */
		{310, 0, NULL, NULL},  /* the initial user namespace */
		{411, 0, NULL, NULL},  /* another user's state in a directory that is not theirs */
		{251, 0, NULL, NULL},  /* a symlinked conmon.pid */
		{261, 0, NULL, NULL},  /* a torn conmon.pid ("26" of "260") */
		{999, 0, NULL, NULL},  /* gone */
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

/*
 * nsowner_lookup, which the naming thread asks with the pid of a record of a mount namespace:
 * nothing found from a process that ended under it, or whose lineage was cut, is no answer for
 * the namespace (-ESRCH, -EAGAIN: another of its processes is asked), not "no container's"; what
 * such a process's files did show still names it.
 */
static void test_ending(void **st)
{
	struct engine_dirs d;
	struct container_info ci;

	(void)st;
	engine_dirs_defaults(&d);
	assert_int_equal(nsowner_lookup(root, &d, 210, &ci), 1); /* runc, running: podman's own */
	assert_false(ci.is_container);
	assert_string_equal(ci.runtime, "podman");
	assert_int_equal(nsowner_lookup(root, &d, 211, &ci), -ESRCH); /* a zombie runc */
	assert_int_equal(lookup(211, &ci), 0);			      /* (its files alone: none) */
	assert_int_equal(nsowner_lookup(root, &d, 204, &ci), 1);      /* below A's pid */
	assert_string_equal(ci.id, ID_A);
	assert_int_equal(nsowner_lookup(root, &d, 221, &ci), -EAGAIN); /* its lineage cut */
	assert_int_equal(nsowner_lookup(root, &d, 227, &ci), -ESRCH);  /* a zombie under conmon */
	assert_int_equal(nsowner_lookup(root, &d, 224, &ci), 1);       /* runc:[1:CHILD] */
	assert_string_equal(ci.id, ID_B);
	assert_int_equal(nsowner_lookup(root, &d, 220, &ci), 1); /* whole: B's */
	assert_string_equal(ci.id, ID_B);
	assert_int_equal(nsowner_lookup(root, &d, 300, &ci), 0); /* running, nobody's: an answer */
	assert_int_equal(nsowner_lookup(root, &d, 999, &ci), -ESRCH); /* gone */
}

/* /run/user/UID that others may write: nothing in it is trusted */
static void test_shared_dir(void **st)
{
	char p[512];
	struct container_info ci;

	(void)st;
	snprintf(p, sizeof(p), "%s/run/user/%u", root, uid);
	assert_int_equal(chmod(p, 0770), 0);
	assert_int_equal(lookup(201, &ci), 0);
	assert_int_equal(lookup(200, &ci), 0);
	assert_int_equal(chmod(p, 0700), 0);
	assert_int_equal(lookup(201, &ci), 1);
}

static void test_running(void **st)
{
	struct nsowner_found out[8];
	struct stat a, b;
	char p[512];
	size_t n;

	(void)st;
	n = rootless_running(root, out, 8);
	assert_int_equal(n, 2); /* the pause process and A (B has no pidfile yet) */
	snprintf(p, sizeof(p), "%s/proc/150/ns/mnt", root);
	assert_int_equal(stat(p, &a), 0);
	snprintf(p, sizeof(p), "%s/proc/201/ns/mnt", root);
	assert_int_equal(stat(p, &b), 0);
	assert_int_equal(out[0].mntns, (uint32_t)a.st_ino);
	assert_false(out[0].ci.is_container);
	assert_string_equal(out[0].ci.runtime, "podman");
	assert_int_equal(out[1].mntns, (uint32_t)b.st_ino);
	assert_true(out[1].ci.is_container);
	assert_string_equal(out[1].ci.id, ID_A);
	assert_string_equal(out[1].ci.name, "web");
	assert_int_equal(rootless_running(root, out, 1), 1);
}

static void test_map_owner(void **st)
{
	uint32_t o = 7;

	(void)st;
	assert_int_equal(rootless_map_owner(CMD("         0       1000          1\n"), &o), 1);
	assert_int_equal(o, 1000);
	assert_int_equal(rootless_map_owner(CMD("0 1000 1\n1 100000 65536\n"), &o), 1);
	assert_int_equal(o, 1000);
	assert_int_equal(rootless_map_owner(CMD("1 100000 65536\n0 1001 1\n"), &o), 1);
	assert_int_equal(o, 1001);
	o = 7;
	assert_int_equal(rootless_map_owner(CMD("         0          0 4294967295\n"), &o), 0);
	assert_int_equal(rootless_map_owner(CMD("0 0 65536\n"), &o), 0);      /* root's own */
	assert_int_equal(rootless_map_owner(CMD("1 1000 5\n"), &o), 0);	      /* no uid 0 */
	assert_int_equal(rootless_map_owner(CMD("0 1000 0\n"), &o), 0);	      /* an empty range */
	assert_int_equal(rootless_map_owner(CMD("0 4294967295 1\n"), &o), 0); /* no uid */
	assert_int_equal(rootless_map_owner(CMD("zero 1000 1\n"), &o), 0);
	assert_int_equal(rootless_map_owner("", 0, &o), 0);
	assert_int_equal(o, 7);
}

static void test_nested(void **st)
{
	(void)st;
	assert_int_equal(rootless_nested(CMD("Name:\tsleep\nNSpid:\t937\t1\nNSpgid:\t1\n")), 1);
	assert_int_equal(rootless_nested(CMD("Name:\tconmon\nNSpid:\t922\nNSpgid:\t922\n")), 0);
	assert_int_equal(rootless_nested(CMD("NSpid:\t5\t4\t1")), 1);
	assert_int_equal(rootless_nested(CMD("Name:\tx\nNSpgid:\t1 2\n")), -1);
	assert_int_equal(rootless_nested("", 0), -1);
}

static void test_pidfile(void **st)
{
	(void)st;
	assert_int_equal(rootless_pidfile(CMD("937")), 937);
	assert_int_equal(rootless_pidfile(CMD("937\n")), 937);
	assert_int_equal(rootless_pidfile(CMD("4194304")), 4194304);
	assert_int_equal(rootless_pidfile(CMD("4194305")), 0);
	assert_int_equal(rootless_pidfile(CMD("99999999")), 0);
	assert_int_equal(rootless_pidfile(CMD("1")), 0);
	assert_int_equal(rootless_pidfile(CMD("0")), 0);
	assert_int_equal(rootless_pidfile(CMD("-5")), 0);
	assert_int_equal(rootless_pidfile(CMD("9 7")), 0);
	assert_int_equal(rootless_pidfile(CMD("97\n\n")), 0);
	assert_int_equal(rootless_pidfile(CMD("\n")), 0);
	assert_int_equal(rootless_pidfile("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_owner),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_pidfile),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ending, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
