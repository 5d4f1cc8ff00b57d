/* The /metrics HTTP endpoint: libmicrohttpd's own thread serves the last snapshot. */
#ifndef CC_METRICS_H
#define CC_METRICS_H

#include <stddef.h>
#include <sys/socket.h>

#include "format/strbuf.h"

struct metrics;

/*
 * "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (127.0.0.1) with numeric addresses only, into sa and
 * len; 0 or -EINVAL.
 */
int metrics_parse_addr(const char *s, struct sockaddr_storage *sa, socklen_t *len);

/* Listen on addr (as metrics_parse_addr takes it); 0 or -errno (-EADDRINUSE, -EINVAL, ...). */
int metrics_start(const char *addr, struct metrics **out);

/* The text served from now on: copied under the lock the HTTP thread takes. */
int metrics_publish(struct metrics *m, const char *text, size_t len);

/* Stop the thread (waits for requests in flight) and free; NULL is fine. */
void metrics_stop(struct metrics *m);

#endif
