/* The escaping tests' oracles, shared by the unit test and the fuzzer: the C library's UTF-8
 * decoder (in a UTF-8 locale the caller set) and the inverse of the documented escapes. */
#ifndef CC_TEST_ORACLE_H
#define CC_TEST_ORACLE_H

#include <stdint.h>
#include <string.h>
#include <wchar.h>

/* A valid UTF-8 code point at s[0..n) by the C library: its length, or 0. */
static inline size_t oracle_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	mbstate_t st;
	wchar_t w;
	size_t r;

	memset(&st, 0, sizeof(st));
	r = mbrtowc(&w, (const char *)s, n, &st);
	if (r == (size_t)-1 || r == (size_t)-2)
		return 0;
	/* glibc decodes up to U+7FFFFFFF; UTF-8 (RFC 3629) ends at U+10FFFF. */
	if ((uint32_t)w > 0x10ffff)
		return 0;
	*cp = (uint32_t)w;
	return r ? r : 1;
}

static inline int oracle_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The byte a one-letter escape stands for (\\ \" \b \f \n \r \t), or -1. */
static inline int oracle_short_escape(unsigned char c)
{
	static const char from[] = "\\\"bfnrt", to[] = "\\\"\b\f\n\r\t";
	const char *p = c ? strchr(from, c) : NULL;

	return p ? (unsigned char)to[p - from] : -1;
}

#endif
