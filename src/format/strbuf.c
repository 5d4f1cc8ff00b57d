/* Growable byte buffer and integer formatting without printf. */
#include <errno.h>
#include <stdlib.h>

#include "format/strbuf.h"

int strbuf_grow(struct strbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	while (cap - b->len < n) {
		if (cap > ((size_t)-1) / 2)
			goto oom;
		cap *= 2;
	}
	if (b->max && cap > b->max) {
		if (b->max - b->len < n)
			goto oom;
		cap = b->max;
	}
	p = realloc(b->buf, cap);
	if (!p)
		goto oom;
	b->buf = p;
	b->cap = cap;
	return 0;
oom:
	b->oom = 1;
	return -ENOMEM;
}

void strbuf_free(struct strbuf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

void strbuf_addu(struct strbuf *b, unsigned long long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	strbuf_add(b, tmp + i, sizeof(tmp) - i);
}

void strbuf_addi(struct strbuf *b, long long v)
{
	if (v < 0) {
		strbuf_addc(b, '-');
		strbuf_addu(b, -(unsigned long long)v);
		return;
	}
	strbuf_addu(b, v);
}

void strbuf_pad(struct strbuf *b, size_t used, size_t width)
{
	while (used++ < width)
		strbuf_addc(b, ' ');
}
