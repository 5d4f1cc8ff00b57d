/* Unit tests of doctor's verdicts, conclusion and report writers, as pure functions of facts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/doctor_report.h"
#include "cmd/doctor_verdict.h"
#include "enrich/json_read.h"
#include "trace/attach.h"

#define L CGROUP_MODE_LEGACY
#define H CGROUP_MODE_HYBRID
#define U CGROUP_MODE_UNIFIED

struct verdict_case {
	enum cgroup_mode mode;
	enum doctor_runtime rt;
	const char *driver;
	bool systemd;
	const char *oci;
	enum doctor_answer want;
	const char *why; /* substring */
};

static const struct verdict_case verdicts[] = {
	/* legacy: nobody gets a v2 id */
	{L, RT_RUNC, "cgroupfs", false, NULL, DOCTOR_NO, "legacy"},
	{L, RT_CRUN, "cgroupfs", true, NULL, DOCTOR_NO, "legacy"},
	{L, RT_PODMAN, "systemd", true, "runc", DOCTOR_NO, "legacy"},
	{L, RT_DOCKER, "cgroupfs", false, NULL, DOCTOR_NO, "v1 cgroups only"},
	{CGROUP_MODE_NONE, RT_RUNC, "cgroupfs", false, NULL, DOCTOR_NO, "no cgroup file system"},
	/* hybrid: runc and what runs runc place containers in v2 too; crun refuses */
	{H, RT_RUNC, "cgroupfs", false, NULL, DOCTOR_YES, "v2 hierarchy"},
	{H, RT_DOCKER, "cgroupfs", false, NULL, DOCTOR_YES, "runc"},
	{H, RT_CONTAINERD, "systemd", true, NULL, DOCTOR_YES, "runc"},
	{H, RT_CRIO, "systemd", true, NULL, DOCTOR_YES, "runc"},
	{H, RT_CRUN, "cgroupfs", false, NULL, DOCTOR_REFUSES, "crun refuses hybrid"},
	{H, RT_CRUN, "systemd", true, NULL, DOCTOR_REFUSES, "crun refuses hybrid"},
	{H, RT_PODMAN, "cgroupfs", false, "runc", DOCTOR_YES, "podman with runc"},
	{H, RT_PODMAN, "cgroupfs", false, "crun", DOCTOR_REFUSES, "runs crun"},
	{H, RT_RUNSC, "cgroupfs", false, NULL, DOCTOR_NO, "v1 controllers"},
	{H, RT_LXC, "cgroupfs", false, NULL, DOCTOR_YES, "every hierarchy"},
	{H, RT_NSPAWN, "systemd", true, NULL, DOCTOR_YES, "scope"},
	{H, RT_NSPAWN, "systemd", false, NULL, DOCTOR_YES, "payload/"},
	/* the systemd driver needs systemd as PID 1, everywhere */
	{H, RT_DOCKER, "systemd", false, NULL, DOCTOR_REFUSES, "systemd is not PID 1"},
	{U, RT_CONTAINERD, "systemd", false, NULL, DOCTOR_REFUSES, "systemd is not PID 1"},
	{U, RT_KUBELET, "systemd", true, NULL, DOCTOR_YES, "unified"},
	/* gVisor lacked the systemd driver */
	{U, RT_RUNSC, "systemd", true, NULL, DOCTOR_REFUSES, "runsc"},
	{U, RT_RUNSC, "cgroupfs", false, NULL, DOCTOR_YES, "unified"},
	/* unified: everyone */
	{U, RT_CRUN, "cgroupfs", false, NULL, DOCTOR_YES, "unified"},
	{U, RT_PODMAN, "cgroupfs", false, "crun", DOCTOR_YES, "unified"},
	{U, RT_RUNC, "systemd", true, NULL, DOCTOR_YES, "unified"},
};

static void test_verdicts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		const struct verdict_case *c = &verdicts[i];
		char why[256] = "";
		enum doctor_answer a = doctor_verdict(c->mode, c->rt, c->driver, c->systemd, c->oci,
						      why, sizeof(why));

		if (a != c->want || !strstr(why, c->why))
			fail_msg("case %zu (%s in mode %s): answer %d \"%s\", want %d \"%s\"", i,
				 doctor_runtime_name(c->rt), cgroup_mode_name(c->mode), a, why,
				 c->want, c->why);
	}
}

