/* Which BPF programs load in each attach mode, and whether this kernel has what they need. */
#ifndef CC_ATTACH_H
#define CC_ATTACH_H

#include <stddef.h>

#include "config.h"

struct bpf_object;

/* "tracepoint", "fentry", "auto". */
const char *attach_mode_name(enum attach_mode mode);

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

#endif
