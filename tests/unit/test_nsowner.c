/* Unit tests for naming gVisor's sandboxes from runsc's state (src/enrich/nsowner.c), on a fixture
 * tree: run/runsc/ID_sandbox:SID.state and proc/PID/{stat,cmdline,cgroup,ns/mnt}. */
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
#include "fixture_tree.h"

static char root[256];

#define PUT(rel, lit) fixture_put(root, 0755, rel, lit, sizeof(lit) - 1)

/* a process: its parent, its command line (NUL-separated) and its v1 pids cgroup */
static void proc(int pid, int ppid, const char *cmd, size_t cmdlen, const char *cg)
{
	const struct fixture_proc p = {pid, ppid, 0, NULL, 1000 + pid, cmd, cmdlen, cg};

	fixture_proc(root, 0755, &p);
}

#define SANDBOX "runsc-sandbox\0--root=/run/runsc\0boot\0"
#define GOFER	"runsc-gofer\0--root=/run/runsc\0gofer\0"

static int setup(void **state)
{
	(void)state;
	fixture_tree_make(root, sizeof(root), "cc-nsowner");
	PUT("run/runsc/web_sandbox:web.state",
	    "{\"id\":\"web\",\"goferPid\":110,\"sandbox\":{\"id\":\"web\",\"pid\":111,"
	    "\"cgroup\":{\"cgroupv1\":{\"name\":\"/web\"}}},\"spec\":{\"hostname\":\"web-host\",\"annotations\":{"
	    "\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
	    "\"io.kubernetes.cri.sandbox-name\":\"web-0\"}}}");
	/* a state whose sandbox pid now runs something else (reused) */
	PUT("run/runsc/old_sandbox:old.state",
	    "{\"id\":\"old\",\"goferPid\":310,\"sandbox\":{\"id\":\"old\",\"pid\":311,"
	    "\"cgroup\":{\"cgroupv1\":{\"name\":\"/old\"}}}}");
	/* hostile: an id with a slash, malformed JSON, a state that is a symlink */
	PUT("run/runsc/bad_sandbox:bad.state",
	    "{\"id\":\"a/b\",\"goferPid\":410,\"sandbox\":{\"id\":\"a/b\",\"pid\":411}}");
	PUT("run/runsc/torn_sandbox:torn.state", "{\"id\":\"torn\",\"sandbox\":{\"pid\":");
	proc(100, 1, "runsc\0", 6, "/");
	proc(110, 100, GOFER, sizeof(GOFER) - 1, "/web");
	proc(111, 100, SANDBOX, sizeof(SANDBOX) - 1, "/web");
	proc(120, 111, "[exe]", 6, "/web");   /* a stub under the sandbox */
	proc(130, 1, "[exe]", 6, "/web");     /* a stub whose parent is gone: its cgroup tells */
	proc(140, 1, "[exe]", 6, "/");	      /* a host process */
	proc(150, 111, "[exe]", 6, "/other"); /* the sandbox's child, in no other's cgroup */
	{
		/* a host process exited and not reaped (no mount namespace shown), and one whose
		   parent ended while its lineage was read */
		const struct fixture_proc zombie = {141, 1, 0, NULL, 0, "", 0, "/"};
		const struct fixture_proc cut = {142, 143, 0, NULL, 1142, "[exe]", 6, "/"};

		fixture_proc(root, 0755, &zombie);
		fixture_proc(root, 0755, &cut);
	}
	proc(311, 1,
	     "sleep\0"
	     "100\0",
	     10, "/old");
	proc(312, 311, "[exe]", 6, "/old");
	proc(410, 1, GOFER, sizeof(GOFER) - 1, "/bad");
	proc(411, 1, SANDBOX, sizeof(SANDBOX) - 1, "/bad");
	{
		char p[512], t[512];

		snprintf(p, sizeof(p), "%s/run/runsc/link_sandbox:link.state", root);
		snprintf(t, sizeof(t), "%s/run/runsc/web_sandbox:web.state", root);
		assert_int_equal(symlink(t, p), 0);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tree_remove(root);
}

static struct engine_dirs dirs(void)
{
	struct engine_dirs d;

	engine_dirs_defaults(&d);
	return d;
}

struct pid_case {
	uint32_t pid;
	int rc;
	const char *id;
};

static const struct pid_case pids[] = {
	{111, 1, "web"},      /* the sandbox */
	{120, 1, "web"},      /* its stub, by its parent */
	{130, 1, "web"},      /* a stub reparented, by the sandbox's v1 cgroup */
	{150, 1, "web"},      /* a child of the sandbox */
	{110, 1, "web"},      /* the gofer */
	{140, 0, NULL},	      /* the host's */
	{141, -ESRCH, NULL},  /* a zombie: nothing known of its namespace */
	{142, -EAGAIN, NULL}, /* its lineage cut: the same */
	{312, 0, NULL},	      /* under a pid the state names that runs something else now */
	{410, 0, NULL},	      /* a state with an id no runtime gives */
	{411, 0, NULL},	      {999, -ESRCH, NULL}, /* gone */
	{1, 0, NULL},	      {0, 0, NULL},
};

static void test_lookup(void **state)
{
	struct engine_dirs d = dirs();

	(void)state;
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		struct container_info ci = {0};
		/* the fixture's directory is trusted only when it is root's */
		int want = pids[i].rc == 1 && getuid() != 0 ? 0 : pids[i].rc;

		print_message("pid %u\n", pids[i].pid);
		assert_int_equal(nsowner_lookup(root, &d, pids[i].pid, &ci), want);
		if (want != 1) {
			assert_false(ci.is_container);
			continue;
		}
		assert_true(ci.is_container);
		assert_string_equal(ci.runtime, "runsc");
		assert_string_equal(ci.id, pids[i].id);
		assert_string_equal(ci.name, pids[i].id);
		assert_string_equal(ci.sandbox, "gvisor");
		assert_string_equal(ci.k8s_namespace, "prod");
		assert_string_equal(ci.k8s_pod, "web-0");
	}
}

