/* Unit tests of the Kubernetes facts: from cgroup paths, annotations, and the fixture state tree.
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

#include "enrich/engine_state.h"
#include "enrich/json_read.h"
#include "enrich/k8s.h"
#include "enrich/resolver.h"
#include "enrich/selector.h"

#define STATE "tests/fixtures/state"
#define C61   "c61a6b63af945523b9d7ea62b70044433dd0c948a26779d552c07452d8bc308e"
#define SB    "1f0e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4"
#define CR    "75cc361045a454da38b0a2ef6d7205d4af4a0af48e162213c1276b42727fd107"
#define IN    "2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80912"
#define DK    "0fb528759e2931d3d32d92bd22cac0b151cf5c6756e250a2d9b9f10427f36e46"

static void test_from_path(void **state)
{
	static const struct {
		const char *path, *uid, *qos;
	} cases[] = {
		{"/kubepods/besteffort/pod53928f4d-55b8-478a-b964-42e62e5c9541/" CR,
		 "53928f4d-55b8-478a-b964-42e62e5c9541", "besteffort"},
		{"/kubepods/burstable/pod9739cf6f-e174-45ff-ad8f-864905cb229d/x",
		 "9739cf6f-e174-45ff-ad8f-864905cb229d", "burstable"},
		{"/kubepods/podbb0935c6-81a7-471f-8b82-2731b08f9e47/x",
		 "bb0935c6-81a7-471f-8b82-2731b08f9e47", "guaranteed"},
		{"/kubepods.slice/kubepods-burstable.slice/"
		 "kubepods-burstable-pod9a9140dd_c9e6_4276_a25a_8d956101613e.slice/"
		 "cri-containerd-" C61 ".scope",
		 "9a9140dd-c9e6-4276-a25a-8d956101613e", "burstable"},
		{"/kubepods.slice/kubepods-pod1046b571_be59_4d91_90e3_2e39e17e0c35.slice/x.scope",
		 "1046b571-be59-4d91-90e3-2e39e17e0c35", "guaranteed"},
		{"/kubepods.slice/kubepods-besteffort.slice/"
		 "kubepods-besteffort-pod8b1eac09_4366_4498_8f2c_2b2caa1618ea.slice/crio-x.scope",
		 "8b1eac09-4366-4498-8f2c-2b2caa1618ea", "besteffort"},
		/* not a pod: no kubepods above, a short uid, a QoS class alone */
		{"/besteffort/pod53928f4d-55b8-478a-b964-42e62e5c9541/x", NULL, NULL},
		{"/kubepods/besteffort/pod53928f4d-55b8-478a-b964/x", NULL, NULL},
		{"/kubepods/besteffort", NULL, NULL},
		{"/kubepods/besteffort/podZZ928f4d-55b8-478a-b964-42e62e5c9541/x", NULL, NULL},
		{"/docker/" DK, NULL, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_info ci = {0};
		int rc = k8s_from_path(cases[i].path, &ci);

		if (!cases[i].uid) {
			if (rc != 0 || ci.k8s_pod_uid[0] || ci.k8s_qos[0])
				fail_msg("%s: want no pod, got %s %s", cases[i].path,
					 ci.k8s_pod_uid, ci.k8s_qos);
			continue;
		}
		assert_int_equal(rc, 1);
		assert_string_equal(ci.k8s_pod_uid, cases[i].uid);
		assert_string_equal(ci.k8s_qos, cases[i].qos);
	}
	assert_int_equal(k8s_from_path(NULL, &(struct container_info){0}), 0);
	assert_int_equal(k8s_from_path("relative/kubepods", &(struct container_info){0}), 0);
}

static json_t *parse(const char *text)
{
	json_t *v = NULL;

	assert_int_equal(json_read_text(text, strlen(text), &v), 0);
	return v;
}

