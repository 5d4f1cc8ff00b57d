/* The doctor report written out: aligned text for people, one JSON object for scripts. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cmd/doctor_report.h"
#include "format/escape.h"
#include "trace/attach.h"

#define LABEL 22 /* column where values start in the text report */
#define WIDTH 100

/* What a host tracer sees of a gVisor sandbox. */
#define RUNSC_SEEN                                                                                 \
	"gvisor: a host tracer sees only the sandbox's own processes (runsc-sandbox and its "      \
	"stubs, comm exe; the gofer), which copenclose names with the container and marks "        \
	"\"sandbox\": \"gvisor\"; the program inside is never seen by its own pid or comm (under " \
	"--platform=ptrace its calls show as the stubs', with the results the Sentry computed)"

/* What a host tracer sees of a Kata Containers sandbox. */
#define KATA_SEEN                                                                                   \
	"kata: containers in a virtual machine; a host tracer sees only the VM's monitor (qemu or " \
	"cloud-hypervisor), virtiofsd and the shim (containerd-shim-kata-v2), named with the "      \
	"container and marked \"sandbox\": \"kata\"; the program inside is never seen"

/* How rootless podman's containers are named, and what is not. */
#define ROOTLESS_NAMED                                                                             \
	"named through each user's own podman state (its run root: /run/user/UID/containers, "     \
	"/tmp/podman-run-UID/containers, or the one its conmon's --conmon-pidfile names, as "      \
	"--runroot or $XDG_RUNTIME_DIR put it: conmon.pid, pidfile; libpod/tmp/pause.pid of "      \
	"its run directory, or its conmon's --exit-dir's), read as that user's files: runtime "    \
	"podman, the container's id and name, \"container_trust\": \"user\"; podman, conmon and "  \
	"runc marked podman's own (no container, the host's)"
#define ROOTLESS_NOT_SEEN                                                                          \
	"a container whose run root (or run directory) is not the user's own, others may "         \
	"write it, or it is reached through a symlink: unnamed (the host's), counted above as "    \
	"\"unnamed\""

static const char *const prog_names[DOCTOR_PROG_COUNT] = {
	[DOCTOR_PROG_TRACEPOINT] = "tracepoint", [DOCTOR_PROG_RAW_TP] = "raw_tracepoint",
	[DOCTOR_PROG_TP_BTF] = "tp_btf",	 [DOCTOR_PROG_FENTRY] = "fentry",
	[DOCTOR_PROG_KPROBE] = "kprobe",	 [DOCTOR_PROG_LSM] = "lsm",
};

static const char *const rt_names[RT_COUNT] = {
	[RT_DOCKER] = "docker",	  [RT_PODMAN] = "podman", [RT_CONTAINERD] = "containerd",
	[RT_CRIO] = "cri-o",	  [RT_RUNC] = "runc",	  [RT_CRUN] = "crun",
	[RT_RUNSC] = "runsc",	  [RT_LXC] = "lxc",	  [RT_NSPAWN] = "systemd-nspawn",
	[RT_KUBELET] = "kubelet",
};

const char *doctor_prog_name(enum doctor_prog p)
{
	return p < DOCTOR_PROG_COUNT ? prog_names[p] : "?";
}

const char *doctor_runtime_name(enum doctor_runtime rt)
{
	return rt < RT_COUNT ? rt_names[rt] : "?";
}

static void label(struct strbuf *b, const char *name)
{
	strbuf_adds(b, "  ");
	strbuf_adds(b, name);
	strbuf_pad(b, 2 + strlen(name), LABEL);
}

/* s, cut into lines of at most WIDTH columns, continuation lines indented by indent. */
static void wrapped(struct strbuf *b, const char *s, size_t col, size_t indent)
{
	bool start = true;

	while (*s) {
		const char *sp = strchr(s, ' ');
		size_t w = sp ? (size_t)(sp - s) : strlen(s);

		if (!start && col + 1 + w > WIDTH) {
			strbuf_addc(b, '\n');
			strbuf_pad(b, 0, indent);
			col = indent;
		} else if (!start) {
			strbuf_addc(b, ' ');
			col++;
		}
		start = false;
		strbuf_add(b, s, w);
		col += w;
		s += w;
		while (*s == ' ')
			s++;
	}
	strbuf_addc(b, '\n');
}

static void line(struct strbuf *b, const char *name, const char *value)
{
	label(b, name);
	wrapped(b, value, LABEL, LABEL);
}

