/* Fuzz target: any bytes as a stream of records through the descriptor table and its writers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fdlife.h"

#define CHUNK (sizeof(struct cc_event) + 64)

struct ctx {
	struct output *out;
	const struct cc_event *rec;
};

static void ended(void *p, const struct fd_entry *e)
{
	struct ctx *c = p;
	struct fd_origin o;

	fdlife_origin(e, &o);
	output_fd_end(c->out, c->rec, e->fd, &o, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdtable_limits lim = {.max_total = 64, .max_per_proc = 8, .max_text_bytes = 4096};
	struct output out;
	struct fdlife l;
	char *rec;

	if (fdlife_init(&l, &lim))
		return 0;
	rec = malloc(CHUNK);
	if (!rec) {
		fdlife_free(&l);
		return 0;
	}
	output_init(&out, size % 2 ? OUTPUT_JSON : OUTPUT_TABLE, BY_UTS, 0);
	for (size_t off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;
		struct cc_event *ev = (struct cc_event *)rec;
		struct fd_entry *closed;
		struct fd_origin o;

		memset(rec, 0, CHUNK);
		memcpy(rec, data + off, n);
		/* few processes and descriptors, so records meet each other */
		ev->pid %= 4;
		ev->ret %= 16;
		ev->fd %= 16;
		if (ev->type % 3 == 0) {
			struct ctx c = {.out = &out, .rec = ev};

			ev->type = ev->type % 2 ? CC_REC_PROC_EXEC : CC_REC_PROC_EXIT;
			fdtable_end_process(l.table, ev->pid, ev->type == CC_REC_PROC_EXEC, ended,
					    &c);
			continue;
		}
		ev->syscall %= CC_SYS_MAX;
		closed = fdlife_event(&l, ev, CHUNK);
		if (closed)
			fdlife_origin(closed, &o);
		output_event_closing(&out, ev, CHUNK, NULL, closed ? &o : NULL);
		fdtable_release(closed);
		out.buf.len = 0;
	}
	if (fdlife_report(&l, &out, NULL, (uint64_t)size << 20, size % 3, 1) < 0)
		abort();
	output_free(&out);
	free(rec);
	fdlife_free(&l);
	return 0;
}
