/* Unit tests of the pressure parser: real files' texts, malformed ones, and the reader. */
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

#include "summary/psi.h"

static int parse(const char *text, double *v)
{
	return psi_parse_some_avg10(text, strlen(text), v);
}

static void test_well_formed(void **state)
{
	double v = -1;

	assert_int_equal(parse("some avg10=96.15 avg60=67.05 avg300=29.36 total=127027937\n"
			       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
			       &v),
			 0);
	assert_true(v > 96.149 && v < 96.151);
	/* full first, no trailing newline */
	assert_int_equal(parse("full avg10=3.00 avg60=0.00 avg300=0.00 total=0\n"
			       "some avg10=0.50 avg60=0.00 avg300=0.00 total=0",
			       &v),
			 0);
	assert_true(v > 0.499 && v < 0.501);
	/* the cpu file of older kernels has a some line only */
	assert_int_equal(parse("some avg10=100.00 avg60=0.00 avg300=0.00 total=1\n", &v), 0);
	assert_true(v > 99.99);
	/* avg10 not first among the fields */
	assert_int_equal(parse("some total=5 avg10=7\n", &v), 0);
	assert_true(v > 6.99 && v < 7.01);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"full avg10=1.00 avg60=0.00 avg300=0.00 total=0\n", /* no some line */
		"some\n",
		"some \n",
		"some avg60=1.00 total=0\n", /* no avg10 */
		"some avg10= avg60=1.00\n",
		"some avg10=abc\n",
		"some avg10=-1.00\n",
		"some avg10=1.0.0\n",
		"some avg10=.5\n",
		"some avg10=100.01\n",
		"some avg10=1e2\n",
		"some avg10=123456789012345678\n",
		"someavg10=1.00\n",
		"Some avg10=1.00\n",
		" some avg10=1.00\n",
		"some avg10=1.00\x01\n",
	};
	double v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &v) != -EINVAL)
			fail_msg("accepted: '%s'", bad[i]);
	}
}

static void test_not_nul_terminated(void **state)
{
	char text[] = "some avg10=2.50 avg60=0.00";
	double v = 0;

	/* cut inside the number: "some avg10=2." is still a number, 2 */
	assert_int_equal(psi_parse_some_avg10(text, 13, &v), 0);
	assert_true(v > 1.99 && v < 2.01);
	assert_int_equal(psi_parse_some_avg10(text, 11, &v), -EINVAL);
}

/* The reader over a copy of the fixture directory: all three, then each one missing. */
static void test_reader(void **state)
{
	char dir[] = "/tmp/cc-psi-XXXXXX", path[256], cmd[512];
	struct psi p;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctr", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(cmd, sizeof(cmd), "cp tests/fixtures/psi/*.pressure %s/ctr/", dir);
	assert_int_equal(system(cmd), 0);
	psi_read(dir, "/ctr", &p);
	assert_true(p.has[PSI_CPU] && p.has[PSI_MEM] && p.has[PSI_IO]);
	assert_true(p.avg10[PSI_CPU] > 96.14 && p.avg10[PSI_CPU] < 96.16);
	assert_true(p.avg10[PSI_MEM] > 1.24 && p.avg10[PSI_MEM] < 1.26);
	assert_true(p.avg10[PSI_IO] == 0.0);
	snprintf(path, sizeof(path), "%s/ctr/memory.pressure", dir);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/ctr/io.pressure", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("garbage\n", f);
	fclose(f);
	psi_read(dir, "/ctr", &p);
	assert_true(p.has[PSI_CPU]);
	assert_false(p.has[PSI_MEM]);
	assert_false(p.has[PSI_IO]);
	psi_read(dir, "/absent", &p);
	assert_false(p.has[PSI_CPU] || p.has[PSI_MEM] || p.has[PSI_IO]);
	psi_read("", "/ctr", &p);
	assert_false(p.has[PSI_CPU]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
