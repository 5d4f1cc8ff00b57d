/* Unit tests of the Prometheus exposition: label escaping, families, series; --metrics addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "summary/expo.h"
#include "summary/metrics.h"

static char *label(const char *s, size_t n)
{
	struct strbuf b = {0}, tmp = {0};
	char *out;

	expo_label_value(&b, &tmp, s, n);
	strbuf_addc(&b, '\0');
	out = strdup(b.buf);
	strbuf_free(&b);
	strbuf_free(&tmp);
	return out;
}

static void test_label_escaping(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} cases[] = {
		{"web", 3, "web"},
		{"", 0, ""},
		/* a quote closes nothing, a backslash starts no escape */
		{"a\"b", 3, "a\\\"b"},
		/* \ -> \\ (terminal-safe) -> \\\\ (exposition) */
		{"a\\b", 3, "a\\\\\\\\b"},
		/* a newline never reaches the output as one: \n (two characters), then escaped */
		{"a\nb", 3, "a\\\\nb"},
		/* invalid UTF-8 and control bytes as \xHH text */
		{"\xff\x01", 2, "\\\\xff\\\\x01"},
		/* valid UTF-8 stays */
		{"caf\xc3\xa9", 5, "caf\xc3\xa9"},
		/* a right-to-left override would reorder what a reader sees */
		{"a\xe2\x80\xae", 4, "a\\\\xe2\\\\x80\\\\xae"},
		/* an embedded NUL */
		{"a\0b", 3, "a\\\\x00b"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = label(cases[i].in, cases[i].n);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, got, cases[i].want);
		free(got);
	}
}

