/* A workload whose traced system calls are known by construction, for the integration tests. */
/*
 * Usage: workload STEP [ARGS]... [STEP [ARGS]...]...
 * The steps run in order; each makes exactly the system calls listed, and nothing else opens or
 * closes a file descriptor (raw syscall() everywhere libc might substitute another call):
 *   open PATH N       N x (openat(AT_FDCWD, PATH, O_RDONLY|O_CLOEXEC) + close)
 *   sysopen PATH N    N x (open(PATH, O_RDONLY) + close)
 *   open2 PATH N      N x (openat2(AT_FDCWD, PATH, {O_RDONLY|O_CLOEXEC}) + close)
 *   missing PATH N    N x openat(AT_FDCWD, PATH, O_RDONLY) failing with ENOENT
 *   closebad N        N x close(999) failing with EBADF (an fd this process never opened)
 *   tcppair PORT      in one process: listener on 127.0.0.1:PORT, connect, accept, 3 closes
 *   tcppair4 PORT     the same with accept4 in place of accept
 *   connect PORT      connect to 127.0.0.1:PORT, close (retries while refused, up to 10 s)
 *   accept PORT       listen on 127.0.0.1:PORT, accept one connection, 2 closes
 *   unix PATH         the tcppair sequence over a unix socket bound at PATH (unlinked after)
 *   flood PATH SECS   openat + close of PATH for SECS seconds
 *   paced PATH N RATE N x (openat + close) of PATH, RATE per second (spread over N/RATE s)
 *   hostname NAME     sethostname (no fd)
 *   mark DIR          mkdir DIR: tells the test it got here (no fd)
 *   wait-file FILE    polls with stat() until FILE exists (at most 120 s; no fd)
 *   sleep MS          nanosleep
 *   keep PATH N       N x openat(AT_FDCWD, PATH, O_RDONLY), the descriptors kept open
 *   keepcx PATH N     the same with O_RDONLY|O_CLOEXEC
 *   drop N            close of the N kept descriptors opened first (in the order opened)
 *   exec PROG ARGS... execv(PROG, PROG ARGS...): the rest of the line is another program's (last)
 *                     (no traced call: the kernel opens PROG itself); kept O_CLOEXEC
 *                     descriptors end there, the others stay open in the new image
 * Exits 0 when every step did what it should, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define WORKLOAD_BAD_FD 999
#define WORKLOAD_KEEP	256

/* The descriptors the keep steps left open, oldest first. */
struct workload_kept {
	long fd[WORKLOAD_KEEP];
	int first, n;
};

/* Prints a failure with write(2) only: stdio could allocate, never open, but stay minimal. */
static int workload_fail(const char *what, const char *arg, int err)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "workload: %s %s: %s\n", what, arg ? arg : "",
			 err ? strerror(err) : "unexpected result");
	if (n > 0)
		(void)!write(2, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return -1;
}

static long workload_count(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 100000000)
		return -1;
	return v;
}

static void workload_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double workload_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int workload_close(long fd, const char *what)
{
	if (syscall(SYS_close, fd) < 0)
		return workload_fail("close", what, errno);
	return 0;
}

static int workload_open(const char *path, long n, int kind)
{
	for (long i = 0; i < n; i++) {
		long fd;
		if (kind == 0) {
			fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		} else if (kind == 1) {
#ifdef SYS_open
			fd = syscall(SYS_open, path, O_RDONLY);
#else /* arm64's own table has no open(2): its programs use openat */
			fd = -1;
			errno = ENOSYS;
#endif
		} else {
			struct open_how how = {.flags = O_RDONLY | O_CLOEXEC};
			fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
		}
		if (fd < 0)
			return workload_fail("open", path, errno);
		if (workload_close(fd, path) < 0)
			return -1;
	}
	return 0;
}

static int workload_missing(const char *path, long n)
{
	for (long i = 0; i < n; i++) {
		long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
		if (fd >= 0 || errno != ENOENT)
			return workload_fail("missing", path, fd >= 0 ? 0 : errno);
	}
	return 0;
}

static int workload_closebad(long n)
{
	for (long i = 0; i < n; i++)
		if (syscall(SYS_close, WORKLOAD_BAD_FD) == 0 || errno != EBADF)
			return workload_fail("closebad", NULL, errno);
	return 0;
}