/* A report of a working host in mode with the runtimes given; doctor_conclude gives verdicts. */
static struct doctor_report *host(enum cgroup_mode mode, bool systemd,
				  const enum doctor_runtime *rts, const char *const *drivers, int n)
{
	struct doctor_report *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	snprintf(r->kernel, sizeof(r->kernel), "6.1.0-test");
	snprintf(r->btf_path, sizeof(r->btf_path), "/sys/kernel/btf/vmlinux");
	r->btf = r->root = r->cap_bpf = r->cap_perfmon = r->cap_sys_admin = true;
	r->bpf_probed = true;
	for (int i = 0; i < DOCTOR_PROG_COUNT; i++)
		r->bpf.prog[i] = i <= DOCTOR_PROG_TP_BTF;
	r->bpf.err[DOCTOR_PROG_FENTRY] = -EPERM;
	r->bpf.err[DOCTOR_PROG_KPROBE] = -ENOENT;
	r->bpf.err[DOCTOR_PROG_LSM] = -EPERM;
	r->bpf.ringbuf = true;
	r->ftrace_direct = 1;
	r->unpriv_bpf = 2;
	r->cg.mode = mode;
	if (mode == H)
		snprintf(r->cg.v2_mount, sizeof(r->cg.v2_mount), "/sys/fs/cgroup/unified");
	else if (mode == U)
		snprintf(r->cg.v2_mount, sizeof(r->cg.v2_mount), "/sys/fs/cgroup");
	snprintf(r->controllers, sizeof(r->controllers), "cpu io memory");
	r->systemd = systemd;
	r->nrt = n;
	for (int i = 0; i < n; i++) {
		struct doctor_runtime_info *ri = &r->rt[i];

		ri->rt = rts[i];
		snprintf(ri->path, sizeof(ri->path), "/usr/bin/%s", doctor_runtime_name(rts[i]));
		snprintf(ri->version, sizeof(ri->version), "1.%d", i);
		snprintf(ri->driver, sizeof(ri->driver), "%s", drivers[i]);
		snprintf(ri->driver_src, sizeof(ri->driver_src), "default");
		if (rts[i] == RT_PODMAN)
			snprintf(ri->oci, sizeof(ri->oci), "crun");
	}
	return r;
}

static bool advised(const struct doctor_report *r, const char *what)
{
	for (int i = 0; i < r->nadvice; i++)
		if (strstr(r->advice[i], what))
			return true;
	return false;
}

/* The attach mode the tracer's auto choice gets, from whether fentry programs load. */
static void test_attach_mode(void **state)
{
	static const enum doctor_runtime none[] = {RT_RUNC};
	static const char *const drivers[] = {"cgroupfs"};
	struct doctor_report *r;

	(void)state;
	r = host(U, false, none, drivers, 0); /* fentry refused (EPERM), as on this machine */
	doctor_conclude(r);
	assert_string_equal(r->attach, "tracepoint");
	assert_non_null(strstr(r->attach_why, "Operation not permitted"));
	assert_non_null(strstr(r->blind_spots, "io_uring operations; 32-bit system calls"));
	free(r);
	r = host(U, false, none, drivers, 0);
	r->bpf.prog[DOCTOR_PROG_FENTRY] = true; /* Debian's kernels */
	r->bpf.err[DOCTOR_PROG_FENTRY] = 0;
	r->fentry_tried = true; /* and the tracer's object loaded and attached */
	doctor_conclude(r);
	assert_string_equal(r->attach, "fentry");
	assert_null(strstr(r->blind_spots, "32-bit"));
	assert_null(strstr(r->blind_spots, "what passes through"));
	free(r);
	/* arm64's 6.1: fentry programs load, but attaching one to a kernel function gives the
	   kernel's ENOTSUPP, as it has no ftrace direct calls */
	r = host(U, false, none, drivers, 0);
	r->bpf.err[DOCTOR_PROG_FENTRY] = -CC_ENOTSUPP;
	r->ftrace_direct = 0;
	doctor_conclude(r);
	assert_string_equal(r->attach, "tracepoint");
	assert_string_equal(r->attach_why,
			    "the fentry attach mode is not available here (" ATTACH_NO_DIRECT_CALLS
			    ")");
	free(r);
	/* ENOTSUPP where the direct calls are there: the error said, not a guess */
	r = host(U, false, none, drivers, 0);
	r->bpf.err[DOCTOR_PROG_FENTRY] = -CC_ENOTSUPP;
	doctor_conclude(r);
	assert_non_null(strstr(r->attach_why, "error 524 (ENOTSUPP"));
	assert_null(strstr(r->attach_why, "DIRECT_CALLS"));
	free(r);
	/* an optional function missing: named as the tracer names it */
	r = host(U, false, none, drivers, 0);
	r->bpf.prog[DOCTOR_PROG_FENTRY] = true;
	r->fentry_tried = true;
	snprintf(r->fentry_blind, sizeof(r->fentry_blind), "io_openat2, io_accept");
	doctor_conclude(r);
	assert_string_equal(r->attach, "fentry");
	assert_string_equal(
		r->blind_spots,
		"io_uring operations on fixed files (no descriptor is installed); what "
		"passes through io_openat2, io_accept (this kernel has no such function)");
	free(r);
	/* a fentry program loads, the tracer's object does not (5.10): the tracer's reason */
	r = host(U, false, none, drivers, 0);
	r->bpf.prog[DOCTOR_PROG_FENTRY] = true;
	r->fentry_tried = true;
	r->fentry_err = -ENOENT;
	snprintf(r->fentry_why, sizeof(r->fentry_why),
		 "this kernel has no bpf_task_pt_regs (5.15)");
	doctor_conclude(r);
	assert_string_equal(r->attach, "tracepoint");
	assert_string_equal(r->attach_why, "the fentry attach mode is not available here (this "
					   "kernel has no bpf_task_pt_regs (5.15))");
	free(r);
}

