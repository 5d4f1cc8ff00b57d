/* How many items of each 64-bit key a bounded queue holds: open addressing, no tombstones. */
#ifndef CC_KEYCOUNT_H
#define CC_KEYCOUNT_H

#include <stddef.h>
#include <stdint.h>

struct keycount_slot {
	uint64_t key;
	uint32_t count; /* 0: the slot is free */
};

struct keycount {
	struct keycount_slot *slots; /* a power of two, at least twice the items counted */
	size_t mask;
};

/* 0 or -ENOMEM, -EINVAL: room for max_items items counted at once. */
int keycount_init(struct keycount *k, size_t max_items);
void keycount_free(struct keycount *k);

/* How many items of key are counted. */
uint32_t keycount_get(const struct keycount *k, uint64_t key);

/* One item of key more, one less (no-op when none is counted). */
void keycount_add(struct keycount *k, uint64_t key);
void keycount_del(struct keycount *k, uint64_t key);

#endif
