/* libFuzzer target: json_read_text on hostile bytes, and runtime_state's lookups on what it
 * accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/json_read.h"
#include "enrich/runtime_state.h"

/* The deepest nesting of a parsed value, walked (a different route from json_read's pre-scan). */
static unsigned depth(const json_t *v)
{
	unsigned d = 0, c;
	const char *key;
	json_t *el;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, el)
		{
			if ((c = depth(el)) > d)
				d = c;
		}
		return d + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, el)
		{
			if ((c = depth(el)) > d)
				d = c;
		}
		return d + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[64], *dump;
	const char *s;
	json_t *v, *again;

	if (json_read_text((const char *)data, size, &v))
		return 0;
	if ((!json_is_object(v) && !json_is_array(v)) || depth(v) > JSON_READ_MAX_DEPTH)
		abort();
	s = json_read_str(v, "Name", NULL);
	if (s && strlen(s) != json_string_length(json_object_get(v, "Name")))
		abort(); /* a NUL inside a string was let through */
	/* what jansson writes back is read again, the same */
	dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!dump)
		abort();
	if (json_read_text(dump, strlen(dump), &again) || !json_equal(v, again))
		abort();
	json_decref(again);
	free(dump);
	if (runtime_state_docker_name(v, out, sizeof(out)) == 0 && strlen(out) >= sizeof(out))
		abort();
	if (runtime_state_storage_name(v, "a", out, 16) == 0 && (!out[0] || strlen(out) >= 16))
		abort();
	json_decref(v);
	return 0;
}
