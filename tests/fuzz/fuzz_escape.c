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
#include "../oracle.h"

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

/* The L bytes of raw text at s[*i] must be the input's at in[*o]; both move past them. */
static void take_raw(const unsigned char *in, size_t n, size_t *o, const unsigned char *s,
		     size_t *i, size_t l)
{
	if (!l || *o + l > n || memcmp(in + *o, s + *i, l))
		abort();
	*o += l;
	*i += l;
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
		if (s[i] < 0x20 || s[i] == 0x7f || s[i] == '"')
			abort();
		if (s[i] != '\\') {
			take_raw(in, n, &o, s, &i, oracle_utf8(s + i, len - i, &cp));
			continue;
		}
		if (i + 1 >= len || o >= n)
			abort();
		switch (s[i + 1]) {
		case 'u':
			if (i + 6 > len || oracle_hex(s[i + 4]) < 0 || oracle_hex(s[i + 5]) < 0)
				abort();
			cp = oracle_hex(s[i + 4]) << 4 | oracle_hex(s[i + 5]);
			if (s[i + 2] == '0' && s[i + 3] == '0') {
				if (cp >= 0x20 && cp != 0x7f)
					abort(); /* only control bytes this way */
			} else if (s[i + 2] != 'd' || s[i + 3] != 'c' || cp < 0x80) {
				abort(); /* else only a raw byte, as U+DC80..U+DCFF */
			} else if (oracle_utf8(in + o, n - o, &cp) && in[o] >= 0x80) {
				abort(); /* a raw byte that began valid UTF-8 */
			} else {
				cp = oracle_hex(s[i + 4]) << 4 | oracle_hex(s[i + 5]);
			}
			i += 4;
			break;
		default:
			if (oracle_short_escape(s[i + 1]) < 0)
				abort();
			cp = (uint32_t)oracle_short_escape(s[i + 1]);
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
		size_t l = oracle_utf8(s + i, len - i, &cp);
		int w;

		if (!l || cp < 0x20 || cp == 0x7f || iswcntrl((wint_t)cp))
			abort();
		w = wcwidth((wchar_t)cp);
		if (w < 0)
			known = 0; /* unassigned for this C library */
		else
			want += (size_t)w;
		if (s[i] != '\\') {
			take_raw(in, n, &o, s, &i, l);
			continue;
		}
		if (i + 1 >= len || o >= n)
			abort();
		if (s[i + 1] == 'x') {
			if (i + 4 > len || oracle_hex(s[i + 2]) < 0 || oracle_hex(s[i + 3]) < 0)
				abort();
			cp = oracle_hex(s[i + 2]) << 4 | oracle_hex(s[i + 3]);
			i += 2;
			want += 2;
		} else if (s[i + 1] && strchr("\\ntr", s[i + 1])) {
			cp = (uint32_t)oracle_short_escape(s[i + 1]);
		} else {
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
