/* The tracing session: checks, skeleton lifecycle, filters, the poll loop, loss accounting. */
#ifndef CC_TRACER_H
#define CC_TRACER_H

#include <signal.h>

#include "config.h"

/* Exit statuses of the tracer. */
enum tracer_exit {
	TRACER_OK = 0,
	TRACER_FAILED = 1, /* environment or setup failure, one line on stderr */
	TRACER_USAGE = 2,  /* bad option value found late (a container or cgroup not found) */
	TRACER_LOST = 3,   /* --fail-on-loss and events were lost or left unread */
};

/*
 * Trace until *stop is set (by a signal), the duration expires or stdout closes; each time
 * *report is set (SIGUSR1) write the leak report and clear it. Prints its own one-line errors and
 * the closing counters on stderr; returns an enum tracer_exit.
 */
int tracer_run(const struct config *cfg, volatile sig_atomic_t *stop,
	       volatile sig_atomic_t *report);

struct summary;

/*
 * A view that takes the place of the event lines (`top`): the kernel tallies every call and
 * streams only opens (for their paths); every interval the rows are updated and tick() shows them.
 */
struct tracer_view {
	void *ctx;
	double interval; /* seconds between two ticks */
	int key_fd;	 /* polled for input (a terminal's keys), or -1 */
	/* the rows after an interval of seconds; final is 1 once, after detach; non-zero ends */
	int (*tick)(void *ctx, struct summary *sum, double seconds, int final);
	/* key_fd is readable; non-zero ends the session */
	int (*key)(void *ctx);
};

/* tracer_run() with a view (NULL: the event lines). */
int tracer_run_view(const struct config *cfg, volatile sig_atomic_t *stop,
		    volatile sig_atomic_t *report, const struct tracer_view *view);

#endif
