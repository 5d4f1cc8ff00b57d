/* doctor's verdicts: per runtime, the --by strategy, the advice, and whether tracing works. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/doctor_config.h"
#include "cmd/doctor_verdict.h"
#include "trace/attach.h"

static enum doctor_answer answer(enum doctor_answer a, char *why, size_t size, const char *text)
{
	snprintf(why, size, "%s", text);
	return a;
}

/* On a hybrid host, runtimes that do not run runc under their own name. */
static const struct {
	enum doctor_answer answer;
	const char *why;
} hybrid[RT_COUNT] = {
	[RT_CRUN] = {DOCTOR_REFUSES, "crun refuses hybrid hosts: it needs the unified hierarchy"},
	[RT_PODMAN] = {DOCTOR_YES,
		       "podman with runc also creates the container's cgroup in the v2 hierarchy"},
	[RT_RUNSC] = {DOCTOR_NO, "runsc uses only the v1 controllers on a hybrid host"},
	[RT_LXC] = {DOCTOR_YES,
		    "lxc creates the container's cgroup in every hierarchy, v2 included"},
	[RT_NSPAWN] = {DOCTOR_YES, "systemd places the container's scope in the v2 hierarchy too"},
	[RT_RUNC] = {DOCTOR_YES, "runc also creates the container's cgroup in the v2 hierarchy"},
};

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
		return answer(DOCTOR_YES, why, size,
			      "systemd is not PID 1: with --register=no --keep-unit the caller's "
			      "cgroup is split, the container in payload/ (named by its machine's "
			      "name), nspawn itself in supervisor/");
	if (systemd_driver && !systemd_pid1)
		return answer(DOCTOR_REFUSES, why, size,
			      "the systemd cgroup driver is configured but systemd is not PID 1: "
			      "containers fail to start");
	if (mode == CGROUP_MODE_UNIFIED)
		return answer(DOCTOR_YES, why, size,
			      "unified host: every container's cgroup is a v2 cgroup");
	/* hybrid: what each runtime does with the v2 hierarchy beside the v1 controllers */
	if (rt == RT_PODMAN && oci && !strcmp(oci, "crun"))
		return answer(DOCTOR_REFUSES, why, size,
			      "podman runs crun here, which refuses hybrid hosts (with runc it "
			      "would get one)");
	if (rt < RT_COUNT && hybrid[rt].why)
		return answer(hybrid[rt].answer, why, size, hybrid[rt].why);
	return answer(DOCTOR_YES, why, size,
		      "its runc also creates the container's cgroup in the v2 hierarchy");
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

int doctor_preemption(const char *version, const char *sched_preempt, char *mode, size_t size)
{
	const char *a = sched_preempt ? strchr(sched_preempt, '(') : NULL;
	const char *b = a ? strchr(a, ')') : NULL;

	if (strstr(version, "PREEMPT_RT")) {
		snprintf(mode, size, "rt");
		return 1;
	}
	if (a && b) {
		snprintf(mode, size, "%.*s", (int)(b - a - 1), a + 1);
		return strcmp(mode, "full") == 0 || strcmp(mode, "lazy") == 0;
	}
	if (strstr(version, "PREEMPT_DYNAMIC")) {
		snprintf(mode, size, "dynamic");
		return -1; /* chosen at boot (preempt=): debugfs says which */
	}
	if (strstr(version, "PREEMPT ")) {
		snprintf(mode, size, "full");
		return 1;
	}
	snprintf(mode, size, "none");
	return 0;
}

/* Which attach mode the tracer's --attach auto gets here, and what that mode leaves unseen: the
   tracer's own object tried in fentry mode (doctor.c), in the tracer's words. */
static void doctor_verdict_attach(struct doctor_report *r)
{
	if (r->fentry_tried && r->fentry_err == 0) {
		snprintf(r->attach, sizeof(r->attach), "fentry");
		snprintf(r->attach_why, sizeof(r->attach_why),
			 "fentry programs load and attach: untraced system calls cost nothing, "
			 "io_uring operations and 32-bit calls are seen");
		snprintf(r->blind_spots, sizeof(r->blind_spots),
			 "io_uring operations on fixed files (no descriptor is installed)%s%s%s",
			 r->fentry_blind[0] ? "; what passes through " : "", r->fentry_blind,
			 r->fentry_blind[0] ? " (this kernel has no such function)" : "");
		return;
	}
	snprintf(r->attach, sizeof(r->attach), "tracepoint");
	if (r->fentry_tried) {
		snprintf(r->attach_why, sizeof(r->attach_why),
			 "the fentry attach mode is not available here (%s)", r->fentry_why);
	} else if (r->bpf_probed && r->bpf.err[DOCTOR_PROG_FENTRY] == -CC_ENOTSUPP) {
		/* a fentry program loads but does not attach: the tracer's words for it */
		char why[128];

		attach_trampoline_why(r->bpf.err[DOCTOR_PROG_FENTRY], r->ftrace_direct != 0, why,
				      sizeof(why));
		snprintf(r->attach_why, sizeof(r->attach_why),
			 "the fentry attach mode is not available here (%s)", why);
	} else {
		snprintf(r->attach_why, sizeof(r->attach_why),
			 "fentry programs do not load here (%s)",
			 r->bpf_probed ? strerror(-r->bpf.err[DOCTOR_PROG_FENTRY]) : "not probed");
	}
	snprintf(r->blind_spots, sizeof(r->blind_spots),
		 "io_uring operations; 32-bit system calls (--compat sees them, at a cost to every "
		 "system call)");
}

void doctor_conclude(struct doctor_report *r)
{
	static const char unify[] =
		"boot with systemd.unified_cgroup_hierarchy=1 on the kernel command line (cgroup "
		"v2 only)%s%s";
	bool privileged = r->root || r->cap_sys_admin || (r->cap_bpf && r->cap_perfmon);
	bool ids = r->cg.mode == CGROUP_MODE_HYBRID || r->cg.mode == CGROUP_MODE_UNIFIED;
	const char *kube_driver = NULL;

	for (int i = 0; i < r->nrt; i++) {
		struct doctor_runtime_info *ri = &r->rt[i];

		ri->own_v2 = doctor_verdict(r->cg.mode, ri->rt, ri->driver, r->systemd,
					    ri->rt == RT_PODMAN ? ri->oci : NULL, ri->why,
					    sizeof(ri->why));
	}
	r->nadvice = 0;
	for (int i = 0; i < r->nrt; i++) {
		const struct doctor_runtime_info *ri = &r->rt[i];

		if (ri->own_v2 == DOCTOR_NO)
			ids = false;
		if (ri->rt == RT_KUBELET)
			kube_driver = ri->driver;
	}
	snprintf(r->strategy, sizeof(r->strategy), "%s", ids ? "cgroup" : "uts");
	doctor_verdict_attach(r);
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
			 strcmp(r->btf_path, DOCTOR_DEFAULT_BTF)
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
	else if (r->tp_tried && r->tp_err)
		snprintf(r->problem, sizeof(r->problem), "%.200s%s", r->tp_why,
			 r->tp_err == -ENOENT ? ": those calls cannot be seen here" : "");
	else
		r->works = true;
	if (r->works)
		r->problem[0] = '\0';
}
