/* Unit tests of the table and JSON writers on hand-made events. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_event.h"
#include "format/output.h"

/* 2026-11-29T04:05:06.123456Z as a monotonic stamp of 1000 s plus this offset */

/* An event with room for its tail: a union, as a struct with a flexible array member may not
 * be followed by another member (clang's -Wgnu-variable-sized-type-not-at-end). */
struct rec {
	union {
		struct cc_event ev;
		char bytes[sizeof(struct cc_event) + 256];
	};
};

static void base_event(struct rec *r, enum cc_syscall sc)
{
	memset(r, 0, sizeof(*r));
	fixture_event(&r->ev, CC_REC_SYSCALL, sc);
	r->ev.pidns = 4026532001u;
	r->ev.mntns = 4026532002u;
	r->ev.utsns = 4026532003u;
	strcpy(r->ev.hostname, "6643ca763e3e");
}

static void set_tail(struct rec *r, const void *p, size_t n)
{
	memcpy(r->ev.tail, p, n);
	r->ev.tail_len = (uint16_t)n;
}

static char *render(struct output *o, const struct rec *r, const struct cgroup_identity *id)
{
	size_t size = sizeof(r->ev) + r->ev.tail_len;

	o->buf.len = 0;
	output_event(o, &r->ev, size, id);
	strbuf_addc(&o->buf, '\0');
	return o->buf.buf;
}

static const struct cgroup_identity docker = {
	.cgroup_id = 4711,
	.path = "/system.slice/docker-6643ca763e3e0000000000000000000000000000000000000000000000000000.scope",
	.ctr = {.is_container = true,
		.runtime = "docker",
		.id = "6643ca763e3e0000000000000000000000000000000000000000000000000000",
		.name = "web"},
};

static void test_json_open(void **state)
{
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_JSON, BY_UTS, WALL_NS - MONO_NS);
	base_event(&r, CC_SYS_OPENAT);
	r.ev.ret = 3;
	r.ev.fd = 3;
	r.ev.flags = 01 | 0100 | 02000000; /* O_WRONLY|O_CREAT|O_CLOEXEC */
	r.ev.mode = 0644;
	r.ev.status = CC_ST_HAS_MODE;
	set_tail(&r, "/etc/nginx/x.conf", 17);
	assert_string_equal(
		render(&o, &r, &docker),
		"{\"time\":\"2026-11-29T04:05:06.123456Z\",\"type\":\"event\",\"syscall\":\"openat\",\"via\":\"syscall\","
		"\"pid\":1234,\"tid\":1235,\"ppid\":1,\"ns_pid\":7,\"uid\":1000,\"gid\":100,"
		"\"comm\":\"nginx\",\"ret\":3,\"errno\":null,\"fd\":3,\"path\":\"/etc/nginx/x.conf\","
		"\"flags\":\"O_WRONLY|O_CREAT|O_CLOEXEC\",\"addr\":null,\"mode\":\"0644\","
		"\"dirfd\":null,\"resolve\":null,\"closed_path\":null,\"closed_addr\":null,"
		"\"closed_syscall\":null,\"lifetime_ns\":null,\"truncated\":false,\"cgroup_id\":4711,"
		"\"cgroup\":\"/system.slice/"
		"docker-6643ca763e3e0000000000000000000000000000000000000000000000000000.scope\","
		"\"hostname\":\"6643ca763e3e\",\"pidns\":4026532001,\"mntns\":4026532002,"
		"\"utsns\":4026532003,"
		"\"container_id\":\"6643ca763e3e0000000000000000000000000000000000000000000000000000\","
		"\"identity_mismatch\":false,\"container_runtime\":\"docker\","
		"\"container_name\":\"web\",\"container_image\":null,\"k8s_namespace\":null,"
		"\"k8s_pod\":null,\"k8s_pod_uid\":null,\"k8s_container\":null,"
		"\"container_trust\":\"system\",\"host\":false,\"sandbox\":null}\n");
	/* a container in a gVisor sandbox says so */
	{
		struct cgroup_identity sb = docker;

		strcpy(sb.ctr.sandbox, "gvisor");
		assert_non_null(
			strstr(render(&o, &r, &sb), "\"host\":false,\"sandbox\":\"gvisor\"}\n"));
	}
	output_free(&o);
}

