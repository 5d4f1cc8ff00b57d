/* The size of every structure of the session that grows with what it has seen, for /metrics. */
#ifndef CC_FOOTPRINT_H
#define CC_FOOTPRINT_H

#include "summary/expo.h"

struct session;

/*
 * Fill st's sizes: the three resolver caches (4,096 entries each, least recently used evicted),
 * the naming thread's queues, the records held for a name, the descriptor table, the tally's
 * keys, the summary's rows, their cgroups and their top paths (each with the bound its own
 * module documents).
 */
void footprint_fill(struct session *s, struct expo_state *st);

#endif
