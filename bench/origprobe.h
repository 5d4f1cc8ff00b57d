/* The event the original-approach probe sends through its perf buffer, shared by both sides. */
#ifndef ORIGPROBE_H
#define ORIGPROBE_H

#define ORIG_COMM_LEN	  16
#define ORIG_HOSTNAME_LEN 64
#define ORIG_NR_MAX	  8

struct orig_event {
	__u64 ts_ns;
	__u64 cgroup_id;
	__u32 pid;
	__u32 uid;
	__u32 gid;
	__u32 nr;
	char comm[ORIG_COMM_LEN];
	char hostname[ORIG_HOSTNAME_LEN];
};

#endif