static void test_from_annotations(void **state)
{
	struct container_info ci = {0};
	json_t *v;

	/* containerd, a workload */
	v = parse(
		"{\"io.kubernetes.cri.sandbox-name\":\"p\",\"io.kubernetes.cri.sandbox-namespace\":"
		"\"ns\",\"io.kubernetes.cri.sandbox-uid\":\"u\",\"io.kubernetes.cri.container-name\":"
		"\"c\",\"io.kubernetes.cri.container-type\":\"container\","
		"\"io.kubernetes.cri.image-name\":\"img:1\"}");
	assert_int_equal(k8s_from_annotations(v, &ci), 1);
	assert_string_equal(ci.k8s_pod, "p");
	assert_string_equal(ci.k8s_namespace, "ns");
	assert_string_equal(ci.k8s_pod_uid, "u");
	assert_string_equal(ci.k8s_container, "c");
	assert_string_equal(ci.image, "img:1");
	assert_false(ci.k8s_sandbox);
	json_decref(v);

	/* CRI-O's infra container: the sandbox; its "POD" is no container name */
	memset(&ci, 0, sizeof(ci));
	v = parse("{\"io.kubernetes.pod.name\":\"p\",\"io.kubernetes.pod.namespace\":\"ns\","
		  "\"io.kubernetes.container.name\":\"POD\",\"io.kubernetes.cri-o.ContainerType\":"
		  "\"sandbox\"}");
	assert_int_equal(k8s_from_annotations(v, &ci), 1);
	assert_true(ci.k8s_sandbox);
	assert_string_equal(ci.k8s_container, "");
	assert_string_equal(ci.k8s_pod, "p");
	json_decref(v);

	/* hostile values: not strings, empty, too long; no pod name: nothing */
	memset(&ci, 0, sizeof(ci));
	v = parse("{\"io.kubernetes.pod.name\":7,\"io.kubernetes.cri.sandbox-name\":\"\"}");
	assert_int_equal(k8s_from_annotations(v, &ci), 0);
	json_decref(v);
	{
		char big[600];
		char text[800];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		snprintf(
			text, sizeof(text),
			"{\"io.kubernetes.pod.name\":\"p\",\"io.kubernetes.container.name\":\"%s\"}",
			big);
		v = parse(text);
		assert_int_equal(k8s_from_annotations(v, &ci), 1);
		assert_string_equal(ci.k8s_container, "");
		json_decref(v);
	}
	v = parse("[\"io.kubernetes.pod.name\"]");
	assert_int_equal(k8s_from_annotations(v, &ci), 0);
	json_decref(v);
	assert_int_equal(k8s_from_annotations(NULL, &ci), 0);
}

