/* Minimal, bounded scanners of runtime configuration files (JSON, TOML, YAML) for doctor. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/doctor_config.h"

#define MAX_DEPTH 64

struct scan {
	const char *p;
	const char *end;
	int line;
};

static int fail(struct scan *s, struct doctor_setting *out, const char *what)
{
	snprintf(out->note, sizeof(out->note), "malformed at line %d: %s", s->line, what);
	out->value[0] = '\0';
	out->line = 0;
	return -EINVAL;
}

static void setting_init(struct doctor_setting *out)
{
	memset(out, 0, sizeof(*out));
}

/* Copy n bytes into out->value, keeping only printable ASCII (the value is then compared). */
static void set_value(struct doctor_setting *out, const char *v, size_t n, int line)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < sizeof(out->value); i++)
		out->value[j++] = isprint((unsigned char)v[i]) ? v[i] : '?';
	out->value[j] = '\0';
	out->line = line;
}

/* Accept only the two cgroup drivers every runtime knows; anything else is a clear note. */
static int check_driver(struct doctor_setting *out)
{
	if (!strcmp(out->value, "systemd") || !strcmp(out->value, "cgroupfs"))
		return 0;
	snprintf(out->note, sizeof(out->note), "line %d: unknown cgroup driver \"%.32s\"",
		 out->line, out->value);
	out->value[0] = '\0';
	out->line = 0;
	return -EINVAL;
}

/* ---- JSON (docker's daemon.json) ---- */

static void js_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) {
		if (*s->p == '\n')
			s->line++;
		s->p++;
	}
}

/* At a '"': the raw contents (escapes left as they are) in [*start, *start + *n). */
static int js_string(struct scan *s, struct doctor_setting *out, const char **start, size_t *n)
{
	s->p++;
	*start = s->p;
	while (s->p < s->end && *s->p != '"') {
		if ((unsigned char)*s->p < 0x20)
			return fail(s, out, "control character in a string");
		if (*s->p == '\\' && ++s->p >= s->end)
			break;
		s->p++;
	}
	if (s->p >= s->end)
		return fail(s, out, "unterminated string");
	*n = (size_t)(s->p - *start);
	s->p++;
	return 0;
}

static int js_value(struct scan *s, struct doctor_setting *out, int depth);

static int js_container(struct scan *s, struct doctor_setting *out, int depth, char close)
{
	const char *k;
	size_t kn;
	int err;

	s->p++;
	js_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		js_ws(s);
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"')
				return fail(s, out, "expected a member name");
			if ((err = js_string(s, out, &k, &kn)))
				return err;
			js_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, out, "expected ':'");
			s->p++;
		}
		if ((err = js_value(s, out, depth + 1)))
			return err;
		js_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return 0;
		}
		return fail(s, out, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int js_value(struct scan *s, struct doctor_setting *out, int depth)
{
	const char *v;
	size_t n;

	if (depth > MAX_DEPTH)
		return fail(s, out, "nested too deeply");
	js_ws(s);
	if (s->p >= s->end)
		return fail(s, out, "unexpected end of file");
	if (*s->p == '{')
		return js_container(s, out, depth, '}');
	if (*s->p == '[')
		return js_container(s, out, depth, ']');
	if (*s->p == '"')
		return js_string(s, out, &v, &n);
	v = s->p;
	while (s->p < s->end && (isalnum((unsigned char)*s->p) || strchr("+-.", *s->p)))
		s->p++;
	if (s->p == v)
		return fail(s, out, "unexpected character");
	return 0;
}

static int docker_exec_opts(struct scan *s, struct doctor_setting *out)
{
	static const char opt[] = "native.cgroupdriver=";
	const char *v;
	size_t n;
	int err;

	js_ws(s);
	if (s->p >= s->end || *s->p != '[')
		return fail(s, out, "\"exec-opts\" is not a list");
	s->p++;
	for (;;) {
		js_ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		if (s->p >= s->end || *s->p != '"')
			return fail(s, out, "\"exec-opts\" holds something other than strings");
		if ((err = js_string(s, out, &v, &n)))
			return err;
		if (n >= sizeof(opt) - 1 && !memcmp(v, opt, sizeof(opt) - 1)) {
			set_value(out, v + sizeof(opt) - 1, n - (sizeof(opt) - 1), s->line);
			if ((err = check_driver(out)))
				return err;
		}
		js_ws(s);
		if (s->p < s->end && *s->p == ',')
			s->p++;
		else if (s->p >= s->end || *s->p != ']')
			return fail(s, out, "expected ',' or ']'");
	}
}

int doctor_config_docker(const char *text, size_t len, struct doctor_setting *out)
{
	struct scan s = {text, text + len, 1};
	const char *k;
	size_t kn;
	int err;

	setting_init(out);
	js_ws(&s);
	if (s.p >= s.end)
		return fail(&s, out, "empty file");
	if (*s.p != '{')
		return fail(&s, out, "not a JSON object");
	s.p++;
	js_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
	} else {
		for (;;) {
			js_ws(&s);
			if (s.p >= s.end || *s.p != '"')
				return fail(&s, out, "expected a member name");
			if ((err = js_string(&s, out, &k, &kn)))
				return err;
			js_ws(&s);
			if (s.p >= s.end || *s.p != ':')
				return fail(&s, out, "expected ':'");
			s.p++;
			if (kn == 9 && !memcmp(k, "exec-opts", 9))
				err = docker_exec_opts(&s, out);
			else
				err = js_value(&s, out, 1);
			if (err)
				return err;
			js_ws(&s);
			if (s.p < s.end && *s.p == ',') {
				s.p++;
				continue;
			}
			if (s.p < s.end && *s.p == '}') {
				s.p++;
				break;
			}
			return fail(&s, out, "expected ',' or '}'");
		}
	}
	js_ws(&s);
	if (s.p < s.end)
		return fail(&s, out, "text after the JSON object");
	return out->value[0] ? 0 : -ENOENT;
}

