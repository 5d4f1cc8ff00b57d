/* Finding container runtimes, their versions, and the cgroup driver their configuration sets. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/doctor_child.h"
#include "cmd/doctor_config.h"
#include "cmd/doctor_runtimes.h"
#include "enrich/kata.h"
#include "enrich/nsowner.h"
#include "enrich/rootless.h"
#include "enrich/statefile.h"

#define CONFIG_MAX (1 << 20)
#define VERSION_MS 3000

/* The program each runtime is found by (docker: the engine; the client alone runs nothing). */
static const char *const rt_bins[RT_COUNT] = {
	[RT_DOCKER] = "dockerd",  [RT_PODMAN] = "podman", [RT_CONTAINERD] = "containerd",
	[RT_CRIO] = "crio",	  [RT_RUNC] = "runc",	  [RT_CRUN] = "crun",
	[RT_RUNSC] = "runsc",	  [RT_LXC] = "lxc-start", [RT_NSPAWN] = "systemd-nspawn",
	[RT_KUBELET] = "kubelet",
};

typedef int (*parse_fn)(const char *, size_t, struct doctor_setting *);

/* Read one configuration file: 0 with the setting, -ENOENT (absent: default) or a note. */
static int config_setting(const char *path, parse_fn parse, struct doctor_setting *s, char *note,
			  size_t nsize)
{
	char *text = NULL;
	size_t len = 0;
	int err = statefile_read(path, CONFIG_MAX, &text, &len);

	memset(s, 0, sizeof(*s));
	if (err == -ENOENT || err == -ENOTDIR)
		return -ENOENT;
	if (err) {
		snprintf(note, nsize, "%s not read (%s); assuming the default", path,
			 err == -EFBIG || err == -EINVAL ? "not a regular file of at most 1 MiB"
							 : strerror(-err));
		return err;
	}
	err = parse(text, len, s);
	free(text);
	if (err == -EINVAL)
		snprintf(note, nsize, "%s: %s; assuming the default", path, s->note);
	return err;
}

/* Where the layered configuration of a runtime is read from, lowest precedence first. */
struct config_files {
	parse_fn parse;
	const char *files[2];
	const char *dropins; /* a directory of *.conf read last, in name order, or NULL */
};

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

/* One file of the layers: a setting found overrides the earlier ones; the first note stays. */
static void config_layer(const char *path, parse_fn parse, struct doctor_setting *best, char *src,
			 size_t srcsize, char *note, size_t nsize)
{
	struct doctor_setting s;
	char n[256] = "";
	int err = config_setting(path, parse, &s, n, sizeof(n));

	if (!err) {
		*best = s;
		if (s.line > 0)
			snprintf(src, srcsize, "%s:%d", path, s.line);
		else
			snprintf(src, srcsize, "%s", path); /* found, but not where (escaped) */
	} else if (err != -ENOENT && !note[0]) {
		snprintf(note, nsize, "%s", n);
	}
}

/* The value the layers set (0, src naming file and line) or -ENOENT when none does. */
static int config_layers(const struct config_files *cf, struct doctor_setting *out, char *src,
			 size_t srcsize, char *note, size_t nsize)
{
	struct dirent **list = NULL;
	int n;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < 2 && cf->files[i]; i++)
		config_layer(cf->files[i], cf->parse, out, src, srcsize, note, nsize);
	if (cf->dropins && (n = scandir(cf->dropins, &list, is_conf, alphasort)) > 0) {
		for (int i = 0; i < n; i++) {
			char path[PATH_MAX];

			/* bounded: a directory of thousands of files is not a configuration */
			if (i < 64 && snprintf(path, sizeof(path), "%s/%s", cf->dropins,
					       list[i]->d_name) < (int)sizeof(path))
				config_layer(path, cf->parse, out, src, srcsize, note, nsize);
			free(list[i]);
		}
		free(list);
	}
	return out->line ? 0 : -ENOENT;
}

static void runtime_driver(struct doctor_runtime_info *ri, bool systemd, enum cgroup_mode mode)
{
	static const struct config_files docker = {doctor_config_docker, {DOCKER_CONFIG}, NULL};
	static const struct config_files ctrd = {doctor_config_containerd, {CTRD_CONFIG}, NULL};
	static const struct config_files podman = {
		doctor_config_podman, {PODMAN_VENDOR, PODMAN_CONFIG}, PODMAN_CONFIG ".d"};
	static const struct config_files podman_oci = {
		doctor_config_podman_runtime, {PODMAN_VENDOR, PODMAN_CONFIG}, PODMAN_CONFIG ".d"};
	static const struct config_files crio = {
		doctor_config_crio, {CRIO_CONFIG}, CRIO_CONFIG ".d"};
	static const struct config_files kubelet = {doctor_config_kubelet, {KUBELET_CONFIG}, NULL};
	const struct config_files *cf = NULL;
	const char *def = "cgroupfs";
	struct doctor_setting s;

	switch (ri->rt) {
	case RT_DOCKER:
		cf = &docker;
		def = systemd && mode == CGROUP_MODE_UNIFIED ? "systemd" : "cgroupfs";
		break;
	case RT_CONTAINERD:
		cf = &ctrd;
		break;
	case RT_PODMAN:
		cf = &podman;
		def = systemd ? "systemd" : "cgroupfs";
		break;
	case RT_CRIO:
		cf = &crio, def = "systemd";
		break;
	case RT_KUBELET:
		cf = &kubelet;
		break;
	case RT_NSPAWN:
		def = "systemd";
		break;
	default:
		break;
	}
	if (cf && !config_layers(cf, &s, ri->driver_src, sizeof(ri->driver_src), ri->note,
				 sizeof(ri->note))) {
		snprintf(ri->driver, sizeof(ri->driver), "%.31s", s.value);
	} else {
		snprintf(ri->driver, sizeof(ri->driver), "%s", def);
		snprintf(ri->driver_src, sizeof(ri->driver_src), "default");
	}
	if (ri->rt == RT_PODMAN) {
		char src[PATH_MAX + 32], ignored[256] = "";

		ri->oci[0] = '\0';
		if (!config_layers(&podman_oci, &s, src, sizeof(src), ignored, sizeof(ignored)))
			snprintf(ri->oci, sizeof(ri->oci), "%.31s", s.value);
	}
}

