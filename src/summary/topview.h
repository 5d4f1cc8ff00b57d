/* What `top` prints: the rows sorted by a column, as a table or as JSON lines (pure). */
#ifndef CC_TOPVIEW_H
#define CC_TOPVIEW_H

#include <stddef.h>

#include "format/strbuf.h"
#include "summary/summary.h"

enum topview_sort {
	TOPVIEW_OPENS = 0,
	TOPVIEW_FAILED,
	TOPVIEW_CLOSES,
	TOPVIEW_CONNECTS,
	TOPVIEW_ACCEPTS,
	TOPVIEW_FDS,
	TOPVIEW_RATE,
	TOPVIEW_CPU,
	TOPVIEW_MEM,
	TOPVIEW_IO,
	TOPVIEW_NAME,
	TOPVIEW_SORTS,
};

#define TOPVIEW_SORT_NAMES "opens, failed, closes, connects, accepts, fds, rate, cpu, mem, io, name"
#define TOPVIEW_PATHS	   3 /* paths in a table row; JSON has up to TOPVIEW_JSON_PATHS */
#define TOPVIEW_JSON_PATHS 5

/* The column of a --sort name, or -1. */
int topview_sort_parse(const char *name);
const char *topview_sort_name(enum topview_sort sort);

/*
 * The rows of s into out (s->n entries), sorted: largest first by a count (this interval's,
 * or the open descriptors, or a PSI value with rows without one last), by name for
 * TOPVIEW_NAME; ties by name. seconds is the interval's length (for the rate).
 */
void topview_sort_rows(const struct summary *s, enum topview_sort sort,
		       const struct summary_row **out);

/*
 * The header line (time, interval, totals of this interval, the sort column) and one line per
 * row, each cut to width columns (0: no limit) and at most max_rows rows (0: all).
 */
void topview_table(struct strbuf *b, const struct summary *s, const struct summary_row **rows,
		   double seconds, enum topview_sort sort, const char *clock, size_t width,
		   size_t max_rows);

/*
 * One JSON object (a line) for the row: this interval's counts, the descriptors open, the rate,
 * PSI (null where absent) and the most opened paths since tracing began. time is an RFC 3339
 * time for the "time" key.
 */
void topview_json(struct strbuf *b, const struct summary_row *r, double seconds, const char *time);

#endif
