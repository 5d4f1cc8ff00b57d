/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fentry attach mode: programs on the kernel functions where descriptors are made and ended,
 * so that system calls copenclose does not watch cost nothing, and io_uring operations and 32-bit
 * calls are seen. Included by copenclose.bpf.c; every program here is off unless the tracer
 * chose this mode.
 *
 * A descriptor is made in two steps, in every path (system call, 32-bit call, io_uring): a
 * struct file is made (do_filp_open, do_accept), then installed in the table (fd_install). The
 * first step's exit remembers the file for the task; the second emits the event with the fd.
 * Paths are the kernel's own copy (struct filename), addresses the kernel's copy of the
 * sockaddr: nothing is read back from user memory that another thread may have rewritten.
 */

#define CC_PF_IO_WORKER	     0x00000010 /* task->flags: an io_uring worker or SQPOLL thread */
#define CC_EAGAIN	     11
#define CC_MAX_ERRNO	     4095
#define CC_EINPROGRESS	     115
#define CC_IORING_OP_OPENAT2 28 /* enum io_uring_op: the uapi's, fixed */

/* socketcall(2)'s call numbers (x86's ia32 calls; arm64's AArch32 has no socketcall) */
enum {
	SOCKETCALL_ACCEPT = 5,
	SOCKETCALL_ACCEPT4 = 18,
};

enum pend_kind {
	PEND_NONE = 0,
	PEND_OPEN,   /* inside an open or a connect system call (do_sys_openat2, __sys_connect) */
	PEND_ACCEPT, /* inside an accept system call (__sys_accept4) */
	PEND_URING,  /* inside an io_uring operation that makes a descriptor */
	PEND_DONE,   /* an open's exit went by (do_sys_openat2's, in one of its copies) */
};

/* What a task is doing between the steps above. */
struct pending {
	__u64 file; /* the struct file made, waiting for its fd */
	__u64 name; /* struct filename *, alive until after fd_install */
	__u64 flags;
	__u64 resolve;
	__u32 kind; /* enum pend_kind */
	__u32 sc;   /* enum cc_syscall */
	__u32 via;  /* enum cc_via */
	__u32 mode;
	__s32 dfd;
	__u32 emitted; /* the event of this call went out already */
	__u32 entries; /* the copies of fe_sys_openat2 that ran for this call: a bit each */
	__u32 exits;   /* the copies of fx_sys_openat2 that ran for this call: a bit each */
};

/* Kept with the task itself: a lookup is a pointer in the task, where a hash keyed by tid took
 * a bucket lock and an LRU list on every step (measured in bench/ATTACH.md); the kernel frees
 * it with the task. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending_map SEC(".maps");

/* The current task's pending step, or NULL when it has none. */
static __always_inline struct pending *pend_find(void)
{
	struct pending *p = bpf_task_storage_get(&pending_map, bpf_get_current_task_btf(), 0, 0);

	return p && p->kind != PEND_NONE ? p : NULL;
}

