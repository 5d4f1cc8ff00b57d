/* Unit tests for the table and JSON escaping of hostile strings (src/format/escape.c). */
#define _GNU_SOURCE /* wcwidth() */
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <wchar.h>
#include <wctype.h>
#include <cmocka.h>

#include "format/escape.h"
#include "../oracle.h"

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
	{"cjk wide", S("\xe4\xb8\xad"), "\xe4\xb8\xad", 2, "\xe4\xb8\xad"},
	{"emoji wide", S("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80", 2, "\xf0\x9f\x98\x80"},
	{"max code point", S("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf", 1, "\xf4\x8f\xbf\xbf"},
	{"lone high byte", S("\xff"), "\\xff", 4, "\\udcff"},
	{"lone 0x80", S("a\x80z"), "a\\x80z", 6, "a\\udc80z"},
	{"latin1 raw", S("caf\xe9"), "caf\\xe9", 7, "caf\\udce9"},
	{"overlong slash c0af", S("\xc0\xaf"), "\\xc0\\xaf", 8, "\\udcc0\\udcaf"},
	{"overlong nul c080", S("\xc0\x80"), "\\xc0\\x80", 8, "\\udcc0\\udc80"},
	{"overlong e0", S("\xe0\x80\xaf"), "\\xe0\\x80\\xaf", 12, "\\udce0\\udc80\\udcaf"},
	{"overlong f0", S("\xf0\x82\x82\xac"), "\\xf0\\x82\\x82\\xac", 16,
	 "\\udcf0\\udc82\\udc82\\udcac"},
	{"surrogate d800", S("\xed\xa0\x80"), "\\xed\\xa0\\x80", 12, "\\udced\\udca0\\udc80"},
	{"surrogate dfff", S("\xed\xbf\xbf"), "\\xed\\xbf\\xbf", 12, "\\udced\\udcbf\\udcbf"},
	{"last before surrogates", S("\xed\x9f\xbf"), "\xed\x9f\xbf", 1, "\xed\x9f\xbf"},
	{"above 10ffff", S("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80", 16,
	 "\\udcf4\\udc90\\udc80\\udc80"},
	{"f5 lead", S("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80", 16,
	 "\\udcf5\\udc80\\udc80\\udc80"},
	{"truncated 2 at end", S("ab\xc3"), "ab\\xc3", 6, "ab\\udcc3"},
	{"truncated 3 at end", S("\xe4\xb8"), "\\xe4\\xb8", 8, "\\udce4\\udcb8"},
	{"truncated 4 at end", S("\xf0\x9f\x98"), "\\xf0\\x9f\\x98", 12, "\\udcf0\\udc9f\\udc98"},
	{"truncated then ascii", S("\xe4\xb8z"), "\\xe4\\xb8z", 9, "\\udce4\\udcb8z"},
	{"truncated then valid", S("\xc3\xc3\xa9"), "\\xc3\xc3\xa9", 5, "\\udcc3\xc3\xa9"},
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
	{"the issue's u ff fe", S("u\xff\xfe"), "u\\xff\\xfe", 9, "u\\udcff\\udcfe"},
	{"e + combining acute: one column", S("e\xcc\x81"), "e\xcc\x81", 1, "e\xcc\x81"},
	{"fullwidth A", S("\xef\xbc\xa1"), "\xef\xbc\xa1", 2, "\xef\xbc\xa1"},
	{"hangul syllable", S("\xea\xb0\x80"), "\xea\xb0\x80", 2, "\xea\xb0\x80"},
	{"hangul jungseong u+1161: none", S("\xe1\x85\xa1"), "\xe1\x85\xa1", 0, "\xe1\x85\xa1"},
	{"hiragana", S("\xe3\x81\x82"), "\xe3\x81\x82", 2, "\xe3\x81\x82"},
	{"cjk ext b u+20000", S("\xf0\xa0\x80\x80"), "\xf0\xa0\x80\x80", 2, "\xf0\xa0\x80\x80"},
	{"thumbs up + skin tone", S("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"),
	 "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 4, "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"},
	{"u+00e9 precomposed", S("\xc3\xa9"), "\xc3\xa9", 1, "\xc3\xa9"},
	{"greek", S("\xce\xb1\xce\xb2"), "\xce\xb1\xce\xb2", 2, "\xce\xb1\xce\xb2"},
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

/*
 * --- The oracles, independent of the code under test: the C library's UTF-8 decoder, iswcntrl()
 * and wcwidth() in its C.UTF-8 locale; Python's JSON decoder and unicodedata, fed through a pipe;
 * and the hand-written cases above for the hidden code points. ---
 */

/* Python, reading "HEX-INPUT JSON-STRING-CONTENT" lines: each must decode with the standard
 * json module (strict UTF-8 first) and give the input's bytes back through surrogateescape. */
static const char py_json[] =
	"import json, sys\n"
	"bad = 0\n"
	"for line in sys.stdin.buffer:\n"
	"    h, j = line.rstrip(b'\\n').split(b' ', 1)\n"
	"    try:\n"
	"        got = json.loads('\"' + j.decode('utf-8') + '\"').encode('utf-8', "
	"'surrogateescape')\n"
	"    except Exception as e:\n"
	"        got = e\n"
	"    if got != bytes.fromhex(h.decode()):\n"
	"        bad += 1\n"
	"        if bad < 5:\n"
	"            print('json round trip of', h, 'gave', got, file=sys.stderr)\n"
	"sys.exit(bad > 0)\n";

/*
 * Python, reading the code points from U+0080 up that the table escaped, one in hex a line: they
 * must be exactly those of general category Cc, Cf, Zl and Zp. Unassigned ones (Cn) in Python's
 * Unicode version may be either way, as the escaper may know a newer version.
 */
static const char py_hidden[] =
	"import sys, unicodedata\n"
	"got = {int(l, 16) for l in sys.stdin}\n"
	"cat = lambda cp: unicodedata.category(chr(cp))\n"
	"want = {cp for cp in range(0x80, 0x110000) if cat(cp) in ('Cc', 'Cf', 'Zl', 'Zp')}\n"
	"bad = sorted(cp for cp in got ^ want if cat(cp) != 'Cn')\n"
	"for cp in bad[:5]:\n"
	"    print('U+%04X (%s) escaped: %s' % (cp, cat(cp), cp in got), file=sys.stderr)\n"
	"sys.exit(len(bad) > 0)\n";

static FILE *oracle_open(const char *script)
{
	FILE *f;

	assert_int_equal(setenv("CC_ORACLE", script, 1), 0);
	f = popen("exec python3 -c \"$CC_ORACLE\"", "w");
	assert_non_null(f);
	return f;
}

static void oracle_close(FILE *f)
{
	int status = pclose(f);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The documented escapes only: \" \\ \b \f \n \r \t, \u00XX for a control byte (below 0x20, or
 * 0x7f), \udcXX for a raw byte 0x80..0xff; raw text that is valid UTF-8 with no control byte. */
static void check_json_form(const unsigned char *s, size_t n)
{
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		assert_true(s[i] >= 0x20 && s[i] != 0x7f && s[i] != '"');
		if (s[i] != '\\') {
			len = oracle_utf8(s + i, n - i, &cp);
			assert_int_not_equal(len, 0);
			i += len;
			continue;
		}
		assert_true(i + 1 < n);
		if (s[i + 1] == 'u') {
			int hi, lo;

			assert_true(i + 6 <= n);
			hi = oracle_hex(s[i + 4]);
			lo = oracle_hex(s[i + 5]);
			assert_true(hi >= 0 && lo >= 0);
			if (s[i + 2] == '0' && s[i + 3] == '0')
				assert_true(hi < 2 || (hi == 7 && lo == 0xf));
			else
				assert_true(s[i + 2] == 'd' && s[i + 3] == 'c' && hi >= 8);
			i += 6;
			continue;
		}
		assert_true(oracle_short_escape(s[i + 1]) >= 0);
		i += 2;
	}
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
		if (s[i + 1] == 'x') {
			if (i + 4 > n || oracle_hex(s[i + 2]) < 0 || oracle_hex(s[i + 3]) < 0)
				return (size_t)-1;
			out[o++] = oracle_hex(s[i + 2]) << 4 | oracle_hex(s[i + 3]);
			i += 4;
			continue;
		}
		/* the table's short escapes are \\ \n \t \r */
		if (!s[i + 1] || !strchr("\\ntr", s[i + 1]))
			return (size_t)-1;
		out[o++] = oracle_short_escape(s[i + 1]);
		i += 2;
	}
	return o;
}

/*
 * Asserts every documented property of both escapers for one input; the JSON round trip goes to
 * Python when py is not NULL.
 */
static void check_properties(const unsigned char *in, size_t n, FILE *py)
{
	struct strbuf t = {0}, j = {0};
	unsigned char *back = malloc(n * 6 + 16);
	size_t cols, i, len, want_cols = 0;
	int known = 1;
	uint32_t cp = 0;

	assert_non_null(back);
	escape_json(&j, (const char *)in, n);
	assert_false(j.oom);
	check_json_form((const unsigned char *)j.buf, j.len);
	if (py) {
		for (i = 0; i < n; i++)
			fprintf(py, "%02x", in[i]);
		fprintf(py, " %.*s\n", (int)j.len, j.buf);
	}

	cols = escape_table(&t, (const char *)in, n);
	assert_false(t.oom);
	for (i = 0; i < t.len; i += len) {
		const unsigned char *p = (const unsigned char *)t.buf + i;
		int w;

		len = oracle_utf8(p, t.len - i, &cp);
		assert_int_not_equal(len, 0);
		assert_true(cp >= 0x20 && cp != 0x7f);
		assert_false(iswcntrl((wint_t)cp));
		w = wcwidth((wchar_t)cp);
		if (w < 0)
			known = 0; /* unassigned for this C library: its width is anyone's guess */
		else
			want_cols += (size_t)w;
	}
	if (known)
		assert_int_equal(cols, want_cols);
	assert_int_equal(table_unescape((unsigned char *)t.buf, t.len, back), n);
	assert_memory_equal(back, in, n);
	free(back);
	strbuf_free(&t);
	strbuf_free(&j);
}

/* The UTF-8 form of a scalar value, by the definition in RFC 3629; its length. */
static size_t utf8_encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | ((cp >> 12) & 0x3f);
	out[2] = 0x80 | ((cp >> 6) & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

static void test_property_all_two_bytes(void **state)
{
	unsigned int v;

	FILE *py = oracle_open(py_json);

	(void)state;
	for (v = 0; v < 0x10000; v++) {
		unsigned char in[2] = {v >> 8, v & 0xff};

		check_properties(in, 2, py);
		check_properties(in + 1, 1, py);
	}
	oracle_close(py);
}

/* Every three-byte input with a lead byte E0..F4: surrogates, overlongs, truncations. */
static void test_property_three_byte_leads(void **state)
{
	unsigned int lead, v;

	FILE *py = oracle_open(py_json);

	(void)state;
	for (lead = 0xe0; lead <= 0xf4; lead++) {
		for (v = 0; v < 0x10000; v++) {
			unsigned char in[3] = {lead, v >> 8, v & 0xff};

			/* Python sees the leads at the edges: overlongs, surrogates, the end. */
			check_properties(in, 3, strchr("\xe0\xed\xf4", lead) ? py : NULL);
		}
	}
	oracle_close(py);
}

/*
 * Every Unicode scalar value, UTF-8 encoded: all properties; the table writes it as it is, or as
 * \xHH per byte exactly when Python calls it a control, format or separator character; and its
 * columns are the C library's wcwidth() wherever that knows the code point.
 */
static void test_property_all_code_points(void **state)
{
	FILE *json = oracle_open(py_json), *hidden;
	unsigned char in[4];
	uint32_t cp;
	size_t n;

	(void)state;
	for (cp = 0; cp <= 0x10ffff; cp++) {
		struct strbuf j = {0};

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = utf8_encode(cp, in);
		check_properties(in, n, cp < 0x80 ? json : NULL);
		if (cp < 0x80)
			continue;
		/* Valid UTF-8 from U+0080 up is written as it is: nothing for Python to decode. */
		escape_json(&j, (const char *)in, n);
		assert_int_equal(j.len, n);
		assert_memory_equal(j.buf, in, n);
		strbuf_free(&j);
	}
	oracle_close(json);
	hidden = oracle_open(py_hidden);
	for (cp = 0x80; cp <= 0x10ffff; cp++) {
		struct strbuf t = {0};

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = utf8_encode(cp, in);
		escape_table(&t, (const char *)in, n);
		assert_true(t.len == n || t.len == 4 * n);
		if (t.len != n)
			fprintf(hidden, "%x\n", cp);
		strbuf_free(&t);
	}
	oracle_close(hidden);
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
	FILE *py = oracle_open(py_json);

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
		check_properties(in, n, py);
	}
	oracle_close(py);
}

int main(void)
{
	/* The oracles' locale; the code under test needs none. */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "test_escape: the C library has no C.UTF-8 locale\n");
		return 1;
	}
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
