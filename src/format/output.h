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
	int kernel_host_key;	 /* JSON: the kernel's host verdict too, as "kernel_host" (tests) */
	int omit_null;		 /* JSON: members whose value is null are left out */
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

/* What made a descriptor that a close, an exit or an exec ended (from the descriptor table). */
struct fd_origin {
	uint32_t syscall; /* enum cc_syscall of the call that made it */
	const char *text; /* its path, or its peer's address when is_addr */
	size_t text_len;
	int is_addr;
	uint64_t opened_ns; /* CLOCK_MONOTONIC, as event stamps */
};

/*
 * A close event (or any event: closed is only written for a close) with what it closed; closed
 * is NULL when unknown (made before tracing began, or by a call not traced).
 */
void output_event_closing(struct output *o, const struct cc_event *ev, size_t size,
			  const struct cgroup_identity *id, const struct fd_origin *closed);

/*
 * A descriptor ended by the exit or exec of its process: rec is the CC_REC_PROC_EXIT or
 * CC_REC_PROC_EXEC record, fd and origin the descriptor the table had for the process.
 */
void output_fd_end(struct output *o, const struct cc_event *rec, int32_t fd,
		   const struct fd_origin *origin, const struct cgroup_identity *id);

/* A descriptor still open, for the leak report. */
struct fd_held {
	uint32_t pid;
	int32_t fd;
	uint64_t cgroup_id;
	const char *comm; /* NUL-padded, at most CC_COMM_LEN bytes */
	int cloexec;
	struct fd_origin origin;
};

/*
 * The leak report: its heading (in the table: a blank line, a title saying how many, the column
 * names; nothing in JSON), then one {"type":"open_fd",...} object or row per descriptor. now_ns
 * is the CLOCK_MONOTONIC time of the report; older_ns the --leaks-older bound (0 for none).
 */
void output_leaks_header(struct output *o, size_t count, uint64_t older_ns);
void output_open_fd(struct output *o, const struct fd_held *h, uint64_t now_ns,
		    const struct cgroup_identity *id);

/* JSON only: a {"type":"lost",...} record for events the kernel could not deliver. */
void output_lost(struct output *o, uint64_t increment, uint64_t total);

#endif