static __always_inline void pend_set(const struct pending *v)
{
	struct pending *p = bpf_task_storage_get(&pending_map, bpf_get_current_task_btf(), 0,
						 BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (p)
		*p = *v;
}

static __always_inline void pend_clear(void)
{
	struct pending *p = bpf_task_storage_get(&pending_map, bpf_get_current_task_btf(), 0, 0);

	if (p)
		p->kind = PEND_NONE;
}

/* io_uring requests in flight that need state across their retries, by request address. */
struct uring_req {
	__u32 sc;
	__s32 fd;
	__u32 addrlen;
	__u32 pad;
	char addr[CC_ADDR_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct uring_req);
} uring_reqs SEC(".maps");

/* The io_uring opcodes' own structs (in io_uring/), laid over io_kiocb's command area. */
struct io_open___cc {
	struct file *file;
	int dfd;
	__u32 file_slot;
	struct filename *filename;
	struct open_how how;
} __attribute__((preserve_access_index));

struct io_close___cc {
	struct file *file;
	int fd;
	__u32 file_slot;
} __attribute__((preserve_access_index));

static __always_inline bool is_err(const void *p)
{
	return (unsigned long)p >= (unsigned long)-CC_MAX_ERRNO;
}

static __always_inline struct task_struct *task_now(void)
{
	return bpf_get_current_task_btf();
}

static __always_inline bool in_uring_worker(struct task_struct *t)
{
	return t->flags & CC_PF_IO_WORKER;
}

static __always_inline __u32 tgid_now(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

static __always_inline long sys_nr(struct task_struct *t)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

	return regs ? regs_nr(regs) : -1;
}

/* Whether a system call number is open(2)'s or creat(2)'s, which is open(2) with
   O_WRONLY|O_CREAT|O_TRUNC and reported as one (arm64's own table has neither). */
static __always_inline bool is_open_nr(long nr, bool ia32)
{
#ifdef NR64_OPEN
	if (!ia32)
		return nr == NR64_OPEN || nr == NR64_CREAT;
#endif
	return ia32 && (nr == NR32_OPEN || nr == NR32_CREAT);
}

/* An event from a pending step: the filters run here, so a rejected task costs this much. */
static __always_inline struct scratch *begin_via(__u32 slot, enum cc_syscall sc, long ret,
						 __u32 via)
{
	struct pt_regs *regs;
	struct scratch *s = begin(slot, sc, ret, &regs);

	if (s)
		s->ev.via = via;
	return s;
}

static __always_inline void open_args(struct scratch *s, struct pending *p)
{
	set_open(s, p->dfd, p->flags, p->mode);
	s->ev.resolve = p->resolve;
}

/* The kernel's copy of the path, a struct filename's name. */
static __always_inline void read_kpath(struct scratch *s, const char *k)
{
	long n = k ? bpf_probe_read_kernel_str(s->tail, sizeof(s->tail), k) : -1;

	if (n <= 0) {
		s->ev.status |= CC_ST_TAIL_UNREADABLE;
		return;
	}
	s->ev.tail_len = n - 1;
}

#include "attach_fentry_open.bpf.h"

/* --- accepts ------------------------------------------------------------------------------ */

static __always_inline __u32 accept_sc(struct task_struct *t, bool ia32)
{
	long nr = sys_nr(t);

	if (!ia32)
		return nr == NR64_ACCEPT ? CC_SYS_ACCEPT : CC_SYS_ACCEPT4;
#ifdef NR32_ACCEPT
	if (nr == NR32_ACCEPT)
		return CC_SYS_ACCEPT;
#endif
#ifdef NR32_SOCKETCALL
	if (nr == NR32_SOCKETCALL) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

		return compat_arg(regs, 0) == SOCKETCALL_ACCEPT ? CC_SYS_ACCEPT : CC_SYS_ACCEPT4;
	}
#endif
	return CC_SYS_ACCEPT4;
}

SEC("fentry/__sys_accept4")
int BPF_PROG(fe_sys_accept4, int fd, void *upeer, int *upeer_len, int flags)
{
	HOOK_HIT(fe_sys_accept4);
	struct task_struct *t = task_now();
	struct pending p = {.kind = PEND_ACCEPT, .flags = (__u32)flags};

	p.via = in_ia32(t) ? CC_VIA_IA32 : CC_VIA_SYSCALL;
	p.sc = accept_sc(t, p.via == CC_VIA_IA32);
	if (!(targ_syscalls & (1u << p.sc)) || (drop_early(tgid_now(), -1)))
		return 0;
	pend_set(&p);
	return 0;
}

SEC("fexit/do_accept")
int BPF_PROG(fx_do_accept, struct file *file, void *arg, void *upeer, int *upeer_len, int flags,
	     struct file *ret)
{
	HOOK_HIT(fx_do_accept);
	struct pending *p = pend_find();
	struct scratch *s;

	if (!p || (p->kind != PEND_ACCEPT && p->kind != PEND_URING))
		return 0;
	if (p->kind == PEND_URING) {
		if (p->sc != CC_SYS_ACCEPT)
			return 0;
		/* every do_accept of an io_uring accept is a connection of its own: a multishot
		   accept takes one after another in one io_accept, each installed before the next
		 */
		p->file = 0;
		p->emitted = 0;
		p->flags = (__u32)flags;
		if (is_err(ret) && (long)ret == -CC_EAGAIN)
			return 0; /* io_uring waits for a connection and tries again */
	} else if (p->emitted || p->file) {
		return 0;
	}
	if (!is_err(ret)) {
		p->file = (__u64)ret;
		return 0;
	}
	p->emitted = 1;
	s = begin_via(SLOT_FX_DO_ACCEPT, p->sc, (long)ret, p->via);
	if (!s)
		return 0;
	if (p->sc == CC_SYS_ACCEPT4 || p->kind == PEND_URING)
		s->ev.flags = p->flags;
	finish(s);
	return 0;
}

