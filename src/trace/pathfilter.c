/* --path and --exclude-path: the prefixes encoded for the kernel, and its decision mirrored (for
   the unit tests that hold the two to the same answers). */
#include <errno.h>
#include <string.h>

#include "trace/pathfilter.h"

int pathfilter_encode(const char *prefix, bool exclude, struct cc_prefix *out)
{
	size_t len = strlen(prefix), rem;

	if (len == 0 || len > CC_PREFIX_MAX)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out->w, prefix, len); /* the words as the kernel loads them: this machine's order */
	out->nwords = (uint32_t)((len + 7) / 8);
	rem = len % 8;
	out->last_mask = 0;
	memset(&out->last_mask, 0xff, rem ? rem : 8);
	out->exclude = exclude;
	return 0;
}

int pathfilter_fill(const struct config *cfg, struct cc_prefix out[CC_PREFIXES], bool *include)
{
	int n = 0;

	*include = false;
	for (int pass = 0; pass < 2; pass++) /* excludes first */
		for (uint32_t i = 0; i < cfg->npaths && i < CC_PREFIXES; i++) {
			if (cfg->paths[i].exclude != (pass == 0))
				continue;
			if (pathfilter_encode(cfg->paths[i].prefix, cfg->paths[i].exclude, &out[n]))
				return -EINVAL;
			*include |= !cfg->paths[i].exclude;
			n++;
		}
	return n;
}

bool pathfilter_pass(const struct cc_prefix *f, int n, bool include, const char *path)
{
	__u64 w[CC_PREFIX_WORDS + 1] = {0};
	size_t len = strnlen(path, sizeof(w) - 1);

	memcpy(w, path, len);
	/* the kernel's buffer holds stale bytes after the NUL: they must not matter */
	memset((char *)w + len + 1, 0x5a, sizeof(w) - len - 1);
	for (int i = 0; i < n; i++) {
		bool match = true;

		for (uint32_t k = 0; k < f[i].nwords; k++) {
			__u64 m = k + 1 == f[i].nwords ? f[i].last_mask : ~0ull;

			if ((w[k] & m) != f[i].w[k]) {
				match = false;
				break;
			}
		}
		if (match)
			return !f[i].exclude;
	}
	return !include;
}