/* Through the resolver, from the fixture state tree shaped as each engine keeps it. */
static void test_resolve_state(void **state)
{
	static const struct {
		const char *path, *runtime, *id, *name, *image, *ns, *pod, *uid, *container, *qos;
		bool sandbox;
	} cases[] = {
		{"/kubepods/burstable/pod9739cf6f-e174-45ff-ad8f-864905cb229d/" C61, "containerd",
		 C61, C61, "docker.io/library/redis:7.2", "shop", "cart-7d9f8b6c5-x2x4q",
		 "9739cf6f-e174-45ff-ad8f-864905cb229d", "redis", "burstable", false},
		{"/kubepods/burstable/pod9739cf6f-e174-45ff-ad8f-864905cb229d/" SB, "containerd",
		 SB, SB, "", "shop", "cart-7d9f8b6c5-x2x4q", "9739cf6f-e174-45ff-ad8f-864905cb229d",
		 "", "burstable", true},
		{"/kubepods/besteffort/pod53928f4d-55b8-478a-b964-42e62e5c9541/crio-" CR, "cri-o",
		 CR, CR, "registry.k8s.io/coredns/coredns:v1.11.1", "kube-system",
		 "coredns-5dd5756b68-9tz8m", "53928f4d-55b8-478a-b964-42e62e5c9541", "coredns",
		 "besteffort", false},
		{"/kubepods/besteffort/pod53928f4d-55b8-478a-b964-42e62e5c9541/" IN, "cri-o", IN,
		 IN, "", "kube-system", "coredns-5dd5756b68-9tz8m",
		 "53928f4d-55b8-478a-b964-42e62e5c9541", "", "besteffort", true},
		/* cri-dockerd's labels on a docker container under a --cgroup-parent */
		{"/bars/" DK, "docker", DK,
		 "k8s_web_frontend-5c7f_web_e08c8283-a2de-4003-a408-a648b2ba5b39_0", "nginx:1.25",
		 "web", "frontend-5c7f", "e08c8283-a2de-4003-a408-a648b2ba5b39", "web", "", false},
		/* a pod's path and no state: the uid and QoS class from the path, no engine */
		{"/kubepods/podbb0935c6-81a7-471f-8b82-2731b08f9e47/"
		 "a491a6a6f2ee580deb395b0887deee1133a59e898e89c7af7b5d2f62f242b174",
		 "", "a491a6a6f2ee580deb395b0887deee1133a59e898e89c7af7b5d2f62f242b174",
		 "a491a6a6f2ee580deb395b0887deee1133a59e898e89c7af7b5d2f62f242b174", "", "", "",
		 "bb0935c6-81a7-471f-8b82-2731b08f9e47", "", "guaranteed", false},
		{"/default/cc-ctr-plain", "containerd", "cc-ctr-plain", "cc-ctr-plain", "", "", "",
		 "", "", "", false},
	};
	struct resolver_opts o = {.state_root = STATE, .no_prime = true};
	struct resolver *r;

	assert_int_equal(resolver_new(&o, &r), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_info ci;

		assert_int_equal(resolver_identify_path(r, cases[i].path, &ci), 1);
		if (strcmp(ci.runtime, cases[i].runtime) || strcmp(ci.id, cases[i].id) ||
		    strcmp(ci.name, cases[i].name) || strcmp(ci.image, cases[i].image) ||
		    strcmp(ci.k8s_namespace, cases[i].ns) || strcmp(ci.k8s_pod, cases[i].pod) ||
		    strcmp(ci.k8s_pod_uid, cases[i].uid) ||
		    strcmp(ci.k8s_container, cases[i].container) ||
		    strcmp(ci.k8s_qos, cases[i].qos) || ci.k8s_sandbox != cases[i].sandbox)
			fail_msg("%s: got %s|%s|%s|%s|%s|%s|%s|%s|%s|%d", cases[i].path, ci.runtime,
				 ci.id, ci.name, ci.image, ci.k8s_namespace, ci.k8s_pod,
				 ci.k8s_pod_uid, ci.k8s_container, ci.k8s_qos, ci.k8s_sandbox);
	}
	resolver_free(r);
}

/* --state-dir: KIND=/DIR in front of the defaults; anything else refused. */
static void test_dirs(void **state)
{
	struct engine_dirs d;

	engine_dirs_defaults(&d);
	assert_string_equal(d.dir[ENGINE_CONTAINERD][0], "/run/containerd");
	assert_string_equal(d.dir[ENGINE_CONTAINERD][1], "/run/docker/containerd/daemon");
	assert_string_equal(d.dir[ENGINE_DOCKER][0], "/var/lib/docker");
	assert_int_equal(engine_dirs_add(&d, "containerd=/run/k0s/containerd"), 0);
	assert_string_equal(d.dir[ENGINE_CONTAINERD][0], "/run/k0s/containerd");
	assert_string_equal(d.dir[ENGINE_CONTAINERD][1], "/run/containerd");
	assert_int_equal(engine_dirs_add(&d, "cri-o=/x"), 0);
	assert_string_equal(d.dir[ENGINE_CRIO][0], "/x");
	assert_int_equal(engine_dirs_add(&d, "containerd=relative"), -EINVAL);
	assert_int_equal(engine_dirs_add(&d, "podman=/x"), -EINVAL);
	assert_int_equal(engine_dirs_add(&d, "=/x"), -EINVAL);
	assert_int_equal(engine_dirs_add(&d, "docker"), -EINVAL);
	assert_int_equal(engine_dirs_add(&d, "docker="), -EINVAL);
	for (int i = 0; i < ENGINE_DIRS_MAX - 1; i++)
		assert_int_equal(engine_dirs_add(&d, "docker=/d"), 0);
	assert_int_equal(engine_dirs_add(&d, "docker=/d"), -E2BIG);
}

