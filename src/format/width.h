/* Display columns of a Unicode code point on a terminal, for the table's alignment. */
#ifndef CC_WIDTH_H
#define CC_WIDTH_H

#include <stdint.h>

/*
 * Columns a terminal draws cp in: 2 for East Asian Wide and Fullwidth characters (CJK, kana,
 * Hangul syllables, emoji of emoji presentation), 0 for combining marks, format characters and
 * conjoining Hangul vowels, 1 for the rest: the rules of the C library's wcwidth(), from a table
 * generated from Unicode data (scripts/gen-width-table.py) so that it needs no locale. Control
 * characters are 1 too: the table escapes them before they reach a terminal.
 */
int width_cols(uint32_t cp);

#endif
