/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The maps: the ring buffer, the counters, the per-cgroup tallies and losses, the host rule's
 * verdicts, --rate-limit's buckets, the excluded descriptors and the per-program scratch slots
 * where records are built. Included by copenclose.bpf.c.
 */

/*
 * Whether a cgroup is a container's (CC_CG_CONTAINER) or the host's (CC_CG_HOST), as user space
 * judged it from the cgroup's path and the runtimes' state: the host rule's cgroup half. A cgroup
 * not in the map is not judged yet; its events in the host's pid namespace go to user space,
 * which decides (and drops them under -I when they are the host's).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CC_CG_VERDICTS);
	__type(key, __u64);
	__type(value, __u8);
} cg_verdict SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* set from --ringbuf-size before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CC_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* The cgroup that -G / -c select: events from tasks below it pass. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/* Events lost per cgroup id, so the user learns whose events were lost. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} lost_by_cgroup SEC(".maps");

/* Calls per cgroup, system call and result: see struct cc_tally_key. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, CC_TALLY_ENTRIES);
	__type(key, struct cc_tally_key);
	__type(value, __u64);
} tally SEC(".maps");

/* --rate-limit's buckets, one per container: see struct cc_bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CC_BUCKETS); /* 1 without --rate-limit */
	__type(key, __u32);
	__type(value, struct cc_bucket);
} buckets SEC(".maps");

/* The descriptors of the opens the path filters dropped: see struct cc_fd_key. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CC_EXCLUDED_FDS); /* 1 without path filters or close */
	__type(key, struct cc_fd_key);
	__type(value, __u8);
} excluded_fds SEC(".maps");

struct scratch {
	struct cc_event ev;
	char tail[CC_TAIL_MAX];
};

/*
 * Where a program builds its record: one slot per program that builds one, per CPU. A program
 * runs at most once at a time on a CPU (the kernel skips a call that would re-enter it there, and
 * counts it in its recursion_misses), but on a kernel that preempts BPF programs (PREEMPT_RT,
 * preempt=full, preemptible syscall tracepoints) another program may run on that CPU while a
 * task is preempted inside one: with a shared slot it would overwrite the record half built, and
 * the preempted task would then send a record of two calls. Each mode has its own programs, so
 * the two share slots; the process records, loaded in both, have theirs.
 */
enum cc_slot {
	SLOT_PROC_EXIT,
	SLOT_PROC_EXEC,
	/* the tracepoint mode (and --compat) */
	SLOT_TP_OPEN,
	SLOT_TP_OPENAT,
	SLOT_TP_OPENAT2,
	SLOT_TP_CLOSE,
	SLOT_TP_CONNECT,
	SLOT_TP_ACCEPT,
	SLOT_TP_ACCEPT4,
	SLOT_TP_COMPAT,
	SLOT_TP_CREAT,
	/* the fentry mode */
	SLOT_FX_FILP_OPEN = SLOT_TP_OPEN,
	SLOT_FX_SYS_OPENAT2,
	SLOT_FX_DO_ACCEPT,
	SLOT_FX_SYS_ACCEPT4,
	SLOT_FE_FD_INSTALL,
	SLOT_FX_IO_CLOSE,
	SLOT_FX_SYS_CLOSE,
	SLOT_FX_IA32_CLOSE,
	SLOT_FX_CONNECT_FILE,
	SLOT_FX_SYS_CONNECT,
	SLOT_FX_IO_CONNECT,
	SLOT_TP_IO_COMPLETE,
	/* fx_sys_openat2's copies (CC_OPEN_EXITS): each a program of its own, so each a slot */
	SLOT_FX_SYS_OPENAT2_1,
	SLOT_FX_SYS_OPENAT2_2,
	SLOT_FX_SYS_OPENAT2_3,
	/* the tracepoint mode's exit copies where syscall tracepoints are preemptible
	   (attach_tp_copies.bpf.h, CC_TP_COPIES): one each */
	SLOT_TPC_0,
	SLOT_TPC_1,
	SLOT_TPC_2,
	SLOT_TPC_3,
	CC_SLOTS
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CC_SLOTS);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

struct cg_scratch {
	struct cc_cgroup_event ev;
	char tail[CC_TAIL_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cg_scratch);
} cg_scratch_map SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);

	if (v)
		(*v)++;
}
