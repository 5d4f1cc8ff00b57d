// SPDX-License-Identifier: GPL-2.0-only
/* The original copenclose's approach, for comparison: one program on every system call's entry. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "origprobe.h"

char LICENSE[] SEC("license") = "GPL";

/* The system call numbers to report, written by user space before load; -1 marks an unused slot. */
const volatile long targ_nr[ORIG_NR_MAX] = {-1, -1, -1, -1, -1, -1, -1, -1};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int orig_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task;
	struct orig_event ev = {};
	__u64 uid_gid;
	long nr = ctx->id;
	bool wanted = false;

	for (int i = 0; i < ORIG_NR_MAX; i++) {
		if (targ_nr[i] == nr)
			wanted = true;
	}
	if (!wanted)
		return 0;
	uid_gid = bpf_get_current_uid_gid();
	ev.ts_ns = bpf_ktime_get_ns();
	ev.cgroup_id = bpf_get_current_cgroup_id();
	ev.pid = bpf_get_current_pid_tgid() >> 32;
	ev.uid = (__u32)uid_gid;
	ev.gid = uid_gid >> 32;
	ev.nr = nr;
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));
	task = (struct task_struct *)bpf_get_current_task();
	bpf_probe_read_kernel_str(ev.hostname, sizeof(ev.hostname),
				  BPF_CORE_READ(task, nsproxy, uts_ns, name.nodename));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return 0;
}

/* Floors for comparison: an empty program on one system call's exit tracepoint ... */
SEC("tracepoint/syscalls/sys_exit_openat")
int floor_tp(void *ctx)
{
	return 0;
}

/* ... and an empty raw tracepoint program, which runs on every system call's exit. */
SEC("raw_tp/sys_exit")
int floor_raw_tp(void *ctx)
{
	return 0;
}
