/* Reading JSON that other programs wrote (runtime state, config files): jansson, strictly. */
#ifndef CC_JSON_READ_H
#define CC_JSON_READ_H

#include <stddef.h>

#include <jansson.h>

/* The deepest nesting of arrays and objects accepted; runtimes' files nest fewer than 10. */
#define JSON_READ_MAX_DEPTH 64

/*
 * Parse text[0..len) (a NUL is not needed) as one JSON object or array into *out (a new
 * reference: json_decref() it). 0; -EINVAL on malformed JSON, trailing bytes, a duplicate key
 * in an object, a NUL (raw or \u0000), nesting deeper than JSON_READ_MAX_DEPTH, or a top level
 * that is not an object or array; -ENOMEM. *out is set only on success.
 */
int json_read_text(const char *text, size_t len, json_t **out);

/*
 * json_read_text, and when it returns -EINVAL, the 1-based line where the text went wrong into
 * *line and a sentence saying how into why (size bytes), for messages about files people edit.
 */
int json_read_text_why(const char *text, size_t len, json_t **out, int *line, char *why,
		       size_t size);

/* statefile_read(path, max) then json_read_text: its errors or json_read_text's. */
int json_read_file(const char *path, size_t max, json_t **out);

/*
 * The string at the path of object keys given after v, ended by NULL (json_read_str(v, "State",
 * "Name", NULL) is v.State.Name), or NULL when a step is not an object, a key is missing, or the
 * value is not a string. The string lives as long as v.
 */
const char *json_read_str(const json_t *v, const char *key, ...) __attribute__((sentinel));

#endif
