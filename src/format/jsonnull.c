/* Dropping null members from a finished JSON object: one pass, in place, strings skipped whole. */
#define _GNU_SOURCE /* memrchr */
#include <stdbool.h>
#include <string.h>

#include "format/jsonnull.h"

/* The end of the string that starts at s[i] ('"'), just past its closing quote; 0 when cut. */
static size_t skip_string(const char *s, size_t i, size_t n)
{
	for (i++; i < n;) {
		const char *q = memchr(s + i, '"', n - i);
		size_t j, bs = 0;

		if (!q)
			return 0;
		j = (size_t)(q - s);
		while (j - bs > i && s[j - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return j + 1;
		i = j + 1;
	}
	return 0;
}

/* The end of the value that starts at s[i]: past a string, a nested object or array whole, or a
   number, true, false or null up to the next ',' '}' or ']'; 0 when cut. */
static size_t skip_value(const char *s, size_t i, size_t n)
{
	size_t depth = 0;

	while (i < n) {
		char c = s[i];

		if (c == '"') {
			i = skip_string(s, i, n);
			if (!i)
				return 0;
			if (!depth)
				return i;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (!depth)
				return i;
			if (--depth == 0)
				return i + 1;
		} else if (c == ',' && !depth) {
			return i;
		}
		i++;
	}
	return 0;
}

size_t json_drop_nulls(char *s, size_t n)
{
	size_t i = 1, w = 1, kept = 0;
	bool first = true;

	if (n < 2 || s[0] != '{')
		return n;
	while (i < n && s[i] != '}') {
		size_t start, colon, end;

		if (!first && s[i++] != ',') /* a member after the first: its comma */
			return n;
		first = false;
		start = i;
		if (i >= n || s[i] != '"' || !(colon = skip_string(s, i, n)) || colon >= n ||
		    s[colon] != ':' || !(end = skip_value(s, colon + 1, n)))
			return n;
		if (!(end - colon - 1 == 4 && memcmp(s + colon + 1, "null", 4) == 0)) {
			if (kept++)
				s[w++] = ',';
			memmove(s + w, s + start, end - start);
			w += end - start;
		}
		i = end;
	}
	if (i >= n)
		return n;
	memmove(s + w, s + i, n - i);
	return w + (n - i);
}

void json_line_end(struct strbuf *b, int omit)
{
	const char *prev;
	size_t start;

	strbuf_adds(b, "}\n");
	if (!omit || b->oom)
		return;
	prev = b->len >= 2 ? memrchr(b->buf, '\n', b->len - 1) : NULL;
	start = prev ? (size_t)(prev - b->buf) + 1 : 0;
	b->len = start + json_drop_nulls(b->buf + start, b->len - start);
}
