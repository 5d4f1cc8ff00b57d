/* The Prometheus text exposition of the rows and of the tracer's own state (pure). */
#ifndef CC_EXPO_H
#define CC_EXPO_H

#include <stddef.h>
#include <stdint.h>

#include "format/strbuf.h"
#include "summary/summary.h"

#define EXPO_SIZES_MAX 24

/*
 * The size of one structure that grows with what the tracer has seen (each has a bound): a gauge
 * NAME{LABEL="VALUE"} (LABEL NULL: no label). Sizes of one NAME follow each other.
 */
struct expo_size {
	const char *name; /* copenclose_..._entries */
	const char *help;
	const char *label, *value;
	uint64_t entries;
};

/* What the tracer knows of itself, for the copenclose_* state families. */
struct expo_state {
	const char *version;
	const char *mode; /* "stream" or "top" */
	double start_time_seconds;
	uint64_t ringbuf_bytes;
	uint64_t events_lost;	   /* ring buffer full: every container */
	uint64_t cgroup_lost;	   /* cgroup records the ring buffer had no room for */
	uint64_t tally_full;	   /* calls not tallied: the tally map was full */
	uint64_t events_throttled; /* events --rate-limit suppressed: every container */
	uint64_t cgroups_resolved; /* cgroup ids the resolver holds */
	uint64_t rows_expired;	   /* containers whose series went after the grace period */
	struct expo_size sizes[EXPO_SIZES_MAX];
	size_t nsizes;
};

/*
 * A label value as the exposition format wants it: the string made terminal-safe by
 * escape_table() (control bytes, invalid UTF-8 and invisible code points as \xHH, so the value is
 * printable, valid UTF-8 and unambiguous), then backslash and double quote escaped.
 */
void expo_label_value(struct strbuf *b, struct strbuf *tmp, const char *s, size_t n);

/*
 * Every family, HELP and TYPE first, one series per row and result; rows in the given order; then
 * st's sizes, and last copenclose_metric_series_entries: the series served, itself included.
 */
void expo_write(struct strbuf *b, const struct summary *s, const struct expo_state *st);

#endif
