/* copenclose doctor: gather what this host allows, decide per runtime, and conclude. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/doctor.h"
#include "cmd/doctor_config.h"
#include "trace/preflight.h"

#define CONFIG_MAX     (1 << 20)
#define VERSION_MS     3000
#define DEFAULT_BTF    "/sys/kernel/btf/vmlinux"
#define DOCKER_CONFIG  "/etc/docker/daemon.json"
#define CTRD_CONFIG    "/etc/containerd/config.toml"
#define PODMAN_CONFIG  "/etc/containers/containers.conf"
#define PODMAN_VENDOR  "/usr/share/containers/containers.conf"
#define CRIO_CONFIG    "/etc/crio/crio.conf"
#define KUBELET_CONFIG "/var/lib/kubelet/config.yaml"

static const char *const rt_names[RT_COUNT] = {
	[RT_DOCKER] = "docker",	  [RT_PODMAN] = "podman", [RT_CONTAINERD] = "containerd",
	[RT_CRIO] = "cri-o",	  [RT_RUNC] = "runc",	  [RT_CRUN] = "crun",
	[RT_RUNSC] = "runsc",	  [RT_LXC] = "lxc",	  [RT_NSPAWN] = "systemd-nspawn",
	[RT_KUBELET] = "kubelet",
};

/* The program each runtime is found by (docker: the engine; the client alone runs nothing). */
static const char *const rt_bins[RT_COUNT] = {
	[RT_DOCKER] = "dockerd",  [RT_PODMAN] = "podman", [RT_CONTAINERD] = "containerd",
	[RT_CRIO] = "crio",	  [RT_RUNC] = "runc",	  [RT_CRUN] = "crun",
	[RT_RUNSC] = "runsc",	  [RT_LXC] = "lxc-start", [RT_NSPAWN] = "systemd-nspawn",
	[RT_KUBELET] = "kubelet",
};

const char *doctor_runtime_name(enum doctor_runtime rt)
{
	return rt < RT_COUNT ? rt_names[rt] : "?";
}

static enum doctor_answer answer(enum doctor_answer a, char *why, size_t size, const char *text)
{
	snprintf(why, size, "%s", text);
	return a;
}

enum doctor_answer doctor_verdict(enum cgroup_mode mode, enum doctor_runtime rt, const char *driver,
				  bool systemd_pid1, const char *oci, char *why, size_t size)
{
	bool systemd_driver = driver && !strcmp(driver, "systemd");

	if (mode == CGROUP_MODE_NONE)
		return answer(DOCTOR_NO, why, size, "no cgroup file system is mounted");
	if (mode == CGROUP_MODE_LEGACY)
		return answer(DOCTOR_NO, why, size,
			      "no cgroup v2 hierarchy on this legacy host: containers get v1 "
			      "cgroups only");
	if (rt == RT_RUNSC && systemd_driver)
		return answer(DOCTOR_REFUSES, why, size,
			      "gVisor runsc lacks support for the systemd cgroup driver");
	if (rt == RT_NSPAWN && !systemd_pid1)
		return answer(DOCTOR_NO, why, size,
			      "systemd is not PID 1, so no scope is made for the container (it "
			      "stays in the caller's cgroup)");
	if (systemd_driver && !systemd_pid1)
		return answer(DOCTOR_REFUSES, why, size,
			      "the systemd cgroup driver is configured but systemd is not PID 1: "
			      "containers fail to start");
	if (mode == CGROUP_MODE_UNIFIED)
		return answer(DOCTOR_YES, why, size,
			      "unified host: every container's cgroup is a v2 cgroup");
	/* hybrid */
	switch (rt) {
	case RT_CRUN:
		return answer(DOCTOR_REFUSES, why, size,
			      "crun refuses hybrid hosts: it needs the unified hierarchy");
	case RT_PODMAN:
		if (oci && !strcmp(oci, "crun"))
			return answer(DOCTOR_REFUSES, why, size,
				      "podman runs crun here, which refuses hybrid hosts (with "
				      "runc it would get one)");
		return answer(DOCTOR_YES, why, size,
			      "podman with runc also creates the container's cgroup in the v2 "
			      "hierarchy");
	case RT_RUNSC:
		return answer(DOCTOR_NO, why, size,
			      "runsc uses only the v1 controllers on a hybrid host");
	case RT_LXC:
		return answer(DOCTOR_YES, why, size,
			      "lxc creates the container's cgroup in every hierarchy, v2 included");
	case RT_NSPAWN:
		return answer(DOCTOR_YES, why, size,
			      "systemd places the container's scope in the v2 hierarchy too");
	case RT_RUNC:
		return answer(DOCTOR_YES, why, size,
			      "runc also creates the container's cgroup in the v2 hierarchy");
	default:
		return answer(DOCTOR_YES, why, size,
			      "its runc also creates the container's cgroup in the v2 hierarchy");
	}
}

