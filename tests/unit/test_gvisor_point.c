/* Unit tests of gVisor's remote-sink messages into events: bytes encoded by hand as the Sentry
   writes them, messages packed by protobuf-c, and hostile bytes (random and mutated) that must
   be refused or decoded within bounds, never crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sys/syscall.h>

#include "cmd/commands.h"
#include "gvisor.pb-c.h"
#include "trace/gvisor_point.h"

static _Alignas(8) unsigned char evbuf[GVISOR_EVENT_MAX];
static struct cc_event *const ev = (struct cc_event *)evbuf;

/* A protobuf varint of v at p: its length. */
static size_t varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

/* A field: its key (number, wire type) and a varint, or length-delimited bytes. */
static size_t fvar(unsigned char *p, int num, uint64_t v)
{
	size_t n = varint(p, (uint64_t)num << 3);

	return n + varint(p + n, v);
}

static size_t fbytes(unsigned char *p, int num, const void *b, size_t len)
{
	size_t n = varint(p, (uint64_t)num << 3 | 2);

	n += varint(p + n, len);
	memcpy(p + n, b, len);
	return n + len;
}

static size_t header(unsigned char *p, uint16_t type, uint32_t dropped)
{
	uint16_t size = 8;

	memcpy(p, &size, 2);
	memcpy(p + 2, &type, 2);
	memcpy(p + 4, &dropped, 4);
	return 8;
}

/* The context of pid 10, tid 12, container "abc", uid 1000, gid 100, comm cat, at 5 s. */
static size_t context(unsigned char *p)
{
	unsigned char cred[16], *q = p;
	size_t c = fvar(cred, 1, 1000);

	c += fvar(cred + c, 4, 100);
	q += fvar(q, 1, 5000000000ull);
	q += fvar(q, 2, 12);
	q += fvar(q, 4, 10);
	q += fbytes(q, 6, "abc", 3);
	q += fbytes(q, 7, cred, c);
	q += fbytes(q, 9, "cat", 3);
	return (size_t)(q - p);
}

/* An Open message: openat(AT_FDCWD, path, O_RDONLY|O_CLOEXEC) = result, or -errorno. */
static size_t open_msg(unsigned char *p, uint64_t sysno, const char *path, int64_t result,
		       int64_t errorno)
{
	unsigned char ctx[128], ex[32], *q = p;
	size_t e = fvar(ex, 1, (uint64_t)result);

	if (errorno)
		e += fvar(ex + e, 2, (uint64_t)errorno);
	q += header(q, GVISOR_MSG_OPEN, 5);
	q += fbytes(q, 1, ctx, context(ctx));
	q += fbytes(q, 2, ex, e);
	q += fvar(q, 3, sysno);
	q += fvar(q, 4, (uint64_t)(int64_t)AT_FDCWD); /* a negative int64: ten bytes */
	q += fbytes(q, 6, path, strlen(path));
	q += fvar(q, 7, O_CLOEXEC);
	return (size_t)(q - p);
}

static void test_open(void **state)
{
	unsigned char m[256];
	struct gvisor_point pt;
	size_t size, n = open_msg(m, SYS_openat, "/etc/hosts", 3, 0);

	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), 0);
	assert_int_equal(size, sizeof(*ev) + 10);
	assert_int_equal(ev->type, CC_REC_SYSCALL);
	assert_int_equal(ev->syscall, CC_SYS_OPENAT);
	assert_int_equal(ev->via, CC_VIA_GVISOR);
	assert_int_equal(ev->pid, 10);
	assert_int_equal(ev->ns_pid, 10);
	assert_int_equal(ev->tid, 12);
	assert_int_equal(ev->uid, 1000);
	assert_int_equal(ev->gid, 100);
	assert_string_equal(ev->comm, "cat");
	assert_int_equal(ev->ret, 3);
	assert_int_equal(ev->fd, 3);
	assert_int_equal(ev->flags, O_CLOEXEC);
	assert_int_equal(ev->status, 0); /* AT_FDCWD: no dirfd; no O_CREAT: no mode */
	assert_int_equal(ev->tail_len, 10);
	assert_memory_equal(ev->tail, "/etc/hosts", 10);
	assert_int_equal(ev->cgroup_id, 0);
	assert_string_equal(pt.container_id, "abc");
	assert_int_equal(pt.dropped, 5);
	assert_int_equal(pt.time_ns, 5000000000ll);
}

