/* System calls with edge-case arguments, each known by construction, for the integration tests. */
/*
 * Usage: edgecalls STEP ARG
 *   accept6-small PORT  listener on [::1]:PORT, a client bound to [::1]:PORT+1 connects, accept4
 *                       with a 4-byte address buffer followed by a decoy sockaddr_in6
 *                       ([2001:db8::bad]:2313) and flags SOCK_CLOEXEC with garbage in the upper
 *                       32 bits of the register; then closes client, accepted and listener
 *   openat2-badhow PATH openat2(AT_FDCWD, PATH, (void *)8, 24): fails with EFAULT
 *   openat-wide PATH    openat with garbage in the upper 32 bits of dirfd (AT_FDCWD), flags
 *                       (O_WRONLY|O_CREAT|O_CLOEXEC) and mode (0640, plus bit 16); then close with
 *                       garbage above the fd
 * Exits 0 when the step did what it should, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EDGE_GARBAGE 0x5a5a5a5a00000000ull

static int edge_fail(const char *what, int err)
{
	fprintf(stderr, "edgecalls: %s: %s\n", what, err ? strerror(err) : "unexpected result");
	return 1;
}

static void edge_in6(struct sockaddr_in6 *sa, const char *addr, unsigned port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, addr, &sa->sin6_addr);
}

static int edge_accept6_small(unsigned port)
{
	struct sockaddr_in6 srv, cli;
	/* the caller's 4-byte buffer is the start of a plausible address: a read past its size
	   shows the decoy, not the peer */
	struct sockaddr_in6 decoy;
	uint64_t len = EDGE_GARBAGE | 4;
	int one = 1;
	long lfd, cfd, afd;

	edge_in6(&srv, "::1", port);
	edge_in6(&cli, "::1", port + 1);
	edge_in6(&decoy, "2001:db8::bad", 2313);
	lfd = syscall(SYS_socket, AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cfd = syscall(SYS_socket, AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || cfd < 0)
		return edge_fail("socket", errno);
	setsockopt((int)lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt((int)cfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind((int)lfd, (struct sockaddr *)&srv, sizeof(srv)) || listen((int)lfd, 4))
		return edge_fail("bind/listen", errno);
	if (bind((int)cfd, (struct sockaddr *)&cli, sizeof(cli)))
		return edge_fail("bind client", errno);
	if (syscall(SYS_connect, cfd, &srv, sizeof(srv)))
		return edge_fail("connect", errno);
	/* socklen_t is 32 bits: the kernel reads 4 bytes at &len (little-endian: the low half) */
	afd = syscall(SYS_accept4, lfd, &decoy, &len, EDGE_GARBAGE | SOCK_CLOEXEC);
	if (afd < 0)
		return edge_fail("accept4", errno);
	if ((uint32_t)len != sizeof(struct sockaddr_in6))
		return edge_fail("accept4 did not report the whole size", 0);
	if (syscall(SYS_close, cfd) || syscall(SYS_close, afd) || syscall(SYS_close, lfd))
		return edge_fail("close", errno);
	return 0;
}

static int edge_openat2_badhow(const char *path)
{
	long fd = syscall(SYS_openat2, AT_FDCWD, path, (void *)8, 24);

	if (fd >= 0 || errno != EFAULT)
		return edge_fail("openat2 with a bad how", fd >= 0 ? 0 : errno);
	return 0;
}

static int edge_openat_wide(const char *path)
{
	long fd = syscall(SYS_openat, EDGE_GARBAGE | (uint32_t)AT_FDCWD, path,
			  EDGE_GARBAGE | O_WRONLY | O_CREAT | O_CLOEXEC, EDGE_GARBAGE | 0200640);

	if (fd < 0)
		return edge_fail("openat", errno);
	if (syscall(SYS_close, EDGE_GARBAGE | (uint64_t)fd))
		return edge_fail("close", errno);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	if (!strcmp(argv[1], "accept6-small"))
		return edge_accept6_small((unsigned)atoi(argv[2]));
	if (!strcmp(argv[1], "openat2-badhow"))
		return edge_openat2_badhow(argv[2]);
	if (!strcmp(argv[1], "openat-wide"))
		return edge_openat_wide(argv[2]);
	return 2;
}
