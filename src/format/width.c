/* Display columns of a code point, from the generated Unicode width table. */
#include <stddef.h>

#include "format/width.h"
#include "format/width_table.h"

static int width_in(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < r[mid][0])
			hi = mid;
		else if (cp > r[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int width_cols(uint32_t cp)
{
	if (cp < 0x300)
		return 1; /* the first mark is U+0300, the first wide character U+1100 */
	if (width_in(width_zero, sizeof(width_zero) / sizeof(width_zero[0]), cp))
		return 0;
	if (width_in(width_wide, sizeof(width_wide) / sizeof(width_wide[0]), cp))
		return 2;
	return 1;
}
