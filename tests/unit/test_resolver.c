/* Unit tests of the resolver: /proc/PID/cgroup, runtime state and names, JSON lookups, LRU, find.
 */
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

#include "enrich/json_read.h"
#include "enrich/proc_cgroup.h"
#include "enrich/resolver.h"
#include "enrich/runtime_state.h"

#define STATE "tests/fixtures/state"
#define D1    "76bafdeaa95fa1dff95adeca3801f47de4af6bfed21111a9326d2b9d5027d1ad"
#define D2    "e635e457a541c7d7bbb75b925db0f8e452146f96651dc5ec1c8fbed2fd06d666"
#define D3    "76bafdeaa95fa1dff95adeca3801f47de4af6bfed21111a9326d2b9d5027d1ae"
#define P1    "37e6fc1d26301da52450621b1fda2608098ad64bb6330a2e5ad4efa83089bbd3"
#define R1    "ccc563a2b986fc9d2266dfad7fea378efb683e4fabe1e92f7a20541516a2657f"
#define P2    "d154db1ecda3d05abe725d10bbc1b1d9ab9f74a9f776cc7934e6eff584bbcd94"

static void test_proc_cgroup(void **state)
{
	static const struct {
		const char *name, *text, *want;
		int rc;
		enum proc_cgroup_source src;
	} cases[] = {
		{"v2 only", "0::/system.slice/docker-" D1 ".scope\n",
		 "/system.slice/docker-" D1 ".scope", 0, PROC_CGROUP_V2},
		{"v2, no newline", "0::/user.slice", "/user.slice", 0, PROC_CGROUP_V2},
		{"hybrid, container in both", "12:pids:/docker/" D1 "\n0::/docker/" D1 "\n",
		 "/docker/" D1, 0, PROC_CGROUP_V2},
		{"hybrid, container only in v1",
		 "12:pids:/docker/" D1 "\n1:name=systemd:/docker/" D1
		 "\n0::/system.slice/docker.service\n",
		 "/docker/" D1, 0, PROC_CGROUP_V1},
		{"hybrid, no container: v2 wins", "3:cpu:/a\n1:name=systemd:/b\n0::/c\n", "/c", 0,
		 PROC_CGROUP_V2},
		{"v1 only: name=systemd", "3:cpu,cpuacct:/a\n1:name=systemd:/b\n", "/b", 0,
		 PROC_CGROUP_V1},
		{"v1 only: first line", "3:cpu,cpuacct:/a\n2:memory:/m\n", "/a", 0, PROC_CGROUP_V1},
		{"colons in the path", "0::/a:b:c\n", "/a:b:c", 0, PROC_CGROUP_V2},
		{"garbage lines skipped", "junk\n1:\n::\n2:x:relative\n0::/ok\n", "/ok", 0,
		 PROC_CGROUP_V2},
		{"empty", "", NULL, -ENOENT, PROC_CGROUP_V2},
		{"only garbage", "hello\nworld", NULL, -ENOENT, PROC_CGROUP_V2},
		{"the v2 line twice: the first", "0::/first\n0::/second\n", "/first", 0,
		 PROC_CGROUP_V2},
		{"10::/ is not v2", "10::/x\n", "/x", 0, PROC_CGROUP_V1},
	};
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum proc_cgroup_source src = 99;
		int rc = proc_cgroup_pick(cases[i].text, strlen(cases[i].text), out, sizeof(out),
					  &src);

		if (rc != cases[i].rc)
			fail_msg("%s: rc %d", cases[i].name, rc);
		if (rc == 0 && (strcmp(out, cases[i].want) != 0 || src != cases[i].src))
			fail_msg("%s: got %s from %d", cases[i].name, out, src);
	}
	assert_int_equal(proc_cgroup_pick("0::/long/path", 13, out, 5, NULL), -ENAMETOOLONG);
	/* a NUL in the text ends nothing: lengths rule, not terminators */
	assert_int_equal(proc_cgroup_pick("0::/a\0b\n", 8, out, sizeof(out), NULL), 0);
	assert_memory_equal(out, "/a\0b", 5);
}

