/* libFuzzer target: both escapers on arbitrary bytes; abort() when a documented property fails. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/escape.h"

/* Strictly valid UTF-8 code point at s[0..n): its length, or 0. */
static size_t utf8_at(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, v = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, v = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, v = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	*cp = v;
	return len;
}

/* C1, Unicode general categories Cf, Zl, Zp (Unicode 15). */
static int hidden(uint32_t cp)
{
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

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

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
			if (i + 6 > len || s[i + 2] != '0' || s[i + 3] != '0' ||
			    hexv(s[i + 4]) < 0 || hexv(s[i + 5]) < 0)
				abort();
			cp = hexv(s[i + 4]) << 4 | hexv(s[i + 5]);
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

static void check_table(const unsigned char *in, size_t n, const unsigned char *s, size_t len,
			size_t cols)
{
	size_t i = 0, o = 0, cps = 0;
	uint32_t cp;

	while (i < len) {
		size_t l = utf8_at(s + i, len - i, &cp);

		if (!l || cp < 0x20 || cp == 0x7f || hidden(cp))
			abort();
		cps++;
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
			cps += 2;
			break;
		default:
			abort();
		}
		cps++;
		if (in[o++] != cp)
			abort();
		i += 2;
	}
	if (o != n || cps != cols)
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
