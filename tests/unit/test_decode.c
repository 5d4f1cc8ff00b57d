/* Unit tests for open/resolve/accept flag names, errno names and sockaddr formatting. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "format/decode.h"

struct flags_case {
	uint64_t v;
	const char *want;
};

/* The kernel's values, in octal as the kernel writes them; x86_64 and generic. */
static const struct flags_case open_cases[] = {
	{0, "O_RDONLY"},
	{01, "O_WRONLY"},
	{02, "O_RDWR"},
	{03, "O_ACCMODE"},
	{02000000, "O_RDONLY|O_CLOEXEC"},
	{01 | 0100 | 01000 | 02000000, "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC"},
	{02 | 0100 | 0200, "O_RDWR|O_CREAT|O_EXCL"},
	{0400, "O_RDONLY|O_NOCTTY"},
	{01 | 02000, "O_WRONLY|O_APPEND"},
	{04000, "O_RDONLY|O_NONBLOCK"},
	{010000, "O_RDONLY|O_DSYNC"},
	{04010000, "O_RDONLY|O_SYNC"},
	{04000000, "O_RDONLY|0x100000"}, /* __O_SYNC without O_DSYNC's bit is not O_SYNC */
	{020000, "O_RDONLY|FASYNC"},
	{01000000, "O_RDONLY|O_NOATIME"},
	{010000000 | 02000000, "O_RDONLY|O_CLOEXEC|O_PATH"},
	{02 | 020200000, "O_RDWR|O_TMPFILE"},
	{02 | 020200000 | 0200, "O_RDWR|O_EXCL|O_TMPFILE"},
	{020000000, "O_RDONLY|0x400000"}, /* __O_TMPFILE alone */
	{0x80000000u, "O_RDONLY|0x80000000"},
	{1ull << 40 | 01, "O_WRONLY|0x10000000000"},
	{0xffffffffffffffffull,
	 "O_ACCMODE|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|FASYNC|O_DIRECT|"
	 "O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|0xffffffffff80003c"},
#if defined(__aarch64__)
	{040000, "O_RDONLY|O_DIRECTORY"},
	{0100000, "O_RDONLY|O_NOFOLLOW"},
	{0200000, "O_RDONLY|O_DIRECT"},
	{0400000, "O_RDONLY|O_LARGEFILE"},
	{0200000 | 0100000 | 040000 | 02000000,
	 "O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC|O_DIRECT"},
#else
	{040000, "O_RDONLY|O_DIRECT"},
	{0100000, "O_RDONLY|O_LARGEFILE"},
	{0200000, "O_RDONLY|O_DIRECTORY"},
	{0400000, "O_RDONLY|O_NOFOLLOW"},
	{0200000 | 0400000 | 02000000 | 04000,
	 "O_RDONLY|O_NONBLOCK|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC"},
	{0100000 | 0200000 | 02000000, "O_RDONLY|O_LARGEFILE|O_DIRECTORY|O_CLOEXEC"},
#endif
};

static const struct flags_case resolve_cases[] = {
	{0, "0"},
	{0x01, "RESOLVE_NO_XDEV"},
	{0x02, "RESOLVE_NO_MAGICLINKS"},
	{0x04, "RESOLVE_NO_SYMLINKS"},
	{0x08, "RESOLVE_BENEATH"},
	{0x10, "RESOLVE_IN_ROOT"},
	{0x20, "RESOLVE_CACHED"},
	{0x0c, "RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH"},
	{0x3f, "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH|"
	       "RESOLVE_IN_ROOT|RESOLVE_CACHED"},
	{0x40, "0x40"},
	{0x41, "RESOLVE_NO_XDEV|0x40"},
	{1ull << 63, "0x8000000000000000"},
};

static const struct flags_case accept_cases[] = {
	{0, "0"},
	{04000, "SOCK_NONBLOCK"},
	{02000000, "SOCK_CLOEXEC"},
	{02004000, "SOCK_CLOEXEC|SOCK_NONBLOCK"},
	{1, "0x1"},
	{02000001, "SOCK_CLOEXEC|0x1"},
};