static void test_open_failed_and_kinds(void **state)
{
	unsigned char m[256];
	struct gvisor_point pt;
	size_t size, n = open_msg(m, SYS_openat, "/nope", 0, ENOENT);

	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), 0);
	assert_int_equal(ev->ret, -ENOENT);
	assert_int_equal(ev->fd, -1);
#ifdef SYS_open
	n = open_msg(m, SYS_open, "/x", 4, 0);
	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), 0);
	assert_int_equal(ev->syscall, CC_SYS_OPEN);
#endif
#ifdef SYS_creat
	n = open_msg(m, SYS_creat, "/x", 4, 0);
	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), 0);
	assert_int_equal(ev->syscall, CC_SYS_OPEN); /* creat is the open it is */
#endif
	/* an Open message of another call's number is not one */
	n = open_msg(m, SYS_close, "/x", 4, 0);
	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), -EBADMSG);
	/* an errno out of the kernel's range */
	n = open_msg(m, SYS_openat, "/x", 0, 4096);
	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), -EBADMSG);
}

/* Pack a protobuf-c message behind a header of type into m: the whole length. */
static size_t packed(unsigned char *m, uint16_t type, const ProtobufCMessage *msg)
{
	size_t n = header(m, type, 0);

	return n + protobuf_c_message_pack(msg, m + n);
}

static void test_close_connect_accept(void **state)
{
	unsigned char m[512];
	struct gvisor_point pt;
	size_t size;
	Ccgv__ContextData cd = CCGV__CONTEXT_DATA__INIT;
	Ccgv__Exit ex = CCGV__EXIT__INIT;
	Ccgv__Close c = CCGV__CLOSE__INIT;
	Ccgv__Connect co = CCGV__CONNECT__INIT;
	Ccgv__Accept ac = CCGV__ACCEPT__INIT;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(80)};

	cd.thread_group_id = cd.thread_id = 7;
	cd.container_id = "ctr";
	cd.process_name = "a-comm-longer-than-fifteen";
	c.context_data = co.context_data = ac.context_data = &cd;
	c.exit = co.exit = ac.exit = &ex;
	c.sysno = SYS_close;
	c.fd = 9;
	assert_int_equal(
		gvisor_point_decode(m, packed(m, GVISOR_MSG_CLOSE, &c.base), ev, &size, &pt), 0);
	assert_int_equal(ev->syscall, CC_SYS_CLOSE);
	assert_int_equal(ev->fd, 9);
	assert_int_equal(ev->ret, 0);
	assert_string_equal(ev->comm, "a-comm-longer-t"); /* cut to 15 bytes */
	co.sysno = SYS_connect;
	co.fd = 4;
	co.address.data = (uint8_t *)&sin;
	co.address.len = sizeof(sin);
	assert_int_equal(
		gvisor_point_decode(m, packed(m, GVISOR_MSG_CONNECT, &co.base), ev, &size, &pt), 0);
	assert_int_equal(ev->syscall, CC_SYS_CONNECT);
	assert_int_equal(ev->fd, 4);
	assert_int_equal(ev->tail_len, sizeof(sin));
	assert_memory_equal(ev->tail, &sin, sizeof(sin));
	ac.sysno = SYS_accept4;
	ac.fd = 3;
	ac.flags = SOCK_CLOEXEC;
	ac.address = co.address;
	ex.result = 6;
	assert_int_equal(
		gvisor_point_decode(m, packed(m, GVISOR_MSG_ACCEPT, &ac.base), ev, &size, &pt), 0);
	assert_int_equal(ev->syscall, CC_SYS_ACCEPT4);
	assert_int_equal(ev->fd, 6);
	assert_int_equal(ev->flags, SOCK_CLOEXEC);
	assert_int_equal(size, sizeof(*ev) + sizeof(sin));
	/* a container id no runtime gives */
	cd.container_id = "../../etc";
	assert_int_equal(
		gvisor_point_decode(m, packed(m, GVISOR_MSG_CLOSE, &c.base), ev, &size, &pt),
		-EBADMSG);
	cd.container_id = "ctr";
	cd.thread_id = -1;
	assert_int_equal(
		gvisor_point_decode(m, packed(m, GVISOR_MSG_CLOSE, &c.base), ev, &size, &pt),
		-EBADMSG);
	cd.thread_id = 7;
	/* a point at the call's entry (no exit) and a point of another kind: ignored */
	c.exit = NULL;
	assert_int_equal(
		gvisor_point_decode(m, packed(m, GVISOR_MSG_CLOSE, &c.base), ev, &size, &pt),
		-ENOMSG);
	assert_int_equal(
		gvisor_point_decode(m, packed(m, 6 /* raw syscall */, &c.base), ev, &size, &pt),
		-ENOMSG);
}

