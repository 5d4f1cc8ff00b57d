/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A record from the current task: the filters in their order (begin), the rest of the record
 * once they passed (fill), out to the ring buffer (finish). Included by copenclose.bpf.c.
 */

/*
 * What the running kernel has, decided when libbpf loads the object (CO-RE relocations against
 * the kernel's own enum bpf_func_id), so that one object loads from 5.10 on: with
 * bpf_get_current_task_btf (5.11) the programs load the task's fields directly; without it they
 * read the same fields with probe reads. With bpf_task_pt_regs (5.15) the saved registers come
 * from the helper; without it from where the kernel keeps them, at the top of the task's kernel
 * stack. The verifier follows only the branch the constant selects: the other one, with a
 * helper this kernel does not know, is never checked and is removed (HAVE_TASK_BTF and
 * HAVE_TASK_REGS, defined before arch.bpf.h, which uses them too).
 */
/* A chain of loads from a task: direct through a BTF pointer, probe reads otherwise (btf is a
   constant in each inlined copy, so the compiler keeps one of the two). */
#define TLOAD(btf, src, ...) ((btf) ? ___arrow(src, __VA_ARGS__) : BPF_CORE_READ(src, __VA_ARGS__))
/* A system call's argument N from its saved registers. */
#define SYSARG(regs, n)                                                                            \
	(HAVE_TASK_REGS ? PT_REGS_PARM##n##_SYSCALL(regs) : PT_REGS_PARM##n##_CORE_SYSCALL(regs))
/* Where task_pt_regs() finds the user registers: THREAD_SIZE (16 KiB on both architectures
   without KASAN), less arm64's 16 bytes of padding. */
#if defined(__TARGET_ARCH_arm64)
#define CC_STACK_TOP (16384 - 16)
#else
#define CC_STACK_TOP 16384
#endif

static __always_inline struct task_struct *current_task(bool btf)
{
	if (btf)
		return bpf_get_current_task_btf();
	return (struct task_struct *)bpf_get_current_task();
}

static __always_inline struct pt_regs *task_regs(struct task_struct *task, bool btf)
{
	if (HAVE_TASK_REGS)
		return (struct pt_regs *)bpf_task_pt_regs(task);
	return (struct pt_regs *)((__u64)TLOAD(btf, task, stack) + CC_STACK_TOP) - 1;
}

/*
 * The pid namespace the task lives in (not pid_ns_for_children, which differs after unshare) and
 * its tgid there. Direct loads through the BTF pointer: no helper calls on the hot path.
 */
static __always_inline __u32 active_pidns(struct task_struct *task, __u32 *ns_tgid, bool btf)
{
	struct pid *pid = TLOAD(btf, task, group_leader, thread_pid);
	unsigned int level = TLOAD(btf, pid, level);
	struct upid up = {};

	if (level == 0) { /* the host's pid namespace: direct loads, no helper call */
		*ns_tgid = TLOAD(btf, pid, numbers[0].nr);
		return TLOAD(btf, pid, numbers[0].ns, ns.inum);
	}
	if (level > 31)
		return 0;
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level]);
	*ns_tgid = up.nr;
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* One event of the current task lost (counted in CC_CNT_SEEN already), by its cgroup. */
static __always_inline void count_lost(void)
{
	__u64 cg = bpf_get_current_cgroup_id(), one = 1, *v;

	count(CC_CNT_LOST);
	v = bpf_map_lookup_elem(&lost_by_cgroup, &cg);
	/* another CPU may insert the same cgroup between the lookup and the insert: then add to
	   its entry. What the LRU evicts, user space reports as unattributed. */
	if (!v && bpf_map_update_elem(&lost_by_cgroup, &cg, &one, BPF_NOEXIST))
		v = bpf_map_lookup_elem(&lost_by_cgroup, &cg);
	if (v)
		__sync_fetch_and_add(v, 1);
}

