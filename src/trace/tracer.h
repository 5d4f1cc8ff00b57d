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
	TRACER_LOST = 3,   /* --fail-on-loss and events were lost */
};

/*
 * Trace until *stop is set (by a signal), the duration expires or stdout closes; each time
 * *report is set (SIGUSR1) write the leak report and clear it. Prints its own one-line errors and
 * the closing counters on stderr; returns an enum tracer_exit.
 */
int tracer_run(const struct config *cfg, volatile sig_atomic_t *stop,
	       volatile sig_atomic_t *report);

#endif