static void test_long_path(void **state)
{
	static unsigned char m[8000];
	static char path[5000];
	struct gvisor_point pt;
	size_t size, n;

	memset(path, 'a', sizeof(path) - 1);
	n = open_msg(m, SYS_openat, path, 3, 0);
	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), 0);
	assert_int_equal(ev->tail_len, CC_PATH_MAX);
	assert_true(ev->status & CC_ST_TAIL_TRUNCATED);
	assert_int_equal(size, GVISOR_EVENT_MAX);
}

static void test_bad_headers(void **state)
{
	static unsigned char m[GVISOR_MSG_MAX + 2];
	struct gvisor_point pt;
	size_t size, n = open_msg(m, SYS_openat, "/x", 3, 0);
	uint16_t hs;

	assert_int_equal(gvisor_point_decode(m, 0, ev, &size, &pt), -EBADMSG);
	assert_int_equal(gvisor_point_decode(m, 7, ev, &size, &pt), -EBADMSG);
	assert_int_equal(gvisor_point_decode(m, GVISOR_MSG_MAX + 1, ev, &size, &pt), -EMSGSIZE);
	hs = 4; /* smaller than a header */
	memcpy(m, &hs, 2);
	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), -EBADMSG);
	hs = (uint16_t)(n + 1); /* beyond the message */
	memcpy(m, &hs, 2);
	assert_int_equal(gvisor_point_decode(m, n, ev, &size, &pt), -EBADMSG);
	/* a larger header (a newer sink's): its known part read, the rest skipped */
	memmove(m + 12, m + 8, n - 8);
	hs = 12;
	memcpy(m, &hs, 2);
	assert_int_equal(gvisor_point_decode(m, n + 4, ev, &size, &pt), 0);
	assert_memory_equal(ev->tail, "/x", 2);
	/* a payload that does not parse */
	memset(m + 8, 0xff, 32);
	hs = 8;
	memcpy(m, &hs, 2);
	assert_int_equal(gvisor_point_decode(m, 40, ev, &size, &pt), -EBADMSG);
}

/* Random and mutated bytes: refused or decoded within bounds, never a crash (ASan and
   valgrind see any read out of bounds). */
