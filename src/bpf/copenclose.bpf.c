// SPDX-License-Identifier: GPL-2.0-only
/* The kernel side, one object: one program per traced system call, filters first, one record
 * out. Each concern is a header of its own, included below. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "event.h"
#include "ratelimit.h"
#include "hooks.h"
#define HAVE_TASK_BTF  bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)
#define HAVE_TASK_REGS bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)
#include "arch.bpf.h"

#define AT_FDCWD	      -100
#define CC_O_CREAT	      0100
#define CC_O_TMPFILE	      020000000
#define CC_CREAT_FLAGS	      (01 | 0100 | 01000) /* creat(2)'s: O_WRONLY|O_CREAT|O_TRUNC */
#define CC_ENAMETOOLONG	      36
#define CC_EBADF	      9
#define AF_UNIX		      1
#define AF_INET		      2
#define AF_INET6	      10
#define CC_CGROUP_TP_PATH_LEN 1024 /* TRACE_CGROUP_PATH_LEN, with its NUL */
#define CC_S_IFMT	      0170000
#define CC_S_IFSOCK	      0140000

char LICENSE[] SEC("license") = "GPL";

/* In this order, each using what the ones before it define. */
#include "config.bpf.h"
#include "maps.bpf.h"
#include "selfcheck.bpf.h"
#include "filters.bpf.h"
#include "record.bpf.h"
/* The tracepoint mode, the records of cgroups and processes (every mode loads them), then the
   other attach modes: the kernel's own functions (fentry) and 32-bit calls (--compat), and the
   tracepoint mode's copies for kernels that run syscall tracepoints preemptibly. */
#include "attach_tp.bpf.h"
#include "lifecycle.bpf.h"
#include "attach_fentry.bpf.h"
#include "attach_compat.bpf.h"
#include "attach_tp_copies.bpf.h"
