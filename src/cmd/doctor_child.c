/* Running a child for doctor (a runtime's --version, a lockdown reader) with a deadline. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/doctor_child.h"
#include "util.h"

ssize_t doctor_child_output(void (*child)(int fd, const void *arg), const void *arg, char *buf,
			    size_t size, long ms)
{
	long deadline = (long)now_ms() + ms;
	size_t got = 0;
	int fds[2], status;
	pid_t pid;

	if (size == 0)
		return -EINVAL;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		child(fds[1], arg);
		_exit(127);
	}
	close(fds[1]);
	while (got + 1 < size) {
		struct pollfd p = {fds[0], POLLIN, 0};
		long left = deadline - (long)now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = read(fds[0], buf + got, size - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fds[0]);
	kill(pid, SIGKILL); /* harmless when it has exited; ends one that hangs */
	waitpid(pid, &status, 0);
	return (ssize_t)got;
}
