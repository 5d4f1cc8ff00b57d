/* Prometheus families: copenclose_ prefix, _total counters, units in names, bounded labels. */
#include <stdio.h>
#include <string.h>

#include "format/decode.h"
#include "format/escape.h"
#include "format/syscalls.h"
#include "summary/expo.h"

void expo_label_value(struct strbuf *b, struct strbuf *tmp, const char *s, size_t n)
{
	tmp->len = 0;
	escape_table(tmp, s, n);
	for (size_t i = 0; i < tmp->len; i++) {
		char c = tmp->buf[i];

		if (c == '\\' || c == '"')
			strbuf_addc(b, '\\');
		strbuf_addc(b, c);
	}
}

static void expo_family(struct strbuf *b, const char *name, const char *type, const char *help)
{
	strbuf_adds(b, "# HELP ");
	strbuf_adds(b, name);
	strbuf_addc(b, ' ');
	strbuf_adds(b, help);
	strbuf_adds(b, "\n# TYPE ");
	strbuf_adds(b, name);
	strbuf_addc(b, ' ');
	strbuf_adds(b, type);
	strbuf_addc(b, '\n');
}

static void expo_label(struct strbuf *b, struct strbuf *tmp, const char *name, const char *value,
		       int first)
{
	if (!first)
		strbuf_addc(b, ',');
	strbuf_adds(b, name);
	strbuf_adds(b, "=\"");
	expo_label_value(b, tmp, value, strlen(value));
	strbuf_addc(b, '"');
}

/* The labels that name a row's container; all empty for the host; the overflow row's
   container is "(overflow)", its other labels empty. */
static void expo_row_labels(struct strbuf *b, struct strbuf *tmp, const struct summary_row *r)
{
	expo_label(b, tmp, "container", r->host ? "" : r->name, 1);
	expo_label(b, tmp, "container_id", r->host ? "" : r->id, 0);
	expo_label(b, tmp, "runtime", r->host ? "" : r->runtime, 0);
	expo_label(b, tmp, "k8s_namespace", r->k8s_namespace, 0);
	expo_label(b, tmp, "k8s_pod", r->k8s_pod, 0);
}

static void expo_value(struct strbuf *b, uint64_t v)
{
	strbuf_addc(b, ' ');
	strbuf_addu(b, v);
	strbuf_addc(b, '\n');
}

static void expo_plain(struct strbuf *b, const char *name, const char *type, const char *help,
		       uint64_t v)
{
	expo_family(b, name, type, help);
	strbuf_adds(b, name);
	expo_value(b, v);
}

static const char *expo_result(uint32_t err, char *buf, size_t size)
{
	const char *name;

	if (err == 0)
		return "ok";
	if (err == SUMMARY_ERR_OTHER)
		return "other";
	name = decode_errno_name((int)err);
	if (name)
		return name;
	snprintf(buf, size, "E%u", err);
	return buf;
}

static void expo_events(struct strbuf *b, struct strbuf *tmp, const struct summary *s)
{
	char num[16];

	expo_family(b, "copenclose_events_total", "counter",
		    "System calls traced, by container, system call and result (ok or the errno "
		    "name); the host's series have empty container labels.");
	for (size_t i = 0; i < s->n; i++) {
		const struct summary_row *r = s->rows[i];

		for (size_t j = 0; j < r->nresults; j++) {
			strbuf_adds(b, "copenclose_events_total{");
			expo_row_labels(b, tmp, r);
			expo_label(b, tmp, "syscall", syscalls_name(r->results[j].syscall), 0);
			expo_label(b, tmp, "result",
				   expo_result(r->results[j].err, num, sizeof(num)), 0);
			strbuf_addc(b, '}');
			expo_value(b, r->results[j].total);
		}
	}
}

static void expo_per_row(struct strbuf *b, struct strbuf *tmp, const struct summary *s,
			 const char *name, const char *type, const char *help,
			 uint64_t (*get)(const struct summary_row *))
{
	expo_family(b, name, type, help);
	for (size_t i = 0; i < s->n; i++) {
		strbuf_adds(b, name);
		strbuf_addc(b, '{');
		expo_row_labels(b, tmp, s->rows[i]);
		strbuf_addc(b, '}');
		expo_value(b, get(s->rows[i]));
	}
}

static uint64_t expo_row_lost(const struct summary_row *r)
{
	return r->lost;
}

