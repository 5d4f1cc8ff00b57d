/* The sizes of the session's bounded structures, as copenclose_*_entries gauges. */
#include "trace/footprint.h"
#include "trace/session.h"

static void put(struct expo_state *st, const char *name, const char *help, const char *label,
		const char *value, uint64_t entries)
{
	if (st->nsizes >= EXPO_SIZES_MAX)
		return;
	st->sizes[st->nsizes++] = (struct expo_size){name, help, label, value, entries};
}

static void summary_sizes(const struct summary *sum, struct expo_state *st)
{
	uint64_t cgroups = 0, paths = 0;

	for (size_t i = 0; i < SUMMARY_BUCKETS; i++)
		for (const struct summary_cg *c = sum->index[i]; c; c = c->next)
			cgroups++;
	for (size_t i = 0; i < sum->n; i++)
		for (size_t j = 0; j < TOPK_SLOTS; j++)
			paths += sum->rows[i]->paths.slot[j].s != NULL;
	put(st, "copenclose_rows_entries",
	    "Rows of the summary: containers with series, gone ones in their grace period included "
	    "(--metrics-grace), and the containers the overflow row holds (--metrics-max-containers).",
	    NULL, NULL, sum->n + sum->nmembers);
	put(st, "copenclose_row_cgroups_entries",
	    "cgroups the summary's rows remember (a bounded number per row).", NULL, NULL, cgroups);
	put(st, "copenclose_topk_entries",
	    "Paths tracked in the rows' most-opened lists (16 a row at most).", NULL, NULL, paths);
}

void footprint_fill(struct session *s, struct expo_state *st)
{
	static const char res_help[] =
		"cgroups a resolver cache holds (4096 at most each, the least recently used "
		"evicted; a removed cgroup is forgotten): the consumer's, the naming thread's, and "
		"the first guesses from cgroup paths.";
	size_t requests = 0, answers = 0;

	st->nsizes = 0;
	put(st, "copenclose_resolver_cache_entries", res_help, "cache", "consumer",
	    resolver_cache_size(s->res));
	put(st, "copenclose_resolver_cache_entries", res_help, "cache", "naming",
	    s->namer ? namer_back_entries(s->namer) : 0);
	put(st, "copenclose_resolver_cache_entries", res_help, "cache", "paths",
	    resolver_cache_size(s->guess));
	if (s->namer)
		namer_queued(s->namer, &requests, &answers);
	put(st, "copenclose_naming_queue_entries",
	    "Naming requests waiting for the naming thread (4096 at most) and answers waiting for "
	    "the consumer (256 at most).",
	    "queue", "requests", requests);
	put(st, "copenclose_naming_queue_entries", NULL, "queue", "answers", answers);
	put(st, "copenclose_held_records_entries",
	    "Records held until their cgroup is named (65536 and 16 MiB at most, 100 ms each).",
	    NULL, NULL, s->held.n);
	if (s->fd_table) {
		struct fdtable_stats fs;

		fdtable_stats(s->fds.table, &fs);
		put(st, "copenclose_fd_table_entries",
		    "Descriptors the descriptor table holds (65536 at most, 4096 a process).", NULL,
		    NULL, fs.open);
	}
	if (s->summarizing)
		put(st, "copenclose_held_deltas_entries",
		    "Deltas of the kernel's tally held until their cgroup is named (4096 at most, 2 s "
		    "each, then counted with what the cgroup's path told).",
		    NULL, NULL, s->sz.nheld);
	if (s->sz.tally)
		put(st, "copenclose_tally_entries",
		    "Keys of the kernel's tally whose last value is kept (as many as the map: 16384).",
		    NULL, NULL, tally_size(s->sz.tally));
	summary_sizes(&s->sz.sum, st);
}
