/* Table and JSON-lines formatting of events: fixed columns, hostile strings escaped, no printf. */
#include <stdio.h>
#include <string.h>

#include "format/decode.h"
#include "format/escape.h"
#include "format/output.h"
#include "format/syscalls.h"

/* Column widths of the table; a longer value pushes the row, never gets cut. */
enum {
	W_TIME = 9,
	W_KEY = 17,
	W_PID = 8,
	W_UID = 6,
	W_GID = 6,
	W_SYSCALL = 9,
	W_COMM = 17,
	W_CONTAINER = 17,
	W_RUNTIME = 11,
	W_RET = 8,
};

void output_init(struct output *o, enum output_format format, enum id_key by, int64_t offset)
{
	memset(o, 0, sizeof(*o));
	o->format = format;
	o->by = by;
	o->mono_to_real_ns = offset;
	o->cached_sec = (time_t)-1;
}

void output_free(struct output *o)
{
	strbuf_free(&o->buf);
	strbuf_free(&o->tmp);
}

static void cell(struct strbuf *b, const char *s, size_t width)
{
	size_t n = strlen(s);

	strbuf_add(b, s, n);
	strbuf_pad(b, n, width);
}

static const char *key_header(enum id_key by)
{
	switch (by) {
	case BY_CGROUP:
		return "CGROUPID";
	case BY_PIDNS:
		return "PIDNS";
	case BY_MNTNS:
		return "MNTNS";
	default:
		return "HOSTNAME";
	}
}

void output_header(struct output *o)
{
	struct strbuf *b = &o->buf;

	if (o->format != OUTPUT_TABLE)
		return;
	cell(b, "TIME", W_TIME);
	cell(b, key_header(o->by), W_KEY);
	cell(b, "PID", W_PID);
	cell(b, "UID", W_UID);
	cell(b, "GID", W_GID);
	cell(b, "SYSCALL", W_SYSCALL);
	cell(b, "COMM", W_COMM);
	cell(b, "CONTAINER", W_CONTAINER);
	cell(b, "RUNTIME", W_RUNTIME);
	cell(b, "RET", W_RET);
	strbuf_adds(b, "PATH/ADDR\n");
}

/* Refresh the cached text of the event's second; returns the microseconds within it. */
static long stamp(struct output *o, uint64_t mono_ns)
{
	int64_t real = (int64_t)mono_ns + o->mono_to_real_ns;
	time_t sec = (time_t)(real / 1000000000);
	struct tm tm;

	if (sec != o->cached_sec) {
		o->cached_sec = sec;
		if (o->utc ? gmtime_r(&sec, &tm) : localtime_r(&sec, &tm))
			strftime(o->cached_table, sizeof(o->cached_table), "%H:%M:%S", &tm);
		if (gmtime_r(&sec, &tm))
			strftime(o->cached_json, sizeof(o->cached_json), "%Y-%m-%dT%H:%M:%S", &tm);
	}
	return (long)(real % 1000000000 / 1000);
}

static void add_fixed(struct strbuf *b, unsigned long v, int digits)
{
	char tmp[16];

	for (int i = digits - 1; i >= 0; i--, v /= 10)
		tmp[i] = '0' + v % 10;
	strbuf_add(b, tmp, digits);
}

/* A fixed-size kernel char array up to its first NUL. */
static size_t cstrlen(const char *s, size_t max)
{
	const char *nul = memchr(s, 0, max);

	return nul ? (size_t)(nul - s) : max;
}

/* The errno of a failed call: the kernel returns -1 to -4095 (MAX_ERRNO); 0 otherwise. */
static int ret_errno(int64_t ret)
{
	return ret < 0 && ret >= -4095 ? (int)-ret : 0;
}

static int is_open(uint32_t sc)
{
	return sc == CC_SYS_OPEN || sc == CC_SYS_OPENAT || sc == CC_SYS_OPENAT2;
}

static int has_addr(uint32_t sc)
{
	return sc == CC_SYS_CONNECT || sc == CC_SYS_ACCEPT || sc == CC_SYS_ACCEPT4;
}