/* Why a trampoline did not attach, in words. */
static void test_trampoline_why(void **state)
{
	char why[128];

	(void)state;
	attach_trampoline_why(-CC_ENOTSUPP, false, why, sizeof(why));
	assert_string_equal(why, ATTACH_NO_DIRECT_CALLS);
	assert_true(strlen(ATTACH_NO_DIRECT_CALLS) < sizeof(why));
	attach_trampoline_why(-CC_ENOTSUPP, true, why, sizeof(why));
	assert_string_equal(why, "trampolines: error 524 (ENOTSUPP: the kernel refused to attach)");
	attach_trampoline_why(-EPERM, false, why, sizeof(why));
	assert_string_equal(why, "trampolines: Operation not permitted");
}

static void test_preemption(void **state)
{
	static const struct {
		const char *version, *sched;
		int want;
		const char *mode;
	} cases[] = {
		{"#1 SMP PREEMPT_RT Debian 6.12.118-1~deb12u1", "full (lazy) laziest ", 1, "rt"},
		{"#1 SMP PREEMPT_DYNAMIC Debian 7.2.13-1", "full (lazy) ", 1, "lazy"},
		{"#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1", "none voluntary (full) lazy", 1,
		 "full"},
		{"#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1", "none (voluntary) full lazy", 0,
		 "voluntary"},
		{"#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1", NULL, -1, "dynamic"},
		{"#1 SMP PREEMPT Tue Jan 1", NULL, 1, "full"},
		{"#1 SMP Debian 5.10.223-1 (2024-08-10)", NULL, 0, "none"},
		{"#1 SMP Debian 5.10.223-1", "(", 0, "none"}, /* unclosed: not a mode */
	};
	char mode[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
			doctor_preemption(cases[i].version, cases[i].sched, mode, sizeof(mode)),
			cases[i].want);
		assert_string_equal(mode, cases[i].mode);
	}
}

