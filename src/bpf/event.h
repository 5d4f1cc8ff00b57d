/* The records the kernel side writes to the ring buffer: the one contract both sides compile. */
#ifndef CC_EVENT_H
#define CC_EVENT_H

#ifdef __bpf__
/* vmlinux.h provides the __u* types in the BPF build */
#else
#include <linux/types.h>
#include <stddef.h>
#endif

#define CC_COMM_LEN 16
#define CC_HOST_LEN 65
#define CC_PATH_MAX 4096
#define CC_ADDR_MAX 128 /* sizeof(struct sockaddr_storage) */
#define CC_TAIL_MAX CC_PATH_MAX

/* What a record is: the first field of every record. */
enum cc_record_type {
	CC_REC_SYSCALL = 1,
	CC_REC_CGROUP_MKDIR = 2,
	CC_REC_CGROUP_RMDIR = 3,
	CC_REC_PROC_EXIT = 4, /* a struct cc_event: the last thread of a process exited */
	CC_REC_PROC_EXEC = 5, /* a struct cc_event: a process exec'd (its O_CLOEXEC fds ended) */
};

/* The traced system calls; the order is the index of syscalls.c's table. */
enum cc_syscall {
	CC_SYS_OPEN = 0,
	CC_SYS_OPENAT,
	CC_SYS_OPENAT2,
	CC_SYS_CLOSE,
	CC_SYS_CONNECT,
	CC_SYS_ACCEPT,
	CC_SYS_ACCEPT4,
	CC_SYS_MAX,
};

/* How a traced call reached the kernel (cc_event.via). */
enum cc_via {
	CC_VIA_SYSCALL = 0, /* a 64-bit system call */
	CC_VIA_IO_URING,    /* an io_uring operation (IORING_OP_OPENAT, ...) */
	CC_VIA_IA32,	    /* a 32-bit system call (int 0x80, or a 32-bit program) */
	CC_VIA_GVISOR,	    /* reported by gVisor's runtime monitoring (user space only) */
};

/* cc_event.status bits */
enum cc_status {
	CC_ST_TAIL_UNREADABLE = 1 << 0, /* the path or address could not be read */
	CC_ST_TAIL_TRUNCATED = 1 << 1,	/* it was longer than the record holds */
	CC_ST_HOST =
		1 << 2, /* the host's, by the host rule as the kernel judged it (what -I drops) */
	CC_ST_HAS_MODE = 1 << 3,       /* open with O_CREAT or O_TMPFILE: mode is set */
	CC_ST_HAS_DIRFD = 1 << 4,      /* openat/openat2 with a dirfd other than AT_FDCWD */
	CC_ST_HOW_UNREADABLE = 1 << 5, /* openat2's struct open_how could not be read */
	CC_ST_PIDNS_HOST = 1 << 6,     /* the task is in the host's pid namespace */
	CC_ST_HOST_UNSURE = 1 << 7, /* in it, but the kernel knew nothing of its cgroup: user space
				       decides (the cgroup's verdict was not in cg_verdict) */
	CC_ST_USERNS = 1 << 8,	    /* in the host's pid namespace with a user namespace of its own
				       (gVisor's sandbox): always CC_ST_HOST_UNSURE */
};

/*
 * The host rule: an event is the host's when its task is in the host's pid namespace and its
 * cgroup is not a container's. The cgroup half is user space's verdict, kept for the kernel in
 * the cg_verdict map (cgroup id -> one of these).
 */
enum cc_cg_verdict {
	CC_CG_HOST = 1,
	CC_CG_CONTAINER = 2,
};
#define CC_CG_VERDICTS 16384

/*
 * One traced system call; also a process's exit or exec (type CC_REC_PROC_EXIT or _EXEC, with
 * syscall CC_SYS_MAX, ret 0, fd -1 and no tail), which end the descriptors the process held. A
 * variable tail follows the fixed part: the path for the open family, the socket address (struct
 * sockaddr bytes) for connect and accept.
 */
struct cc_event {
	__u32 type;	 /* CC_REC_SYSCALL */
	__u32 syscall;	 /* enum cc_syscall */
	__u64 ts_ns;	 /* CLOCK_MONOTONIC at sys_exit */
	__u64 cgroup_id; /* cgroup v2 id */
	__s64 ret;	 /* the return value: fd, 0 or -errno */
	__u64 flags;	 /* open flags, accept4 flags */
	__u64 resolve;	 /* openat2 resolve flags */
	__u32 pid;	 /* tgid as the host sees it */
	__u32 tid;
	__u32 ppid; /* the real parent's tgid */
	__u32 uid;
	__u32 gid;
	__u32 ns_pid; /* tgid as seen inside the task's own pid namespace */
	__u32 pidns;  /* namespace inode numbers */
	__u32 mntns;
	__u32 utsns;
	__u32 cgroupns;
	__s32 fd;     /* the fd this call created or closed, or the socket of connect; -1 if none */
	__s32 dirfd;  /* openat/openat2 dirfd when CC_ST_HAS_DIRFD */
	__u32 mode;   /* open mode when CC_ST_HAS_MODE */
	__u16 status; /* enum cc_status bits */
	__u16 tail_len; /* bytes of tail that follow, without a terminating NUL */
	char comm[CC_COMM_LEN];
	char hostname[CC_HOST_LEN];
	__u8 via; /* enum cc_via: how the call was made */
	__u8 pad[6];
	char tail[]; /* path or sockaddr */
};

