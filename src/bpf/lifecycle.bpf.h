/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The records that are not system calls, loaded in every mode: cgroup v2 directories made and
 * removed, a process's end and its exec. Included by copenclose.bpf.c.
 */

/*
 * Whether the current task's comm is systemd-nspawn's (whatever its task: the arguments read are
 * only parsed for the machine's name of a payload/ it made).
 */
static __always_inline bool comm_is_nspawn(const char *comm)
{
	static const char want[] = "systemd-nspawn";

	for (int i = 0; i < (int)sizeof(want); i++)
		if (comm[i] != want[i])
			return false;
	return true;
}

/*
 * The current task's arguments after the path (tail_len bytes and its NUL, shorter than
 * CC_CGROUP_TP_PATH_LEN - 1: not cut) of s: systemd-nspawn's,
 * at the mkdir of its payload/, while it is sure to be alive (its container may be gone before
 * user space could read /proc). A read that faults leaves them out.
 */
static __always_inline void creator_args(struct cg_scratch *s)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	__u32 off = (s->ev.tail_len + 1) & (CC_CGROUP_TP_PATH_LEN - 1);
	__u64 len = end - start;

	if (!start || end <= start)
		return;
	if (len > CC_NSPAWN_ARGS_MAX)
		len = CC_NSPAWN_ARGS_MAX;
	if (bpf_probe_read_user(s->tail + off, len & (2 * CC_NSPAWN_ARGS_MAX - 1), (void *)start))
		return;
	s->ev.args_len = len;
}

/* cgroup v2 directories as they come and go, so short-lived containers are still named. */
static __always_inline int cgroup_record(struct cgroup *cgrp, const char *path, __u32 type)
{
	struct cg_scratch *s;
	__u32 zero = 0, size;
	long n;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0; /* a v1 hierarchy */
	s = bpf_map_lookup_elem(&cg_scratch_map, &zero);
	if (!s)
		return 0;
	s->ev.ts_ns = bpf_ktime_get_ns();
	s->ev.cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	s->ev.type = type;
	s->ev.level = BPF_CORE_READ(cgrp, level);
	s->ev.status = 0;
	s->ev.tail_len = 0;
	s->ev.args_len = 0;
	bpf_get_current_comm(s->ev.comm, sizeof(s->ev.comm));
	n = bpf_probe_read_kernel_str(s->tail, sizeof(s->tail), path);
	if (n > 0)
		s->ev.tail_len = n - 1;
	/* the tracepoint's path is the kernel's copy in a TRACE_CGROUP_PATH_LEN buffer, cut
	   silently: a path that fills it may be cut, and user space resolves it by id instead */
	if (n >= CC_CGROUP_TP_PATH_LEN)
		s->ev.status |= CC_ST_TAIL_TRUNCATED;
	size = s->ev.tail_len & (CC_TAIL_MAX - 1);
	if (type == CC_REC_CGROUP_MKDIR && n > 0 && n < CC_CGROUP_TP_PATH_LEN - 1 &&
	    comm_is_nspawn(s->ev.comm)) {
		creator_args(s);
		if (s->ev.args_len)
			size = ((s->ev.tail_len + 1) & (CC_CGROUP_TP_PATH_LEN - 1)) +
			       (s->ev.args_len & (2 * CC_NSPAWN_ARGS_MAX - 1));
	}
	if (bpf_ringbuf_output(&events, s, sizeof(s->ev) + (size & (CC_TAIL_MAX - 1)), 0))
		count(CC_CNT_CG_LOST);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return cgroup_record(cgrp, path, CC_REC_CGROUP_MKDIR);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return cgroup_record(cgrp, path, CC_REC_CGROUP_RMDIR);
}

/*
 * A process's end and its exec: user space ends the descriptors it recorded for the process
 * (all of them, or those with O_CLOEXEC). Loaded only with the descriptor table, and sent only
 * for processes that pass the filters; rare next to the system calls.
 */
static __always_inline int proc_record(__u32 type, __u32 slot)
{
	struct pt_regs *regs;
	struct scratch *s = begin(slot, CC_SYS_MAX, 0, &regs);

	if (!s)
		return 0;
	s->ev.type = type;
	fill(s);
	/* not an event: counted apart, so that events seen = delivered + lost + unread holds */
	if (bpf_ringbuf_output(&events, s, sizeof(s->ev), BPF_RB_NO_WAKEUP))
		count(CC_CNT_PROC_LOST);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct *p)
{
	/* every thread passes here; the group's live count reached 0 only for its last one (two
	   threads ending at once may both see 0: user space ends a process once) */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	return proc_record(CC_REC_PROC_EXIT, SLOT_PROC_EXIT);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(proc_exec, struct task_struct *p)
{
	return proc_record(CC_REC_PROC_EXEC, SLOT_PROC_EXEC);
}
