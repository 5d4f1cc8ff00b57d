/* The table and JSON-lines writers: one event in, one line appended to a buffer, no printf. */
#ifndef CC_OUTPUT_H
#define CC_OUTPUT_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "bpf/event.h"
#include "enrich/identity.h"
#include "format/strbuf.h"

struct output {
	enum output_format format;
	enum id_key by;
	int64_t mono_to_real_ns; /* add to an event's CLOCK_MONOTONIC stamp for wall time */
	int utc;		 /* table times in UTC rather than local time */
	struct strbuf buf;	 /* the lines written so far, until the caller flushes them */
	struct strbuf tmp;	 /* scratch for decoded values before escaping */
	time_t cached_sec;	 /* the second whose text is below */
	char cached_table[16];	 /* "HH:MM:SS" */
	char cached_json[32];	 /* "YYYY-MM-DDTHH:MM:SS" */
};

void output_init(struct output *o, enum output_format format, enum id_key by, int64_t offset);
void output_free(struct output *o);

/* The table's header line (nothing in JSON). */
void output_header(struct output *o);

/*
 * One event; ev points at a record of size bytes (its tail included). id is what the resolver
 * knows of the event's cgroup, or NULL when nothing is resolved.
 */
void output_event(struct output *o, const struct cc_event *ev, size_t size,
		  const struct cgroup_identity *id);

/* JSON only: a {"type":"lost",...} record for events the kernel could not deliver. */
void output_lost(struct output *o, uint64_t increment, uint64_t total);

#endif
