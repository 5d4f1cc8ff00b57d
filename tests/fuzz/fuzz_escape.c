/* libFuzzer target: both escapers on arbitrary bytes; abort() when a documented property fails. */
#define _GNU_SOURCE /* wcwidth() */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "format/escape.h"

/*
 * The oracles are the C library's, in its C.UTF-8 locale, never the escaper's own tables: its
 * UTF-8 decoder for validity, iswcntrl() for what a terminal must not receive, wcwidth() for
 * columns. The hidden format characters are checked by hand-written cases in the unit tests.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fputs("fuzz_escape: the C library has no C.UTF-8 locale\n", stderr);
		abort();
	}
	return 0;
}

/* A valid UTF-8 code point at s[0..n) by the C library: its length, or 0. */
static size_t utf8_at(const unsigned char *s, size_t n, uint32_t *cp)
{
	mbstate_t st;
	wchar_t w;
	size_t r;

	memset(&st, 0, sizeof(st));
	r = mbrtowc(&w, (const char *)s, n, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || (uint32_t)w > 0x10ffff)
		return 0; /* glibc decodes up to U+7FFFFFFF; UTF-8 ends at U+10FFFF */
	*cp = (uint32_t)w;
	return r ? r : 1;
}

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decodes the JSON string content by the documented rule (\udcXX is the raw byte XX, \u00XX a
 * control byte, the short escapes, valid UTF-8 as it is) and compares it with the input.
 */
static void check_json(const unsigned char *in, size_t n, const unsigned char *s, size_t len)
{
	size_t i = 0, o = 0;
	uint32_t cp;

	while (i < len) {
		size_t l;

		if (s[i] < 0x20 || s[i] == 0x7f || s[i] == '"')
			abort();
		if (s[i] != '\\') {
			l = utf8_at(s + i, len - i, &cp);
			if (!l || o + l > n || memcmp(in + o, s + i, l))
				abort();
			o += l;
			i += l;
			continue;
		}
		if (i + 1 >= len || o >= n)
			abort();
		switch (s[i + 1]) {
		case '"':
		case '\\':
			cp = s[i + 1];
			break;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			if (i + 6 > len || hexv(s[i + 4]) < 0 || hexv(s[i + 5]) < 0)
				abort();
			cp = hexv(s[i + 4]) << 4 | hexv(s[i + 5]);
			if (s[i + 2] == '0' && s[i + 3] == '0') {
				if (cp >= 0x20 && cp != 0x7f)
					abort(); /* only control bytes this way */
			} else if (s[i + 2] != 'd' || s[i + 3] != 'c' || cp < 0x80) {
				abort(); /* else only a raw byte, as U+DC80..U+DCFF */
			} else if (utf8_at(in + o, n - o, &cp) && in[o] >= 0x80) {
				abort(); /* a raw byte that began valid UTF-8 */
			} else {
				cp = hexv(s[i + 4]) << 4 | hexv(s[i + 5]);
			}
			i += 4;
			break;
		default:
			abort();
		}
		if (in[o++] != cp)
			abort();
		i += 2;
	}
	if (o != n)
		abort();
}

/* Decodes the table's \\ \n \t \r \xHH, compares with the input, and counts columns. */
static void check_table(const unsigned char *in, size_t n, const unsigned char *s, size_t len,
			size_t cols)
{
	size_t i = 0, o = 0, want = 0;
	int known = 1;
	uint32_t cp;

	while (i < len) {
		size_t l = utf8_at(s + i, len - i, &cp);
		int w;

		if (!l || cp < 0x20 || cp == 0x7f || iswcntrl((wint_t)cp))
			abort();
		w = wcwidth((wchar_t)cp);
		if (w < 0)
			known = 0; /* unassigned for this C library */
		else
			want += (size_t)w;
		if (s[i] != '\\') {
			if (o + l > n || memcmp(in + o, s + i, l))
				abort();
			o += l;
			i += l;
			continue;
		}
		if (i + 1 >= len || o >= n)
			abort();
		switch (s[i + 1]) {
		case '\\':
			cp = '\\';
			break;
		case 'n':
			cp = '\n';
			break;
		case 't':
			cp = '\t';
			break;
		case 'r':
			cp = '\r';
			break;
		case 'x':
			if (i + 4 > len || hexv(s[i + 2]) < 0 || hexv(s[i + 3]) < 0)
				abort();
			cp = hexv(s[i + 2]) << 4 | hexv(s[i + 3]);
			i += 2;
			want += 2;
			break;
		default:
			abort();
		}
		want++;
		if (in[o++] != cp)
			abort();
		i += 2;
	}
	if (o != n || (known && want != cols))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf t = {0}, j = {0};
	size_t cols;

	escape_json(&j, (const char *)data, size);
	if (j.oom)
		abort();
	check_json(data, size, (const unsigned char *)j.buf, j.len);
	escape_json_str(&j, (const char *)data, size);
	if (j.len < 2 || j.buf[j.len - 1] != '"')
		abort();

	cols = escape_table(&t, (const char *)data, size);
	if (t.oom)
		abort();
	check_table(data, size, (const unsigned char *)t.buf, t.len, cols);
	strbuf_free(&t);
	strbuf_free(&j);
	return 0;
}