static void expo_sizes(struct strbuf *b, struct strbuf *tmp, const struct expo_state *st)
{
	for (size_t i = 0; i < st->nsizes && i < EXPO_SIZES_MAX; i++) {
		const struct expo_size *z = &st->sizes[i];

		if (i == 0 || strcmp(z->name, st->sizes[i - 1].name) != 0)
			expo_family(b, z->name, "gauge", z->help);
		strbuf_adds(b, z->name);
		if (z->label) {
			strbuf_addc(b, '{');
			expo_label(b, tmp, z->label, z->value ? z->value : "", 1);
			strbuf_addc(b, '}');
		}
		expo_value(b, z->entries);
	}
}

/* The series lines (not # comments) of b from byte from on. */
static uint64_t expo_count_series(const struct strbuf *b, size_t from)
{
	uint64_t n = 0;

	for (size_t i = from; i < b->len; i++)
		if ((i == from || b->buf[i - 1] == '\n') && b->buf[i] != '#')
			n++;
	return n;
}

void expo_write(struct strbuf *b, const struct summary *s, const struct expo_state *st)
{
	struct strbuf tmp = {0};
	size_t from = b->len;
	char num[64];

	expo_plain(b, "copenclose_up", "gauge",
		   "1 while the tracer runs and its programs are attached.", 1);
	expo_family(b, "copenclose_build_info", "gauge",
		    "The tracer's version and mode (stream or top); always 1.");
	strbuf_adds(b, "copenclose_build_info{");
	expo_label(b, &tmp, "version", st->version, 1);
	expo_label(b, &tmp, "mode", st->mode, 0);
	strbuf_adds(b, "} 1\n");
	expo_family(b, "copenclose_start_time_seconds", "gauge",
		    "When tracing began, in seconds since the Unix epoch.");
	snprintf(num, sizeof(num), "copenclose_start_time_seconds %.3f\n", st->start_time_seconds);
	strbuf_adds(b, num);
	expo_plain(b, "copenclose_ringbuf_size_bytes", "gauge",
		   "Size of the ring buffer the kernel writes records to.", st->ringbuf_bytes);
	expo_events(b, &tmp, s);
	expo_per_row(b, &tmp, s, "copenclose_descriptors_open", "gauge",
		     "Descriptors open in the container, opened while tracing.", summary_row_fds);
	expo_plain(b, "copenclose_events_lost_total", "counter",
		   "Events the ring buffer had no room for, every container.", st->events_lost);
	expo_per_row(b, &tmp, s, "copenclose_container_events_lost_total", "counter",
		     "Events of the container the ring buffer had no room for.", expo_row_lost);
	expo_plain(b, "copenclose_events_throttled_total", "counter",
		   "Events --rate-limit suppressed (counted, not written), every container.",
		   st->events_throttled);
	expo_plain(b, "copenclose_cgroup_records_lost_total", "counter",
		   "cgroup creation and removal records the ring buffer had no room for.",
		   st->cgroup_lost);
	expo_plain(b, "copenclose_tally_full_total", "counter",
		   "System calls not counted because the in-kernel tally map was full.",
		   st->tally_full);
	expo_plain(b, "copenclose_cgroups_resolved", "gauge",
		   "cgroups whose container the resolver holds in its cache.",
		   st->cgroups_resolved);
	expo_plain(
		b, "copenclose_containers", "gauge",
		"Rows with series (containers; the host and the overflow row count as one each), "
		"gone ones in their grace period included.",
		s->n);
	expo_plain(b, "copenclose_containers_expired_total", "counter",
		   "Containers whose series were dropped after their grace period.",
		   st->rows_expired);
	expo_plain(b, "copenclose_containers_max", "gauge",
		   "Containers with series of their own at most (--metrics-max-containers; 0: no "
		   "bound); later ones are counted in the overflow row, container=\"(overflow)\".",
		   s->max_rows);
	expo_plain(b, "copenclose_overflow_containers", "gauge",
		   "Containers counted in the overflow row now, gone ones in their grace period "
		   "included.",
		   s->nmembers);
	expo_plain(b, "copenclose_overflow_containers_total", "counter",
		   "Containers counted in the overflow row since tracing began, as the bound was "
		   "reached.",
		   s->overflowed);
	expo_sizes(b, &tmp, st);
	expo_plain(b, "copenclose_metric_series_entries", "gauge",
		   "Series this exposition serves, this one included (bounded by the rows: their "
		   "grace period and their own bounds).",
		   b->oom ? 0 : expo_count_series(b, from) + 1);
	strbuf_free(&tmp);
}
