/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the architectures copenclose builds for (clang -D__TARGET_ARCH_x86 or
 * -D__TARGET_ARCH_arm64, with that architecture's vmlinux.h): system call numbers, the saved
 * registers a system call's arguments and number are read from, how a task shows it is making
 * 32-bit calls, and the flag 64-bit kernels add to every open. The arguments of a native call go
 * through libbpf's PT_REGS_PARM*_SYSCALL, which knows each architecture. Included by
 * copenclose.bpf.c.
 *
 * 32-bit calls: on x86_64 an ia32 program (or int 0x80 from a 64-bit one) makes them, and the
 * running call is marked TS_COMPAT in thread_info.status. On arm64 an AArch32 program makes
 * them (where the kernel has CONFIG_COMPAT and the CPU runs AArch32 at EL0); the whole task is
 * marked TIF_32BIT in thread_info.flags, and a 64-bit task cannot make a 32-bit call. In both,
 * the syscalls:sys_exit_* tracepoints skip 32-bit calls (ARCH_TRACE_IGNORE_COMPAT_SYSCALLS), so
 * the tracepoint mode sees them through raw_syscalls:sys_exit (--compat).
 */

#if defined(__TARGET_ARCH_x86)

/* x86_64's own numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
#define NR64_OPEN    2
#define NR64_CREAT   85
#define NR64_OPENAT  257
#define NR64_CLOSE   3
#define NR64_CONNECT 42
#define NR64_ACCEPT  43
#define NR64_ACCEPT4 288
/* ia32's (syscall_32.tbl): accept only through socketcall */
#define NR32_OPEN	5
#define NR32_CREAT	8
#define NR32_CLOSE	6
#define NR32_SOCKETCALL 102
#define NR32_OPENAT	295
#define NR32_CONNECT	362
#define NR32_ACCEPT4	364
#define CC_TS_COMPAT	0x0002	/* thread_info.status: a 32-bit system call is running */
#define CC_O_LARGEFILE	0100000 /* what 64-bit kernels add to an open's flags */
/* The close system call's function (fexit), and its ia32 entry's apart. */
#define CC_SYS_CLOSE_FN	 "__x64_sys_close"
#define CC_IA32_CLOSE_FN "__ia32_sys_close"

/* Whether the current system call of t is a 32-bit one; t is the BTF task (a direct load). */
static __always_inline bool in_ia32(struct task_struct *t)
{
	return t->thread_info.status & CC_TS_COMPAT;
}

/* The same through a pointer that is not BTF's (before 5.11). */
static __always_inline bool in_ia32_core(struct task_struct *t)
{
	return BPF_CORE_READ(t, thread_info.status) & CC_TS_COMPAT;
}

/* The number of the system call running, from its saved registers. */
static __always_inline long regs_nr(const struct pt_regs *regs)
{
	return HAVE_TASK_REGS ? regs->orig_ax : BPF_CORE_READ(regs, orig_ax);
}

/* Argument n (0 to 3) of a 32-bit system call, from its saved registers (ebx, ecx, edx, esi). */
static __always_inline __u32 compat_arg(const struct pt_regs *regs, int n)
{
	if (!HAVE_TASK_REGS) /* before 5.15: not a BTF pointer */
		return n == 0	? BPF_CORE_READ(regs, bx)
		       : n == 1 ? BPF_CORE_READ(regs, cx)
		       : n == 2 ? BPF_CORE_READ(regs, dx)
				: BPF_CORE_READ(regs, si);
	return n == 0 ? regs->bx : n == 1 ? regs->cx : n == 2 ? regs->dx : regs->si;
}

/* The first argument of a 32-bit close, through a pointer that is not the task's (fexit). */
#define COMPAT_ARG0_CORE(regs) BPF_CORE_READ(regs, bx)

#elif defined(__TARGET_ARCH_arm64)

/* arm64's own numbers (the generic table, include/uapi/asm-generic/unistd.h): no open(2), no
   creat(2) */
#define NR64_OPENAT	56
#define NR64_CLOSE	57
#define NR64_CONNECT	203
#define NR64_ACCEPT	202
#define NR64_ACCEPT4	242
/* AArch32's (arch/arm64/include/asm/unistd32.h): no socketcall, accept has its own number */
#define NR32_OPEN	5
#define NR32_CREAT	8
#define NR32_CLOSE	6
#define NR32_CONNECT	283
#define NR32_ACCEPT	285
#define NR32_OPENAT	322
#define NR32_ACCEPT4	366
#define CC_TIF_32BIT	22	/* thread_info.flags: an AArch32 task */
#define CC_O_LARGEFILE	0400000 /* arm64 and arm: 0100000 is O_NOFOLLOW there */
/* Both the AArch64 and the AArch32 tables call this one for close. */
#define CC_SYS_CLOSE_FN "__arm64_sys_close"

static __always_inline bool in_ia32(struct task_struct *t)
{
	return t->thread_info.flags & (1ul << CC_TIF_32BIT);
}

static __always_inline bool in_ia32_core(struct task_struct *t)
{
	return BPF_CORE_READ(t, thread_info.flags) & (1ul << CC_TIF_32BIT);
}

static __always_inline long regs_nr(const struct pt_regs *regs)
{
	return HAVE_TASK_REGS ? regs->syscallno : BPF_CORE_READ(regs, syscallno);
}

/* AArch32's r0 to r3 are x0 to x3; x0 holds the result once the call returns, so the first
   argument is the kept copy, orig_x0. */
static __always_inline __u32 compat_arg(const struct pt_regs *regs, int n)
{
	if (!HAVE_TASK_REGS)
		return n == 0 ? BPF_CORE_READ(regs, orig_x0) : BPF_CORE_READ(regs, regs[n]);
	return n == 0 ? regs->orig_x0 : regs->regs[n];
}

#define COMPAT_ARG0_CORE(regs) BPF_CORE_READ(regs, orig_x0)

#else
#error "copenclose's BPF programs are built for x86 and arm64: -D__TARGET_ARCH_x86 or _arm64"
#endif

/* The same number in every table copenclose reads. */
#define NR_OPENAT2 437