/* The waiting filters on identities written by hand. */
static void test_selector(void **state)
{
	struct container_info app = {.is_container = true,
				     .runtime = "containerd",
				     .id = C61,
				     .name = C61,
				     .k8s_namespace = "shop",
				     .k8s_pod = "cart",
				     .k8s_container = "redis"};
	struct container_info web = {
		.is_container = true, .runtime = "docker", .id = DK, .name = "web"};
	struct container_info host = {0};
	struct selector none = {0}, by_name = {.container = "web"}, by_k8s = {.container = "redis"},
			by_short = {.container = "0fb528759e29"},
			too_short = {.container = "0fb52875"}, by_id = {.container = DK},
			pod = {.pod = "cart"}, ns = {.k8s_namespace = "shop"},
			both = {.pod = "cart", .k8s_namespace = "shop"},
			wrong_ns = {.pod = "cart", .k8s_namespace = "lab"};

	assert_false(selector_active(&none));
	assert_false(selector_active(NULL));
	assert_true(selector_active(&pod));
	assert_true(selector_match(&by_name, &web));
	assert_false(selector_match(&by_name, &app));
	assert_true(selector_match(&by_k8s, &app));
	assert_true(selector_match(&by_short, &web));
	assert_false(selector_match(&too_short, &web));
	assert_true(selector_match(&by_id, &web));
	assert_true(selector_match(&pod, &app));
	assert_false(selector_match(&pod, &web));
	assert_true(selector_match(&ns, &app));
	assert_true(selector_match(&both, &app));
	assert_false(selector_match(&wrong_ns, &app));
	/* the host is never selected, whatever its fields say */
	strcpy(host.k8s_pod, "cart");
	assert_false(selector_match(&pod, &host));
	assert_false(selector_match(&pod, NULL));
}

/* The one rule of -c (with --wait and without): names and ids exactly, id prefixes of 12 or more.
 */
static void test_selector_names(void **state)
{
	struct container_info app = {.is_container = true,
				     .runtime = "containerd",
				     .id = C61,
				     .name = C61,
				     .k8s_container = "redis"};
	struct container_info web = {
		.is_container = true, .runtime = "docker", .id = DK, .name = "web"};

	assert_int_equal(selector_names("web", &web), SELECTOR_EXACT);
	assert_int_equal(selector_names(DK, &web), SELECTOR_EXACT);
	assert_int_equal(selector_names("redis", &app), SELECTOR_EXACT); /* Kubernetes' name */
	assert_int_equal(selector_names("0fb528759e29", &web), SELECTOR_PREFIX);
	assert_int_equal(selector_names("0fb528759e2", &web), SELECTOR_NONE); /* 11 characters */
	assert_int_equal(selector_names("0", &web), SELECTOR_NONE);
	assert_int_equal(selector_names("", &web), SELECTOR_NONE);
	assert_int_equal(selector_names("we", &web), SELECTOR_NONE); /* names are whole */
	assert_int_equal(selector_names("redis", &web), SELECTOR_NONE);
}

