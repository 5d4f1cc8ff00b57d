/* gVisor's remote sink received: a SOCK_SEQPACKET unix socket, a thread that accepts each
 * sandbox's connection, shakes hands, decodes its points and names their containers, and a
 * bounded queue to the consumer. Every message is hostile input: counted and dropped when bad. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "enrich/nsowner.h"
#include "trace/gvisor_listen.h"
#include "trace/gvisor_point.h"

#define READS_PER_WAKE 64 /* messages read from one connection before the others' turn */

struct item {
	struct item *next;
	struct container_info ci;
	int64_t time_ns;
	size_t size;
	_Alignas(8) unsigned char ev[]; /* struct cc_event and its tail */
};

struct conn {
	int fd;
	int handshaken;
	int warned;	       /* a bad message was said on stderr */
	uint32_t dropped_last; /* the sink's last count of dropped points (it wraps) */
	uint64_t serial;       /* which connection, for the stderr line */
	int named;	       /* ci holds the container of id */
	char id[CONTAINER_ID_LEN];
	struct container_info ci;
	char hostname[CC_HOST_LEN]; /* the container's, from its state */
};

struct gvisor_listener {
	int lfd, efd, stopfd, ep;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct engine_dirs *dirs;
	pthread_t thread;
	int started;
	uint64_t serial; /* connections accepted so far */
	struct conn conns[GVISOR_CONNS_MAX];
	unsigned char *buf; /* one message: GVISOR_MSG_MAX + 1 bytes */
	_Alignas(8) unsigned char ev[GVISOR_EVENT_MAX];
	pthread_mutex_t lock; /* the queue and the counters */
	struct item *head, **tail;
	size_t count, bytes;
	struct gvisor_stats st;
};

/* Whether a socket at path has nobody listening (left by a process that is gone). */
static int stale_socket(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) || !S_ISSOCK(st.st_mode))
		return 0;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	strcpy(a.sun_path, path);
	rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return rc && errno == ECONNREFUSED;
}

int gvisor_listen_open(struct gvisor_listener **out, const char *path,
		       const struct engine_dirs *dirs)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct epoll_event e = {.events = EPOLLIN};
	struct gvisor_listener *g;
	int err;

	*out = NULL;
	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	g = calloc(1, sizeof(*g));
	if (!g || !(g->buf = malloc(GVISOR_MSG_MAX + 1))) {
		free(g);
		return -ENOMEM;
	}
	strcpy(a.sun_path, path);
	g->dirs = dirs;
	g->tail = &g->head;
	g->efd = g->stopfd = g->ep = -1;
	pthread_mutex_init(&g->lock, NULL);
	for (size_t i = 0; i < GVISOR_CONNS_MAX; i++)
		g->conns[i].fd = -1;
	g->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (g->lfd < 0)
		goto fail;
	if (stale_socket(path))
		unlink(path);
	if (bind(g->lfd, (struct sockaddr *)&a, sizeof(a)))
		goto fail;
	strcpy(g->path, path); /* ours to remove from now on */
	if (chmod(path, 0600) || listen(g->lfd, 64))
		goto fail;
	g->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->ep = epoll_create1(EPOLL_CLOEXEC);
	if (g->efd < 0 || g->stopfd < 0 || g->ep < 0)
		goto fail;
	e.data.fd = g->lfd;
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, g->lfd, &e))
		goto fail;
	e.data.fd = g->stopfd;
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, g->stopfd, &e))
		goto fail;
	*out = g;
	return 0;
fail:
	err = -errno;
	gvisor_listen_free(g);
	return err;
}

int gvisor_listen_fd(const struct gvisor_listener *g)
{
	return g->efd;
}

