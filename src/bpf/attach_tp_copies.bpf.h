/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tracepoint mode where the kernel runs the syscall tracepoints' BPF programs preemptibly
 * (7.x: trace_call_bpf_faultable in its BTF). There a tracepoint program (syscalls:sys_exit_*)
 * runs under one per-CPU guard shared with every tracepoint and kprobe program (bpf_prog_active):
 * while a task is preempted inside any of them, every other task's calls on that CPU are skipped,
 * whatever copies there are. A raw tracepoint program has a guard of its own, per program and
 * CPU, as fentry programs do: so the traced calls are seen at raw_syscalls:sys_enter and
 * sys_exit, each by CC_TP_COPIES programs, and a preempted task holds only the copy it is in.
 * Loaded instead of the syscalls:sys_exit_* programs, only where the kernel needs them
 * (src/trace/attach.c): they run on every system call of the machine, which the per-call
 * tracepoints do not (the cost: tests/vm/README.md).
 *
 * Every copy runs at most once for a call, in an order of its own. The entry copies mark the
 * task's call begun (each of them alike: no matter which ran); the first exit copy to find it
 * begun makes the record, from the saved registers, as the syscalls:sys_exit_* programs do, and
 * marks it ended; the others find it ended and note they ran. An exit copy that finds the call
 * ended and its own mark already set ran for the last call: this one's entry copies were all
 * skipped, and it makes the record itself. An entry copy that finds the last call begun and its
 * own mark set ran for that call: every exit copy of it was skipped, and it is counted lost.
 * Included by copenclose.bpf.c after attach_tp.bpf.h.
 */
#define CC_TP_COPIES 4

enum {
	TPC_IDLE,  /* no traced call seen yet */
	TPC_BEGUN, /* an entry copy ran for the task's traced call */
	TPC_ENDED, /* an exit copy made its record (or the filters dropped it) */
};

struct tp_call {
	__u8 state;  /* TPC_* */
	__u8 enters; /* the entry copies that ran for the call begun */
	__u8 exits;  /* the exit copies that ran for the call ended */
};

/* The current task's traced call: task storage (created only where the copies load). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tp_call);
} tp_calls SEC(".maps");

/* Which traced call a native system call number is (creat as open), or -1. */
static __always_inline int tpc_syscall(long nr)
{
	int sc = -1;

	switch (nr) {
#ifdef NR64_OPEN
	case NR64_OPEN:
	case NR64_CREAT:
		sc = CC_SYS_OPEN;
		break;
#endif
	case NR64_OPENAT:
		sc = CC_SYS_OPENAT;
		break;
	case NR_OPENAT2:
		sc = CC_SYS_OPENAT2;
		break;
	case NR64_CLOSE:
		sc = CC_SYS_CLOSE;
		break;
	case NR64_CONNECT:
		sc = CC_SYS_CONNECT;
		break;
	case NR64_ACCEPT:
		sc = CC_SYS_ACCEPT;
		break;
	case NR64_ACCEPT4:
		sc = CC_SYS_ACCEPT4;
		break;
	}
	return sc >= 0 && (targ_syscalls & (1u << sc)) ? sc : -1;
}

/* The current task's call state when nr is a traced native call, else NULL: all an untraced
   call pays. 32-bit calls are --compat's (attach_compat.bpf.h), as the per-call tracepoints
   skip them. */
static __always_inline struct tp_call *tpc_state(long nr, int *sc)
{
	struct task_struct *t;

	if ((*sc = tpc_syscall(nr)) < 0)
		return NULL;
	t = bpf_get_current_task_btf();
	if (in_ia32(t))
		return NULL;
	return bpf_task_storage_get(&tp_calls, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static __always_inline int tpc_enter(__u32 copy, long nr)
{
	struct tp_call *c;
	int sc;

	if (!(c = tpc_state(nr, &sc)))
		return 0;
	if (c->state == TPC_BEGUN) {
		if (!(c->enters & (1u << copy))) {
			c->enters |= 1u << copy; /* another copy began this call */
			return 0;
		}
		/* this copy began the last call too, and no exit copy ran for it */
		count(CC_CNT_SEEN);
		count_lost();
	}
	c->state = TPC_BEGUN;
	c->enters = 1u << copy;
	return 0;
}

/* The record of the call ending, as its syscalls:sys_exit_* program makes it. */
static __always_inline void tpc_record(__u32 slot, int sc, long nr, long ret)
{
	switch (sc) {
	case CC_SYS_OPEN:
#ifdef NR64_CREAT
		if (nr == NR64_CREAT) {
			tp_creat(slot, ret);
			break;
		}
#endif
		tp_open(slot, ret);
		break;
	case CC_SYS_OPENAT:
		tp_openat(slot, ret);
		break;
	case CC_SYS_OPENAT2:
		tp_openat2(slot, ret);
		break;
	case CC_SYS_CLOSE:
		tp_close(slot, ret);
		break;
	case CC_SYS_CONNECT:
		tp_connect(slot, ret);
		break;
	case CC_SYS_ACCEPT:
		tp_accept(slot, CC_SYS_ACCEPT, ret);
		break;
	case CC_SYS_ACCEPT4:
		tp_accept(slot, CC_SYS_ACCEPT4, ret);
		break;
	}
}

static __always_inline int tpc_exit(__u32 copy, __u32 slot, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	long nr = regs_nr((struct pt_regs *)bpf_task_pt_regs(t));
	struct tp_call *c;
	int sc;

	if (!(c = tpc_state(nr, &sc)))
		return 0;
	if (c->state == TPC_ENDED && !(c->exits & (1u << copy))) {
		c->exits |= 1u << copy; /* another copy ended this call */
		return 0;
	}
	/* begun, or this copy ended the last call too: every entry copy of this one skipped */
	c->state = TPC_ENDED;
	c->exits = 1u << copy;
	tpc_record(slot, sc, nr, ret);
	return 0;
}

#define TP_COPY(n, slot)                                                                           \
	SEC("raw_tp/sys_enter")                                                                    \
	int tpc_enter_##n(struct bpf_raw_tracepoint_args *ctx)                                     \
	{                                                                                          \
		return tpc_enter(n, (long)ctx->args[1]);                                           \
	}                                                                                          \
	SEC("raw_tp/sys_exit")                                                                     \
	int tpc_exit_##n(struct bpf_raw_tracepoint_args *ctx)                                      \
	{                                                                                          \
		return tpc_exit(n, slot, (long)ctx->args[1]);                                      \
	}
TP_COPY(0, SLOT_TPC_0)
TP_COPY(1, SLOT_TPC_1)
TP_COPY(2, SLOT_TPC_2)
TP_COPY(3, SLOT_TPC_3)