static void check_flags(void (*fn)(struct strbuf *, uint64_t), const struct flags_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct strbuf b = {0};

		strbuf_adds(&b, ">");
		fn(&b, c[i].v);
		strbuf_addc(&b, 0);
		assert_string_equal(b.buf + 1, c[i].want);
		strbuf_free(&b);
	}
}

static void test_open_flags(void **state)
{
	(void)state;
	check_flags(decode_open_flags, open_cases, sizeof(open_cases) / sizeof(open_cases[0]));
}

static void test_resolve_flags(void **state)
{
	(void)state;
	check_flags(decode_resolve_flags, resolve_cases,
		    sizeof(resolve_cases) / sizeof(resolve_cases[0]));
}

static void test_accept_flags(void **state)
{
	(void)state;
	check_flags(decode_accept_flags, accept_cases,
		    sizeof(accept_cases) / sizeof(accept_cases[0]));
}

static const struct {
	int err;
	const char *want;
} errno_cases[] = {
	{1, "EPERM"},
	{2, "ENOENT"},
	{11, "EAGAIN"},
	{13, "EACCES"},
	{22, "EINVAL"},
	{24, "EMFILE"},
	{35, "EDEADLK"},
	{40, "ELOOP"},
	{41, NULL},
	{58, NULL},
	{95, "EOPNOTSUPP"},
	{98, "EADDRINUSE"},
	{110, "ETIMEDOUT"},
	{111, "ECONNREFUSED"},
	{115, "EINPROGRESS"},
	{133, "EHWPOISON"},
	{134, NULL},
	{0, NULL},
	{-2, NULL},
	{512, "ERESTARTSYS"},
	{513, "ERESTARTNOINTR"},
	{514, "ERESTARTNOHAND"},
	{515, NULL},
	{516, "ERESTART_RESTARTBLOCK"},
	{524, "ENOTSUPP"},
	{525, NULL},
	{4095, NULL},
	{2147483647, NULL},
	{-2147483647 - 1, NULL},
};

static void test_errno_names(void **state)
{
	size_t i;
	int e;

	(void)state;
	for (i = 0; i < sizeof(errno_cases) / sizeof(errno_cases[0]); i++) {
		const char *got = decode_errno_name(errno_cases[i].err);

		if (!errno_cases[i].want)
			assert_null(got);
		else
			assert_string_equal(got, errno_cases[i].want);
	}
	/* Every number 1..133 against the C library's own names (the generic Linux table). */
	for (e = 1; e <= 133; e++) {
		const char *libc = strerrorname_np(e);
		const char *got = decode_errno_name(e);

		if (!libc) {
			assert_null(got);
			continue;
		}
		assert_non_null(got);
		assert_string_equal(got, libc);
	}
}

struct addr_case {
	const char *name;
	unsigned char sa[128];
	size_t len;
	int ret;
	const char *want;
};

