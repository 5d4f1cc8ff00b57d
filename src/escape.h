/* Escaping of traced, hostile strings (paths, comm, cgroup names) for the table and for JSON. */
#ifndef CC_ESCAPE_H
#define CC_ESCAPE_H

#include <stddef.h>

#include "strbuf.h"

/*
 * Append s[0..n) for a terminal: printable ASCII and valid UTF-8 stay as they are; backslash,
 * \n, \t, \r become C escapes; every other control byte, C1 control, bidi or other invisible
 * formatting code point (U+200B..U+200F, U+202A..U+202E, U+2066..U+2069, U+FEFF) and every byte
 * of invalid UTF-8 becomes \xHH (per byte). A space stays a space. Returns the number of columns
 * written (each escape counts its characters, each code point one column).
 */
size_t escape_table(struct strbuf *b, const char *s, size_t n);

/*
 * Append s[0..n) as the contents of a JSON string (no quotes), RFC 8259: " and \ escaped,
 * control bytes below 0x20 and 0x7f as \uXXXX (\n \t \r \b \f short forms), valid UTF-8 as it
 * is. A byte that is not part of valid UTF-8 becomes \u00XX with XX the raw byte (0x80-0xff):
 * since valid U+0080..U+00FF characters are always written as UTF-8, never escaped, \u0080 to
 * \u00ff in our output always stand for a raw byte, so the original bytes are recoverable.
 */
void escape_json(struct strbuf *b, const char *s, size_t n);

/* Append "s" (with quotes) escaped as above, or null when s is NULL. */
void escape_json_str(struct strbuf *b, const char *s, size_t n);

#endif
