/* libFuzzer target: cgroup path -> container, /proc/PID/cgroup text, conmon's command line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/container.h"
#include "enrich/proc_cgroup.h"
#include "enrich/runtime_state.h"

static void check_path(const char *s)
{
	struct container_info ci;
	char id[CONTAINER_ID_LEN];
	size_t len = 0, n = strlen(s);
	int rc = container_parse_path(s, &ci);

	if (rc == 1) {
		/* the container's own cgroup is a prefix ending at a component boundary */
		if (!ci.is_container || ci.cgroup_len == 0 || ci.cgroup_len > n ||
		    (s[ci.cgroup_len] != '\0' && s[ci.cgroup_len] != '/'))
			abort();
		if (strnlen(ci.id, sizeof(ci.id)) == sizeof(ci.id) ||
		    strnlen(ci.runtime, sizeof(ci.runtime)) == sizeof(ci.runtime) ||
		    strnlen(ci.name, sizeof(ci.name)) == sizeof(ci.name) || !ci.id[0])
			abort();
	} else if (rc == 0) {
		if (ci.is_container)
			abort();
	} else if (s[0] == '/') {
		abort(); /* only a path not starting with / is malformed */
	}
	if (container_bare_candidate(s, id, sizeof(id), &len) == 1 &&
	    (len > n || strlen(id) + 1 != len || memcmp(s + 1, id, len - 1) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[4096];
	enum proc_cgroup_source src;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_path(s);
	if (proc_cgroup_pick(s, size, out, sizeof(out), &src) == 0) {
		if (out[0] != '/')
			abort();
		check_path(out);
	}
	runtime_state_conmon_name(
		s, size, "37e6fc1d26301da52450621b1fda2608098ad64bb6330a2e5ad4efa83089bbd3", out,
		64);
	free(s);
	return 0;
}