/* the state directory is trusted only where only root may change it */
static void test_open_dir(void **state)
{
	struct engine_dirs d = dirs();
	struct container_info ci = {0};
	char p[512];

	(void)state;
	snprintf(p, sizeof(p), "%s/run/runsc", root);
	assert_int_equal(chmod(p, 0777), 0);
	assert_int_equal(nsowner_lookup(root, &d, 111, &ci), 0);
	assert_int_equal(chmod(p, 0711), 0);
	assert_int_equal(nsowner_lookup(root, &d, 111, &ci), getuid() == 0 ? 1 : 0);
}

/* a container by its id, as gVisor's runtime monitoring names it */
static void test_by_id(void **state)
{
	struct engine_dirs d = dirs();
	struct container_info ci = {0};
	char host[65] = "x";	     /* CC_HOST_LEN */
	int root_ok = getuid() == 0; /* the fixture's directory is trusted only when root's */

	(void)state;
	assert_int_equal(nsowner_runsc_by_id(root, &d, "web", &ci, host, sizeof(host)), root_ok);
	if (root_ok) {
		assert_string_equal(ci.runtime, "runsc");
		assert_string_equal(ci.id, "web");
		assert_string_equal(ci.name, "web");
		assert_string_equal(ci.sandbox, "gvisor");
		assert_string_equal(ci.k8s_pod, "web-0");
		assert_string_equal(host, "web-host");
		assert_int_equal(nsowner_runsc_by_id(root, &d, "old", &ci, host, sizeof(host)), 1);
		assert_string_equal(host, ""); /* its spec has no hostname */
	}
	/* not a state's: an id with a slash, a torn state, a link's name, a prefix, none */
	assert_int_equal(nsowner_runsc_by_id(root, &d, "a/b", &ci, host, sizeof(host)), 0);
	assert_int_equal(nsowner_runsc_by_id(root, &d, "torn", &ci, host, sizeof(host)), 0);
	assert_int_equal(nsowner_runsc_by_id(root, &d, "link", &ci, host, sizeof(host)), 0);
	assert_int_equal(nsowner_runsc_by_id(root, &d, "we", &ci, host, sizeof(host)), 0);
	assert_int_equal(nsowner_runsc_by_id(root, &d, "", &ci, host, sizeof(host)), 0);
	assert_int_equal(nsowner_runsc_by_id(root, NULL, "web", &ci, host, sizeof(host)), 0);
}

static void test_running(void **state)
{
	struct engine_dirs d = dirs();
	struct nsowner_found f[8];
	struct stat sb, gf;
	char p[512];
	size_t n;

	(void)state;
	if (getuid() != 0)
		skip(); /* the fixture's directory is trusted only when root's */
	n = nsowner_running(root, &d, f, 8);
	assert_int_equal(n, 2); /* web's sandbox and gofer; not old's, bad's, torn's */
	snprintf(p, sizeof(p), "%s/proc/111/ns/mnt", root);
	assert_int_equal(stat(p, &sb), 0);
	snprintf(p, sizeof(p), "%s/proc/110/ns/mnt", root);
	assert_int_equal(stat(p, &gf), 0);
	assert_int_equal(f[0].mntns, (uint32_t)sb.st_ino);
	assert_string_equal(f[0].ci.id, "web");
	assert_int_equal(f[1].mntns, (uint32_t)gf.st_ino);
	assert_string_equal(f[1].ci.sandbox, "gvisor");
	assert_int_equal(nsowner_running(root, &d, f, 1), 0); /* no room for a state's two */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_open_dir),
		cmocka_unit_test(test_by_id),
		cmocka_unit_test(test_running),
	};
	return cmocka_run_group_tests_name("nsowner", tests, setup, teardown);
}
