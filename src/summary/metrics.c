/* libmicrohttpd serving the exposition, rendered on its own thread at each scrape from the last
 * snapshot of the rows the poll loop published: a reference-counted copy swapped under a mutex,
 * never copied or rendered under it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef CC_METRICS_NONE
#include <microhttpd.h>
#endif

#include "summary/metrics.h"

#define METRICS_CONN_LIMIT 256 /* idle ones included: a few must not keep a scrape out */
#define METRICS_TIMEOUT_S  10

/* What the poll loop published, shared by the scrapes rendering it and the metrics until
   replaced. */
struct snapshot {
	atomic_size_t refs;
	struct summary sum; /* summary_snapshot()'s copy */
	struct expo_state st;
};

struct metrics {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock; /* guards the pointer only: held to swap it or take a reference */
	struct snapshot *snap;
};

static int metrics_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int metrics_parse_addr(const char *s, struct sockaddr_storage *sa, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	struct sockaddr_in *in = (struct sockaddr_in *)sa;
	const char *colon;
	uint16_t port;
	size_t n;

	memset(sa, 0, sizeof(*sa));
	if (s[0] == '[') {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (n = (size_t)(close - s - 1)) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1 ||
		    metrics_port(close + 2, &port))
			return -EINVAL;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon || (n = (size_t)(colon - s)) >= sizeof(host) || metrics_port(colon + 1, &port))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (n == 0)
		strcpy(host, "127.0.0.1"); /* a bare :PORT stays on this machine */
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return -EINVAL;
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	*len = sizeof(*in);
	return 0;
}

#ifdef CC_METRICS_NONE
/* The static build: Debian has no static archives of all of GnuTLS's dependencies, which the
   static libmicrohttpd needs, so --metrics is refused there. */
int metrics_start(const char *addr, struct metrics **out)
{
	struct sockaddr_storage sa;
	socklen_t len;

	*out = NULL;
	return metrics_parse_addr(addr, &sa, &len) ? -EINVAL : -EPROTONOSUPPORT;
}

int metrics_publish(struct metrics *m, const struct summary *s, const struct expo_state *st)
{
	(void)m;
	(void)s;
	(void)st;
	return 0;
}

void metrics_stop(struct metrics *m)
{
	(void)m;
}
#else
static void snapshot_put(struct snapshot *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		summary_snapshot_free(&s->sum);
		free(s);
	}
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned int status, const char *type,
			     struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result metrics_reply(struct MHD_Connection *c, unsigned int status,
				     const char *type, const char *body, size_t len)
{
	return queue(c, status, type,
		     MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT));
}

/* The current snapshot, a reference taken (under the lock: nothing more); NULL before the first. */
static struct snapshot *snapshot_get(struct metrics *m)
{
	struct snapshot *s;

	pthread_mutex_lock(&m->lock);
	s = m->snap;
	if (s)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&m->lock);
	return s;
}

static enum MHD_Result metrics_handle(void *cls, struct MHD_Connection *c, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_size, void **req)
{
	static const char not_found[] = "not found: the metrics are at /metrics\n";
	static const char bad_method[] = "only GET and HEAD\n";
	static const char expo_type[] = "text/plain; version=0.0.4; charset=utf-8";
	struct metrics *m = cls;
	struct snapshot *snap;
	struct strbuf b = {0};
	struct MHD_Response *r;

	(void)version;
	(void)upload_data;
	if (!*req) { /* the first call only announces the request */
		*req = m;
		return MHD_YES;
	}
	if (*upload_size)
		return MHD_NO; /* a body where none belongs: drop the connection */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return metrics_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method,
				     sizeof(bad_method) - 1);
	if (strcmp(url, "/metrics") != 0)
		return metrics_reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
				     sizeof(not_found) - 1);
	snap = snapshot_get(m);
	if (!snap)
		return metrics_reply(c, MHD_HTTP_OK, expo_type, "", 0);
	/* rendered here, on this thread: the poll loop only published the rows */
	expo_write(&b, &snap->sum, &snap->st);
	snapshot_put(snap);
	if (b.oom || !b.buf) {
		strbuf_free(&b);
		return MHD_NO; /* no memory for a whole exposition: none of it */
	}
	r = MHD_create_response_from_buffer_with_free_callback(b.len, b.buf, free);
	if (!r)
		strbuf_free(&b);
	return queue(c, MHD_HTTP_OK, expo_type, r);
}

int metrics_start(const char *addr, struct metrics **out)
{
	struct sockaddr_storage sa;
	struct metrics *m;
	socklen_t len;
	int err;

	if ((err = metrics_parse_addr(addr, &sa, &len)))
		return err;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	errno = 0;
	m->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
		ntohs(((struct sockaddr_in *)&sa)->sin_port), NULL, NULL, metrics_handle, m,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)METRICS_CONN_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)METRICS_TIMEOUT_S, MHD_OPTION_END);
	if (!m->daemon) {
		err = errno ? -errno : -EADDRINUSE;
		pthread_mutex_destroy(&m->lock);
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

int metrics_publish(struct metrics *m, const struct summary *sum, const struct expo_state *st)
{
	struct snapshot *s = malloc(sizeof(*s)), *old;

	if (!s)
		return -ENOMEM;
	/* before the lock: scrapes meanwhile render the last one */
	if (summary_snapshot(sum, &s->sum)) {
		free(s);
		return -ENOMEM;
	}
	s->st = *st;
	atomic_init(&s->refs, 1); /* the metrics' own */
	pthread_mutex_lock(&m->lock);
	old = m->snap;
	m->snap = s;
	pthread_mutex_unlock(&m->lock);
	snapshot_put(old); /* freed here or when the last reply using it is sent */
	return 0;
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	snapshot_put(m->snap);
	free(m);
}
#endif
