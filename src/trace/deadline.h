/* The poll loop's wait, shortened for what falls due: pure, so the arithmetic is tested. */
#ifndef CC_DEADLINE_H
#define CC_DEADLINE_H

#include <stdint.h>

/*
 * timeout_ms (of epoll_wait), or less so that the wait ends once due (CLOCK_MONOTONIC ns) is
 * reached: 0 when it is already (an overdue tick or record is not left waiting), else the
 * milliseconds to it, rounded up.
 */
static inline int deadline_timeout_ms(uint64_t now, uint64_t due, int timeout_ms)
{
	uint64_t ms;

	if (due <= now)
		return 0;
	ms = (due - now + 999999) / 1000000;
	return timeout_ms >= 0 && ms >= (uint64_t)timeout_ms ? timeout_ms : (int)ms;
}

#endif
