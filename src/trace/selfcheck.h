/*
 * The attach self-check: once the programs are attached, the tracer's own thread makes one call of
 * each kind and reads, from the counters the programs keep for that thread (bpf/selfcheck.bpf.h),
 * whether each program of bpf/hooks.h ran for it. A program that did not (its function renamed,
 * inlined where the call passes, a hook that never fires) is found before tracing starts, not in
 * a trace that misses its calls.
 */
#ifndef CC_SELFCHECK_H
#define CC_SELFCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "bpf/hooks.h"

struct copenclose_bpf;

/* The check's calls, as bits: 1 << enum cc_syscall, and creat(2) (reported as the open it is). */
#define SELFCHECK_CREAT (1u << CC_SYS_MAX)

/* The program's name of hook h ("fx_filp_open"), or NULL out of range. */
const char *selfcheck_hook_name(int h);

/* The hook of a program's name (a copy of a program, NAME_N, has its program's), or -1 for a
   program the check does not exercise. */
int selfcheck_hook_of(const char *prog_name);

/* The check's calls (bits as above) that must run hook h, each made as selfcheck_calls makes it. */
unsigned int selfcheck_calls_of(int h);

/*
 * Pure: the first hook that is loaded, that one of the calls made must have run (made: the bits
 * of the calls that had the outcome the check expects), and whose counter is 0; -1 when none.
 */
int selfcheck_silent(const bool loaded[CC_HOOKS], const uint64_t hits[CC_HOOKS], unsigned int made);

/*
 * Pure: into buf, what a silent hook means: "the program NAME on SEC did not run for the tracer's
 * own open, openat and openat2 calls" (the calls made that must have run it).
 */
void selfcheck_why(int h, const char *sec, unsigned int made, char *buf, size_t size);

/*
 * One call of each kind from the calling thread, nothing left behind: openat, open and openat2 of
 * "/" (a directory every system has), creat(2) of "" (refused before any file is touched),
 * close, and on a unix socket of the abstract namespace (any network namespace has it, no file)
 * connect, accept4 and a non-blocking accept with nothing waiting. The bits of the calls that
 * had the outcome the hooks' table expects (a kernel without openat2 has no bit for it).
 */
unsigned int selfcheck_calls(void);

/*
 * The check on a loaded, attached skeleton: the counters zeroed, the calls made with the counting
 * on for this thread only, then judged. 0 when every program exercised ran; -ENOENT for a silent
 * one, with why (selfcheck_why); *checked the programs judged, *ms the time the check took.
 * The test hook COPENCLOSE_TEST_SILENT=NAME (trace/optional.c) leaves program NAME unattached.
 */
int selfcheck_run(struct copenclose_bpf *skel, char *why, size_t size, int *checked, double *ms);

#endif
