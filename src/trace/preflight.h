/* Checks of the environment before loading: privileges, kernel BTF, tracefs, host namespaces. */
#ifndef CC_PREFLIGHT_H
#define CC_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/types.h>

/* Capabilities newer than some libc headers (Linux 5.8). */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* The inode number of the initial pid namespace, fixed by the kernel (PROC_PID_INIT_INO). */
#define PREFLIGHT_INIT_PIDNS_INO 0xEFFFFFFCu

/* Namespace inode numbers of the host (trace/hostns.h reads them). */
struct host_ns {
	uint32_t pidns;
	uint32_t mntns;
	uint32_t utsns;
};

/*
 * -EPERM when this process was started for secure execution (setuid, setgid, file capabilities,
 * an LSM transition: getauxval(AT_SECURE)) or runs with real and effective ids apart, else 0.
 * A tracer that reads every process's calls must not be a privilege boundary for its caller.
 */
int preflight_secure_exec(void);
/* Whether caps (from cap_get_proc(), may be NULL) has cap in its effective set. */
int preflight_has_cap(cap_t caps, int cap);
/* 0 when the process holds what loading needs (root, or CAP_BPF and CAP_PERFMON), else -EPERM. */
int preflight_privileges(void);
/*
 * Whether bpf() and perf_event_open() reach the kernel: each is called with arguments the kernel
 * itself refuses with EINVAL or EFAULT, so EPERM is a filter's answer (a container runtime's
 * seccomp profile). 0, or -EPERM with *call naming the first refused ("bpf", "perf_event_open");
 * *seccomp is 1 when a seccomp filter is installed on this process.
 */
int preflight_syscalls(const char **call, int *seccomp);
/* 0 when a BTF file is at path (a BTF magic number), -ENOENT when missing or not BTF. */
int preflight_btf(const char *path);
/*
 * Make sure tracefs holds the syscall tracepoints: mounts it on /sys/kernel/tracing when it is
 * not mounted. 0 (mounted set when this call mounted it), -ENOENT when the kernel has no syscall
 * tracepoints, -EACCES when it is mounted but this process may not enter it (dir names it), or
 * -errno of the failed mount.
 */
int preflight_tracefs(char *dir, size_t size, int *mounted);

/* The identity the tracer takes once attached: nobody's. */
#define PREFLIGHT_USER_UID 65534
#define PREFLIGHT_USER_GID 65534

/* What the drop left the process with, to tell when it did not go as planned. */
struct preflight_dropped {
	uid_t uid; /* effective uid and gid at the end */
	gid_t gid;
	int kept_dac_read_search; /* 1: that capability kept; 0: no capability at all */
	int kept_bpf;		  /* 1: CAP_BPF kept too (asked for, and held) */
	int bounding_reduced;	  /* 1: the bounding set holds CAP_DAC_READ_SEARCH at most */
	int other_caps;		  /* 1: another capability is still held (never expected) */
};

/*
 * Once the programs are attached, before any runtime state or cgroup name is read: lock the
 * securebits (no capabilities regained by uid 0, none lost or kept by a uid change but as set
 * here), become uid and gid with no supplementary groups, keep only CAP_DAC_READ_SEARCH
 * (open_by_handle_at, and reading the runtimes' root-only state) in the permitted, effective
 * and bounding sets (with keep_bpf, CAP_BPF too in the permitted and effective sets: where the
 * kernel refuses every bpf() command without it, preflight_bpf_needs_cap), and set no_new_privs.
 * Each step is tried whatever failed before it. Where CAP_DAC_READ_SEARCH cannot be kept (not in
 * the bounding or permitted set) no capability is kept; without CAP_SETPCAP the securebits and the
 * bounding set stay as they were (nothing can be regained: no_new_privs, no capability held);
 * without CAP_SETUID or CAP_SETGID the ids stay. *left says what remains. 0, or the first -errno.
 */
int preflight_drop_privileges(uid_t uid, gid_t gid, int keep_bpf, struct preflight_dropped *left);

/*
 * Whether this kernel refuses bpf() commands on objects already held (reading a map, a
 * program's statistics) to a process without CAP_BPF or CAP_SYS_ADMIN: kernels before 5.19 do,
 * every command, while unprivileged BPF is disabled (kernel.unprivileged_bpf_disabled, which
 * Debian sets); later ones refuse only making maps and loading programs. Tried on map_fd with
 * the effective set emptied for that one call (then raised again). 1 when refused, 0 when not,
 * -errno when the capabilities could not be changed.
 */
int preflight_bpf_needs_cap(int map_fd);

#endif
