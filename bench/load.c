/* Benchmark workload: a known number of system calls, timed inside the process to the nanosecond.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A path that does not exist, so every openat fails with ENOENT and emits exactly one event. */
#define LOAD_MISSING  "/nonexistent-copenclose-bench/missing"
#define LOAD_MAX_JOBS 64

enum load_mode { LOAD_FAILOPEN, LOAD_OPENCLOSE, LOAD_GETPID, LOAD_BURST, LOAD_RATE, LOAD_SPAWN };

struct load_opts {
	enum load_mode mode;
	uint64_t n;	  /* calls in all, or calls per second for rate */
	uint64_t seconds; /* -d: how long rate runs */
	unsigned jobs;	  /* -j: processes sharing the calls */
};

static uint64_t load_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int load_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int load_parse_mode(const char *s, enum load_mode *mode)
{
	static const char *const names[] = {"failopen", "openclose", "getpid",
					    "burst",	"rate",	     "spawn"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*mode = (enum load_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* One unit of work; returns -errno when a call behaved other than the mode expects. */
static int load_one(enum load_mode mode)
{
	long fd;

	switch (mode) {
	case LOAD_FAILOPEN:
	case LOAD_BURST:
	case LOAD_RATE:
		fd = syscall(SYS_openat, AT_FDCWD, LOAD_MISSING, O_RDONLY);
		if (fd >= 0) {
			close((int)fd);
			return -EEXIST;
		}
		return 0;
	case LOAD_OPENCLOSE:
		fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
		if (fd < 0)
			return -errno;
		return syscall(SYS_close, (int)fd) ? -errno : 0;
	case LOAD_GETPID:
		syscall(SYS_getpid);
		return 0;
	case LOAD_SPAWN: { /* a process that exits at once: what a tracer adds to process exit */
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return -errno;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) < 0)
			return -errno;
		return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
	}
	}
	return -EINVAL;
}

static int load_loop(enum load_mode mode, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		int err = load_one(mode);

		if (err)
			return err;
	}
	return 0;
}

/* Steady rate: catch up to rate * elapsed once per millisecond tick, for the given seconds. */
static int load_rate(uint64_t rate, uint64_t seconds, uint64_t *done)
{
	uint64_t start = load_now_ns(), end = start + seconds * 1000000000ull;
	struct timespec tick;

	clock_gettime(CLOCK_MONOTONIC, &tick);
	*done = 0;
	for (;;) {
		uint64_t now = load_now_ns();
		uint64_t due = (uint64_t)((double)rate * (double)(now - start) / 1e9);
		int err;

		if (now >= end)
			due = rate * seconds;
		if (due > *done) {
			err = load_loop(LOAD_RATE, due - *done);
			if (err)
				return err;
			*done = due;
		}
		if (now >= end)
			return 0;
		tick.tv_nsec += 1000000;
		if (tick.tv_nsec >= 1000000000) {
			tick.tv_nsec -= 1000000000;
			tick.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL);
	}
}

/* Share n calls between jobs processes; 0 when every one of them did its part. */
static int load_jobs(const struct load_opts *o)
{
	pid_t pids[LOAD_MAX_JOBS];
	int rc = 0;

	for (unsigned j = 0; j < o->jobs; j++) {
		uint64_t part = o->n / o->jobs + (j < o->n % o->jobs ? 1 : 0);

		pids[j] = fork();
		if (pids[j] < 0)
			return -errno;
		if (pids[j] == 0)
			_exit(load_loop(o->mode, part) ? 1 : 0);
	}
	for (unsigned j = 0; j < o->jobs; j++) {
		int status;

		if (waitpid(pids[j], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			rc = -ECHILD;
	}
	return rc;
}

static void load_usage(FILE *f)
{
	fprintf(f, "usage: load [-j JOBS] failopen|openclose|getpid|burst|spawn N\n"
		   "       load -d SECONDS rate CALLS_PER_SECOND\n"
		   "Prints: mode=M calls=N elapsed_ns=T ns_per_call=T/N\n");
}

int main(int argc, char **argv)
{
	struct load_opts o = {.jobs = 1};
	uint64_t v, start, elapsed, done;
	int opt, err;

	while ((opt = getopt(argc, argv, "d:j:h")) != -1) {
		switch (opt) {
		case 'd':
			if (load_parse_u64(optarg, 3600, &o.seconds)) {
				load_usage(stderr);
				return 2;
			}
			break;
		case 'j':
			if (load_parse_u64(optarg, LOAD_MAX_JOBS, &v)) {
				load_usage(stderr);
				return 2;
			}
			o.jobs = (unsigned)v;
			break;
		case 'h':
			load_usage(stdout);
			return 0;
		default:
			load_usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || load_parse_mode(argv[optind], &o.mode) ||
	    load_parse_u64(argv[optind + 1], 1000000000000ull, &o.n) ||
	    (o.mode == LOAD_RATE) != (o.seconds > 0)) {
		load_usage(stderr);
		return 2;
	}
	start = load_now_ns();
	if (o.mode == LOAD_RATE) {
		err = load_rate(o.n, o.seconds, &done);
	} else if (o.jobs > 1) {
		err = load_jobs(&o);
		done = o.n;
	} else {
		err = load_loop(o.mode, o.n);
		done = o.n;
	}
	elapsed = load_now_ns() - start;
	if (err) {
		fprintf(stderr, "load: %s failed: %s\n", argv[optind], strerror(-err));
		return 1;
	}
	printf("mode=%s calls=%llu elapsed_ns=%llu ns_per_call=%.1f\n", argv[optind],
	       (unsigned long long)done, (unsigned long long)elapsed,
	       (double)elapsed / (double)done);
	return 0;
}