/* sa_family_t in host byte order. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FAM(f) (unsigned char)((f) >> 8), (unsigned char)((f)&0xff)
#else
#define FAM(f) (unsigned char)((f)&0xff), (unsigned char)((f) >> 8)
#endif

static const struct addr_case addr_cases[] = {
	{"v4", {FAM(2), 0, 80, 1, 2, 3, 4}, 16, 0, "1.2.3.4:80"},
	{"v4 any", {FAM(2), 0, 0, 0, 0, 0, 0}, 16, 0, "0.0.0.0:0"},
	{"v4 max", {FAM(2), 0xff, 0xff, 255, 255, 255, 255}, 16, 0, "255.255.255.255:65535"},
	{"v4 8 bytes", {FAM(2), 0x1f, 0x90, 127, 0, 0, 1}, 8, 0, "127.0.0.1:8080"},
	{"v4 short", {FAM(2), 0, 80, 1, 2, 3}, 7, -EINVAL, ""},
	{"v6 loopback", {FAM(10), 0, 80, 0, 0, 0, 0, [23] = 1}, 28, 0, "[::1]:80"},
	{"v6 any", {FAM(10)}, 28, 0, "[::]:0"},
	{"v6 scope",
	 {FAM(10), 0, 80, 0, 0, 0, 0, 0xfe, 0x80, [23] = 1, [24] = 2},
	 28,
	 0,
	 "[fe80::1%2]:80"},
	{"v6 scope big",
	 {FAM(10), 0, 80, 0, 0, 0, 0, 0xfe, 0x80, [23] = 1, [24] = 0xff, 0xff, 0xff, 0xff},
	 28,
	 0,
	 "[fe80::1%4294967295]:80"},
	{"v6 rfc2133 24 bytes",
	 {FAM(10), 0, 80, 0, 0, 0, 0, 0xfe, 0x80, [23] = 1},
	 24,
	 0,
	 "[fe80::1]:80"},
	{"v6 short", {FAM(10)}, 23, -EINVAL, ""},
	{"v6 mapped",
	 {FAM(10), 0, 80, 0, 0, 0, 0, [18] = 0xff, 0xff, 1, 2, 3, 4},
	 28,
	 0,
	 "[::ffff:1.2.3.4]:80"},
	{"v6 mapped zero", {FAM(10), 0, 80, [18] = 0xff, 0xff}, 28, 0, "[::ffff:0.0.0.0]:80"},
	{"v6 compat not mixed", {FAM(10), 0, 80, [20] = 1, 2, 3, 4}, 28, 0, "[::102:304]:80"},
	{"v6 doc",
	 {FAM(10), 1, 0xbb, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, [23] = 1},
	 28,
	 0,
	 "[2001:db8::1]:443"},
	{"v6 leading zeros",
	 {FAM(10), 0, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xa0, [23] = 1},
	 28,
	 0,
	 "[2001:db8:a0::1]:1"},
	{"v6 single zero kept",
	 {FAM(10), 0, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1},
	 28,
	 0,
	 "[2001:db8:0:1:1:1:1:1]:1"},
	{"v6 longest run",
	 {FAM(10), 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3},
	 28,
	 0,
	 "[1:0:0:2::3]:1"},
	{"v6 tie first",
	 {FAM(10), 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4},
	 28,
	 0,
	 "[1::2:0:0:3:4]:1"},
	{"v6 trailing run",
	 {FAM(10), 0, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8},
	 28,
	 0,
	 "[2001:db8::]:1"},
	{"v6 no zero",
	 {FAM(10), 0,	 1,    0,    0,	   0,	 0,    0xab, 0xcd, 0xab, 0xcd, 0xab,
	  0xcd,	   0xab, 0xcd, 0xab, 0xcd, 0xab, 0xcd, 0xab, 0xcd, 0xab, 0xcd},
	 28,
	 0,
	 "[abcd:abcd:abcd:abcd:abcd:abcd:abcd:abcd]:1"},
	{"unix path", {FAM(1), '/', 't', 'm', 'p', '/', 's', 0}, 9, 0, "unix:/tmp/s"},
	{"unix path no nul", {FAM(1), '/', 't', 'm', 'p', '/', 's'}, 8, 0, "unix:/tmp/s"},
	{"unix path garbage after nul", {FAM(1), '/', 'a', 0, 'x', 'y'}, 110, 0, "unix:/a"},
	{"unix unnamed", {FAM(1)}, 2, 0, "unix:"},
	{"unix abstract", {FAM(1), 0, 'n', 'a', 'm', 'e'}, 7, 0, "unix:@name"},
	{"unix abstract nul inside", {FAM(1), 0, 'a', 0, 'b', 0}, 7, 0, "unix:@a@b@"},
	{"unix abstract empty", {FAM(1), 0}, 3, 0, "unix:@"},
	{"unix raw bytes", {FAM(1), '/', 0x1b, '\n', 0xff}, 6, 0, "unix:/\x1b\n\xff"},
	{"unspec", {FAM(0)}, 2, 0, "family:0"},
	{"netlink", {FAM(16)}, 12, 0, "family:16"},
	{"vsock", {FAM(40)}, 16, 0, "family:40"},
	{"big family", {FAM(0xffff)}, 2, 0, "family:65535"},
	{"too short", {2}, 1, -EINVAL, ""},
	{"empty", {0}, 0, -EINVAL, ""},
};

static void test_sockaddr(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct strbuf b = {0};
		int ret;

		strbuf_adds(&b, ">");
		ret = decode_sockaddr(&b, c->sa, c->len);
		strbuf_addc(&b, 0);
		if (ret != c->ret || strcmp(b.buf + 1, c->want))
			print_message("case \"%s\" fails\n", c->name);
		assert_int_equal(ret, c->ret);
		assert_string_equal(b.buf + 1, c->want);
		strbuf_free(&b);
	}
}

/* Real structures from the C library's headers, to catch a wrong offset. */
static void test_sockaddr_structs(void **state)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(8443)};
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(53)};
	struct sockaddr_un su = {.sun_family = AF_UNIX};
	struct strbuf b = {0};

	(void)state;
	inet_pton(AF_INET, "10.0.0.255", &s4.sin_addr);
	assert_int_equal(decode_sockaddr(&b, &s4, sizeof(s4)), 0);
	strbuf_addc(&b, ' ');
	inet_pton(AF_INET6, "fe80::abcd:1", &s6.sin6_addr);
	s6.sin6_scope_id = 7;
	s6.sin6_flowinfo = 0xffffffff;
	assert_int_equal(decode_sockaddr(&b, &s6, sizeof(s6)), 0);
	strbuf_addc(&b, ' ');
	memset(su.sun_path, 'p', sizeof(su.sun_path)); /* no NUL at all: stops at the struct */
	assert_int_equal(decode_sockaddr(&b, &su, sizeof(su)), 0);
	strbuf_addc(&b, 0);
	assert_int_equal(strlen(b.buf), strlen("10.0.0.255:53 [fe80::abcd:1%7]:8443 unix:") + 108);
	assert_memory_equal(b.buf, "10.0.0.255:53 [fe80::abcd:1%7]:8443 unix:ppp", 44);
	strbuf_free(&b);
}

