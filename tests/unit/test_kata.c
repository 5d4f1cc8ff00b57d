/* Unit tests for Kata Containers (src/enrich/kata.c) on the fixture tree tests/fixtures/kata: a
 * containerd task run by Kata's shim (its shim-binary-path) with its sandbox's state (Kata's
 * /run/vc/sbs/<sid>/persist.json, or the Rust runtime's /run/kata/<sid>) is marked "kata";
 * hostile variants are not. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "enrich/engine_state.h"
#include "enrich/kata.h"

#define ROOT "tests/fixtures/kata"
#define SID  "4b1d0c0ffee5a11d4b1d0c0ffee5a11d4b1d0c0ffee5a11d4b1d0c0ffee5a11d"
#define APP  "9a9a9a9a1b1b1b1b2c2c2c2c3d3d3d3d4e4e4e4e5f5f5f5f6a6a6a6a7b7b7b7b"

#define LIT(s) s, sizeof(s) - 1

static void test_shim_name(void **state)
{
	(void)state;
	assert_true(kata_shim_name(LIT("/usr/local/bin/containerd-shim-kata-v2\n")));
	assert_true(kata_shim_name(LIT("containerd-shim-kata-v2")));
	assert_true(kata_shim_name(LIT("/opt/kata/bin/containerd-shim-kata-qemu-v2")));
	assert_true(kata_shim_name(LIT("/opt/kata/bin/containerd-shim-kata-clh-tdx-v2\n")));
	assert_true(kata_shim_name(LIT("io.containerd.kata.v2")));
	assert_true(kata_shim_name(LIT("io.containerd.kata-fc.v2\n")));
	assert_false(kata_shim_name(LIT("/usr/bin/containerd-shim-runc-v2\n")));
	assert_false(kata_shim_name(LIT("/usr/bin/containerd-shim-kata-v2-evil")));
	assert_false(kata_shim_name(LIT("/usr/bin/containerd-shim-katanope-v2")));
	assert_false(kata_shim_name(LIT("/usr/bin/containerd-shim-kata--v2")));
	assert_false(kata_shim_name(LIT("/usr/bin/containerd-shim-kata-Q/x-v2")));
	assert_false(kata_shim_name(LIT("/x/io.containerd.kata.v2"))); /* a type is no path */
	assert_false(kata_shim_name(LIT("containerd-shim-kata-v2\0evil")));
	assert_false(kata_shim_name(LIT("x\ncontainerd-shim-kata-v2\n")));
	assert_false(kata_shim_name(LIT("/usr/bin/containerd-shim-kata-v2/\n")));
	assert_false(kata_shim_name(LIT("\n")));
	assert_false(kata_shim_name(NULL, 4));
}

/* What engine_state_lookup says of id under the fixture: the runtime and the sandbox mark. */
static void lookup(const char *id, int found, const char *sandbox)
{
	struct engine_dirs d;
	struct container_info ci;

	engine_dirs_defaults(&d);
	memset(&ci, 0, sizeof(ci));
	print_message("%s\n", id);
	assert_int_equal(engine_state_lookup(ROOT, &d, id, NULL, false, &ci), found);
	if (!found)
		return;
	assert_string_equal(ci.runtime, "containerd");
	assert_string_equal(ci.id, id);
	assert_string_equal(ci.sandbox, sandbox);
}

static void test_tasks(void **state)
{
	(void)state;
	/* a pod's sandbox and a container of that pod: the sandbox's persist.json names it */
	lookup(SID, 1, "kata");
	lookup(APP, 1, "kata");
	/* kata-deploy's shim under another name, the Rust runtime's /run/kata/<sid> */
	lookup("kata-rs", 1, "kata");
	/* runc's shim, even beside a /run/kata/<id> of the same name */
	lookup("runc-task", 1, "");
	/* hostile: the shim's path a symlink, a NUL in it, no sandbox state, a sandbox id that
	   climbs out of /run/vc/sbs, a persist.json naming another sandbox or torn, the Rust
	   runtime's directory a symlink */
	lookup("kata-link", 1, "");
	lookup("kata-nul", 1, "");
	lookup("kata-nostate", 1, "");
	lookup("kata-climb", 1, "");
	lookup("kata-other", 1, "");
	lookup("kata-torn", 1, "");
	lookup("kata-dirlink", 1, "");
	lookup("absent", 0, NULL);
}

static void test_task_direct(void **state)
{
	const char *t = ROOT "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" SID;

	(void)state;
	assert_int_equal(kata_task(ROOT, t, SID), 1);
	assert_int_equal(kata_task(ROOT, t, "kata-rs"), 1);
	assert_int_equal(kata_task(ROOT, t, ".."), 0);
	assert_int_equal(kata_task(ROOT, t, "."), 0);
	assert_int_equal(kata_task(ROOT, t, ""), 0);
	assert_int_equal(kata_task(ROOT, t, NULL), 0);
	assert_int_equal(kata_task(ROOT, t, "a b"), 0);
	assert_int_equal(kata_task(ROOT, ROOT "/nowhere", SID), 0);
}

static void test_seen(void **state)
{
	struct engine_dirs d;

	(void)state;
	engine_dirs_defaults(&d);
	assert_true(kata_seen(ROOT, &d));
	/* the other fixture tree: containerd's tasks, none of Kata */
	assert_false(kata_seen("tests/fixtures/state", &d));
	assert_false(kata_seen(ROOT "/nowhere", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shim_name),
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_task_direct),
		cmocka_unit_test(test_seen),
	};
	return cmocka_run_group_tests_name("kata", tests, NULL, NULL);
}