/* writes text at root/rel, making the directories */
static void put(const char *root, const char *rel, const char *text)
{
	char p[512], cmd[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	if (!text)
		return;
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Hostile state files: a symlink, a FIFO, not JSON, wrong types: never followed, never blocks,
 * never taken for what they are not. */
static void test_hostile_state(void **state)
{
	char root[] = "/tmp/cc-test-k8s-XXXXXX", p[512], cmd[600];
	struct engine_dirs d;
	struct container_info ci;
	const char *task = "run/containerd/io.containerd.runtime.v2.task/k8s.io";

	assert_non_null(mkdtemp(root));
	engine_dirs_defaults(&d);
	/* config.json a symlink to a valid spec elsewhere: not followed */
	put(root, "elsewhere.json", "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":\"x\"}}");
	put(root, "run/containerd/io.containerd.runtime.v2.task/k8s.io/link/x", NULL);
	snprintf(p, sizeof(p), "%s/%s/link/config.json", root, task);
	assert_int_equal(symlink("../../../../../elsewhere.json", p), 0);
	assert_int_equal(access(p, R_OK), 0); /* it does lead to a readable spec */
	memset(&ci, 0, sizeof(ci));
	assert_int_equal(engine_state_lookup(root, &d, "link", NULL, false, &ci), 0);
	/* a FIFO: refused without blocking */
	put(root, "run/containerd/io.containerd.runtime.v2.task/k8s.io/fifo/x", NULL);
	snprintf(p, sizeof(p), "%s/%s/fifo/config.json", root, task);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(engine_state_lookup(root, &d, "fifo", NULL, false, &ci), 0);
	/* not JSON, duplicate keys */
	put(root, "run/containerd/io.containerd.runtime.v2.task/k8s.io/bad/config.json", "{\"a\":");
	assert_int_equal(engine_state_lookup(root, &d, "bad", NULL, false, &ci), 0);
	put(root, "run/containerd/io.containerd.runtime.v2.task/k8s.io/dup/config.json",
	    "{\"annotations\":{},\"annotations\":{}}");
	assert_int_equal(engine_state_lookup(root, &d, "dup", NULL, false, &ci), 0);
	/* wrong types: the container is containerd's, with no pod */
	put(root, "run/containerd/io.containerd.runtime.v2.task/k8s.io/types/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":[1],"
	    "\"io.kubernetes.cri.container-name\":7},\"linux\":{\"cgroupsPath\":5}}");
	memset(&ci, 0, sizeof(ci));
	assert_int_equal(engine_state_lookup(root, &d, "types", "/x/types", false, &ci), 1);
	assert_string_equal(ci.runtime, "containerd");
	assert_string_equal(ci.k8s_pod, "");
	assert_string_equal(ci.k8s_container, "");
	/* a spec recording another cgroup: not this container */
	put(root, "run/containerd/io.containerd.runtime.v2.task/k8s.io/other/config.json",
	    "{\"linux\":{\"cgroupsPath\":\"/a/other\"}}");
	assert_int_equal(engine_state_lookup(root, &d, "other", "/b/other", false, &ci), 0);
	assert_int_equal(engine_state_lookup(root, &d, "other", "/a/other", false, &ci), 1);
	/* before their state file, runc and crun have made exec.fifo; an empty state dir is
	   nothing */
	put(root, "run/runc/early/x", NULL);
	snprintf(p, sizeof(p), "%s/run/runc/early/exec.fifo", root);
	assert_int_equal(mkfifo(p, 0600), 0);
	memset(&ci, 0, sizeof(ci));
	assert_int_equal(engine_state_lookup(root, &d, "early", "/early", false, &ci), 1);
	assert_string_equal(ci.runtime, "runc");
	put(root, "run/crun/early2/x", NULL);
	snprintf(p, sizeof(p), "%s/run/crun/early2/exec.fifo", root);
	assert_int_equal(mkfifo(p, 0600), 0);
	memset(&ci, 0, sizeof(ci));
	assert_int_equal(engine_state_lookup(root, &d, "early2", "/early2", false, &ci), 1);
	assert_string_equal(ci.runtime, "crun");
	put(root, "run/runc/empty/x", NULL);
	assert_int_equal(engine_state_lookup(root, &d, "empty", "/empty", false, &ci), 0);
	/* ids that would leave the directory */
	assert_int_equal(engine_state_lookup(root, &d, "..", NULL, false, &ci), 0);
	assert_int_equal(engine_state_lookup(root, &d, "a/b", NULL, false, &ci), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_path),     cmocka_unit_test(test_from_annotations),
		cmocka_unit_test(test_resolve_state), cmocka_unit_test(test_dirs),
		cmocka_unit_test(test_selector),      cmocka_unit_test(test_selector_names),
		cmocka_unit_test(test_hostile_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
