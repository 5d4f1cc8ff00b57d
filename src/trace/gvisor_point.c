/* gVisor's remote-sink messages decoded (protobuf-c, from gvisor.proto) into copenclose events. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>

#include "gvisor.pb-c.h"
#include "trace/gvisor_point.h"

#define ERRNO_MAX 4095 /* the kernel's bound on an errno (MAX_ERRNO) */

/* An id a runtime could have given: printable, no slash, fits (or empty). */
static int plain_id(const char *id)
{
	size_t n = strlen(id);

	if (n >= CONTAINER_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] <= ' ' || id[i] == '/' || (unsigned char)id[i] >= 0x7f)
			return 0;
	return 1;
}

/* The call a message's system call number is for, as the event names it; -1 when none. */
static int open_call(uint64_t sysno)
{
#ifdef SYS_open
	if (sysno == SYS_open)
		return CC_SYS_OPEN;
#endif
#ifdef SYS_creat
	if (sysno == SYS_creat) /* creat(2) is the open it is */
		return CC_SYS_OPEN;
#endif
	return sysno == SYS_openat ? CC_SYS_OPENAT : -1;
}

static int accept_call(uint64_t sysno)
{
#ifdef SYS_accept
	if (sysno == SYS_accept)
		return CC_SYS_ACCEPT;
#endif
	return sysno == SYS_accept4 ? CC_SYS_ACCEPT4 : -1;
}

/* The context and the result every point carries into ev and pt: 0, -ENOMSG or -EBADMSG. */
static int common(const Ccgv__ContextData *cd, const Ccgv__Exit *ex, struct cc_event *ev,
		  struct gvisor_point *pt)
{
	if (!ex) /* a point at the call's entry: no result */
		return -ENOMSG;
	if (ex->errorno < 0 || ex->errorno > ERRNO_MAX)
		return -EBADMSG;
	ev->ret = ex->errorno ? -ex->errorno : ex->result;
	if (!cd)
		return 0;
	if (cd->thread_group_id < 0 || cd->thread_id < 0 || !plain_id(cd->container_id))
		return -EBADMSG;
	ev->pid = ev->ns_pid = (uint32_t)cd->thread_group_id;
	ev->tid = (uint32_t)cd->thread_id;
	pt->time_ns = cd->time_ns > 0 ? cd->time_ns : 0;
	strcpy(pt->container_id, cd->container_id);
	/* a comm is at most 15 bytes: longer is cut as the kernel cuts it */
	strncpy(ev->comm, cd->process_name, CC_COMM_LEN - 1);
	if (cd->credentials) {
		ev->uid = cd->credentials->real_uid;
		ev->gid = cd->credentials->real_gid;
	}
	return 0;
}

/* The tail (path or address) into ev: cut to what it holds (max bytes), said in its status. */
static void tail(struct cc_event *ev, const void *data, size_t len, size_t max)
{
	if (len > max) {
		len = max;
		ev->status |= CC_ST_TAIL_TRUNCATED;
	}
	if (len) /* protobuf-c leaves empty bytes NULL */
		memcpy(ev->tail, data, len);
	ev->tail_len = (uint16_t)len;
}

static int fd_made(int64_t ret)
{
	return ret >= 0 && ret <= INT32_MAX ? (int)ret : -1;
}

static int do_open(const uint8_t *p, size_t n, struct cc_event *ev, struct gvisor_point *pt)
{
	Ccgv__Open *m = ccgv__open__unpack(NULL, n, p);
	int sc, rc;

	if (!m)
		return -EBADMSG;
	sc = open_call(m->sysno);
	rc = sc < 0 || m->fd < INT32_MIN || m->fd > INT32_MAX
		     ? -EBADMSG
		     : common(m->context_data, m->exit, ev, pt);
	if (rc == 0) {
		ev->syscall = (uint32_t)sc;
		ev->flags = m->flags;
		if (m->flags & (O_CREAT | __O_TMPFILE)) {
			ev->mode = m->mode;
			ev->status |= CC_ST_HAS_MODE;
		}
		if (sc == CC_SYS_OPENAT && m->fd != AT_FDCWD) {
			ev->dirfd = (int32_t)m->fd;
			ev->status |= CC_ST_HAS_DIRFD;
		}
		ev->fd = fd_made(ev->ret);
		tail(ev, m->pathname, strlen(m->pathname), CC_PATH_MAX);
	}
	ccgv__open__free_unpacked(m, NULL);
	return rc;
}

