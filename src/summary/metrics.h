/* The /metrics HTTP endpoint: libmicrohttpd's own thread renders the last snapshot per scrape. */
#ifndef CC_METRICS_H
#define CC_METRICS_H

#include <stddef.h>
#include <sys/socket.h>

#include "format/strbuf.h"
#include "summary/expo.h"
#include "summary/summary.h"

struct metrics;

/*
 * "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (127.0.0.1) with numeric addresses only, into sa and
 * len; 0 or -EINVAL.
 */
int metrics_parse_addr(const char *s, struct sockaddr_storage *sa, socklen_t *len);

/* Listen on addr (as metrics_parse_addr takes it); 0 or -errno (-EADDRINUSE, -EINVAL, ...). */
int metrics_start(const char *addr, struct metrics **out);

/*
 * What is served from now on: s's rows (summary_snapshot) and st, copied before the lock, which
 * is held only to swap a pointer; the HTTP thread renders the exposition from them on each
 * scrape, so the caller (the consumer thread) never renders. 0 or -ENOMEM (the last one stays).
 */
int metrics_publish(struct metrics *m, const struct summary *s, const struct expo_state *st);

/* Stop the thread (waits for requests in flight) and free; NULL is fine. */
void metrics_stop(struct metrics *m);

#endif
