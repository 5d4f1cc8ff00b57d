/* Which BPF programs load in each attach mode, and whether this kernel has what they need. */
#ifndef CC_ATTACH_H
#define CC_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct bpf_object;
struct btf;

/* The kernel's own "not supported" (ENOTSUPP, not ENOTSUP), which user space has no name for. */
#define CC_ENOTSUPP 524

/* Why fentry cannot work where the kernel has no ftrace direct calls (fits the 128 bytes of what).
 */
#define ATTACH_NO_DIRECT_CALLS                                                                     \
	"BPF trampolines cannot attach to kernel functions: no ftrace direct calls "               \
	"(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS, arm64 6.4+)"

/* Whether name is a program of the fentry mode that the mode works without (io_uring's, the
   32-bit close's: a blind spot when the kernel lacks or refuses it). */
bool attach_optional(const char *name);

/* "tracepoint", "fentry", "auto". */
const char *attach_mode_name(enum attach_mode mode);

/*
 * Whether the kernel (its BTF) can attach BPF trampolines (fentry, fexit, lsm) to its own
 * functions: it has ftrace's direct calls (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS), whose
 * registration function BTF names (register_ftrace_direct, or register_ftrace_direct_multi in
 * 5.16 to 6.5), or else /proc/kallsyms (5.10's BTF has no entry for it). Without them (arm64
 * before 6.4: its trampolines came in 6.0, the direct calls to reach them from a function's entry
 * in 6.4) such an attach fails with ENOTSUPP (524).
 */
bool attach_direct_calls(const struct btf *vmlinux);

/*
 * Pure: into buf, why a trampoline did not attach with err (-errno), direct_calls being
 * attach_direct_calls()'s answer: ATTACH_NO_DIRECT_CALLS for ENOTSUPP where they lack.
 */
void attach_trampoline_why(int err, bool direct_calls, char *buf, size_t size);

/*
 * Turn on the programs of mode (ATTACH_TRACEPOINT or ATTACH_FENTRY) for the system calls in
 * cfg->syscalls, every other one off, before the object is loaded. In the fentry mode a kernel
 * that cannot load or attach a trampoline gives its -errno, and a kernel function an essential
 * program needs that this kernel lacks gives -ENOENT, each with what failed in what; an optional
 * one (io_uring's, the 32-bit close) is only left off and named in blind (", "-separated). 0 or
 * -errno.
 */
int attach_select(struct bpf_object *obj, const struct config *cfg, enum attach_mode mode,
		  char *what, size_t what_size, char *blind, size_t blind_size);

/*
 * Opens the tracer's own object, selects mode's programs for every system call, loads and
 * attaches them, runs the tracer's self-check with the caller's own calls (selfcheck.h), then
 * releases everything (doctor: the tracer's --attach auto gets what this
 * gets). 0, or -errno with why set to the tracer's own words; blind as attach_select's.
 */
int attach_trial(enum attach_mode mode, char *why, size_t why_size, char *blind, size_t blind_size);

#endif
