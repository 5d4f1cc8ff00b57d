/* The traced system calls: names, the exit tracepoint each program attaches to, -e list parsing. */
#ifndef CC_SYSCALLS_H
#define CC_SYSCALLS_H

#include "bpf/event.h"

#define SYSCALLS_ALL ((1u << CC_SYS_MAX) - 1)
/* The calls that make a descriptor: the open family, accept and accept4. */
#define SYSCALLS_MAKE_FD                                                                           \
	(1u << CC_SYS_OPEN | 1u << CC_SYS_OPENAT | 1u << CC_SYS_OPENAT2 | 1u << CC_SYS_ACCEPT |    \
	 1u << CC_SYS_ACCEPT4)

/* "openat" for CC_SYS_OPENAT; "?" for a number out of range. */
const char *syscalls_name(unsigned int sc);
/* The tracepoint under events/syscalls/ that the program for sc attaches to: "sys_exit_openat". */
const char *syscalls_tracepoint(unsigned int sc);
/* How a call reached the kernel: "syscall", "io_uring", "ia32" for enum cc_via; "?" otherwise. */
const char *syscalls_via_name(unsigned int via);
/* CC_SYS_* for a name, or -1. */
int syscalls_lookup(const char *name);
/*
 * A comma-separated list ("open,openat,close"; "all"; "open*" for the open family) into a
 * bit mask of CC_SYS_* bits; 0, or -EINVAL with the first bad name copied into bad.
 */
int syscalls_parse_list(const char *list, unsigned int *mask, char *bad, size_t bad_size);

#endif
