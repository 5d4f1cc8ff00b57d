/* Unit tests of the host namespace checks on /proc trees made here: stat flags, PID namespace. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace/hostns.h"

/* Real lines: kthreadd and a shell, as this kernel prints them (flags 0x208040, 0x400100). */
#define KTHREADD_STAT "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 20 0 0\n"
#define SHELL_STAT    "2 (sh) S 1 2 2 34816 2 4194560 1266 0 0 0 1 0 0 0 20 0 1 0 350\n"

static void test_stat_flags(void **state)
{
	static const struct {
		const char *name, *text;
		int rc;
		unsigned long flags;
	} cases[] = {
		{"kthreadd", KTHREADD_STAT, 0, 0x208040},
		{"a shell", SHELL_STAT, 0, 0x400100},
		{"a name with spaces and parentheses", "7 (a) S 1 2 (x) R 1 2 3 4 -1 5 6\n", 0, 5},
		{"a name that is one ')'", "7 ()) S 1 2 3 4 -1 64 6", 0, 64},
		{"flags last, no newline", "7 (a) S 1 2 3 4 -1 2097152", 0, 0x200000},
		{"no parenthesis", "7 a S 1 2 3 4 -1 5 6\n", -EINVAL, 0},
		{"no opening parenthesis", "7 a) S 1 2 3 4 -1 5 6\n", -EINVAL, 0},
		{"cut before the flags", "7 (a) S 1 2 3 4 -1", -EINVAL, 0},
		{"cut inside the fields", "7 (a) S 1 2", -EINVAL, 0},
		{"state of two letters", "7 (a) SS 1 2 3 4 -1 5 6\n", -EINVAL, 0},
		{"no state", "7 (a)  1 2 3 4 -1 5 6\n", -EINVAL, 0},
		{"flags not a number", "7 (a) S 1 2 3 4 -1 x 6\n", -EINVAL, 0},
		{"flags negative", "7 (a) S 1 2 3 4 -1 -5 6\n", -EINVAL, 0},
		{"flags followed by junk", "7 (a) S 1 2 3 4 -1 5x 6\n", -EINVAL, 0},
		{"flags too large", "7 (a) S 1 2 3 4 -1 99999999999999999999999 6\n", -EINVAL, 0},
		{"empty", "", -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long flags = 0;

		print_message("%s\n", cases[i].name);
		assert_int_equal(hostns_stat_flags(cases[i].text, &flags), cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(flags, cases[i].flags);
	}
}

/*
 * A /proc tree under a temporary directory: self -> SELF, a directory 1 unless SELF starts with
 * '-' (then SELF + 1 is the link: PID 1 hidden), and 2/stat holding STAT2 (or no 2 at all).
 */
static void make_proc(char *root, size_t size, const char *self, const char *stat2)
{
	char p[512];
	FILE *f;

	snprintf(root, size, "%s/cc-hostns-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/1", root);
	if (self[0] == '-')
		self++;
	else
		assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/self", root);
	assert_int_equal(symlink(self, p), 0);
	if (!stat2)
		return;
	snprintf(p, sizeof(p), "%s/2", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/2/stat", root);
	assert_non_null(f = fopen(p, "w"));
	fputs(stat2, f);
	fclose(f);
}

static void remove_proc(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_check_pidns(void **state)
{
	static const struct {
		const char *name, *self, *stat2;
		int rc;
	} cases[] = {
		{"the host: self is us, PID 2 a kernel thread", "4242", KTHREADD_STAT, 0},
		{"a container's own namespace: PID 2 a process", "4242", SHELL_STAT, -EXDEV},
		{"a container's own namespace: no PID 2", "4242", NULL, -EXDEV},
		{"hidepid: neither PID 1 nor PID 2 shows", "-4242", NULL, -EACCES},
		{"the host's /proc in a container: self is another pid", "917", KTHREADD_STAT,
		 -EXDEV},
		{"self not a number", "thread-self", KTHREADD_STAT, -EINVAL},
		{"PID 2's stat unreadable as such", "4242", "garbage", -EINVAL},
	};
	char root[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].name);
		make_proc(root, sizeof(root), cases[i].self, cases[i].stat2);
		assert_int_equal(hostns_check_pidns(root, 4242), cases[i].rc);
		remove_proc(root);
	}
}

static void test_is_kthread(void **state)
{
	char root[512];

	make_proc(root, sizeof(root), "1", KTHREADD_STAT);
	assert_int_equal(hostns_is_kthread(root, 2), 1);
	assert_int_equal(hostns_is_kthread(root, 3), -ENOENT);
	remove_proc(root);
	make_proc(root, sizeof(root), "1", SHELL_STAT);
	assert_int_equal(hostns_is_kthread(root, 2), 0);
	remove_proc(root);
}

/* PID 1's namespace files are read (their inode numbers), and a missing one is an error. */
static void test_read(void **state)
{
	static const char *const names[] = {"pid", "mnt", "uts"};
	char root[512], p[600];
	struct stat st[3];
	struct host_ns ns;
	enum hostns_source src;

	make_proc(root, sizeof(root), "1", KTHREADD_STAT);
	assert_int_equal(hostns_read(root, &ns, &src), -ENOENT);
	snprintf(p, sizeof(p), "%s/1/ns", root);
	assert_int_equal(mkdir(p, 0755), 0);
	for (int i = 0; i < 3; i++) {
		FILE *f;

		snprintf(p, sizeof(p), "%s/1/ns/%s", root, names[i]);
		assert_non_null(f = fopen(p, "w"));
		fclose(f);
		assert_int_equal(stat(p, &st[i]), 0);
	}
	assert_int_equal(hostns_read(root, &ns, &src), 0);
	assert_int_equal(src, HOSTNS_PID1);
	assert_int_equal(ns.pidns, (uint32_t)st[0].st_ino);
	assert_int_equal(ns.mntns, (uint32_t)st[1].st_ino);
	assert_int_equal(ns.utsns, (uint32_t)st[2].st_ino);
	remove_proc(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_flags),
		cmocka_unit_test(test_check_pidns),
		cmocka_unit_test(test_is_kthread),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
