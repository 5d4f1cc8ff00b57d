/* Reading one string member out of a JSON document without building a tree (runtime state). */
#ifndef CC_JSONSCAN_H
#define CC_JSONSCAN_H

#include <stddef.h>

/*
 * Pure: the value of the string member key of the top-level object in js[0..len), unescaped
 * (\uXXXX as UTF-8), into out (size bytes, NUL-terminated). 0; -ENOENT when the object has no
 * such member or its value is not a string; -EINVAL on malformed JSON before it was found;
 * -ENAMETOOLONG when the value does not fit.
 */
int jsonscan_top_string(const char *js, size_t len, const char *key, char *out, size_t size);

/*
 * Pure: in a top-level array of objects (containers/storage's containers.json), the first object
 * whose string member match_key equals match_val; its member want_key, a string or an array whose
 * first element is a string, into out. 0, -ENOENT, -EINVAL, -ENAMETOOLONG as above.
 */
int jsonscan_array_find(const char *js, size_t len, const char *match_key, const char *match_val,
			const char *want_key, char *out, size_t size);

#endif