static void test_conclude(void **state)
{
	static const enum doctor_runtime runc_crun_podman[] = {RT_RUNC, RT_CRUN, RT_PODMAN};
	static const char *const cgroupfs3[] = {"cgroupfs", "cgroupfs", "cgroupfs"};
	static const enum doctor_runtime docker_runsc[] = {RT_DOCKER, RT_RUNSC};
	static const char *const systemd2[] = {"systemd", "cgroupfs"};
	static const enum doctor_runtime kube[] = {RT_CONTAINERD, RT_KUBELET};
	static const char *const mismatch[] = {"cgroupfs", "systemd"};
	struct doctor_report *r;

	(void)state;
	/* this machine: hybrid; crun refuses, so its containers do not exist: cgroup ids work */
	r = host(H, false, runc_crun_podman, cgroupfs3, 3);
	doctor_conclude(r);
	assert_int_equal(r->rt[0].own_v2, DOCTOR_YES);
	assert_int_equal(r->rt[1].own_v2, DOCTOR_REFUSES);
	assert_int_equal(r->rt[2].own_v2, DOCTOR_REFUSES); /* podman runs crun */
	assert_non_null(strstr(r->rt[2].why, "podman runs crun here"));
	assert_string_equal(r->strategy, "cgroup");
	assert_true(r->works);
	assert_true(advised(r, "runtime = \"runc\""));
	assert_true(advised(r, "crun: refuses this hybrid host"));
	free(r);

	/* legacy: namespaces, and the kernel command line to change */
	r = host(L, true, runc_crun_podman, cgroupfs3, 3);
	doctor_conclude(r);
	assert_string_equal(r->strategy, "uts");
	assert_true(advised(r, "systemd.unified_cgroup_hierarchy=1"));
	assert_false(advised(r, "mount -t cgroup2"));
	free(r);
	r = host(L, false, runc_crun_podman, cgroupfs3, 1);
	doctor_conclude(r);
	assert_true(advised(r, "mount -t cgroup2 none /sys/fs/cgroup/unified"));
	free(r);

	/* unified: everything */
	r = host(U, false, runc_crun_podman, cgroupfs3, 3);
	doctor_conclude(r);
	assert_string_equal(r->strategy, "cgroup");
	assert_int_equal(r->nadvice, 0);
	free(r);

	/* hybrid with runsc: its containers have no v2 id, so namespaces; docker's systemd
	 * driver without systemd gets the exact setting to flip */
	r = host(H, false, docker_runsc, systemd2, 2);
	doctor_conclude(r);
	assert_string_equal(r->strategy, "uts");
	assert_true(advised(r, "native.cgroupdriver=cgroupfs"));
	assert_true(advised(r, "runsc:"));
	free(r);

	/* the kubelet and containerd disagree about the driver */
	r = host(U, true, kube, mismatch, 2);
	doctor_conclude(r);
	assert_true(
		advised(r, "kubelet: its cgroupDriver systemd differs (containerd uses cgroupfs)"));
	free(r);

	/* no runtime at all */
	r = host(H, false, NULL, NULL, 0);
	doctor_conclude(r);
	assert_string_equal(r->strategy, "cgroup");
	assert_true(advised(r, "no container runtime found"));
	free(r);
}

