/* Escaping of traced, hostile strings (paths, comm, cgroup names) for the table and for JSON. */
#ifndef CC_ESCAPE_H
#define CC_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "format/strbuf.h"

/*
 * Append s[0..n) for a terminal: printable ASCII (a space included) and valid UTF-8 stay as they
 * are; backslash, \n, \t, \r become \\ \n \t \r; every other byte below 0x20 and 0x7f, and
 * every byte of invalid UTF-8 (stray continuation bytes, overlong forms, UTF-16 surrogates,
 * code points above U+10FFFF, sequences cut short by the end) becomes \xHH (lowercase hex, one
 * per byte). Valid code points that a terminal would act on or hide are written as \xHH per
 * byte of their UTF-8 form too: C1 controls U+0080..U+009F, every format character (Unicode
 * general category Cf: bidi embeddings, overrides, isolates and marks such as U+202A..U+202E,
 * U+2066..U+2069, U+200E, U+200F, U+061C; zero-width U+200B..U+200D, U+2060, U+FEFF; soft
 * hyphen U+00AD; tag characters U+E0001, U+E0020..U+E007F; and the rest of Cf as of Unicode 15)
 * and the line and paragraph separators U+2028, U+2029. The output therefore never
 * holds a byte below 0x20, 0x7f, invalid UTF-8 or one of those code points, and an input
 * backslash is always doubled, so the output is unambiguous. Returns the display columns
 * written: each escape counts its characters, each other code point its width on a terminal
 * (width_cols(): 2 for wide CJK and emoji, 0 for combining marks), so that padding aligns.
 */
size_t escape_table(struct strbuf *b, const char *s, size_t n);

/*
 * Append s[0..n) as the contents of a JSON string (no quotes), RFC 8259: " and \ escaped,
 * control bytes below 0x20 and 0x7f as \u00XX (\n \t \r \b \f short forms), valid UTF-8 as it
 * is. A byte B that is not part of valid UTF-8 (0x80..0xff) becomes the lone low surrogate
 * \udcXX, U+DC00 + B (U+DC80..U+DCFF), the convention of Python's "surrogateescape": a decoder
 * that knows it gets the exact bytes back (in Python, json.loads(line) then
 * s.encode("utf-8", "surrogateescape")), and any other reads a replacement character or fails,
 * never a plausible other name (\u00ff would read as a valid "ÿ"). No valid UTF-8 can stand for
 * a surrogate, so nothing else is ever written as one. Invalid UTF-8 is as defined for
 * escape_table(), hex digits are lowercase, and the output is always valid UTF-8. Bidi and
 * invisible code points stay as they are: JSON is for programs, which see them escaped nowhere
 * else.
 */
void escape_json(struct strbuf *b, const char *s, size_t n);

/* Append "s" (with quotes) escaped as above, or null when s is NULL. */
void escape_json_str(struct strbuf *b, const char *s, size_t n);

/* Append ,"key": (no comma for an object's first key); key is one of ours, written as it is. */
void escape_json_key(struct strbuf *b, const char *key, bool first);

#endif
