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
 * Exits 0 when every operation did what it should, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

	if (argc != 6 || (n = atoi(argv[4])) < 0 || (port = atoi(argv[5])) <= 0 || port > 65535)
		return 2;
	if (snprintf(missing, sizeof(missing), "%s.missing", argv[3]) >= (int)sizeof(missing))
		return 2;
	if ((err = io_uring_queue_init(8, &ring, 0)) < 0)
		return uring_fail("io_uring_queue_init", -err);
	if (mkdir(argv[1], 0755) < 0)
		return uring_fail("mkdir", errno);
	if ((err = wait_file(argv[2])) < 0)
		return uring_fail("wait for the start file", -err);
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
