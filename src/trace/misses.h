/* Events the kernel skipped without a trace: BPF programs' recursion misses. */
#ifndef CC_MISSES_H
#define CC_MISSES_H

#include <stdint.h>

struct bpf_object;

/*
 * The sum of the recursion_misses (struct bpf_prog_info, 5.12) of obj's loaded programs that
 * make events (not the cgroup, exit and exec records'): calls the kernel did not run a program
 * for because it was already running on that CPU, as when a task preempted inside it left it
 * there (PREEMPT_RT, preempt=full, preemptible syscall tracepoints). Each is at most one event
 * lost. 0 on kernels that do not count them.
 */
uint64_t misses_read(struct bpf_object *obj);

#define MISSES_WHY                                                                                 \
	"calls the kernel skipped a BPF program for (recursion misses: a task preempted inside "   \
	"it on that CPU)"

#endif