static const char *mode_text(enum cgroup_mode m)
{
	switch (m) {
	case CGROUP_MODE_LEGACY:
		return "legacy: cgroup v1 only";
	case CGROUP_MODE_HYBRID:
		return "hybrid: v1 controllers plus a v2 hierarchy";
	case CGROUP_MODE_UNIFIED:
		return "unified: cgroup v2 only";
	default:
		return "none: no cgroup file system mounted";
	}
}

static const char *answer_text(enum doctor_answer a)
{
	return a == DOCTOR_YES ? "yes" : a == DOCTOR_REFUSES ? "no (does not run here)" : "no";
}

static void text_kernel(const struct doctor_report *r, struct strbuf *b)
{
	char v[PATH_MAX + 64];

	strbuf_adds(b, "Kernel\n");
	line(b, "release", r->kernel[0] ? r->kernel : "unknown");
	snprintf(v, sizeof(v), "%s (%s)", r->btf ? "yes" : "no", r->btf_path);
	line(b, "BTF", v);
	for (int i = 0; i < DOCTOR_PROG_COUNT; i++) {
		char err[128] = "";

		label(b, i == 0 ? "BPF programs" : "");
		strbuf_adds(b, doctor_prog_name(i));
		strbuf_pad(b, strlen(doctor_prog_name(i)), 16);
		if (!r->bpf_probed) {
			strbuf_adds(b, "not tried\n");
			continue;
		}
		if (r->bpf.prog[i]) {
			strbuf_adds(b, i == DOCTOR_PROG_TRACEPOINT && r->bpf.tp_load_only
					       ? "yes (loads; attaching needs tracefs)\n"
					       : "yes\n");
			continue;
		}
		libbpf_strerror(r->bpf.err[i], err, sizeof(err));
		snprintf(v, sizeof(v), "no (%s)", err);
		wrapped(b, v, LABEL + 16, LABEL + 20);
	}
	line(b, "direct calls",
	     r->ftrace_direct > 0    ? "yes (BPF trampolines attach to kernel functions)"
	     : r->ftrace_direct == 0 ? "no: " ATTACH_NO_DIRECT_CALLS
				     : "unknown (no BTF)");
	if (r->bpf.ringbuf) {
		line(b, "ring buffer", "yes");
	} else {
		char err[128];

		libbpf_strerror(r->bpf.ringbuf_err, err, sizeof(err));
		snprintf(v, sizeof(v), "no (%s)", err);
		line(b, "ring buffer", v);
	}
	v[0] = '\0';
	if (r->root)
		strcat(v, "root, ");
	if (r->cap_bpf)
		strcat(v, "CAP_BPF, ");
	if (r->cap_perfmon)
		strcat(v, "CAP_PERFMON, ");
	if (r->cap_sys_admin)
		strcat(v, "CAP_SYS_ADMIN, ");
	if (v[0])
		v[strlen(v) - 2] = '\0';
	else
		strcpy(v, "none (tracing needs root, or CAP_BPF and CAP_PERFMON)");
	line(b, "privileges", v);
	if (r->unpriv_bpf < 0)
		snprintf(v, sizeof(v), "unknown");
	else
		snprintf(v, sizeof(v), "%s (kernel.unprivileged_bpf_disabled = %d)",
			 r->unpriv_bpf ? "disabled" : "allowed", r->unpriv_bpf);
	line(b, "unprivileged BPF", v);
	line(b, "lockdown",
	     r->lockdown[0]  ? r->lockdown
	     : r->securityfs ? "none (no lockdown LSM in this kernel)"
			     : "unknown (securityfs could not be mounted)");
	snprintf(v, sizeof(v), "%s%s", r->preempt,
		 r->bpf_preemptible > 0
			 ? ": BPF programs can be preempted; a call reaching one while "
			   "a task preempted inside it holds that CPU is skipped (the "
			   "tracer counts those as lost: recursion misses)"
		 : r->bpf_preemptible < 0 ? " (debugfs is not mounted: the mode chosen at boot is "
					    "unknown)"
					  : ": BPF programs run to their end");
	line(b, "preemption", v);
	if (r->tracefs[0])
		line(b, "tracefs", r->tracefs);
	else if (r->tracefs_denied)
		line(b, "tracefs", "unknown (/sys/kernel/tracing is readable by root only)");
	else
		line(b, "tracefs",
		     "not mounted (the tracer mounts it on /sys/kernel/tracing when it starts)");
}

