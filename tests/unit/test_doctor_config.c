/* Unit tests of doctor's runtime configuration scanners, over fixture files and hostile text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/doctor_config.h"
#include "cmd/doctor_runtimes.h"

#define FIX "tests/fixtures/doctor/"

typedef int (*parser_fn)(const char *, size_t, struct doctor_setting *);

struct file_case {
	const char *file;
	parser_fn parse;
	int rc;
	const char *value; /* expected value when rc == 0 */
	int line;	   /* expected line when rc == 0 */
	const char *note;  /* substring of the note when rc == -EINVAL */
};

static const struct file_case file_cases[] = {
	{"daemon-valid.json", doctor_config_docker, 0, "systemd", 4, NULL},
	{"daemon-default.json", doctor_config_docker, -ENOENT, NULL, 0, NULL},
	{"daemon-malformed.json", doctor_config_docker, -EINVAL, NULL, 0,
	 "line 3: '}' expected near '\"log-driver\"'"},
	{"containerd-valid.toml", doctor_config_containerd, 0, "systemd", 14, NULL},
	{"containerd-default.toml", doctor_config_containerd, -ENOENT, NULL, 0, NULL},
	{"containerd-malformed.toml", doctor_config_containerd, -EINVAL, NULL, 0,
	 "line 2: unterminated table header"},
	{"containers-valid.conf", doctor_config_podman, 0, "cgroupfs", 13, NULL},
	{"containers-valid.conf", doctor_config_podman_runtime, 0, "runc", 14, NULL},
	{"containers-default.conf", doctor_config_podman, -ENOENT, NULL, 0, NULL},
	{"containers-default.conf", doctor_config_podman_runtime, -ENOENT, NULL, 0, NULL},
	{"containers-malformed.conf", doctor_config_podman, -EINVAL, NULL, 0,
	 "line 2: unterminated string"},
	{"crio-valid.conf", doctor_config_crio, 0, "cgroupfs", 9, NULL},
	{"crio-default.conf", doctor_config_crio, -ENOENT, NULL, 0, NULL},
	{"crio-malformed.conf", doctor_config_crio, -EINVAL, NULL, 0,
	 "line 2: expected key = value"},
	{"kubelet-valid.yaml", doctor_config_kubelet, 0, "systemd", 6, NULL},
	{"kubelet-default.yaml", doctor_config_kubelet, -ENOENT, NULL, 0, NULL},
	{"kubelet-malformed.yaml", doctor_config_kubelet, -EINVAL, NULL, 0,
	 "line 3: could not find expected ':' (while scanning a simple key at line 2)"},
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(65536);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static void check(int rc, const struct doctor_setting *s, int want_rc, const char *value, int line,
		  const char *note, const char *what)
{
	if (rc != want_rc)
		fail_msg("%s: rc %d, want %d (note \"%s\")", what, rc, want_rc, s->note);
	if (want_rc == 0) {
		assert_string_equal(s->value, value);
		assert_int_equal(s->line, line);
		assert_string_equal(s->note, "");
	} else if (want_rc == -ENOENT) {
		assert_string_equal(s->value, "");
		assert_string_equal(s->note, "");
	} else {
		assert_string_equal(s->value, "");
		if (!strstr(s->note, note))
			fail_msg("%s: note \"%s\" lacks \"%s\"", what, s->note, note);
	}
}

static void test_fixture_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		const struct file_case *c = &file_cases[i];
		struct doctor_setting s;
		char path[256];
		size_t len;
		char *text;
		int rc;

		snprintf(path, sizeof(path), FIX "%s", c->file);
		text = slurp(path, &len);
		rc = c->parse(text, len, &s);
		check(rc, &s, c->rc, c->value, c->line, c->note, c->file);
		free(text);
	}
}

struct text_case {
	const char *name;
	parser_fn parse;
	const char *text;
	int rc;
	const char *value;
	const char *note;
};

