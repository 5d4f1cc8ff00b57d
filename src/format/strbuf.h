/* A growable byte buffer that formatters append to; one per output stream, reused per batch. */
#ifndef CC_STRBUF_H
#define CC_STRBUF_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	size_t max; /* 0, or the most bytes it may hold: more fails as an allocation would */
	int oom;    /* an allocation failed (since strbuf_begin): an append was dropped */
};

/*
 * Make room for n more bytes; 0 or -ENOMEM (and oom set). Every call tries again: a failure
 * does not make the next one fail.
 */
int strbuf_grow(struct strbuf *b, size_t n);
void strbuf_free(struct strbuf *b);

/* A line begins: where it starts, oom cleared. */
static inline size_t strbuf_begin(struct strbuf *b)
{
	b->oom = 0;
	return b->len;
}

/*
 * The line begun at mark is done: 0, or -ENOMEM when an append to it was dropped; the line is
 * then taken back whole (nothing of it stays) and oom cleared for the next.
 */
static inline int strbuf_end(struct strbuf *b, size_t mark)
{
	if (!b->oom)
		return 0;
	b->len = mark;
	b->oom = 0;
	return -ENOMEM;
}

static inline void strbuf_add(struct strbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->cap - b->len < n && strbuf_grow(b, n))
		return;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static inline void strbuf_addc(struct strbuf *b, char c)
{
	if (b->cap == b->len && strbuf_grow(b, 1))
		return;
	b->buf[b->len++] = c;
}

static inline void strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

/* Decimal integers, without printf. */
void strbuf_addu(struct strbuf *b, unsigned long long v);
void strbuf_addi(struct strbuf *b, long long v);
/* v right-aligned or left-aligned in width columns (a longer value is not cut). */
void strbuf_pad(struct strbuf *b, size_t used, size_t width);

#endif