static void test_works(void **state)
{
	static const struct {
		const char *field;
		const char *problem;
	} cases[] = {
		{"privileges", "not privileged"},
		{"btf", "no kernel BTF"},
		{"tracepoint", "tracepoint BPF programs do not load"},
		{"ringbuf", "ring buffer"},
		{"lockdown", "confidentiality"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct doctor_report *r = host(U, false, NULL, NULL, 0);

		if (!strcmp(cases[i].field, "privileges"))
			r->root = r->cap_bpf = r->cap_perfmon = r->cap_sys_admin = false;
		else if (!strcmp(cases[i].field, "btf"))
			r->btf = false;
		else if (!strcmp(cases[i].field, "tracepoint"))
			r->bpf.prog[DOCTOR_PROG_TRACEPOINT] = false,
			r->bpf.err[DOCTOR_PROG_TRACEPOINT] = -EPERM;
		else if (!strcmp(cases[i].field, "lockdown"))
			snprintf(r->lockdown, sizeof(r->lockdown), "confidentiality");
		else
			r->bpf.ringbuf = false, r->bpf.ringbuf_err = -EINVAL;
		doctor_conclude(r);
		assert_false(r->works);
		if (!strstr(r->problem, cases[i].problem))
			fail_msg("%s: problem \"%s\"", cases[i].field, r->problem);
		free(r);
	}
	/* CAP_BPF and CAP_PERFMON without root are enough */
	{
		struct doctor_report *r = host(U, false, NULL, NULL, 0);

		r->root = r->cap_sys_admin = false;
		snprintf(r->lockdown, sizeof(r->lockdown), "integrity");
		doctor_conclude(r);
		assert_true(r->works);
		assert_string_equal(r->problem, "");
		free(r);
	}
}

static void test_report_json(void **state)
{
	static const enum doctor_runtime rts[] = {RT_RUNC, RT_CRUN};
	static const char *const drv[] = {"cgroupfs", "cgroupfs"};
	struct doctor_report *r = host(H, false, rts, drv, 2);
	struct strbuf b = {0};
	json_t *doc;

	(void)state;
	/*
	 * hostile bytes from a configuration file reach the report through the note; the invalid
	 * byte is checked below, as a strict parser (jansson) refuses its lone surrogate \udcff
	 */
	snprintf(r->rt[0].note, sizeof(r->rt[0].note), "bad \"quote\" \\ \x01");
	doctor_conclude(r);
	doctor_report_json(r, &b);
	strbuf_addc(&b, '\0');
	assert_int_equal(json_read_text(b.buf, b.len - 1, &doc), 0);
	assert_string_equal(json_read_str(doc, "cgroup_mode", NULL), "hybrid");
	assert_string_equal(json_read_str(doc, "cgroup2_mount", NULL), "/sys/fs/cgroup/unified");
	assert_string_equal(json_read_str(doc, "strategy", NULL), "cgroup");
	assert_string_equal(json_read_str(doc, "kernel", NULL), "6.1.0-test");
	json_decref(doc);
	assert_non_null(strstr(b.buf,
			       "\"bpf\":{\"tracepoint\":true,\"raw_tracepoint\":true,"
			       "\"tp_btf\":true,\"fentry\":false,\"kprobe\":false,\"lsm\":false"));
	assert_non_null(strstr(b.buf, "\"ringbuf\":true}"));
	assert_non_null(strstr(b.buf, ",\"ftrace_direct_calls\":true,"));
	assert_non_null(strstr(b.buf, "\"cgroup2_controllers\":[\"cpu\",\"io\",\"memory\"]"));
	assert_non_null(strstr(b.buf, "{\"name\":\"runc\",\"path\":\"/usr/bin/runc\",\"version\":"
				      "\"1.0\",\"cgroup_driver\":\"cgroupfs\""));
	assert_non_null(strstr(b.buf, "\"name\":\"crun\""));
	assert_non_null(strstr(b.buf, "\"own_cgroup_v2\":false,\"runs_here\":false"));
	assert_non_null(strstr(b.buf, "bad \\\"quote\\\" \\\\ \\u0001\""));
	assert_non_null(strstr(b.buf, "\"tracing_works\":true,\"problem\":null}\n"));
	assert_non_null(strstr(b.buf, "],\"kata_seen\":null,"));
	assert_null(memchr(b.buf, '\n', b.len - 2));
	b.len = 0;
	snprintf(r->rt[0].note, sizeof(r->rt[0].note), "bad \xff");
	r->kata = true;
	doctor_report_json(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(b.buf, "bad \\udcff\""));
	assert_non_null(strstr(b.buf, "],\"kata_seen\":\"kata: containers in a virtual machine; "
				      "a host tracer sees only the VM's monitor (qemu or "));
	strbuf_free(&b);
	free(r);
}

static void test_report_text(void **state)
{
	static const enum doctor_runtime rts[] = {RT_RUNC, RT_CRUN};
	static const char *const drv[] = {"cgroupfs", "cgroupfs"};
	struct doctor_report *r = host(H, false, rts, drv, 2);
	struct strbuf b = {0};
	char *line, *save = NULL;

	(void)state;
	doctor_conclude(r);
	doctor_report_text(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(
		b.buf, "\n  mode                hybrid: v1 controllers plus a v2 hierarchy\n"));
	assert_non_null(strstr(b.buf, "\n  v2 mount            /sys/fs/cgroup/unified\n"));
	assert_non_null(strstr(b.buf, "\n  runc                1.0             /usr/bin/runc\n"));
	assert_non_null(strstr(b.buf, "\n                      own v2 cgroup   yes: runc also"));
	assert_non_null(strstr(b.buf, "own v2 cgroup   no (does not run here): crun refuses"));
	assert_non_null(strstr(
		b.buf, "\n                      fentry          no (Operation not permitted)\n"));
	assert_non_null(strstr(b.buf, "\n  strategy            --by cgroup"));
	assert_non_null(strstr(
		b.buf,
		"\n  direct calls        yes (BPF trampolines attach to kernel functions)\n"));
	assert_non_null(strstr(b.buf, "\nWhat to change\n  - crun: refuses this hybrid host"));
	assert_null(strstr(b.buf, "\n  kata "));
	b.len = 0;
	r->kata = true;
	doctor_report_text(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(b.buf,
			       "\n  kata                kata: containers in a virtual machine; a "
			       "host tracer sees only the VM's\n                      monitor"));
	b.len = 0;
	r->ftrace_direct = 0; /* arm64's 6.1 */
	doctor_report_text(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(
		strstr(b.buf, "\n  direct calls        no: BPF trampolines cannot attach to kernel "
			      "functions: no ftrace direct calls\n                      "
			      "(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS, arm64 6.4+)\n"));
	/* no line wider than 100 columns */
	for (line = strtok_r(b.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 100)
			fail_msg("line of %zu columns: %s", strlen(line), line);
	strbuf_free(&b);
	free(r);
}

/* rootless podman's line and object: whose runs now (numbers the finder gave), how it is named,
   what is not seen; none where podman is not installed */
static void test_report_rootless(void **state)
{
	static const enum doctor_runtime rts[] = {RT_PODMAN, RT_RUNC};
	static const char *const drv[] = {"cgroupfs", "cgroupfs"};
	struct doctor_report *r = host(H, false, rts, drv, 2);
	struct strbuf b = {0};
	json_t *doc, *o, *u;
	char *line, *save = NULL;

	(void)state;
	doctor_conclude(r);
	r->rootless_looked = true;
	r->nrootless = 2;
	r->rootless_uid[0] = 61000;
	r->rootless_ctrs[0] = 1;
	r->rootless_uid[1] = 1000;
	r->rootless_ctrs[1] = 0;
	r->rootless_unnamed[0] = 0;
	r->rootless_unnamed[1] = 2;
	doctor_report_text(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(b.buf,
			       "\n  rootless podman     running for uid 61000 (1 container), "
			       "uid 1000 (0 containers, 2 unnamed:"));
	assert_non_null(strstr(b.buf,
			       "trusted)\n                      named through each user's own "
			       "podman state"));
	assert_non_null(strstr(b.buf, "\"container_trust\": \"user\""));
	assert_non_null(strstr(b.buf, "/tmp/podman-run-UID/containers,"));
	assert_non_null(strstr(b.buf,
			       "\n                      not seen: a container whose run root "
			       "(or run directory) is not the user's own"));
	for (line = strtok_r(b.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 100)
			fail_msg("line of %zu columns: %s", strlen(line), line);
	b.len = 0;
	doctor_report_json(r, &b);
	strbuf_addc(&b, '\0');
	assert_int_equal(json_read_text(b.buf, b.len - 1, &doc), 0);
	o = json_object_get(doc, "rootless_podman");
	assert_true(json_is_true(json_object_get(o, "looked")));
	assert_int_equal(json_array_size(json_object_get(o, "users")), 2);
	u = json_array_get(json_object_get(o, "users"), 0);
	assert_int_equal(json_integer_value(json_object_get(u, "uid")), 61000);
	assert_int_equal(json_integer_value(json_object_get(u, "containers")), 1);
	assert_int_equal(json_integer_value(json_object_get(u, "unnamed")), 0);
	u = json_array_get(json_object_get(o, "users"), 1);
	assert_int_equal(json_integer_value(json_object_get(u, "uid")), 1000);
	assert_int_equal(json_integer_value(json_object_get(u, "containers")), 0);
	assert_int_equal(json_integer_value(json_object_get(u, "unnamed")), 2);
	assert_true(json_is_false(json_object_get(o, "more_users")));
	assert_string_equal(json_read_str(o, "container_trust", NULL), "user");
	assert_non_null(strstr(json_read_str(o, "named", NULL), "/tmp/podman-run-UID"));
	assert_non_null(strstr(json_read_str(o, "not_seen", NULL), "\"unnamed\""));
	json_decref(doc);
	/* none running; not looked (not root); podman not installed */
	r->nrootless = 0;
	b.len = 0;
	doctor_report_text(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(b.buf, "\n  rootless podman     no user's running now\n"));
	r->rootless_looked = false;
	b.len = 0;
	doctor_report_text(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(
		strstr(b.buf, "\n  rootless podman     not looked for (root alone may look"));
	b.len = 0;
	doctor_report_json(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(b.buf, "\"rootless_podman\":{\"looked\":false,\"users\":[],"));
	r->rt[0].rt = RT_CRUN;
	b.len = 0;
	doctor_report_text(r, &b);
	strbuf_addc(&b, '\0');
	assert_null(strstr(b.buf, "rootless podman"));
	b.len = 0;
	doctor_report_json(r, &b);
	strbuf_addc(&b, '\0');
	assert_non_null(strstr(b.buf, ",\"rootless_podman\":null,"));
	strbuf_free(&b);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),	cmocka_unit_test(test_conclude),
		cmocka_unit_test(test_attach_mode),	cmocka_unit_test(test_trampoline_why),
		cmocka_unit_test(test_works),		cmocka_unit_test(test_preemption),
		cmocka_unit_test(test_report_json),	cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_report_rootless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
