/* Fuzz target: any bytes as a ring-buffer record through the table and JSON writers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/output.h"

/* One line, no raw control byte but the final newline. */
static void check_line(const struct strbuf *b)
{
	if (b->len == 0 || b->buf[b->len - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < b->len; i++) {
		unsigned char c = (unsigned char)b->buf[i];

		if (c < 0x20 || c == 0x7f)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgroup_identity id = {.cgroup_id = 7, .path = "/x"};
	struct output o;
	struct cc_event *ev;
	size_t n = size < sizeof(*ev) ? sizeof(*ev) : size;

	ev = calloc(1, n);
	if (!ev)
		return 0;
	memcpy(ev, data, size);
	if (size > 0)
		id.ctr.is_container = data[0] & 1;
	snprintf(id.ctr.id, sizeof(id.ctr.id), "%.*s", (int)(size > 40 ? 40 : size),
		 (const char *)data);
	memcpy(id.ctr.runtime, "runc", 5);
	for (int format = OUTPUT_TABLE; format <= OUTPUT_JSON; format++) {
		output_init(&o, format, (enum id_key)(size % 4), 0);
		output_event(&o, ev, n, size > 1 && (data[1] & 1) ? &id : NULL);
		check_line(&o.buf);
		output_free(&o);
	}
	free(ev);
	return 0;
}
