/* The doctor report: what this host allows for tracing containers, gathered once and written out.
 */
#ifndef CC_DOCTOR_H
#define CC_DOCTOR_H

#include <limits.h>
#include <stdbool.h>

#include "enrich/cgroup.h"
#include "format/strbuf.h"

/* The BPF program types doctor tries, in report order. */
enum doctor_prog {
	DOCTOR_PROG_TRACEPOINT,
	DOCTOR_PROG_RAW_TP,
	DOCTOR_PROG_TP_BTF,
	DOCTOR_PROG_FENTRY,
	DOCTOR_PROG_KPROBE,
	DOCTOR_PROG_LSM,
	DOCTOR_PROG_COUNT,
};

const char *doctor_prog_name(enum doctor_prog p);

struct doctor_bpf {
	bool prog[DOCTOR_PROG_COUNT]; /* loaded and attached (tracepoint: see tp_load_only) */
	int err[DOCTOR_PROG_COUNT];   /* -errno of the failed step, 0 when it worked */
	bool tp_load_only;	      /* tracefs absent: the tracepoint was loaded, not attached */
	bool ringbuf;
	int ringbuf_err;
};

/*
 * Try each program type by loading and attaching one trivial program of it, alone, and the
 * ring buffer by creating and mapping one; nothing stays loaded. btf_path: kernel BTF for CO-RE
 * (NULL: the running kernel's). tracefs: whether tracefs is mounted. 0 or -errno when the probe
 * object cannot be opened at all.
 */
int doctor_bpf_probe(const char *btf_path, bool tracefs, struct doctor_bpf *out);

enum doctor_runtime {
	RT_DOCKER,
	RT_PODMAN,
	RT_CONTAINERD,
	RT_CRIO,
	RT_RUNC,
	RT_CRUN,
	RT_RUNSC,
	RT_LXC,
	RT_NSPAWN,
	RT_KUBELET,
	RT_COUNT,
};

enum doctor_answer {
	DOCTOR_NO = 0,
	DOCTOR_YES,
	DOCTOR_REFUSES, /* the runtime does not run containers here at all */
};

/* A runtime's name as the report and JSON give it ("docker", "cri-o", ...). */
const char *doctor_runtime_name(enum doctor_runtime rt);

/*
 * Pure: will containers of runtime rt, configured with cgroup driver ("systemd", "cgroupfs"),
 * have a cgroup v2 id of their own on a host in mode? oci is the OCI runtime a manager runs
 * ("runc", "crun"; podman only, NULL for the default). why gets one sentence.
 */
enum doctor_answer doctor_verdict(enum cgroup_mode mode, enum doctor_runtime rt, const char *driver,
				  bool systemd_pid1, const char *oci, char *why, size_t size);

struct doctor_runtime_info {
	enum doctor_runtime rt;
	char path[PATH_MAX];
	char version[64];
	char driver[32];		/* "systemd" or "cgroupfs" */
	char driver_src[PATH_MAX + 32]; /* the file that set it, or "default" */
	char note[256];			/* a configuration file that could not be read, or "" */
	char oci[32];			/* podman: the OCI runtime it runs */
	enum doctor_answer own_v2;
	char why[256];
};

struct doctor_report {
	char kernel[128];
	char btf_path[PATH_MAX];
	bool btf;
	struct doctor_bpf bpf;
	bool bpf_probed; /* false when the probe object could not be opened */
	bool root, cap_bpf, cap_perfmon, cap_sys_admin;
	int unpriv_bpf;	     /* kernel.unprivileged_bpf_disabled, -1 unknown */
	char lockdown[32];   /* "" when unknown */
	bool securityfs;     /* securityfs is mounted (else lockdown cannot be read) */
	char tracefs[64];    /* where tracefs is mounted, "" when it is not */
	bool tracefs_denied; /* /sys/kernel/tracing could not be looked into */
	struct cgroup_layout cg;
	char controllers[256];
	bool psi;
	bool systemd;
	struct doctor_runtime_info rt[RT_COUNT];
	int nrt;
	char strategy[16];
	char advice[8][320];
	int nadvice;
	bool works;
	char problem[256]; /* why tracing will not work, "" when it will */
};

/*
 * Pure: from the gathered facts (mode, runtimes with verdicts, privileges, BPF) decide the
 * --by strategy, the advice and whether tracing works.
 */
void doctor_conclude(struct doctor_report *r);

/* The report for people and for scripts (one JSON object and a newline). */
void doctor_report_text(const struct doctor_report *r, struct strbuf *b);
void doctor_report_json(const struct doctor_report *r, struct strbuf *b);

#endif
