/* Unit tests of the writers of what descriptors were: close's closed_* keys, fd_end, open_fd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_event.h"
#include "format/output.h"

/* An event with room for its tail: a union, as a struct with a flexible array member may not
 * be followed by another member (clang's -Wgnu-variable-sized-type-not-at-end). */
struct rec {
	union {
		struct cc_event ev;
		char bytes[sizeof(struct cc_event) + 64];
	};
};

static void base(struct rec *r, uint32_t type, enum cc_syscall sc)
{
	memset(r, 0, sizeof(*r));
	fixture_event(&r->ev, type, sc);
	r->ev.pidns = 11;
	r->ev.mntns = 12;
	r->ev.utsns = 13;
	strcpy(r->ev.hostname, "web-1");
}

static const struct cgroup_identity runc_web = {
	.cgroup_id = 4711,
	.path = "/web",
	.ctr = {.is_container = true, .runtime = "runc", .id = "web", .name = "web"},
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static char *close_line(struct output *o, const struct fd_origin *closed)
{
	struct rec r;

	base(&r, CC_REC_SYSCALL, CC_SYS_CLOSE);
	r.ev.fd = 5;
	o->buf.len = 0;
	output_event_closing(o, &r.ev, sizeof(r.ev), &runc_web, closed);
	strbuf_addc(&o->buf, '\0');
	return o->buf.buf;
}

static void test_close_json_known(void **state)
{
	struct fd_origin path = {.syscall = CC_SYS_OPENAT2,
				 .text = "/etc/x\nconf",
				 .text_len = 11,
				 .opened_ns = MONO_NS - 2500};
	struct fd_origin peer = {.syscall = CC_SYS_ACCEPT4,
				 .text = "10.0.0.2:4242",
				 .text_len = 13,
				 .is_addr = 1,
				 .opened_ns = MONO_NS - 7};
	struct output o;

	output_init(&o, OUTPUT_JSON, BY_UTS, WALL_NS - MONO_NS);
	assert_non_null(
		strstr(close_line(&o, &path),
		       ",\"fd\":5,\"path\":null,\"flags\":null,\"addr\":null,\"mode\":null,"
		       "\"dirfd\":null,\"resolve\":null,\"closed_path\":\"/etc/x\\nconf\","
		       "\"closed_addr\":null,\"closed_syscall\":\"openat2\",\"lifetime_ns\":2500,"
		       "\"truncated\":false,"));
	assert_non_null(strstr(close_line(&o, &peer),
			       "\"closed_path\":null,\"closed_addr\":\"10.0.0.2:4242\","
			       "\"closed_syscall\":\"accept4\",\"lifetime_ns\":7,"));
	assert_non_null(strstr(close_line(&o, NULL),
			       "\"closed_path\":null,\"closed_addr\":null,\"closed_syscall\":null,"
			       "\"lifetime_ns\":null,"));
	/* a clock that went backwards never gives a huge lifetime */
	path.opened_ns = MONO_NS + 10;
	assert_non_null(strstr(close_line(&o, &path), "\"lifetime_ns\":0,"));
	output_free(&o);
}

static void test_close_keys_only_on_close(void **state)
{
	struct fd_origin path = {.syscall = CC_SYS_OPENAT, .text = "/a", .text_len = 2};
	struct output o;
	struct rec r;

	output_init(&o, OUTPUT_JSON, BY_UTS, WALL_NS - MONO_NS);
	base(&r, CC_REC_SYSCALL, CC_SYS_OPENAT);
	r.ev.ret = 3;
	r.ev.fd = 3;
	output_event_closing(&o, &r.ev, sizeof(r.ev), NULL, &path);
	strbuf_addc(&o.buf, '\0');
	assert_non_null(strstr(o.buf.buf, "\"closed_path\":null,\"closed_addr\":null,"
					  "\"closed_syscall\":null,\"lifetime_ns\":null,"));
	output_free(&o);
}

static void test_close_table(void **state)
{
	struct fd_origin path = {.syscall = CC_SYS_OPENAT, .text = "/etc/x\nconf", .text_len = 11};
	struct output o;
	char *line;
	size_t n;

	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	line = close_line(&o, &path);
	n = strlen(line);
	assert_true(ends_with(line, " 0       fd 5 (/etc/x\\nconf)\n"));
	assert_ptr_equal(strchr(line, '\n'), line + n - 1); /* one line */
	line = close_line(&o, NULL);
	assert_true(ends_with(line, " 0       fd 5\n"));
	output_free(&o);
}

static void test_fd_end(void **state)
{
	struct fd_origin path = {.syscall = CC_SYS_OPEN,
				 .text = "/var/log/a",
				 .text_len = 10,
				 .opened_ns = MONO_NS - 1000000};
	struct output o;
	struct rec r;
	char *line;

	output_init(&o, OUTPUT_JSON, BY_UTS, WALL_NS - MONO_NS);
	base(&r, CC_REC_PROC_EXIT, CC_SYS_MAX);
	output_fd_end(&o, &r.ev, 9, &path, &runc_web);
	strbuf_addc(&o.buf, '\0');
	assert_string_equal(
		o.buf.buf,
		"{\"time\":\"2026-11-29T04:05:06.123456Z\",\"type\":\"fd_end\",\"reason\":\"exit\","
		"\"pid\":1234,\"tid\":1235,\"ppid\":1,\"ns_pid\":7,\"uid\":1000,\"gid\":100,"
		"\"comm\":\"nginx\",\"fd\":9,\"closed_path\":\"/var/log/a\",\"closed_addr\":null,"
		"\"closed_syscall\":\"open\",\"lifetime_ns\":1000000,\"cgroup_id\":4711,"
		"\"cgroup\":\"/web\",\"hostname\":\"web-1\",\"pidns\":11,\"mntns\":12,\"utsns\":13,"
		"\"container_id\":\"web\",\"identity_mismatch\":false,\"container_runtime\":\"runc\","
		"\"container_name\":\"web\",\"container_image\":null,\"k8s_namespace\":null,"
		"\"k8s_pod\":null,\"k8s_pod_uid\":null,\"k8s_container\":null,"
		"\"container_trust\":\"system\",\"host\":false,\"sandbox\":null}\n");
	o.buf.len = 0;
	r.ev.type = CC_REC_PROC_EXEC;
	output_fd_end(&o, &r.ev, 9, &path, &runc_web);
	strbuf_addc(&o.buf, '\0');
	assert_non_null(strstr(o.buf.buf, "\"type\":\"fd_end\",\"reason\":\"exec\","));
	output_free(&o);

	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	output_fd_end(&o, &r.ev, 9, &path, &runc_web);
	strbuf_addc(&o.buf, '\0');
	line = o.buf.buf;
	/* SYSCALL says exec, RET is "-", then the descriptor */
	assert_non_null(strstr(line, " exec     nginx "));
	assert_true(ends_with(line, " -       fd 9 (/var/log/a)\n"));
	output_free(&o);
}

static void test_open_fd(void **state)
{
	struct fd_held h = {
		.pid = 1234,
		.fd = 4,
		.cgroup_id = 4711,
		.comm = "nginx",
		.cloexec = 1,
		.origin = {.syscall = CC_SYS_OPENAT,
			   .text = "/data/\x1b[31m",
			   .text_len = 11,
			   .opened_ns = MONO_NS - 3000000000ull},
	};
	struct output o;

	output_init(&o, OUTPUT_JSON, BY_UTS, WALL_NS - MONO_NS);
	output_leaks_header(&o, 1, 0);
	assert_int_equal(o.buf.len, 0); /* no heading in JSON */
	output_open_fd(&o, &h, MONO_NS, &runc_web);
	strbuf_addc(&o.buf, '\0');
	assert_string_equal(
		o.buf.buf,
		"{\"time\":\"2026-11-29T04:05:06.123456Z\",\"type\":\"open_fd\",\"pid\":1234,"
		"\"comm\":\"nginx\",\"fd\":4,\"syscall\":\"openat\",\"path\":\"/data/\\u001b[31m\","
		"\"addr\":null,\"cloexec\":true,\"opened\":\"2026-11-29T04:05:03.123456Z\","
		"\"age_ns\":3000000000,\"cgroup_id\":4711,\"cgroup\":\"/web\","
		"\"container_id\":\"web\",\"container_runtime\":\"runc\",\"container_name\":\"web\","
		"\"container_image\":null,\"k8s_namespace\":null,\"k8s_pod\":null,"
		"\"k8s_pod_uid\":null,\"k8s_container\":null,\"sandbox\":null}\n");
	output_free(&o);

	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	output_leaks_header(&o, 1, 90000000000ull);
	output_open_fd(&o, &h, MONO_NS, NULL);
	strbuf_addc(&o.buf, '\0');
	assert_string_equal(o.buf.buf,
			    "\nDescriptors still open that were opened while tracing: 1 older than "
			    "1m30s\n"
			    "CONTAINER        RUNTIME    PID     COMM             FD     AGE       "
			    "SYSCALL  PATH/ADDR\n"
			    "-                -          1234    nginx            4      3.0s      "
			    "openat   /data/\\x1b[31m\n");
	output_free(&o);
}

/* The AGE column's units, from milliseconds to days. */
static void test_ages(void **state)
{
	static const struct {
		uint64_t ns;
		const char *age;
	} cases[] = {
		{850000000ull, "850ms"},       {12345000000ull, "12.3s"},
		{303000000000ull, "5m03s"},    {7440000000000ull, "2h04m"},
		{277200000000000ull, "3d05h"},
	};
	struct fd_held h = {.pid = 1, .fd = 3, .comm = "x", .origin = {.text = "/", .text_len = 1}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct output o;
		char want[64];

		output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
		h.origin.opened_ns = MONO_NS * 1000 - cases[i].ns;
		output_open_fd(&o, &h, MONO_NS * 1000, NULL);
		strbuf_addc(&o.buf, '\0');
		snprintf(want, sizeof(want), " %s ", cases[i].age);
		assert_non_null(strstr(o.buf.buf, want));
		output_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_json_known),
		cmocka_unit_test(test_close_keys_only_on_close),
		cmocka_unit_test(test_close_table),
		cmocka_unit_test(test_fd_end),
		cmocka_unit_test(test_open_fd),
		cmocka_unit_test(test_ages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
