/* --omit-null: the members whose value is null left out of a JSON object already written. */
#ifndef CC_JSONNULL_H
#define CC_JSONNULL_H

#include <stddef.h>

#include "format/strbuf.h"

/*
 * s[0..n) is one JSON object, as the writers make it (`{"key":value,...}`, a newline after it
 * or not): its top-level members whose value is null are removed in place, every other byte is
 * kept as it was (values, their order, nested objects and arrays whole). Returns the new length;
 * n, unchanged, when s is not such an object.
 */
size_t json_drop_nulls(char *s, size_t n);

/* The last line of b (it ends with "}\n"; lines before it are left alone) through
   json_drop_nulls, when omit is set. */
void json_line_end(struct strbuf *b, int omit);

#endif
