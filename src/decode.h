/* Turns raw system-call values into the words users read: open flags, errno names, addresses. */
#ifndef CC_DECODE_H
#define CC_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* "O_RDONLY", "O_WRONLY|O_CREAT|O_CLOEXEC"; unknown bits as a trailing "|0x..". */
void decode_open_flags(struct strbuf *b, uint64_t flags);
/* openat2 resolve flags: "RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH", "0" when none. */
void decode_resolve_flags(struct strbuf *b, uint64_t resolve);
/* accept4 flags: "SOCK_CLOEXEC|SOCK_NONBLOCK", "0" when none. */
void decode_accept_flags(struct strbuf *b, uint64_t flags);
/* "ENOENT" for 2, NULL for an unknown number. */
const char *decode_errno_name(int err);
/*
 * A struct sockaddr of len bytes: "1.2.3.4:80", "[::1]:80", "[fe80::1%2]:80", "unix:/path",
 * "unix:@abstract" (abstract name bytes escaped like a path by the caller's writer: this appends
 * raw bytes), "unix:" for an unnamed socket, "family:N" for others. Returns 0, or -EINVAL when
 * len is too short for the family it names (nothing is appended then).
 */
int decode_sockaddr(struct strbuf *b, const void *sa, size_t len);

#endif