/* Parse js as json_read does, then one of runtime_state's lookups; -EINVAL when parsing fails. */
static int lookup(const char *js, int (*fn)(const json_t *, const char *, char *, size_t),
		  const char *id, char *out, size_t size)
{
	json_t *v;
	int rc = json_read_text(js, strlen(js), &v);

	if (rc)
		return rc;
	rc = fn(v, id, out, size);
	json_decref(v);
	return rc;
}

static int docker(const json_t *v, const char *id, char *out, size_t size)
{
	(void)id;
	return runtime_state_docker_name(v, out, size);
}

static void test_docker_name(void **state)
{
	static const struct {
		const char *js, *want;
		int rc;
	} cases[] = {
		{"{\"Name\":\"/web\"}", "web", 0},
		{"{\"Name\":\"web\"}", "web", 0},
		{" { \"a\" : [1, {\"Name\":\"x\"}, \"]\"], \"Name\" : \"/y\" } ", "y", 0},
		{"{\"State\":{\"Name\":\"no\"},\"Name\":\"yes\"}", "yes", 0},
		{"{\"Name\":\"a\\\"b\\\\c\\/d\\n\"}", "a\"b\\c/d\n", 0},
		{"{\"Name\":\"\\u00e9\\u20ac\\ud83d\\ude00\"}",
		 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 0},
		{"{\"Name\":\"\\ud800x\"}", NULL,
		 -EINVAL}, /* a lone surrogate: the file is refused */
		{"{\"Name\":17}", NULL, -ENOENT},
		{"{\"Other\":\"x\"}", NULL, -ENOENT},
		{"{}", NULL, -ENOENT},
		{"{\"Name\":\"/\"}", NULL, -ENOENT},
		{"{\"Name\":\"\"}", NULL, -ENOENT},
		{"[\"Name\",\"x\"]", NULL, -ENOENT},
		{"{\"Name\":\"unterminated", NULL, -EINVAL},
		{"{\"a\":{\"b\":[}}", NULL, -EINVAL},
		{"{\"a\" 1}", NULL, -EINVAL},
		{"{\"Name\":\"\\q\"}", NULL, -EINVAL},
		{"{\"Name\":\"\\u12\"}", NULL, -EINVAL},
		{"", NULL, -EINVAL},
		{"{\"a\":true,\"b\":null,\"c\":-1.5e3,\"Name\":\"n\"}", "n", 0},
		{"{\"a\":1 \"Name\":\"n\"}", NULL, -EINVAL},
		{"{\"Name\":\"a\",\"Name\":\"b\"}", NULL, -EINVAL},
		{"{\"Name\":\"0123456789abcdef\"}", NULL, -ENAMETOOLONG},
		{"{\"Name\":\"/0123456789abcde\"}", "0123456789abcde", 0},
	};
	char out[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = lookup(cases[i].js, docker, NULL, out, sizeof(out));

		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): rc %d, want %d", i, cases[i].js, rc, cases[i].rc);
		if (rc == 0)
			assert_string_equal(out, cases[i].want);
	}
}

