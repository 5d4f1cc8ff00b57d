/* Benchmark churn: cgroups named like docker containers made at a steady rate, a short process in
 * each. */
/*
 * Usage: churn -d SECONDS -r PER_SECOND DIR
 * Every 1/PER_SECOND s: mkdir DIR/docker-<64 hex>.scope, and a child that moves itself into it
 * and makes 5 failing openat calls. Prints: containers=N calls=5N elapsed_ns=T. The cgroups are
 * left for the caller to remove (each removal waits for the kernel's grace periods).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHURN_MISSING "/nonexistent-copenclose-bench/churn"
#define CHURN_CALLS   5

static uint64_t churn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The child: into the cgroup, then the calls; exit status 0 when all went as expected. */
static int churn_child(const char *dir)
{
	char p[4200], pid[32];
	int fd, n;

	if (snprintf(p, sizeof(p), "%s/cgroup.procs", dir) >= (int)sizeof(p))
		return 1;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	n = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (fd < 0 || write(fd, pid, (size_t)n) != n)
		return 1;
	close(fd);
	for (int i = 0; i < CHURN_CALLS; i++)
		if (syscall(SYS_openat, AT_FDCWD, CHURN_MISSING, O_RDONLY) >= 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	long seconds = 0, rate = 0;
	uint64_t start, end, next, made = 0, failed = 0;
	char dir[4096];
	int opt;

	while ((opt = getopt(argc, argv, "d:r:")) != -1) {
		if (opt == 'd')
			seconds = strtol(optarg, NULL, 10);
		else if (opt == 'r')
			rate = strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (seconds <= 0 || rate <= 0 || rate > 100000 || argc - optind != 1) {
		fputs("usage: churn -d SECONDS -r PER_SECOND DIR\n", stderr);
		return 2;
	}
	start = churn_now_ns();
	end = start + (uint64_t)seconds * 1000000000ull;
	next = start;
	while (churn_now_ns() < end) {
		struct timespec ts = {.tv_sec = (time_t)(next / 1000000000ull),
				      .tv_nsec = (long)(next % 1000000000ull)};
		pid_t pid;
		int status;

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		next += 1000000000ull / (uint64_t)rate;
		if (snprintf(dir, sizeof(dir), "%s/docker-%016llx%048d.scope", argv[optind],
			     (unsigned long long)made, 0) >= (int)sizeof(dir))
			return 2;
		if (mkdir(dir, 0755)) {
			fprintf(stderr, "churn: mkdir %s: %s\n", dir, strerror(errno));
			return 1;
		}
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(churn_child(dir));
		made++;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	{
		int status;

		while (wait(&status) > 0)
			failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	printf("containers=%llu calls=%llu failed=%llu elapsed_ns=%llu\n", (unsigned long long)made,
	       (unsigned long long)(made * CHURN_CALLS), (unsigned long long)failed,
	       (unsigned long long)(churn_now_ns() - start));
	return failed ? 1 : 0;
}