/* Random addresses against the C library's inet_ntop, which also follows RFC 5952 except that
 * it writes IPv4-compatible addresses (first 96 bits zero) in mixed notation. */
static void test_sockaddr_v6_random(void **state)
{
	uint64_t s = 0x243f6a8885a308d3ull;
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
		char want[INET6_ADDRSTRLEN + 16], ntop[INET6_ADDRSTRLEN];
		struct strbuf b = {0};
		int i, zero6 = 1;

		for (i = 0; i < 8; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			/* Mostly zero groups, to exercise the compression. */
			sa.sin6_addr.s6_addr[2 * i] = s % 3 ? 0 : s >> 8;
			sa.sin6_addr.s6_addr[2 * i + 1] = s % 3 ? 0 : s >> 16;
		}
		for (i = 0; i < 12; i++)
			zero6 &= sa.sin6_addr.s6_addr[i] == 0;
		if (zero6)
			continue;
		sa.sin6_port = htons(iter);
		assert_non_null(inet_ntop(AF_INET6, &sa.sin6_addr, ntop, sizeof(ntop)));
		snprintf(want, sizeof(want), "[%s]:%d", ntop, iter & 0xffff);
		assert_int_equal(decode_sockaddr(&b, &sa, sizeof(sa)), 0);
		strbuf_addc(&b, 0);
		assert_string_equal(b.buf, want);
		strbuf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_flags),	   cmocka_unit_test(test_resolve_flags),
		cmocka_unit_test(test_accept_flags),	   cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_sockaddr),	   cmocka_unit_test(test_sockaddr_structs),
		cmocka_unit_test(test_sockaddr_v6_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
