/* Strict JSON reading over jansson: one object or array, bounded depth, no duplicates, no NUL. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "enrich/json_read.h"
#include "enrich/statefile.h"

/*
 * The deepest nesting of [ and { outside strings. jansson 2.14 (Debian 12) bounds depth only at
 * its compile-time JSON_PARSER_MAX_DEPTH of 2048 and has no flag to lower it, so a hostile file
 * could still make a 2048-level tree (and every walk of it recurse as deep). One linear pass over
 * the bytes refuses such input before jansson allocates anything. Malformed input (an unclosed
 * string, unbalanced brackets) is left to jansson to refuse; stop early once past the bound.
 */
static int json_read_depth_ok(const char *text, size_t len, int *line)
{
	unsigned depth = 0;
	int in_string = 0;

	*line = 1;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c == '\n')
			++*line; /* a newline is never escaped: a raw one in a string is an error
				    later */
		if (in_string) {
			if (c == '\\')
				i++; /* the escaped byte cannot end the string */
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > JSON_READ_MAX_DEPTH)
				return 0;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return 1;
}

int json_read_text_why(const char *text, size_t len, json_t **out, int *line, char *why,
		       size_t size)
{
	json_error_t jerr;
	json_t *v;

	*line = 0;
	snprintf(why, size, "%s", "no text");
	if (!text || !out)
		return -EINVAL;
	if (!json_read_depth_ok(text, len, line)) {
		snprintf(why, size, "nested too deeply (more than %d levels)", JSON_READ_MAX_DEPTH);
		return -EINVAL;
	}
	/*
	 * Not JSON_ALLOW_NUL: a \u0000 inside a name would cut it short in every C string it is
	 * copied to. Not JSON_DISABLE_EOF_CHECK: bytes after the value are an error. Not
	 * JSON_DECODE_ANY: every file read is an object or an array.
	 */
	v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		*line = jerr.line > 0 ? jerr.line : 1;
		/* jansson's own sentence names its flag; say what the text holds instead */
		if (json_error_code(&jerr) == json_error_null_character)
			snprintf(why, size, "a string holds \\u0000");
		else
			snprintf(why, size, "%s", jerr.text);
		return json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EINVAL;
	}
	*out = v;
	return 0;
}

int json_read_text(const char *text, size_t len, json_t **out)
{
	char why[JSON_ERROR_TEXT_LENGTH];
	int line;

	return json_read_text_why(text, len, out, &line, why, sizeof(why));
}

int json_read_file(const char *path, size_t max, json_t **out)
{
	size_t len;
	char *text;
	int err;

	if (!out)
		return -EINVAL;
	err = statefile_read(path, max, &text, &len);
	if (err)
		return err;
	err = json_read_text(text, len, out);
	free(text);
	return err;
}

const char *json_read_str(const json_t *v, const char *key, ...)
{
	va_list ap;

	va_start(ap, key);
	for (; key; key = va_arg(ap, const char *)) {
		if (!json_is_object(v)) {
			v = NULL;
			break;
		}
		v = json_object_get(v, key);
	}
	va_end(ap);
	return json_is_string(v) ? json_string_value(v) : NULL;
}
