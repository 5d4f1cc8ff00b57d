/* A bounded, non-recursive scanner that pulls one top-level string member out of JSON. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "enrich/jsonscan.h"

struct scan {
	const char *s;
	size_t len;
	size_t i;
};

static void skip_ws(struct scan *sc)
{
	while (sc->i < sc->len && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' ||
				   sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
		sc->i++;
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int k = 0; k < 4; k++) {
		char c = p[k];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

/* Append code point cp as UTF-8 to out[*o..size); -ENAMETOOLONG when it does not fit. */
static int put_utf8(char *out, size_t size, size_t *o, uint32_t cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (!out)
		return 0;
	if (*o + n >= size)
		return -ENAMETOOLONG;
	memcpy(out + *o, b, n);
	*o += n;
	return 0;
}

/*
 * A string starting at the opening quote; its unescaped value into out (NULL to skip it).
 * 0, -EINVAL, -ENAMETOOLONG (after which the scan position is unusable).
 */
static int read_string(struct scan *sc, char *out, size_t size)
{
	size_t o = 0;

	if (sc->i >= sc->len || sc->s[sc->i] != '"')
		return -EINVAL;
	sc->i++;
	while (sc->i < sc->len) {
		char c = sc->s[sc->i++];
		uint32_t cp;

		if (c == '"') {
			if (out)
				out[o] = '\0';
			return 0;
		}
		if (c != '\\') {
			if (out) {
				if (o + 1 >= size)
					return -ENAMETOOLONG;
				out[o++] = c;
			}
			continue;
		}
		if (sc->i >= sc->len)
			return -EINVAL;
		c = sc->s[sc->i++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			cp = (unsigned char)c;
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
			if (sc->len - sc->i < 4 || hex4(sc->s + sc->i, &cp))
				return -EINVAL;
			sc->i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && sc->len - sc->i >= 6 &&
			    sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u') {
				uint32_t lo;

				if (hex4(sc->s + sc->i + 2, &lo) == 0 && lo >= 0xdc00 &&
				    lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					sc->i += 6;
				}
			}
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd; /* a lone surrogate */
			break;
		default:
			return -EINVAL;
		}
		if (put_utf8(out, size, &o, cp))
			return -ENAMETOOLONG;
	}
	return -EINVAL;
}

/* Skip any value: strings, nested objects and arrays (by counting), literals and numbers. */
static int skip_value(struct scan *sc)
{
	size_t depth = 0;

	do {
		char c;

		skip_ws(sc);
		if (sc->i >= sc->len)
			return -EINVAL;
		c = sc->s[sc->i];
		if (c == '"') {
			if (read_string(sc, NULL, 0))
				return -EINVAL;
		} else if (c == '{' || c == '[') {
			depth++;
			sc->i++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return -EINVAL;
			depth--;
			sc->i++;
		} else if (c == ',' || c == ':') {
			if (depth == 0)
				return -EINVAL;
			sc->i++;
		} else {
			size_t start = sc->i;

			while (sc->i < sc->len && !strchr(",:{}[]\" \t\r\n", sc->s[sc->i]))
				sc->i++;
			if (sc->i == start)
				return -EINVAL;
		}
	} while (depth > 0);
	return 0;
}

int jsonscan_top_string(const char *js, size_t len, const char *key, char *out, size_t size)
{
	struct scan sc = {js, len, 0};
	size_t klen = strlen(key);

	if (!js || !out || size == 0)
		return -EINVAL;
	skip_ws(&sc);
	if (sc.i >= len || js[sc.i] != '{')
		return -EINVAL;
	sc.i++;
	skip_ws(&sc);
	if (sc.i < len && js[sc.i] == '}')
		return -ENOENT;
	for (;;) {
		size_t kstart;
		int match;

		skip_ws(&sc);
		kstart = sc.i + 1;
		if (read_string(&sc, NULL, 0))
			return -EINVAL;
		/* Keys with escapes never match: none of the keys we read has any. */
		match = sc.i - kstart - 1 == klen && memcmp(js + kstart, key, klen) == 0;
		skip_ws(&sc);
		if (sc.i >= len || js[sc.i] != ':')
			return -EINVAL;
		sc.i++;
		skip_ws(&sc);
		if (match) {
			if (sc.i >= len || js[sc.i] != '"')
				return -ENOENT;
			return read_string(&sc, out, size);
		}
		if (skip_value(&sc))
			return -EINVAL;
		skip_ws(&sc);
		if (sc.i >= len)
			return -EINVAL;
		if (js[sc.i] == '}')
			return -ENOENT;
		if (js[sc.i] != ',')
			return -EINVAL;
		sc.i++;
	}
}

