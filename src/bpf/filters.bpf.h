/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The filters that need no task walk (the self, -p, -x, -C, -c/-G), the tally of top and
 * --metrics, --rate-limit's bucket and the path filters. Included by copenclose.bpf.c.
 */

static __always_inline bool comm_matches(void)
{
	char comm[CC_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < CC_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* One more call of this cgroup (and mount namespace: struct cc_tally_key), system call and
   result; per-CPU, so no atomic is needed. */
static __always_inline void tally_call(enum cc_syscall sc, long ret, __u64 cg, __u32 mntns)
{
	struct cc_tally_key key = {
		.cgroup_id = cg,
		.syscall = sc,
		.err = ret < 0 ? (__u32)-ret : 0,
		.mntns = mntns,
	};
	__u64 one = 1, *v = bpf_map_lookup_elem(&tally, &key);

	if (v) {
		(*v)++;
		return;
	}
	if (bpf_map_update_elem(&tally, &key, &one, BPF_NOEXIST) == 0)
		return;
	v = bpf_map_lookup_elem(&tally, &key); /* another CPU made it meanwhile */
	if (v)
		(*v)++;
	else
		count(CC_CNT_TALLY_FULL);
}

/*
 * --rate-limit: whether the container's bucket has no token left for this call, which is then
 * counted as throttled (exactly: atomic adds). The container is its pid namespace, the host's
 * for the host (a container's cgroups all hold its processes, which share its pid namespace;
 * the kernel knows it at once, where a cgroup's container is known only once user space named
 * it); but a task in the host's pid namespace with a user namespace of its own has its mount
 * namespace's bucket (struct cc_bucket). Tracing programs may not take a bpf_spin_lock, and a
 * compare-and-swap makes 5.10 refuse the whole program; so the bucket is one word moved on by an
 * atomic add (no increment is ever lost), read without a lock: CPUs deciding on one container
 * at the same instant may each let one event more through, and a bucket restarted after an idle
 * time may lose one interval.
 */
static __always_inline bool throttled(__u32 pidns, __u32 sc, __u64 ts)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 key = pidns;
	__u64 now = cc_rl_time(ts), tat, base;
	struct cc_bucket *b;

	/* the host's, but a user namespace of its own there keys by its mount namespace: a gVisor
	   sandbox and its stubs stay in the host's pid namespace (and cgroup, on a hybrid host) */
	if (pidns == host_pidns)
		key = BPF_CORE_READ(task, cred, user_ns, level)
			      ? BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum)
			      : CC_RL_HOST;
	b = bpf_map_lookup_elem(&buckets, &key);

	if (!b) {
		struct cc_bucket fresh = {.tat = now}; /* full: burst events may pass at once */

		bpf_map_update_elem(&buckets, &key, &fresh, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&buckets, &key);
		if (!b)
			return false;
	}
	tat = *(volatile __u64 *)&b->tat;
	if (!cc_rl_admit(tat, now, targ_rl_tolerance, &base)) {
		if (sc < CC_SYS_MAX)
			__sync_fetch_and_add(&b->throttled[sc], 1);
		b->cgroup_id = bpf_get_current_cgroup_id();
		b->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
		count(CC_CNT_THROTTLED);
		return true;
	}
	if (base != tat)
		b->tat = base;
	__sync_fetch_and_add(&b->tat, targ_rl_interval);
	return false;
}

/* Cheap filters that need no task walk; true when the event is to be dropped. */
static __always_inline bool drop_early(__u32 tgid, long ret)
{
	if (tgid == targ_self_tgid)
		return true;
	if (targ_tgid && tgid != targ_tgid)
		return true;
	if (targ_failed && ret >= 0)
		return true;
	if (targ_comm_set && !comm_matches())
		return true;
	if (targ_cgroup_set && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return true;
	return false;
}

/* Whether the path in the tail starts with prefix p: word by word, the last one masked. */
static __always_inline bool prefix_of(const struct scratch *s, const volatile struct cc_prefix *p)
{
	const __u64 *w = (const __u64 *)s->tail;

	for (int i = 0; i < CC_PREFIX_WORDS; i++) {
		if (i + 1 >= p->nwords)
			return (w[i] & p->last_mask) == p->w[i];
		if (w[i] != p->w[i])
			return false;
	}
	return false;
}

/*
 * --path and --exclude-path, on the path as read (the kernel's copy in the fentry mode; the
 * caller's memory after the call with tracepoints: relative paths as given): whether an open of
 * process tgid that returned ret, its path in s's tail, passes. An open whose path could not be
 * read passes (nothing known excludes it). The descriptor of an excluded open is remembered so
 * that its close is dropped too; one made again by a passing open is forgotten.
 */
static __always_inline bool open_passes(const struct scratch *s, __u32 tgid, long ret,
					bool unreadable)
{
	struct cc_fd_key k = {.tgid = tgid, .fd = ret};
	bool pass = !targ_path_include;
	__u8 one = 1;

	if (unreadable) {
		pass = true;
	} else {
		for (int i = 0; i < CC_PREFIXES; i++) {
			if (i >= targ_npaths)
				break;
			if (!prefix_of(s, &targ_paths[i]))
				continue;
			pass = !targ_paths[i].exclude;
			break; /* excludes come first */
		}
	}
	if (targ_path_fds && ret >= 0) {
		if (pass)
			bpf_map_delete_elem(&excluded_fds, &k);
		else
			bpf_map_update_elem(&excluded_fds, &k, &one, BPF_ANY);
	}
	return pass;
}

/* The path filters on a finished record: opens by their path, closes of an excluded open's
   descriptor dropped. */
static __always_inline bool paths_pass(struct scratch *s)
{
	struct cc_fd_key k = {.tgid = s->ev.pid, .fd = s->ev.fd};
	__u32 sc = s->ev.syscall;

	if (sc == CC_SYS_CLOSE)
		return !targ_path_fds || bpf_map_delete_elem(&excluded_fds, &k) != 0;
	if (sc != CC_SYS_OPEN && sc != CC_SYS_OPENAT && sc != CC_SYS_OPENAT2)
		return true;
	return open_passes(s, s->ev.pid, s->ev.ret, s->ev.status & CC_ST_TAIL_UNREADABLE);
}