/* Reads a label value back as the exposition format defines it: only \\ \" \n are escapes. */
static int unescape(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s && *s != '"'; s++) {
		if (o + 1 >= size)
			return -1;
		if (*s == '\\') {
			s++;
			if (*s == '\\' || *s == '"')
				out[o++] = *s;
			else if (*s == 'n')
				out[o++] = '\n';
			else
				return -1; /* an escape the format does not have */
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	return *s == '"' ? 0 : -1;
}

static struct summary_row *row(struct summary *s, const char *id, const char *name)
{
	struct container_info c = {.is_container = true, .cgroup_len = 1};

	snprintf(c.id, sizeof(c.id), "%s", id);
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.runtime, sizeof(c.runtime), "runc");
	return summary_row_of(s, (uint64_t)strlen(id) * 1000 + (uint64_t)name[0], "/x", &c);
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static void test_families(void **state)
{
	struct summary s;
	struct expo_state st = {.version = "1.2.3", .mode = "top", .events_lost = 4};
	struct strbuf b = {0};
	struct summary_row *web, *evil, *host;
	char got[256];
	const char *p;

	summary_init(&s);
	web = row(&s, "aaaa", "web");
	evil = row(&s, "bbbb", "evil\"} 1\ncopenclose_up{x=\"");
	host = summary_row_of(&s, 1, "/", NULL);
	summary_add(&s, web, CC_SYS_OPENAT, 0, 10);
	summary_add(&s, web, CC_SYS_OPENAT, ENOENT, 3);
	summary_add(&s, evil, CC_SYS_CLOSE, 0, 1);
	summary_add(&s, host, CC_SYS_CONNECT, ECONNREFUSED, 2);
	web->lost = 5;
	expo_write(&b, &s, &st);
	strbuf_addc(&b, '\0');

	/* every family has exactly one HELP and one TYPE, and every sample line belongs to one */
	for (p = b.buf; *p; p = strchr(p, '\n') + 1) {
		char name[128], help[160], type[160];
		size_t n = strcspn(p, "{ \n");

		if (*p == '#')
			continue;
		assert_true(n < sizeof(name));
		memcpy(name, p, n);
		name[n] = '\0';
		snprintf(help, sizeof(help), "# HELP %s ", name);
		snprintf(type, sizeof(type), "# TYPE %s ", name);
		if (count_lines(b.buf, help) != 1 || count_lines(b.buf, type) != 1)
			fail_msg("family %s: HELP or TYPE missing or repeated", name);
		if (strncmp(name, "copenclose_", 11) != 0)
			fail_msg("%s lacks the prefix", name);
	}
	assert_non_null(strstr(b.buf, "# TYPE copenclose_events_total counter\n"));
	assert_non_null(strstr(b.buf, "# TYPE copenclose_descriptors_open gauge\n"));
	assert_non_null(
		strstr(b.buf, "copenclose_events_total{container=\"web\",container_id=\"aaaa\","
			      "runtime=\"runc\",k8s_namespace=\"\",k8s_pod=\"\",syscall=\"openat\","
			      "result=\"ok\"} 10\n"));
	assert_non_null(strstr(b.buf, "syscall=\"openat\",result=\"ENOENT\"} 3\n"));
	assert_non_null(strstr(
		b.buf, "copenclose_events_total{container=\"\",container_id=\"\",runtime=\"\","
		       "k8s_namespace=\"\",k8s_pod=\"\",syscall=\"connect\","
		       "result=\"ECONNREFUSED\"} 2\n"));
	assert_non_null(strstr(b.buf, "copenclose_container_events_lost_total{container=\"web\","));
	assert_non_null(strstr(b.buf, "copenclose_events_lost_total 4\n"));
	assert_non_null(strstr(b.buf, "copenclose_build_info{version=\"1.2.3\",mode=\"top\"} 1\n"));
	assert_non_null(strstr(b.buf, "copenclose_descriptors_open{container=\"web\","
				      "container_id=\"aaaa\",runtime=\"runc\",k8s_namespace=\"\","
				      "k8s_pod=\"\"} 10\n"));
	/* the hostile name: one line, one series, and it reads back as escape_table's text */
	assert_int_equal(count_lines(b.buf, "copenclose_up"), 1);
	p = strstr(b.buf, "copenclose_events_total{container=\"evil");
	assert_non_null(p);
	assert_int_equal(
		unescape(p + strlen("copenclose_events_total{container=\""), got, sizeof(got)), 0);
	assert_string_equal(got, "evil\"} 1\\ncopenclose_up{x=\"");
	strbuf_free(&b);
	summary_free(&s);
}

/* The sizes of the bounded structures: one family per name, labels escaped, and the series
   count that closes the exposition counts every sample line, itself included. */
static void test_sizes(void **state)
{
	struct summary s;
	struct expo_state st = {.version = "1", .mode = "stream"};
	struct strbuf b = {0};
	char want[64];
	int samples = 0;

	(void)state;
	summary_init(&s);
	summary_add(&s, row(&s, "aaaa", "web"), CC_SYS_OPENAT, 0, 1);
	st.sizes[st.nsizes++] = (struct expo_size){"copenclose_resolver_cache_entries", "h",
						   "cache", "consumer", 7};
	st.sizes[st.nsizes++] =
		(struct expo_size){"copenclose_resolver_cache_entries", NULL, "cache", "a\"b", 8};
	st.sizes[st.nsizes++] =
		(struct expo_size){"copenclose_fd_table_entries", "h2", NULL, NULL, 9};
	expo_write(&b, &s, &st);
	strbuf_addc(&b, '\0');
	assert_int_equal(count_lines(b.buf, "# TYPE copenclose_resolver_cache_entries gauge"), 1);
	assert_non_null(strstr(b.buf, "# HELP copenclose_resolver_cache_entries h\n"));
	assert_non_null(strstr(b.buf, "copenclose_resolver_cache_entries{cache=\"consumer\"} 7\n"));
	assert_non_null(strstr(b.buf, "copenclose_resolver_cache_entries{cache=\"a\\\"b\"} 8\n"));
	assert_non_null(strstr(b.buf, "\ncopenclose_fd_table_entries 9\n"));
	for (const char *p = b.buf; *p; p = strchr(p, '\n') + 1)
		samples += *p != '#';
	snprintf(want, sizeof(want), "\ncopenclose_metric_series_entries %d\n", samples);
	assert_non_null(strstr(b.buf, want));
	strbuf_free(&b);
	summary_free(&s);
}

static void test_metrics_addr(void **state)
{
	struct sockaddr_storage sa;
	struct sockaddr_in *in = (struct sockaddr_in *)&sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
	socklen_t len;
	char ip[64];
	static const char *const bad[] = {
		"",	  ":",	     "9100",	"127.0.0.1", "127.0.0.1:",   ":0",
		":65536", ":-1",     ":+80",	":80x",	     "localhost:80", "1.2.3:80",
		"[::1]",  "[::1]80", "[::1:80", "[zz]:80",   "::1:80",
	};

	assert_int_equal(metrics_parse_addr(":9100", &sa, &len), 0);
	assert_int_equal(sa.ss_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 9100);
	inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
	assert_string_equal(ip, "127.0.0.1"); /* a bare port stays on loopback */
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(metrics_parse_addr("0.0.0.0:80", &sa, &len), 0);
	inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
	assert_string_equal(ip, "0.0.0.0");
	assert_int_equal(metrics_parse_addr("[::1]:65535", &sa, &len), 0);
	assert_int_equal(sa.ss_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 65535);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (metrics_parse_addr(bad[i], &sa, &len) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_metrics_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