/* At most this many bytes of systemd-nspawn's arguments come with a cgroup it created. */
#define CC_NSPAWN_ARGS_MAX 1024

/*
 * A cgroup created or removed in the v2 hierarchy; tail is its path inside the hierarchy. A
 * cgroup systemd-nspawn created (its comm) has the creator's arguments (NUL-separated, args_len
 * bytes, cut at CC_NSPAWN_ARGS_MAX) after the path and its NUL: they name the machine, read
 * while the creator is sure to be alive.
 */
struct cc_cgroup_event {
	__u32 type; /* CC_REC_CGROUP_MKDIR or CC_REC_CGROUP_RMDIR */
	__u32 level;
	__u64 ts_ns;
	__u64 cgroup_id;
	__u16 tail_len;
	__u16 status; /* CC_ST_TAIL_TRUNCATED */
	__u16 args_len;
	__u16 pad;
	char comm[CC_COMM_LEN]; /* the task that created or removed the cgroup */
	char tail[];
};

/* The kernel's counters, one per-CPU array slot each. */
enum cc_counter {
	CC_CNT_SEEN = 0,   /* events that passed every filter and were to be sent */
	CC_CNT_LOST,	   /* of those, the ring buffer had no room for */
	CC_CNT_CG_LOST,	   /* cgroup records the ring buffer had no room for */
	CC_CNT_PROC_LOST,  /* exit and exec records the ring buffer had no room for */
	CC_CNT_TALLY_FULL, /* calls not tallied: the tally map was full */
	CC_CNT_THROTTLED,  /* events --rate-limit suppressed (not in CC_CNT_SEEN) */
	CC_CNT_MAX,
};

/*
 * The key of the in-kernel tally (`top` and --metrics): calls per cgroup, system call and
 * result, summed in a per-CPU hash that user space reads every interval. mntns is the mount
 * namespace's inode number of a task in a pid namespace of its own, or in the host's with a user
 * namespace of its own (a gVisor sandbox, its stubs and gofer, which stay in the host's cgroup on
 * a hybrid host; rootless podman's containers), 0 for the host's other tasks: user space counts
 * such calls in the row of the container its mount namespace names where the cgroup is no
 * container's, as it names their events.
 */
struct cc_tally_key {
	__u64 cgroup_id;
	__u32 syscall; /* enum cc_syscall */
	__u32 err;     /* 0 for a call that succeeded, else its errno */
	__u32 mntns;
	__u32 pad;
};

#define CC_TALLY_ENTRIES 16384

/*
 * --rate-limit's bucket of one container: the host's (key CC_RL_HOST), a pid namespace's (key
 * its inode number), or, for a task in the host's pid namespace with a user namespace of its
 * own (a gVisor sandbox and its stubs), its mount namespace's (its inode number: namespaces of
 * every type take their numbers from one allocator, so no pid namespace has it), in an LRU
 * hash. tat is the bucket (bpf/ratelimit.h); throttled counts the events it suppressed by
 * system call; cgroup_id and mntns are the cgroup and mount namespace of the last of them, which
 * name the container (user space names by the mount namespace a container with no cgroup of its
 * own, as it names its events).
 */
struct cc_bucket {
	__u64 tat;
	__u64 cgroup_id;
	__u32 mntns;
	__u32 pad;
	__u64 throttled[CC_SYS_MAX];
};

#define CC_BUCKETS 4096

/*
 * --path and --exclude-path: a prefix of open paths as 8-byte words (little-endian loads of the
 * path), its last word masked to its length; excludes come first.
 */
#define CC_PREFIXES	16
#define CC_PREFIX_MAX	256 /* bytes of a prefix, at most (no NUL) */
#define CC_PREFIX_WORDS (CC_PREFIX_MAX / 8)
struct cc_prefix {
	__u64 w[CC_PREFIX_WORDS];
	__u64 last_mask; /* the bytes of the last word that are the prefix's */
	__u32 nwords;	 /* 1 to CC_PREFIX_WORDS */
	__u32 exclude;
};

/* An open that --path or --exclude-path dropped, so that its close is dropped too. */
struct cc_fd_key {
	__u32 tgid;
	__s32 fd;
};
#define CC_EXCLUDED_FDS 65536

#ifndef __bpf__
_Static_assert(sizeof(struct cc_event) == 192, "cc_event layout changed");
_Static_assert(offsetof(struct cc_event, comm) == 104, "comm offset");
_Static_assert(offsetof(struct cc_event, tail) == 192, "tail offset");
_Static_assert(offsetof(struct cc_event, via) == 185, "via offset");
_Static_assert(sizeof(struct cc_cgroup_event) == 48, "cc_cgroup_event layout changed");
_Static_assert(offsetof(struct cc_event, type) == 0, "type first");
_Static_assert(sizeof(struct cc_tally_key) == 24, "cc_tally_key layout changed");
_Static_assert(sizeof(struct cc_bucket) == 24 + 8 * CC_SYS_MAX, "cc_bucket layout changed");
_Static_assert(sizeof(struct cc_prefix) == 8 * CC_PREFIX_WORDS + 16, "cc_prefix layout changed");
_Static_assert(offsetof(struct cc_cgroup_event, type) == 0, "type first");
#endif

#endif
