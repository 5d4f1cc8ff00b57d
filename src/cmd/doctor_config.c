/* Reading the cgroup driver out of runtimes' configuration files: JSON, TOML and YAML. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "cmd/doctor_config.h"
#include "cmd/doctor_toml.h"
#include "enrich/json_read.h"

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

/*
 * The line of the last place text spells "native.cgroupdriver=VALUE" (quotes included), or 0.
 * jansson keeps no positions, so the line is looked for in the text after the tree said which
 * option wins; written with \u escapes it is not found, and the source then has no line.
 */
static int docker_option_line(const char *text, size_t len, const char *opt)
{
	size_t n = strlen(opt);
	int line = 1, found = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			line++;
		else if (text[i] == '"' && len - i >= n + 2 && !memcmp(text + i + 1, opt, n) &&
			 text[i + 1 + n] == '"')
			found = line;
	}
	return found;
}

int doctor_config_docker(const char *text, size_t len, struct doctor_setting *out)
{
	static const char opt[] = "native.cgroupdriver=";
	const char *last = NULL, *why;
	char what[160];
	json_t *doc, *opts, *o;
	size_t i, blank = 0;
	int line, err;

	memset(out, 0, sizeof(*out));
	while (blank < len && strchr(" \t\r\n", text[blank]) && text[blank])
		blank++;
	if (blank == len)
		return doctor_setting_malformed(out, 1, "empty file");
	err = json_read_text_why(text, len, &doc, &line, what, sizeof(what));
	if (err == -EINVAL)
		return doctor_setting_malformed(out, line, what);
	if (err)
		return err;
	why = !json_is_object(doc) ? "not a JSON object" : NULL;
	opts = json_is_object(doc) ? json_object_get(doc, "exec-opts") : NULL;
	if (!why && opts && !json_is_array(opts))
		why = "\"exec-opts\" is not a list";
	json_array_foreach(opts, i, o)
	{
		if (!json_is_string(o)) {
			why = "\"exec-opts\" holds something other than strings";
			break;
		}
		/* docker applies them in order: the last cgroupdriver option wins */
		if (!strncmp(json_string_value(o), opt, sizeof(opt) - 1))
			last = json_string_value(o);
	}
	if (why) {
		json_decref(doc);
		return doctor_setting_malformed(out, 1, why);
	}
	if (last) {
		doctor_setting_set(out, last + sizeof(opt) - 1, strlen(last) - (sizeof(opt) - 1),
				   docker_option_line(text, len, last));
	}
	json_decref(doc);
	if (!last)
		return -ENOENT;
	return check_driver(out);
}

/* ---- TOML (containerd, podman, CRI-O): the subset reader of doctor_toml.c ---- */

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

/* ---- YAML (the kubelet's KubeletConfiguration), through libyaml's event parser ---- */

/* Deeper than any kubelet configuration; bounds the work a hostile file can ask for. */
#define YAML_MAX_DEPTH 64

/* libyaml's own words for what is wrong, where it noticed, and what it was reading from where. */
static int yaml_malformed(const yaml_parser_t *p, struct doctor_setting *out)
{
	char what[160];

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->context)
		snprintf(what, sizeof(what), "%s (%s at line %d)",
			 p->problem ? p->problem : "unreadable YAML", p->context,
			 (int)p->context_mark.line + 1);
	else
		snprintf(what, sizeof(what), "%s", p->problem ? p->problem : "unreadable YAML");
	return doctor_setting_malformed(out, (int)p->problem_mark.line + 1, what);
}

/*
 * Walk the events: in each document's top-level mapping, keys and values alternate; the value
 * of cgroupDriver must be a plain or quoted scalar (an alias, a list or a mapping is malformed).
 * Aliases are never expanded (the event parser reports them as they are), so a small file
 * cannot grow into a large one.
 */
int doctor_config_kubelet(const char *text, size_t len, struct doctor_setting *out)
{
	yaml_parser_t p;
	yaml_event_t ev;
	const char *nul;
	int depth = 0, err = -ENOENT;
	bool top_map = false, at_key = true, want = false, done = false;

	memset(out, 0, sizeof(*out));
	nul = memchr(text, '\0', len);
	if (nul) {
		int line = 1;

		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		return doctor_setting_malformed(out, line, "NUL byte");
	}
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		int line;

		if (!yaml_parser_parse(&p, &ev)) {
			err = yaml_malformed(&p, out);
			break;
		}
		line = (int)ev.start_mark.line + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (want) {
				err = doctor_setting_malformed(out, line,
							       "cgroupDriver is not a scalar");
				done = true;
			} else if (++depth > YAML_MAX_DEPTH) {
				err = doctor_setting_malformed(out, line, "nested too deeply");
				done = true;
			} else if (depth == 1) {
				/* a document that is a list (or a scalar) sets nothing */
				top_map = ev.type == YAML_MAPPING_START_EVENT;
				at_key = true;
			} else if (depth == 2) {
				at_key = !at_key; /* a nested value of a top-level key */
			}
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		case YAML_ALIAS_EVENT:
			if (want) {
				err = doctor_setting_malformed(out, line,
							       "cgroupDriver is an alias");
				done = true;
			} else if (depth == 1) {
				at_key = !at_key;
			}
			break;
		case YAML_SCALAR_EVENT:
			if (depth != 1 || !top_map)
				break;
			if (want) {
				doctor_setting_set(out, (const char *)ev.data.scalar.value,
						   ev.data.scalar.length, line);
				err = check_driver(out);
				want = false;
				done = err != 0;
			} else if (at_key) {
				want = ev.data.scalar.length == 12 &&
				       !memcmp(ev.data.scalar.value, "cgroupDriver", 12);
			}
			at_key = !at_key;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (err == -ENOENT && out->line)
		err = 0;
	return err;
}
