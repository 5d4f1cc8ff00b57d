/* Unit tests of cgroup layout detection from mountinfo text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "enrich/cgroup.h"

#define ROOT  "22 1 254:0 / / rw,relatime - ext4 /dev/sda1 rw\n"
#define TMPFS "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
#define V1(id, name)                                                                               \
#id " 31 0:" #id " / /sys/fs/cgroup/" name " rw,nosuid shared:9 - cgroup cgroup rw," name  \
	    "\n"

static const struct {
	const char *name;
	const char *text;
	enum cgroup_mode mode;
	const char *v2;
	int v1;
} cases[] = {
	{"hybrid, systemd layout",
	 ROOT TMPFS V1(32, "cpu") V1(33, "memory") V1(
		 40,
		 "systemd") "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:8 - cgroup2 cgroup2 "
			    "rw,nsdelegate\n",
	 CGROUP_MODE_HYBRID, "/sys/fs/cgroup/unified", 3},
	{"unified", ROOT "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
	 CGROUP_MODE_UNIFIED, "/sys/fs/cgroup", 0},
	{"legacy", ROOT TMPFS V1(32, "cpu") V1(33, "memory") V1(34, "pids"), CGROUP_MODE_LEGACY, "",
	 3},
	{"none", ROOT, CGROUP_MODE_NONE, "", 0},
	{"cgroup2 mounted over the v1 tmpfs in a private namespace",
	 ROOT TMPFS V1(32, "cpu")
		 V1(33, "memory") "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
				  "90 23 0:38 / /sys/fs/cgroup rw - cgroup2 none rw\n",
	 CGROUP_MODE_UNIFIED, "/sys/fs/cgroup", 0},
	{"v2 unmounted from a hybrid host", ROOT TMPFS V1(32, "cpu"), CGROUP_MODE_LEGACY, "", 1},
	{"escaped mount point", ROOT "30 23 0:26 / /mnt/cg\\040two rw - cgroup2 cgroup2 rw\n",
	 CGROUP_MODE_UNIFIED, "/mnt/cg two", 0},
	{"optional fields and garbage lines",
	 ROOT "garbage\n\n1 2\n30 23 0:26 / /sys/fs/cgroup rw shared:1 master:2 - cgroup2 cgroup2 "
	      "rw\n",
	 CGROUP_MODE_UNIFIED, "/sys/fs/cgroup", 0},
	{"no newline at the end", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw",
	 CGROUP_MODE_UNIFIED, "/sys/fs/cgroup", 0},
};

static void test_detect(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cgroup_layout l;

		assert_int_equal(cgroup_detect_text(cases[i].text, &l), 0);
		if (l.mode != cases[i].mode || strcmp(l.v2_mount, cases[i].v2) != 0 ||
		    l.v1_count != cases[i].v1)
			fail_msg("%s: got %s '%s' %d", cases[i].name, cgroup_mode_name(l.mode),
				 l.v2_mount, l.v1_count);
	}
}

static void test_mode_names(void **state)
{
	assert_string_equal(cgroup_mode_name(CGROUP_MODE_LEGACY), "legacy");
	assert_string_equal(cgroup_mode_name(CGROUP_MODE_HYBRID), "hybrid");
	assert_string_equal(cgroup_mode_name(CGROUP_MODE_UNIFIED), "unified");
	assert_string_equal(cgroup_mode_name(CGROUP_MODE_NONE), "none");
}

static void test_lookup_errors(void **state)
{
	char rel[64];
	uint64_t id;

	assert_int_equal(cgroup_lookup("", "/x", &id, rel, sizeof(rel)), -ENODEV);
	assert_int_equal(cgroup_lookup("/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory/x", &id,
				       rel, sizeof(rel)),
			 -EXDEV);
	assert_int_equal(cgroup_lookup("/nonexistent-v2-mount", "/a/b", &id, rel, sizeof(rel)),
			 -ENOENT);
	assert_int_equal(cgroup_open("/nonexistent-v2-mount", "/a"), -ENOENT);
	assert_int_equal(cgroup_id_to_path(NULL, 5, rel, sizeof(rel)), -ENODEV);
	assert_int_equal(cgroup_id_to_path("/nonexistent-v2-mount", 1, rel, sizeof(rel)), 0);
	assert_string_equal(rel, "/");
}

static void test_detect_missing_file(void **state)
{
	struct cgroup_layout l;

	assert_int_equal(cgroup_detect("/nonexistent/mountinfo", &l), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_lookup_errors),
		cmocka_unit_test(test_detect_missing_file),
	};
	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
