/* Running a child for doctor and reading what it writes, with a deadline. */
#ifndef CC_DOCTOR_CHILD_H
#define CC_DOCTOR_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Run child(fd, arg) in a child process and read what it writes to fd into buf (NUL-terminated),
 * for at most ms milliseconds; a child still running then is killed. The number of bytes read,
 * or -errno.
 */
ssize_t doctor_child_output(void (*child)(int fd, const void *arg), const void *arg, char *buf,
			    size_t size, long ms);

#endif