static int do_close(const uint8_t *p, size_t n, struct cc_event *ev, struct gvisor_point *pt)
{
	Ccgv__Close *m = ccgv__close__unpack(NULL, n, p);
	int rc;

	if (!m)
		return -EBADMSG;
	rc = m->sysno != SYS_close || m->fd < INT32_MIN || m->fd > INT32_MAX
		     ? -EBADMSG
		     : common(m->context_data, m->exit, ev, pt);
	if (rc == 0) {
		ev->syscall = CC_SYS_CLOSE;
		ev->fd = (int32_t)m->fd;
	}
	ccgv__close__free_unpacked(m, NULL);
	return rc;
}

static int do_connect(const uint8_t *p, size_t n, struct cc_event *ev, struct gvisor_point *pt)
{
	Ccgv__Connect *m = ccgv__connect__unpack(NULL, n, p);
	int rc;

	if (!m)
		return -EBADMSG;
	rc = m->sysno != SYS_connect || m->fd < INT32_MIN || m->fd > INT32_MAX
		     ? -EBADMSG
		     : common(m->context_data, m->exit, ev, pt);
	if (rc == 0) {
		ev->syscall = CC_SYS_CONNECT;
		ev->fd = (int32_t)m->fd;
		tail(ev, m->address.data, m->address.len, CC_ADDR_MAX);
	}
	ccgv__connect__free_unpacked(m, NULL);
	return rc;
}

static int do_accept(const uint8_t *p, size_t n, struct cc_event *ev, struct gvisor_point *pt)
{
	Ccgv__Accept *m = ccgv__accept__unpack(NULL, n, p);
	int sc, rc;

	if (!m)
		return -EBADMSG;
	sc = accept_call(m->sysno);
	rc = sc < 0 ? -EBADMSG : common(m->context_data, m->exit, ev, pt);
	if (rc == 0) {
		ev->syscall = (uint32_t)sc;
		ev->flags = (uint32_t)m->flags;
		ev->fd = fd_made(ev->ret);
		/* a failed accept wrote no peer */
		if (ev->ret >= 0)
			tail(ev, m->address.data, m->address.len, CC_ADDR_MAX);
	}
	ccgv__accept__free_unpacked(m, NULL);
	return rc;
}

int gvisor_point_decode(const void *msg, size_t len, struct cc_event *ev, size_t *size,
			struct gvisor_point *pt)
{
	const uint8_t *b = msg;
	uint16_t hsize, type;
	int rc;

	if (len > GVISOR_MSG_MAX)
		return -EMSGSIZE;
	if (len < GVISOR_HEADER_SIZE)
		return -EBADMSG;
	/* little-endian, as the Sentry marshals it (the machine's own order: same host) */
	memcpy(&hsize, b, 2);
	memcpy(&type, b + 2, 2);
	memset(pt, 0, sizeof(*pt));
	memcpy(&pt->dropped, b + 4, 4);
	/* a larger header is a newer one: its known part first, the rest skipped */
	if (hsize < GVISOR_HEADER_SIZE || hsize > len)
		return -EBADMSG;
	memset(ev, 0, sizeof(*ev));
	ev->type = CC_REC_SYSCALL;
	ev->via = CC_VIA_GVISOR;
	ev->fd = ev->dirfd = -1;
	b += hsize;
	len -= hsize;
	switch (type) {
	case GVISOR_MSG_OPEN:
		rc = do_open(b, len, ev, pt);
		break;
	case GVISOR_MSG_CLOSE:
		rc = do_close(b, len, ev, pt);
		break;
	case GVISOR_MSG_CONNECT:
		rc = do_connect(b, len, ev, pt);
		break;
	case GVISOR_MSG_ACCEPT:
		rc = do_accept(b, len, ev, pt);
		break;
	default:
		return -ENOMSG;
	}
	*size = sizeof(*ev) + ev->tail_len;
	return rc;
}

int gvisor_handshake_version(const void *msg, size_t len)
{
	Ccgv__Handshake *h;
	int v;

	if (len > GVISOR_MSG_MAX)
		return -EBADMSG;
	h = ccgv__handshake__unpack(NULL, len, msg);
	if (!h)
		return -EBADMSG;
	v = h->version > INT32_MAX ? INT32_MAX : (int)h->version;
	ccgv__handshake__free_unpacked(h, NULL);
	return v;
}

int gvisor_handshake_reply(void *buf, size_t size)
{
	Ccgv__Handshake h = CCGV__HANDSHAKE__INIT;

	h.version = GVISOR_PROTO_VERSION;
	if (ccgv__handshake__get_packed_size(&h) > size)
		return -ENOSPC;
	return (int)ccgv__handshake__pack(&h, buf);
}