static void test_storage_name(void **state)
{
	static const struct {
		const char *js, *val, *want;
		int rc;
	} cases[] = {
		{"[{\"id\":\"a\",\"names\":[\"x\",\"y\"]}]", "a", "x", 0},
		{"[{\"names\":\"s\",\"id\":\"a\"}]", "a", "s", 0},
		{" [ 1, \"id\", [\"id\",\"a\"], {}, {\"id\":\"b\",\"names\":[\"no\"]}, "
		 "{\"meta\":{\"id\":\"a\"},\"id\":\"a\",\"names\":[\"yes\"]} ]",
		 "a", "yes", 0},
		{"[{\"id\":\"a\"}]", "a", NULL, -ENOENT},
		{"[{\"id\":\"a\",\"names\":[]}]", "a", NULL, -ENOENT},
		{"[{\"id\":\"a\",\"names\":[7]}]", "a", NULL, -ENOENT},
		{"[{\"id\":\"a\",\"names\":[\"\"]}]", "a", NULL, -ENOENT},
		/* the first object of that id decides, as containers/storage keeps one per id */
		{"[{\"id\":\"a\"},{\"id\":\"a\",\"names\":[\"second\"]}]", "a", NULL, -ENOENT},
		{"[{\"id\":\"b\",\"names\":[\"x\"]}]", "a", NULL, -ENOENT},
		{"[]", "a", NULL, -ENOENT},
		{"{\"id\":\"a\",\"names\":[\"x\"]}", "a", NULL, -ENOENT},
		{"[{\"id\":\"a\",", "a", NULL, -EINVAL},
		{"[{\"id\":\"a\",\"id\":\"a\",\"names\":[\"x\"]}]", "a", NULL, -EINVAL},
		{"[{\"id\":\"a\",\"names\":[\"0123456789012345678901234567890123456789\"]}]", "a",
		 NULL, -ENAMETOOLONG},
		{"[{\"id\":\"0123456789012345678901234567890123456789012345678901234567890123456789"
		 "0123456789012345678901234567890123456789012345678901234567890123456789012345678901"
		 "2345678901234567890123456789012345678901234567890123456789012345678901234567890123"
		 "456789\",\"names\":[\"long\"]},{\"id\":\"a\",\"names\":[\"after\"]}]",
		 "a", "after", 0},
	};
	char out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = lookup(cases[i].js, runtime_state_storage_name, cases[i].val, out,
				sizeof(out));

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].rc);
		if (rc == 0)
			assert_string_equal(out, cases[i].want);
	}
}

static void test_conmon_name(void **state)
{
	static const struct {
		const char *name;
		const char *cmd;
		size_t len;
		const char *want;
		int rc;
	} cases[] = {
#define C(s) s, sizeof(s) - 1
		{"short options", C("conmon\0-c\0" P1 "\0-n\0db\0"), "db", 0},
		{"long options", C("conmon\0--cid\0" P1 "\0--name\0web-1\0"), "web-1", 0},
		{"= forms", C("conmon\0--name=x\0--cid=" P1 "\0"), "x", 0},
		{"another container", C("conmon\0-c\0" P2 "\0-n\0db\0"), NULL, -ENOENT},
		{"no name", C("conmon\0-c\0" P1 "\0"), NULL, -ENOENT},
		{"name after --exit-command is podman's",
		 C("conmon\0-c\0" P1 "\0--exit-command\0podman\0-n\0evil\0"), NULL, -ENOENT},
		{"-n last, no value", C("conmon\0-c\0" P1 "\0-n\0"), NULL, -ENOENT},
		{"unterminated", C("conmon\0-c\0" P1 "\0-n\0db"), NULL, -ENOENT},
		{"empty name", C("conmon\0-c\0" P1 "\0-n\0\0"), NULL, -ENOENT},
		{"empty", C(""), NULL, -ENOENT},
#undef C
	};
	char out[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc =
			runtime_state_conmon_name(cases[i].cmd, cases[i].len, P1, out, sizeof(out));

		if (rc != cases[i].rc)
			fail_msg("%s: rc %d", cases[i].name, rc);
		if (rc == 0)
			assert_string_equal(out, cases[i].want);
	}
}

/* Names and confirmations from the fixture state tree. */
static void test_names(void **state)
{
	static const struct {
		const char *path, *runtime, *id, *name;
	} cases[] = {
		{"/docker/" D1, "docker", D1, "web-1"},
		{"/docker/" D1 "/sub", "docker", D1, "web-1"},
		{"/system.slice/docker-" D2 ".scope", "docker", D2, D2}, /* Name not a string */
		{"/docker/" D3, "docker", D3, D3},			 /* no state at all */
		{"/libpod_parent/libpod-" P1, "podman", P1, "db"},
		/* conmon of another id: from containers/storage's containers.json */
		{"/machine.slice/libpod-" P2 ".scope", "podman", P2, "storage-web"},
		{"/cc-runc-fixture", "runc", "cc-runc-fixture", "cc-runc-fixture"},
		{"/cc-crun-fixture/x", "crun", "cc-crun-fixture", "cc-crun-fixture"},
		{"/lxc.payload.web01", "lxc", "web01", "web01"},
		{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" R1 ".scope",
		 "podman", R1,
		 "rootless-web"}, /* rootless: $XDG_RUNTIME_DIR/containers of uid 1000 */
		{"/user.slice/user-1001.slice/user@1001.service/user.slice/libpod-" R1 ".scope",
		 "podman", R1, R1}, /* not the run root of uid 1001 */
	};
	struct resolver_opts o = {.state_root = STATE};
	struct resolver *r;

	assert_int_equal(resolver_new(&o, &r), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_info ci;

		assert_int_equal(resolver_identify_path(r, cases[i].path, &ci), 1);
		if (strcmp(ci.runtime, cases[i].runtime) || strcmp(ci.id, cases[i].id) ||
		    strcmp(ci.name, cases[i].name))
			fail_msg("%s: got %s %s %s", cases[i].path, ci.runtime, ci.id, ci.name);
	}
	resolver_free(r);
}

