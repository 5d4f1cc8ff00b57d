/* Unit tests of cgroup path -> container, table-driven over tests/fixtures/cgroup-paths.tsv. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "enrich/container.h"
#include "enrich/resolver.h"

#define TSV   "tests/fixtures/cgroup-paths.tsv"
#define STATE "tests/fixtures/state"
#define H     "2174efcddc7965a5fde36321d1470f647ed4f549d7553d91433c94a9a7dec96e"

struct row {
	char *path, *runtime, *id, *note, *trust;
	int line;
};

/* Split one TSV line in place; 0, or -1 for comments and blank lines. */
static int split_row(char *line, struct row *r)
{
	char *f[5] = {0};
	int n = 0;

	if (line[0] == '#' || line[0] == '\0')
		return -1;
	f[n++] = line;
	for (char *p = line; *p && n < 5; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	assert_true(n >= 4);
	r->path = f[0];
	r->runtime = f[1];
	r->id = f[2];
	r->note = f[3];
	r->trust = f[4] ? f[4] : "system";
	return 0;
}

static struct row *load_rows(size_t *count, char **text)
{
	FILE *fp = fopen(TSV, "r");
	size_t cap = 0, n = 0, len;
	struct row *rows = NULL;
	char *buf, *line, *save = NULL;
	int lineno = 0;

	if (!fp)
		fail_msg("cannot open %s (run from the repository root)", TSV);
	fseek(fp, 0, SEEK_END);
	len = (size_t)ftell(fp);
	rewind(fp);
	buf = malloc(len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len, fp), len);
	buf[len] = '\0';
	fclose(fp);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = realloc(rows, cap * sizeof(*rows));
			assert_non_null(rows);
		}
		if (split_row(line, &rows[n]) == 0)
			rows[n++].line = lineno;
	}
	*count = n;
	*text = buf;
	return rows;
}

/* Rows the path alone does not tell (the note says so): any cgroupsPath of a runtime. */
static int state_only(const struct row *r)
{
	return strstr(r->note, "(state only)") != NULL;
}

/* Rows whose path gives the id but no engine: the kubelet's cgroupfs layout. */
static int engine_from_state(const struct row *r)
{
	return strstr(r->note, "(engine from state)") != NULL;
}

/* Bare "/<id>" runc and crun cgroups; their systemd-driver scopes are told by the path. */
static int needs_state(const struct row *r)
{
	return (strcmp(r->runtime, "runc") == 0 || strcmp(r->runtime, "crun") == 0) &&
	       !strstr(r->path, ".scope") && !state_only(r);
}

static void check_info(const struct row *r, int rc, const struct container_info *ci)
{
	const char *trust;

	if (strcmp(r->runtime, "-") == 0) {
		if (rc != 0 || ci->is_container)
			fail_msg("line %d (%s): want no container, got rc %d %s %s", r->line,
				 r->note, rc, ci->runtime, ci->id);
		return;
	}
	if (rc != 1 || !ci->is_container)
		fail_msg("line %d (%s): want %s %s, got rc %d", r->line, r->note, r->runtime, r->id,
			 rc);
	if (strcmp(ci->runtime, strcmp(r->runtime, "?") == 0 ? "" : r->runtime) != 0 ||
	    strcmp(ci->id, r->id) != 0)
		fail_msg("line %d (%s): want %s %s, got %s %s", r->line, r->note, r->runtime, r->id,
			 ci->runtime, ci->id);
	trust = ci->trust == CONTAINER_TRUST_USER_DELEGATED ? "user" : "system";
	if (strcmp(trust, r->trust) != 0)
		fail_msg("line %d (%s): want trust %s, got %s", r->line, r->note, r->trust, trust);
	if (ci->cgroup_len == 0 || ci->cgroup_len > strlen(r->path))
		fail_msg("line %d: cgroup_len %zu out of range", r->line, ci->cgroup_len);
}