SEC("fexit/__sys_accept4")
int BPF_PROG(fx_sys_accept4, int fd, void *upeer, int *upeer_len, int flags, int ret)
{
	HOOK_HIT(fx_sys_accept4);
	struct pending *p = pend_find();
	struct scratch *s;

	if (!p || p->kind != PEND_ACCEPT)
		return 0;
	if (!p->emitted && ret < 0 && (s = begin_via(SLOT_FX_SYS_ACCEPT4, p->sc, ret, p->via))) {
		if (p->sc == CC_SYS_ACCEPT4)
			s->ev.flags = p->flags;
		finish(s);
	}
	p->kind = PEND_NONE;
	return 0;
}

/* --- the second step: a made file gets its descriptor ---------------------------------------- */

SEC("fentry/fd_install")
int BPF_PROG(fe_fd_install, unsigned int fd, struct file *file)
{
	HOOK_HIT(fe_fd_install);
	struct pending *p = pend_find();
	struct scratch *s;

	if (!p || !p->file || p->file != (__u64)file || p->emitted)
		return 0;
	p->emitted = 1;
	s = begin_via(SLOT_FE_FD_INSTALL, p->sc, (int)fd, p->via);
	if (!s)
		return 0;
	s->ev.fd = (int)fd;
	if (p->sc == CC_SYS_ACCEPT || p->sc == CC_SYS_ACCEPT4) {
		if (p->sc == CC_SYS_ACCEPT4)
			s->ev.flags = p->flags;
		read_peer_file(s, file);
	} else {
		struct filename *name = (struct filename *)p->name;

		read_kpath(s, BPF_CORE_READ(name, name));
		open_args(s, p);
	}
	finish(s);
	return 0;
}

/* --- io_uring: which operation a task is running, around the operation itself ----------------- */

static __always_inline int uring_enter(__u32 sc)
{
	struct pending p = {.kind = PEND_URING, .sc = sc, .via = CC_VIA_IO_URING};

	if (!(targ_syscalls & (1u << sc)))
		return 0;
	pend_set(&p);
	return 0;
}

static __always_inline int uring_leave(void)
{

	pend_clear();
	return 0;
}

/* io_uring's open: its arguments as the request keeps them (io_openat_prep's copy). Both
   IORING_OP_OPENAT and IORING_OP_OPENAT2 end here: the request's opcode tells which. */
SEC("fentry/io_openat2")
int BPF_PROG(fe_io_openat2, struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_open___cc *o = (void *)req;
	__u32 sc =
		BPF_CORE_READ(req, opcode) == CC_IORING_OP_OPENAT2 ? CC_SYS_OPENAT2 : CC_SYS_OPENAT;
	struct pending *p;

	if (!(targ_syscalls & (1u << sc)))
		return 0;
	uring_enter(sc);
	p = pend_find();
	if (!p)
		return 0;
	p->dfd = BPF_CORE_READ(o, dfd);
	/* io_uring adds O_LARGEFILE itself on 64-bit kernels */
	p->flags = BPF_CORE_READ(o, how.flags) & ~(__u64)CC_O_LARGEFILE;
	p->mode = BPF_CORE_READ(o, how.mode);
	p->resolve = BPF_CORE_READ(o, how.resolve);
	return 0;
}

SEC("fexit/io_openat2")
int BPF_PROG(fx_io_openat2, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	struct pending *p = pend_find();

	/* fx_filp_open neither kept a file nor sent the event of an open that is not tried again:
	   the kernel skipped it (misses.c does not count its misses apart): the event is lost */
	if (p && p->kind == PEND_URING && !p->emitted && !p->file && ret != -CC_EAGAIN) {
		count(CC_CNT_SEEN);
		count_lost();
	}
	return uring_leave();
}

SEC("fentry/io_accept")
int BPF_PROG(fe_io_accept, struct io_kiocb *req, unsigned int issue_flags)
{
	return uring_enter(CC_SYS_ACCEPT);
}

SEC("fexit/io_accept")
int BPF_PROG(fx_io_accept, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	return uring_leave();
}

