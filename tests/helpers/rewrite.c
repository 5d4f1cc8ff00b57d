/* Opens a path while another thread keeps rewriting it: what was opened against what is seen. */
/*
 * Usage: rewrite READY-DIR START-FILE DIR N
 * DIR must hold the files "a" and "b". Makes READY-DIR, waits for START-FILE (no fd), then
 * opens "DIR/a" N times with openat(2) while a second thread flips the buffer's last byte
 * between 'a' and 'b' as fast as it can; after each open it prints the file really opened
 * (readlink of /proc/self/fd/N: no fd) as "a" or "b", one a line, and closes it. A tracer that
 * reads the path back from user memory after the call can show the other name; one that reads
 * the kernel's own copy cannot. Exits 0, or 1 on a failure, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct shared {
	char *path; /* flipped by the other thread */
	size_t last;
	atomic_int stop;
};

static void *flip(void *arg)
{
	struct shared *sh = arg;
	volatile char *p = sh->path;

	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed))
		p[sh->last] = p[sh->last] == 'a' ? 'b' : 'a';
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec ms = {0, 10 * 1000 * 1000};
	struct shared sh = {0};
	char link[64], real[4096], out[8];
	struct stat st;
	pthread_t t;
	long n;
	int i;

	if (argc != 5 || (n = atol(argv[4])) <= 0)
		return 2;
	if (asprintf(&sh.path, "%s/a", argv[3]) < 0)
		return 1;
	sh.last = strlen(sh.path) - 1;
	if (mkdir(argv[1], 0755) < 0)
		return 1;
	for (i = 0; i < 12000 && stat(argv[2], &st) != 0; i++)
		nanosleep(&ms, NULL);
	if (pthread_create(&t, NULL, flip, &sh))
		return 1;
	for (long k = 0; k < n; k++) {
		long fd = syscall(SYS_openat, AT_FDCWD, sh.path, O_RDONLY);
		ssize_t len;

		if (fd < 0)
			return 1;
		snprintf(link, sizeof(link), "/proc/self/fd/%ld", fd);
		len = readlink(link, real, sizeof(real) - 1);
		if (len <= 0)
			return 1;
		out[0] = real[len - 1];
		out[1] = '\n';
		if (write(1, out, 2) != 2 || syscall(SYS_close, fd) < 0)
			return 1;
	}
	atomic_store(&sh.stop, 1);
	pthread_join(t, NULL);
	return 0;
}
