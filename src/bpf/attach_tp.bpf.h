/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tracepoint attach mode: one program per traced system call at its
 * syscalls:sys_exit_* tracepoint, its arguments from the task's saved registers. Included by
 * copenclose.bpf.c.
 */

static __always_inline void read_path(struct scratch *s, const char *upath)
{
	s->ev.status |= read_path_to(s, upath, s->ev.ret, &s->ev.tail_len);
}

/* The arguments at the kernel's widths (int dfd, int flags, umode_t mode): a caller's garbage in
   the registers' upper bits is not part of the call. */
static __always_inline void set_open(struct scratch *s, int dfd, __u64 flags, __u32 mode)
{
	s->ev.flags = flags;
	if (flags & (CC_O_CREAT | CC_O_TMPFILE)) {
		s->ev.mode = mode;
		s->ev.status |= CC_ST_HAS_MODE;
	}
	if (dfd != AT_FDCWD) {
		s->ev.dirfd = dfd;
		s->ev.status |= CC_ST_HAS_DIRFD;
	}
	if (s->ev.ret >= 0)
		s->ev.fd = s->ev.ret;
}

static __always_inline int tp_open(__u32 slot, long ret)
{
	HOOK_HIT(exit_open);
	struct pt_regs *regs;
	struct scratch *s = begin_open(slot, CC_SYS_OPEN, ret, &regs, 1);

	if (!s)
		return 0;
	set_open(s, AT_FDCWD, (__u32)SYSARG(regs, 2), (__u16)SYSARG(regs, 3));
	finish_open(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return tp_open(SLOT_TP_OPEN, ctx->ret);
}

/* creat(2) is open(2) with O_WRONLY|O_CREAT|O_TRUNC (the kernel's sys_creat calls the same
   open): the traced calls have no creat of their own, so it is reported as the open it is, and
   -e open selects it. x86_64's table has it; arm64's generic one does not. */
static __always_inline int tp_creat(__u32 slot, long ret)
{
	HOOK_HIT(exit_creat);
	struct pt_regs *regs;
	struct scratch *s = begin_open(slot, CC_SYS_OPEN, ret, &regs, 1);

	if (!s)
		return 0;
	set_open(s, AT_FDCWD, CC_CREAT_FLAGS, (__u16)SYSARG(regs, 2));
	finish_open(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_creat")
int exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return tp_creat(SLOT_TP_CREAT, ctx->ret);
}

static __always_inline int tp_openat(__u32 slot, long ret)
{
	HOOK_HIT(exit_openat);
	struct pt_regs *regs;
	struct scratch *s = begin_open(slot, CC_SYS_OPENAT, ret, &regs, 2);

	if (!s)
		return 0;
	set_open(s, (int)SYSARG(regs, 1), (__u32)SYSARG(regs, 3), (__u16)SYSARG(regs, 4));
	finish_open(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return tp_openat(SLOT_TP_OPENAT, ctx->ret);
}

static __always_inline int tp_openat2(__u32 slot, long ret)
{
	HOOK_HIT(exit_openat2);
	struct pt_regs *regs;
	struct scratch *s = begin_open(slot, CC_SYS_OPENAT2, ret, &regs, 2);
	struct open_how how = {};

	if (!s)
		return 0;
	/* struct open_how's fields are 64 bits wide: the kernel refuses any it does not know */
	if (bpf_probe_read_user(&how, sizeof(how), (void *)SYSARG(regs, 3))) {
		how.flags = how.mode = how.resolve = 0;
		s->ev.status |= CC_ST_HOW_UNREADABLE;
	}
	set_open(s, (int)SYSARG(regs, 1), how.flags, (__u32)how.mode);
	s->ev.resolve = how.resolve;
	finish_open(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return tp_openat2(SLOT_TP_OPENAT2, ctx->ret);
}

static __always_inline int tp_close(__u32 slot, long ret)
{
	HOOK_HIT(exit_close);
	struct pt_regs *regs;
	struct scratch *s = begin(slot, CC_SYS_CLOSE, ret, &regs);

	if (!s)
		return 0;
	s->ev.fd = (int)SYSARG(regs, 1); /* close(unsigned int fd) */
	finish(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_close")
int exit_close(struct trace_event_raw_sys_exit *ctx)
{
	return tp_close(SLOT_TP_CLOSE, ctx->ret);
}

/* Copy a struct sockaddr of the given length from user memory into the tail. */
static __always_inline void read_uaddr(struct scratch *s, const void *uaddr, long len)
{
	if (!uaddr || len <= 0) {
		s->ev.status |= CC_ST_TAIL_UNREADABLE;
		return;
	}
	if (len > CC_ADDR_MAX)
		len = CC_ADDR_MAX;
	if (bpf_probe_read_user(s->tail, len & (CC_ADDR_MAX * 2 - 1), uaddr)) {
		s->ev.status |= CC_ST_TAIL_UNREADABLE;
		return;
	}
	s->ev.tail_len = len;
}

static __always_inline int tp_connect(__u32 slot, long ret)
{
	HOOK_HIT(exit_connect);
	struct pt_regs *regs;
	struct scratch *s = begin(slot, CC_SYS_CONNECT, ret, &regs);

	if (!s)
		return 0;
	s->ev.fd = (int)SYSARG(regs, 1);
	read_uaddr(s, (const void *)SYSARG(regs, 2), (int)SYSARG(regs, 3));
	finish(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	return tp_connect(SLOT_TP_CONNECT, ctx->ret);
}

/*
 * The peer of an accepted socket, read from the socket itself. The caller's buffer is not read:
 * at exit *addrlen holds the address's whole size, not the buffer's (a buffer smaller than the
 * address would be read past its end), the caller's size is gone unless an entry program kept
 * it (a second program run per accept), and the caller may rewrite its buffer meanwhile. The
 * socket's own address is exact and its reads are bounded.
 */
static __always_inline void read_peer_file(struct scratch *s, struct file *file)
{
	struct socket *sock;
	struct sock_common *sk;
	__u16 family;

	/* another thread may have closed the fd and opened something else there since */
	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & CC_S_IFMT) != CC_S_IFSOCK)
		goto unreadable;
	sock = BPF_CORE_READ(file, private_data);
	sk = (struct sock_common *)BPF_CORE_READ(sock, sk);
	if (!sk)
		goto unreadable;
	family = BPF_CORE_READ(sk, skc_family);
	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)s->tail;

		in->sin_family = AF_INET;
		in->sin_port = BPF_CORE_READ(sk, skc_dport);
		in->sin_addr.s_addr = BPF_CORE_READ(sk, skc_daddr);
		s->ev.tail_len = sizeof(*in);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)s->tail;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = BPF_CORE_READ(sk, skc_dport);
		in6->sin6_flowinfo = 0;
		in6->sin6_scope_id = 0;
		BPF_CORE_READ_INTO(&in6->sin6_addr, sk, skc_v6_daddr);
		s->ev.tail_len = sizeof(*in6);
	} else {
		*(__u16 *)s->tail = family; /* unix peers of accept are unnamed in practice */
		s->ev.tail_len = sizeof(__u16);
	}
	return;
unreadable:
	s->ev.status |= CC_ST_TAIL_UNREADABLE;
}

/* The peer of the socket at fd in the current task's table. */
static __always_inline void read_peer(struct scratch *s, int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd >= 0 && (unsigned int)fd < BPF_CORE_READ(fdt, max_fds))
		bpf_core_read(&file, sizeof(file), &fds[fd]);
	read_peer_file(s, file);
}

static __always_inline int tp_accept(__u32 slot, enum cc_syscall sc, long ret)
{
	if (sc == CC_SYS_ACCEPT)
		HOOK_HIT(exit_accept);
	else
		HOOK_HIT(exit_accept4);
	struct pt_regs *regs;
	struct scratch *s = begin(slot, sc, ret, &regs);

	if (!s)
		return 0;
	if (sc == CC_SYS_ACCEPT4)
		s->ev.flags = (__u32)SYSARG(regs, 4); /* int flags */
	if (ret >= 0) {
		s->ev.fd = ret;
		read_peer(s, ret);
	}
	finish(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return tp_accept(SLOT_TP_ACCEPT, CC_SYS_ACCEPT, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return tp_accept(SLOT_TP_ACCEPT4, CC_SYS_ACCEPT4, ctx->ret);
}
