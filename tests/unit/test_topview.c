/* Unit tests of top's rows: sorting by each column, the table's shape, the JSON objects. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "summary/topview.h"

static struct summary_row *row(struct summary *s, uint64_t cg, const char *id, const char *name)
{
	struct container_info c = {.is_container = true, .cgroup_len = 1};

	snprintf(c.id, sizeof(c.id), "%s", id);
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.runtime, sizeof(c.runtime), "runc");
	return summary_row_of(s, cg, "/x", &c);
}

static void test_sort_names(void **state)
{
	assert_int_equal(topview_sort_parse("opens"), TOPVIEW_OPENS);
	assert_int_equal(topview_sort_parse("io"), TOPVIEW_IO);
	assert_int_equal(topview_sort_parse("name"), TOPVIEW_NAME);
	assert_int_equal(topview_sort_parse("Opens"), -1);
	assert_int_equal(topview_sort_parse(""), -1);
	for (int i = 0; i < TOPVIEW_SORTS; i++)
		assert_int_equal(topview_sort_parse(topview_sort_name(i)), i);
}

static void test_sorting(void **state)
{
	struct summary s;
	struct summary_row *a, *b, *h;
	const struct summary_row *out[3];

	summary_init(&s);
	a = row(&s, 10, "aaaa", "alpha");
	b = row(&s, 20, "bbbb", "beta");
	h = summary_row_of(&s, 1, "/", NULL);
	summary_add(&s, a, CC_SYS_OPENAT, 0, 5);
	summary_add(&s, b, CC_SYS_OPENAT, 0, 9);
	summary_add(&s, b, CC_SYS_CLOSE, 0, 9);
	summary_add(&s, a, CC_SYS_OPENAT, ENOENT, 7);
	summary_add(&s, h, CC_SYS_CONNECT, 0, 1);
	a->psi.has[PSI_CPU] = true;
	a->psi.avg10[PSI_CPU] = 0.0; /* a zero beats an absent value */
	topview_sort_rows(&s, TOPVIEW_OPENS, out);
	assert_ptr_equal(out[0], b);
	assert_ptr_equal(out[1], a);
	assert_ptr_equal(out[2], h);
	topview_sort_rows(&s, TOPVIEW_FAILED, out);
	assert_ptr_equal(out[0], a);
	topview_sort_rows(&s, TOPVIEW_CONNECTS, out);
	assert_ptr_equal(out[0], h);
	topview_sort_rows(&s, TOPVIEW_FDS, out);
	assert_ptr_equal(out[0], a); /* 5 open against 0 */
	topview_sort_rows(&s, TOPVIEW_RATE, out);
	assert_ptr_equal(out[0], b); /* 18 against 12 */
	topview_sort_rows(&s, TOPVIEW_CPU, out);
	assert_ptr_equal(out[0], a);
	topview_sort_rows(&s, TOPVIEW_NAME, out);
	assert_ptr_equal(out[0], a);
	assert_ptr_equal(out[1], b);
	assert_ptr_equal(out[2], h); /* the host last on ties */
	summary_free(&s);
}

static void test_table(void **state)
{
	struct summary s;
	struct summary_row *a;
	const struct summary_row *out[2];
	struct strbuf b = {0};
	char *line2, *line3;

	summary_init(&s);
	a = row(&s, 10, "aaaa", "web\x1b[2J");
	summary_row_of(&s, 1, "/", NULL);
	summary_add(&s, a, CC_SYS_OPENAT, 0, 12);
	topk_add(&a->paths, "/etc/passwd", 11);
	topview_sort_rows(&s, TOPVIEW_OPENS, out);
	topview_table(&b, &s, out, 2.0, TOPVIEW_OPENS, "12:00:00", 0, 0);
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(b.buf, "events/s 6 "));
	assert_non_null(strstr(b.buf, "sort: opens"));
	assert_null(strchr(b.buf, '\x1b')); /* a hostile name cannot clear the screen */
	line2 = strchr(b.buf, '\n') + 1;
	assert_int_equal(strncmp(line2, "CONTAINER", 9), 0);
	line3 = strchr(line2, '\n') + 1;
	assert_int_equal(strncmp(line3, "web\\x1b[2J ", 11), 0);
	assert_non_null(strstr(line3, " 12 "));
	assert_non_null(strstr(line3, "/etc/passwd(1)"));
	assert_non_null(strstr(line3, "  -     -     - ")); /* no PSI read */
	assert_non_null(strstr(b.buf, "\n(host) "));
	/* a width cuts every line */
	b.len = 0;
	topview_table(&b, &s, out, 2.0, TOPVIEW_OPENS, "12:00:00", 40, 1);
	strbuf_addc(&b, '\0');
	for (char *p = b.buf; *p; p = strchr(p, '\n') + 1)
		assert_true(strcspn(p, "\n") <= 40);
	assert_null(strstr(b.buf, "(host)")); /* one row at most */
	strbuf_free(&b);
	summary_free(&s);
}

static void test_json(void **state)
{
	struct summary s;
	struct summary_row *a, *h;
	struct strbuf b = {0};

	summary_init(&s);
	a = row(&s, 10, "aaaa", "we\"b");
	h = summary_row_of(&s, 1, "/", NULL);
	summary_add(&s, a, CC_SYS_OPENAT, 0, 4);
	summary_add(&s, a, CC_SYS_OPEN, ENOENT, 1);
	summary_add(&s, a, CC_SYS_CLOSE, 0, 3);
	summary_add(&s, a, CC_SYS_ACCEPT4, 0, 2);
	topk_add(&a->paths, "/d/f", 4);
	a->psi.has[PSI_MEM] = true;
	a->psi.avg10[PSI_MEM] = 1.5;
	topview_json(&b, a, 2.0, "2026-01-01T00:00:00.000Z");
	strbuf_addc(&b, '\0');
	assert_string_equal(
		b.buf,
		"{\"type\":\"top\",\"time\":\"2026-01-01T00:00:00.000Z\",\"interval_s\":2.00,"
		"\"host\":false,\"container_name\":\"we\\\"b\",\"container_id\":\"aaaa\","
		"\"container_runtime\":\"runc\",\"k8s_namespace\":null,\"k8s_pod\":null,"
		"\"opens\":4,\"failed_opens\":1,\"closes\":3,\"connects\":0,\"accepts\":2,"
		"\"events\":10,\"events_per_s\":5.00,\"fds\":3,\"lost\":0,\"psi_cpu\":null,"
		"\"psi_memory\":1.50,\"psi_io\":null,\"gone\":false,"
		"\"top_paths\":[{\"path\":\"/d/f\",\"opens\":1,\"error\":0}]}\n");
	b.len = 0;
	topview_json(&b, h, 1.0, "t");
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(b.buf, "\"host\":true,\"container_name\":null,\"container_id\":null,"
				      "\"container_runtime\":null,"));
	assert_non_null(strstr(b.buf, "\"top_paths\":[]}\n"));
	strbuf_free(&b);
	summary_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_names),
		cmocka_unit_test(test_sorting),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
