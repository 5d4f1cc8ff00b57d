/* Small helpers every stage uses: one home for each, so that no file keeps its own copy. */
#ifndef CC_UTIL_H
#define CC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* The time of clock clk in nanoseconds. */
static inline uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The monotonic clock in milliseconds. */
static inline uint64_t now_ms(void)
{
	return now_ns(CLOCK_MONOTONIC) / 1000000;
}

/* Whether s[0..n) begins with the string lit. */
static inline bool mem_has_prefix(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s, lit, l) == 0;
}

/* Whether s[0..n) is the string lit. */
static inline bool mem_is(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* The lowercase hex digit of the low 4 bits of v. */
static inline char hex_digit(unsigned int v)
{
	return "0123456789abcdef"[v & 0xf];
}

/*
 * The bytes of a record's variable tail that the record really holds: claimed (the length its
 * header says) cut to what follows the head's bytes in a record of size bytes.
 */
static inline size_t tail_bytes(size_t claimed, size_t size, size_t head)
{
	if (size < head)
		return 0;
	return claimed > size - head ? size - head : claimed;
}

#endif
