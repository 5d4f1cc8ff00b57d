/* Reading one small file that another program wrote (runtime state, /proc, config) safely. */
#ifndef CC_STATEFILE_H
#define CC_STATEFILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The whole of the regular file at path into *buf (malloc'd, NUL-terminated; *len bytes before
 * the NUL; free() it). Never waits on a FIFO or a device (opened non-blocking, then refused),
 * but a regular file on a hung NFS or FUSE mount can block open and read for as long as the
 * server does: only the naming thread calls it while tracing. Never follows a symlink in the
 * last component: 0;
 * -EINVAL when path names anything but a regular file (a FIFO, a device, a directory, a
 * socket, a symlink); -EFBIG when it holds more than max bytes; -ENOMEM; or open's -errno
 * (-ENOENT, -EACCES, ...). *buf and *len are set only on success.
 */
int statefile_read(const char *path, size_t max, char **buf, size_t *len);

/*
 * statefile_read of a file a user wrote, trusted only while that user owns it: -EPERM when the
 * file's owner is not uid (another user's or root's file planted in the user's state).
 */
int statefile_read_owned(const char *path, size_t max, uint32_t uid, char **buf, size_t *len);

/*
 * A path made from fmt into buf (the state readers' one joiner: root, directory, id, file);
 * 0, or -ENAMETOOLONG when it does not fit (buf then holds nothing to open).
 */
int statefile_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