static void test_lookup_pid(void **state)
{
	struct resolver_opts o = {.state_root = STATE};
	struct resolver *r;
	struct container_info ci;
	char path[256];
	enum proc_cgroup_source src;

	assert_int_equal(resolver_new(&o, &r), 0);
	assert_int_equal(resolver_lookup_pid(r, 4243, &ci), 0);
	assert_true(ci.is_container);
	assert_string_equal(ci.runtime, "docker");
	assert_string_equal(ci.name, "web-1");
	assert_int_equal(resolver_cache_size(r), 1);
	assert_int_equal(resolver_lookup_pid(r, 4243, &ci), 0); /* cached by path */
	assert_int_equal(resolver_cache_size(r), 1);
	assert_int_equal(resolver_lookup_pid(r, 4244, &ci), 0);
	assert_string_equal(ci.runtime, "runc");
	assert_string_equal(ci.id, "cc-runc-fixture");
	assert_int_equal(resolver_lookup_pid(r, 1, &ci), -ESRCH);
	assert_int_equal(resolver_pid_cgroup(r, 4243, path, sizeof(path), &src), 0);
	assert_string_equal(path, "/docker/" D1);
	assert_int_equal(src, PROC_CGROUP_V1);
	resolver_free(r);
}

/* A bare cgroup named by the program that created it, once its state on disk is gone. */
static void test_learn_created(void **state)
{
	static const struct {
		const char *path, *creator, *runtime, *id;
	} cases[] = {
		{"/short-lived-1", "runc", "runc", "short-lived-1"},
		{"/short-lived-2", "crun", "crun", "short-lived-2"},
		{"/short-lived-3", "bash", NULL, NULL},		 /* anyone else: not a container */
		{"/short-lived-4", "runc:[2:INIT]", NULL, NULL}, /* only the runtime itself */
		{"/short-lived-5", "", NULL, NULL},
		/* any cgroupsPath: the last component is the id */
		{"/bars-parent/short-lived-6", "runc", "runc", "short-lived-6"},
		{"/k8s.io/short-lived-7", "crun", "crun", "short-lived-7"},
		/* not below a user's delegated subtree, where anyone names cgroups */
		{"/user.slice/user-1000.slice/user@1000.service/x", "runc", NULL, NULL},
	};
	struct resolver_opts o = {.v2_mount = "", .state_root = STATE, .no_prime = true};
	struct resolver *r;

	assert_int_equal(resolver_new(&o, &r), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cgroup_identity *id;

		resolver_learn_created(r, 500 + i, cases[i].path, strlen(cases[i].path),
				       cases[i].creator);
		id = resolver_lookup(r, 500 + i);
		assert_string_equal(id->path, cases[i].path);
		if (!cases[i].runtime) {
			assert_false(id->ctr.is_container);
			continue;
		}
		assert_true(id->ctr.is_container);
		assert_string_equal(id->ctr.runtime, cases[i].runtime);
		assert_string_equal(id->ctr.id, cases[i].id);
		assert_string_equal(id->ctr.name, cases[i].id);
		assert_int_equal(id->ctr.trust, CONTAINER_TRUST_SYSTEM);
	}
	resolver_free(r);
}

/*
 * runc makes the parents of its cgroupsPath on the way (mkdir -p): a parent it created is
 * named after it at first, and is no container once its child is created by runc too.
 */
