/* The doctor report: plain data that the probes, config readers and verdict fill, then written. */
#ifndef CC_DOCTOR_REPORT_H
#define CC_DOCTOR_REPORT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "enrich/cgroup.h"
#include "format/strbuf.h"

/* The kernel BTF doctor checks when not told another. */
#define DOCTOR_DEFAULT_BTF "/sys/kernel/btf/vmlinux"

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

/* A program type's name as the report and JSON give it ("tracepoint", "tp_btf", ...). */
const char *doctor_prog_name(enum doctor_prog p);

struct doctor_bpf {
	bool prog[DOCTOR_PROG_COUNT]; /* loaded and attached (tracepoint: see tp_load_only) */
	int err[DOCTOR_PROG_COUNT];   /* -errno of the failed step, 0 when it worked */
	bool tp_load_only;	      /* tracefs absent: the tracepoint was loaded, not attached */
	bool ringbuf;
	int ringbuf_err;
};

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
	/* the tracer's own object tried in its fentry mode (attach_trial) */
	bool fentry_tried;
	int fentry_err; /* 0 when it loaded and attached */
	char fentry_why[160];
	char fentry_blind[160]; /* optional functions this kernel lacks */
	/* and in its tracepoint mode, where --attach auto gets that one: the self-check's verdict
	 */
	bool tp_tried;
	int tp_err; /* 0 when it loaded, attached and every program ran */
	char tp_why[256];
	bool root, cap_bpf, cap_perfmon, cap_sys_admin;
	int unpriv_bpf;	     /* kernel.unprivileged_bpf_disabled, -1 unknown */
	char lockdown[32];   /* "" when unknown */
	bool securityfs;     /* securityfs is mounted (else lockdown cannot be read) */
	char tracefs[64];    /* where tracefs is mounted, "" when it is not */
	char preempt[32];    /* the preemption model: "none", "voluntary", "full", "lazy", "rt" */
	int bpf_preemptible; /* BPF programs can be preempted: 1, 0, -1 unknown */
	bool tracefs_denied; /* /sys/kernel/tracing could not be looked into */
	int ftrace_direct;   /* BPF trampolines attach to kernel functions: 1, 0, -1 unknown */
	struct cgroup_layout cg;
	char controllers[256];
	bool psi;
	bool systemd;
	bool kata; /* Kata Containers' state or shim found (kata_seen): say what a tracer sees */
	/* rootless podman: looked for (as root, podman installed), its users running it now (their
	   pause process or a container: rootless_running) and their containers */
	bool rootless_looked;
	unsigned rootless_uid[8];
	int rootless_ctrs[8];
	int rootless_unnamed[8]; /* of them run by a conmon whose state is not found or trusted */
	int nrootless;
	bool rootless_more; /* more users than fit */
	struct doctor_runtime_info rt[RT_COUNT];
	int nrt;
	char strategy[16];
	char attach[16];       /* the tracer's --attach auto choice: "fentry" or "tracepoint" */
	char attach_why[256];  /* why that mode */
	char blind_spots[320]; /* what that mode does not see */
	char advice[8][320];
	int nadvice;
	bool works;
	char problem[256]; /* why tracing will not work, "" when it will */
};

/* Pure: the finished report for people and for scripts (one JSON object and a newline). */
void doctor_report_text(const struct doctor_report *r, struct strbuf *b);
void doctor_report_json(const struct doctor_report *r, struct strbuf *b);

#endif
