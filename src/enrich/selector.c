/* Matching a container's identity against the waiting filters (pure). */
#include <string.h>

#include "enrich/selector.h"

bool selector_active(const struct selector *sel)
{
	return sel && (sel->container || sel->pod || sel->k8s_namespace);
}

enum selector_hit selector_names(const char *q, const struct container_info *ci)
{
	size_t n = strlen(q);

	if (!n)
		return SELECTOR_NONE;
	if (strcmp(ci->name, q) == 0 || strcmp(ci->id, q) == 0)
		return SELECTOR_EXACT;
	if (ci->k8s_container[0] && strcmp(ci->k8s_container, q) == 0)
		return SELECTOR_EXACT;
	return n >= SELECTOR_MIN_PREFIX && strncmp(ci->id, q, n) == 0 ? SELECTOR_PREFIX
								      : SELECTOR_NONE;
}

bool selector_match(const struct selector *sel, const struct container_info *ci)
{
	if (!sel || !ci || !ci->is_container)
		return false;
	if (sel->container && selector_names(sel->container, ci) == SELECTOR_NONE)
		return false;
	if (sel->pod && strcmp(ci->k8s_pod, sel->pod) != 0)
		return false;
	if (sel->k8s_namespace && strcmp(ci->k8s_namespace, sel->k8s_namespace) != 0)
		return false;
	return true;
}