/* The setting that makes runtime rt use the cgroupfs driver. */
static const char *cgroupfs_setting(enum doctor_runtime rt)
{
	switch (rt) {
	case RT_DOCKER:
		return "\"exec-opts\": [\"native.cgroupdriver=cgroupfs\"] in " DOCKER_CONFIG;
	case RT_CONTAINERD:
		return "SystemdCgroup = false in the runc options of " CTRD_CONFIG;
	case RT_PODMAN:
		return "cgroup_manager = \"cgroupfs\" in [engine] of " PODMAN_CONFIG;
	case RT_CRIO:
		return "cgroup_manager = \"cgroupfs\" in [crio.runtime] of " CRIO_CONFIG;
	case RT_KUBELET:
		return "cgroupDriver: cgroupfs in " KUBELET_CONFIG;
	default:
		return "no --systemd-cgroup";
	}
}

static void advise(struct doctor_report *r, const char *fmt, const char *a, const char *b)
{
	if (r->nadvice >= (int)(sizeof(r->advice) / sizeof(r->advice[0])))
		return;
	snprintf(r->advice[r->nadvice++], sizeof(r->advice[0]), fmt, a, b);
}

void doctor_conclude(struct doctor_report *r)
{
	static const char unify[] =
		"boot with systemd.unified_cgroup_hierarchy=1 on the kernel command line (cgroup "
		"v2 only)%s%s";
	bool privileged = r->root || r->cap_sys_admin || (r->cap_bpf && r->cap_perfmon);
	bool ids = r->cg.mode == CGROUP_MODE_HYBRID || r->cg.mode == CGROUP_MODE_UNIFIED;
	const char *kube_driver = NULL;

	r->nadvice = 0;
	for (int i = 0; i < r->nrt; i++) {
		const struct doctor_runtime_info *ri = &r->rt[i];

		if (ri->own_v2 == DOCTOR_NO)
			ids = false;
		if (ri->rt == RT_KUBELET)
			kube_driver = ri->driver;
	}
	snprintf(r->strategy, sizeof(r->strategy), "%s", ids ? "cgroup" : "uts");
	if (r->cg.mode == CGROUP_MODE_LEGACY || r->cg.mode == CGROUP_MODE_NONE) {
		advise(r, unify,
		       r->systemd
			       ? ""
			       : "; on a host without systemd, mount a v2 hierarchy before containers start: ",
		       r->systemd
			       ? ""
			       : "mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 none /sys/fs/cgroup/unified");
		advise(r,
		       "until then: --by uts tells containers apart by hostname (--by mntns or "
		       "--by pidns where containers share the host's UTS namespace)%s%s",
		       "", "");
	}
	for (int i = 0; i < r->nrt; i++) {
		const struct doctor_runtime_info *ri = &r->rt[i];
		const char *name = doctor_runtime_name(ri->rt);

		if (ri->note[0])
			advise(r, "%s: %s", name, ri->note);
		if (r->cg.mode != CGROUP_MODE_HYBRID && r->cg.mode != CGROUP_MODE_UNIFIED)
			continue;
		if (!strcmp(ri->driver, "systemd") && !r->systemd && ri->rt != RT_NSPAWN)
			advise(r, "%s: set %s (systemd is not PID 1)", name,
			       cgroupfs_setting(ri->rt));
		else if (ri->rt == RT_RUNSC && !strcmp(ri->driver, "systemd"))
			advise(r, "%s: use the cgroupfs driver (%s)", name, "no --systemd-cgroup");
		else if (r->cg.mode == CGROUP_MODE_HYBRID && ri->rt == RT_CRUN)
			advise(r,
			       "crun: refuses this hybrid host; "
			       "%s%s",
			       "boot with systemd.unified_cgroup_hierarchy=1 to use it, or use runc",
			       "");
		else if (r->cg.mode == CGROUP_MODE_HYBRID && ri->rt == RT_PODMAN &&
			 ri->own_v2 == DOCTOR_REFUSES)
			advise(r,
			       "podman: set runtime = \"runc\" in [engine] of %s (or run podman "
			       "--runtime runc)%s",
			       PODMAN_CONFIG, "");
		else if (ri->rt == RT_RUNSC && ri->own_v2 == DOCTOR_NO)
			advise(r, "runsc: %s%s",
			       "its containers are told apart by --by uts here; boot with "
			       "systemd.unified_cgroup_hierarchy=1 for cgroup ids",
			       "");
		if (kube_driver && (ri->rt == RT_CONTAINERD || ri->rt == RT_CRIO) &&
		    strcmp(kube_driver, ri->driver)) {
			char both[80];

			snprintf(both, sizeof(both), "%s uses %s", name, ri->driver);
			advise(r, "kubelet: its cgroupDriver %s differs (%s): make them equal",
			       kube_driver, both);
		}
	}
	if (ids && r->nrt == 0)
		advise(r,
		       "no container runtime found; containers started later by runc or podman "
		       "get cgroup v2 ids here%s%s",
		       "", "");

	r->works = false;
	if (!privileged)
		snprintf(r->problem, sizeof(r->problem),
			 "not privileged: run as root (or with CAP_BPF and CAP_PERFMON)");
	else if (!r->btf)
		snprintf(r->problem, sizeof(r->problem), "no kernel BTF at %.160s: %s", r->btf_path,
			 strcmp(r->btf_path, DEFAULT_BTF)
				 ? "not a BTF file"
				 : "the kernel needs CONFIG_DEBUG_INFO_BTF=y");
	else if (!r->bpf_probed)
		snprintf(r->problem, sizeof(r->problem),
			 "the BPF probe object could not be opened");
	else if (!r->bpf.prog[DOCTOR_PROG_TRACEPOINT])
		snprintf(r->problem, sizeof(r->problem),
			 "tracepoint BPF programs do not load here (%s)",
			 strerror(-r->bpf.err[DOCTOR_PROG_TRACEPOINT]));
	else if (!strcmp(r->lockdown, "confidentiality"))
		snprintf(
			r->problem, sizeof(r->problem),
			"kernel lockdown is in confidentiality mode: BPF may not read kernel memory");
	else if (!r->bpf.ringbuf)
		snprintf(r->problem, sizeof(r->problem),
			 "the BPF ring buffer does not work here (%s; it needs Linux 5.8)",
			 strerror(-r->bpf.ringbuf_err));
	else
		r->works = true;
	if (r->works)
		r->problem[0] = '\0';
}

