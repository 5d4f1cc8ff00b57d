/* Reading one small file that another program wrote (runtime state, /proc, config) safely. */
#ifndef CC_STATEFILE_H
#define CC_STATEFILE_H

#include <stddef.h>

/*
 * The whole of the regular file at path into *buf (malloc'd, NUL-terminated; *len bytes before
 * the NUL; free() it). Never blocks and never follows a symlink in the last component: 0;
 * -EINVAL when path names anything but a regular file (a FIFO, a device, a directory, a
 * socket, a symlink); -EFBIG when it holds more than max bytes; -ENOMEM; or open's -errno
 * (-ENOENT, -EACCES, ...). *buf and *len are set only on success.
 */
int statefile_read(const char *path, size_t max, char **buf, size_t *len);

#endif