/* io_uring's close: the fd from the request, the result once it completes. */
SEC("fexit/io_close")
int BPF_PROG(fx_io_close, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	struct io_close___cc *c = (void *)req;
	struct scratch *s;
	int res;

	if (!(targ_syscalls & (1u << CC_SYS_CLOSE)) || ret == -CC_EAGAIN)
		return 0;
	if (BPF_CORE_READ(c, file_slot))
		return 0; /* a fixed file: no descriptor ends */
	res = BPF_CORE_READ(req, cqe.res);
	s = begin_via(SLOT_FX_IO_CLOSE, CC_SYS_CLOSE, res, CC_VIA_IO_URING);
	if (!s)
		return 0;
	s->ev.fd = BPF_CORE_READ(c, fd);
	finish(s);
	return 0;
}

/* --- close --------------------------------------------------------------------------------- */

static __always_inline int close_exit(__u32 slot, const struct pt_regs *regs, long ret, __u32 via)
{
	struct scratch *s;

	if (!(targ_syscalls & (1u << CC_SYS_CLOSE)))
		return 0;
	s = begin_via(slot, CC_SYS_CLOSE, ret, via);
	if (!s)
		return 0;
	s->ev.fd = (int)(via == CC_VIA_IA32 ? COMPAT_ARG0_CORE(regs)
					    : PT_REGS_PARM1_CORE_SYSCALL(regs));
	finish(s);
	return 0;
}

SEC("fexit/" CC_SYS_CLOSE_FN)
int BPF_PROG(fx_sys_close, const struct pt_regs *regs, long ret)
{
	HOOK_HIT(fx_sys_close);
#ifdef CC_IA32_CLOSE_FN
	return close_exit(SLOT_FX_SYS_CLOSE, regs, ret,
			  CC_VIA_SYSCALL); /* ia32's close has its own entry */
#else
	return close_exit(SLOT_FX_SYS_CLOSE, regs, ret,
			  in_ia32(task_now()) ? CC_VIA_IA32 : CC_VIA_SYSCALL);
#endif
}

#ifdef CC_IA32_CLOSE_FN
SEC("fexit/" CC_IA32_CLOSE_FN)
int BPF_PROG(fx_ia32_close, const struct pt_regs *regs, long ret)
{
	return close_exit(SLOT_FX_IA32_CLOSE, regs, ret, CC_VIA_IA32);
}
#endif

/* --- connect -------------------------------------------------------------------------------- */

static __always_inline void copy_addr(struct scratch *s, const void *kaddr, int len)
{
	if (len <= 0 || !kaddr) {
		s->ev.status |= CC_ST_TAIL_UNREADABLE;
		return;
	}
	/* the kernel's copy is a whole struct sockaddr_storage (CC_ADDR_MAX bytes) */
	if (bpf_probe_read_kernel(s->tail, CC_ADDR_MAX, kaddr)) {
		s->ev.status |= CC_ST_TAIL_UNREADABLE;
		return;
	}
	s->ev.tail_len = len > CC_ADDR_MAX ? CC_ADDR_MAX : len;
}

SEC("fentry/__sys_connect")
int BPF_PROG(fe_sys_connect, int fd, void *uaddr, int addrlen)
{
	HOOK_HIT(fe_sys_connect);
	struct pending p = {.kind = PEND_OPEN, .sc = CC_SYS_CONNECT};

	if (!(targ_syscalls & (1u << CC_SYS_CONNECT)) || (drop_early(tgid_now(), -1)))
		return 0;
	p.via = in_ia32(task_now()) ? CC_VIA_IA32 : CC_VIA_SYSCALL;
	p.dfd = fd;
	pend_set(&p);
	return 0;
}

/* Where the kernel connects a socket with its own copy of the address, for every caller. */
SEC("fexit/__sys_connect_file")
int BPF_PROG(fx_connect_file, struct file *file, void *address, int addrlen, int file_flags,
	     int ret)
{
	HOOK_HIT(fx_connect_file);
	struct pending *p = pend_find();
	struct scratch *s;

	if (!p || p->sc != CC_SYS_CONNECT)
		return 0;
	if (p->kind == PEND_URING) {
		/* the first try of an io_uring connect: keep the address for its completion */
		__u64 key = p->file;
		struct uring_req *r = bpf_map_lookup_elem(&uring_reqs, &key);
		int len = addrlen > CC_ADDR_MAX ? CC_ADDR_MAX : addrlen;

		/* the kernel's copy is a whole struct sockaddr_storage: read all of it */
		if (r && !r->addrlen && len > 0 &&
		    !bpf_probe_read_kernel(r->addr, CC_ADDR_MAX, address))
			r->addrlen = len;
		return 0;
	}
	if (p->kind == PEND_OPEN && !p->emitted) {
		p->emitted = 1;
		s = begin_via(SLOT_FX_CONNECT_FILE, CC_SYS_CONNECT, ret, p->via);
		if (!s)
			return 0;
		s->ev.fd = p->dfd;
		copy_addr(s, address, addrlen);
		finish(s);
	}
	return 0;
}

