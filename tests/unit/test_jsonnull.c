/* Unit tests of --omit-null's compaction: null members gone, every other byte as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "format/jsonnull.h"

static void check(const char *in, const char *want)
{
	char buf[512];
	size_t n = strlen(in);

	assert_true(n < sizeof(buf));
	memcpy(buf, in, n);
	n = json_drop_nulls(buf, n);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_cases(void **state)
{
	check("{\"a\":1,\"b\":null,\"c\":\"x\"}\n", "{\"a\":1,\"c\":\"x\"}\n");
	check("{\"a\":null,\"b\":2}", "{\"b\":2}");
	check("{\"a\":1,\"b\":null}\n", "{\"a\":1}\n");
	check("{\"a\":null,\"b\":null}\n", "{}\n");
	check("{}\n", "{}\n");
	/* strings that look like members, escaped quotes and backslashes before a quote */
	check("{\"p\":\",\\\"x\\\":null\",\"q\":null,\"r\":\"a\\\\\"}",
	      "{\"p\":\",\\\"x\\\":null\",\"r\":\"a\\\\\"}");
	check("{\"s\":\"null\",\"t\":false,\"u\":true,\"v\":-3}",
	      "{\"s\":\"null\",\"t\":false,\"u\":true,\"v\":-3}");
	/* nested values are kept whole, nulls inside them too */
	check("{\"o\":{\"x\":null,\"y\":[null,{\"z\":\"}\"}]},\"n\":null,\"e\":[]}",
	      "{\"o\":{\"x\":null,\"y\":[null,{\"z\":\"}\"}]},\"e\":[]}");
	/* not an object as the writers make it: left alone */
	check("[1,null]", "[1,null]");
	check("{\"a\":\"cut", "{\"a\":\"cut");
	check("{\"a\" :null}", "{\"a\" :null}");
	check("{\"a\":1 \"b\":null}", "{\"a\":1 \"b\":null}");
	check("{\"a\":null", "{\"a\":null");
}

/* The last line of a buffer only; earlier lines untouched. */
static void test_line_end(void **state)
{
	struct strbuf b = {0};

	strbuf_adds(&b, "{\"a\":null}\n{\"b\":null,\"c\":1");
	json_line_end(&b, 1);
	strbuf_addc(&b, '\0');
	assert_string_equal(b.buf, "{\"a\":null}\n{\"c\":1}\n");
	b.len = 0;
	strbuf_adds(&b, "{\"b\":null");
	json_line_end(&b, 0);
	strbuf_addc(&b, '\0');
	assert_string_equal(b.buf, "{\"b\":null}\n");
	strbuf_free(&b);
}

/*
 * Random objects (nulls, numbers, strings with quotes, backslashes and braces, nested values):
 * what jansson reads from the compacted text is what it reads from the original with the null
 * members removed.
 */
static void test_against_jansson(void **state)
{
	static const char *const vals[] = {
		"null",
		"0",
		"-12",
		"true",
		"false",
		"\"\"",
		"\"a\\\"b\"",
		"\"c\\\\\"",
		"\"{\\\"k\\\":null}\"",
		"\"\\u0000,}\"",
		"{\"x\":null}",
		"[null,\"]\"]",
		"\"null\"",
	};
	unsigned int seed = 7;

	for (int round = 0; round < 2000; round++) {
		char buf[2048], orig[2048];
		size_t n = 0, m;
		int members = rand_r(&seed) % 9;
		json_t *a, *b;
		json_error_t err;
		const char *key;
		json_t *v;
		void *tmp;

		buf[n++] = '{';
		for (int i = 0; i < members; i++) {
			const char *val = vals[rand_r(&seed) % (sizeof(vals) / sizeof(vals[0]))];

			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"k%d\":%s",
					      i ? "," : "", i, val);
		}
		buf[n++] = '}';
		memcpy(orig, buf, n);
		orig[n] = '\0';
		m = json_drop_nulls(buf, n);
		buf[m] = '\0';
		a = json_loads(orig, JSON_ALLOW_NUL, &err);
		b = json_loads(buf, JSON_ALLOW_NUL, &err);
		assert_non_null(a);
		assert_non_null(b);
		json_object_foreach_safe(a, tmp, key, v) if (json_is_null(v))
			json_object_del(a, key);
		if (!json_equal(a, b))
			fail_msg("%s -> %s", orig, buf);
		json_object_foreach(b, key, v) assert_false(json_is_null(v));
		json_decref(a);
		json_decref(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_line_end),
		cmocka_unit_test(test_against_jansson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
