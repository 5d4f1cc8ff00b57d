/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --compat: 32-bit system calls (on x86_64 a 32-bit program, or int 0x80 from a 64-bit one; on
 * arm64 an AArch32 program) fire no syscalls:sys_exit_* tracepoint, so in the tracepoint mode
 * they are seen only through raw_syscalls:sys_exit, which runs on every system call of the
 * machine: off unless asked for. The first test (is a 32-bit call running?) is all an ordinary
 * call pays. The numbers and registers are the architecture's (arch.bpf.h). Included by
 * copenclose.bpf.c.
 */

enum {
	SOCKETCALL_CONNECT = 3,
};

/* The arguments of a socketcall(2), which ia32 programs use for connect and accept. */
static __always_inline int socketcall_args(struct pt_regs *regs, __u32 *args, int n)
{
	return bpf_probe_read_user(args, n * sizeof(__u32),
				   (void *)(unsigned long)compat_arg(regs, 1));
}

static __always_inline void compat_open(struct scratch *s, struct pt_regs *regs, long nr)
{
	__u32 a0 = compat_arg(regs, 0), a1 = compat_arg(regs, 1), a2 = compat_arg(regs, 2),
	      a3 = compat_arg(regs, 3);

	if (nr == NR32_OPEN) {
		read_path(s, (const char *)(unsigned long)a0);
		set_open(s, AT_FDCWD, a1, a2);
	} else if (nr == NR32_CREAT) { /* open with O_WRONLY|O_CREAT|O_TRUNC: attach_tp.bpf.h */
		read_path(s, (const char *)(unsigned long)a0);
		set_open(s, AT_FDCWD, CC_CREAT_FLAGS, a1);
	} else if (nr == NR32_OPENAT) {
		read_path(s, (const char *)(unsigned long)a1);
		set_open(s, (int)a0, a2, a3);
	} else {
		struct open_how how = {};

		read_path(s, (const char *)(unsigned long)a1);
		if (bpf_probe_read_user(&how, sizeof(how), (void *)(unsigned long)a2))
			s->ev.status |= CC_ST_HOW_UNREADABLE;
		set_open(s, (int)a0, how.flags, how.mode);
		s->ev.resolve = how.resolve;
	}
}

/* connect or accept4 through their own numbers or socketcall: fd, address, length, flags. */
static __always_inline void compat_sock(struct scratch *s, struct pt_regs *regs, long nr, long ret)
{
	__u32 a[4] = {compat_arg(regs, 0), compat_arg(regs, 1), compat_arg(regs, 2),
		      compat_arg(regs, 3)};

#ifdef NR32_SOCKETCALL
	if (nr == NR32_SOCKETCALL && socketcall_args(regs, a, 4)) {
		s->ev.status |= CC_ST_TAIL_UNREADABLE;
		return;
	}
#endif
	if (s->ev.syscall == CC_SYS_CONNECT) {
		s->ev.fd = (int)a[0];
		read_uaddr(s, (const void *)(unsigned long)a[1], (int)a[2]);
		return;
	}
	if (s->ev.syscall == CC_SYS_ACCEPT4)
		s->ev.flags = a[3];
	if (ret < 0)
		return;
	s->ev.fd = ret;
	read_peer(s, ret); /* never the caller's buffer: see read_peer_file */
}

/* Which traced call a 32-bit system call number (and socketcall's first argument) is. */
static __always_inline int compat_syscall(struct pt_regs *regs, long nr)
{
	switch (nr) {
	case NR32_OPEN:
	case NR32_CREAT:
		return CC_SYS_OPEN;
	case NR32_OPENAT:
		return CC_SYS_OPENAT;
	case NR_OPENAT2:
		return CC_SYS_OPENAT2;
	case NR32_CLOSE:
		return CC_SYS_CLOSE;
	case NR32_CONNECT:
		return CC_SYS_CONNECT;
	case NR32_ACCEPT4:
		return CC_SYS_ACCEPT4;
#ifdef NR32_ACCEPT
	case NR32_ACCEPT:
		return CC_SYS_ACCEPT;
#endif
#ifdef NR32_SOCKETCALL
	case NR32_SOCKETCALL:
		switch (compat_arg(regs, 0)) {
		case SOCKETCALL_CONNECT:
			return CC_SYS_CONNECT;
		case SOCKETCALL_ACCEPT:
			return CC_SYS_ACCEPT;
		case SOCKETCALL_ACCEPT4:
			return CC_SYS_ACCEPT4;
		}
#endif
	}
	return -1;
}

SEC("raw_tp/sys_exit")
int compat_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs, *uregs;
	struct scratch *s;
	long nr, ret;
	int sc;

	if (HAVE_TASK_REGS) {
		struct task_struct *t = bpf_get_current_task_btf();

		if (!in_ia32(t))
			return 0;
		uregs = (struct pt_regs *)bpf_task_pt_regs(t);
	} else {
		/* before 5.15: the raw tracepoint's own pt_regs, read with probe reads */
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();

		if (!in_ia32_core(t))
			return 0;
		uregs = (struct pt_regs *)ctx->args[0];
	}
	nr = regs_nr(uregs);
	sc = compat_syscall(uregs, nr);
	if (sc < 0 || !(targ_syscalls & (1u << sc)))
		return 0;
	ret = (long)ctx->args[1];
	s = begin(SLOT_TP_COMPAT, sc, ret, &regs);
	if (!s)
		return 0;
	s->ev.via = CC_VIA_IA32;
	if (sc == CC_SYS_OPEN || sc == CC_SYS_OPENAT || sc == CC_SYS_OPENAT2)
		compat_open(s, regs, nr);
	else if (sc == CC_SYS_CLOSE)
		s->ev.fd = (int)compat_arg(regs, 0);
	else
		compat_sock(s, regs, nr, ret);
	finish(s);
	return 0;
}
