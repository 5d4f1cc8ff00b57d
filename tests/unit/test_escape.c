/* Unit tests for the table and JSON escaping of hostile strings (src/format/escape.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format/escape.h"

#define S(lit) lit, sizeof(lit) - 1

struct esc_case {
	const char *name;
	const char *in;
	size_t n;
	const char *table;
	size_t cols;
	const char *json;
};

static const struct esc_case cases[] = {
	{"empty", S(""), "", 0, ""},
	{"plain", S("/etc/passwd"), "/etc/passwd", 11, "/etc/passwd"},
	{"space", S("a b"), "a b", 3, "a b"},
	{"newline", S("a\nb"), "a\\nb", 4, "a\\nb"},
	{"tab cr", S("\t\r"), "\\t\\r", 4, "\\t\\r"},
	{"backspace formfeed", S("\b\f"), "\\x08\\x0c", 8, "\\b\\f"},
	{"nul", S("a\0b"), "a\\x00b", 6, "a\\u0000b"},
	{"escape csi", S("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m", 18,
	 "\\u001b[31mred\\u001b[0m"},
	{"osc title", S("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07", 16, "\\u001b]0;pwned\\u0007"},
	{"del", S("\x7f"), "\\x7f", 4, "\\u007f"},
	{"unit separator", S("\x1f"), "\\x1f", 4, "\\u001f"},
	{"quote", S("say \"hi\""), "say \"hi\"", 8, "say \\\"hi\\\""},
	{"backslash", S("a\\b"), "a\\\\b", 4, "a\\\\b"},
	{"backslash x looks like escape", S("\\x1b"), "\\\\x1b", 5, "\\\\x1b"},
	{"latin1 e acute", S("caf\xc3\xa9"), "caf\xc3\xa9", 4, "caf\xc3\xa9"},
	{"u+00ff valid", S("\xc3\xbf"), "\xc3\xbf", 1, "\xc3\xbf"},
	{"cjk", S("\xe4\xb8\xad"), "\xe4\xb8\xad", 1, "\xe4\xb8\xad"},
	{"emoji", S("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80", 1, "\xf0\x9f\x98\x80"},
	{"max code point", S("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf", 1, "\xf4\x8f\xbf\xbf"},
	{"lone high byte", S("\xff"), "\\xff", 4, "\\u00ff"},
	{"lone 0x80", S("a\x80z"), "a\\x80z", 6, "a\\u0080z"},
	{"latin1 raw", S("caf\xe9"), "caf\\xe9", 7, "caf\\u00e9"},
	{"overlong slash c0af", S("\xc0\xaf"), "\\xc0\\xaf", 8, "\\u00c0\\u00af"},
	{"overlong nul c080", S("\xc0\x80"), "\\xc0\\x80", 8, "\\u00c0\\u0080"},
	{"overlong e0", S("\xe0\x80\xaf"), "\\xe0\\x80\\xaf", 12, "\\u00e0\\u0080\\u00af"},
	{"overlong f0", S("\xf0\x82\x82\xac"), "\\xf0\\x82\\x82\\xac", 16,
	 "\\u00f0\\u0082\\u0082\\u00ac"},
	{"surrogate d800", S("\xed\xa0\x80"), "\\xed\\xa0\\x80", 12, "\\u00ed\\u00a0\\u0080"},
	{"surrogate dfff", S("\xed\xbf\xbf"), "\\xed\\xbf\\xbf", 12, "\\u00ed\\u00bf\\u00bf"},
	{"last before surrogates", S("\xed\x9f\xbf"), "\xed\x9f\xbf", 1, "\xed\x9f\xbf"},
	{"above 10ffff", S("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80", 16,
	 "\\u00f4\\u0090\\u0080\\u0080"},
	{"f5 lead", S("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80", 16,
	 "\\u00f5\\u0080\\u0080\\u0080"},
	{"truncated 2 at end", S("ab\xc3"), "ab\\xc3", 6, "ab\\u00c3"},
	{"truncated 3 at end", S("\xe4\xb8"), "\\xe4\\xb8", 8, "\\u00e4\\u00b8"},
	{"truncated 4 at end", S("\xf0\x9f\x98"), "\\xf0\\x9f\\x98", 12, "\\u00f0\\u009f\\u0098"},
	{"truncated then ascii", S("\xe4\xb8z"), "\\xe4\\xb8z", 9, "\\u00e4\\u00b8z"},
	{"truncated then valid", S("\xc3\xc3\xa9"), "\\xc3\xc3\xa9", 5, "\\u00c3\xc3\xa9"},
	{"c1 csi u+009b", S("\xc2\x9b"), "\\xc2\\x9b", 8, "\xc2\x9b"},
	{"c1 nel u+0085", S("a\xc2\x85z"), "a\\xc2\\x85z", 10, "a\xc2\x85z"},
	{"u+00a0 kept", S("\xc2\xa0"), "\xc2\xa0", 1, "\xc2\xa0"},
	{"rlo u+202e", S("evil\xe2\x80\xaetxt.exe"), "evil\\xe2\\x80\\xaetxt.exe", 23,
	 "evil\xe2\x80\xaetxt.exe"},
	{"lre u+202a", S("\xe2\x80\xaa"), "\\xe2\\x80\\xaa", 12, "\xe2\x80\xaa"},
	{"lri u+2066", S("\xe2\x81\xa6"), "\\xe2\\x81\\xa6", 12, "\xe2\x81\xa6"},
	{"pdi u+2069", S("\xe2\x81\xa9"), "\\xe2\\x81\\xa9", 12, "\xe2\x81\xa9"},
	{"zwsp u+200b",
	 S("a\xe2\x80\x8b"
	   "b"),
	 "a\\xe2\\x80\\x8bb", 14,
	 "a\xe2\x80\x8b"
	 "b"},
	{"rlm u+200f", S("\xe2\x80\x8f"), "\\xe2\\x80\\x8f", 12, "\xe2\x80\x8f"},
	{"line separator u+2028", S("\xe2\x80\xa8"), "\\xe2\\x80\\xa8", 12, "\xe2\x80\xa8"},
	{"word joiner u+2060", S("\xe2\x81\xa0"), "\\xe2\\x81\\xa0", 12, "\xe2\x81\xa0"},
	{"bom u+feff", S("\xef\xbb\xbf"), "\\xef\\xbb\\xbf", 12, "\xef\xbb\xbf"},
	{"alm u+061c", S("\xd8\x9c"), "\\xd8\\x9c", 8, "\xd8\x9c"},
	{"u+2010 hyphen kept", S("\xe2\x80\x90"), "\xe2\x80\x90", 1, "\xe2\x80\x90"},
	{"u+202f kept", S("\xe2\x80\xaf"), "\xe2\x80\xaf", 1, "\xe2\x80\xaf"},
	{"soft hyphen u+00ad",
	 S("a\xc2\xad"
	   "B"),
	 "a\\xc2\\xadB", 10,
	 "a\xc2\xad"
	 "B"},
	{"u+00ac kept", S("\xc2\xac"), "\xc2\xac", 1, "\xc2\xac"},
	{"mongolian vs u+180e", S("\xe1\xa0\x8e"), "\\xe1\\xa0\\x8e", 12, "\xe1\xa0\x8e"},
	{"annotation u+fff9", S("\xef\xbf\xb9"), "\\xef\\xbf\\xb9", 12, "\xef\xbf\xb9"},
	{"replacement u+fffd kept", S("\xef\xbf\xbd"), "\xef\xbf\xbd", 1, "\xef\xbf\xbd"},
	{"tag a u+e0041", S("\xf3\xa0\x81\x81"), "\\xf3\\xa0\\x81\\x81", 16, "\xf3\xa0\x81\x81"},
	{"u+e0080 kept", S("\xf3\xa0\x82\x80"), "\xf3\xa0\x82\x80", 1, "\xf3\xa0\x82\x80"},
	{"paragraph separator u+2029", S("\xe2\x80\xa9"), "\\xe2\\x80\\xa9", 12, "\xe2\x80\xa9"},
	{"cgroup name with escape", S("docker-\x1b[2J.scope"), "docker-\\x1b[2J.scope", 20,
	 "docker-\\u001b[2J.scope"},
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct esc_case *c = &cases[i];
		struct strbuf t = {0}, j = {0};
		size_t cols;

		cols = escape_table(&t, c->in, c->n);
		strbuf_addc(&t, 0);
		escape_json(&j, c->in, c->n);
		strbuf_addc(&j, 0);
		if (strcmp(t.buf, c->table) || cols != c->cols || strcmp(j.buf, c->json))
			print_message("case \"%s\" fails\n", c->name);
		assert_string_equal(t.buf, c->table);
		assert_int_equal(cols, c->cols);
		assert_string_equal(j.buf, c->json);
		strbuf_free(&t);
		strbuf_free(&j);
	}
}

static void test_json_str(void **state)
{
	struct strbuf b = {0};

	(void)state;
	strbuf_adds(&b, "{\"path\":");
	escape_json_str(&b, S("a\"b"));
	strbuf_adds(&b, ",\"name\":");
	escape_json_str(&b, NULL, 0);
	strbuf_adds(&b, ",\"e\":");
	escape_json_str(&b, "", 0);
	strbuf_add(&b, "}", 2);
	assert_string_equal(b.buf, "{\"path\":\"a\\\"b\",\"name\":null,\"e\":\"\"}");
	strbuf_free(&b);
}

/* Appends to what the buffer holds, and handles inputs longer than the initial capacity. */
static void test_append_long(void **state)
{
	struct strbuf b = {0};
	size_t n = 10000, i;
	char *in = malloc(n);

	(void)state;
	assert_non_null(in);
	for (i = 0; i < n; i++)
		in[i] = i % 3 ? 'a' : '\x01';
	strbuf_adds(&b, "x=");
	escape_json(&b, in, n);
	assert_int_equal(b.len, 2 + (n / 3 + 1) * 6 + (n - (n / 3 + 1)));
	assert_memory_equal(b.buf, "x=\\u0001aa\\u0001", 16);
	b.len = 0;
	assert_int_equal(escape_table(&b, in, n), (n / 3 + 1) * 4 + (n - (n / 3 + 1)));
	assert_int_equal(b.len, (n / 3 + 1) * 4 + (n - (n / 3 + 1)));
	free(in);
	strbuf_free(&b);
}

