/* doctor's configuration readers against an independent oracle: Python's json and tomllib. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/doctor_config.h"

#define ORACLE "tests/oracle/config_value.py"
#define FIX    "tests/fixtures/doctor/"
#define CORPUS "tests/fuzz/corpus/fuzz_doctor_config/"
#define MAXF   256

typedef int (*reader_fn)(const char *, size_t, struct doctor_setting *);

static const struct {
	const char *mode;
	reader_fn read;
	bool strict; /* the reader refuses whatever the oracle calls invalid (JSON); TOML: a subset
		      */
} modes[] = {
	{"docker", doctor_config_docker, true},
	{"containerd", doctor_config_containerd, false},
	{"podman", doctor_config_podman, false},
	{"podman_runtime", doctor_config_podman_runtime, false},
	{"crio", doctor_config_crio, false},
};

/* Texts in the shapes these files take, hand-written; every mode reads every one. */
static const char *const texts[] = {
	"{\"exec-opts\":[\"native.cgroupdriver=cgroupfs\"]}",
	"{\"exec-opts\":[\"native.cgroupdriver=systemd\",\"native.cgroupdriver=cgroupfs\"]}",
	"{\"exec-opts\":[\"native.cgroupdriver=systemd\"],\"exec-opts\":[]}",
	"{\"a\":{\"exec-opts\":[\"native.cgroupdriver=systemd\"]}}",
	"{\"exec-opts\":[\"native.\\u0063groupdriver=systemd\"]}",
	"{\"exec-opts\":[\"native.cgroupdriver=systemd\"],\"x\":\"\\u0000\"}",
	"{\"exec-opts\":[\"native.cgroupdriver=systemd\"],\"x\":\"\\ud800\"}",
	"{\"exec-opts\":[\"native.cgroupdriver=systemd\"],\"x\":NaN}",
	"{\"exec-opts\":[\"native.cgroupdriver=systemd\"],\"x\":1e400}",
	"{\"exec-opts\":[\"native.cgroupdriver=systemd\"],\"x\":99999999999999999999}",
	"{\"exec-opts\":[\"native.cgroupdriver=systemd\"]} x",
	"{\"exec-opts\":[\"native.cgroupdriver=fancy\"]}",
	"{\"exec-opts\":\"native.cgroupdriver=systemd\"}",
	"[\"native.cgroupdriver=systemd\"]",
	"\"native.cgroupdriver=systemd\"",
	"[engine]\ncgroup_manager = \"cgroupfs\"\nruntime = 'runc'\n",
	"[engine]\n  cgroup_manager = \"systemd\" # comment\n[other]\ncgroup_manager = \"cgroupfs\"\n",
	"[engine.sub]\ncgroup_manager = \"systemd\"\n",
	"cgroup_manager = \"systemd\"\n",
	"[engine]\nx = [\n 1,\n [2, 3],\n]\nruntime = \"crun\"\n",
	"[engine]\nenv = { a = \"b\", c = [1] }\nruntime = \"\"\n",
	"[engine]\nhelper = '''\nmulti ] [\n'''\nruntime = \"\"\"runc\"\"\"\n",
	"[ \"engine\" ]\ncgroup_manager = \"systemd\"\n",
	"[crio.runtime]\ncgroup_manager = \"cgroupfs\"\n[crio.runtime.runtimes.runc]\nruntime_path = "
	"\"\"\n",
	"[crio]\n[crio.runtime]\n# cgroup_manager = \"systemd\"\n",
	"[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.runc.options]\nSystemdCgroup = "
	"true\n",
	"[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes.runc.options]\n  BinaryName = \"\"\n"
	"  SystemdCgroup = false\n",
	"[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\nSystemdCgroup = "
	"\"true\"\n",
	"[engine]\ncgroup_manager = \"magic\"\n",
	"[engine]\ncgroup_manager = \"cgroupfs\n",
	"version = 2\n[engine]\ncgroup_manager = \"systemd\"\n\n[engine.volume_plugins]\n",
};

static int nfiles;
static char files[MAXF][96];
static char dir[] = "/tmp/cc-doctor-oracle-XXXXXX";

static void add(const char *path)
{
	if (nfiles < MAXF)
		snprintf(files[nfiles++], sizeof(files[0]), "%s", path);
}

static void add_dir(const char *d)
{
	struct dirent **list;
	int n = scandir(d, &list, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char p[96];

		if (list[i]->d_name[0] != '.' &&
		    snprintf(p, sizeof(p), "%s%s", d, list[i]->d_name) < (int)sizeof(p))
			add(p);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char p[96];
		FILE *f;

		snprintf(p, sizeof(p), "%s/%02zu", dir, i);
		f = fopen(p, "w");
		if (!f || fputs(texts[i], f) < 0 || fclose(f))
			return -1;
		add(p);
	}
	add_dir(FIX);
	add_dir(CORPUS);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char p[96];

		snprintf(p, sizeof(p), "%s/%02zu", dir, i);
		unlink(p);
	}
	return rmdir(dir);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void test_against_oracle(void **state)
{
	static char cmd[MAXF * 100 + 128];
	int compared = 0;

	(void)state;
	if (system("python3 -c 'import tomllib' 2>/dev/null") != 0)
		skip(); /* python3 (3.11 or later) is in scripts/deps.sh test */
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		size_t n =
			(size_t)snprintf(cmd, sizeof(cmd), "python3 %s %s", ORACLE, modes[m].mode);
		char want[128];
		FILE *p;

		for (int i = 0; i < nfiles; i++)
			n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " '%s'", files[i]);
		p = popen(cmd, "r");
		assert_non_null(p);
		for (int i = 0; i < nfiles; i++) {
			struct doctor_setting s;
			size_t len;
			char *text;
			int rc;

			if (!fgets(want, sizeof(want), p))
				fail_msg("%s: the oracle said nothing about %s", modes[m].mode,
					 files[i]);
			want[strcspn(want, "\n")] = '\0';
			text = slurp(files[i], &len);
			rc = modes[m].read(text, len, &s);
			free(text);
			if (!strcmp(want, "<invalid>")) {
				if (modes[m].strict && rc != -EINVAL)
					fail_msg("%s %s: rc %d, the oracle refuses it",
						 modes[m].mode, files[i], rc);
				continue;
			}
			compared++;
			if (!strcmp(want, "<absent>") ? rc != -ENOENT
						      : rc != 0 || strcmp(s.value, want) != 0)
				fail_msg(
					"%s %s: rc %d value \"%s\" note \"%s\", the oracle says %s",
					modes[m].mode, files[i], rc, s.value, s.note, want);
		}
		assert_int_equal(pclose(p), 0);
	}
	assert_true(compared > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_oracle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
