/* The receiver of gVisor's runtime monitoring: a unix socket that runsc's remote sink connects
 * to (one connection per sandbox), read by a thread of its own into a bounded queue of events. */
#ifndef CC_GVISOR_LISTEN_H
#define CC_GVISOR_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "enrich/engine_state.h"
#include "enrich/identity.h"

#define GVISOR_CONNS_MAX   64	       /* sandboxes connected at once; more are refused */
#define GVISOR_QUEUE_MAX   8192	       /* events waiting for the consumer, at most */
#define GVISOR_QUEUE_BYTES (16u << 20) /* and bytes of them */

/* What the receiver counted (each a running total). */
struct gvisor_stats {
	uint64_t connections;	  /* sandboxes that connected and shook hands */
	uint64_t refused;	  /* connections refused: too many, or a handshake that failed */
	uint64_t points;	  /* events queued */
	uint64_t ignored;	  /* messages of other points (or of a call's entry) */
	uint64_t malformed;	  /* messages that did not parse */
	uint64_t oversized;	  /* messages longer than GVISOR_MSG_MAX */
	uint64_t queue_full;	  /* events dropped: the queue was full */
	uint64_t sandbox_dropped; /* points the sandboxes' sinks said they dropped */
};

struct gvisor_listener;

/*
 * A socket bound at path (a stale socket there, which nobody listens on, is replaced; anything
 * else there is refused: -EADDRINUSE), listening, owner-only; names read from dirs (kept by
 * pointer). 0 or -errno.
 */
int gvisor_listen_open(struct gvisor_listener **out, const char *path,
		       const struct engine_dirs *dirs);

/* The thread started: 0 or -errno. */
int gvisor_listen_start(struct gvisor_listener *g);

/* Readable while events wait (an eventfd, for the consumer's epoll). */
int gvisor_listen_fd(const struct gvisor_listener *g);

/* What fn is handed: an event (its tail after it), the container it is of, and when it was made
   (CLOCK_REALTIME, 0 when the sandbox did not say). */
typedef void (*gvisor_take_fn)(void *ctx, struct cc_event *ev, size_t size,
			       const struct container_info *ci, int64_t time_ns);

/* The events waiting handed to fn, in order, max at most: how many. */
size_t gvisor_listen_take(struct gvisor_listener *g, size_t max, gvisor_take_fn fn, void *ctx);

void gvisor_listen_stats(struct gvisor_listener *g, struct gvisor_stats *st);

/* The thread stopped, every connection closed, the socket removed, the events left freed. */
void gvisor_listen_free(struct gvisor_listener *g);

#endif
