/* A burst of known system calls for the reliability tests: N openat of one path, nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fputs("usage: flood [-n COUNT] [-p PATH] [-c COMM] [-w STARTFILE] [-s SECONDS] [-k]\n"
	      "  openat(PATH) COUNT times (or for SECONDS), closing what opens when -k;\n"
	      "  waits for STARTFILE to exist first; prints the calls made\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = "/nonexistent/copenclose-flood", *start = NULL, *comm = NULL;
	long count = 1000, done = 0;
	double seconds = 0;
	int opt, keep_close = 0;
	struct timespec t0, t;

	while ((opt = getopt(argc, argv, "n:p:c:w:s:k")) != -1) {
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
		default:
			usage();
		}
	}
	if (comm)
		prctl(PR_SET_NAME, comm, 0, 0, 0);
	while (start && access(start, F_OK) != 0)
		usleep(1000);
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
	printf("%ld\n", done);
	return 0;
}
