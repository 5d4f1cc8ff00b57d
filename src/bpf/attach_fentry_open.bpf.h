/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fentry mode's opens (open, openat, openat2, creat as system calls): their first and last
 * steps in copies, fx_filp_open between them. Included by attach_fentry.bpf.h, which defines
 * what they use.
 */

/* --- opens -------------------------------------------------------------------------------- */

/*
 * Where the kernel lets a task be preempted inside a BPF program (preempt=full or lazy,
 * PREEMPT_RT), a call that reaches a program on a CPU where a preempted task is still inside it
 * is skipped (the program's recursion_misses): one copy of a program, and that CPU's other tasks
 * lose their events while the preempted one waits. So an open's first and last steps are each
 * CC_OPEN_COPIES programs on the same function, each its own guard: a preempted task holds only
 * the copy it is in, and a call loses one step only when every copy of it is held at once (as
 * many tasks preempted inside that step on one CPU). The kernel runs every copy that is not held,
 * in an order of its own: the first of them to run for a call does the work, the others see it
 * done (each copy runs at most once for a call, so a copy that finds its own bit already set
 * finds the last call's state). fx_sys_openat2 is complete on its own: a call whose first step,
 * fx_filp_open or fe_fd_install was skipped has its event sent from there, from the call's own
 * arguments (the path as the caller's memory holds it, as the tracepoint mode reads it).
 */
#define CC_OPEN_COPIES 4

/* What fe_sys_openat2 keeps of an open: false when the filters drop it. */
static __always_inline bool open_pending(struct pending *p, int dfd, struct open_how *how)
{
	struct task_struct *t = task_now();
	long nr = sys_nr(t);

	if (drop_early(tgid_now(), -1))
		return false;
	p->kind = PEND_OPEN;
	p->dfd = dfd;
	p->via = in_ia32(t) ? CC_VIA_IA32 : CC_VIA_SYSCALL;
	if (nr == NR_OPENAT2)
		p->sc = CC_SYS_OPENAT2;
	else if (is_open_nr(nr, p->via == CC_VIA_IA32))
		p->sc = CC_SYS_OPEN;
	else
		p->sc = CC_SYS_OPENAT;
	if (!(targ_syscalls & (1u << p->sc)))
		return false;
	p->flags = (__u32)how->flags;
	p->mode = (__u32)how->mode;
	p->resolve = p->sc == CC_SYS_OPENAT2 ? how->resolve : 0;
	/* the kernel adds O_LARGEFILE to 64-bit open(2) and openat(2) and to every openat2(2):
	   show what the program asked for, as the tracepoint mode does */
	if (p->via == CC_VIA_SYSCALL || p->sc == CC_SYS_OPENAT2)
		p->flags &= ~(__u64)CC_O_LARGEFILE;
	return true;
}

static __always_inline bool is_open_sc(__u32 sc)
{
	return sc == CC_SYS_OPEN || sc == CC_SYS_OPENAT || sc == CC_SYS_OPENAT2;
}