/* openat2 whose struct open_how could not be read: flags, mode and resolve unknown, not 0. */
static void test_json_openat2_how_unreadable(void **state)
{
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_JSON, BY_UTS, WALL_NS - MONO_NS);
	base_event(&r, CC_SYS_OPENAT2);
	r.ev.ret = -14;
	r.ev.dirfd = 5;
	r.ev.status = CC_ST_HOW_UNREADABLE | CC_ST_HAS_DIRFD;
	set_tail(&r, "etc", 3);
	assert_non_null(strstr(render(&o, &r, NULL),
			       ",\"errno\":\"EFAULT\",\"fd\":null,\"path\":\"etc\",\"flags\":null,"
			       "\"addr\":null,\"mode\":null,\"dirfd\":5,\"resolve\":null,"));
	/* the same call with its how read: O_RDONLY and no resolve flags, said as such */
	r.ev.status = CC_ST_HAS_DIRFD;
	assert_non_null(strstr(render(&o, &r, NULL),
			       ",\"path\":\"etc\",\"flags\":\"O_RDONLY\",\"addr\":null,"
			       "\"mode\":null,\"dirfd\":5,\"resolve\":\"0\","));
	/* a mode the kernel side set is not shown when the how it came from was unread */
	r.ev.status = CC_ST_HOW_UNREADABLE | CC_ST_HAS_MODE;
	assert_non_null(strstr(render(&o, &r, NULL), ",\"flags\":null,\"addr\":null,\"mode\":null,"
						     "\"dirfd\":null,\"resolve\":null,"));
	output_free(&o);
}

static void test_json_failed_connect_host(void **state)
{
	struct cgroup_identity host = {.cgroup_id = 1, .path = "/"};
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(80)};
	struct output o;
	struct rec r;
	char *line;

	output_init(&o, OUTPUT_JSON, BY_UTS, WALL_NS - MONO_NS);
	base_event(&r, CC_SYS_CONNECT);
	r.ev.ret = -111;
	r.ev.fd = 5;
	r.ev.status = CC_ST_PIDNS_HOST | CC_ST_HOST;
	sin.sin_addr.s_addr = htonl(0x0a000001);
	set_tail(&r, &sin, sizeof(sin));
	line = render(&o, &r, &host);
	assert_non_null(strstr(line,
			       "\"ret\":-111,\"errno\":\"ECONNREFUSED\",\"fd\":5,\"path\":null,"
			       "\"flags\":null,\"addr\":\"10.0.0.1:80\",\"mode\":null"));
	assert_non_null(strstr(line, "\"cgroup\":\"/\""));
	assert_non_null(strstr(line, "\"container_id\":null,\"identity_mismatch\":false,"
				     "\"container_runtime\":null,\"container_name\":null,"
				     "\"container_image\":null,\"k8s_namespace\":null,"
				     "\"k8s_pod\":null,\"k8s_pod_uid\":null,\"k8s_container\":null,"
				     "\"container_trust\":null,\"host\":true,\"sandbox\":null}\n"));
	/* the tests' key: the kernel's verdict beside the host key, null when it had none */
	o.kernel_host_key = 1;
	assert_non_null(strstr(render(&o, &r, &host),
			       "\"host\":true,\"sandbox\":null,\"kernel_host\":true}\n"));
	r.ev.status = CC_ST_PIDNS_HOST | CC_ST_HOST_UNSURE;
	assert_non_null(strstr(render(&o, &r, &host),
			       "\"host\":true,\"sandbox\":null,\"kernel_host\":null}\n"));
	output_free(&o);
}