/* An executable file named name in PATH or the usual system directories; 0 or -ENOENT. */
static int find_program(const char *name, char *out, size_t size)
{
	static const char extra[] = ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	const char *env = getenv("PATH");
	char path[4096];
	char *save = NULL;

	snprintf(path, sizeof(path), "%s%s", env ? env : "", extra);
	for (char *dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		struct stat st;
		int n;

		if (dir[0] != '/')
			continue; /* a relative PATH entry would depend on where doctor runs */
		n = snprintf(out, size, "%s/%s", dir, name);
		if (n < 0 || (size_t)n >= size)
			continue;
		if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK))
			return 0;
	}
	out[0] = '\0';
	return -ENOENT;
}

static void exec_version(int fd, const void *prog)
{
	int null = open("/dev/null", O_RDWR);

	dup2(null, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	execl(prog, prog, "--version", (char *)NULL);
}

/* Run `prog --version` with a timeout; the first bytes of its output into buf. */
static int run_version(const char *prog, char *buf, size_t size)
{
	ssize_t n = doctor_child_output(exec_version, prog, buf, size, VERSION_MS);

	return n < 0 ? (int)n : 0;
}

/* The users running rootless podman now, and their containers (root alone may look: their
   namespaces are read as the tracer reads them at start). */
static void rootless_find(struct doctor_report *r)
{
	struct nsowner_found f[64];
	uint32_t lost[64];
	size_t n, nlost;
	bool podman = false;

	for (int i = 0; i < r->nrt; i++)
		podman |= r->rt[i].rt == RT_PODMAN;
	r->nrootless = 0;
	r->rootless_more = false;
	r->rootless_looked = podman && r->root;
	if (!r->rootless_looked)
		return;
	n = rootless_running("", f, sizeof(f) / sizeof(f[0]));
	nlost = rootless_unnamed("", f, n, lost, sizeof(lost) / sizeof(lost[0]));
	for (size_t i = 0; i < n + nlost && i < n + sizeof(lost) / sizeof(lost[0]); i++) {
		uint32_t uid = i < n ? f[i].ci.owner_uid : lost[i - n];
		int u = 0;

		while (u < r->nrootless && r->rootless_uid[u] != uid)
			u++;
		if (u == r->nrootless) {
			if (u == (int)(sizeof(r->rootless_uid) / sizeof(r->rootless_uid[0]))) {
				r->rootless_more = true;
				continue;
			}
			r->rootless_uid[u] = uid;
			r->rootless_ctrs[u] = 0;
			r->rootless_unnamed[u] = 0;
			r->nrootless++;
		}
		if (i < n)
			r->rootless_ctrs[u] += f[i].ci.is_container;
		else
			r->rootless_unnamed[u]++;
	}
}

void doctor_runtimes_find(struct doctor_report *r)
{
	r->nrt = 0;
	for (int i = 0; i < RT_COUNT; i++) {
		struct doctor_runtime_info *ri = &r->rt[r->nrt];
		char out[1024];

		memset(ri, 0, sizeof(*ri));
		ri->rt = i;
		if (find_program(rt_bins[i], ri->path, sizeof(ri->path)))
			continue;
		if (!run_version(ri->path, out, sizeof(out)))
			doctor_version_parse(out, strlen(out), ri->version, sizeof(ri->version));
		runtime_driver(ri, r->systemd, r->cg.mode);
		r->nrt++;
	}
	/* Kata is no program of its own: its shim, or its state on disk */
	{
		struct engine_dirs d;
		char shim[PATH_MAX];

		engine_dirs_defaults(&d);
		r->kata = find_program("containerd-shim-kata-v2", shim, sizeof(shim)) == 0 ||
			  kata_seen("", &d);
	}
	rootless_find(r);
	/* podman's default OCI runtime is crun where it is installed */
	for (int i = 0; i < r->nrt; i++) {
		if (r->rt[i].rt != RT_PODMAN || r->rt[i].oci[0])
			continue;
		snprintf(r->rt[i].oci, sizeof(r->rt[i].oci), "%s", "runc");
		for (int j = 0; j < r->nrt; j++)
			if (r->rt[j].rt == RT_CRUN)
				snprintf(r->rt[i].oci, sizeof(r->rt[i].oci), "%s", "crun");
	}
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