/* ---- gathering (the kernel and the file system) ---- */

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* The whole of a regular configuration file, bounded; malloc'd into *text. */
static int read_config(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX) {
		close(fd);
		return -EFBIG;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, *text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	(*text)[got] = '\0';
	*len = got;
	return 0;
}

typedef int (*parse_fn)(const char *, size_t, struct doctor_setting *);

/* Read one configuration file: 0 with the setting, -ENOENT (absent: default) or a note. */
static int config_setting(const char *path, parse_fn parse, struct doctor_setting *s, char *note,
			  size_t nsize)
{
	char *text = NULL;
	size_t len = 0;
	int err = read_config(path, &text, &len);

	memset(s, 0, sizeof(*s));
	if (err == -ENOENT || err == -ENOTDIR)
		return -ENOENT;
	if (err) {
		snprintf(note, nsize, "%s not read (%s); assuming the default", path,
			 err == -EFBIG ? "not a regular file of at most 1 MiB" : strerror(-err));
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
		snprintf(src, srcsize, "%s:%d", path, s.line);
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

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Run child(fd, arg) in a child process and read what it writes to fd into buf (NUL-terminated),
 * for at most VERSION_MS; a child still running then is killed. The number of bytes read, or
 * -errno.
 */
static ssize_t child_output(void (*child)(int fd, const void *arg), const void *arg, char *buf,
			    size_t size)
{
	long deadline = now_ms() + VERSION_MS;
	size_t got = 0;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		child(fds[1], arg);
		_exit(127);
	}
	close(fds[1]);
	while (got + 1 < size) {
		struct pollfd p = {fds[0], POLLIN, 0};
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = read(fds[0], buf + got, size - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fds[0]);
	kill(pid, SIGKILL); /* harmless when it has exited; ends one that hangs */
	waitpid(pid, &status, 0);
	return (ssize_t)got;
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
	ssize_t n = child_output(exec_version, prog, buf, size);

	return n < 0 ? (int)n : 0;
}

static void gather_runtimes(struct doctor_report *r)
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
	/* podman's default OCI runtime is crun where it is installed */
	for (int i = 0; i < r->nrt; i++) {
		if (r->rt[i].rt != RT_PODMAN || r->rt[i].oci[0])
			continue;
		snprintf(r->rt[i].oci, sizeof(r->rt[i].oci), "%s", "runc");
		for (int j = 0; j < r->nrt; j++)
			if (r->rt[j].rt == RT_CRUN)
				snprintf(r->rt[i].oci, sizeof(r->rt[i].oci), "%s", "crun");
	}
	for (int i = 0; i < r->nrt; i++) {
		struct doctor_runtime_info *ri = &r->rt[i];

		ri->own_v2 = doctor_verdict(r->cg.mode, ri->rt, ri->driver, r->systemd,
					    ri->rt == RT_PODMAN ? ri->oci : NULL, ri->why,
					    sizeof(ri->why));
	}
}

static const char lockdown_path[] = "/sys/kernel/security/lockdown";

/* In a private mount namespace of its own, mount securityfs and pass the lockdown file back. */
static void lockdown_child(int fd, const void *arg)
{
	char tmp[256];

	(void)arg;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL) ||
	    read_small(lockdown_path, tmp, sizeof(tmp)))
		_exit(1);
	_exit(write(fd, tmp, strlen(tmp)) < 0);
}

