/* The throttled record (--rate-limit), in JSON and as a table line. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "format/escape.h"
#include "format/jsonnull.h"
#include "format/syscalls.h"
#include "format/throttled.h"

static void str(struct strbuf *b, const char *k, const char *s)
{
	escape_json_key(b, k, false);
	escape_json_str(b, s && *s ? s : NULL, s ? strlen(s) : 0);
}

static void num(struct strbuf *b, const char *k, uint64_t v)
{
	escape_json_key(b, k, false);
	strbuf_addu(b, v);
}

/* The interval's end, RFC 3339 in UTC with microseconds, or HH:MM:SS for the table. */
static void when(struct strbuf *b, uint64_t wall_ns, int rfc3339, int utc)
{
	time_t sec = (time_t)(wall_ns / 1000000000ull);
	struct tm tm;
	char text[40];
	size_t n;

	if (rfc3339 || utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	n = strftime(text, sizeof(text), rfc3339 ? "%Y-%m-%dT%H:%M:%S" : "%H:%M:%S", &tm);
	strbuf_add(b, text, n);
	if (!rfc3339)
		return;
	n = (size_t)snprintf(text, sizeof(text), ".%06lluZ",
			     (unsigned long long)(wall_ns % 1000000000ull / 1000));
	strbuf_add(b, text, n);
}

static uint64_t sum(const struct throttled_rec *r)
{
	uint64_t n = 0;

	for (int i = 0; i < CC_SYS_MAX; i++)
		n += r->counts[i];
	return n;
}

static void json(struct output *o, const struct throttled_rec *r, const struct cgroup_identity *id)
{
	struct strbuf *b = &o->buf;
	int ctr = id && id->ctr.is_container, first = 1;

	strbuf_adds(b, "{\"time\":\"");
	when(b, r->wall_ns, 1, 1);
	strbuf_addc(b, '"');
	str(b, "type", "throttled");
	num(b, "interval_ns", r->interval_ns);
	escape_json_key(b, "host", false);
	strbuf_adds(b, r->pidns || r->mntns ? "false" : "true");
	escape_json_key(b, "pidns", false);
	if (r->pidns)
		strbuf_addu(b, r->pidns);
	else
		strbuf_adds(b, "null");
	escape_json_key(b, "mntns", false);
	if (r->mntns)
		strbuf_addu(b, r->mntns);
	else
		strbuf_adds(b, "null");
	num(b, "cgroup_id", r->cgroup_id);
	str(b, "cgroup", id ? id->path : NULL);
	str(b, "container_id", ctr ? id->ctr.id : NULL);
	str(b, "container_runtime", ctr ? id->ctr.runtime : NULL);
	str(b, "container_name", ctr ? id->ctr.name : NULL);
	str(b, "container_image", ctr ? id->ctr.image : NULL);
	str(b, "k8s_namespace", ctr ? id->ctr.k8s_namespace : NULL);
	str(b, "k8s_pod", ctr ? id->ctr.k8s_pod : NULL);
	str(b, "k8s_pod_uid", ctr ? id->ctr.k8s_pod_uid : NULL);
	str(b, "k8s_container", ctr ? id->ctr.k8s_container : NULL);
	escape_json_key(b, "counts", false);
	strbuf_addc(b, '{');
	for (int i = 0; i < CC_SYS_MAX; i++) {
		if (!r->counts[i])
			continue;
		if (!first)
			strbuf_addc(b, ',');
		first = 0;
		escape_json_str(b, syscalls_name(i), strlen(syscalls_name(i)));
		strbuf_addc(b, ':');
		strbuf_addu(b, r->counts[i]);
	}
	strbuf_addc(b, '}');
	num(b, "throttled", sum(r));
	num(b, "throttled_total", r->total);
	json_line_end(b, o->omit_null);
}

/* HH:MM:SS throttled N events of container NAME (RUNTIME) in S s: openat N, close N */
static void line(struct output *o, const struct throttled_rec *r, const struct cgroup_identity *id)
{
	struct strbuf *b = &o->buf;
	const char *sep = ": ";
	char secs[32];

	when(b, r->wall_ns, 0, o->utc);
	strbuf_adds(b, " throttled ");
	strbuf_addu(b, sum(r));
	if (!r->pidns && !r->mntns) {
		strbuf_adds(b, " events of the host");
	} else if (id && id->ctr.is_container) {
		const char *name = id->ctr.name[0] ? id->ctr.name : id->ctr.id;

		strbuf_adds(b, " events of container ");
		escape_table(b, name, strlen(name));
		strbuf_adds(b, " (");
		escape_table(b, id->ctr.runtime[0] ? id->ctr.runtime : "?",
			     id->ctr.runtime[0] ? strlen(id->ctr.runtime) : 1);
		strbuf_adds(b, ")");
	} else {
		strbuf_adds(b,
			    r->pidns ? " events of pid namespace " : " events of mount namespace ");
		strbuf_addu(b, r->pidns ? r->pidns : r->mntns);
		strbuf_adds(b, " (cgroup ");
		if (id && id->path)
			escape_table(b, id->path, strlen(id->path));
		else
			strbuf_addu(b, r->cgroup_id);
		strbuf_adds(b, ")");
	}
	snprintf(secs, sizeof(secs), " in %.3f s", (double)r->interval_ns / 1e9);
	strbuf_adds(b, secs);
	for (int i = 0; i < CC_SYS_MAX; i++) {
		if (!r->counts[i])
			continue;
		strbuf_adds(b, sep);
		strbuf_adds(b, syscalls_name(i));
		strbuf_addc(b, ' ');
		strbuf_addu(b, r->counts[i]);
		sep = ", ";
	}
	strbuf_addc(b, '\n');
}

void output_throttled(struct output *o, const struct throttled_rec *r,
		      const struct cgroup_identity *id)
{
	if (o->format == OUTPUT_JSON)
		json(o, r, id);
	else
		line(o, r, id);
}