static void text_cgroups(const struct doctor_report *r, struct strbuf *b)
{
	strbuf_adds(b, "\ncgroups\n");
	line(b, "mode", mode_text(r->cg.mode));
	line(b, "v2 mount", r->cg.v2_mount[0] ? r->cg.v2_mount : "none");
	if (r->cg.v2_mount[0])
		line(b, "v2 controllers", r->controllers[0] ? r->controllers : "none");
	line(b, "PSI", r->psi ? "yes (/proc/pressure)" : "no");
	line(b, "systemd as PID 1",
	     r->systemd ? "yes" : "no (runtimes cannot use the systemd cgroup driver)");
}

static void text_runtimes(const struct doctor_report *r, struct strbuf *b)
{
	char v[1024];

	strbuf_adds(b, "\nContainer runtimes\n");
	if (r->nrt == 0)
		strbuf_adds(b, "  none found\n");
	for (int i = 0; i < r->nrt; i++) {
		const struct doctor_runtime_info *ri = &r->rt[i];
		const char *name = doctor_runtime_name(ri->rt);
		const char *ver = ri->version[0] ? ri->version : "unknown";

		label(b, name);
		strbuf_adds(b, ver);
		strbuf_pad(b, strlen(ver), 16);
		strbuf_adds(b, ri->path);
		strbuf_addc(b, '\n');
		if (!strcmp(ri->driver_src, "default"))
			snprintf(v, sizeof(v), "%s (default)", ri->driver);
		else
			snprintf(v, sizeof(v), "%s (%s)", ri->driver, ri->driver_src);
		if (ri->oci[0]) {
			size_t n = strlen(v);

			snprintf(v + n, sizeof(v) - n, ", runs %s", ri->oci);
		}
		strbuf_pad(b, 0, LABEL);
		strbuf_adds(b, "cgroup driver   ");
		wrapped(b, v, LABEL + 16, LABEL + 16);
		snprintf(v, sizeof(v), "%s: %s", answer_text(ri->own_v2), ri->why);
		strbuf_pad(b, 0, LABEL);
		strbuf_adds(b, "own v2 cgroup   ");
		wrapped(b, v, LABEL + 16, LABEL + 16);
		if (ri->rt == RT_RUNSC) {
			strbuf_pad(b, 0, LABEL);
			strbuf_adds(b, "sandbox         ");
			wrapped(b, RUNSC_SEEN, LABEL + 16, LABEL + 16);
		}
	}
}

/* Kata's line, where its state or shim was found. */
static void text_kata(const struct doctor_report *r, struct strbuf *b)
{
	if (!r->kata)
		return;
	label(b, "kata");
	wrapped(b, KATA_SEEN, LABEL, LABEL);
}

static bool has_runtime(const struct doctor_report *r, enum doctor_runtime rt)
{
	for (int i = 0; i < r->nrt; i++)
		if (r->rt[i].rt == rt)
			return true;
	return false;
}

/* Rootless podman's line, where podman is installed: whose runs now, how it is named. */
static void text_rootless(const struct doctor_report *r, struct strbuf *b)
{
	char v[1024];
	size_t n = 0;

	if (!has_runtime(r, RT_PODMAN))
		return;
	label(b, "rootless podman");
	if (!r->rootless_looked) {
		wrapped(b, "not looked for (root alone may look into other users' processes)",
			LABEL, LABEL);
		return;
	}
	for (int i = 0; i < r->nrootless && n < sizeof(v); i++) {
		n += (size_t)snprintf(v + n, sizeof(v) - n, "%suid %u (%d container%s",
				      i ? ", " : "running for ", r->rootless_uid[i],
				      r->rootless_ctrs[i], r->rootless_ctrs[i] == 1 ? "" : "s");
		if (n < sizeof(v))
			n += (size_t)snprintf(
				v + n, sizeof(v) - n,
				r->rootless_unnamed[i]
					? ", %d unnamed: state not found or not trusted)"
					: ")",
				r->rootless_unnamed[i]);
	}
	if (n < sizeof(v))
		snprintf(v + n, sizeof(v) - n, "%s", r->rootless_more ? ", and more users" : "");
	if (!r->nrootless)
		snprintf(v, sizeof(v), "no user's running now");
	wrapped(b, v, LABEL, LABEL);
	strbuf_pad(b, 0, LABEL);
	wrapped(b, ROOTLESS_NAMED, LABEL, LABEL);
	strbuf_pad(b, 0, LABEL);
	strbuf_adds(b, "not seen: ");
	wrapped(b, ROOTLESS_NOT_SEEN, LABEL + 10, LABEL);
}

