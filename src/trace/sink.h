/* The writer of formatted events to stdout: partial writes, a closed or stalled reader, counts. */
#ifndef CC_SINK_H
#define CC_SINK_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "format/strbuf.h"

#define SINK_BATCH     8192 /* events between two flushes, at most */
#define SINK_FINISH_MS 1000 /* how long a line begun may take to end once stopping */

struct sink {
	int fd;
	int pipe;		 /* fd is a pipe: given whole lines it takes at once */
	int closed;		 /* the reader went away (EPIPE), or a write failed */
	int error;		 /* the errno of a failed write other than EPIPE, else 0 */
	int stalled;		 /* with a deadline: it took nothing in time; no more writes */
	int cut;		 /* it stalled in the middle of a line: the last line is cut */
	uint64_t batch;		 /* events in the buffer since the last flush */
	uint64_t delivered;	 /* events whose whole line was written */
	uint64_t unwritten;	 /* events formatted but not (wholly) written */
	size_t ends[SINK_BATCH]; /* where each buffered event's line ends */
};

void sink_init(struct sink *k, int fd);

/* One more event in the buffer, its line ending at offset end; 0, or -ENOSPC when full. */
static inline int sink_add(struct sink *k, size_t end)
{
	if (k->batch >= SINK_BATCH)
		return -ENOSPC;
	k->ends[k->batch++] = end;
	return 0;
}

static inline int sink_full(const struct sink *k)
{
	return k->batch >= SINK_BATCH;
}

/*
 * Write buf out and empty it; the events whose whole line went out count as delivered, the rest
 * as unwritten. Without a deadline (deadline_ms < 0) a write blocks until the reader takes it or
 * a signal sets *stop; once *stop is set, and with a deadline, each write waits at most
 * deadline_ms for room and writes whole lines only, no more than a pipe takes at once, so a
 * reader that stopped reading cannot block the caller and no line is left begun. A line a
 * signal interrupted is finished within SINK_FINISH_MS; a reader that takes none of it in that
 * time stalls the sink (cut set: its last line is cut), and nothing is written after it. A write
 * that fails with an error other than EPIPE (ENOSPC, EIO) sets error and closed; on a regular
 * file the line it left cut is cut off, so the file ends with a whole line.
 */
void sink_flush(struct sink *k, struct strbuf *buf, volatile sig_atomic_t *stop, int deadline_ms);

#endif
