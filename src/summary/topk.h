/* The most frequent strings of a stream in bounded memory: the space-saving algorithm. */
#ifndef CC_TOPK_H
#define CC_TOPK_H

#include <stddef.h>
#include <stdint.h>

#define TOPK_SLOTS   16	 /* strings tracked per container */
#define TOPK_STR_MAX 512 /* longer strings are kept cut, marked with a trailing "..." */

struct topk_slot {
	char *s;	/* NULL when the slot is free */
	size_t len;	/* bytes of s (it may hold NULs: traced data) */
	size_t key_len; /* bytes of the original that s stands for (longer when cut) */
	uint64_t count; /* an upper bound of the string's count ... */
	uint64_t error; /* ... that overestimates by at most this */
};

/*
 * Space-saving (Metwally et al.): TOPK_SLOTS counters; a string not tracked takes the slot of
 * the smallest count c, with count c + 1 and error c. Every string whose true count exceeds
 * (strings seen) / TOPK_SLOTS is tracked, and a count is exact when its error is 0 (always so
 * while no more than TOPK_SLOTS distinct strings were seen).
 */
struct topk {
	struct topk_slot slot[TOPK_SLOTS];
	uint64_t seen;
};

/* One more occurrence of s[0..n); 0 or -ENOMEM. */
int topk_add(struct topk *t, const char *s, size_t n);
/* The tracked slots, largest count first, into out (at most max): how many. */
size_t topk_sorted(const struct topk *t, const struct topk_slot **out, size_t max);
void topk_free(struct topk *t);

#endif