static void workload_inet(struct sockaddr_in *sa, long port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* socket + bind + listen; the socket() itself is not a traced call. */
static long workload_listen(const struct sockaddr *sa, socklen_t len)
{
	long fd = syscall(SYS_socket, sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return workload_fail("socket", NULL, errno);
	int one = 1;
	if (sa->sa_family == AF_INET)
		setsockopt((int)fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (syscall(SYS_bind, fd, sa, len) < 0 || syscall(SYS_listen, fd, 4) < 0) {
		int err = errno;
		workload_close(fd, "listener");
		return workload_fail("bind/listen", NULL, err);
	}
	return fd;
}

static long workload_accept(long lfd, int four)
{
#ifdef SYS_accept
	long fd = four ? syscall(SYS_accept4, lfd, NULL, NULL, SOCK_CLOEXEC)
		       : syscall(SYS_accept, lfd, NULL, NULL);
#else /* i386 has no accept system call: socketcall(SYS_ACCEPT), as its libc does */
	unsigned long args[3] = {(unsigned long)lfd, 0, 0};
	long fd = four ? syscall(SYS_accept4, lfd, NULL, NULL, SOCK_CLOEXEC)
		       : syscall(SYS_socketcall, 5 /* SYS_ACCEPT */, args);
#endif
	if (fd < 0)
		return workload_fail("accept", NULL, errno);
	return fd;
}

/* listener, client connect, accept, then closes client, accepted and listener: 3 closes. */
static int workload_pair(const struct sockaddr *sa, socklen_t len, int four)
{
	long lfd = workload_listen(sa, len);
	if (lfd < 0)
		return -1;
	long cfd = syscall(SYS_socket, sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		return workload_fail("socket", NULL, errno);
	if (syscall(SYS_connect, cfd, sa, len) < 0)
		return workload_fail("connect", NULL, errno);
	long afd = workload_accept(lfd, four);
	if (afd < 0)
		return -1;
	if (workload_close(cfd, "client") < 0 || workload_close(afd, "accepted") < 0 ||
	    workload_close(lfd, "listener") < 0)
		return -1;
	return 0;
}

static int workload_tcppair(long port, int four)
{
	struct sockaddr_in sa;
	workload_inet(&sa, port);
	return workload_pair((struct sockaddr *)&sa, sizeof(sa), four);
}

static int workload_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return workload_fail("unix path too long", path, 0);
	strcpy(sa.sun_path, path);
	unlink(path);
	int rc = workload_pair((struct sockaddr *)&sa, sizeof(sa), 0);
	unlink(path);
	return rc;
}

/* Each refused attempt is one more connect and close: only for tests that count the success. */
static int workload_connect(long port)
{
	struct sockaddr_in sa;
	workload_inet(&sa, port);
	double end = workload_now() + 10;
	for (;;) {
		long fd = syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return workload_fail("socket", NULL, errno);
		long rc = syscall(SYS_connect, fd, &sa, sizeof(sa));
		int err = errno;
		if (workload_close(fd, "client") < 0)
			return -1;
		if (rc == 0)
			return 0;
		if (err != ECONNREFUSED || workload_now() > end)
			return workload_fail("connect", NULL, err);
		workload_sleep_ms(20);
	}
}

static int workload_accept_one(long port)
{
	struct sockaddr_in sa;
	workload_inet(&sa, port);
	long lfd = workload_listen((struct sockaddr *)&sa, sizeof(sa));
	if (lfd < 0)
		return -1;
	long afd = workload_accept(lfd, 0);
	if (afd < 0)
		return -1;
	if (workload_close(afd, "accepted") < 0 || workload_close(lfd, "listener") < 0)
		return -1;
	return 0;
}

static int workload_flood(const char *path, long secs)
{
	double end = workload_now() + (double)secs;
	while (workload_now() < end)
		if (workload_open(path, 100, 0) < 0)
			return -1;
	return 0;
}

static int workload_paced(const char *path, long n, long rate)
{
	double start = workload_now();
	for (long k = 0; k < n; k++) {
		double ahead = start + (double)k / (double)rate - workload_now();
		if (ahead > 0)
			workload_sleep_ms((long)(ahead * 1000));
		if (workload_open(path, 1, 0) < 0)
			return -1;
	}
	return 0;
}

static int workload_wait_file(const char *path)
{
	struct stat st;
	double end = workload_now() + 120;
	while (stat(path, &st) < 0) {
		if (workload_now() > end)
			return workload_fail("timed out waiting for", path, 0);
		workload_sleep_ms(5);
	}
	return 0;
}

static int workload_keep(struct workload_kept *k, const char *path, long n, int flags)
{
	for (long i = 0; i < n; i++) {
		if (k->first + k->n >= WORKLOAD_KEEP)
			return workload_fail("keep: too many descriptors", path, 0);
		long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | flags);
		if (fd < 0)
			return workload_fail("keep", path, errno);
		k->fd[k->first + k->n++] = fd;
	}
	return 0;
}

static int workload_drop(struct workload_kept *k, long n)
{
	if (n > k->n)
		return workload_fail("drop: fewer descriptors kept than", NULL, 0);
	for (long i = 0; i < n; i++, k->first++, k->n--)
		if (workload_close(k->fd[k->first], "kept") < 0)
			return -1;
	return 0;
}

/* Runs the step at argv[0]; returns how many arguments it used, or -1. */
static int workload_step(int argc, char **argv, struct workload_kept *k, int *failed)
{
	static const struct {
		const char *name;
		int nargs;
	} steps[] = {
		{"open", 2},	{"sysopen", 2},	 {"open2", 2},	 {"missing", 2},   {"closebad", 1},
		{"tcppair", 1}, {"tcppair4", 1}, {"connect", 1}, {"accept", 1},	   {"unix", 1},
		{"flood", 2},	{"hostname", 1}, {"mark", 1},	 {"wait-file", 1}, {"sleep", 1},
		{"keep", 2},	{"keepcx", 2},	 {"drop", 1},	 {"paced", 3},
	};
	const char *s = argv[0];
	size_t i;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(s, steps[i].name) == 0)
			break;
	if (i == sizeof(steps) / sizeof(steps[0]) || argc < 1 + steps[i].nargs)
		return -1;
	const char *a = argv[1];
	long n = steps[i].nargs >= 2 ? workload_count(argv[2]) : workload_count(a);
	int rc = 0;
	if (!strcmp(s, "paced")) {
		long rate = workload_count(argv[3]);
		if (n < 0 || rate < 1)
			return -1;
		rc = workload_paced(a, n, rate);
	} else if (!strcmp(s, "keep") || !strcmp(s, "keepcx") || !strcmp(s, "drop")) {
		if (n < 0)
			return -1;
		if (!strcmp(s, "drop"))
			rc = workload_drop(k, n);
		else
			rc = workload_keep(k, a, n, !strcmp(s, "keepcx") ? O_CLOEXEC : 0);
	} else if (!strcmp(s, "open") || !strcmp(s, "sysopen") || !strcmp(s, "open2") ||
		   !strcmp(s, "missing") || !strcmp(s, "flood")) {
		if (n < 0)
			return -1;
		if (!strcmp(s, "missing"))
			rc = workload_missing(a, n);
		else if (!strcmp(s, "flood"))
			rc = workload_flood(a, n);
		else
			rc = workload_open(a, n,
					   !strcmp(s, "open")	   ? 0
					   : !strcmp(s, "sysopen") ? 1
								   : 2);
	} else if (!strcmp(s, "closebad") || !strcmp(s, "tcppair") || !strcmp(s, "tcppair4") ||
		   !strcmp(s, "connect") || !strcmp(s, "accept") || !strcmp(s, "sleep")) {
		if (n < 0 || (strcmp(s, "closebad") && strcmp(s, "sleep") && (n < 1 || n > 65535)))
			return -1;
		if (!strcmp(s, "closebad"))
			rc = workload_closebad(n);
		else if (!strcmp(s, "tcppair") || !strcmp(s, "tcppair4"))
			rc = workload_tcppair(n, !strcmp(s, "tcppair4"));
		else if (!strcmp(s, "connect"))
			rc = workload_connect(n);
		else if (!strcmp(s, "accept"))
			rc = workload_accept_one(n);
		else
			workload_sleep_ms(n);
	} else if (!strcmp(s, "unix")) {
		rc = workload_unix(a);
	} else if (!strcmp(s, "hostname")) {
		if (sethostname(a, strlen(a)) < 0)
			rc = workload_fail("sethostname", a, errno);
	} else if (!strcmp(s, "mark")) {
		if (mkdir(a, 0755) < 0 && errno != EEXIST)
			rc = workload_fail("mkdir", a, errno);
	} else {
		rc = workload_wait_file(a);
	}
	if (rc < 0)
		*failed = 1;
	return 1 + steps[i].nargs;
}

int main(int argc, char **argv)
{
	struct workload_kept kept = {.first = 0, .n = 0};
	int failed = 0;
	if (argc < 2) {
		static const char usage[] = "usage: workload STEP [ARGS]... (see the source)\n";
		(void)!write(2, usage, sizeof(usage) - 1);
		_exit(2);
	}
	for (int i = 1; i < argc && !failed;) {
		if (!strcmp(argv[i], "exec") && i + 1 < argc) {
			execv(argv[i + 1], argv + i + 1);
			workload_fail("execv", argv[i + 1], errno);
			_exit(1);
		}
		int used = workload_step(argc - i, argv + i, &kept, &failed);
		if (used < 0) {
			workload_fail("bad step or arguments at", argv[i], 0);
			_exit(2);
		}
		i += used;
	}
	/* _exit: no stdio flush or atexit handler can make a last system call of their own. */
	_exit(failed ? 1 : 0);
}