SEC("fexit/__sys_connect")
int BPF_PROG(fx_sys_connect, int fd, void *uaddr, int addrlen, int ret)
{
	HOOK_HIT(fx_sys_connect);
	struct pending *p = pend_find();
	struct scratch *s;

	if (!p || p->sc != CC_SYS_CONNECT || p->kind != PEND_OPEN)
		return 0;
	/* failed before the address was copied or the socket found */
	if (!p->emitted && (s = begin_via(SLOT_FX_SYS_CONNECT, CC_SYS_CONNECT, ret, p->via))) {
		s->ev.fd = fd;
		s->ev.status |= CC_ST_TAIL_UNREADABLE;
		finish(s);
	}
	p->kind = PEND_NONE;
	return 0;
}

/*
 * io_uring's connect copies the address when the request is prepared (io_connect_prep, into the
 * request's async data) and may complete later, after a wait: the address is kept per request
 * at its first try, and the event goes out when the request completes.
 */
SEC("fentry/io_connect")
int BPF_PROG(fe_io_connect, struct io_kiocb *req, unsigned int issue_flags)
{
	__u64 key = (__u64)req;
	struct uring_req *r = bpf_map_lookup_elem(&uring_reqs, &key);
	struct uring_req init = {.sc = CC_SYS_CONNECT, .fd = -1};
	struct pending p = {.kind = PEND_URING, .sc = CC_SYS_CONNECT, .via = CC_VIA_IO_URING};

	if (!(targ_syscalls & (1u << CC_SYS_CONNECT)))
		return 0;
	if (!r) {
		init.fd = BPF_CORE_READ(req, cqe.fd);
		bpf_map_update_elem(&uring_reqs, &key, &init, BPF_ANY);
	}
	p.file = key; /* the request, for __sys_connect_file below */
	pend_set(&p);
	return 0;
}

/* An io_uring connect's record, from what its prep kept (fd, address) and its result. */
static __always_inline void uring_connect_record(enum cc_slot slot, struct uring_req *r, int res)
{
	struct scratch *s = begin_via(slot, CC_SYS_CONNECT, res, CC_VIA_IO_URING);

	if (s) {
		s->ev.fd = r->fd;
		copy_addr(s, r->addr, r->addrlen);
		finish(s);
	}
}

SEC("fexit/io_connect")
int BPF_PROG(fx_io_connect, struct io_kiocb *req, unsigned int issue_flags, int ret)
{
	__u64 key = (__u64)req;
	struct uring_req *r = bpf_map_lookup_elem(&uring_reqs, &key);
	int res;

	pend_clear();
	if (!r || ret == -CC_EAGAIN)
		return 0; /* not done yet: it completes on a later try */
	res = BPF_CORE_READ(req, cqe.res);
	if (res == -CC_EAGAIN || res == -CC_EINPROGRESS)
		return 0;
	uring_connect_record(SLOT_FX_IO_CONNECT, r, res);
	bpf_map_delete_elem(&uring_reqs, &key);
	return 0;
}

/*
 * The end of every io_uring request (io_uring:io_uring_complete, whose second argument is the
 * request on 6.1 and 6.12 alike; the others changed, so the result is read from the request
 * itself, where both set it before the completion is posted). A connect that io_connect did not
 * complete (cancelled while it waited for the peer: a linked timeout, IORING_OP_ASYNC_CANCEL,
 * the ring's end) still has its entry here: its event goes out with that result, and the entry
 * is gone before the kernel gives the request's memory to another request. Loaded with
 * fe_io_connect (trace/attach.c).
 */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(tp_io_complete, void *ring, void *req)
{
	__u64 key = (__u64)req;
	struct uring_req *r = key ? bpf_map_lookup_elem(&uring_reqs, &key) : NULL;

	if (!r)
		return 0;
	if (r->sc == CC_SYS_CONNECT)
		uring_connect_record(SLOT_TP_IO_COMPLETE, r,
				     BPF_CORE_READ((struct io_kiocb *)req, cqe.res));
	bpf_map_delete_elem(&uring_reqs, &key);
	return 0;
}