/* The tail's bytes that the record really holds. */
static size_t tail_len(const struct cc_event *ev, size_t size)
{
	size_t n = ev->tail_len;

	if (size < sizeof(*ev))
		return 0;
	return n > size - sizeof(*ev) ? size - sizeof(*ev) : n;
}

/* The decoded address of connect/accept into o->tmp; 0 when there is one. */
static int decode_addr(struct output *o, const struct cc_event *ev, size_t size)
{
	size_t n = tail_len(ev, size);

	o->tmp.len = 0;
	if (!has_addr(ev->syscall) || (ev->status & CC_ST_TAIL_UNREADABLE) || n == 0)
		return -1;
	return decode_sockaddr(&o->tmp, ev->tail, n);
}

static int is_container(const struct cgroup_identity *id)
{
	return id && id->ctr.is_container;
}

/* Namespaces say isolated while the cgroup says host, or the other way round. */
static int mismatch(const struct cc_event *ev, const struct cgroup_identity *id)
{
	if (!id || !id->path)
		return -1;
	return !(ev->status & CC_ST_HOST) != !!id->ctr.is_container;
}

static void table_key(struct output *o, const struct cc_event *ev)
{
	struct strbuf *b = &o->buf;
	size_t before = b->len, cols;

	switch (o->by) {
	case BY_CGROUP:
		strbuf_addu(b, ev->cgroup_id);
		break;
	case BY_PIDNS:
		strbuf_addu(b, ev->pidns);
		break;
	case BY_MNTNS:
		strbuf_addu(b, ev->mntns);
		break;
	default:
		cols = escape_table(b, ev->hostname, cstrlen(ev->hostname, sizeof(ev->hostname)));
		strbuf_pad(b, cols, W_KEY);
		return;
	}
	strbuf_pad(b, b->len - before, W_KEY);
}

static void table_num(struct strbuf *b, long long v, size_t width)
{
	size_t before = b->len;

	strbuf_addi(b, v);
	strbuf_pad(b, b->len - before, width);
}

static void table_event(struct output *o, const struct cc_event *ev, size_t size,
			const struct cgroup_identity *id)
{
	struct strbuf *b = &o->buf;
	size_t cols, n = tail_len(ev, size);
	const char *err;

	stamp(o, ev->ts_ns);
	cell(b, o->cached_table, W_TIME);
	table_key(o, ev);
	table_num(b, ev->pid, W_PID);
	table_num(b, ev->uid, W_UID);
	table_num(b, ev->gid, W_GID);
	cell(b, syscalls_name(ev->syscall), W_SYSCALL);
	cols = escape_table(b, ev->comm, cstrlen(ev->comm, sizeof(ev->comm)));
	strbuf_pad(b, cols, W_COMM);
	if (is_container(id)) {
		const char *name = id->ctr.name[0] ? id->ctr.name : id->ctr.id;
		size_t len = strlen(name);

		/* ids are long: their first 12 characters, as docker shows them */
		if (!id->ctr.name[0] || strcmp(id->ctr.name, id->ctr.id) == 0)
			len = len > 12 ? 12 : len;
		cols = escape_table(b, name, len);
		strbuf_pad(b, cols, W_CONTAINER);
		cols = escape_table(b, id->ctr.runtime, strlen(id->ctr.runtime));
		strbuf_pad(b, cols, W_RUNTIME);
	} else {
		cell(b, "-", W_CONTAINER);
		cell(b, "-", W_RUNTIME);
	}
	if (ret_errno(ev->ret) && (err = decode_errno_name(ret_errno(ev->ret))))
		cell(b, err, W_RET);
	else
		table_num(b, ev->ret, W_RET);
	if (is_open(ev->syscall)) {
		if (ev->status & CC_ST_TAIL_UNREADABLE)
			strbuf_adds(b, "[path unreadable]");
		else
			escape_table(b, ev->tail, n);
		if (ev->status & CC_ST_TAIL_TRUNCATED)
			strbuf_adds(b, "[truncated]");
	} else if (ev->syscall == CC_SYS_CLOSE) {
		strbuf_adds(b, "fd ");
		strbuf_addi(b, ev->fd);
	} else if (decode_addr(o, ev, size) == 0) {
		escape_table(b, o->tmp.buf, o->tmp.len);
	} else if (ev->ret >= 0 || ev->syscall == CC_SYS_CONNECT) {
		strbuf_adds(b, "[address unreadable]");
	}
	strbuf_addc(b, '\n');
}