static void test_json_mismatch_and_unresolved(void **state)
{
	struct cgroup_identity host = {.cgroup_id = 1, .path = "/"};
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	base_event(&r, CC_SYS_CLOSE);
	r.ev.fd = 9;
	/* own namespaces but a host cgroup: nsenter, or bare unshare */
	assert_non_null(strstr(render(&o, &r, &host), "\"identity_mismatch\":true"));
	assert_non_null(strstr(render(&o, &r, &host), "\"host\":false"));
	/* nothing resolved: null, not a guess */
	assert_non_null(strstr(render(&o, &r, NULL), "\"cgroup\":null,"));
	assert_non_null(strstr(render(&o, &r, NULL), "\"identity_mismatch\":null"));
	output_free(&o);
}

static void test_json_hostile_and_unreadable(void **state)
{
	struct output o;
	struct rec r;
	char *line;

	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	base_event(&r, CC_SYS_OPEN);
	r.ev.ret = -2;
	strcpy(r.ev.comm, "a\"b\n\x1b");
	set_tail(&r, "x\n\xff\"", 4);
	line = render(&o, &r, NULL);
	assert_non_null(strstr(line, "\"comm\":\"a\\\"b\\n\\u001b\""));
	assert_non_null(strstr(line, "\"path\":\"x\\n\\udcff\\\"\""));
	assert_non_null(strstr(line, "\"errno\":\"ENOENT\""));
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1); /* one line */
	r.ev.status = CC_ST_TAIL_UNREADABLE;
	r.ev.tail_len = 0;
	assert_non_null(strstr(render(&o, &r, NULL), "\"path\":null"));
	output_free(&o);
}

static void test_json_record_shorter_than_tail(void **state)
{
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	base_event(&r, CC_SYS_OPENAT);
	set_tail(&r, "/abcdef", 7);
	r.ev.tail_len = 200; /* claims more than the record holds: only what is there is read */
	o.buf.len = 0;
	output_event(&o, &r.ev, sizeof(r.ev) + 4, NULL);
	strbuf_addc(&o.buf, '\0');
	assert_non_null(strstr(o.buf.buf, "\"path\":\"/abc\""));
	output_free(&o);
}

/* found by fuzz_output: a return value no kernel gives must not overflow when negated */
static void test_json_ret_out_of_errno_range(void **state)
{
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	base_event(&r, CC_SYS_CLOSE);
	r.ev.ret = INT64_MIN;
	assert_non_null(
		strstr(render(&o, &r, NULL), "\"ret\":-9223372036854775808,\"errno\":null"));
	r.ev.ret = -4096;
	assert_non_null(strstr(render(&o, &r, NULL), "\"errno\":null"));
	r.ev.ret = -4095;
	assert_non_null(strstr(render(&o, &r, NULL), "\"errno\":4095"));
	output_free(&o);
}

static void test_table(void **state)
{
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_TABLE, BY_UTS, WALL_NS - MONO_NS);
	o.utc = 1;
	output_header(&o);
	strbuf_addc(&o.buf, '\0');
	assert_string_equal(o.buf.buf,
			    "TIME     HOSTNAME         PID     UID   GID   SYSCALL  COMM  "
			    "           CONTAINER        RUNTIME    RET     PATH/ADDR\n");
	base_event(&r, CC_SYS_OPENAT);
	r.ev.ret = -2;
	set_tail(&r, "/etc/a\nb", 8);
	assert_string_equal(
		render(&o, &r, &docker),
		"04:05:06 6643ca763e3e     1234    1000  100   openat   nginx            "
		"web              docker     ENOENT  /etc/a\\nb\n");
	base_event(&r, CC_SYS_CLOSE);
	r.ev.fd = 42;
	assert_string_equal(
		render(&o, &r, NULL),
		"04:05:06 6643ca763e3e     1234    1000  100   close    nginx            "
		"-                -          0       fd 42\n");
	output_free(&o);
}

