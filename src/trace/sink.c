/* Writing batches of event lines to stdout, and counting exactly which events went out. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/sink.h"

void sink_init(struct sink *k, int fd)
{
	k->fd = fd;
	k->closed = k->stalled = k->error = 0;
	k->batch = k->delivered = k->unwritten = 0;
}

/* Room for at least one more write, within deadline_ms; 0, or -1 when stalled or closed. */
static int wait_room(struct sink *k, int deadline_ms)
{
	struct pollfd p = {.fd = k->fd, .events = POLLOUT};
	int n = poll(&p, 1, deadline_ms);

	if (n > 0 && !(p.revents & (POLLERR | POLLHUP)))
		return 0;
	if (n > 0)
		k->closed = 1;
	else
		k->stalled = 1;
	return -1;
}

/* Takes back the partial bytes of a line a failed write left in a regular file. */
static void sink_cut_partial(struct sink *k, size_t partial)
{
	struct stat st;
	off_t end;

	if (!partial || fstat(k->fd, &st) || !S_ISREG(st.st_mode))
		return;
	end = lseek(k->fd, 0, SEEK_CUR);
	if (end >= (off_t)partial && ftruncate(k->fd, end - (off_t)partial) == 0)
		lseek(k->fd, end - (off_t)partial, SEEK_SET);
}

void sink_flush(struct sink *k, struct strbuf *buf, volatile sig_atomic_t *stop, int deadline_ms)
{
	size_t off = 0;
	uint64_t whole = 0;

	while (off < buf->len && !k->closed && !k->stalled) {
		size_t len = buf->len - off;
		ssize_t n;

		/* a signal interrupted a blocked write: exit accounts for the rest */
		if (deadline_ms < 0 && off > 0 && *stop)
			break;
		if (deadline_ms >= 0) {
			if (wait_room(k, deadline_ms))
				break;
			if (len > PIPE_BUF) /* what a pipe with room takes without blocking */
				len = PIPE_BUF;
		}
		n = write(k->fd, buf->buf + off, len);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno == EINTR && deadline_ms < 0 && *stop)
			break;
		else if (n < 0 && errno != EINTR && errno != EAGAIN) {
			k->error = errno == EPIPE ? 0 : errno;
			k->closed = 1;
		}
	}
	while (whole < k->batch && k->ends[whole] <= off)
		whole++;
	if (k->error)
		sink_cut_partial(k, off - (whole ? k->ends[whole - 1] : 0));
	k->delivered += whole;
	k->unwritten += k->batch - whole;
	k->batch = 0;
	buf->len = 0;
}