/* Every row, through the pure parser (runc and crun rows need the state: not a container). */
static void test_tsv_parse(void **state)
{
	size_t n;
	char *text;
	struct row *rows = load_rows(&n, &text);

	assert_true(n >= 70);
	for (size_t i = 0; i < n; i++) {
		struct container_info ci;
		int rc = container_parse_path(rows[i].path, &ci);

		if (state_only(&rows[i])) {
			if (rc != 0 || ci.is_container)
				fail_msg("line %d: a container told from the path alone",
					 rows[i].line);
			continue;
		}
		if (engine_from_state(&rows[i])) {
			if (rc != 1 || ci.runtime[0] || strcmp(ci.id, rows[i].id) != 0)
				fail_msg("line %d: want no engine and id %s, got rc %d '%s' %s",
					 rows[i].line, rows[i].id, rc, ci.runtime, ci.id);
			continue;
		}
		if (needs_state(&rows[i])) {
			char id[CONTAINER_ID_LEN];
			size_t len;

			if (rc != 0 || ci.is_container)
				fail_msg("line %d: runc/crun told from the path alone",
					 rows[i].line);
			assert_int_equal(
				container_bare_candidate(rows[i].path, id, sizeof(id), &len), 1);
			assert_string_equal(id, rows[i].id);
			assert_int_equal(len, strlen(rows[i].id) + 1);
			continue;
		}
		check_info(&rows[i], rc, &ci);
	}
	free(rows);
	free(text);
}

/* Every row through the resolver with the fixture state tree: runc and crun confirmed too. */
static void test_tsv_resolve(void **state)
{
	struct resolver_opts o = {.v2_mount = "", .state_root = STATE};
	struct resolver *r;
	size_t n;
	char *text;
	struct row *rows = load_rows(&n, &text);

	assert_int_equal(resolver_new(&o, &r), 0);
	for (size_t i = 0; i < n; i++) {
		struct container_info ci;

		check_info(&rows[i], resolver_identify_path(r, rows[i].path, &ci), &ci);
	}
	resolver_free(r);
	free(rows);
	free(text);
}

/* The container's own cgroup (the first cgroup_len bytes) is the same container, cut nowhere. */
static void test_tsv_cgroup_prefix(void **state)
{
	size_t n;
	char *text;
	struct row *rows = load_rows(&n, &text);

	for (size_t i = 0; i < n; i++) {
		struct container_info ci, own;
		char *prefix;

		if (container_parse_path(rows[i].path, &ci) != 1)
			continue;
		prefix = strndup(rows[i].path, ci.cgroup_len);
		assert_non_null(prefix);
		assert_int_equal(container_parse_path(prefix, &own), 1);
		if (strcmp(own.id, ci.id) != 0 || own.cgroup_len != ci.cgroup_len)
			fail_msg("line %d: prefix %s is not the container's own cgroup",
				 rows[i].line, prefix);
		assert_true(rows[i].path[ci.cgroup_len] == '\0' ||
			    rows[i].path[ci.cgroup_len] == '/');
		free(prefix);
	}
	free(rows);
	free(text);
}

static void test_cgroup_len(void **state)
{
	static const struct {
		const char *path;
		size_t len;
	} cases[] = {
		{"/docker/76bafdeaa95fa1dff95adeca3801f47de4af6bfed21111a9326d2b9d5027d1ad", 72},
		{"/docker/76bafdeaa95fa1dff95adeca3801f47de4af6bfed21111a9326d2b9d5027d1ad/a/b",
		 72},
		{"/machine.slice/libpod-e75ef3a1a6f31be1c4245e5316fc2217fdbbec33262846658f4633e4afd125d9"
		 ".scope/container",
		 92},
		{"/lxc.payload.web01/init.scope", 18},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_info ci;

		assert_int_equal(container_parse_path(cases[i].path, &ci), 1);
		assert_int_equal(ci.cgroup_len, cases[i].len);
	}
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {NULL, "", "docker/x", " /docker", "\x01"};
	struct container_info ci;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&ci, 0xa5, sizeof(ci));
		assert_int_equal(container_parse_path(bad[i], &ci), -EINVAL);
		assert_false(ci.is_container);
	}
	assert_int_equal(container_parse_path("/", NULL), -EINVAL);
	assert_int_equal(container_bare_candidate("x", NULL, 0, NULL), -EINVAL);
}

