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
/* 0 when a BTF file is at path (a BTF magic number), -ENOENT when missing or not BTF. */
int preflight_btf(const char *path);
/*
 * Make sure tracefs holds the syscall tracepoints: mounts it on /sys/kernel/tracing when it is
 * not mounted. 0 (mounted set when this call mounted it), -ENOENT when the kernel has no syscall
 * tracepoints, or -errno of the failed mount.
 */
int preflight_tracefs(char *dir, size_t size, int *mounted);

/* The identity the tracer takes once attached: nobody's. */
#define PREFLIGHT_USER_UID 65534
#define PREFLIGHT_USER_GID 65534

/*
 * Once the programs are attached, before any runtime state or cgroup name is read: lock the
 * securebits (no capabilities regained by uid 0, none lost or kept by a uid change but as set
 * here), become uid and gid with no supplementary groups, keep only CAP_DAC_READ_SEARCH
 * (open_by_handle_at, and reading the runtimes' root-only state) in the permitted, effective
 * and bounding sets, and set no_new_privs. Whatever fails, the capabilities are still reduced.
 * 0, or the first -errno.
 */
int preflight_drop_privileges(uid_t uid, gid_t gid);

#endif
