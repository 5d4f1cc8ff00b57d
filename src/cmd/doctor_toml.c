/*
 * A reader of the subset of TOML that container runtimes' configuration files use, for one value.
 *
 * Debian 12 packages no C TOML library (only the C++ header-only cpptoml and toml11, which would
 * bring C++ and its runtime into a C program and its static build), and doctor needs one value
 * per file, so this reads the subset those files are written in: comments; [table] and
 * [[array-of-tables]] headers, bare, quoted or dotted; key = value lines whose key is bare,
 * quoted or dotted and whose value is a basic, literal or multi-line string, a bare word (true,
 * 42, 1.5) or an array or inline table, which is skipped over (nested at most 64 deep, across
 * lines). It does not check what TOML forbids beyond that (a key set twice, a table defined
 * twice, number formats): containerd, podman and CRI-O parse the file themselves and would
 * refuse it first; doctor only reads what they will use.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/doctor_toml.h"

#define MAX_DEPTH 64

struct scan {
	const char *p;
	const char *end;
	int line;
};

static int fail(struct scan *s, struct doctor_setting *out, const char *what)
{
	return doctor_setting_malformed(out, s->line, what);
}

static void skip_blank(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

static void skip_comment(struct scan *s)
{
	if (s->p < s->end && *s->p == '#')
		while (s->p < s->end && *s->p != '\n')
			s->p++;
}

/* After an item: blanks, an optional comment, then the end of the line. */
static int end_of_line(struct scan *s, struct doctor_setting *out)
{
	skip_blank(s);
	skip_comment(s);
	if (s->p < s->end && *s->p != '\n')
		return fail(s, out, "text after the value");
	if (s->p < s->end) {
		s->p++;
		s->line++;
	}
	return 0;
}

/*
 * At a quote: a TOML string (basic, literal, or either multi-line). Its contents, escapes
 * kept raw, go to [*start, *start + *n).
 */
static int toml_string(struct scan *s, struct doctor_setting *out, const char **start, size_t *n)
{
	char q = *s->p;

	if (s->end - s->p >= 3 && s->p[1] == q && s->p[2] == q) {
		s->p += 3;
		*start = s->p;
		while (s->end - s->p >= 3 && !(s->p[0] == q && s->p[1] == q && s->p[2] == q)) {
			if (*s->p == '\n')
				s->line++;
			if (q == '"' && *s->p == '\\')
				s->p++;
			s->p++;
		}
		if (s->end - s->p < 3)
			return fail(s, out, "unterminated multi-line string");
		*n = (size_t)(s->p - *start);
		s->p += 3;
		return 0;
	}
	s->p++;
	*start = s->p;
	while (s->p < s->end && *s->p != q && *s->p != '\n') {
		if (q == '"' && *s->p == '\\' && s->p + 1 < s->end && s->p[1] != '\n')
			s->p++;
		s->p++;
	}
	if (s->p >= s->end || *s->p != q)
		return fail(s, out, "unterminated string");
	*n = (size_t)(s->p - *start);
	s->p++;
	return 0;
}

/* At '[' or '{' of a value: skip to the matching close, across lines. */
static int toml_skip_nested(struct scan *s, struct doctor_setting *out)
{
	int depth = 0, start_line = s->line;
	const char *v;
	size_t n;
	int err;

	while (s->p < s->end) {
		char c = *s->p;

		if (c == '"' || c == '\'') {
			if ((err = toml_string(s, out, &v, &n)))
				return err;
			continue;
		}
		if (c == '#') {
			skip_comment(s);
			continue;
		}
		if (c == '\n')
			s->line++;
		if (c == '[' || c == '{') {
			if (++depth > MAX_DEPTH)
				return fail(s, out, "nested too deeply");
		} else if (c == ']' || c == '}') {
			if (--depth == 0) {
				s->p++;
				return 0;
			}
		}
		s->p++;
	}
	s->line = start_line;
	return fail(s, out, "unterminated array or inline table");
}

