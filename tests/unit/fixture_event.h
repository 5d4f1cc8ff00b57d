/* The record the writers' unit tests start from: one nginx process's call, fixed fields set. */
#ifndef CC_FIXTURE_EVENT_H
#define CC_FIXTURE_EVENT_H

#include <string.h>

#include "bpf/event.h"

/* 2026-11-29T04:05:06.123456Z as a monotonic stamp of 1000 s plus this offset */
#define WALL_NS 1795925106123456789LL
#define MONO_NS 1000000000000LL

/* Fill ev (its tail is the caller's) with a record of type and system call sc. */
static inline void fixture_event(struct cc_event *ev, uint32_t type, enum cc_syscall sc)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->syscall = sc;
	ev->ts_ns = MONO_NS;
	ev->cgroup_id = 4711;
	ev->pid = 1234;
	ev->tid = 1235;
	ev->ppid = 1;
	ev->ns_pid = 7;
	ev->uid = 1000;
	ev->gid = 100;
	ev->fd = -1;
	ev->dirfd = -100; /* AT_FDCWD */
	strcpy(ev->comm, "nginx");
}

#endif