static void test_learn_created_parent(void **state)
{
	char dir[] = "/tmp/cc-test-resolver-XXXXXX", sub[64];
	struct resolver_opts o = {.state_root = STATE, .no_prime = true};
	const struct cgroup_identity *id;
	struct resolver *r;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/bars-parent", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(stat(sub, &st), 0);
	o.v2_mount = dir;
	assert_int_equal(resolver_new(&o, &r), 0);
	resolver_learn_created(r, st.st_ino, "/bars-parent", 12, "runc");
	assert_true(resolver_lookup(r, st.st_ino)->ctr.is_container);
	resolver_learn_created(r, 900, "/bars-parent/web", 16, "runc");
	id = resolver_lookup(r, 900);
	assert_true(id->ctr.is_container);
	assert_string_equal(id->ctr.id, "web");
	assert_false(resolver_lookup(r, st.st_ino)->ctr.is_container);
	resolver_free(r);
	rmdir(sub);
	rmdir(dir);
}

/*
 * nspawn's payload/, learnt with the machine's name its arguments gave at the mkdir: named so at
 * once and for good, with no supervisor/ to read (the container may be gone); without it, the
 * unit's name until the supervisor's arguments are read; another creator's name is ignored.
 */
static void test_learn_machine(void **state)
{
	struct resolver_opts o = {.v2_mount = "", .state_root = STATE, .no_prime = true};
	struct resolver *r;
	const struct cgroup_identity *id;

	(void)state;
	assert_int_equal(resolver_new(&o, &r), 0);
	resolver_learn_machine(r, 700, "/ccns-unit/payload", 18, "systemd-nspawn", "web-1");
	id = resolver_lookup(r, 700);
	assert_true(id->ctr.is_container);
	assert_string_equal(id->ctr.runtime, "systemd-nspawn");
	assert_string_equal(id->ctr.id, "ccns-unit");
	assert_string_equal(id->ctr.name, "web-1");
	assert_false(resolver_pending(r, 700));
	resolver_learn_machine(r, 701, "/ccns-unit2/payload", 19, "systemd-nspawn", NULL);
	id = resolver_peek(r, 701, NULL); /* as learnt (a lookup looks for supervisor/ again) */
	assert_true(id->ctr.is_container);
	assert_string_equal(id->ctr.name, "ccns-unit2");
	assert_true(resolver_pending(r, 701));
	/* only nspawn's own payload/ */
	resolver_learn_machine(r, 702, "/ccns-unit3/payload", 19, "bash", "web-3");
	assert_false(resolver_lookup(r, 702)->ctr.is_container);
	resolver_learn_machine(r, 703, "/ccns-unit4/other", 17, "systemd-nspawn", "web-4");
	assert_false(resolver_lookup(r, 703)->ctr.is_container);
	resolver_learn_machine(r, 704, "/user.slice/user-1000.slice/user@1000.service/u/payload",
			       55, "systemd-nspawn", "web-5");
	assert_false(resolver_lookup(r, 704)->ctr.is_container);
	resolver_free(r);
}

