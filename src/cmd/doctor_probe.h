/* doctor's probes of the kernel: BPF program types, privileges, lockdown, tracefs, cgroups. */
#ifndef CC_DOCTOR_PROBE_H
#define CC_DOCTOR_PROBE_H

#include <stdbool.h>

#include "cmd/doctor_report.h"

/*
 * Try each program type by loading and attaching one trivial program of it, alone, and the
 * ring buffer by creating and mapping one; nothing stays loaded. btf_path: kernel BTF for CO-RE
 * (NULL: the running kernel's). tracefs: whether tracefs is mounted. 0 or -errno when the probe
 * object cannot be opened at all.
 */
int doctor_bpf_probe(const char *btf_path, bool tracefs, struct doctor_bpf *out);

/*
 * Into r: kernel release, BTF (btf, NULL for DOCTOR_DEFAULT_BTF), privileges, the unprivileged
 * BPF sysctl, lockdown and tracefs. Facts it cannot learn stay unknown; it never fails.
 */
void doctor_probe_kernel(struct doctor_report *r, const char *btf);

/* Into r: the cgroup layout, the v2 controllers, PSI and whether systemd is PID 1. */
void doctor_probe_cgroups(struct doctor_report *r);

#endif