/* ---- TOML (containerd, podman, CRI-O) ---- */

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
			for (size_t i = 0; i < n + 2; i++) {
				char c = i == 0 || i == n + 1 ? '"' : v[i - 1];

				if (j + 1 < size)
					table[j++] = c;
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

	setting_init(out);
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
			set_value(out, v, vn, line);
	}
	return out->line ? 0 : -ENOENT;
}

int doctor_config_containerd(const char *text, size_t len, struct doctor_setting *out)
{
	int err = doctor_toml_get(text, len, "runtimes.runc.options", "SystemdCgroup", out);

	if (err)
		return err;
	if (!strcmp(out->value, "true") || !strcmp(out->value, "false")) {
		snprintf(out->value, sizeof(out->value), "%s",
			 out->value[0] == 't' ? "systemd" : "cgroupfs");
		return 0;
	}
	snprintf(out->note, sizeof(out->note), "line %d: SystemdCgroup is not true or false",
		 out->line);
	out->value[0] = '\0';
	out->line = 0;
	return -EINVAL;
}

int doctor_config_podman(const char *text, size_t len, struct doctor_setting *out)
{
	int err = doctor_toml_get(text, len, "engine", "cgroup_manager", out);

	return err ? err : check_driver(out);
}

int doctor_config_podman_runtime(const char *text, size_t len, struct doctor_setting *out)
{
	int err = doctor_toml_get(text, len, "engine", "runtime", out);

	if (!err && !out->value[0]) {
		out->line = 0; /* runtime = "": podman's default */
		return -ENOENT;
	}
	return err;
}

int doctor_config_crio(const char *text, size_t len, struct doctor_setting *out)
{
	int err = doctor_toml_get(text, len, "crio.runtime", "cgroup_manager", out);

	return err ? err : check_driver(out);
}

/* ---- YAML (the kubelet's configuration): top-level "key: value" lines only ---- */

int doctor_config_kubelet(const char *text, size_t len, struct doctor_setting *out)
{
	static const char key[] = "cgroupDriver";
	struct scan s = {text, text + len, 1};

	setting_init(out);
	while (s.p < s.end) {
		const char *ls = s.p, *le = memchr(s.p, '\n', (size_t)(s.end - s.p));
		const char *q, *v, *ve;

		if (!le)
			le = s.end;
		if (memchr(ls, '\0', (size_t)(le - ls)))
			return fail(&s, out, "NUL byte");
		if (ls < le && *ls == '\t')
			return fail(&s, out, "tab used for indentation");
		q = ls;
		while (q < le && (*q == ' ' || *q == '\r'))
			q++;
		if (q == le || *q == '#' || q != ls || (le - ls >= 3 && !memcmp(ls, "---", 3)) ||
		    (le - ls >= 3 && !memcmp(ls, "...", 3)) || *ls == '-') {
			/* blank, comment, nested, document marker or list item: not ours */
		} else if (!memchr(ls, ':', (size_t)(le - ls))) {
			return fail(&s, out, "expected key: value");
		} else if ((size_t)(le - ls) > sizeof(key) - 1 &&
			   !memcmp(ls, key, sizeof(key) - 1) &&
			   (ls[sizeof(key) - 1] == ':' || ls[sizeof(key) - 1] == ' ')) {
			v = ls + sizeof(key) - 1;
			while (v < le && *v == ' ')
				v++;
			if (v >= le || *v != ':')
				return fail(&s, out, "expected ':' after cgroupDriver");
			v++;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			ve = v;
			while (ve < le && *ve != '#' && *ve != '\r')
				ve++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - v >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v) {
				v++;
				ve--;
			}
			set_value(out, v, (size_t)(ve - v), s.line);
			if (check_driver(out))
				return -EINVAL;
		}
		s.p = le < s.end ? le + 1 : le;
		s.line++;
	}
	return out->line ? 0 : -ENOENT;
}

/* ---- `--version` output ---- */

void doctor_version_parse(const char *text, size_t len, char *out, size_t size)
{
	const char *le = memchr(text, '\n', len), *p = text, *tok[16];
	size_t tn[16], n = 0;

	if (!size)
		return;
	out[0] = '\0';
	if (!le)
		le = text + len;
	while (p < le && n < 16) {
		while (p < le && isspace((unsigned char)*p))
			p++;
		if (p >= le)
			break;
		tok[n] = p;
		while (p < le && !isspace((unsigned char)*p))
			p++;
		tn[n] = (size_t)(p - tok[n]);
		while (tn[n] && tok[n][tn[n] - 1] == ',')
			tn[n]--;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		int after_word =
			i > 0 && ((tn[i - 1] == 7 && !strncasecmp(tok[i - 1], "version", 7)) ||
				  (tn[i - 1] == 8 && !strncasecmp(tok[i - 1], "version:", 8)));
		int digit = isdigit((unsigned char)tok[i][0]) ||
			    (tok[i][0] == 'v' && tn[i] > 1 && isdigit((unsigned char)tok[i][1]));

		if (after_word || digit) {
			snprintf(out, size, "%.*s", (int)tn[i], tok[i]);
			return;
		}
	}
	snprintf(out, size, "%.*s", (int)(le - text > 64 ? 64 : le - text), text);
}
