/* doctor's verdicts: which runtimes give containers a v2 cgroup, which --by works, what to change.
 */
#ifndef CC_DOCTOR_VERDICT_H
#define CC_DOCTOR_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/doctor_report.h"

/*
 * Pure: will containers of runtime rt, configured with cgroup driver ("systemd", "cgroupfs"),
 * have a cgroup v2 id of their own on a host in mode? oci is the OCI runtime a manager runs
 * ("runc", "crun"; podman only, NULL for the default). why gets one sentence.
 */
enum doctor_answer doctor_verdict(enum cgroup_mode mode, enum doctor_runtime rt, const char *driver,
				  bool systemd_pid1, const char *oci, char *why, size_t size);

/*
 * Pure: the preemption model from the kernel's version string (uname -v: "PREEMPT_RT",
 * "PREEMPT_DYNAMIC", "PREEMPT") and, where debugfs shows it, /sys/kernel/debug/sched/preempt
 * ("none voluntary (full) lazy": the bracketed word is the mode; NULL when unread). Sets mode;
 * 1 when BPF programs can be preempted there (full, lazy, rt), 0 when not, -1 when unknown.
 */
int doctor_preemption(const char *version, const char *sched_preempt, char *mode, size_t size);

/*
 * Pure: from the gathered facts (mode, runtimes and their drivers, privileges, BPF) give each
 * runtime its verdict, then decide the --by strategy, the advice and whether tracing works.
 */
void doctor_conclude(struct doctor_report *r);

#endif
