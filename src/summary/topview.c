/* The rows of `top` as a table for people or as JSON lines for scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/escape.h"
#include "summary/topview.h"

static const char *const topview_names[TOPVIEW_SORTS] = {
	"opens", "failed", "closes", "connects", "accepts", "fds",
	"rate",	 "cpu",	   "mem",    "io",	 "name",
};

int topview_sort_parse(const char *name)
{
	for (int i = 0; i < TOPVIEW_SORTS; i++)
		if (strcmp(name, topview_names[i]) == 0)
			return i;
	return -1;
}

const char *topview_sort_name(enum topview_sort sort)
{
	return sort < TOPVIEW_SORTS ? topview_names[sort] : "?";
}

static const char *topview_label(const struct summary_row *r)
{
	return r->host ? "(host)" : r->name[0] ? r->name : r->id;
}

/* The sort key as a double: -1 when the row has none (PSI absent). */
static double topview_key(const struct summary_row *r, enum topview_sort sort)
{
	switch (sort) {
	case TOPVIEW_OPENS:
		return (double)r->interval[SUM_OPENS];
	case TOPVIEW_FAILED:
		return (double)r->interval[SUM_FAILED];
	case TOPVIEW_CLOSES:
		return (double)r->interval[SUM_CLOSES];
	case TOPVIEW_CONNECTS:
		return (double)r->interval[SUM_CONNECTS];
	case TOPVIEW_ACCEPTS:
		return (double)r->interval[SUM_ACCEPTS];
	case TOPVIEW_FDS:
		return (double)summary_row_fds(r);
	case TOPVIEW_RATE:
		return (double)r->interval[SUM_EVENTS];
	case TOPVIEW_CPU:
		return r->psi.has[PSI_CPU] ? r->psi.avg10[PSI_CPU] : -1;
	case TOPVIEW_MEM:
		return r->psi.has[PSI_MEM] ? r->psi.avg10[PSI_MEM] : -1;
	case TOPVIEW_IO:
		return r->psi.has[PSI_IO] ? r->psi.avg10[PSI_IO] : -1;
	default:
		return 0;
	}
}

/* qsort has no context argument in C11: the sort column travels in each element. */
struct topview_item {
	const struct summary_row *r;
	double key;
};

static int topview_cmp(const void *a, const void *b)
{
	const struct topview_item *x = a, *y = b;
	int c;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	if (x->r->host != y->r->host)
		return x->r->host ? 1 : -1;
	c = strcmp(topview_label(x->r), topview_label(y->r));
	return c ? c : strcmp(x->r->id, y->r->id);
}

void topview_sort_rows(const struct summary *s, enum topview_sort sort,
		       const struct summary_row **out)
{
	struct topview_item *items = calloc(s->n ? s->n : 1, sizeof(*items));

	if (!items) { /* unsorted is still every row */
		for (size_t i = 0; i < s->n; i++)
			out[i] = s->rows[i];
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		items[i].r = s->rows[i];
		items[i].key = topview_key(s->rows[i], sort);
	}
	qsort(items, s->n, sizeof(*items), topview_cmp);
	for (size_t i = 0; i < s->n; i++)
		out[i] = items[i].r;
	free(items);
}

/* Cut the line that starts at b->buf[start] to width columns (bytes here: the rest is ASCII or
   escaped, and a cut inside a name's UTF-8 is avoided by backing up to a lead byte). */
static void topview_cut(struct strbuf *b, size_t start, size_t width)
{
	size_t cols = 0, i;

	if (!width)
		return;
	for (i = start; i < b->len; i++) {
		if (((unsigned char)b->buf[i] & 0xc0) == 0x80)
			continue;
		if (cols++ == width)
			break;
	}
	b->len = i;
}

static void topview_num(struct strbuf *b, unsigned long long v, size_t width)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", v);

	strbuf_pad(b, (size_t)n, width);
	strbuf_add(b, tmp, (size_t)n);
}

static void topview_float(struct strbuf *b, double v, bool has, size_t width)
{
	char tmp[32];
	int n = has ? snprintf(tmp, sizeof(tmp), "%.1f", v) : snprintf(tmp, sizeof(tmp), "-");

	strbuf_pad(b, (size_t)n, width);
	strbuf_add(b, tmp, (size_t)n);
}

#define TOPVIEW_NAME_COLS 24

