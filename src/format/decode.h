/* Turns raw system-call values into the words users read: open flags, errno names, addresses. */
#ifndef CC_DECODE_H
#define CC_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "format/strbuf.h"

/*
 * "O_RDONLY", "O_WRONLY|O_CREAT|O_CLOEXEC": the access mode (O_ACCMODE when both bits are set),
 * then the flags in a fixed order; O_SYNC and O_TMPFILE only when all their bits are set (and
 * then not O_DSYNC or O_DIRECTORY as well); unknown bits as a trailing "|0x..". Kernel values of
 * the arch it is built for (x86_64 and arm64 differ in four flags), not the libc's.
 */
void decode_open_flags(struct strbuf *b, uint64_t flags);
/* openat2 resolve flags: "RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH", "0" when none. */
void decode_resolve_flags(struct strbuf *b, uint64_t resolve);
/* accept4 flags: "SOCK_CLOEXEC|SOCK_NONBLOCK", "0" when none. */
void decode_accept_flags(struct strbuf *b, uint64_t flags);
/*
 * "ENOENT" for 2, NULL for an unknown number. Also names the kernel-internal ERESTARTSYS,
 * ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK (a sys_exit tracepoint sees them before
 * signal delivery rewrites them) and ENOTSUPP (leaks from drivers).
 */
const char *decode_errno_name(int err);
/*
 * A struct sockaddr of len bytes: "1.2.3.4:80", "[::1]:80" (RFC 5952), "[::ffff:1.2.3.4]:80"
 * for IPv4-mapped, "[fe80::1%2]:80" with a scope id, "unix:/path" (up to the first NUL or len),
 * "unix:@abstract" (every byte up to len, a NUL shown as '@' like ss(8)), "unix:" for an
 * unnamed socket (len 2), "family:N" for others. A unix name is cut at sun_path's 108 bytes.
 * Path and abstract bytes are appended raw: the caller escapes the result like a path.
 * Returns 0, or -EINVAL when len is too short for the family it names (nothing is appended
 * then): 2 for any family, 8 for AF_INET, 24 for AF_INET6 (the scope id needs 28).
 */
int decode_sockaddr(struct strbuf *b, const void *sa, size_t len);

#endif
