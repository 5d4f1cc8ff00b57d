/* What the kernel and its file systems say about tracing here, read without changing the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "cmd/doctor_child.h"
#include "cmd/doctor_probe.h"
#include "cmd/doctor_verdict.h"
#include "enrich/statefile.h"
#include "trace/attach.h"
#include "trace/preflight.h"

#define LOCKDOWN_MS 3000

static const char lockdown_path[] = "/sys/kernel/security/lockdown";

/* A small kernel file's text, without its trailing newline or blanks, cut to fit buf. */
static int read_kernel_line(const char *path, char *buf, size_t size)
{
	size_t len;
	char *text;
	int err = statefile_read(path, 4096, &text, &len);

	if (err)
		return err;
	if (len >= size)
		len = size - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	free(text);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return 0;
}

/* In a private mount namespace of its own, mount securityfs and pass the lockdown file back. */
static void lockdown_child(int fd, const void *arg)
{
	char tmp[256];

	(void)arg;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL) ||
	    read_kernel_line(lockdown_path, tmp, sizeof(tmp)))
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
		return read_kernel_line(lockdown_path, buf, size);
	return doctor_child_output(lockdown_child, NULL, buf, size, LOCKDOWN_MS) > 0 ? 0 : -ENOENT;
}

void doctor_probe_kernel(struct doctor_report *r, const char *btf)
{
	struct utsname u;
	char buf[256];
	cap_t caps;

	if (!uname(&u))
		snprintf(r->kernel, sizeof(r->kernel), "%s", u.release);
	r->bpf_preemptible = doctor_preemption(
		u.version,
		read_kernel_line("/sys/kernel/debug/sched/preempt", buf, sizeof(buf)) ? NULL : buf,
		r->preempt, sizeof(r->preempt));
	snprintf(r->btf_path, sizeof(r->btf_path), "%s", btf ? btf : DOCTOR_DEFAULT_BTF);
	r->btf = preflight_btf(r->btf_path) == 0;
	r->ftrace_direct = -1;
	if (r->btf) {
		struct btf *vmlinux = btf__parse(r->btf_path, NULL);

		if (vmlinux)
			r->ftrace_direct = attach_direct_calls(vmlinux);
		btf__free(vmlinux);
	}
	r->root = geteuid() == 0;
	caps = cap_get_proc();
	r->cap_bpf = preflight_has_cap(caps, CAP_BPF);
	r->cap_perfmon = preflight_has_cap(caps, CAP_PERFMON);
	r->cap_sys_admin = preflight_has_cap(caps, CAP_SYS_ADMIN);
	if (caps)
		cap_free(caps);
	r->unpriv_bpf = -1;
	if (!read_kernel_line("/proc/sys/kernel/unprivileged_bpf_disabled", buf, sizeof(buf)))
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

void doctor_probe_cgroups(struct doctor_report *r)
{
	char p[PATH_MAX + 32];

	if (cgroup_detect("/proc/self/mountinfo", &r->cg))
		memset(&r->cg, 0, sizeof(r->cg));
	if (r->cg.v2_mount[0]) {
		snprintf(p, sizeof(p), "%s/cgroup.controllers", r->cg.v2_mount);
		if (read_kernel_line(p, r->controllers, sizeof(r->controllers)))
			r->controllers[0] = '\0';
	}
	r->psi = access("/proc/pressure/cpu", F_OK) == 0;
	r->systemd = access("/run/systemd/system", F_OK) == 0;
}
