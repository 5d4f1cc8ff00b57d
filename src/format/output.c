/* Table and JSON-lines formatting of events: fixed columns, hostile strings escaped, no printf. */
#include <stdio.h>
#include <string.h>

#include "enrich/hostrule.h"
#include "format/decode.h"
#include "format/escape.h"
#include "format/jsonnull.h"
#include "format/output.h"
#include "format/syscalls.h"
#include "util.h"

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

/* A table's header line: the named cells, then the last column's name (never padded). */
struct head_cell {
	const char *name;
	size_t width;
};

static void header_line(struct strbuf *b, const struct head_cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cell(b, c[i].name, c[i].width);
	strbuf_adds(b, "PATH/ADDR\n");
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
	const struct head_cell c[] = {{"TIME", W_TIME},	      {key_header(o->by), W_KEY},
				      {"PID", W_PID},	      {"UID", W_UID},
				      {"GID", W_GID},	      {"SYSCALL", W_SYSCALL},
				      {"COMM", W_COMM},	      {"CONTAINER", W_CONTAINER},
				      {"RUNTIME", W_RUNTIME}, {"RET", W_RET}};

	header_line(b, c, sizeof(c) / sizeof(c[0]));
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

/* The decoded address of connect/accept into o->tmp; 0 when there is one. */
static int decode_addr(struct output *o, const struct cc_event *ev, size_t size)
{
	size_t n = tail_bytes(ev->tail_len, size, sizeof(*ev));

	o->tmp.len = 0;
	if (!has_addr(ev->syscall) || (ev->status & CC_ST_TAIL_UNREADABLE) || n == 0)
		return -1;
	return decode_sockaddr(&o->tmp, ev->tail, n);
}

static int is_container(const struct cgroup_identity *id)
{
	return id && id->ctr.is_container;
}

/* An engine's own process (identity.h) */
static int engine_own(const struct cgroup_identity *id)
{
	return id && container_engine_own(&id->ctr);
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

/*
 * The CONTAINER cell: namespace/pod/container for a Kubernetes container (the sandbox's
 * container is "POD", as the kubelet calls it), else the runtime's name; an id is long: its
 * first 12 characters, as docker shows them. How many columns it took.
 */
static size_t container_cell(struct strbuf *b, const struct container_info *c)
{
	const char *name = c->name[0] ? c->name : c->id;
	size_t len = strlen(name), cols;

	if (!c->name[0] || strcmp(c->name, c->id) == 0)
		len = len > 12 ? 12 : len;
	if (!c->k8s_pod[0])
		return escape_table(b, name, len);
	cols = escape_table(b, c->k8s_namespace, strlen(c->k8s_namespace));
	strbuf_addc(b, '/');
	cols += 1 + escape_table(b, c->k8s_pod, strlen(c->k8s_pod));
	strbuf_addc(b, '/');
	if (c->k8s_container[0])
		return cols + 1 + escape_table(b, c->k8s_container, strlen(c->k8s_container));
	if (c->k8s_sandbox)
		return cols + 1 + escape_table(b, "POD", 3);
	return cols + 1 + escape_table(b, name, len);
}

/* The CONTAINER and RUNTIME cells of a container, or "-" twice. */
static void table_container(struct strbuf *b, const struct cgroup_identity *id)
{
	size_t cols;

	if (is_container(id)) {
		/* a user-delegated cgroup can be named like any container: never shown as one
		   of the system's, but after its owner's uid (container_trust in JSON) */
		cols = 0;
		if (id->ctr.trust != CONTAINER_TRUST_SYSTEM) {
			size_t before = b->len;

			strbuf_adds(b, "~");
			strbuf_addu(b, id->ctr.owner_uid);
			strbuf_addc(b, ':');
			cols = b->len - before;
		}
		cols += container_cell(b, &id->ctr);
		/* namespace/pod/container is often wider than the column: one space still */
		strbuf_pad(b, cols, cols >= W_CONTAINER ? cols + 1 : W_CONTAINER);
		if (id->ctr.runtime[0])
			cols = escape_table(b, id->ctr.runtime, strlen(id->ctr.runtime));
		else
			cols = escape_table(b, "?", 1); /* a pod's path, no engine's state */
		strbuf_pad(b, cols, W_RUNTIME);
	} else if (engine_own(id)) {
		cell(b, "-", W_CONTAINER);
		strbuf_pad(b, escape_table(b, id->ctr.runtime, strlen(id->ctr.runtime)), W_RUNTIME);
	} else {
		cell(b, "-", W_CONTAINER);
		cell(b, "-", W_RUNTIME);
	}
}

/* The columns before RET; what is the SYSCALL column's word. */
static void table_prefix(struct output *o, const struct cc_event *ev, const char *what,
			 const struct cgroup_identity *id)
{
	struct strbuf *b = &o->buf;
	size_t cols;

	stamp(o, ev->ts_ns);
	cell(b, o->cached_table, W_TIME);
	table_key(o, ev);
	table_num(b, ev->pid, W_PID);
	table_num(b, ev->uid, W_UID);
	table_num(b, ev->gid, W_GID);
	cell(b, what, W_SYSCALL);
	cols = escape_table(b, ev->comm, cstrlen(ev->comm, sizeof(ev->comm)));
	strbuf_pad(b, cols, W_COMM);
	table_container(b, id);
}

/* "fd N", then " (PATH)" when the descriptor table knew what it was. */
static void table_fd(struct strbuf *b, int32_t fd, const struct fd_origin *origin)
{
	strbuf_adds(b, "fd ");
	strbuf_addi(b, fd);
	if (!origin)
		return;
	strbuf_adds(b, " (");
	escape_table(b, origin->text, origin->text_len);
	strbuf_addc(b, ')');
}

static void table_event(struct output *o, const struct cc_event *ev, size_t size,
			const struct cgroup_identity *id, const struct fd_origin *closed)
{
	struct strbuf *b = &o->buf;
	size_t n = tail_bytes(ev->tail_len, size, sizeof(*ev));
	const char *err;

	table_prefix(o, ev, syscalls_name(ev->syscall), id);
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
		table_fd(b, ev->fd, closed);
	} else if (decode_addr(o, ev, size) == 0) {
		escape_table(b, o->tmp.buf, o->tmp.len);
	} else if (ev->ret >= 0 || ev->syscall == CC_SYS_CONNECT) {
		strbuf_adds(b, "[address unreadable]");
	}
	strbuf_addc(b, '\n');
}

static void json_u64(struct strbuf *b, const char *key, unsigned long long v)
{
	escape_json_key(b, key, false);
	strbuf_addu(b, v);
}

static void json_i64(struct strbuf *b, const char *key, long long v)
{
	escape_json_key(b, key, false);
	strbuf_addi(b, v);
}

static void json_str(struct strbuf *b, const char *key, const char *s, size_t n)
{
	escape_json_key(b, key, false);
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
	escape_json_key(b, key, false);
	strbuf_adds(b, v < 0 ? "null" : v ? "true" : "false");
}

static void json_null(struct strbuf *b, const char *key)
{
	escape_json_key(b, key, false);
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
	int how_unknown = !!(ev->status & CC_ST_HOW_UNREADABLE);

	if (ev->status & CC_ST_TAIL_UNREADABLE)
		json_null(b, "path");
	else
		json_str(b, "path", ev->tail, tail_bytes(ev->tail_len, size, sizeof(*ev)));
	/* openat2's struct open_how unread: its flags, mode and resolve are unknown, not 0 */
	if (how_unknown) {
		json_null(b, "flags");
	} else {
		escape_json_key(b, "flags", false);
		o->tmp.len = 0;
		decode_open_flags(&o->tmp, ev->flags);
		escape_json_str(b, o->tmp.buf, o->tmp.len);
	}
	json_null(b, "addr");
	escape_json_key(b, "mode", false);
	if ((ev->status & CC_ST_HAS_MODE) && !how_unknown) {
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
	if (ev->syscall == CC_SYS_OPENAT2 && !how_unknown) {
		escape_json_key(b, "resolve", false);
		o->tmp.len = 0;
		decode_resolve_flags(&o->tmp, ev->resolve);
		escape_json_str(b, o->tmp.buf, o->tmp.len);
	} else {
		json_null(b, "resolve");
	}
}

/* closed_path, closed_addr, closed_syscall and lifetime_ns: null when origin is NULL. */
static void json_closed(struct output *o, const struct fd_origin *origin, uint64_t end_ns)
{
	struct strbuf *b = &o->buf;

	if (!origin) {
		json_null(b, "closed_path");
		json_null(b, "closed_addr");
		json_null(b, "closed_syscall");
		json_null(b, "lifetime_ns");
		return;
	}
	if (origin->is_addr) {
		json_null(b, "closed_path");
		json_str(b, "closed_addr", origin->text, origin->text_len);
	} else {
		json_str(b, "closed_path", origin->text, origin->text_len);
		json_null(b, "closed_addr");
	}
	json_cstr(b, "closed_syscall", syscalls_name(origin->syscall));
	json_u64(b, "lifetime_ns", end_ns > origin->opened_ns ? end_ns - origin->opened_ns : 0);
}

static void json_identity(struct output *o, const struct cc_event *ev,
			  const struct cgroup_identity *id);

/* The image and Kubernetes keys of a container, null elsewhere. */
static void json_k8s(struct strbuf *b, const struct cgroup_identity *id, int in_ctr)
{
	json_known(b, "container_image", in_ctr ? id->ctr.image : NULL);
	json_known(b, "k8s_namespace", in_ctr ? id->ctr.k8s_namespace : NULL);
	json_known(b, "k8s_pod", in_ctr ? id->ctr.k8s_pod : NULL);
	json_known(b, "k8s_pod_uid", in_ctr ? id->ctr.k8s_pod_uid : NULL);
	json_known(b, "k8s_container", in_ctr ? id->ctr.k8s_container : NULL);
}

/* The container's keys, without the namespaces (which a leak record does not have). */
static void json_container(struct strbuf *b, const struct cgroup_identity *id)
{
	int in_ctr = is_container(id);

	json_cstr(b, "container_id", in_ctr ? id->ctr.id : NULL);
	json_cstr(b, "container_runtime", in_ctr ? id->ctr.runtime : NULL);
	json_cstr(b, "container_name", in_ctr ? id->ctr.name : NULL);
	json_k8s(b, id, in_ctr);
	json_known(b, "sandbox", in_ctr ? id->ctr.sandbox : NULL);
}

static void json_event(struct output *o, const struct cc_event *ev, size_t size,
		       const struct cgroup_identity *id, const struct fd_origin *closed)
{
	struct strbuf *b = &o->buf;
	int errnum = ret_errno(ev->ret);
	const char *err = errnum ? decode_errno_name(errnum) : NULL;

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
			escape_json_key(b, "flags", false);
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
	json_closed(o, ev->syscall == CC_SYS_CLOSE ? closed : NULL, ev->ts_ns);
	json_bool(b, "truncated", !!(ev->status & CC_ST_TAIL_TRUNCATED));
	json_identity(o, ev, id);
}

/* The keys of where an event or record comes from: cgroup, namespaces, container. */
static void json_identity(struct output *o, const struct cc_event *ev,
			  const struct cgroup_identity *id)
{
	struct strbuf *b = &o->buf;
	int in_ctr = is_container(id);

	json_u64(b, "cgroup_id", ev->cgroup_id);
	json_cstr(b, "cgroup", id ? id->path : NULL);
	json_str(b, "hostname", ev->hostname, cstrlen(ev->hostname, sizeof(ev->hostname)));
	json_u64(b, "pidns", ev->pidns);
	json_u64(b, "mntns", ev->mntns);
	json_u64(b, "utsns", ev->utsns);
	json_cstr(b, "container_id", in_ctr ? id->ctr.id : NULL);
	json_bool(b, "identity_mismatch", hostrule_mismatch(ev->status, id));
	json_known(b, "container_runtime", in_ctr || engine_own(id) ? id->ctr.runtime : NULL);
	json_cstr(b, "container_name", in_ctr ? id->ctr.name : NULL);
	json_k8s(b, id, in_ctr);
	json_cstr(b, "container_trust", id ? container_trust_word(&id->ctr) : NULL);
	json_bool(b, "host", hostrule_host(ev->status, id));
	json_known(b, "sandbox", in_ctr ? id->ctr.sandbox : NULL);
	if (o->kernel_host_key) /* tests: the kernel's own verdict, null when it had none */
		json_bool(b, "kernel_host",
			  ev->status & CC_ST_HOST_UNSURE ? -1 : !!(ev->status & CC_ST_HOST));
	json_line_end(b, o->omit_null);
}

void output_event_closing(struct output *o, const struct cc_event *ev, size_t size,
			  const struct cgroup_identity *id, const struct fd_origin *closed)
{
	if (o->format == OUTPUT_JSON)
		json_event(o, ev, size, id, closed);
	else
		table_event(o, ev, size, id, ev->syscall == CC_SYS_CLOSE ? closed : NULL);
}

void output_event(struct output *o, const struct cc_event *ev, size_t size,
		  const struct cgroup_identity *id)
{
	output_event_closing(o, ev, size, id, NULL);
}

static const char *end_reason(const struct cc_event *rec)
{
	return rec->type == CC_REC_PROC_EXEC ? "exec" : "exit";
}

void output_fd_end(struct output *o, const struct cc_event *rec, int32_t fd,
		   const struct fd_origin *origin, const struct cgroup_identity *id)
{
	struct strbuf *b = &o->buf;

	if (o->format != OUTPUT_JSON) {
		table_prefix(o, rec, end_reason(rec), id);
		cell(b, "-", W_RET);
		table_fd(b, fd, origin);
		strbuf_addc(b, '\n');
		return;
	}
	strbuf_addc(b, '{');
	json_time(o, rec->ts_ns);
	json_cstr(b, "type", "fd_end");
	json_cstr(b, "reason", end_reason(rec));
	json_u64(b, "pid", rec->pid);
	json_u64(b, "tid", rec->tid);
	json_u64(b, "ppid", rec->ppid);
	json_u64(b, "ns_pid", rec->ns_pid);
	json_u64(b, "uid", rec->uid);
	json_u64(b, "gid", rec->gid);
	json_str(b, "comm", rec->comm, cstrlen(rec->comm, sizeof(rec->comm)));
	json_i64(b, "fd", fd);
	json_closed(o, origin, rec->ts_ns);
	json_identity(o, rec, id);
}

/* A duration in a few characters: 850ms, 12.3s, 5m03s, 2h04m, 3d05h. */
static void add_age(struct strbuf *b, uint64_t ns)
{
	uint64_t ms = ns / 1000000, s = ms / 1000;
	char tmp[32];

	if (s < 1)
		snprintf(tmp, sizeof(tmp), "%llums", (unsigned long long)ms);
	else if (s < 60)
		snprintf(tmp, sizeof(tmp), "%llu.%llus", (unsigned long long)s,
			 (unsigned long long)(ms % 1000 / 100));
	else if (s < 3600)
		snprintf(tmp, sizeof(tmp), "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(tmp, sizeof(tmp), "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(tmp, sizeof(tmp), "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	strbuf_adds(b, tmp);
}

enum { W_FD = 7, W_AGE = 10 };

void output_leaks_header(struct output *o, size_t count, uint64_t older_ns)
{
	struct strbuf *b = &o->buf;

	if (o->format == OUTPUT_JSON)
		return;
	strbuf_adds(b, "\nDescriptors still open that were opened while tracing: ");
	strbuf_addu(b, count);
	if (older_ns) {
		strbuf_adds(b, " older than ");
		add_age(b, older_ns);
	}
	strbuf_addc(b, '\n');
	const struct head_cell c[] = {
		{"CONTAINER", W_CONTAINER}, {"RUNTIME", W_RUNTIME}, {"PID", W_PID},
		{"COMM", W_COMM},	    {"FD", W_FD},	    {"AGE", W_AGE},
		{"SYSCALL", W_SYSCALL}};

	header_line(b, c, sizeof(c) / sizeof(c[0]));
}

void output_open_fd(struct output *o, const struct fd_held *h, uint64_t now_ns,
		    const struct cgroup_identity *id)
{
	struct strbuf *b = &o->buf;
	uint64_t age = now_ns > h->origin.opened_ns ? now_ns - h->origin.opened_ns : 0;
	size_t before, comm_len = cstrlen(h->comm, CC_COMM_LEN);
	long usec;

	if (o->format != OUTPUT_JSON) {
		table_container(b, id);
		table_num(b, h->pid, W_PID);
		strbuf_pad(b, escape_table(b, h->comm, comm_len), W_COMM);
		table_num(b, h->fd, W_FD);
		before = b->len;
		add_age(b, age);
		strbuf_pad(b, b->len - before, W_AGE);
		cell(b, syscalls_name(h->origin.syscall), W_SYSCALL);
		escape_table(b, h->origin.text, h->origin.text_len);
		strbuf_addc(b, '\n');
		return;
	}
	strbuf_addc(b, '{');
	json_time(o, now_ns);
	json_cstr(b, "type", "open_fd");
	json_u64(b, "pid", h->pid);
	json_str(b, "comm", h->comm, comm_len);
	json_i64(b, "fd", h->fd);
	json_cstr(b, "syscall", syscalls_name(h->origin.syscall));
	if (h->origin.is_addr) {
		json_null(b, "path");
		json_str(b, "addr", h->origin.text, h->origin.text_len);
	} else {
		json_str(b, "path", h->origin.text, h->origin.text_len);
		json_null(b, "addr");
	}
	json_bool(b, "cloexec", h->cloexec);
	escape_json_key(b, "opened", false);
	usec = stamp(o, h->origin.opened_ns);
	strbuf_addc(b, '"');
	strbuf_adds(b, o->cached_json);
	strbuf_addc(b, '.');
	add_fixed(b, (unsigned long)usec, 6);
	strbuf_adds(b, "Z\"");
	json_u64(b, "age_ns", age);
	json_u64(b, "cgroup_id", h->cgroup_id);
	json_cstr(b, "cgroup", id ? id->path : NULL);
	json_container(b, id);
	json_line_end(b, o->omit_null);
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
	json_line_end(b, o->omit_null);
}