/*
 * The lockdown file. Where securityfs is not mounted, a child reads it (the host's mounts stay
 * as they are).
 */
static int read_lockdown(bool mounted, char *buf, size_t size)
{
	if (mounted)
		return read_small(lockdown_path, buf, size);
	return child_output(lockdown_child, NULL, buf, size) > 0 ? 0 : -ENOENT;
}

static void gather_kernel(struct doctor_report *r, const char *btf)
{
	struct utsname u;
	char buf[256];
	cap_t caps;

	if (!uname(&u))
		snprintf(r->kernel, sizeof(r->kernel), "%s", u.release);
	snprintf(r->btf_path, sizeof(r->btf_path), "%s", btf ? btf : DEFAULT_BTF);
	r->btf = preflight_btf(r->btf_path) == 0;
	r->root = geteuid() == 0;
	caps = cap_get_proc();
	r->cap_bpf = preflight_has_cap(caps, CAP_BPF);
	r->cap_perfmon = preflight_has_cap(caps, CAP_PERFMON);
	r->cap_sys_admin = preflight_has_cap(caps, CAP_SYS_ADMIN);
	if (caps)
		cap_free(caps);
	r->unpriv_bpf = -1;
	if (!read_small("/proc/sys/kernel/unprivileged_bpf_disabled", buf, sizeof(buf)))
		r->unpriv_bpf = atoi(buf);
	/* "none [integrity] confidentiality": the bracketed word is the mode */
	r->securityfs = access("/sys/kernel/security/lsm", F_OK) == 0;
	if (!read_lockdown(r->securityfs, buf, sizeof(buf))) {
		char *a = strchr(buf, '['), *b = a ? strchr(a, ']') : NULL;

		if (a && b)
			snprintf(r->lockdown, sizeof(r->lockdown), "%.*s", (int)(b - a - 1), a + 1);
	}
	if (!access("/sys/kernel/tracing/events", F_OK))
		snprintf(r->tracefs, sizeof(r->tracefs), "/sys/kernel/tracing");
	else if (!access("/sys/kernel/debug/tracing/events", F_OK))
		snprintf(r->tracefs, sizeof(r->tracefs), "/sys/kernel/debug/tracing");
	else if (access("/sys/kernel/tracing/events", F_OK) && errno == EACCES)
		r->tracefs_denied = true;
}