void doctor_report_text(const struct doctor_report *r, struct strbuf *b)
{
	char v[600];

	strbuf_adds(b, "copenclose doctor: what this host allows for tracing containers\n\n");
	text_kernel(r, b);
	text_cgroups(r, b);
	text_runtimes(r, b);
	text_kata(r, b);
	text_rootless(r, b);
	strbuf_adds(b, "\nVerdict\n");
	if (!strcmp(r->strategy, "cgroup"))
		snprintf(v, sizeof(v), "--by cgroup: each container has a cgroup v2 id of its own");
	else
		snprintf(v, sizeof(v),
			 "--by uts: cgroup ids do not identify containers here (--by mntns or "
			 "--by pidns also work)");
	line(b, "strategy", v);
	snprintf(v, sizeof(v), "%s: %s", r->attach, r->attach_why);
	line(b, "attach mode", v);
	line(b, "not seen", r->blind_spots);
	snprintf(v, sizeof(v), "%s%s", r->works ? "will work" : "will not work: ", r->problem);
	line(b, "tracing", v);
	if (r->nadvice) {
		strbuf_adds(b, "\nWhat to change\n");
		for (int i = 0; i < r->nadvice; i++) {
			strbuf_adds(b, "  - ");
			wrapped(b, r->advice[i], 4, 4);
		}
	}
}

/* ---- JSON ---- */

static void key(struct strbuf *b, const char *k, int *first)
{
	escape_json_key(b, k, *first);
	*first = 0;
}

static void jstr(struct strbuf *b, const char *k, const char *v, int *first)
{
	key(b, k, first);
	escape_json_str(b, v, v ? strlen(v) : 0);
}

static void jbool(struct strbuf *b, const char *k, bool v, int *first)
{
	key(b, k, first);
	strbuf_adds(b, v ? "true" : "false");
}

/* A space-separated list as a JSON array of strings. */
static void jwords(struct strbuf *b, const char *k, const char *s, int *first)
{
	int f = 1;

	key(b, k, first);
	strbuf_addc(b, '[');
	while (*s) {
		size_t n = strcspn(s, " \t\n");

		if (n) {
			if (!f)
				strbuf_addc(b, ',');
			f = 0;
			escape_json_str(b, s, n);
		}
		s += n;
		s += strspn(s, " \t\n");
	}
	strbuf_addc(b, ']');
}

static void json_runtime(const struct doctor_runtime_info *ri, struct strbuf *b)
{
	int f = 1;

	strbuf_addc(b, '{');
	jstr(b, "name", doctor_runtime_name(ri->rt), &f);
	jstr(b, "path", ri->path, &f);
	jstr(b, "version", ri->version[0] ? ri->version : NULL, &f);
	jstr(b, "cgroup_driver", ri->driver, &f);
	jstr(b, "cgroup_driver_source", ri->driver_src, &f);
	jstr(b, "oci_runtime", ri->oci[0] ? ri->oci : NULL, &f);
	jbool(b, "own_cgroup_v2", ri->own_v2 == DOCTOR_YES, &f);
	jbool(b, "runs_here", ri->own_v2 != DOCTOR_REFUSES, &f);
	jstr(b, "why", ri->why, &f);
	jstr(b, "config_note", ri->note[0] ? ri->note : NULL, &f);
	jstr(b, "sandbox", ri->rt == RT_RUNSC ? "gvisor" : NULL, &f);
	jstr(b, "sandbox_seen", ri->rt == RT_RUNSC ? RUNSC_SEEN : NULL, &f);
	strbuf_addc(b, '}');
}