/* The task's pid namespace and its tgid there, the host's at once when it is the initial one. */
static __always_inline __u32 task_pidns(struct task_struct *task, __u32 tgid, __u32 *ns_tgid,
					bool btf)
{
	if (host_pid_initial && TLOAD(btf, task, group_leader, thread_pid, level) == 0) {
		*ns_tgid = tgid;
		return host_pidns; /* no load needed */
	}
	return active_pidns(task, ns_tgid, btf);
}

static __always_inline void send(void *rec, __u64 size)
{
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes
			      ? BPF_RB_FORCE_WAKEUP
			      : BPF_RB_NO_WAKEUP;

	count(CC_CNT_SEEN);
	if (bpf_ringbuf_output(&events, rec, size, flags))
		count_lost();
}

static __always_inline void copy8(char *dst, const char *src, int words)
{
	for (int i = 0; i < words; i++)
		((__u64 *)dst)[i] = ((const __u64 *)src)[i];
}

/* The host rule's cgroup half for an event in the host's pid namespace: user space's verdict on
   its cgroup, or unsure when the kernel has none. */
static __always_inline __u16 host_status(struct task_struct *task, __u64 cg, bool btf)
{
	__u16 status = CC_ST_PIDNS_HOST;
	__u8 *v = NULL;

	/* a user namespace of its own in the host's pid namespace (gVisor's sandbox and stubs,
	   rootless engines' helpers): its cgroup may be the host's while it is a container's,
	   which user space tells by its mount namespace */
	if (TLOAD(btf, task, cred, user_ns, level))
		status |= CC_ST_USERNS;
	else if (targ_cg_verdicts)
		v = bpf_map_lookup_elem(&cg_verdict, &cg);
	if (!v)
		status |= CC_ST_HOST_UNSURE;
	else if (*v == CC_CG_HOST)
		status |= CC_ST_HOST;
	return status;
}

/* The path at upath into the tail, as the call saw it: its length through *len, and the status
   bits it earns. */
static __always_inline __u16 read_path_to(struct scratch *s, const char *upath, long ret,
					  __u16 *len)
{
	long n = bpf_probe_read_user_str(s->tail, sizeof(s->tail), upath);

	if (n <= 0)
		return CC_ST_TAIL_UNREADABLE;
	*len = n - 1;
	if (n == sizeof(s->tail) && ret == -CC_ENAMETOOLONG)
		return CC_ST_TAIL_TRUNCATED;
	return 0;
}

/*
 * An open's path (argument path_arg, 1 or 2, of the call) read into the scratch record, and the
 * path filters on it: NULL when they drop it. The record's other fields are not filled yet.
 */
static __always_inline struct scratch *path_first(__u32 slot, struct pt_regs *regs, int path_arg,
						  __u32 tgid, long ret, __u16 *pstatus, __u16 *plen)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &slot);
	const char *upath = (const char *)(path_arg == 1 ? SYSARG(regs, 1) : SYSARG(regs, 2));

	if (!s)
		return NULL;
	*pstatus = read_path_to(s, upath, ret, plen);
	if (!open_passes(s, tgid, ret, *pstatus & CC_ST_TAIL_UNREADABLE))
		return NULL;
	return s;
}

/*
 * The filters, then what they need of the event; NULL when one drops it. What only the record
 * needs is read by fill(), once the path filters passed it too: a rejected event costs no more
 * than its filters. The arguments come from the task's saved registers, so no enter/exit pairing
 * is needed.
 */