static void gather_cgroups(struct doctor_report *r)
{
	char p[PATH_MAX + 32];

	if (cgroup_detect("/proc/self/mountinfo", &r->cg))
		memset(&r->cg, 0, sizeof(r->cg));
	if (r->cg.v2_mount[0]) {
		snprintf(p, sizeof(p), "%s/cgroup.controllers", r->cg.v2_mount);
		if (read_small(p, r->controllers, sizeof(r->controllers)))
			r->controllers[0] = '\0';
	}
	r->psi = access("/proc/pressure/cpu", F_OK) == 0;
	r->systemd = access("/run/systemd/system", F_OK) == 0;
}

static void usage(FILE *f)
{
	fputs("usage: copenclose doctor [--json] [--btf FILE]\n"
	      "Report what this host's kernel, cgroup layout and container runtimes allow for\n"
	      "tracing containers, and what to change. Exit status 0 when tracing will work.\n"
	      "\n"
	      "  --json       one JSON object instead of the text report\n"
	      "  --btf FILE   kernel BTF to check and probe with (default " DEFAULT_BTF ")\n"
	      "  -h, --help   this help\n"
	      "\n"
	      "examples:\n"
	      "  copenclose doctor\n"
	      "  copenclose doctor --json | jq .strategy\n",
	      f);
}

int doctor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"btf", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct doctor_report *r;
	struct strbuf b = {0};
	const char *btf = NULL;
	bool json = false;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'b':
			btf = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr,
				"copenclose doctor: unknown option or missing argument: %s\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "copenclose doctor: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fputs("copenclose doctor: out of memory\n", stderr);
		return 1;
	}
	gather_kernel(r, btf);
	gather_cgroups(r);
	r->bpf_probed = doctor_bpf_probe(btf, r->tracefs[0] != '\0', &r->bpf) == 0;
	gather_runtimes(r);
	doctor_conclude(r);
	if (json)
		doctor_report_json(r, &b);
	else
		doctor_report_text(r, &b);
	rc = r->works ? 0 : 1;
	if (b.oom || fwrite(b.buf, 1, b.len, stdout) != b.len || fflush(stdout)) {
		fputs("copenclose doctor: failed to write the report\n", stderr);
		rc = 1;
	}
	if (!r->works)
		fprintf(stderr, "copenclose doctor: tracing will not work here: %s\n", r->problem);
	strbuf_free(&b);
	free(r);
	return rc;
}