static void json_key(struct strbuf *b, const char *key)
{
	strbuf_addc(b, ',');
	strbuf_addc(b, '"');
	strbuf_adds(b, key);
	strbuf_adds(b, "\":");
}

static void json_u64(struct strbuf *b, const char *key, unsigned long long v)
{
	json_key(b, key);
	strbuf_addu(b, v);
}

static void json_i64(struct strbuf *b, const char *key, long long v)
{
	json_key(b, key);
	strbuf_addi(b, v);
}

static void json_str(struct strbuf *b, const char *key, const char *s, size_t n)
{
	json_key(b, key);
	escape_json_str(b, s, n);
}

static void json_cstr(struct strbuf *b, const char *key, const char *s)
{
	json_str(b, key, s, s ? strlen(s) : 0);
}

/* A string that is null when unknown (NULL or ""). */
static void json_known(struct strbuf *b, const char *key, const char *s)
{
	json_cstr(b, key, s && *s ? s : NULL);
}

static void json_bool(struct strbuf *b, const char *key, int v)
{
	json_key(b, key);
	strbuf_adds(b, v < 0 ? "null" : v ? "true" : "false");
}

static void json_null(struct strbuf *b, const char *key)
{
	json_key(b, key);
	strbuf_adds(b, "null");
}

static void json_time(struct output *o, uint64_t ts)
{
	struct strbuf *b = &o->buf;
	long usec = stamp(o, ts);

	strbuf_adds(b, "\"time\":\"");
	strbuf_adds(b, o->cached_json);
	strbuf_addc(b, '.');
	add_fixed(b, (unsigned long)usec, 6);
	strbuf_adds(b, "Z\"");
}

static void json_open_fields(struct output *o, const struct cc_event *ev, size_t size)
{
	struct strbuf *b = &o->buf;

	if (ev->status & CC_ST_TAIL_UNREADABLE)
		json_null(b, "path");
	else
		json_str(b, "path", ev->tail, tail_len(ev, size));
	json_key(b, "flags");
	o->tmp.len = 0;
	decode_open_flags(&o->tmp, ev->flags);
	escape_json_str(b, o->tmp.buf, o->tmp.len);
	json_null(b, "addr");
	json_key(b, "mode");
	if (ev->status & CC_ST_HAS_MODE) {
		char mode[8];
		int n = snprintf(mode, sizeof(mode), "0%o", ev->mode & 07777);

		escape_json_str(b, mode, (size_t)n);
	} else {
		strbuf_adds(b, "null");
	}
	if (ev->status & CC_ST_HAS_DIRFD)
		json_i64(b, "dirfd", ev->dirfd);
	else
		json_null(b, "dirfd");
	if (ev->syscall == CC_SYS_OPENAT2) {
		json_key(b, "resolve");
		o->tmp.len = 0;
		decode_resolve_flags(&o->tmp, ev->resolve);
		escape_json_str(b, o->tmp.buf, o->tmp.len);
	} else {
		json_null(b, "resolve");
	}
}

