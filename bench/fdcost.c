/* What the descriptor table adds to the tracer's own work per open+close pair, in CPU time. */
/*
 * Usage: fdcost PAIRS ROUNDS
 * Formats PAIRS open and close events as JSON lines, as the tracer does, once without the table
 * and once with it (open recorded, close taken out and written with what it closed), in
 * alternating rounds, with 1000 descriptors of other processes resident in the table. Prints
 * the median CPU ns per pair of each and their ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace/fdlife.h"

/* An event with room for its tail: a union, as a struct with a flexible array member may not
 * be followed by another member (clang's -Wgnu-variable-sized-type-not-at-end). */
struct rec {
	union {
		struct cc_event ev;
		char bytes[sizeof(struct cc_event) + 32];
	};
};

static double fdcost_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void fdcost_event(struct rec *r, enum cc_syscall sc, long ret, int fd, uint64_t ts)
{
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.type = CC_REC_SYSCALL;
	r->ev.syscall = sc;
	r->ev.ts_ns = ts;
	r->ev.cgroup_id = 4711;
	r->ev.pid = r->ev.tid = 1234;
	r->ev.ret = ret;
	r->ev.fd = fd;
	r->ev.flags = 02000000;
	strcpy(r->ev.comm, "load");
	strcpy(r->ev.hostname, "web");
	if (sc == CC_SYS_OPENAT) {
		memcpy(r->ev.tail, "/dev/null", 9);
		r->ev.tail_len = 9;
	}
}

/* One round: pairs open+close events formatted, with the table when l is set; CPU ns per pair. */
static double fdcost_round(struct fdlife *l, struct output *o, long pairs)
{
	struct rec open, close;
	double t0 = fdcost_cpu_ns();

	for (long i = 0; i < pairs; i++) {
		struct fd_entry *closed = NULL;
		struct fd_origin origin;

		fdcost_event(&open, CC_SYS_OPENAT, 3, 3, 2 * i);
		if (l)
			fdlife_event(l, &open.ev, sizeof(open.ev) + open.ev.tail_len);
		output_event_closing(o, &open.ev, sizeof(open.ev) + open.ev.tail_len, NULL, NULL);
		fdcost_event(&close, CC_SYS_CLOSE, 0, 3, 2 * i + 1);
		if (l && (closed = fdlife_event(l, &close.ev, sizeof(close.ev))))
			fdlife_origin(closed, &origin);
		output_event_closing(o, &close.ev, sizeof(close.ev), NULL, closed ? &origin : NULL);
		fdtable_release(closed);
		o->buf.len = 0;
	}
	return (fdcost_cpu_ns() - t0) / (double)pairs;
}

static int fdcost_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long pairs = argc > 1 ? atol(argv[1]) : 0, rounds = argc > 2 ? atol(argv[2]) : 0;
	double *with, *without;
	struct output o;
	struct fdlife l;

	if (pairs <= 0 || rounds <= 0 || rounds > 1000) {
		fputs("usage: fdcost PAIRS ROUNDS\n", stderr);
		return 2;
	}
	with = calloc((size_t)rounds, sizeof(double));
	without = calloc((size_t)rounds, sizeof(double));
	if (!with || !without || fdlife_init(&l, NULL)) {
		fputs("fdcost: out of memory\n", stderr);
		return 1;
	}
	for (int p = 0; p < 1000; p++) { /* other processes' descriptors, resident */
		struct rec r;

		fdcost_event(&r, CC_SYS_OPENAT, 5, 5, 0);
		r.ev.pid = 100000 + p;
		fdlife_event(&l, &r.ev, sizeof(r.ev) + r.ev.tail_len);
	}
	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	for (long r = 0; r < rounds; r++) {
		without[r] = fdcost_round(NULL, &o, pairs);
		with[r] = fdcost_round(&l, &o, pairs);
	}
	qsort(with, (size_t)rounds, sizeof(double), fdcost_cmp);
	qsort(without, (size_t)rounds, sizeof(double), fdcost_cmp);
	printf("with_ns_pair=%.0f without_ns_pair=%.0f ratio=%.3f\n", with[rounds / 2],
	       without[rounds / 2], with[rounds / 2] / without[rounds / 2]);
	output_free(&o);
	fdlife_free(&l);
	free(with);
	free(without);
	return 0;
}
