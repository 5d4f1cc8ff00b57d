/* Escaping of traced, hostile strings for the terminal table and for JSON strings. */
#include <stdint.h>

#include "format/escape.h"
#include "format/width.h"
#include "util.h"

/*
 * Length of the valid, shortest-form UTF-8 sequence at s[0..n) that starts with a byte >= 0x80
 * (no surrogates, nothing above U+10FFFF), with its code point in *cp; 0 when it is invalid or
 * truncated.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0; /* continuation byte, overlong C0/C1, or F5..FF */
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3f);
	for (i = 2; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/*
 * Code points a terminal must not receive raw, sorted: C1 controls, and every format character
 * (Unicode 15 general category Cf: bidi controls, zero-width characters, tag characters) and the
 * line and paragraph separators (Zl, Zp). All of them are invisible or act on the display.
 */
static const uint32_t hidden_ranges[][2] = {
	{0x0080, 0x009f},   {0x00ad, 0x00ad},	{0x0600, 0x0605},   {0x061c, 0x061c},
	{0x06dd, 0x06dd},   {0x070f, 0x070f},	{0x0890, 0x0891},   {0x08e2, 0x08e2},
	{0x180e, 0x180e},   {0x200b, 0x200f},	{0x2028, 0x202e},   {0x2060, 0x2064},
	{0x2066, 0x206f},   {0xfeff, 0xfeff},	{0xfff9, 0xfffb},   {0x110bd, 0x110bd},
	{0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
	{0xe0001, 0xe0001}, {0xe0020, 0xe007f},
};

static int table_hidden(uint32_t cp)
{
	size_t i;

	for (i = 0; i < sizeof(hidden_ranges) / sizeof(hidden_ranges[0]); i++) {
		if (cp < hidden_ranges[i][0])
			return 0;
		if (cp <= hidden_ranges[i][1])
			return 1;
	}
	return 0;
}

static void add_hex_bytes(struct strbuf *b, const unsigned char *s, size_t n)
{
	char tmp[16];
	size_t i;

	for (i = 0; i < n; i++) {
		tmp[4 * i] = '\\';
		tmp[4 * i + 1] = 'x';
		tmp[4 * i + 2] = hex_digit(s[i] >> 4);
		tmp[4 * i + 3] = hex_digit(s[i]);
	}
	strbuf_add(b, tmp, 4 * n);
}

size_t escape_table(struct strbuf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, cols = 0;

	while (i < n) {
		size_t run = i, len;
		uint32_t cp;

		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '\\')
			run++;
		if (run > i) {
			strbuf_add(b, s + i, run - i);
			cols += run - i;
			i = run;
			if (i == n)
				break;
		}
		switch (s[i]) {
		case '\\':
			strbuf_add(b, "\\\\", 2);
			cols += 2;
			i++;
			continue;
		case '\n':
			strbuf_add(b, "\\n", 2);
			cols += 2;
			i++;
			continue;
		case '\t':
			strbuf_add(b, "\\t", 2);
			cols += 2;
			i++;
			continue;
		case '\r':
			strbuf_add(b, "\\r", 2);
			cols += 2;
			i++;
			continue;
		}
		if (s[i] >= 0x80 && (len = utf8_seq(s + i, n - i, &cp)) != 0) {
			if (table_hidden(cp)) {
				add_hex_bytes(b, s + i, len);
				cols += 4 * len;
			} else {
				strbuf_add(b, s + i, len);
				cols += width_cols(cp);
			}
			i += len;
			continue;
		}
		/* Other control bytes, DEL, and each byte of invalid UTF-8. */
		add_hex_bytes(b, s + i, 1);
		cols += 4;
		i++;
	}
	return cols;
}

void escape_json(struct strbuf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		size_t run = i, len;
		uint32_t cp;
		char tmp[6];
		unsigned char c;

		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '\\' &&
		       s[run] != '"')
			run++;
		if (run > i) {
			strbuf_add(b, s + i, run - i);
			i = run;
			if (i == n)
				break;
		}
		c = s[i];
		if (c >= 0x80 && (len = utf8_seq(s + i, n - i, &cp)) != 0) {
			strbuf_add(b, s + i, len);
			i += len;
			continue;
		}
		i++;
		switch (c) {
		case '"':
			strbuf_add(b, "\\\"", 2);
			continue;
		case '\\':
			strbuf_add(b, "\\\\", 2);
			continue;
		case '\b':
			strbuf_add(b, "\\b", 2);
			continue;
		case '\f':
			strbuf_add(b, "\\f", 2);
			continue;
		case '\n':
			strbuf_add(b, "\\n", 2);
			continue;
		case '\r':
			strbuf_add(b, "\\r", 2);
			continue;
		case '\t':
			strbuf_add(b, "\\t", 2);
			continue;
		}
		/*
		 * Control bytes and DEL as \u00XX; each byte of invalid UTF-8 (0x80..0xff) as the
		 * lone low surrogate U+DC00 + byte, \udc80..\udcff (see escape.h).
		 */
		tmp[0] = '\\';
		tmp[1] = 'u';
		tmp[2] = c >= 0x80 ? 'd' : '0';
		tmp[3] = c >= 0x80 ? 'c' : '0';
		tmp[4] = hex_digit(c >> 4);
		tmp[5] = hex_digit(c);
		strbuf_add(b, tmp, 6);
	}
}

void escape_json_str(struct strbuf *b, const char *s, size_t n)
{
	if (!s) {
		strbuf_add(b, "null", 4);
		return;
	}
	strbuf_addc(b, '"');
	escape_json(b, s, n);
	strbuf_addc(b, '"');
}

void escape_json_key(struct strbuf *b, const char *key, bool first)
{
	if (!first)
		strbuf_addc(b, ',');
	strbuf_addc(b, '"');
	strbuf_adds(b, key);
	strbuf_adds(b, "\":");
}