static void json_event(struct output *o, const struct cc_event *ev, size_t size,
		       const struct cgroup_identity *id)
{
	struct strbuf *b = &o->buf;
	int errnum = ret_errno(ev->ret);
	const char *err = errnum ? decode_errno_name(errnum) : NULL;
	int in_ctr = is_container(id);

	strbuf_addc(b, '{');
	json_time(o, ev->ts_ns);
	json_cstr(b, "type", "event");
	json_cstr(b, "syscall", syscalls_name(ev->syscall));
	json_cstr(b, "via", syscalls_via_name(ev->via));
	json_u64(b, "pid", ev->pid);
	json_u64(b, "tid", ev->tid);
	json_u64(b, "ppid", ev->ppid);
	json_u64(b, "ns_pid", ev->ns_pid);
	json_u64(b, "uid", ev->uid);
	json_u64(b, "gid", ev->gid);
	json_str(b, "comm", ev->comm, cstrlen(ev->comm, sizeof(ev->comm)));
	json_i64(b, "ret", ev->ret);
	if (err)
		json_cstr(b, "errno", err);
	else if (errnum)
		json_i64(b, "errno", errnum);
	else
		json_null(b, "errno");
	if (ev->fd >= 0)
		json_i64(b, "fd", ev->fd);
	else
		json_null(b, "fd");
	if (is_open(ev->syscall)) {
		json_open_fields(o, ev, size);
	} else {
		json_null(b, "path");
		if (ev->syscall == CC_SYS_ACCEPT4) {
			json_key(b, "flags");
			o->tmp.len = 0;
			decode_accept_flags(&o->tmp, ev->flags);
			escape_json_str(b, o->tmp.buf, o->tmp.len);
		} else {
			json_null(b, "flags");
		}
		if (decode_addr(o, ev, size) == 0)
			json_str(b, "addr", o->tmp.buf, o->tmp.len);
		else
			json_null(b, "addr");
		json_null(b, "mode");
		json_null(b, "dirfd");
		json_null(b, "resolve");
	}
	json_bool(b, "truncated", !!(ev->status & CC_ST_TAIL_TRUNCATED));
	json_u64(b, "cgroup_id", ev->cgroup_id);
	json_cstr(b, "cgroup", id ? id->path : NULL);
	json_str(b, "hostname", ev->hostname, cstrlen(ev->hostname, sizeof(ev->hostname)));
	json_u64(b, "pidns", ev->pidns);
	json_u64(b, "mntns", ev->mntns);
	json_u64(b, "utsns", ev->utsns);
	json_cstr(b, "container_id", in_ctr ? id->ctr.id : NULL);
	json_bool(b, "identity_mismatch", mismatch(ev, id));
	json_cstr(b, "container_runtime", in_ctr ? id->ctr.runtime : NULL);
	json_cstr(b, "container_name", in_ctr ? id->ctr.name : NULL);
	json_known(b, "container_image", in_ctr ? id->ctr.image : NULL);
	json_known(b, "k8s_namespace", in_ctr ? id->ctr.k8s_namespace : NULL);
	json_known(b, "k8s_pod", in_ctr ? id->ctr.k8s_pod : NULL);
	json_known(b, "k8s_pod_uid", in_ctr ? id->ctr.k8s_pod_uid : NULL);
	json_known(b, "k8s_container", in_ctr ? id->ctr.k8s_container : NULL);
	json_cstr(b, "container_trust",
		  !in_ctr					    ? NULL
		  : id->ctr.trust == CONTAINER_TRUST_USER_DELEGATED ? "user-delegated"
								    : "system");
	json_bool(b, "host", !(in_ctr || !(ev->status & CC_ST_HOST)));
	strbuf_adds(b, "}\n");
}

void output_event(struct output *o, const struct cc_event *ev, size_t size,
		  const struct cgroup_identity *id)
{
	if (o->format == OUTPUT_JSON)
		json_event(o, ev, size, id);
	else
		table_event(o, ev, size, id);
}

void output_lost(struct output *o, uint64_t increment, uint64_t total)
{
	struct strbuf *b = &o->buf;
	struct timespec now;

	if (o->format != OUTPUT_JSON)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	strbuf_addc(b, '{');
	json_time(o, (uint64_t)now.tv_sec * 1000000000 + now.tv_nsec);
	json_cstr(b, "type", "lost");
	json_u64(b, "lost", increment);
	json_u64(b, "lost_total", total);
	strbuf_adds(b, "}\n");
}
