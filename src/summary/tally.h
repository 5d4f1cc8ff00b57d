/* The in-kernel tally read every interval: per-key deltas since the last read. */
#ifndef CC_TALLY_H
#define CC_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"

/* The syscall value of the pseudo-key that carries a cgroup's lost events (lost_by_cgroup). */
#define TALLY_LOST CC_SYS_MAX

/* What was last read of every key, so each read yields deltas. */
struct tally;

int tally_new(struct tally **out);
void tally_free(struct tally *t);

/*
 * The delta of key since the last call for it, given its cumulative value now (a value below the
 * last one, as after a key was deleted and made again, counts from 0). Pure; -ENOMEM aside, which
 * yields 0 and keeps nothing.
 */
uint64_t tally_delta(struct tally *t, const struct cc_tally_key *key, uint64_t value);

/*
 * The cgroup was removed: its keys are deleted from the kernel map after their next read, every
 * one of them however many cgroups go in an interval. 0 or -ENOMEM (then they stay, as before).
 */
int tally_retire(struct tally *t, uint64_t cgroup_id);

/* Whether the cgroup was retired and its keys not yet read for the last time. */
bool tally_retired(const struct tally *t, uint64_t cgroup_id);

/* How many retired cgroups wait for their last read. */
size_t tally_retiring(const struct tally *t);

typedef void (*tally_fn)(void *ctx, const struct cc_tally_key *key, uint64_t delta);

/*
 * Read the per-CPU tally map (map_fd, ncpus values per key) and the lost_by_cgroup map (lost_fd,
 * one value per cgroup id; -1 for none); call fn for every key that grew. Keys of retired
 * cgroups are deleted from the kernel map once read. 0 or -errno.
 */
int tally_read(struct tally *t, int map_fd, int ncpus, int lost_fd, tally_fn fn, void *ctx);

/* What tally_read does to a map, as the bpf(2) calls do it (0 or -errno): for tests, a map in
   memory. */
struct tally_map_ops {
	int (*next_key)(int fd, const void *prev, void *next); /* prev NULL: the first key */
	int (*lookup)(int fd, const void *key, void *value);
	int (*del)(int fd, const void *key);
};

extern const struct tally_map_ops tally_bpf_ops;

/* tally_read() through ops. */
int tally_read_ops(struct tally *t, const struct tally_map_ops *ops, int map_fd, int ncpus,
		   int lost_fd, tally_fn fn, void *ctx);

/* The lost events of the lost_by_cgroup keys tally_read deleted (cgroups removed, their losses
   counted in their rows): the exit report's per-cgroup lines no longer find them. */
uint64_t tally_lost_deleted(const struct tally *t);

/* Keys tracked (for tests and the metrics of the tracer's own state). */
size_t tally_size(const struct tally *t);

#endif