static __always_inline int open_entry(__u32 copy, int dfd, struct open_how *how)
{
	HOOK_HIT(fe_sys_openat2); /* any copy: the step ran */
	struct pending *p =
		bpf_task_storage_get(&pending_map, task_now(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	struct pending fresh = {.entries = 1u << copy};

	if (!p)
		return 0;
	if (p->kind == PEND_OPEN && is_open_sc(p->sc) && !(p->entries & (1u << copy))) {
		p->entries |= 1u << copy; /* another copy began this call */
		return 0;
	}
	/* the last open's exit was skipped in every copy before its event went out: lost */
	if (p->kind == PEND_OPEN && is_open_sc(p->sc) && !p->emitted) {
		count(CC_CNT_SEEN);
		count_lost();
	}
	if (open_pending(&fresh, dfd, how))
		*p = fresh;
	else
		p->kind = PEND_NONE;
	return 0;
}

#define OPEN_ENTRY(name, copy)                                                                     \
	SEC("fentry/do_sys_openat2")                                                               \
	int BPF_PROG(name, int dfd, const char *filename, struct open_how *how)                    \
	{                                                                                          \
		return open_entry(copy, dfd, how);                                                 \
	}
OPEN_ENTRY(fe_sys_openat2, 0)
OPEN_ENTRY(fe_sys_openat2_1, 1)
OPEN_ENTRY(fe_sys_openat2_2, 2)
OPEN_ENTRY(fe_sys_openat2_3, 3)

SEC("fexit/do_filp_open")
int BPF_PROG(fx_filp_open, int dfd, struct filename *name, const struct open_flags *op,
	     struct file *ret)
{
	HOOK_HIT(fx_filp_open);
	struct pending *p = pend_find();
	struct scratch *s;

	if (!p || (p->kind != PEND_OPEN && p->kind != PEND_URING) || p->emitted || p->file)
		return 0; /* an open copenclose does not name (exec, a module, the kernel's own) */
	if (p->kind == PEND_URING) {
		if (p->sc != CC_SYS_OPENAT && p->sc != CC_SYS_OPENAT2)
			return 0;
		if (is_err(ret) && (long)ret == -CC_EAGAIN)
			return 0; /* a non-blocking first try: io_uring tries again */
	}
	if (!is_err(ret)) {
		p->file = (__u64)ret;
		p->name = (__u64)name;
		return 0;
	}
	p->emitted = 1;
	s = begin_via(SLOT_FX_FILP_OPEN, p->sc, (long)ret, p->via);
	if (!s)
		return 0;
	read_kpath(s, name->name); /* a BTF argument: a direct load */
	open_args(s, p);
	finish(s);
	return 0;
}

/* The open's end: its event, where no step before sent it (see CC_OPEN_COPIES). */
static __always_inline int open_exit(__u32 copy, __u32 slot, int dfd, const char *filename,
				     struct open_how *how, long ret)
{
	HOOK_HIT(fx_sys_openat2); /* any copy: the step ran */
	struct pending *p =
		bpf_task_storage_get(&pending_map, task_now(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	struct pending own = {};
	struct scratch *s;

	if (!p)
		return 0;
	if (p->kind == PEND_DONE && !(p->exits & (1u << copy))) {
		p->exits |= 1u << copy; /* another copy ended this call */
		return 0;
	}
	if (p->kind == PEND_OPEN && is_open_sc(p->sc)) {
		if (p->emitted)
			goto done;
		own = *p;
	} else if (!open_pending(&own, dfd, how)) {
		goto done; /* every copy of fe_sys_openat2 skipped, or its filters drop the call */
	}
	/* failed before a file was made (a bad pointer, too many files), or the steps that send
	   the event were skipped: the path as the caller gave it */
	s = begin_via(slot, own.sc, ret, own.via);
	if (s) {
		read_path(s, filename);
		open_args(s, &own);
		finish(s);
	}
done:
	p->kind = PEND_DONE;
	p->exits = 1u << copy;
	p->file = 0; /* no later fd_install is this call's */
	p->emitted = 1;
	return 0;
}

#define OPEN_EXIT(name, copy, slot)                                                                \
	SEC("fexit/do_sys_openat2")                                                                \
	int BPF_PROG(name, int dfd, const char *filename, struct open_how *how, long ret)          \
	{                                                                                          \
		return open_exit(copy, slot, dfd, filename, how, ret);                             \
	}
OPEN_EXIT(fx_sys_openat2, 0, SLOT_FX_SYS_OPENAT2)
OPEN_EXIT(fx_sys_openat2_1, 1, SLOT_FX_SYS_OPENAT2_1)
OPEN_EXIT(fx_sys_openat2_2, 2, SLOT_FX_SYS_OPENAT2_2)
OPEN_EXIT(fx_sys_openat2_3, 3, SLOT_FX_SYS_OPENAT2_3)
