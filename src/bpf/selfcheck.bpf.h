/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The attach self-check's counters (trace/selfcheck.c): once attached, the tracer's own thread
 * sets selfcheck_tid, makes one call of each kind and reads here which programs ran for it. Each
 * program of hooks.h counts at its first instruction, before any filter (its events are the
 * tracer's own, which the self filter drops: nothing of them is sent or counted as seen). Out of
 * the check, selfcheck_tid is 0 and a program pays one load and one branch. Included by
 * copenclose.bpf.c.
 */

volatile __u32 selfcheck_tid = 0;
__u64 selfcheck_hits[CC_HOOKS] = {};

#define HOOK_HIT(name) hook_hit(CC_HOOK_##name)

static __always_inline void hook_hit(__u32 hook)
{
	__u32 tid = selfcheck_tid;

	/* only the checking thread's calls, one at a time: no other writer */
	if (tid && tid == (__u32)bpf_get_current_pid_tgid() && hook < CC_HOOKS)
		selfcheck_hits[hook]++;
}
