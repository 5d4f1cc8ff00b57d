/*
 * The fentry mode's optional programs (io_uring's, the 32-bit close: attach.c's table) made really
 * optional: one the kernel refuses to load (its verifier, a missing type) or to attach is turned
 * off and named, instead of failing the object.
 */
#ifndef CC_OPTIONAL_H
#define CC_OPTIONAL_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object;
struct bpf_object_skeleton;
struct bpf_program;

#define OPTIONAL_MAX 16	  /* optional programs the table may hold */
#define OPTIONAL_LOG 1024 /* bytes of each one's verifier log: enough to tell it was written */

/* The log buffers the kernel writes only for a program it refuses (libbpf retries the failed
   load with a log): the one whose log is not empty after a failed load is the one refused. */
struct optional_logs {
	struct bpf_program *prog[OPTIONAL_MAX];
	char buf[OPTIONAL_MAX][OPTIONAL_LOG];
	int n;
};

/*
 * Before the object is loaded: turns off the programs named in off (","-separated: refused by an
 * earlier load) and gives every optional program still on a log buffer in logs. The test hook
 * COPENCLOSE_TEST_REFUSE=NAME replaces the instructions of optional program NAME by two the
 * verifier refuses (a read of a register never written), so that a real refusal can be tested on
 * any kernel with the fentry mode; it touches nothing else. Only for a program libbpf relocates
 * nothing in (fx_io_openat2): another fails in libbpf, on its relocations. 0 or -errno.
 */
int optional_prepare(struct bpf_object *obj, const char *off, struct optional_logs *logs);

/* After a failed load: the name of the optional program the kernel refused, or NULL when the
   failure was another program's (then nothing can be turned off). */
const char *optional_refused(const struct optional_logs *logs);

/* Appends name to list (","-separated, as off and the note's list); -ENOSPC when it is full. */
int optional_add(char *list, size_t size, const char *name);

/*
 * Attaches every loaded program of the skeleton, as bpf_object__attach_skeleton does, except that
 * an optional program that fails to attach is left detached and its name appended to refused.
 * 0, or the -errno of the first program that is not optional. The test hook
 * COPENCLOSE_TEST_SILENT=NAME leaves program NAME loaded and unattached, silent as a hook on a
 * function that is never called (the attach self-check, trace/selfcheck.c, must find it).
 */
int optional_attach(struct bpf_object_skeleton *s, char *refused, size_t size);

/* Whether prog ends a system call that other programs began (an fexit program, a tracepoint
   copy at sys_exit): attached first and detached last (session_detach_all), so that no call is
   begun while nothing would end it, which the programs would count lost. */
bool optional_ends_call(const struct bpf_program *prog);

#endif