static const struct text_case text_cases[] = {
	{"docker empty", doctor_config_docker, "", -EINVAL, NULL, "empty file"},
	{"docker empty object", doctor_config_docker, "{}\n", -ENOENT, NULL, NULL},
	{"docker array", doctor_config_docker, "[1,2]", -EINVAL, NULL, "not a JSON object"},
	{"docker cut", doctor_config_docker, "{\"exec-opts\": [\"native.cgroupdriver=sys", -EINVAL,
	 NULL, "line 1: premature end of input"},
	{"docker not a list", doctor_config_docker,
	 "{\"exec-opts\": \"native.cgroupdriver=systemd\"}", -EINVAL, NULL, "not a list"},
	{"docker unknown driver", doctor_config_docker,
	 "{\"exec-opts\":[\"native.cgroupdriver=fancy\"]}", -EINVAL, NULL, "unknown cgroup driver"},
	{"docker last wins", doctor_config_docker,
	 "{\"exec-opts\":[\"native.cgroupdriver=systemd\",\"native.cgroupdriver=cgroupfs\"]}", 0,
	 "cgroupfs", NULL},
	{"docker trailing", doctor_config_docker, "{} {}", -EINVAL, NULL, "end of file expected"},
	{"docker blank", doctor_config_docker, " \n\t\n", -EINVAL, NULL, "line 1: empty file"},
	{"docker duplicate key", doctor_config_docker,
	 "{\"exec-opts\":[\"native.cgroupdriver=systemd\"],\n\"exec-opts\":[]}", -EINVAL, NULL,
	 "line 2: duplicate object key"},
	{"docker escaped NUL", doctor_config_docker, "{\"a\":\"b\\u0000\"}", -EINVAL, NULL,
	 "a string holds \\u0000"},
	{"docker options not strings", doctor_config_docker, "{\"exec-opts\":[1]}", -EINVAL, NULL,
	 "holds something other than strings"},

	{"docker nested key ignored", doctor_config_docker,
	 "{\"x\":{\"exec-opts\":[\"native.cgroupdriver=systemd\"]}}", -ENOENT, NULL, NULL},
	{"docker control char", doctor_config_docker, "{\"a\":\"x\001\"}", -EINVAL, NULL,
	 "control character"},
	{"toml root table only", doctor_config_podman, "cgroup_manager = \"systemd\"\n", -ENOENT,
	 NULL, NULL},
	{"toml no newline at end", doctor_config_podman, "[engine]\ncgroup_manager='systemd'", 0,
	 "systemd", NULL},
	{"toml spaced header", doctor_config_podman, "[ engine ]\n cgroup_manager = \"systemd\"\n",
	 0, "systemd", NULL},
	{"toml unknown driver", doctor_config_podman, "[engine]\ncgroup_manager = \"magic\"\n",
	 -EINVAL, NULL, "unknown cgroup driver"},
	{"toml unterminated array", doctor_config_podman, "[engine]\nx = [ \"a\",\n", -EINVAL, NULL,
	 "line 2: unterminated array"},
	{"toml missing value", doctor_config_crio, "[crio.runtime]\ncgroup_manager =\n", -EINVAL,
	 NULL, "missing value"},
	{"toml junk after value", doctor_config_crio,
	 "[crio.runtime]\ncgroup_manager = \"systemd\" x\n", -EINVAL, NULL, "text after the value"},
	{"toml sub-table does not match", doctor_config_crio,
	 "[crio.runtime.extra]\ncgroup_manager = \"systemd\"\n", -ENOENT, NULL, NULL},
	{"toml NUL", doctor_config_crio, "[crio.runtime]\n\0", -EINVAL, NULL, "NUL"},
	{"containerd not bool", doctor_config_containerd,
	 "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\nSystemdCgroup = "
	 "\"yes\"\n",
	 -EINVAL, NULL, "not true or false"},
	{"containerd false", doctor_config_containerd,
	 "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.runc.options]\nSystemdCgroup "
	 "= false\n",
	 0, "cgroupfs", NULL},
	{"podman empty runtime is the default", doctor_config_podman_runtime,
	 "[engine]\nruntime = \"\"\n", -ENOENT, NULL, NULL},
	{"kubelet empty driver", doctor_config_kubelet, "cgroupDriver:\n", -EINVAL, NULL,
	 "unknown cgroup driver"},
	{"kubelet tab", doctor_config_kubelet, "kind: X\n\tcgroupDriver: systemd\n", -EINVAL, NULL,
	 "line 2: found a tab character that violates indentation"},
	{"kubelet nested key is not the top one", doctor_config_kubelet,
	 "a:\n  cgroupDriver: systemd\ncgroupDriver: cgroupfs\n", 0, "cgroupfs", NULL},
	{"kubelet flow collections around it", doctor_config_kubelet,
	 "a: [1, {cgroupDriver: x}]\ncgroupDriver: systemd\nb: {c: d}\n", 0, "systemd", NULL},
	{"kubelet a list document sets nothing", doctor_config_kubelet,
	 "- cgroupDriver\n- systemd\n", -ENOENT, NULL, NULL},
	{"kubelet alias", doctor_config_kubelet, "a: &x systemd\ncgroupDriver: *x\n", -EINVAL, NULL,
	 "line 2: cgroupDriver is an alias"},
	{"kubelet list value", doctor_config_kubelet, "cgroupDriver:\n  - systemd\n", -EINVAL, NULL,
	 "line 2: cgroupDriver is not a scalar"},
	{"kubelet unterminated quote", doctor_config_kubelet, "a: \"x\n", -EINVAL, NULL,
	 "line 2: found unexpected end of stream (while scanning a quoted scalar at line 1)"},
	{"kubelet invalid UTF-8", doctor_config_kubelet, "\xff: b\n", -EINVAL, NULL,
	 "invalid leading UTF-8 octet"},
	{"kubelet second document", doctor_config_kubelet,
	 "---\nk: v\n---\ncgroupDriver: systemd\n", 0, "systemd", NULL},
	{"kubelet single quotes", doctor_config_kubelet, "cgroupDriver: 'cgroupfs'", 0, "cgroupfs",
	 NULL},
	{"kubelet unknown", doctor_config_kubelet, "cgroupDriver: bogus\n", -EINVAL, NULL,
	 "unknown cgroup driver"},
	{"kubelet prefix key", doctor_config_kubelet, "cgroupDriverX: systemd\n", -ENOENT, NULL,
	 NULL},
};