static __always_inline struct scratch *begin_task(__u32 slot, enum cc_syscall sc, long ret,
						  struct pt_regs **regs, bool btf, int path_arg)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, pidns = 0, ns_tgid = 0;
	/* an open whose path is the call's argument path_arg (0: none) is read here, with the path
	   filters on it as soon as nothing must come before them: -I and the tally come first
	   when they are on (the tally counts every call); an excluded open costs no more. Not
	   without the task's BTF pointer (5.10): the code the compiler shares between the two
	   places then reads a stack slot 5.10's verifier holds unset */
	bool paths_now = btf && path_arg && targ_npaths && !targ_ignore_host && !targ_tally;
	bool paths_later = path_arg && targ_npaths && !paths_now;
	struct scratch *s = NULL;
	/* all set before their use, but initialized: the compiler may share code between the two
	   places the path filters run in, and the verifier refuses a spill of what is unset */
	__u16 status = 0, pstatus = 0, plen = 0;
	bool host = false, limit_first;
	struct task_struct *task;
	__u64 ts = 0, cg = 0;

	if (drop_early(tgid, ret))
		goto filtered;

	task = current_task(btf);
	if (!TLOAD(btf, task, nsproxy))
		goto filtered; /* an exiting task */
	if (paths_now)
		goto paths;
	pidns = task_pidns(task, tgid, &ns_tgid, btf);
	host = pidns == host_pidns;
	ts = bpf_ktime_get_ns();
	/* --rate-limit, as soon as its key is known where nothing must come before it: the tally
	   (top and /metrics count every call), -I on the host's events (an event it drops takes no
	   token) and the path filters (idem) come first when they are on. A throttled event costs
	   this much. */
	limit_first = !targ_tally && !(targ_ignore_host && host) && !targ_npaths;
	if (targ_rl_interval && limit_first && sc < CC_SYS_MAX && throttled(pidns, sc, ts))
		goto filtered;
	cg = bpf_get_current_cgroup_id(); /* once: the host rule, the tally and the record */
	/* The host rule: the host's pid namespace and a cgroup that is not a container's. A
	   private mount, UTS or network namespace alone (PrivateTmp=, unshare -m) is the host's.
	   Without -I it only marks the record: fill() reads it then. */
	status = 0;
	if (host && targ_ignore_host) {
		status = host_status(task, cg, btf);
		if (status & CC_ST_HOST)
			goto filtered;
	}

	/* sc is CC_SYS_MAX for an exit or exec record: not a call, never tallied (its key would
	   read as the cgroup's losses), always sent */
	if (targ_tally && sc < CC_SYS_MAX) {
		/* a pid namespace of its own, or a user namespace of its own in the host's (a
		   gVisor sandbox, its stubs and gofer; rootless podman): tallied by its mount
		   namespace too, which names it where its cgroup is no container's */
		if (targ_tally_calls & (1u << sc))
			tally_call(sc, ret, cg,
				   !host || TLOAD(btf, task, cred, user_ns, level)
					   ? TLOAD(btf, task, nsproxy, mnt_ns, ns.inum)
					   : 0);
		if (!(targ_stream & (1u << sc)) ||
		    (!targ_stream_failed && ret < 0 && (sc != CC_SYS_CLOSE || ret == -CC_EBADF)))
			goto filtered;
	}
	if (targ_rl_interval && !limit_first && !targ_npaths && sc < CC_SYS_MAX &&
	    throttled(pidns, sc, ts))
		goto filtered;
paths:
	if (paths_now || paths_later) {
		*regs = task_regs(task, btf);
		s = path_first(slot, *regs, path_arg, tgid, ret, &pstatus, &plen);
		if (!s)
			goto filtered;
	} else {
		s = bpf_map_lookup_elem(&scratch_map, &slot);
		if (!s)
			return NULL;
	}
	if (paths_now) { /* what the record needs of what was skipped */
		pidns = task_pidns(task, tgid, &ns_tgid, btf);
		host = pidns == host_pidns;
		ts = bpf_ktime_get_ns();
		cg = bpf_get_current_cgroup_id();
	}
	s->ev.type = CC_REC_SYSCALL;
	s->ev.syscall = sc;
	s->ev.ts_ns = ts;
	s->ev.cgroup_id = cg;
	s->ev.ret = ret;
	s->ev.flags = 0;
	s->ev.resolve = 0;
	s->ev.pid = tgid;
	s->ev.tid = (__u32)pid_tgid;
	s->ev.ns_pid = ns_tgid;
	s->ev.pidns = pidns;
	s->ev.fd = -1;
	s->ev.dirfd = AT_FDCWD;
	s->ev.mode = 0;
	s->ev.status = host ? status | CC_ST_PIDNS_HOST : 0;
	s->ev.via = CC_VIA_SYSCALL;
	s->ev.tail_len = 0;
	if (paths_now || paths_later) {
		s->ev.status |= pstatus;
		s->ev.tail_len = plen;
		return s;
	}
	*regs = task_regs(task, btf);
	if (path_arg) {
		s->ev.status |= read_path_to(
			s, (const char *)(path_arg == 1 ? SYSARG(*regs, 1) : SYSARG(*regs, 2)), ret,
			&s->ev.tail_len);
	}
	return s;
