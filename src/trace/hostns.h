/* The host's PID namespace check and the host's namespaces, read under a given /proc. */
#ifndef CC_HOSTNS_H
#define CC_HOSTNS_H

#include <stddef.h>
#include <sys/types.h>

#include "trace/preflight.h"

/* Where hostns_read found the host's namespaces. */
enum hostns_source {
	HOSTNS_PID1 = 1,    /* /proc/1/ns: the host's init */
	HOSTNS_KTHREADD = 2 /* /proc/2/ns: kthreadd, in the kernel's initial namespaces */
};

/*
 * The flags field (the 9th) of the text of a /proc/PID/stat file, NUL-terminated: 0, or -EINVAL
 * when the text is not shaped like one. The command name may hold spaces and parentheses.
 */
int hostns_stat_flags(const char *text, unsigned long *flags);
/* 1 when PID under proc is a kernel thread, 0 when it is not, -errno when it cannot be read. */
int hostns_is_kthread(const char *proc, pid_t pid);
/*
 * 0 when this process (self, its getpid()) runs in the kernel's initial PID namespace, whose
 * pids are the ones BPF programs see: proc's "self" is self (proc is our namespace's) and PID 2
 * there is a kernel thread (kernel threads are visible in the initial namespace only). -EXDEV
 * when it is another PID namespace (a container without --pid=host), -EACCES when proc shows
 * neither PID 1 nor PID 2 (hidepid), else -errno.
 */
int hostns_check_pidns(const char *proc, pid_t self);
/*
 * The host's namespace inums from proc/1/ns; where PID 1 hides them (not dumpable), from
 * kthreadd's proc/2/ns once PID 2 is checked to be a kernel thread, never from this process's
 * own. 0 and *source set, or -errno of PID 1's namespaces.
 */
int hostns_read(const char *proc, struct host_ns *ns, enum hostns_source *source);

#endif
