/* Choosing the telling cgroup path from /proc/PID/cgroup text (pure; v1, v2 and hybrid). */
#include <errno.h>
#include <string.h>

#include "enrich/container.h"
#include "enrich/proc_cgroup.h"

struct span {
	const char *s;
	size_t n;
};

/* Whether span p, a path, is in a container (copied to a bounded buffer to parse it). */
static int span_in_container(struct span p, char *tmp, size_t size)
{
	struct container_info ci;

	if (p.n >= size)
		return 0;
	memcpy(tmp, p.s, p.n);
	tmp[p.n] = '\0';
	return container_parse_path(tmp, &ci) == 1;
}

int proc_cgroup_pick(const char *text, size_t len, char *out, size_t size,
		     enum proc_cgroup_source *src)
{
	struct span v2 = {0}, v1_ctr = {0}, v1_systemd = {0}, v1_first = {0}, pick = {0};
	enum proc_cgroup_source from = PROC_CGROUP_V1;
	size_t i = 0;

	if (!text || !out || size == 0)
		return -EINVAL;
	while (i < len) {
		const char *line = text + i, *nl, *c1, *c2;
		size_t llen;
		struct span path;

		nl = memchr(line, '\n', len - i);
		llen = nl ? (size_t)(nl - line) : len - i;
		i += llen + 1;
		c1 = memchr(line, ':', llen);
		if (!c1)
			continue;
		c2 = memchr(c1 + 1, ':', llen - (size_t)(c1 + 1 - line));
		if (!c2)
			continue;
		path.s = c2 + 1;
		path.n = llen - (size_t)(path.s - line);
		if (path.n == 0 || path.s[0] != '/')
			continue;
		if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1) {
			if (!v2.s)
				v2 = path;
			continue;
		}
		if (!v1_first.s)
			v1_first = path;
		if (!v1_systemd.s && (size_t)(c2 - c1 - 1) == strlen("name=systemd") &&
		    memcmp(c1 + 1, "name=systemd", c2 - c1 - 1) == 0)
			v1_systemd = path;
		if (!v1_ctr.s && span_in_container(path, out, size))
			v1_ctr = path;
	}
	if (v2.s && span_in_container(v2, out, size)) {
		pick = v2;
		from = PROC_CGROUP_V2;
	} else if (v1_ctr.s) {
		pick = v1_ctr;
	} else if (v2.s) {
		pick = v2;
		from = PROC_CGROUP_V2;
	} else if (v1_systemd.s) {
		pick = v1_systemd;
	} else {
		pick = v1_first;
	}
	if (!pick.s)
		return -ENOENT;
	if (pick.n >= size)
		return -ENAMETOOLONG;
	memcpy(out, pick.s, pick.n);
	out[pick.n] = '\0';
	if (src)
		*src = from;
	return 0;
}
