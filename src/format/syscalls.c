/* The traced system calls and the tracepoints their programs attach to. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format/syscalls.h"

static const char *const names[CC_SYS_MAX] = {
	[CC_SYS_OPEN] = "open",	      [CC_SYS_OPENAT] = "openat",   [CC_SYS_OPENAT2] = "openat2",
	[CC_SYS_CLOSE] = "close",     [CC_SYS_CONNECT] = "connect", [CC_SYS_ACCEPT] = "accept",
	[CC_SYS_ACCEPT4] = "accept4",
};

static const char *const tracepoints[CC_SYS_MAX] = {
	[CC_SYS_OPEN] = "sys_exit_open",       [CC_SYS_OPENAT] = "sys_exit_openat",
	[CC_SYS_OPENAT2] = "sys_exit_openat2", [CC_SYS_CLOSE] = "sys_exit_close",
	[CC_SYS_CONNECT] = "sys_exit_connect", [CC_SYS_ACCEPT] = "sys_exit_accept",
	[CC_SYS_ACCEPT4] = "sys_exit_accept4",
};

const char *syscalls_name(unsigned int sc)
{
	return sc < CC_SYS_MAX ? names[sc] : "?";
}

const char *syscalls_tracepoint(unsigned int sc)
{
	return sc < CC_SYS_MAX ? tracepoints[sc] : NULL;
}

int syscalls_lookup(const char *name)
{
	for (int i = 0; i < CC_SYS_MAX; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int syscalls_parse_list(const char *list, unsigned int *mask, char *bad, size_t bad_size)
{
	const char *p = list;

	*mask = 0;
	do {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char word[32];
		int sc;

		if (len == 0 || len >= sizeof(word))
			goto bad;
		memcpy(word, p, len);
		word[len] = '\0';
		if (strcmp(word, "all") == 0) {
			*mask |= SYSCALLS_ALL;
		} else if (strcmp(word, "open*") == 0) {
			*mask |= 1u << CC_SYS_OPEN | 1u << CC_SYS_OPENAT | 1u << CC_SYS_OPENAT2;
		} else if (strcmp(word, "accept*") == 0) {
			*mask |= 1u << CC_SYS_ACCEPT | 1u << CC_SYS_ACCEPT4;
		} else if ((sc = syscalls_lookup(word)) >= 0) {
			*mask |= 1u << sc;
		} else {
			goto bad;
		}
		p = end ? end + 1 : NULL;
		continue;
	bad:
		snprintf(bad, bad_size, "%.*s", (int)(len > 64 ? 64 : len), p);
		return -EINVAL;
	} while (p);
	return 0;
}

const char *syscalls_via_name(unsigned int via)
{
	static const char *const names[] = {
		[CC_VIA_SYSCALL] = "syscall",
		[CC_VIA_IO_URING] = "io_uring",
		[CC_VIA_IA32] = "ia32",
		[CC_VIA_GVISOR] = "gvisor",
	};

	return via < sizeof(names) / sizeof(names[0]) ? names[via] : "?";
}
