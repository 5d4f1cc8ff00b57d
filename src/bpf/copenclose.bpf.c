// SPDX-License-Identifier: GPL-2.0-only
/* The kernel side: one program per traced system call at its sys_exit, filters first, one record
 * out. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "event.h"
#include "ratelimit.h"
#define HAVE_TASK_BTF  bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)
#define HAVE_TASK_REGS bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)
#include "arch.bpf.h"

#define AT_FDCWD	      -100
#define CC_O_CREAT	      0100
#define CC_O_TMPFILE	      020000000
#define CC_ENAMETOOLONG	      36
#define CC_EBADF	      9
#define AF_UNIX		      1
#define AF_INET		      2
#define AF_INET6	      10
#define CC_CGROUP_TP_PATH_LEN 1024 /* TRACE_CGROUP_PATH_LEN, with its NUL */
#define CC_S_IFMT	      0170000
#define CC_S_IFSOCK	      0140000

char LICENSE[] SEC("license") = "GPL";

/* Filters, written through the skeleton's rodata before load: a filter that is off costs nothing.
 */
const volatile __u32 targ_self_tgid = 0;
const volatile __u32 targ_tgid = 0;
const volatile bool targ_failed = false;
const volatile bool targ_comm_set = false;
const volatile char targ_comm[CC_COMM_LEN] = {};
const volatile bool targ_ignore_host = false;
const volatile bool targ_cgroup_set = false;
const volatile __u32 host_pidns = 0;
const volatile __u64 wakeup_bytes = 1 << 20;
/* `top` and --metrics: tally every call asked for (targ_tally_calls) that passes the filters in
   the tally map; stream only the system calls whose bit is set in targ_stream (top needs the
   paths of opens, and with its descriptor table what makes and ends a descriptor). */
const volatile bool targ_tally = false;
const volatile __u32 targ_tally_calls = ~0u; /* not those attached only for the table */
const volatile __u32 targ_stream = ~0u;
/* false in top: a failed call made no descriptor and has no path to count (but a close failing
   otherwise than with EBADF, which released its descriptor all the same) */
const volatile bool targ_stream_failed = true;
/* The traced system calls (1 << enum cc_syscall), for the programs that serve several. */
const volatile __u32 targ_syscalls = ~0u;
/* --rate-limit: the bucket's interval and tolerance (bpf/ratelimit.h); 0 for no limit. */
const volatile __u64 targ_rl_interval = 0;
const volatile __u64 targ_rl_tolerance = 0;
/* --path, --exclude-path: targ_npaths prefixes, excludes first; targ_path_include when one is a
   --path (then only opens under one pass); targ_path_fds when closes are traced (an excluded
   open's descriptor is remembered, so that its close is dropped too). */
const volatile __u32 targ_npaths = 0;
const volatile bool targ_path_include = false;
const volatile bool targ_path_fds = false;
const volatile struct cc_prefix targ_paths[CC_PREFIXES] = {};

/* The host's pid namespace is the initial one (pid namespaces at level 0 are): the fast host test
   below needs no pid namespace load then. */
const volatile bool host_pid_initial = false;
/* The cgroup ids are the v2 hierarchy's (false on a legacy host: every task is in its root, and
   only user space can tell a container's process, by its pid). */
const volatile bool targ_cg_verdicts = false;

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