/* --- Independent checkers for the properties, written without the code under test. --- */

/* Decodes one code point of strictly valid UTF-8 at s[0..n); length or 0 if invalid. */
static size_t check_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000))
		return 0; /* overlong */
	if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	*cp = v;
	return len;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_hidden(uint32_t cp)
{
	/* C1, Unicode general categories Cf, Zl, Zp (Unicode 15). */
	static const uint32_t ranges[][2] = {
		{0x0080, 0x009f},   {0x00ad, 0x00ad},	{0x0600, 0x0605},   {0x061c, 0x061c},
		{0x06dd, 0x06dd},   {0x070f, 0x070f},	{0x0890, 0x0891},   {0x08e2, 0x08e2},
		{0x180e, 0x180e},   {0x200b, 0x200f},	{0x2028, 0x202e},   {0x2060, 0x2064},
		{0x2066, 0x206f},   {0xfeff, 0xfeff},	{0xfff9, 0xfffb},   {0x110bd, 0x110bd},
		{0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
		{0xe0001, 0xe0001}, {0xe0020, 0xe007f},
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 1;
	}
	return 0;
}

/*
 * Strict JSON string-content parser: fails on raw controls, invalid UTF-8, bad escapes, an
 * unescaped quote. Writes the bytes it stands for to out (\u0080..\u00ff as raw bytes, other
 * \uXXXX as UTF-8) and returns their count, or (size_t)-1.
 */
static size_t json_unescape(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint32_t cp;
		size_t len;

		if (s[i] < 0x20 || s[i] == '"')
			return (size_t)-1;
		if (s[i] != '\\') {
			len = check_utf8(s + i, n - i, &cp);
			if (!len)
				return (size_t)-1;
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		if (i + 1 >= n)
			return (size_t)-1;
		switch (s[i + 1]) {
		case '"':
		case '\\':
		case '/':
			out[o++] = s[i + 1];
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u': {
			int k, h;

			if (i + 6 > n)
				return (size_t)-1;
			cp = 0;
			for (k = 2; k < 6; k++) {
				h = hexval(s[i + k]);
				if (h < 0)
					return (size_t)-1;
				cp = cp << 4 | h;
			}
			if (cp < 0x100) {
				out[o++] = cp; /* a control byte, or a raw invalid byte */
			} else {
				return (size_t)-1; /* we never escape anything else */
			}
			i += 6;
			continue;
		}
		default:
			return (size_t)-1;
		}
		i += 2;
	}
	return o;
}