static void test_bare_candidate(void **state)
{
	static const struct {
		const char *path;
		int rc;
		const char *id;
		size_t len;
	} cases[] = {
		{"/abc", 1, "abc", 4},
		{"/abc/sub", 1, "abc", 4},
		{"/a.b_c+d-e", 1, "a.b_c+d-e", 10},
		{"/", 0, NULL, 0},
		{"/..", 0, NULL, 0},
		{"/.", 0, NULL, 0},
		{"/a b", 0, NULL, 0},
		{"/\xc3\xa9", 0, NULL, 0},
		{"/x\x1b[0m", 0, NULL, 0},
	};
	char id[CONTAINER_ID_LEN], small[3];
	size_t len;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = container_bare_candidate(cases[i].path, id, sizeof(id), &len);

		assert_int_equal(rc, cases[i].rc);
		if (rc == 1) {
			assert_string_equal(id, cases[i].id);
			assert_int_equal(len, cases[i].len);
		}
	}
	assert_int_equal(container_bare_candidate("/abc", small, sizeof(small), &len), 0);
}

/* A 1 MiB path of near-misses and hostile bytes: bounded, no crash; a container at its end. */
static void test_huge(void **state)
{
	static const char junk[] = "/docker\xff\\x2";
	static const char tail[] =
		"/docker/76bafdeaa95fa1dff95adeca3801f47de4af6bfed21111a9326d2b9d5027d1ad";
	size_t n = 1 << 20, t = sizeof(tail) - 1;
	char *p = malloc(n + 1);
	struct container_info ci;

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = junk[i % (sizeof(junk) - 1)];
	p[n] = '\0';
	assert_int_equal(container_parse_path(p, &ci), 0);
	memcpy(p + n - t, tail, t);
	assert_int_equal(container_parse_path(p, &ci), 1);
	assert_int_equal(ci.cgroup_len, n);
	assert_string_equal(ci.id, tail + 8);
	free(p);
}

static void test_owner_uid(void **state)
{
	static const struct {
		const char *path;
		enum container_trust trust;
		uint32_t uid;
	} cases[] = {
		{"/user.slice/user-1000.slice/user@1000.service/docker-" H ".scope",
		 CONTAINER_TRUST_USER_DELEGATED, 1000},
		{"/user.slice/user@0.service/a/user@7.service/docker-" H ".scope",
		 CONTAINER_TRUST_USER_DELEGATED, 0}, /* the outermost delegation owns it */
		{"/user@4294967295.service/docker-" H ".scope", CONTAINER_TRUST_USER_DELEGATED,
		 4294967295u},
		{"/user@4294967296.service/docker-" H ".scope", CONTAINER_TRUST_SYSTEM, 0},
		{"/user@.service/docker-" H ".scope", CONTAINER_TRUST_SYSTEM, 0},
		{"/docker-" H ".scope/user@5.service", CONTAINER_TRUST_SYSTEM, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_info ci;

		assert_int_equal(container_parse_path(cases[i].path, &ci), 1);
		if (ci.trust != cases[i].trust || ci.owner_uid != cases[i].uid)
			fail_msg("%s: trust %d uid %u", cases[i].path, ci.trust, ci.owner_uid);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsv_parse),
		cmocka_unit_test(test_tsv_resolve),
		cmocka_unit_test(test_tsv_cgroup_prefix),
		cmocka_unit_test(test_cgroup_len),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bare_candidate),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_owner_uid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