filtered:
	return NULL; /* counted nowhere: a rejected event should cost nothing more */
}

/* begin_task for this kernel: with direct loads where it has bpf_get_current_task_btf; slot is
   the calling program's own (enum cc_slot). */
static __always_inline struct scratch *begin(__u32 slot, enum cc_syscall sc, long ret,
					     struct pt_regs **regs)
{
	if (HAVE_TASK_BTF)
		return begin_task(slot, sc, ret, regs, true, 0);
	return begin_task(slot, sc, ret, regs, false, 0);
}

/* begin for an open whose path is the call's argument path_arg (1 or 2): the path read into the
   tail and the path filters on it, which finish_open() does not repeat. */
static __always_inline struct scratch *begin_open(__u32 slot, enum cc_syscall sc, long ret,
						  struct pt_regs **regs, int path_arg)
{
	if (HAVE_TASK_BTF)
		return begin_task(slot, sc, ret, regs, true, path_arg);
	return begin_task(slot, sc, ret, regs, false, path_arg);
}

/* The rest of the record from the current task, for an event that passed every filter. */
static __always_inline void fill_task(struct scratch *s, bool btf)
{
	struct task_struct *task = current_task(btf);
	struct nsproxy *nsp = TLOAD(btf, task, nsproxy);
	struct uts_namespace *uts = TLOAD(btf, nsp, uts_ns);
	__u64 uid_gid = bpf_get_current_uid_gid();

	if ((s->ev.status & CC_ST_PIDNS_HOST) && !targ_ignore_host)
		s->ev.status |= host_status(task, s->ev.cgroup_id, btf);
	s->ev.ppid = TLOAD(btf, task, real_parent, tgid);
	s->ev.uid = (__u32)uid_gid;
	s->ev.gid = uid_gid >> 32;
	s->ev.mntns = TLOAD(btf, nsp, mnt_ns, ns.inum);
	s->ev.utsns = TLOAD(btf, uts, ns.inum);
	s->ev.cgroupns = TLOAD(btf, nsp, cgroup_ns, ns.inum);
	/* fixed-size copies by 8-byte loads: comm and nodename are NUL-padded in the kernel */
	if (btf) {
		copy8(s->ev.comm, task->comm, CC_COMM_LEN / 8);
		copy8(s->ev.hostname, uts->name.nodename, 8);
	} else {
		bpf_core_read(s->ev.comm, CC_COMM_LEN, &task->comm);
		bpf_core_read(s->ev.hostname, 64, &uts->name.nodename);
	}
	s->ev.hostname[64] = 0;
}

static __always_inline void fill(struct scratch *s)
{
	if (HAVE_TASK_BTF)
		fill_task(s, true);
	else
		fill_task(s, false);
}

static __always_inline void finish_task(struct scratch *s, bool paths_done)
{
	__u32 len = s->ev.tail_len;

	/* with path filters, the limit comes after them: an excluded open takes no token */
	if (targ_npaths) {
		if (!paths_done && !paths_pass(s))
			return;
		if (targ_rl_interval && s->ev.syscall < CC_SYS_MAX &&
		    throttled(s->ev.pidns, s->ev.syscall, s->ev.ts_ns))
			return;
	}

	fill(s);
	if (len > CC_TAIL_MAX)
		len = CC_TAIL_MAX;
	send(s, sizeof(s->ev) + len);
}

static __always_inline void finish(struct scratch *s)
{
	finish_task(s, false);
}

/* finish for a record from begin_open, whose path filters are passed. */
static __always_inline void finish_open(struct scratch *s)
{
	finish_task(s, true);
}