/* Reverses escape_table(); (size_t)-1 when the output is not in the documented form. */
static size_t table_unescape(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] != '\\') {
			out[o++] = s[i++];
			continue;
		}
		if (i + 1 >= n)
			return (size_t)-1;
		switch (s[i + 1]) {
		case '\\':
			out[o++] = '\\';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'x':
			if (i + 4 > n || hexval(s[i + 2]) < 0 || hexval(s[i + 3]) < 0)
				return (size_t)-1;
			out[o++] = hexval(s[i + 2]) << 4 | hexval(s[i + 3]);
			i += 4;
			continue;
		default:
			return (size_t)-1;
		}
		i += 2;
	}
	return o;
}

/* Asserts every documented property of both escapers for one input. */
static void check_properties(const unsigned char *in, size_t n)
{
	struct strbuf t = {0}, j = {0};
	unsigned char *back = malloc(n * 6 + 16);
	size_t cols, i, len, cps = 0;
	uint32_t cp;

	assert_non_null(back);
	escape_json(&j, (const char *)in, n);
	assert_false(j.oom);
	assert_int_equal(json_unescape((unsigned char *)j.buf, j.len, back), n);
	assert_memory_equal(back, in, n);
	for (i = 0; i < j.len; i++)
		assert_true((unsigned char)j.buf[i] >= 0x20 && j.buf[i] != 0x7f);

	cols = escape_table(&t, (const char *)in, n);
	assert_false(t.oom);
	for (i = 0; i < t.len; i += len) {
		const unsigned char *p = (const unsigned char *)t.buf + i;

		assert_true(p[0] >= 0x20 && p[0] != 0x7f);
		len = check_utf8(p, t.len - i, &cp);
		assert_int_not_equal(len, 0);
		assert_false(is_hidden(cp));
		cps++;
	}
	assert_int_equal(cols, cps);
	assert_int_equal(table_unescape((unsigned char *)t.buf, t.len, back), n);
	assert_memory_equal(back, in, n);
	free(back);
	strbuf_free(&t);
	strbuf_free(&j);
}