static void test_hostile(void **state)
{
	static unsigned char m[4096], good[256];
	static const uint16_t types[] = {GVISOR_MSG_OPEN, GVISOR_MSG_CLOSE, GVISOR_MSG_CONNECT,
					 GVISOR_MSG_ACCEPT};
	struct gvisor_point pt;
	size_t size, glen = open_msg(good, SYS_openat, "/etc/hosts", 3, 0);
	unsigned int seed = 12345, decoded = 0, refused = 0;

	for (int i = 0; i < 200000; i++) {
		size_t n;
		int rc;

		if (i & 1) { /* a valid message with a few bytes changed, cut or not */
			memcpy(m, good, glen);
			for (int k = 0; k < 1 + rand_r(&seed) % 4; k++)
				m[8 + rand_r(&seed) % (glen - 8)] = (unsigned char)rand_r(&seed);
			n = glen - (size_t)(rand_r(&seed) % 3 == 0 ? rand_r(&seed) % glen : 0);
		} else { /* a header of a read type, random bytes after it */
			n = 8 + (size_t)rand_r(&seed) % 300;
			for (size_t k = 0; k < n; k++)
				m[k] = (unsigned char)rand_r(&seed);
			header(m, types[rand_r(&seed) % 4], 0);
		}
		rc = gvisor_point_decode(m, n, ev, &size, &pt);
		assert_true(rc == 0 || rc == -ENOMSG || rc == -EBADMSG);
		if (rc) {
			refused++;
			continue;
		}
		decoded++;
		assert_true(size == sizeof(*ev) + ev->tail_len && size <= GVISOR_EVENT_MAX);
		assert_true(ev->syscall < CC_SYS_MAX);
		assert_true(ev->comm[CC_COMM_LEN - 1] == '\0');
		assert_true(strlen(pt.container_id) < CONTAINER_ID_LEN);
		assert_true(ev->ret >= -4095);
	}
	assert_true(decoded > 0);
	assert_true(refused > 0);
}

static void test_handshake(void **state)
{
	unsigned char out[16];

	assert_int_equal(gvisor_handshake_version("\x08\x01", 2), 1);
	assert_int_equal(gvisor_handshake_version("\x08\x07", 2), 7);
	assert_int_equal(gvisor_handshake_version("", 0), 0);
	assert_int_equal(gvisor_handshake_version("\xff\xff\xff", 3), -EBADMSG);
	assert_int_equal(gvisor_handshake_reply(out, sizeof(out)), 2);
	assert_memory_equal(out, "\x08\x01", 2);
	assert_int_equal(gvisor_handshake_reply(out, 1), -ENOSPC);
}

static void test_config(void **state)
{
	char *text;
	json_t *v, *pts;
	json_error_t e;
	size_t i;

	assert_int_equal(gvisor_config_json("/run/cc.sock", &text), 0);
	v = json_loads(text, 0, &e);
	assert_non_null(v);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(v, "trace_session"), "sinks")
				? json_object_get(
					  json_array_get(
						  json_object_get(
							  json_object_get(v, "trace_session"),
							  "sinks"),
						  0),
					  "config")
				: NULL,
			"endpoint")),
		"/run/cc.sock");
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(
				json_object_get(json_object_get(v, "trace_session"), "sinks"), 0),
			"name")),
		"remote");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(v, "trace_session"), "name")),
		"Default");
	pts = json_object_get(json_object_get(v, "trace_session"), "points");
	assert_int_equal(json_array_size(pts), 7);
	for (i = 0; i < json_array_size(pts); i++) {
		const char *name =
			json_string_value(json_object_get(json_array_get(pts, i), "name"));
		json_t *ctx = json_object_get(json_array_get(pts, i), "context_fields");
		char all[256] = "";

		assert_non_null(name);
		assert_true(strncmp(name, "syscall/", 8) == 0);
		assert_true(strlen(name) > 5 && strcmp(name + strlen(name) - 5, "/exit") == 0);
		for (size_t k = 0; k < json_array_size(ctx); k++) {
			strcat(all, json_string_value(json_array_get(ctx, k)));
			strcat(all, " ");
		}
		assert_string_equal(
			all, "time thread_id group_id container_id credentials process_name ");
	}
	json_decref(v);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_open_failed_and_kinds),
		cmocka_unit_test(test_close_connect_accept),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
