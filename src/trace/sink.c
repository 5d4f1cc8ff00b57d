/* Writing batches of event lines to stdout, and counting exactly which events went out. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace/sink.h"
#include "util.h"

void sink_init(struct sink *k, int fd)
{
	struct stat st;

	k->fd = fd;
	k->closed = k->stalled = k->error = k->cut = 0;
	k->batch = k->delivered = k->unwritten = 0;
	k->pipe = fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/*
 * Room for at least one more write, within wait_ms (-1: no limit); 0, -EINTR when a signal came
 * first, or -1 when stalled or closed.
 */
static int wait_room(struct sink *k, int wait_ms)
{
	struct pollfd p = {.fd = k->fd, .events = POLLOUT};
	int n = poll(&p, 1, wait_ms);

	if (n > 0 && !(p.revents & (POLLERR | POLLHUP)))
		return 0;
	if (n < 0 && errno == EINTR)
		return -EINTR;
	if (n > 0)
		k->closed = 1;
	else
		k->stalled = 1;
	return -1;
}

/*
 * What a pipe surely takes now without blocking: half its free bytes (a page it holds may be
 * part empty), or 0 when that is less than PIPE_BUF or not known.
 */
static size_t pipe_room(const struct sink *k)
{
	int cap = fcntl(k->fd, F_GETPIPE_SZ), queued = 0;

	if (cap <= 0 || ioctl(k->fd, FIONREAD, &queued) || queued < 0 || queued >= cap)
		return 0;
	return (size_t)(cap - queued) / 2 >= PIPE_BUF ? (size_t)(cap - queued) / 2 : 0;
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

/* The milliseconds left until by (never negative). */
static int ms_left(uint64_t by)
{
	uint64_t now = now_ms();

	return now >= by ? 0 : (int)(by - now);
}

/*
 * How much of buf from off one write of at most room bytes takes: whole lines, or room bytes of
 * a longer line; from the middle of a line (mid), only the rest of that line.
 */
static size_t sink_chunk(const struct strbuf *buf, size_t off, int mid, size_t room)
{
	size_t len = buf->len - off;
	const char *nl;

	if (mid && (nl = memchr(buf->buf + off, '\n', len)))
		len = (size_t)(nl - (buf->buf + off)) + 1;
	if (len <= room)
		return len;
	nl = mid ? NULL : memrchr(buf->buf + off, '\n', room);
	return nl ? (size_t)(nl - (buf->buf + off)) + 1 : room;
}

void sink_flush(struct sink *k, struct strbuf *buf, volatile sig_atomic_t *stop, int deadline_ms)
{
	size_t off = 0;
	uint64_t whole = 0, by = 0; /* by: when a begun line or a stopped flush must be done */

	while (off < buf->len && !k->closed && !k->stalled) {
		int mid = off > 0 && buf->buf[off - 1] != '\n';
		size_t len = buf->len - off, room = 0;
		int wait_ms = deadline_ms, w;
		ssize_t n;

		/*
		 * Asked to stop (a blocked write was interrupted, perhaps in the middle of a line),
		 * or a line begun under a deadline: at most SINK_FINISH_MS more.
		 */
		if ((deadline_ms < 0 && *stop) || (mid && deadline_ms >= 0)) {
			if (!by)
				by = now_ms() + SINK_FINISH_MS;
			wait_ms = ms_left(by);
		}
		/*
		 * A pipe is given only whole lines it takes at once, so a signal never leaves one
		 * begun; with a limit on the wait, anything else too: a write waits for nothing.
		 */
		if (k->pipe && !(room = pipe_room(k)) && (w = wait_room(k, wait_ms))) {
			if (w == -EINTR)
				continue;
			break;
		}
		if (!k->pipe && wait_ms >= 0 && wait_room(k, wait_ms))
			break;
		if (k->pipe || wait_ms >= 0)
			len = sink_chunk(buf, off, mid, room ? room : PIPE_BUF);
		n = write(k->fd, buf->buf + off, len);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EINTR && errno != EAGAIN) {
			k->error = errno == EPIPE ? 0 : errno;
			k->closed = 1;
		}
	}
	/* a reader that took nothing for SINK_FINISH_MS while a line was begun: no more lines */
	if (off > 0 && buf->buf[off - 1] != '\n' && k->stalled)
		k->cut = 1;
	while (whole < k->batch && k->ends[whole] <= off)
		whole++;
	if (k->error)
		sink_cut_partial(k, off - (whole ? k->ends[whole - 1] : 0));
	k->delivered += whole;
	k->unwritten += k->batch - whole;
	k->batch = 0;
	buf->len = 0;
}
