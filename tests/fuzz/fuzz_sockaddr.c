/* libFuzzer target: sockaddr formatting, flag and errno decoding on arbitrary bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf b = {0};
	uint64_t v = 0;
	int ret, err;
	size_t i;

	/* Exactly size bytes, so ASan sees any read past len. */
	strbuf_add(&b, "x", 1);
	ret = decode_sockaddr(&b, size ? data : NULL, size);
	if (ret != 0 && ret != -EINVAL)
		abort();
	if (ret == -EINVAL && b.len != 1)
		abort();
	if (ret == 0 && b.len == 1)
		abort();

	memcpy(&v, data, size < sizeof(v) ? size : sizeof(v));
	b.len = 0;
	decode_open_flags(&b, v);
	decode_resolve_flags(&b, v);
	decode_accept_flags(&b, v);
	for (i = 0; i < b.len; i++) {
		if ((unsigned char)b.buf[i] < 0x20 || (unsigned char)b.buf[i] >= 0x7f)
			abort();
	}
	memcpy(&err, &v, sizeof(err));
	if (decode_errno_name(err) && decode_errno_name(err)[0] != 'E')
		abort();
	strbuf_free(&b);
	return 0;
}
