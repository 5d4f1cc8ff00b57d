/* --path and --exclude-path as the kernel matches them: prefixes encoded into its words. */
#ifndef CC_PATHFILTER_H
#define CC_PATHFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/event.h"
#include "config.h"

/* The prefix (1 to CC_PREFIX_MAX bytes) as the kernel compares it; 0 or -EINVAL. */
int pathfilter_encode(const char *prefix, bool exclude, struct cc_prefix *out);

/* The config's filters into out, excludes first; how many (0 for none), or -EINVAL. *include is
   set when one is a --path. */
int pathfilter_fill(const struct config *cfg, struct cc_prefix out[CC_PREFIXES], bool *include);

/* What the kernel decides for an open of path (NUL-terminated) under the n filters of f. */
bool pathfilter_pass(const struct cc_prefix *f, int n, bool include, const char *path);

#endif