static void conn_close(struct gvisor_listener *g, struct conn *c)
{
	epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

static void accept_conns(struct gvisor_listener *g)
{
	struct epoll_event e = {.events = EPOLLIN};
	int fd;

	while ((fd = accept4(g->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		struct conn *c = NULL;

		for (size_t i = 0; !c && i < GVISOR_CONNS_MAX; i++)
			if (g->conns[i].fd < 0)
				c = &g->conns[i];
		e.data.ptr = c;
		if (!c || epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &e)) {
			close(fd);
			pthread_mutex_lock(&g->lock);
			g->st.refused++;
			pthread_mutex_unlock(&g->lock);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->serial = ++g->serial;
	}
}

/* The container of a point: its state's name, else what the point said. */
static const struct container_info *conn_name(struct gvisor_listener *g, struct conn *c,
					      const char *id)
{
	if (c->named && strcmp(c->id, id) == 0)
		return &c->ci;
	strcpy(c->id, id);
	c->named = 1;
	c->hostname[0] = '\0';
	if (!nsowner_runsc_by_id(NULL, g->dirs, id, &c->ci, c->hostname, sizeof(c->hostname))) {
		memset(&c->ci, 0, sizeof(c->ci));
		c->ci.is_container = true;
		strcpy(c->ci.runtime, "runsc");
		strcpy(c->ci.id, id);
		strcpy(c->ci.name, id);
		strcpy(c->ci.sandbox, "gvisor");
	}
	return &c->ci;
}

static void push(struct gvisor_listener *g, size_t size, const struct container_info *ci,
		 int64_t time_ns)
{
	struct item *it = NULL;
	uint64_t one = 1;

	pthread_mutex_lock(&g->lock);
	if (g->count < GVISOR_QUEUE_MAX && g->bytes + size <= GVISOR_QUEUE_BYTES)
		it = malloc(sizeof(*it) + size);
	if (!it) {
		g->st.queue_full++;
		pthread_mutex_unlock(&g->lock);
		return;
	}
	it->next = NULL;
	it->ci = *ci;
	it->time_ns = time_ns;
	it->size = size;
	memcpy(it->ev, g->ev, size);
	*g->tail = it;
	g->tail = &it->next;
	g->count++;
	g->bytes += size;
	g->st.points++;
	if (write(g->efd, &one, sizeof(one)) < 0) {
		/* the counter is full: the consumer is woken already */
	}
	pthread_mutex_unlock(&g->lock);
}

/* A bad message: counted, and the first of a connection said on stderr. */
static void bad(struct gvisor_listener *g, struct conn *c, int rc)
{
	pthread_mutex_lock(&g->lock);
	if (rc == -EMSGSIZE)
		g->st.oversized++;
	else
		g->st.malformed++;
	pthread_mutex_unlock(&g->lock);
	if (!c->warned)
		fprintf(stderr,
			"copenclose: gvisor: sandbox connection %llu sent %s message: dropped (more "
			"from it are only counted, at exit)\n",
			(unsigned long long)c->serial,
			rc == -EMSGSIZE ? "an oversized" : "a malformed");
	c->warned = 1;
}

/* One message of a connection handled; -1 when the connection is to be closed. */
static int message(struct gvisor_listener *g, struct conn *c, size_t n)
{
	struct cc_event *ev = (struct cc_event *)g->ev;
	struct gvisor_point pt;
	size_t size;
	int rc;

	if (!c->handshaken) {
		unsigned char out[16];
		int len = gvisor_handshake_reply(out, sizeof(out));

		if (gvisor_handshake_version(g->buf, n) < GVISOR_PROTO_VERSION || len < 0 ||
		    send(c->fd, out, (size_t)len, MSG_NOSIGNAL) != len) {
			pthread_mutex_lock(&g->lock);
			g->st.refused++;
			pthread_mutex_unlock(&g->lock);
			return -1;
		}
		c->handshaken = 1;
		pthread_mutex_lock(&g->lock);
		g->st.connections++;
		pthread_mutex_unlock(&g->lock);
		return 0;
	}
	rc = gvisor_point_decode(g->buf, n, ev, &size, &pt);
	if (rc == -EBADMSG || rc == -EMSGSIZE) {
		bad(g, c, rc);
		return 0;
	}
	/* the header's count of drops is cumulative and wraps: its growth is what is new */
	pthread_mutex_lock(&g->lock);
	g->st.sandbox_dropped += (uint32_t)(pt.dropped - c->dropped_last);
	c->dropped_last = pt.dropped;
	if (rc)
		g->st.ignored++;
	pthread_mutex_unlock(&g->lock);
	if (rc == 0) {
		const struct container_info *ci = conn_name(g, c, pt.container_id);

		memcpy(ev->hostname, c->hostname, sizeof(ev->hostname));
		push(g, size, ci, pt.time_ns);
	}
	return 0;
}

static void conn_read(struct gvisor_listener *g, struct conn *c)
{
	for (int i = 0; i < READS_PER_WAKE; i++) {
		struct iovec iov = {.iov_base = g->buf, .iov_len = GVISOR_MSG_MAX + 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) { /* the sandbox is gone (or the socket failed) */
			conn_close(g, c);
			return;
		}
		if ((mh.msg_flags & MSG_TRUNC) || (size_t)n > GVISOR_MSG_MAX) {
			bad(g, c, -EMSGSIZE);
			continue;
		}
		if (message(g, c, (size_t)n)) {
			conn_close(g, c);
			return;
		}
	}
}

static void *run(void *arg)
{
	struct gvisor_listener *g = arg;

	for (;;) {
		struct epoll_event evs[16];
		int n = epoll_wait(g->ep, evs, 16, -1);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == g->stopfd)
				return NULL;
			if (evs[i].data.fd == g->lfd)
				accept_conns(g);
		}
		for (int i = 0; i < n; i++)
			if (evs[i].data.fd != g->lfd && evs[i].data.fd != g->stopfd)
				conn_read(g, evs[i].data.ptr);
	}
	return NULL;
}

int gvisor_listen_start(struct gvisor_listener *g)
{
	int err = pthread_create(&g->thread, NULL, run, g);

	if (err)
		return -err;
	g->started = 1;
	return 0;
}

size_t gvisor_listen_take(struct gvisor_listener *g, size_t max, gvisor_take_fn fn, void *ctx)
{
	struct item *list, **end, *it;
	size_t n = 0;
	uint64_t v;

	pthread_mutex_lock(&g->lock);
	list = g->head;
	end = &g->head;
	while (*end && n < max) {
		g->bytes -= (*end)->size;
		end = &(*end)->next;
		n++;
	}
	g->head = *end;
	*end = NULL;
	g->count -= n;
	if (!g->head) {
		g->tail = &g->head;
		if (read(g->efd, &v, sizeof(v)) < 0) {
			/* nothing was signalled: fine */
		}
	}
	pthread_mutex_unlock(&g->lock);
	while ((it = list)) {
		list = it->next;
		fn(ctx, (struct cc_event *)it->ev, it->size, &it->ci, it->time_ns);
		free(it);
	}
	return n;
}

void gvisor_listen_stats(struct gvisor_listener *g, struct gvisor_stats *st)
{
	pthread_mutex_lock(&g->lock);
	*st = g->st;
	pthread_mutex_unlock(&g->lock);
}

void gvisor_listen_free(struct gvisor_listener *g)
{
	uint64_t one = 1;
	struct item *it;

	if (!g)
		return;
	if (g->started) {
		if (write(g->stopfd, &one, sizeof(one)) < 0) {
			/* cannot fail on a fresh eventfd */
		}
		pthread_join(g->thread, NULL);
	}
	for (size_t i = 0; i < GVISOR_CONNS_MAX; i++)
		if (g->conns[i].fd >= 0)
			close(g->conns[i].fd);
	if (g->lfd >= 0)
		close(g->lfd);
	if (g->path[0])
		unlink(g->path);
	if (g->efd >= 0)
		close(g->efd);
	if (g->stopfd >= 0)
		close(g->stopfd);
	if (g->ep >= 0)
		close(g->ep);
	while ((it = g->head)) {
		g->head = it->next;
		free(it);
	}
	pthread_mutex_destroy(&g->lock);
	free(g->buf);
	free(g);
}