static void test_hostile_text(void **state)
{
	struct doctor_setting s;

	(void)state;
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		const struct text_case *c = &text_cases[i];
		size_t len = strlen(c->text);
		int rc;

		if (!strcmp(c->name, "toml NUL"))
			len += 1;
		rc = c->parse(c->text, len, &s);
		check(rc, &s, c->rc, c->value, rc == 0 ? s.line : 0, c->note, c->name);
		if (c->rc == 0)
			assert_true(s.line > 0);
	}
	/* docker: an option spelled with escapes is read, but its line is not known */
	const char esc[] = "{\"exec-opts\":[\"native.\\u0063groupdriver=cgroupfs\"]}";
	assert_int_equal(doctor_config_docker(esc, sizeof(esc) - 1, &s), 0);
	assert_string_equal(s.value, "cgroupfs");
	assert_int_equal(s.line, 0);
	/* the line of the winning option, not of an earlier one */
	const char two[] = "{\"exec-opts\":[\n\"native.cgroupdriver=systemd\",\n"
			   "\"native.cgroupdriver=cgroupfs\"]}";
	assert_int_equal(doctor_config_docker(two, sizeof(two) - 1, &s), 0);
	assert_string_equal(s.value, "cgroupfs");
	assert_int_equal(s.line, 3);
	/* YAML: a NUL byte, and on which line */
	assert_int_equal(doctor_config_kubelet("a: b\nc: d\0\n", 11, &s), -EINVAL);
	assert_string_equal(s.note, "malformed at line 2: NUL byte");
}

/* Deep nesting, huge values and every prefix of the fixtures: bounded, never a crash. */
static void test_bounds(void **state)
{
	static const char *files[] = {"daemon-valid.json", "containerd-valid.toml",
				      "containers-valid.conf", "crio-valid.conf",
				      "kubelet-valid.yaml"};
	parser_fn fns[] = {doctor_config_docker, doctor_config_containerd, doctor_config_podman,
			   doctor_config_crio, doctor_config_kubelet};
	struct doctor_setting s;
	char *deep = malloc(200001);
	size_t n = 0;

	(void)state;
	assert_non_null(deep);
	deep[n++] = '{';
	memcpy(deep + n, "\"a\":", 4);
	n += 4;
	while (n < 200000)
		deep[n++] = '[';
	assert_int_equal(doctor_config_docker(deep, n, &s), -EINVAL);
	assert_non_null(strstr(s.note, "nested too deeply"));
	memcpy(deep, "[engine]\nruntime = [", 20);
	assert_int_equal(doctor_config_podman(deep, 200000, &s), -EINVAL);
	memcpy(deep, "[engine]\nruntime = \"", 20);
	memset(deep + 20, 'x', 1000);
	memcpy(deep + 1020, "\"\n", 2);
	assert_int_equal(doctor_config_podman_runtime(deep, 1022, &s), 0);
	assert_int_equal(strlen(s.value), sizeof(s.value) - 1);
	free(deep);

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[256];
		size_t len;
		char *text;

		snprintf(path, sizeof(path), FIX "%s", files[f]);
		text = slurp(path, &len);
		for (size_t cut = 0; cut <= len; cut++) {
			int rc = fns[f](text, cut, &s);

			assert_true(rc == 0 || rc == -ENOENT || rc == -EINVAL);
			if (rc == -EINVAL)
				assert_true(s.note[0] != '\0');
		}
		free(text);
	}
}

static void test_version_parse(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\n", "1.1.5+ds1"},
		{"crun version 1.8.1\ncommit: f8a096be\n", "1.8.1"},
		{"podman version 4.3.1\n", "4.3.1"},
		{"Docker version 20.10.24+dfsg1, build 297e128\n", "20.10.24+dfsg1"},
		{"containerd github.com/containerd/containerd v1.6.20 2806fc1\n", "v1.6.20"},
		{"systemd 252 (252.19-1~deb12u1)\n+PAM +AUDIT\n", "252"},
		{"runsc version release-20231009.0\nspec: 1.1.0-rc.1\n", "release-20231009.0"},
		{"5.0.2\n", "5.0.2"},
		{"Kubernetes v1.28.2\n", "v1.28.2"},
		{"crio version 1.28.1\n", "1.28.1"},
		{"Version:        1.24.6\n", "1.24.6"},
		{"something odd\n", "something odd"},
		{"", ""},
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		doctor_version_parse(cases[i].in, strlen(cases[i].in), out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	doctor_version_parse("tool version 123456789012345678901234567890123456789\n", 54, out, 8);
	assert_string_equal(out, "1234567");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_files),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_version_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
