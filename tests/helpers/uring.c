/* An io_uring workload whose descriptor operations are known by construction, for the tests. */
/*
 * Usage: uring READY-DIR START-FILE PATH N PORT
 * Makes READY-DIR (mkdir: no fd), waits for START-FILE (stat: no fd), then, all through io_uring
 * and none through a system call that copenclose traces:
 *   N x IORING_OP_OPENAT of PATH (O_RDONLY|O_CLOEXEC), each fd then IORING_OP_CLOSEd;
 *   1 x IORING_OP_OPENAT of PATH".missing" failing with ENOENT;
 *   a listener on 127.0.0.1:PORT (socket, bind, listen: not traced), a client socket, then
 *   IORING_OP_CONNECT of the client, IORING_OP_ACCEPT on the listener, and IORING_OP_CLOSE of
 *   the accepted socket, the client and the listener.
 * So: openat ok N, openat ENOENT 1, close ok N + 3, connect ok 1, accept ok 1, all via io_uring.
 *
 * uring READY-DIR START-FILE PATH N PORT MODE: the same start, then only MODE's operations:
 *   multishot  N clients connect(2) to a listener on 127.0.0.1:PORT, then one multishot
 *              IORING_OP_ACCEPT takes all N (one completion each): prints each accepted fd, one a
 *              line; then every socket is close(2)d
 *   cancel     a listener on 127.0.0.1:PORT with a backlog of 0 filled by one connect(2), then an
 *              IORING_OP_CONNECT to it linked to a 200 ms IORING_OP_LINK_TIMEOUT, which cancels it
 *              (ECANCELED): prints "cancelled FD"; then N IORING_OP_CONNECTs of new sockets to a
 *              listener on PORT+1, each succeeding: prints "connected FD" for each; all close(2)d
 *   openat2    N x IORING_OP_OPENAT2 of PATH (O_RDONLY|O_CLOEXEC, no resolve flags), 1 x the same
 *              with RESOLVE_NO_SYMLINKS, 1 x IORING_OP_OPENAT of PATH, each fd IORING_OP_CLOSEd
 * Exits 0 when every operation did what it should, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int uring_fail(const char *what, int err)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "uring: %s: %s\n", what, strerror(err));

	if (n > 0)
		(void)!write(2, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return 1;
}

/* Submits the prepared entry and returns its completion's result. */
static int uring_run(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res, err;

	if ((err = io_uring_submit(ring)) < 0)
		return err;
	if ((err = io_uring_wait_cqe(ring, &cqe)) < 0)
		return err;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int uring_openat(struct io_uring *ring, const char *path)
{
	io_uring_prep_openat(io_uring_get_sqe(ring), AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	return uring_run(ring);
}

static int uring_close(struct io_uring *ring, int fd)
{
	io_uring_prep_close(io_uring_get_sqe(ring), fd);
	return uring_run(ring);
}

/* A listening TCP socket on 127.0.0.1:port (socket, bind, listen: no io_uring). */
static int listener(struct sockaddr_in *sa, int port, int backlog)
{
	int fd = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	*sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(fd, backlog) < 0)
		return -errno;
	return fd;
}

#define URING_MAX_CLIENTS 64

static int uring_multishot(struct io_uring *ring, int n, int port)
{
	int lfd, cfd[URING_MAX_CLIENTS], afd[URING_MAX_CLIENTS], got = 0, err;
	struct io_uring_cqe *cqe;
	struct sockaddr_in sa;

	if (n > URING_MAX_CLIENTS)
		return 2;
	if ((lfd = listener(&sa, port, 2 * URING_MAX_CLIENTS)) < 0)
		return uring_fail("listener", -lfd);
	for (int i = 0; i < n; i++) {
		cfd[i] = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (cfd[i] < 0 || connect(cfd[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return uring_fail("connect", errno);
	}
	io_uring_prep_multishot_accept(io_uring_get_sqe(ring), lfd, NULL, NULL, SOCK_CLOEXEC);
	if ((err = io_uring_submit(ring)) < 0)
		return uring_fail("submit", -err);
	while (got < n) {
		int res, more;

		if ((err = io_uring_wait_cqe(ring, &cqe)) < 0)
			return uring_fail("wait", -err);
		res = cqe->res;
		more = cqe->flags & IORING_CQE_F_MORE;
		io_uring_cqe_seen(ring, cqe);
		if (res < 0)
			return uring_fail("multishot accept", -res);
		afd[got++] = res;
		printf("%d\n", res);
		if (!more && got < n)
			return uring_fail("multishot accept ended early", EPROTO);
	}
	for (int i = 0; i < n; i++)
		if (close(afd[i]) < 0 || close(cfd[i]) < 0)
			return uring_fail("close", errno);
	return close(lfd) < 0 ? uring_fail("close", errno) : 0;
}

static int uring_cancel(struct io_uring *ring, int n, int port)
{
	struct __kernel_timespec ts = {.tv_nsec = 200 * 1000 * 1000};
	int lfd0, lfd1, filler, c, s[URING_MAX_CLIENTS], res[2] = {0, 0}, err;
	struct sockaddr_in sa0, sa1;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;

	if (n > URING_MAX_CLIENTS)
		return 2;
	if ((lfd0 = listener(&sa0, port, 0)) < 0 || (lfd1 = listener(&sa1, port + 1, 64)) < 0)
		return uring_fail("listener", lfd0 < 0 ? -lfd0 : -lfd1);
	/* the backlog of 0 holds this one: a SYN after it is dropped and its connect waits */
	filler = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (filler < 0 || c < 0 || connect(filler, (struct sockaddr *)&sa0, sizeof(sa0)) < 0)
		return uring_fail("connect of the filler", errno);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_connect(sqe, c, (struct sockaddr *)&sa0, sizeof(sa0));
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 0;
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_link_timeout(sqe, &ts, 0);
	sqe->user_data = 1;
	if ((err = io_uring_submit(ring)) < 0)
		return uring_fail("submit", -err);
	for (int i = 0; i < 2; i++) {
		if ((err = io_uring_wait_cqe(ring, &cqe)) < 0)
			return uring_fail("wait", -err);
		res[cqe->user_data ? 1 : 0] = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	if (res[0] != -ECANCELED)
		return uring_fail("the linked timeout did not cancel the connect",
				  res[0] < 0 ? -res[0] : EISCONN);
	printf("cancelled %d\n", c);
	for (int i = 0; i < n; i++) {
		s[i] = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s[i] < 0)
			return uring_fail("socket", errno);
		io_uring_prep_connect(io_uring_get_sqe(ring), s[i], (struct sockaddr *)&sa1,
				      sizeof(sa1));
		if ((err = uring_run(ring)) < 0)
			return uring_fail("connect after the cancel", -err);
		printf("connected %d\n", s[i]);
	}
	for (int i = 0; i < n; i++)
		close(s[i]);
	close(c);
	close(filler);
	close(lfd1);
	return close(lfd0) < 0 ? uring_fail("close", errno) : 0;
}

static int uring_openat2(struct io_uring *ring, const char *path, int n)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC};
	int fd, err;

	for (int i = 0; i <= n; i++) {
		if (i == n)
			how.resolve = RESOLVE_NO_SYMLINKS;
		io_uring_prep_openat2(io_uring_get_sqe(ring), AT_FDCWD, path, &how);
		if ((fd = uring_run(ring)) < 0)
			return uring_fail("openat2", -fd);
		if ((err = uring_close(ring, fd)) < 0)
			return uring_fail("close", -err);
	}
	if ((fd = uring_openat(ring, path)) < 0)
		return uring_fail("openat", -fd);
	if ((err = uring_close(ring, fd)) < 0)
		return uring_fail("close", -err);
	return 0;
}

static int wait_file(const char *path)
{
	struct timespec ms = {0, 10 * 1000 * 1000};
	struct stat st;

	for (int i = 0; i < 12000; i++) {
		if (stat(path, &st) == 0)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -ETIMEDOUT;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	char missing[4096];
	struct io_uring ring;
	int n, port, lfd, cfd, afd, one = 1, err;

	if ((argc != 6 && argc != 7) || (n = atoi(argv[4])) < 0 || (port = atoi(argv[5])) <= 0 ||
	    port > 65534)
		return 2;
	if (snprintf(missing, sizeof(missing), "%s.missing", argv[3]) >= (int)sizeof(missing))
		return 2;
	/* room for a multishot accept's completions, one per connection */
	if ((err = io_uring_queue_init(2 * URING_MAX_CLIENTS, &ring, 0)) < 0)
		return uring_fail("io_uring_queue_init", -err);
	if (mkdir(argv[1], 0755) < 0)
		return uring_fail("mkdir", errno);
	if ((err = wait_file(argv[2])) < 0)
		return uring_fail("wait for the start file", -err);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 7 && strcmp(argv[6], "multishot") == 0)
		return uring_multishot(&ring, n, port);
	if (argc == 7 && strcmp(argv[6], "cancel") == 0)
		return uring_cancel(&ring, n, port);
	if (argc == 7 && strcmp(argv[6], "openat2") == 0)
		return uring_openat2(&ring, argv[3], n);
	if (argc == 7)
		return 2;
	for (int i = 0; i < n; i++) {
		int fd = uring_openat(&ring, argv[3]);

		if (fd < 0)
			return uring_fail("openat", -fd);
		if ((err = uring_close(&ring, fd)) < 0)
			return uring_fail("close", -err);
	}
	if ((err = uring_openat(&ring, missing)) != -ENOENT)
		return uring_fail("openat of a missing file", err < 0 ? -err : EEXIST);
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cfd = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || cfd < 0)
		return uring_fail("socket", errno);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4) < 0)
		return uring_fail("bind/listen", errno);
	io_uring_prep_connect(io_uring_get_sqe(&ring), cfd, (struct sockaddr *)&sa, sizeof(sa));
	if ((err = uring_run(&ring)) < 0)
		return uring_fail("connect", -err);
	io_uring_prep_accept(io_uring_get_sqe(&ring), lfd, NULL, NULL, SOCK_CLOEXEC);
	if ((afd = uring_run(&ring)) < 0)
		return uring_fail("accept", -afd);
	if ((err = uring_close(&ring, afd)) < 0 || (err = uring_close(&ring, cfd)) < 0 ||
	    (err = uring_close(&ring, lfd)) < 0)
		return uring_fail("close of a socket", -err);
	io_uring_queue_exit(&ring);
	return 0;
}
