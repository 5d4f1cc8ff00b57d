/* libFuzzer target: the pressure parser, the exposition's label escaping, the top-K of paths. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "summary/expo.h"
#include "summary/psi.h"
#include "summary/topk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf b = {0}, tmp = {0};
	struct topk t = {0};
	const struct topk_slot *top[TOPK_SLOTS];
	double v;

	/* a value is a percentage, or nothing */
	if (psi_parse_some_avg10((const char *)data, size, &v) == 0 && !(v >= 0 && v <= 100))
		abort();
	/* a label value never holds a raw newline, and every quote and backslash is escaped */
	expo_label_value(&b, &tmp, (const char *)data, size);
	for (size_t i = 0; i < b.len; i++) {
		if (b.buf[i] == '\n')
			abort();
		if (b.buf[i] == '\\') {
			if (i + 1 >= b.len || (b.buf[i + 1] != '\\' && b.buf[i + 1] != '"'))
				abort();
			i++;
		} else if (b.buf[i] == '"') {
			abort();
		}
	}
	/* the input split at NULs and newlines as paths: counts add up to what was added */
	uint64_t added = 0;
	for (size_t i = 0, start = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			if (topk_add(&t, (const char *)data + start, i - start) == 0)
				added++;
			start = i + 1;
		}
	}
	size_t n = topk_sorted(&t, top, TOPK_SLOTS);
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (top[i]->error > top[i]->count || (i && top[i]->count > top[i - 1]->count))
			abort();
		sum += top[i]->count;
	}
	if (t.seen != added || sum != added) /* space-saving: each add raises one count by 1 */
		abort();
	topk_free(&t);
	strbuf_free(&b);
	strbuf_free(&tmp);
	return 0;
}
