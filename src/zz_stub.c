/* TEMPORARY stub, not committed */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "decode.h"
#include "resolver.h"
#include "commands.h"
#include "cgroup.h"
size_t escape_table(struct strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c < 32 || c > 126) {
			char t[5];
			snprintf(t, 5, "\\x%02x", c);
			strbuf_add(b, t, 4);
		} else
			strbuf_addc(b, c);
	}
	return n;
}
void escape_json(struct strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c < 32 || c > 126 || c == '"' || c == '\\') {
			char t[7];
			snprintf(t, 7, "\\u%04x", c);
			strbuf_add(b, t, 6);
		} else
			strbuf_addc(b, c);
	}
}
void escape_json_str(struct strbuf *b, const char *s, size_t n)
{
	if (!s) {
		strbuf_adds(b, "null");
		return;
	}
	strbuf_addc(b, '"');
	escape_json(b, s, n);
	strbuf_addc(b, '"');
}
void decode_open_flags(struct strbuf *b, uint64_t f)
{
	char t[32];
	snprintf(t, 32, "0x%llx", (unsigned long long)f);
	strbuf_adds(b, t);
}
void decode_resolve_flags(struct strbuf *b, uint64_t f)
{
	decode_open_flags(b, f);
}
void decode_accept_flags(struct strbuf *b, uint64_t f)
{
	decode_open_flags(b, f);
}
const char *decode_errno_name(int e)
{
	return e == 2 ? "ENOENT" : e == 9 ? "EBADF" : NULL;
}
int decode_sockaddr(struct strbuf *b, const void *sa, size_t len)
{
	(void)sa;
	char t[32];
	snprintf(t, 32, "sa:%zu", len);
	strbuf_adds(b, t);
	return 0;
}
int doctor_main(int c, char **v)
{
	(void)c;
	(void)v;
	return 1;
}