static void test_property_all_two_bytes(void **state)
{
	unsigned int v;

	(void)state;
	for (v = 0; v < 0x10000; v++) {
		unsigned char in[2] = {v >> 8, v & 0xff};

		check_properties(in, 2);
		check_properties(in + 1, 1);
	}
}

/* Every three-byte input with a lead byte E0..F4: surrogates, overlongs, truncations. */
static void test_property_three_byte_leads(void **state)
{
	unsigned int lead, v;

	(void)state;
	for (lead = 0xe0; lead <= 0xf4; lead++) {
		for (v = 0; v < 0x10000; v++) {
			unsigned char in[3] = {lead, v >> 8, v & 0xff};

			check_properties(in, 3);
		}
	}
}

/* Every Unicode scalar value, UTF-8 encoded: kept as is unless hidden, and never mangled. */
static void test_property_all_code_points(void **state)
{
	uint32_t cp;

	(void)state;
	for (cp = 0; cp <= 0x10ffff; cp++) {
		unsigned char in[4];
		size_t n;
		struct strbuf t = {0};

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80) {
			in[0] = cp;
			n = 1;
		} else if (cp < 0x800) {
			in[0] = 0xc0 | cp >> 6;
			in[1] = 0x80 | (cp & 0x3f);
			n = 2;
		} else if (cp < 0x10000) {
			in[0] = 0xe0 | cp >> 12;
			in[1] = 0x80 | ((cp >> 6) & 0x3f);
			in[2] = 0x80 | (cp & 0x3f);
			n = 3;
		} else {
			in[0] = 0xf0 | cp >> 18;
			in[1] = 0x80 | ((cp >> 12) & 0x3f);
			in[2] = 0x80 | ((cp >> 6) & 0x3f);
			in[3] = 0x80 | (cp & 0x3f);
			n = 4;
		}
		check_properties(in, n);
		if (cp >= 0x80) {
			escape_table(&t, (const char *)in, n);
			/* A visible code point passes through; a hidden one becomes n \xHH. */
			assert_int_equal(t.len, is_hidden(cp) ? 4 * n : n);
			strbuf_free(&t);
		}
	}
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_property_random(void **state)
{
	static const char *const pieces[] = {
		"\xe2\x80\xae", "\xc2\x9b", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\x1b[", "\\",
		"\"",		"\xc3",	    "\xe4\xb8",		"\xef\xbb\xbf", "a",	 "/",
	};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned char in[256];
	int iter;

	(void)state;
	for (iter = 0; iter < 5000; iter++) {
		size_t n = 0, want = rng_next(&seed) % 200;

		while (n < want) {
			uint64_t r = rng_next(&seed);

			if (r % 3 == 0) {
				const char *p =
					pieces[(r >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
				size_t l = strlen(p);

				if (n + l > sizeof(in))
					break;
				memcpy(in + n, p, l);
				n += l;
			} else {
				in[n++] = r >> 16;
			}
		}
		check_properties(in, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_append_long),
		cmocka_unit_test(test_property_all_two_bytes),
		cmocka_unit_test(test_property_three_byte_leads),
		cmocka_unit_test(test_property_all_code_points),
		cmocka_unit_test(test_property_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