/* One more call of this cgroup, system call and result; per-CPU, so no atomic is needed. */
static __always_inline void tally_call(enum cc_syscall sc, long ret, __u64 cg)
{
	struct cc_tally_key key = {
		.cgroup_id = cg,
		.syscall = sc,
		.err = ret < 0 ? (__u32)-ret : 0,
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
 * it). Tracing programs may not take a bpf_spin_lock, and a compare-and-swap makes 5.10 refuse
 * the whole program; so the bucket is one word moved on by an atomic add (no increment is ever
 * lost), read without a lock: CPUs deciding on one container at the same instant may each let
 * one event more through, and a bucket restarted after an idle time may lose one interval.
 */
static __always_inline bool throttled(__u32 pidns, __u32 sc, __u64 ts)
{
	__u32 key = pidns == host_pidns ? CC_RL_HOST : pidns;
	__u64 now = cc_rl_time(ts), tat, base;
	struct cc_bucket *b = bpf_map_lookup_elem(&buckets, &key);

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

static __always_inline void send(void *rec, __u64 size)
{
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes
			      ? BPF_RB_FORCE_WAKEUP
			      : BPF_RB_NO_WAKEUP;

	count(CC_CNT_SEEN);
	if (bpf_ringbuf_output(&events, rec, size, flags)) {
		__u64 cg = bpf_get_current_cgroup_id(), one = 1, *v;

		count(CC_CNT_LOST);
		v = bpf_map_lookup_elem(&lost_by_cgroup, &cg);
		/* another CPU may insert the same cgroup between the lookup and the insert: then
		   add to its entry. What the LRU evicts, user space reports as unattributed. */
		if (!v && bpf_map_update_elem(&lost_by_cgroup, &cg, &one, BPF_NOEXIST))
			v = bpf_map_lookup_elem(&lost_by_cgroup, &cg);
		if (v)
			__sync_fetch_and_add(v, 1);
	}
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

/*
 * The filters, then what they need of the event; NULL when one drops it. What only the record
 * needs is read by fill(), once the path filters passed it too: a rejected event costs no more
 * than its filters. The arguments come from the task's saved registers, so no enter/exit pairing
 * is needed.
 */
static __always_inline struct scratch *begin_task(__u32 slot, enum cc_syscall sc, long ret,
						  struct pt_regs **regs, bool btf)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, pidns, ns_tgid = 0;
	bool host, limit_first;
	struct task_struct *task;
	struct scratch *s;
	__u64 ts, cg;
	__u16 status;

	if (drop_early(tgid, ret))
		goto filtered;

	task = current_task(btf);
	if (!TLOAD(btf, task, nsproxy))
		goto filtered; /* an exiting task */
	if (host_pid_initial && TLOAD(btf, task, group_leader, thread_pid, level) == 0) {
		pidns = host_pidns; /* no load needed */
		ns_tgid = tgid;
	} else {
		pidns = active_pidns(task, &ns_tgid, btf);
	}
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
		if (targ_tally_calls & (1u << sc))
			tally_call(sc, ret, cg);
		if (!(targ_stream & (1u << sc)) ||
		    (!targ_stream_failed && ret < 0 && (sc != CC_SYS_CLOSE || ret == -CC_EBADF)))
			goto filtered;
	}
	if (targ_rl_interval && !limit_first && !targ_npaths && sc < CC_SYS_MAX &&
	    throttled(pidns, sc, ts))
		goto filtered;
	s = bpf_map_lookup_elem(&scratch_map, &slot);
	if (!s)
		return NULL;
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
	*regs = task_regs(task, btf);
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
		return begin_task(slot, sc, ret, regs, true);
	return begin_task(slot, sc, ret, regs, false);
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
 * caller's memory after the call with tracepoints: relative paths as given): whether the event
 * passes. An open whose path could not be read passes (nothing known excludes it). The
 * descriptor of an excluded open is remembered so that its close is dropped too; one made
 * again by a passing open is forgotten.
 */
static __always_inline bool paths_pass(struct scratch *s)
{
	struct cc_fd_key k = {.tgid = s->ev.pid, .fd = s->ev.fd};
	__u32 sc = s->ev.syscall;
	bool pass = !targ_path_include;
	__u8 one = 1;

	if (sc == CC_SYS_CLOSE)
		return !targ_path_fds || bpf_map_delete_elem(&excluded_fds, &k) != 0;
	if (sc != CC_SYS_OPEN && sc != CC_SYS_OPENAT && sc != CC_SYS_OPENAT2)
		return true;
	if (s->ev.status & CC_ST_TAIL_UNREADABLE) {
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
	if (targ_path_fds && s->ev.ret >= 0) {
		if (pass)
			bpf_map_delete_elem(&excluded_fds, &k);
		else
			bpf_map_update_elem(&excluded_fds, &k, &one, BPF_ANY);
	}
	return pass;
}

static __always_inline void finish(struct scratch *s)
{
	__u32 len = s->ev.tail_len;

	/* with path filters, the limit comes after them: an excluded open takes no token */
	if (targ_npaths) {
		if (!paths_pass(s))
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

static __always_inline void read_path(struct scratch *s, const char *upath)
{
	long n = bpf_probe_read_user_str(s->tail, sizeof(s->tail), upath);

	if (n <= 0) {
		s->ev.status |= CC_ST_TAIL_UNREADABLE;
		return;
	}
	s->ev.tail_len = n - 1;
	if (n == sizeof(s->tail) && s->ev.ret == -CC_ENAMETOOLONG)
		s->ev.status |= CC_ST_TAIL_TRUNCATED;
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

SEC("tracepoint/syscalls/sys_exit_open")
int exit_open(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs;
	struct scratch *s = begin(SLOT_TP_OPEN, CC_SYS_OPEN, ctx->ret, &regs);

	if (!s)
		return 0;
	read_path(s, (const char *)SYSARG(regs, 1));
	set_open(s, AT_FDCWD, (__u32)SYSARG(regs, 2), (__u16)SYSARG(regs, 3));
	finish(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs;
	struct scratch *s = begin(SLOT_TP_OPENAT, CC_SYS_OPENAT, ctx->ret, &regs);

	if (!s)
		return 0;
	read_path(s, (const char *)SYSARG(regs, 2));
	set_open(s, (int)SYSARG(regs, 1), (__u32)SYSARG(regs, 3), (__u16)SYSARG(regs, 4));
	finish(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs;
	struct scratch *s = begin(SLOT_TP_OPENAT2, CC_SYS_OPENAT2, ctx->ret, &regs);
	struct open_how how = {};

	if (!s)
		return 0;
	read_path(s, (const char *)SYSARG(regs, 2));
	/* struct open_how's fields are 64 bits wide: the kernel refuses any it does not know */
	if (bpf_probe_read_user(&how, sizeof(how), (void *)SYSARG(regs, 3))) {
		how.flags = how.mode = how.resolve = 0;
		s->ev.status |= CC_ST_HOW_UNREADABLE;
	}
	set_open(s, (int)SYSARG(regs, 1), how.flags, (__u32)how.mode);
	s->ev.resolve = how.resolve;
	finish(s);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_close")
int exit_close(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs;
	struct scratch *s = begin(SLOT_TP_CLOSE, CC_SYS_CLOSE, ctx->ret, &regs);

	if (!s)
		return 0;
	s->ev.fd = (int)SYSARG(regs, 1); /* close(unsigned int fd) */
	finish(s);
	return 0;
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

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs;
	struct scratch *s = begin(SLOT_TP_CONNECT, CC_SYS_CONNECT, ctx->ret, &regs);

	if (!s)
		return 0;
	s->ev.fd = (int)SYSARG(regs, 1);
	read_uaddr(s, (const void *)SYSARG(regs, 2), (int)SYSARG(regs, 3));
	finish(s);
	return 0;
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

static __always_inline int exit_accept_common(struct trace_event_raw_sys_exit *ctx,
					      enum cc_syscall sc, __u32 slot)
{
	long ret = ctx->ret; /* read the context once: the verifier refuses a moved ctx pointer */
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
	return exit_accept_common(ctx, CC_SYS_ACCEPT, SLOT_TP_ACCEPT);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return exit_accept_common(ctx, CC_SYS_ACCEPT4, SLOT_TP_ACCEPT4);
}

/* cgroup v2 directories as they come and go, so short-lived containers are still named. */
static __always_inline int cgroup_record(struct cgroup *cgrp, const char *path, __u32 type)
{
	struct cg_scratch *s;
	__u32 zero = 0;
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
	bpf_get_current_comm(s->ev.comm, sizeof(s->ev.comm));
	n = bpf_probe_read_kernel_str(s->tail, sizeof(s->tail), path);
	if (n > 0)
		s->ev.tail_len = n - 1;
	/* the tracepoint's path is the kernel's copy in a TRACE_CGROUP_PATH_LEN buffer, cut
	   silently: a path that fills it may be cut, and user space resolves it by id instead */
	if (n >= CC_CGROUP_TP_PATH_LEN)
		s->ev.status |= CC_ST_TAIL_TRUNCATED;
	if (bpf_ringbuf_output(&events, s, sizeof(s->ev) + (s->ev.tail_len & (CC_TAIL_MAX - 1)), 0))
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
/* The other attach modes: the kernel's own functions (fentry) and 32-bit calls (--compat). */
#include "attach_fentry.bpf.h"
#include "attach_compat.bpf.h"