/* Wide characters take two columns, combining marks none: the columns after them stay aligned. */
static void test_table_display_widths(void **state)
{
	static const struct {
		const char *comm, *cell;
	} cases[] = {
		{"nginx", "nginx            -"},
		{"\xe4\xb8\xad\xe6\x96\x87\xe5\x90\x8d",
		 "\xe4\xb8\xad\xe6\x96\x87\xe5\x90\x8d           -"},
		{"e\xcc\x81t\xc3\xa9", "e\xcc\x81t\xc3\xa9              -"},
		{"\xf0\x9f\x98\x80x", "\xf0\x9f\x98\x80x              -"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct output o;
		struct rec r;

		output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
		base_event(&r, CC_SYS_CLOSE);
		strcpy(r.ev.comm, cases[i].comm);
		assert_non_null(strstr(render(&o, &r, NULL), cases[i].cell));
		output_free(&o);
	}
}

static void test_table_keys(void **state)
{
	static const struct {
		enum id_key by;
		const char *header, *cell;
	} cases[] = {
		{BY_CGROUP, "CGROUPID", "4711             "},
		{BY_PIDNS, "PIDNS", "4026532001       "},
		{BY_MNTNS, "MNTNS", "4026532002       "},
		{BY_UTS, "HOSTNAME", "6643ca763e3e     "},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct output o;
		struct rec r;

		output_init(&o, OUTPUT_TABLE, cases[i].by, 0);
		output_header(&o);
		strbuf_addc(&o.buf, '\0');
		assert_memory_equal(o.buf.buf + 9, cases[i].header, strlen(cases[i].header));
		base_event(&r, CC_SYS_OPENAT);
		assert_memory_equal(render(&o, &r, NULL) + 9, cases[i].cell, 17);
		output_free(&o);
	}
}

static void test_table_container_id_short(void **state)
{
	struct cgroup_identity runc = {
		.path = "/abc",
		.ctr = {.is_container = true,
			.runtime = "runc",
			.id = "cc-test-123456789012345",
			.name = "cc-test-123456789012345"},
	};
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	base_event(&r, CC_SYS_CLOSE);
	/* a name that is only the id is shown as docker shows ids: 12 characters */
	assert_non_null(strstr(render(&o, &r, &runc), " cc-test-1234     runc "));
	output_free(&o);
}

/* A Kubernetes container shows as namespace/pod/container; the sandbox as namespace/pod/POD; a
 * pod's path with no engine's state has runtime "?" in the table and null in JSON. */
static void test_table_kubernetes(void **state)
{
	struct cgroup_identity pod = {
		.path = "/kubepods/besteffort/pod0b1f7a52-5d3c-4b6e-9d1a-2f3e4c5d6e7f/abc",
		.ctr = {.is_container = true,
			.runtime = "containerd",
			.id = "abc",
			.name = "abc",
			.k8s_namespace = "shop",
			.k8s_pod = "cart-7d9f",
			.k8s_container = "redis"},
	};
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	base_event(&r, CC_SYS_CLOSE);
	assert_non_null(strstr(render(&o, &r, &pod), " shop/cart-7d9f/redis containerd "));
	pod.ctr.k8s_container[0] = '\0';
	pod.ctr.k8s_sandbox = true;
	assert_non_null(strstr(render(&o, &r, &pod), " shop/cart-7d9f/POD containerd "));
	memset(pod.ctr.k8s_pod, 0, sizeof(pod.ctr.k8s_pod));
	pod.ctr.runtime[0] = '\0';
	assert_non_null(strstr(render(&o, &r, &pod), " abc"
						     "              "
						     "?          "));
	output_free(&o);
	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	assert_non_null(strstr(render(&o, &r, &pod), "\"container_runtime\":null,"));
	output_free(&o);
}

/* A user's delegated cgroup named like a system container: shown after its owner's uid. */
static void test_table_user_delegated(void **state)
{
	struct cgroup_identity user = {
		.path = "/user.slice/user-1000.slice/user@1000.service/app.slice/docker-ab.scope",
		.ctr = {.is_container = true,
			.runtime = "docker",
			.id = "ab",
			.name = "web",
			.trust = CONTAINER_TRUST_USER_DELEGATED,
			.owner_uid = 1000},
	};
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	base_event(&r, CC_SYS_CLOSE);
	assert_non_null(strstr(render(&o, &r, &user), " ~1000:web        docker "));
	user.ctr.trust = CONTAINER_TRUST_SYSTEM;
	assert_non_null(strstr(render(&o, &r, &user), " web              docker "));
	output_free(&o);
}

/* Rootless podman with no cgroup of its own: its container named from the user's state (trust
   "user", after the owner's uid in the table), and podman's own processes, host processes that
   carry the engine and no container. */
static void test_rootless(void **state)
{
	struct cgroup_identity ctr = {
		.path = "/",
		.ctr = {.is_container = true,
			.runtime = "podman",
			.id = "ab",
			.name = "web",
			.trust = CONTAINER_TRUST_USER,
			.owner_uid = 1000},
	};
	struct cgroup_identity own = {
		.path = "/",
		.ctr = {.runtime = "podman", .trust = CONTAINER_TRUST_USER, .owner_uid = 1000},
	};
	struct output o;
	struct rec r;

	(void)state;
	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	base_event(&r, CC_SYS_CLOSE);
	assert_non_null(strstr(render(&o, &r, &ctr), " ~1000:web        podman "));
	assert_non_null(strstr(render(&o, &r, &own), " -                podman "));
	output_free(&o);
	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	assert_non_null(strstr(render(&o, &r, &ctr),
			       "\"container_id\":\"ab\",\"identity_mismatch\":false,"
			       "\"container_runtime\":\"podman\",\"container_name\":\"web\","));
	assert_non_null(
		strstr(render(&o, &r, &ctr), "\"container_trust\":\"user\",\"host\":false,"));
	r.ev.status = CC_ST_PIDNS_HOST | CC_ST_USERNS | CC_ST_HOST_UNSURE;
	assert_non_null(strstr(render(&o, &r, &own),
			       "\"container_id\":null,\"identity_mismatch\":false,"
			       "\"container_runtime\":\"podman\",\"container_name\":null,"));
	assert_non_null(
		strstr(render(&o, &r, &own), "\"container_trust\":\"user\",\"host\":true,"));
	/* the same identity without the engine's trust is no engine's process */
	own.ctr.trust = CONTAINER_TRUST_SYSTEM;
	assert_non_null(strstr(render(&o, &r, &own), "\"container_runtime\":null,"));
	output_free(&o);
}

static void test_lost_record(void **state)
{
	struct output o;

	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	output_lost(&o, 17, 40);
	strbuf_addc(&o.buf, '\0');
	assert_non_null(strstr(o.buf.buf, "\"type\":\"lost\",\"lost\":17,\"lost_total\":40}\n"));
	output_free(&o);
	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	output_lost(&o, 17, 40);
	assert_int_equal(o.buf.len, 0);
	output_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_open),
		cmocka_unit_test(test_json_openat2_how_unreadable),
		cmocka_unit_test(test_json_failed_connect_host),
		cmocka_unit_test(test_json_mismatch_and_unresolved),
		cmocka_unit_test(test_json_hostile_and_unreadable),
		cmocka_unit_test(test_json_record_shorter_than_tail),
		cmocka_unit_test(test_json_ret_out_of_errno_range),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_display_widths),
		cmocka_unit_test(test_rootless),
		cmocka_unit_test(test_table_keys),
		cmocka_unit_test(test_table_container_id_short),
		cmocka_unit_test(test_table_kubernetes),
		cmocka_unit_test(test_table_user_delegated),
		cmocka_unit_test(test_lost_record),
	};
	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
