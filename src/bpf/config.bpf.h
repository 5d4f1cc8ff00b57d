/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tracer's settings: the filters, the tally, --rate-limit and the path filters, each a
 * constant of the read-only data that user space sets before load. Included by copenclose.bpf.c.
 */

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