/* The hard cap and the LRU order, with learned paths (no v2 hierarchy to fall back on). */
static void test_lru(void **state)
{
	struct resolver_opts o = {.v2_mount = "", .state_root = STATE, .cache_cap = 3};
	struct resolver *r;
	const struct cgroup_identity *id;
	static const char p1[] = "/docker/" D1, p2[] = "/a", p3[] = "/b", p4[] = "/c";

	assert_int_equal(resolver_new(&o, &r), 0);
	resolver_learn(r, 101, p1, strlen(p1));
	resolver_learn(r, 102, p2, strlen(p2));
	resolver_learn(r, 103, p3, strlen(p3));
	assert_int_equal(resolver_cache_size(r), 3);
	id = resolver_lookup(r, 101); /* now the most recent */
	assert_non_null(id->path);
	assert_string_equal(id->path, p1);
	assert_int_equal(id->cgroup_id, 101);
	assert_true(id->ctr.is_container);
	assert_string_equal(id->ctr.name, "web-1");
	resolver_learn(r, 104, p4, strlen(p4)); /* evicts 102, the least recently used */
	assert_int_equal(resolver_cache_size(r), 3);
	id = resolver_lookup(r, 102);
	assert_null(id->path);
	assert_int_equal(id->cgroup_id, 102);
	assert_false(id->ctr.is_container);
	assert_string_equal(resolver_lookup(r, 101)->path, p1);
	assert_string_equal(resolver_lookup(r, 104)->path, p4);
	resolver_forget(r, 104);
	assert_null(resolver_lookup(r, 104)->path);
	assert_int_equal(resolver_cache_size(r), 2);
	/* relearning replaces; a path with a NUL or of length 0 is refused */
	resolver_learn(r, 101, p2, strlen(p2));
	assert_string_equal(resolver_lookup(r, 101)->path, p2);
	assert_false(resolver_lookup(r, 101)->ctr.is_container);
	resolver_learn(r, 105, "/a\0b", 4);
	resolver_learn(r, 106, "/a", 0);
	assert_null(resolver_lookup(r, 105)->path);
	assert_null(resolver_lookup(r, 106)->path);
	/* many ids through a small cache: never above the cap */
	for (uint64_t i = 1000; i < 3000; i++) {
		char p[32];

		snprintf(p, sizeof(p), "/x%llu", (unsigned long long)i);
		resolver_learn(r, i, p, strlen(p));
		assert_true(resolver_cache_size(r) <= 3);
	}
	assert_string_equal(resolver_lookup(r, 2999)->path, "/x2999");
	resolver_free(r);
}

/* A fake v2 hierarchy in a temporary directory, walked by resolver_find. */
static void test_find(void **state)
{
	static const char *const dirs[] = {
		"/docker",
		"/docker/" D1,
		"/docker/" D1 "/sub",
		"/docker/" D3,
		"/system.slice",
		"/system.slice/docker-" D2 ".scope",
		"/libpod_parent",
		"/libpod_parent/libpod-" P1,
		"/cc-runc-fixture",
		"/no-such-runc",
	};
	char root[] = "/tmp/cc-find-XXXXXX", p[512], out[512];
	const struct cgroup_identity *id;
	struct stat st;
	struct resolver_opts o = {.v2_mount = root, .state_root = STATE};
	struct resolver *r;

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	assert_int_equal(resolver_new(&o, &r), 0);
	assert_int_equal(resolver_find(r, "web-1", out, sizeof(out)), 0);
	assert_string_equal(out, "/docker/" D1);
	assert_int_equal(resolver_find(r, "e635e457a541", out, sizeof(out)), 0); /* 12 */
	assert_string_equal(out, "/system.slice/docker-" D2 ".scope");
	/* an id prefix of fewer than 12 characters selects nothing, as with --wait */
	assert_int_equal(resolver_find(r, "e635e457a54", out, sizeof(out)), -ENOENT);
	assert_int_equal(resolver_find(r, "e", out, sizeof(out)), -ENOENT);
	assert_int_equal(resolver_find(r, "db", out, sizeof(out)), 0);
	assert_string_equal(out, "/libpod_parent/libpod-" P1);
	assert_int_equal(resolver_find(r, "cc-runc-fixture", out, sizeof(out)), 0);
	assert_string_equal(out, "/cc-runc-fixture");
	assert_int_equal(resolver_find(r, "76bafdeaa95fa1", out, sizeof(out)), -EEXIST);
	assert_non_null(strstr(out, D1));
	assert_non_null(strstr(out, D3));
	assert_non_null(strchr(out, ','));
	assert_int_equal(resolver_find(r, D3, out, sizeof(out)), 0); /* the full id is exact */
	assert_string_equal(out, "/docker/" D3);
	assert_int_equal(resolver_find(r, "no-such-runc", out, sizeof(out)), -ENOENT);
	assert_int_equal(resolver_find(r, "zzz", out, sizeof(out)), -ENOENT);
	assert_int_equal(resolver_find(r, "", out, sizeof(out)), -EINVAL);
	/* the running ones, by name, to list when a -c finds none: the five containers */
	assert_int_equal(resolver_running(r, out, sizeof(out)), 5);
	assert_non_null(strstr(out, "web-1"));
	assert_non_null(strstr(out, "cc-runc-fixture"));
	assert_null(strstr(out, "no-such-runc"));
	assert_int_equal(resolver_running(r, out, 8), 5); /* cut at a whole name */
	assert_true(strlen(out) < 8);
	/* primed at start with the 6 container cgroups (and sub-cgroups), not the 4 others */
	assert_int_equal(resolver_cache_size(r), 6);
	snprintf(p, sizeof(p), "%s/docker/%s/sub", root, D1);
	assert_int_equal(stat(p, &st), 0);
	for (size_t i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
		snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
		rmdir(p);
	}
	rmdir(root);
	/* gone now, and no v2 lookup could find it: still named, from what priming learned */
	id = resolver_lookup(r, st.st_ino);
	assert_non_null(id->path);
	assert_string_equal(id->path, "/docker/" D1 "/sub");
	assert_string_equal(id->ctr.name, "web-1");
	assert_int_equal(id->ctr.cgroup_len, strlen("/docker/" D1));
	resolver_free(r);
	o.no_prime = true;
	o.v2_mount = "/";
	assert_int_equal(resolver_new(&o, &r), 0);
	assert_int_equal(resolver_cache_size(r), 0);
	resolver_free(r);
	o.v2_mount = "";
	assert_int_equal(resolver_new(&o, &r), 0);
	assert_int_equal(resolver_find(r, "web-1", out, sizeof(out)), -ENODEV);
	resolver_free(r);
}

