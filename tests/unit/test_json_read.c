/* Unit tests of json_read: strict parsing (duplicates, NULs, depth) and string lookups by path. */
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

/* Parse a C string literal whose length sizeof gives (so it may hold NULs). */
#define PARSE(lit, out) json_read_text(lit, sizeof(lit) - 1, out)

static void test_accepts(void **state)
{
	static const struct {
		const char *text;
		const char *key1, *key2, *want;
	} cases[] = {
		{"{\"Name\":\"/web\"}", "Name", NULL, "/web"},
		{" {\"a\":{\"b\":\"deep\"}} \n", "a", "b", "deep"},
		{"{\"State\":{\"Name\":\"no\"},\"Name\":\"yes\"}", "Name", NULL, "yes"},
		{"{\"State\":{\"Name\":\"no\"},\"Name\":\"yes\"}", "State", "Name", "no"},
		{"{\"n\":\"a\\\"b\\\\c\\/d\\n\"}", "n", NULL, "a\"b\\c/d\n"},
		{"{\"n\":\"\\u00e9\\u20ac\\ud83d\\ude00\"}", "n", NULL,
		 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"},
		{"{\"n\":\"[[[[{{{{\"}", "n", NULL, "[[[[{{{{"},
		{"{\"a\":true,\"b\":null,\"c\":-1.5e3,\"n\":\"v\"}", "n", NULL, "v"},
		/* the same key in two different objects is no duplicate */
		{"{\"a\":{\"k\":\"1\"},\"b\":{\"k\":\"2\"}}", "b", "k", "2"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *v = NULL;
		const char *got;

		if (json_read_text(cases[i].text, strlen(cases[i].text), &v) != 0)
			fail_msg("case %zu (%s) refused", i, cases[i].text);
		got = json_read_str(v, cases[i].key1, cases[i].key2, NULL);
		if (!got || strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got %s, want %s", i, got ? got : "(null)",
				 cases[i].want);
		json_decref(v);
	}
}

static void test_refuses(void **state)
{
	static const struct {
		const char *name, *text;
		size_t len;
	} cases[] = {
#define CASE(name, lit) {name, lit, sizeof(lit) - 1}
		CASE("empty", ""),
		CASE("blank", " \n"),
		CASE("a string at the top", "\"x\""),
		CASE("a number at the top", "17"),
		CASE("null at the top", "null"),
		CASE("unterminated string", "{\"Name\":\"unterminated"),
		CASE("unbalanced", "{\"a\":{\"b\":[}}"),
		CASE("missing colon", "{\"a\" 1}"),
		CASE("missing comma", "{\"a\":1 \"b\":2}"),
		CASE("bad escape", "{\"n\":\"\\q\"}"),
		CASE("short \\u", "{\"n\":\"\\u12\"}"),
		CASE("lone surrogate", "{\"n\":\"\\ud800x\"}"),
		CASE("trailing bytes", "{} x"),
		CASE("two documents", "{}{}"),
		CASE("trailing comma", "{\"a\":1,}"),
		CASE("duplicate key", "{\"Name\":\"a\",\"Name\":\"b\"}"),
		CASE("duplicate key, nested", "[{\"id\":\"x\",\"names\":[],\"id\":\"y\"}]"),
		CASE("duplicate key, other types", "{\"a\":1,\"b\":2,\"a\":null}"),
		CASE("escaped NUL", "{\"n\":\"a\\u0000b\"}"),
		CASE("escaped NUL in a key", "{\"a\\u0000\":\"b\"}"),
		CASE("raw NUL in a string", "{\"n\":\"a\0b\"}"),
		CASE("raw NUL after the value", "{\"n\":\"a\"}\0"),
		CASE("raw control byte in a string", "{\"n\":\"a\x01\"}"),
		CASE("invalid UTF-8", "{\"n\":\"\xff\"}"),
		CASE("integer too big", "{\"n\":99999999999999999999999}"),
#undef CASE
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *v = (json_t *)0x1;
		int rc = json_read_text(cases[i].text, cases[i].len, &v);

		if (rc != -EINVAL)
			fail_msg("%s: rc %d, want -EINVAL", cases[i].name, rc);
		if (v != (json_t *)0x1)
			fail_msg("%s: *out set on failure", cases[i].name);
	}
}

/* len rules, not a terminator: what lies past len is not read. */
static void test_length(void **state)
{
	json_t *v;

	assert_int_equal(json_read_text("{\"a\":\"b\"}garbage", 9, &v), 0);
	assert_string_equal(json_read_str(v, "a", NULL), "b");
	json_decref(v);
	assert_int_equal(json_read_text("{\"a\":\"b\"}", 8, &v), -EINVAL);
	assert_int_equal(json_read_text(NULL, 0, &v), -EINVAL);
}

/* n arrays or objects inside each other: kind 0 arrays, 1 objects, 2 alternating. */
static char *nest(unsigned n, int kind)
{
	char *s = malloc(n * 8 + 16), *p = s;

	for (unsigned i = 0; i < n; i++)
		p += sprintf(p, "%s", kind == 0 || (kind == 2 && i % 2) ? "[" : "{\"k\":");
	*p++ = '1';
	for (unsigned i = n; i-- > 0;)
		*p++ = kind == 0 || (kind == 2 && i % 2) ? ']' : '}';
	*p = '\0';
	return s;
}

static void test_depth(void **state)
{
	for (int kind = 0; kind < 3; kind++) {
		char *ok = nest(64, kind), *deep = nest(65, kind), *deeper = nest(100000, kind);
		json_t *v = NULL;

		if (json_read_text(ok, strlen(ok), &v) != 0)
			fail_msg("kind %d: 64 levels refused", kind);
		json_decref(v);
		if (json_read_text(deep, strlen(deep), &v) != -EINVAL)
			fail_msg("kind %d: 65 levels accepted", kind);
		if (json_read_text(deeper, strlen(deeper), &v) != -EINVAL)
			fail_msg("kind %d: 100000 levels accepted", kind);
		free(ok);
		free(deep);
		free(deeper);
	}
	/* brackets inside strings, after escaped quotes too, do not nest */
	{
		char text[400];
		json_t *v;
		size_t n = 0;

		n += (size_t)sprintf(text, "{\"s\":\"\\\"");
		for (int i = 0; i < 100; i++)
			text[n++] = '[';
		n += (size_t)sprintf(text + n, "\\\\\",\"t\":[[[]]]}");
		assert_int_equal(json_read_text(text, n, &v), 0);
		assert_int_equal(strlen(json_read_str(v, "s", NULL)), 102);
		json_decref(v);
	}
	/* closing brackets too many do not buy depth for later ones: jansson refuses anyway */
	{
		char *deep = nest(65, 0), *text = malloc(strlen(deep) + 8);
		json_t *v;

		sprintf(text, "]]]]%s", deep);
		assert_int_equal(json_read_text(text, strlen(text), &v), -EINVAL);
		free(deep);
		free(text);
	}
}

static void test_str_paths(void **state)
{
	json_t *v;

	assert_int_equal(PARSE("{\"a\":{\"b\":[\"x\"],\"c\":7,\"d\":null,\"e\":\"s\"},"
			       "\"arr\":[{\"k\":\"no\"}]}",
			       &v),
			 0);
	assert_null(json_read_str(v, "a", "b", NULL));	    /* an array */
	assert_null(json_read_str(v, "a", "c", NULL));	    /* a number */
	assert_null(json_read_str(v, "a", "d", NULL));	    /* null */
	assert_null(json_read_str(v, "a", "x", NULL));	    /* missing */
	assert_null(json_read_str(v, "a", NULL));	    /* an object */
	assert_null(json_read_str(v, "a", "e", "f", NULL)); /* through a string */
	assert_null(json_read_str(v, "arr", "k", NULL));    /* through an array */
	assert_null(json_read_str(NULL, "a", NULL));
	assert_string_equal(json_read_str(v, "a", "e", NULL), "s");
	json_decref(v);

	assert_int_equal(PARSE("[\"a\"]", &v), 0);
	assert_null(json_read_str(v, "0", NULL)); /* arrays have no keys */
	json_decref(v);
}

/* Where and why, for notes about files people edit. */
static void test_why(void **state)
{
	char why[160];
	json_t *v;
	int line;

	assert_int_equal(
		json_read_text_why("{\n\"a\":1\n\"b\":2}", 15, &v, &line, why, sizeof(why)),
		-EINVAL);
	assert_int_equal(line, 3);
	assert_string_equal(why, "'}' expected near '\"b\"'");
	assert_int_equal(json_read_text_why("{\"a\":1,\n\"a\":2}", 15, &v, &line, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(line, 2);
	assert_string_equal(why, "duplicate object key near '\"a\"'");
	assert_int_equal(json_read_text_why("{\"a\":\"\\u0000\"}", 14, &v, &line, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "a string holds \\u0000");
	{
		char *deep = nest(65, 0);

		/* "[[[\n[[...": the 65th bracket is on line 2 (nest leaves room for one byte more)
		 */
		memmove(deep + 4, deep + 3, strlen(deep + 3) + 1);
		deep[3] = '\n';
		assert_int_equal(
			json_read_text_why(deep, strlen(deep), &v, &line, why, sizeof(why)),
			-EINVAL);
		assert_int_equal(line, 2);
		assert_string_equal(why, "nested too deeply (more than 64 levels)");
		free(deep);
	}
	assert_int_equal(json_read_text_why("{\"ok\":true}", 11, &v, &line, why, sizeof(why)), 0);
	assert_true(json_is_true(json_object_get(v, "ok")));
	json_decref(v);
}

static void test_file(void **state)
{
	char dir[] = "/tmp/cc-json-read-XXXXXX", p[64], fifo[64];
	json_t *v;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/c.json", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("{\"Name\":\"/web\",\"State\":{\"Running\":true}}\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);

	assert_int_equal(json_read_file(p, 4096, &v), 0);
	assert_string_equal(json_read_str(v, "Name", NULL), "/web");
	assert_true(json_is_true(json_object_get(json_object_get(v, "State"), "Running")));
	json_decref(v);
	assert_int_equal(json_read_file(p, 10, &v), -EFBIG);
	assert_int_equal(json_read_file(fifo, 4096, &v), -EINVAL);
	assert_int_equal(json_read_file("/dev/zero", 4096, &v), -EINVAL);
	assert_int_equal(json_read_file(dir, 4096, &v), -EINVAL);
	unlink(p);
	unlink(fifo);
	assert_int_equal(json_read_file(p, 4096, &v), -ENOENT);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),	  cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_length),	  cmocka_unit_test(test_depth),
		cmocka_unit_test(test_str_paths), cmocka_unit_test(test_why),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
