/* Unit tests of --path and --exclude-path as the kernel matches them: the prefixes encoded into
   its words, and its decision (mirrored) against plain string prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "trace/pathfilter.h"

/* The oracle: excludes win, then an include must match when there is one. */
static bool plain(const struct config *cfg, const char *path)
{
	bool include = false, in = false;

	for (uint32_t i = 0; i < cfg->npaths; i++) {
		bool m = strncmp(path, cfg->paths[i].prefix, strlen(cfg->paths[i].prefix)) == 0;

		if (cfg->paths[i].exclude && m)
			return false;
		if (!cfg->paths[i].exclude) {
			include = true;
			in |= m;
		}
	}
	return !include || in;
}

static void test_encode(void **state)
{
	struct cc_prefix p;

	assert_int_equal(pathfilter_encode("/etc", false, &p), 0);
	assert_int_equal(p.nwords, 1);
	assert_int_equal(p.last_mask, 0xffffffffull);
	assert_memory_equal(p.w, "/etc\0\0\0\0", 8);
	assert_int_equal(pathfilter_encode("/etc/ssl", true, &p), 0);
	assert_int_equal(p.nwords, 1);
	assert_int_equal(p.last_mask, ~0ull);
	assert_int_equal(p.exclude, 1);
	assert_int_equal(pathfilter_encode("/var/lib/docker", false, &p), 0);
	assert_int_equal(p.nwords, 2);
	assert_int_equal(p.last_mask, 0xffffffffffffffull);
	assert_int_equal(pathfilter_encode("", false, &p), -EINVAL);
}

static const char *const prefixes[] = {"/",	"/e",	      "/etc",
				       "/etc/", "/etc/ssl",   "/etc/ssl/certs/",
				       "/data", "/data/file", "/var/lib/docker/overlay2/"};
static const char *const paths[] = {"/",
				    "/etc",
				    "/etc/",
				    "/etcetera",
				    "/etc/passwd",
				    "/etc/ssl",
				    "/etc/ssl/certs/a.pem",
				    "/data",
				    "/data/file",
				    "/data/files/x",
				    "/database",
				    "data/file",
				    "",
				    "/var/lib/docker",
				    "/var/lib/docker/overlay2/abc/merged/etc/hosts",
				    "/e",
				    "/\xff\xfe/x"};

/* Every combination of one and two filters, each path: the kernel's answer is the oracle's. */
static void test_against_plain_prefixes(void **state)
{
	const size_t np = sizeof(prefixes) / sizeof(prefixes[0]);

	for (size_t a = 0; a < np; a++)
		for (size_t b = 0; b <= np; b++)
			for (int kinds = 0; kinds < 4; kinds++) {
				struct config cfg = {0};
				struct cc_prefix f[CC_PREFIXES];
				bool include;
				int n;

				cfg.paths[cfg.npaths].prefix = prefixes[a];
				cfg.paths[cfg.npaths++].exclude = kinds & 1;
				if (b < np) {
					cfg.paths[cfg.npaths].prefix = prefixes[b];
					cfg.paths[cfg.npaths++].exclude = kinds & 2;
				}
				n = pathfilter_fill(&cfg, f, &include);
				assert_int_equal(n, (int)cfg.npaths);
				for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
					if (pathfilter_pass(f, n, include, paths[p]) !=
					    plain(&cfg, paths[p]))
						fail_msg("%s %s, %s %s: '%s'",
							 kinds & 1 ? "exclude" : "path",
							 prefixes[a],
							 kinds & 2 ? "exclude" : "path",
							 b < np ? prefixes[b] : "-", paths[p]);
			}
}

/* The longest prefix: 256 bytes, 32 words, all compared. */
static void test_longest(void **state)
{
	char prefix[CC_PREFIX_MAX + 1], path[CC_PREFIX_MAX + 8];
	struct config cfg = {.npaths = 1};
	struct cc_prefix f[CC_PREFIXES];
	bool include;

	memset(prefix, 'a', CC_PREFIX_MAX);
	prefix[0] = '/';
	prefix[CC_PREFIX_MAX] = 0;
	cfg.paths[0].prefix = prefix;
	assert_int_equal(pathfilter_fill(&cfg, f, &include), 1);
	assert_true(include);
	assert_int_equal(f[0].nwords, CC_PREFIX_WORDS);
	strcpy(path, prefix);
	strcat(path, "/x");
	assert_true(pathfilter_pass(f, 1, include, path));
	path[CC_PREFIX_MAX - 1] = 'b'; /* the last byte differs */
	assert_false(pathfilter_pass(f, 1, include, path));
	path[CC_PREFIX_MAX - 1] = 0; /* one byte short */
	assert_false(pathfilter_pass(f, 1, include, path));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_against_plain_prefixes),
		cmocka_unit_test(test_longest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