static int table_matches(const char *table, const char *suffix)
{
	size_t t = strlen(table), n = strlen(suffix);

	if (n == 0)
		return t == 0;
	if (t < n || strcmp(table + t - n, suffix))
		return 0;
	return t == n || table[t - n - 1] == '.';
}

/* At '[': a table header; its name, blanks removed, into table (cut names never match). */
static int toml_header(struct scan *s, struct doctor_setting *out, char *table, size_t size)
{
	size_t j = 0;
	int arr = 0, cut = 0;

	s->p++;
	if (s->p < s->end && *s->p == '[') {
		arr = 1;
		s->p++;
	}
	while (s->p < s->end && *s->p != ']' && *s->p != '\n') {
		if (*s->p == '"' || *s->p == '\'') {
			const char *v;
			size_t n;
			int err;

			if ((err = toml_string(s, out, &v, &n)))
				return err;
			/* ["engine"] is [engine]: a quoted part is matched by what it says */
			for (size_t i = 0; i < n; i++) {
				if (j + 1 < size)
					table[j++] = v[i];
				else
					cut = 1;
			}
			continue;
		}
		if (*s->p != ' ' && *s->p != '\t') {
			if (j + 1 < size)
				table[j++] = *s->p;
			else
				cut = 1;
		}
		s->p++;
	}
	if (s->p >= s->end || *s->p != ']' || (arr && (s->p + 1 >= s->end || s->p[1] != ']')))
		return fail(s, out, "unterminated table header");
	s->p += arr ? 2 : 1;
	table[cut ? 0 : j] = '\0';
	if (cut)
		snprintf(table, size, "\x01");
	if (j == 0)
		return fail(s, out, "empty table name");
	return end_of_line(s, out);
}

int doctor_toml_get(const char *text, size_t len, const char *table_suffix, const char *key,
		    struct doctor_setting *out)
{
	struct scan s = {text, text + len, 1};
	char table[256] = "";
	int err;

	memset(out, 0, sizeof(*out));
	while (s.p < s.end) {
		const char *k, *v;
		size_t kn = 0, vn = 0;
		int line;

		skip_blank(&s);
		skip_comment(&s);
		if (s.p >= s.end)
			break;
		if (*s.p == '\n') {
			s.p++;
			s.line++;
			continue;
		}
		if (*s.p == '\0')
			return fail(&s, out, "NUL byte");
		if (*s.p == '[') {
			if ((err = toml_header(&s, out, table, sizeof(table))))
				return err;
			continue;
		}
		/* key (bare, quoted or dotted) up to '=' */
		k = s.p;
		if (*s.p == '"' || *s.p == '\'') {
			if ((err = toml_string(&s, out, &k, &kn)))
				return err;
		} else {
			while (s.p < s.end && (isalnum((unsigned char)*s.p) || strchr("_-.", *s.p)))
				s.p++;
			kn = (size_t)(s.p - k);
		}
		skip_blank(&s);
		if (kn == 0 || s.p >= s.end || *s.p != '=')
			return fail(&s, out, "expected key = value");
		s.p++;
		skip_blank(&s);
		line = s.line;
		if (s.p >= s.end || *s.p == '\n' || *s.p == '#')
			return fail(&s, out, "missing value");
		if (*s.p == '"' || *s.p == '\'') {
			if ((err = toml_string(&s, out, &v, &vn)))
				return err;
		} else if (*s.p == '[' || *s.p == '{') {
			v = s.p;
			if ((err = toml_skip_nested(&s, out)))
				return err;
			vn = (size_t)(s.p - v);
		} else {
			v = s.p;
			while (s.p < s.end && !strchr(" \t\r\n#", *s.p))
				s.p++;
			vn = (size_t)(s.p - v);
		}
		if ((err = end_of_line(&s, out)))
			return err;
		if (kn == strlen(key) && !memcmp(k, key, kn) && table_matches(table, table_suffix))
			doctor_setting_set(out, v, vn, line);
	}
	return out->line ? 0 : -ENOENT;
}