/* The consumer's side: a first guess from the path, answers published, peeks that read no file. */
static void test_peek_guess_publish(void **state)
{
	struct resolver_opts o = {.v2_mount = "", .state_root = STATE, .no_prime = true};
	const char *path = "/system.slice/docker-" D1 ".scope/sub";
	const struct cgroup_identity *id;
	struct cgroup_identity done = {.cgroup_id = 5, .path = "/elsewhere"};
	struct resolver *r;
	bool due = true;

	assert_int_equal(resolver_new(&o, &r), 0);
	assert_null(resolver_peek(r, 5, &due));
	assert_false(due);
	assert_int_equal(resolver_guess(r, 5, path, strlen(path)), 0);
	id = resolver_peek(r, 5, &due);
	assert_non_null(id);
	assert_false(due); /* asked again a second from now at the soonest */
	assert_true(resolver_pending(r, 5));
	assert_int_equal(id->cgroup_id, 5);
	assert_string_equal(id->path, path);
	assert_true(id->ctr.is_container);
	assert_string_equal(id->ctr.runtime, "docker");
	assert_string_equal(id->ctr.id, D1);
	/* not a container's path: known, as no container */
	assert_int_equal(resolver_guess(r, 6, "/user.slice", 11), 0);
	id = resolver_peek(r, 6, NULL);
	assert_non_null(id);
	assert_false(id->ctr.is_container);
	assert_int_equal(resolver_guess(r, 7, "/a\0b", 4), -EINVAL);
	assert_int_equal(resolver_guess(r, 7, "/a", 0), -EINVAL);
	assert_null(resolver_peek(r, 7, NULL));
	/* an answer replaces the guess, copied (the caller's strings may go) */
	snprintf(done.ctr.name, sizeof(done.ctr.name), "web");
	done.ctr.is_container = true;
	assert_int_equal(resolver_publish(r, 5, &done, false), 0);
	done.path = NULL;
	id = resolver_peek(r, 5, &due);
	assert_string_equal(id->path, "/elsewhere");
	assert_string_equal(id->ctr.name, "web");
	assert_false(resolver_pending(r, 5));
	assert_false(due);
	resolver_forget(r, 5);
	assert_null(resolver_peek(r, 5, NULL));
	assert_int_equal(resolver_cache_size(r), 1);
	resolver_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_cgroup),
		cmocka_unit_test(test_docker_name),
		cmocka_unit_test(test_storage_name),
		cmocka_unit_test(test_conmon_name),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_lookup_pid),
		cmocka_unit_test(test_lru),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_learn_machine),
		cmocka_unit_test(test_learn_created),
		cmocka_unit_test(test_learn_created_parent),
		cmocka_unit_test(test_peek_guess_publish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
