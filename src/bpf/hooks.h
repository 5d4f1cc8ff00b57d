/*
 * The programs the attach self-check exercises (trace/selfcheck.c), one counter each: both sides
 * compile this list, the kernel side to count a program's runs for the checking thread, user
 * space to name them. Every program that makes events and that the tracer cannot do without is
 * here: the tracepoint mode's, and the fentry mode's that are not optional (io_uring's and the
 * 32-bit close are not exercised: a blind spot there is said by attach.c and optional.c).
 */
#ifndef CC_HOOKS_H
#define CC_HOOKS_H

#define CC_HOOKS_LIST(X)                                                                           \
	X(exit_open)                                                                               \
	X(exit_creat)                                                                              \
	X(exit_openat)                                                                             \
	X(exit_openat2)                                                                            \
	X(exit_close)                                                                              \
	X(exit_connect)                                                                            \
	X(exit_accept)                                                                             \
	X(exit_accept4)                                                                            \
	X(fe_sys_openat2)                                                                          \
	X(fx_filp_open)                                                                            \
	X(fx_sys_openat2)                                                                          \
	X(fe_fd_install)                                                                           \
	X(fe_sys_accept4)                                                                          \
	X(fx_do_accept)                                                                            \
	X(fx_sys_accept4)                                                                          \
	X(fx_sys_close)                                                                            \
	X(fe_sys_connect)                                                                          \
	X(fx_connect_file)                                                                         \
	X(fx_sys_connect)

#define CC_HOOK_ENUM(name) CC_HOOK_##name,
enum cc_hook { CC_HOOKS_LIST(CC_HOOK_ENUM) CC_HOOKS };
#undef CC_HOOK_ENUM

#endif
