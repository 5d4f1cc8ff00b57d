/* Cgroup churn for the summaries' tests: N cgroups made below DIR one after another, this process
 * moved into each, one openat(PATH) there, moved back into DIR, the cgroup removed; at most RATE
 * cgroups a second. Prints how many cgroups it made and removed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fputs("usage: cgchurn DIR COUNT PATH [RATE]\n"
	      "  COUNT cgroups DIR/cN made, joined, openat(PATH) once in each, left, removed;\n"
	      "  at most RATE a second (default: no limit)\n",
	      stderr);
	exit(2);
}

static int join(const char *dir)
{
	char p[4096], pid[32];
	int fd, n = snprintf(pid, sizeof(pid), "%d\n", getpid());

	if (snprintf(p, sizeof(p), "%s/cgroup.procs", dir) >= (int)sizeof(p))
		return -1;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, pid, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int main(int argc, char **argv)
{
	char cg[4096];
	long n = 0, rate = argc > 4 ? atol(argv[4]) : 0, done = 0;
	struct timespec t0, t;

	if (argc < 4 || (n = atol(argv[2])) <= 0)
		usage();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 1; i <= n; i++) {
		snprintf(cg, sizeof(cg), "%s/c%ld", argv[1], i);
		if (mkdir(cg, 0755) || join(cg)) {
			fprintf(stderr, "cgchurn: %s: %s\n", cg, strerror(errno));
			return 1;
		}
		int fd = openat(AT_FDCWD, argv[3], O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
		if (join(argv[1]) || rmdir(cg)) {
			fprintf(stderr, "cgchurn: leaving %s: %s\n", cg, strerror(errno));
			return 1;
		}
		done++;
		if (rate > 0) { /* not ahead of i / rate seconds */
			clock_gettime(CLOCK_MONOTONIC, &t);
			double ahead = (double)i / (double)rate - ((double)(t.tv_sec - t0.tv_sec) +
								   (t.tv_nsec - t0.tv_nsec) / 1e9);

			if (ahead > 0)
				usleep((useconds_t)(ahead * 1e6));
		}
	}
	printf("%ld\n", done);
	return 0;
}
