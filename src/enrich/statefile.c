/* Bounded reads of small regular files that other programs (runtimes, users) wrote. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enrich/statefile.h"

/* What is read first when the size is unknown: files in /proc report 0 bytes. */
#define STATEFILE_FIRST 4096

/* Read to the end of fd into a buffer that grows up to max + 1 bytes: one over max is -EFBIG. */
static int statefile_slurp(int fd, size_t max, size_t hint, char **out, size_t *len)
{
	/* hint + 1: a file of exactly st_size bytes reaches its end without growing the buffer */
	size_t cap = hint < STATEFILE_FIRST ? STATEFILE_FIRST : hint + 1, n = 0;
	char *buf;

	/* st_size may lie (procfs says 0, a file may grow): one byte over max is enough to know */
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	if (cap > max)
		cap = max + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (n > max)
				break;
			cap = cap > max / 2 ? max + 1 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* statefile_read, and the file's owner must be uid unless uid is -1. */
static int read_checked(const char *path, size_t max, long long uid, char **buf, size_t *len)
{
	struct stat st;
	int fd, err;

	if (!path || !buf || !len)
		return -EINVAL;
	/*
	 * O_NOFOLLOW: a symlink planted in a state directory must not point us at another file;
	 * O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer. Whatever
	 * was opened is then refused by fstat unless it is a regular file, before any read.
	 */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (uid >= 0 && st.st_uid != (uid_t)uid) {
		close(fd);
		return -EPERM;
	}
	if (st.st_size > 0 && (unsigned long long)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	err = statefile_slurp(fd, max, (size_t)st.st_size, buf, len);
	close(fd);
	return err;
}

int statefile_read(const char *path, size_t max, char **buf, size_t *len)
{
	return read_checked(path, max, -1, buf, len);
}

int statefile_read_owned(const char *path, size_t max, uint32_t uid, char **buf, size_t *len)
{
	return read_checked(path, max, uid, buf, len);
}

int statefile_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}