/* The raw key at the scan position (a string) equals lit, escapes not considered. */
static int key_is(const struct scan *sc, size_t start, size_t end, const char *lit)
{
	size_t n = strlen(lit);

	return end - start == n && memcmp(sc->s + start, lit, n) == 0;
}

/* A string, or an array whose first element is a string, at the scan position, into out. */
static int read_string_or_first(struct scan *sc, char *out, size_t size)
{
	skip_ws(sc);
	if (sc->i < sc->len && sc->s[sc->i] == '[') {
		sc->i++;
		skip_ws(sc);
	}
	if (sc->i >= sc->len || sc->s[sc->i] != '"')
		return -ENOENT;
	return read_string(sc, out, size);
}

int jsonscan_array_find(const char *js, size_t len, const char *match_key, const char *match_val,
			const char *want_key, char *out, size_t size)
{
	struct scan sc = {js, len, 0};
	char val[256];

	if (!js || !out || size == 0 || strlen(match_val) >= sizeof(val))
		return -EINVAL;
	skip_ws(&sc);
	if (sc.i >= len || js[sc.i] != '[')
		return -EINVAL;
	sc.i++;
	for (;;) {
		size_t want = SIZE_MAX;
		int matched = 0;

		skip_ws(&sc);
		if (sc.i >= len)
			return -EINVAL;
		if (js[sc.i] == ']')
			return -ENOENT;
		if (js[sc.i] != '{') {
			if (skip_value(&sc))
				return -EINVAL;
		} else {
			sc.i++;
			skip_ws(&sc);
			if (sc.i < len && js[sc.i] == '}')
				sc.i++;
			else
				for (;;) {
					size_t ks, ke;

					skip_ws(&sc);
					ks = sc.i + 1;
					if (read_string(&sc, NULL, 0))
						return -EINVAL;
					ke = sc.i - 1;
					skip_ws(&sc);
					if (sc.i >= len || js[sc.i] != ':')
						return -EINVAL;
					sc.i++;
					skip_ws(&sc);
					if (key_is(&sc, ks, ke, want_key))
						want = sc.i;
					if (key_is(&sc, ks, ke, match_key) && sc.i < len &&
					    js[sc.i] == '"') {
						size_t vs = sc.i;
						int err = read_string(&sc, val, sizeof(val));

						if (err == -EINVAL)
							return err;
						matched = err == 0 && strcmp(val, match_val) == 0;
						if (err == -ENAMETOOLONG) {
							sc.i = vs; /* skip it again, unread */
							if (read_string(&sc, NULL, 0))
								return -EINVAL;
						}
					} else if (skip_value(&sc)) {
						return -EINVAL;
					}
					skip_ws(&sc);
					if (sc.i >= len)
						return -EINVAL;
					if (js[sc.i] == '}') {
						sc.i++;
						break;
					}
					if (js[sc.i] != ',')
						return -EINVAL;
					sc.i++;
				}
			if (matched) {
				if (want == SIZE_MAX)
					return -ENOENT;
				sc.i = want;
				return read_string_or_first(&sc, out, size);
			}
		}
		skip_ws(&sc);
		if (sc.i >= len)
			return -EINVAL;
		if (js[sc.i] == ']')
			return -ENOENT;
		if (js[sc.i] != ',')
			return -EINVAL;
		sc.i++;
	}
}
