/* Unit tests of statefile_read: regular files only, bounded, never blocking, never following. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "enrich/statefile.h"

static char dir[] = "/tmp/cc-statefile-XXXXXX";
/* This program's command line as the kernel keeps it: each argument and its NUL. */
static char cmdline[4096];
static size_t cmdline_len;

static const char *at(const char *name)
{
	static char p[sizeof(dir) + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *data, size_t len)
{
	FILE *f = fopen(at(name), "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	put("small", "hello\n", 6);
	put("empty", "", 0);
	put("nul", "a\0b", 3);
	if (mkfifo(at("fifo"), 0600) || symlink("small", at("link")) || mkdir(at("sub"), 0700))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	static const char *names[] = {"small", "empty", "nul", "fifo", "link", "big", "exact"};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(at(names[i]));
	rmdir(at("sub"));
	return rmdir(dir);
}

static void test_regular(void **state)
{
	size_t len = 99;
	char *buf = NULL;

	assert_int_equal(statefile_read(at("small"), 100, &buf, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "hello\n", 7); /* and the NUL after it */
	free(buf);

	assert_int_equal(statefile_read(at("empty"), 100, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(buf[0], '\0');
	free(buf);

	/* bytes are bytes: a NUL inside stays, len says where the file ends */
	assert_int_equal(statefile_read(at("nul"), 3, &buf, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "a\0b\0", 4);
	free(buf);
}

/* a user's file is trusted only while it is that user's: another owner is -EPERM, and the
   rules of statefile_read hold as well (a symlink, a FIFO) */
static void test_owned(void **state)
{
	size_t len = 99;
	char *buf = NULL;
	uint32_t me = (uint32_t)getuid();

	(void)state;
	assert_int_equal(statefile_read_owned(at("small"), 100, me, &buf, &len), 0);
	assert_int_equal(len, 6);
	free(buf);
	assert_int_equal(statefile_read_owned(at("small"), 100, me + 1, &buf, &len), -EPERM);
	assert_int_equal(statefile_read_owned(at("small"), 100, 0xfffffffeu, &buf, &len),
			 me == 0xfffffffeu ? 0 : -EPERM);
	assert_int_equal(statefile_read_owned(at("link"), 100, me, &buf, &len), -EINVAL);
	assert_int_equal(statefile_read_owned(at("fifo"), 100, me, &buf, &len), -EINVAL);
	assert_int_equal(statefile_read_owned(at("small"), 3, me, &buf, &len), -EFBIG);
	assert_int_equal(len, 6); /* untouched on failure */
}

static void test_not_regular(void **state)
{
	char *buf = (char *)0x1;
	size_t len = 7;

	/* a FIFO with no writer: open must not wait for one (alarm kills a hang) */
	alarm(10);
	assert_int_equal(statefile_read(at("fifo"), 100, &buf, &len), -EINVAL);
	alarm(0);
	assert_int_equal(statefile_read(at("link"), 100, &buf, &len), -EINVAL);
	assert_int_equal(statefile_read(at("sub"), 100, &buf, &len), -EINVAL);
	assert_int_equal(statefile_read("/dev/zero", 100, &buf, &len), -EINVAL);
	assert_int_equal(statefile_read("/dev/null", 100, &buf, &len), -EINVAL);
	assert_int_equal(statefile_read(at("missing"), 100, &buf, &len), -ENOENT);
	assert_int_equal(statefile_read("", 100, &buf, &len), -ENOENT);
	/* a symlink earlier in the path is the caller's business, a file under a file is not */
	assert_int_equal(statefile_read(at("small/x"), 100, &buf, &len), -ENOTDIR);
	/* nothing was handed out on failure */
	assert_ptr_equal(buf, (char *)0x1);
	assert_int_equal(len, 7);
}

static void test_bounds(void **state)
{
	static char data[10000];
	size_t len;
	char *buf;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	put("big", data, sizeof(data));
	put("exact", data, 4096);

	assert_int_equal(statefile_read(at("big"), 9999, &buf, &len), -EFBIG);
	assert_int_equal(statefile_read(at("small"), 5, &buf, &len), -EFBIG);
	assert_int_equal(statefile_read(at("small"), 0, &buf, &len), -EFBIG);
	assert_int_equal(statefile_read(at("empty"), 0, &buf, &len), 0);
	free(buf);

	assert_int_equal(statefile_read(at("big"), 10000, &buf, &len), 0);
	assert_int_equal(len, 10000);
	assert_memory_equal(buf, data, 10000);
	assert_int_equal(buf[10000], '\0');
	free(buf);

	assert_int_equal(statefile_read(at("exact"), 4096, &buf, &len), 0);
	assert_int_equal(len, 4096);
	assert_memory_equal(buf, data, 4096);
	free(buf);
}

/* procfs reports a size of 0: the bound holds on what is read, not on what fstat said. */
static void test_procfs(void **state)
{
	size_t len;
	char *buf;

	assert_int_equal(statefile_read("/proc/self/cmdline", 1 << 16, &buf, &len), 0);
	assert_int_equal(len, cmdline_len);
	assert_memory_equal(buf, cmdline, cmdline_len);
	free(buf);
	assert_int_equal(statefile_read("/proc/self/cmdline", cmdline_len - 1, &buf, &len), -EFBIG);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),	    cmocka_unit_test(test_owned),
		cmocka_unit_test(test_not_regular), cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_procfs),
	};

	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (cmdline_len + n > sizeof(cmdline))
			return 1;
		memcpy(cmdline + cmdline_len, argv[i], n);
		cmdline_len += n;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
