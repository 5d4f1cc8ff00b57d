/* A burst of known system calls for the reliability tests: N openat of one path, nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fputs("usage: flood [-n COUNT] [-p PATH] [-c COMM] [-w STARTFILE] [-s SECONDS] [-k] [-j JOBS]\n"
	      "  openat(PATH) COUNT times (or for SECONDS), closing what opens when -k;\n"
	      "  waits for STARTFILE to exist first; prints the calls made; with -j, JOBS\n"
	      "  processes do so at once (forked: no other traced call) and the sum is printed\n",
	      stderr);
	exit(2);
}

/* openat(path) count times, or for seconds when seconds > 0; returns the calls made. */
static long flood(const char *path, long count, double seconds, int keep_close)
{
	struct timespec t0, t;
	long done = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (seconds > 0) {
			if ((done & 1023) == 0) {
				clock_gettime(CLOCK_MONOTONIC, &t);
				if ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >=
				    seconds)
					break;
			}
		} else if (done >= count) {
			break;
		}
		int fd = openat(AT_FDCWD, path, O_RDONLY);

		done++;
		if (fd >= 0 && keep_close)
			close(fd);
	}
	return done;
}

int main(int argc, char **argv)
{
	const char *path = "/nonexistent/copenclose-flood", *start = NULL, *comm = NULL;
	long count = 1000, done = 0, *made;
	double seconds = 0;
	int opt, keep_close = 0, jobs = 1;

	while ((opt = getopt(argc, argv, "n:p:c:w:s:kj:")) != -1) {
		switch (opt) {
		case 'n':
			count = atol(optarg);
			break;
		case 'p':
			path = optarg;
			break;
		case 'c':
			comm = optarg;
			break;
		case 'w':
			start = optarg;
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'k':
			keep_close = 1;
			break;
		case 'j':
			jobs = atoi(optarg);
			if (jobs < 1 || jobs > 64)
				usage();
			break;
		default:
			usage();
		}
	}
	if (comm)
		prctl(PR_SET_NAME, comm, 0, 0, 0);
	while (start && access(start, F_OK) != 0)
		usleep(1000);
	/* one shared page for the processes' counts: no file, no traced call */
	made = mmap(NULL, sizeof(long) * (size_t)jobs, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (made == MAP_FAILED) {
		perror("flood: mmap");
		return 1;
	}
	for (int j = 1; j < jobs; j++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("flood: fork");
			return 1;
		}
		if (pid == 0) {
			made[j] = flood(path, count, seconds, keep_close);
			_exit(0);
		}
	}
	made[0] = flood(path, count, seconds, keep_close);
	while (wait(NULL) > 0)
		;
	for (int j = 0; j < jobs; j++)
		done += made[j];
	printf("%ld\n", done);
	return 0;
}