/* Rootless podman's object, null where podman is not installed. */
static void json_rootless(const struct doctor_report *r, struct strbuf *b, int *first)
{
	int f = 1;

	key(b, "rootless_podman", first);
	if (!has_runtime(r, RT_PODMAN)) {
		strbuf_adds(b, "null");
		return;
	}
	strbuf_addc(b, '{');
	jbool(b, "looked", r->rootless_looked, &f);
	key(b, "users", &f);
	strbuf_addc(b, '[');
	for (int i = 0; i < r->nrootless; i++) {
		strbuf_adds(b, i ? ",{\"uid\":" : "{\"uid\":");
		strbuf_addu(b, r->rootless_uid[i]);
		strbuf_adds(b, ",\"containers\":");
		strbuf_addi(b, r->rootless_ctrs[i]);
		strbuf_adds(b, ",\"unnamed\":");
		strbuf_addi(b, r->rootless_unnamed[i]);
		strbuf_addc(b, '}');
	}
	strbuf_addc(b, ']');
	jbool(b, "more_users", r->rootless_more, &f);
	jstr(b, "container_trust", "user", &f);
	jstr(b, "named", ROOTLESS_NAMED, &f);
	jstr(b, "not_seen", ROOTLESS_NOT_SEEN, &f);
	strbuf_addc(b, '}');
}

void doctor_report_json(const struct doctor_report *r, struct strbuf *b)
{
	int f = 1, g;

	strbuf_addc(b, '{');
	jstr(b, "kernel", r->kernel, &f);
	jbool(b, "btf", r->btf, &f);
	jstr(b, "btf_path", r->btf_path, &f);
	key(b, "bpf", &f);
	strbuf_addc(b, '{');
	g = 1;
	for (int i = 0; i < DOCTOR_PROG_COUNT; i++)
		jbool(b, doctor_prog_name(i), r->bpf_probed && r->bpf.prog[i], &g);
	jbool(b, "tracepoint_attach_tried", r->bpf_probed && !r->bpf.tp_load_only, &g);
	jbool(b, "ringbuf", r->bpf_probed && r->bpf.ringbuf, &g);
	strbuf_addc(b, '}');
	key(b, "privileges", &f);
	strbuf_addc(b, '{');
	g = 1;
	jbool(b, "root", r->root, &g);
	jbool(b, "cap_bpf", r->cap_bpf, &g);
	jbool(b, "cap_perfmon", r->cap_perfmon, &g);
	jbool(b, "cap_sys_admin", r->cap_sys_admin, &g);
	strbuf_addc(b, '}');
	key(b, "unprivileged_bpf_disabled", &f);
	if (r->unpriv_bpf < 0)
		strbuf_adds(b, "null");
	else
		strbuf_addi(b, r->unpriv_bpf);
	jstr(b, "lockdown", r->lockdown[0] ? r->lockdown : NULL, &f);
	key(b, "ftrace_direct_calls", &f);
	strbuf_adds(b, r->ftrace_direct < 0 ? "null" : r->ftrace_direct ? "true" : "false");
	jstr(b, "preemption", r->preempt[0] ? r->preempt : NULL, &f);
	key(b, "bpf_preemptible", &f);
	strbuf_adds(b, r->bpf_preemptible < 0 ? "null" : r->bpf_preemptible ? "true" : "false");
	jstr(b, "tracefs", r->tracefs[0] ? r->tracefs : NULL, &f);
	jstr(b, "cgroup_mode", cgroup_mode_name(r->cg.mode), &f);
	jstr(b, "cgroup2_mount", r->cg.v2_mount[0] ? r->cg.v2_mount : NULL, &f);
	jwords(b, "cgroup2_controllers", r->controllers, &f);
	jbool(b, "psi", r->psi, &f);
	jbool(b, "systemd", r->systemd, &f);
	key(b, "runtimes", &f);
	strbuf_addc(b, '[');
	for (int i = 0; i < r->nrt; i++) {
		if (i)
			strbuf_addc(b, ',');
		json_runtime(&r->rt[i], b);
	}
	strbuf_addc(b, ']');
	jstr(b, "kata_seen", r->kata ? KATA_SEEN : NULL, &f);
	json_rootless(r, b, &f);
	jstr(b, "strategy", r->strategy, &f);
	jstr(b, "attach_mode", r->attach, &f);
	jstr(b, "attach_why", r->attach_why, &f);
	jstr(b, "blind_spots", r->blind_spots, &f);
	key(b, "advice", &f);
	strbuf_addc(b, '[');
	for (int i = 0; i < r->nadvice; i++) {
		if (i)
			strbuf_addc(b, ',');
		escape_json_str(b, r->advice[i], strlen(r->advice[i]));
	}
	strbuf_addc(b, ']');
	jbool(b, "tracing_works", r->works, &f);
	jstr(b, "problem", r->works ? NULL : r->problem, &f);
	strbuf_adds(b, "}\n");
}