void topview_table(struct strbuf *b, const struct summary *s, const struct summary_row **rows,
		   double seconds, enum topview_sort sort, const char *clock, size_t width,
		   size_t max_rows)
{
	char head[512];
	size_t start = b->len;
	double secs = seconds > 0 ? seconds : 1;

	snprintf(head, sizeof(head),
		 "copenclose top %s  %.1f s  containers %zu  events/s %.0f  opens %llu  failed "
		 "%llu  closes %llu  connects %llu  accepts %llu  sort: %s (s: next, q: quit)",
		 clock, seconds, s->n, (double)s->interval[SUM_EVENTS] / secs,
		 (unsigned long long)s->interval[SUM_OPENS],
		 (unsigned long long)s->interval[SUM_FAILED],
		 (unsigned long long)s->interval[SUM_CLOSES],
		 (unsigned long long)s->interval[SUM_CONNECTS],
		 (unsigned long long)s->interval[SUM_ACCEPTS], topview_sort_name(sort));
	strbuf_adds(b, head);
	topview_cut(b, start, width);
	strbuf_addc(b, '\n');
	start = b->len;
	snprintf(head, sizeof(head), "%-*s %7s %7s %7s %8s %7s %6s %9s %5s %5s %5s  %s",
		 TOPVIEW_NAME_COLS, "CONTAINER", "OPENS", "FAILED", "CLOSES", "CONNECTS", "ACCEPTS",
		 "FDS", "EVENTS/S", "CPU%", "MEM%", "IO%", "MOST OPENED");
	strbuf_adds(b, head);
	topview_cut(b, start, width);
	strbuf_addc(b, '\n');
	for (size_t i = 0; i < s->n && (!max_rows || i < max_rows); i++) {
		const struct summary_row *r = rows[i];
		const struct topk_slot *top[TOPVIEW_PATHS];
		const char *label = topview_label(r);
		size_t cols, n;

		start = b->len;
		cols = escape_table(b, label, strlen(label));
		if (cols > TOPVIEW_NAME_COLS) { /* cut the name, never the columns after it */
			topview_cut(b, start, TOPVIEW_NAME_COLS - 1);
			strbuf_addc(b, '~');
			cols = TOPVIEW_NAME_COLS;
		}
		strbuf_pad(b, cols, TOPVIEW_NAME_COLS);
		for (int c = SUM_OPENS; c <= SUM_ACCEPTS; c++) {
			strbuf_addc(b, ' ');
			topview_num(b, r->interval[c], c == SUM_CONNECTS ? 8 : 7);
		}
		strbuf_addc(b, ' ');
		topview_num(b, summary_row_fds(r), 6);
		strbuf_addc(b, ' ');
		topview_float(b, (double)r->interval[SUM_EVENTS] / secs, true, 9);
		for (int p = 0; p < PSI_MAX; p++) {
			strbuf_addc(b, ' ');
			topview_float(b, r->psi.avg10[p], r->psi.has[p], 5);
		}
		strbuf_adds(b, " ");
		n = topk_sorted(&r->paths, top, TOPVIEW_PATHS);
		for (size_t k = 0; k < n; k++) {
			strbuf_addc(b, ' ');
			escape_table(b, top[k]->s, top[k]->len);
			strbuf_addc(b, '(');
			strbuf_addu(b, top[k]->count);
			strbuf_addc(b, ')');
		}
		topview_cut(b, start, width);
		strbuf_addc(b, '\n');
	}
}

static void topview_key_u(struct strbuf *b, const char *key, unsigned long long v)
{
	escape_json_key(b, key, false);
	strbuf_addu(b, v);
}

static void topview_key_s(struct strbuf *b, const char *key, const char *v)
{
	escape_json_key(b, key, false);
	escape_json_str(b, v && *v ? v : NULL, v ? strlen(v) : 0);
}

static void topview_key_f(struct strbuf *b, const char *key, double v, bool has)
{
	char tmp[64];

	escape_json_key(b, key, false);
	if (!has) {
		strbuf_adds(b, "null");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.2f", v);
	strbuf_adds(b, tmp);
}

void topview_json(struct strbuf *b, const struct summary_row *r, double seconds, const char *time)
{
	const struct topk_slot *top[TOPVIEW_JSON_PATHS];
	size_t n;

	strbuf_adds(b, "{\"type\":\"top\",\"time\":");
	escape_json_str(b, time, strlen(time));
	topview_key_f(b, "interval_s", seconds, true);
	strbuf_adds(b, r->host ? ",\"host\":true" : ",\"host\":false");
	topview_key_s(b, "container_name", r->host ? NULL : r->name);
	topview_key_s(b, "container_id", r->host ? NULL : r->id);
	topview_key_s(b, "container_runtime", r->host ? NULL : r->runtime);
	topview_key_s(b, "k8s_namespace", r->k8s_namespace);
	topview_key_s(b, "k8s_pod", r->k8s_pod);
	topview_key_u(b, "opens", r->interval[SUM_OPENS]);
	topview_key_u(b, "failed_opens", r->interval[SUM_FAILED]);
	topview_key_u(b, "closes", r->interval[SUM_CLOSES]);
	topview_key_u(b, "connects", r->interval[SUM_CONNECTS]);
	topview_key_u(b, "accepts", r->interval[SUM_ACCEPTS]);
	topview_key_u(b, "events", r->interval[SUM_EVENTS]);
	topview_key_f(b, "events_per_s",
		      seconds > 0 ? (double)r->interval[SUM_EVENTS] / seconds : 0, true);
	topview_key_u(b, "fds", summary_row_fds(r));
	topview_key_u(b, "lost", r->lost);
	topview_key_f(b, "psi_cpu", r->psi.avg10[PSI_CPU], r->psi.has[PSI_CPU]);
	topview_key_f(b, "psi_memory", r->psi.avg10[PSI_MEM], r->psi.has[PSI_MEM]);
	topview_key_f(b, "psi_io", r->psi.avg10[PSI_IO], r->psi.has[PSI_IO]);
	strbuf_adds(b, r->gone_since_ns ? ",\"gone\":true" : ",\"gone\":false");
	strbuf_adds(b, ",\"top_paths\":[");
	n = topk_sorted(&r->paths, top, TOPVIEW_JSON_PATHS);
	for (size_t k = 0; k < n; k++) {
		strbuf_adds(b, k ? ",{\"path\":" : "{\"path\":");
		escape_json_str(b, top[k]->s, top[k]->len);
		strbuf_adds(b, ",\"opens\":");
		strbuf_addu(b, top[k]->count);
		strbuf_adds(b, ",\"error\":");
		strbuf_addu(b, top[k]->error);
		strbuf_addc(b, '}');
	}
	strbuf_adds(b, "]}\n");
}
