/* Which containers -c NAME --wait, --pod and --k8s-namespace select, told from their identity. */
#ifndef CC_SELECTOR_H
#define CC_SELECTOR_H

#include <stdbool.h>

#include "enrich/identity.h"

/* The shortest id prefix -c takes for a container not known yet (docker's short ids). */
#define SELECTOR_MIN_PREFIX 12

struct selector {
	const char *container;	   /* a name, a Kubernetes container name, an id or id prefix */
	const char *pod;	   /* a Kubernetes pod name */
	const char *k8s_namespace; /* a Kubernetes namespace */
};

/* How a -c query names a container. */
enum selector_hit {
	SELECTOR_NONE,
	SELECTOR_PREFIX, /* a prefix of its id, of at least SELECTOR_MIN_PREFIX characters */
	SELECTOR_EXACT,	 /* its runtime's name, its Kubernetes container name, or its full id */
};

/* Pure: the one rule of -c, with --wait or without: how query q names the container ci. */
enum selector_hit selector_names(const char *q, const struct container_info *ci);

/* Whether any part is set. */
bool selector_active(const struct selector *sel);

/*
 * Pure: whether the container ci is selected: a container, and every part set matches (the
 * container: its runtime's name, its Kubernetes container name, its full id, or a prefix of its
 * id of at least SELECTOR_MIN_PREFIX characters; the pod and namespace: exactly).
 */
bool selector_match(const struct selector *sel, const struct container_info *ci);

#endif
