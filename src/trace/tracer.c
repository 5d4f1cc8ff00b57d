/* The tracing session: open, filter, load, attach, poll the ring buffer in batches, account. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enrich/cgroup.h"
#include "copenclose.skel.h"
#include "format/output.h"
#include "trace/fdlife.h"
#include "trace/attach.h"
#include "trace/hostns.h"
#include "trace/preflight.h"
#include "enrich/namer.h"
#include "enrich/resolver.h"
#include "enrich/selector.h"
#include "trace/deferral.h"
#include "trace/sink.h"
#include "trace/summarize.h"
#include "format/syscalls.h"
#include "trace/tracer.h"

#define POLL_MS	      50	 /* the longest an event waits in the ring on a quiet system */
#define BATCH_BYTES   (1u << 20) /* output bytes between two flushes */
#define DRAIN_MS      300	 /* how long exit may spend draining into a slow stdout */
#define LOSS_CHECK_NS 250000000	 /* how often the loss counters are read */
/* An event whose cgroup is not named yet waits for the naming thread this long at most, then is
   written with what is known; at most this many records (and bytes of them) wait. */
#define NAME_WAIT_NS   100000000ull
#define HELD_MAX_RECS  65536
#define HELD_MAX_BYTES (16u << 20)
#define NAMER_QUEUE    4096 /* naming requests waiting at most */

struct session {
	const struct config *cfg;
	volatile sig_atomic_t *stop;
	volatile sig_atomic_t *report; /* SIGUSR1: the leak report now */
	struct copenclose_bpf *skel;
	struct ring_buffer *rb;
	struct resolver *res;	/* the consumer's cache: per event only peeked at (no file work) */
	struct namer *namer;	/* the naming thread, which owns the resolver that reads files */
	struct resolver *guess; /* what the paths of cgroup_mkdir records tell, no file read: what
				   a record held too long is written with */
	struct deferral held;	/* records waiting for their cgroup's name, in order */
	struct cgroup_layout layout;
	struct output out;
	int ncpus;
	int final_drain; /* set after detach: consume everything, whatever the stop flag says */
	int cgroup_fd;
	enum attach_mode mode; /* what was attached: ATTACH_TRACEPOINT or ATTACH_FENTRY */
	char blind[256];       /* the fentry mode's optional programs this kernel cannot load */
	char why[256];	       /* what failed in load_mode() */
	struct sink sink;      /* stdout */
	uint64_t lost_seen;    /* the kernel's loss counter when last reported */
	struct selector sel;   /* -c --wait, --pod, --k8s-namespace: chosen on the identity */
	uint64_t not_selected; /* events the selector dropped */
	uint64_t last_warn_ns;
	int fd_table;			/* the descriptor table is kept (fds is set up) */
	struct fdlife fds;		/* the descriptor table */
	uint64_t fed_only;		/* events read only to feed the table, not written (-e) */
	uint64_t older_ns;		/* --leaks-older */
	const struct tracer_view *view; /* top, or NULL */
	bool summarizing;		/* top or --metrics: the kernel tallies */
	struct summarize sz;
	uint64_t tick_ns, next_tick, last_tick;
	int quit; /* the view asked to end */
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t counter(struct session *s, enum cc_counter which)
{
	uint64_t vals[s->ncpus > 0 ? s->ncpus : 1], sum = 0;
	uint32_t key = which;

	if (bpf_map__lookup_elem(s->skel->maps.counters, &key, sizeof(key), vals,
				 sizeof(uint64_t) * s->ncpus, 0))
		return 0;
	for (int i = 0; i < s->ncpus; i++)
		sum += vals[i];
	return sum;
}

/* What names a record: its cgroup, or on a legacy host its process. */
static uint64_t record_key(const struct session *s, const struct cc_event *ev)
{
	return s->layout.v2_mount[0] ? ev->cgroup_id : NAMER_PID_KEY(ev->pid);
}

/*
 * What the consumer's cache knows of a record's cgroup (on a legacy host: of its process), or
 * NULL; never a file read. A miss, or a name due to be looked for again, is asked of the naming
 * thread (merged with a request already waiting).
 */
static const struct cgroup_identity *identify(struct session *s, const struct cc_event *ev,
					      struct cgroup_identity *legacy)
{
	uint64_t key = record_key(s, ev);
	bool due;
	const struct cgroup_identity *id = resolver_peek(s->res, key, &due);

	if (!id || due)
		namer_ask(s->namer, s->layout.v2_mount[0] ? IDQ_LOOKUP : IDQ_LOOKUP_PID, key, NULL,
			  0, NULL);
	if (!id || s->layout.v2_mount[0])
		return id;
	*legacy = *id;
	legacy->cgroup_id = ev->cgroup_id;
	legacy->path = NULL;
	return legacy;
}

/* A record written before its cgroup was named: the id alone. */
static const struct cgroup_identity *unnamed(const struct cc_event *ev,
					     struct cgroup_identity *scratch)
{
	memset(scratch, 0, sizeof(*scratch));
	scratch->cgroup_id = ev->cgroup_id;
	return scratch;
}

static void handle_syscall(struct session *s, const struct cc_event *ev, size_t size,
			   const struct cgroup_identity *id)
{
	struct fd_entry *closed;
	struct fd_origin origin;

	/* a container the selector does not choose is neither written nor kept in the table */
	if (selector_active(&s->sel) && !(id && selector_match(&s->sel, &id->ctr))) {
		s->not_selected++;
		return;
	}
	closed = s->fd_table ? fdlife_event(&s->fds, ev, size) : NULL;
	if (ev->syscall >= CC_SYS_MAX || !(s->cfg->syscalls & (1u << ev->syscall))) {
		s->fed_only++; /* attached only to feed the table */
		fdtable_release(closed);
		return;
	}
	if (s->summarizing)
		summarize_event(&s->sz, ev, size, id);
	if (s->view) { /* the view shows rows, not lines */
		fdtable_release(closed);
		return;
	}
	if (closed)
		fdlife_origin(closed, &origin);
	/* held records released at once can outgrow a batch: each line is counted in one */
	if (sink_full(&s->sink))
		sink_flush(&s->sink, &s->out.buf, s->stop, s->final_drain ? DRAIN_MS : -1);
	output_event_closing(&s->out, ev, size, id, closed ? &origin : NULL);
	sink_add(&s->sink, s->out.buf.len);
	fdtable_release(closed);
}

struct proc_end {
	struct session *s;
	const struct cc_event *rec;
	const struct cgroup_identity *id;
};

static void write_fd_end(void *ctx, const struct fd_entry *e)
{
	struct proc_end *p = ctx;
	struct fd_origin origin;

	fdlife_origin(e, &origin);
	output_fd_end(&p->s->out, p->rec, e->fd, &origin, p->id);
}

/* Whether a process's exit or exec record would write something, so needs its name. */
static bool proc_needs_name(struct session *s, const struct cc_event *rec)
{
	return s->fd_table && fdtable_process_count(s->fds.table, rec->pid) &&
	       ((s->cfg->syscalls & (1u << CC_SYS_CLOSE)) || selector_active(&s->sel));
}

/* A process's exit or exec: a record per descriptor it ended (not events: not counted). */
static void handle_proc(struct session *s, const struct cc_event *rec,
			const struct cgroup_identity *id)
{
	struct proc_end p = {.s = s, .rec = rec, .id = id};

	/* top writes no records: its table only forgets */
	bool write = !s->view && (s->cfg->syscalls & (1u << CC_SYS_CLOSE));

	if (!s->fd_table || !fdtable_process_count(s->fds.table, rec->pid))
		return;
	/* ends are written beside the closes; with close not asked for, the table only forgets;
	   nor are they written for a container the selector does not take */
	if (selector_active(&s->sel) && !(p.id && selector_match(&s->sel, &p.id->ctr)))
		write = false;
	fdtable_end_process(s->fds.table, rec->pid, rec->type == CC_REC_PROC_EXEC,
			    write ? write_fd_end : NULL, &p);
}

/*
 * A record, now or once released from the held ones: id is what is known of its cgroup, NULL to
 * look it up in the cache (then known).
 */
static void dispatch(struct session *s, const void *data, size_t size,
		     const struct cgroup_identity *id)
{
	struct cgroup_identity legacy;
	uint32_t type;

	memcpy(&type, data, sizeof(type));
	if (type == CC_REC_SYSCALL) {
		handle_syscall(s, data, size, id ? id : identify(s, data, &legacy));
	} else if (type == CC_REC_PROC_EXIT || type == CC_REC_PROC_EXEC) {
		handle_proc(s, data,
			    id			       ? id
			    : proc_needs_name(s, data) ? identify(s, data, &legacy)
						       : NULL);
	} else if (type == CC_REC_CGROUP_RMDIR) {
		const struct cc_cgroup_event *cg = data;

		if (s->summarizing)
			summarize_removed(&s->sz, cg->cgroup_id, now_ns(CLOCK_MONOTONIC));
		resolver_forget(s->res, cg->cgroup_id);
	}
}

static bool held_known(void *ctx, uint64_t key)
{
	struct session *s = ctx;

	return resolver_peek(s->res, key, NULL) != NULL;
}

static void held_emit(void *ctx, const void *data, size_t size, bool known)
{
	struct session *s = ctx;
	struct cgroup_identity scratch;
	uint32_t type;

	memcpy(&type, data, sizeof(type));
	if (known || type == CC_REC_CGROUP_RMDIR) {
		dispatch(s, data, size, NULL);
	} else { /* named too late: written with what its cgroup's path told, else the id alone
		    (counted in held.late) */
		const struct cc_event *ev = data;
		const struct cgroup_identity *g =
			s->layout.v2_mount[0] ? resolver_peek(s->guess, ev->cgroup_id, NULL) : NULL;

		dispatch(s, data, size, g ? g : unnamed(data, &scratch));
	}
}

/* The held records that can go now, in order; the answers of the naming thread first. */
static void release_held(struct session *s, bool force)
{
	const struct deferral_ops ops = {held_known, held_emit, s};

	namer_collect(s->namer, s->res);
	if (!deferral_empty(&s->held))
		deferral_release(&s->held, &ops, now_ns(CLOCK_MONOTONIC), force);
}

/*
 * A record is handled now when no record of its cgroup (its process, on legacy hosts) is held and
 * its name, when it needs one, is in the cache; else it is held behind those of its cgroup held
 * already, so the order of each cgroup's records is kept (so a process's, unless it moved to
 * another cgroup while the first was being named).
 */
static void handle_or_hold(struct session *s, const void *data, size_t size, uint64_t key,
			   bool needs_name)
{
	const struct deferral_ops ops = {held_known, held_emit, s};
	struct cgroup_identity legacy;
	const struct cgroup_identity *id = NULL;

	if (!deferral_holds(&s->held, key) && (!needs_name || (id = identify(s, data, &legacy)))) {
		dispatch(s, data, size, id);
		return;
	}
	if (needs_name && !resolver_peek(s->res, key, NULL))
		namer_ask(s->namer, s->layout.v2_mount[0] ? IDQ_LOOKUP : IDQ_LOOKUP_PID, key, NULL,
			  0, NULL);
	if (deferral_push(&s->held, &ops, key, now_ns(CLOCK_MONOTONIC) + NAME_WAIT_NS, data,
			  size)) {
		/* no memory to hold it (or larger than the bound): everything held, then it */
		deferral_release(&s->held, &ops, 0, true);
		dispatch(s, data, size, NULL);
	}
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	uint32_t type;

	if (size < sizeof(type))
		return 0;
	memcpy(&type, data, sizeof(type));
	if (type == CC_REC_SYSCALL && size >= sizeof(struct cc_event)) {
		handle_or_hold(s, data, size, record_key(s, data), true);
	} else if ((type == CC_REC_PROC_EXIT || type == CC_REC_PROC_EXEC) &&
		   size >= sizeof(struct cc_event)) {
		handle_or_hold(s, data, size, record_key(s, data), proc_needs_name(s, data));
	} else if ((type == CC_REC_CGROUP_MKDIR || type == CC_REC_CGROUP_RMDIR) &&
		   size >= sizeof(struct cc_cgroup_event)) {
		const struct cc_cgroup_event *cg = data;
		size_t len = cg->tail_len;

		if (len > size - sizeof(*cg))
			len = size - sizeof(*cg);
		if (type == CC_REC_CGROUP_RMDIR) {
			/* the thread forgets after the lookups asked before; the cache, in order */
			namer_ask(s->namer, IDQ_FORGET, cg->cgroup_id, NULL, 0, NULL);
			resolver_forget(s->guess, cg->cgroup_id);
			handle_or_hold(s, data, sizeof(*cg), cg->cgroup_id, false);
		} else if (!(cg->status & CC_ST_TAIL_TRUNCATED)) {
			/* a cut path is not learnt: a lookup by id finds the whole one */
			char creator[CC_COMM_LEN + 1] = "";

			memcpy(creator, cg->comm, CC_COMM_LEN);
			namer_ask(s->namer, IDQ_LEARN, cg->cgroup_id, cg->tail, len, creator);
			resolver_guess(s->guess, cg->cgroup_id, cg->tail, len);
		}
	}
	if (*s->stop && !s->final_drain)
		return -EINTR; /* end the consume loop now, the record is consumed */
	if (sink_full(&s->sink) || s->out.buf.len >= BATCH_BYTES)
		return -ECANCELED;
	return 0;
}

/*
 * Consume what the ring holds, flushing every batch; returns when the ring is empty, when asked
 * to stop, or (at exit, with a deadline) when stdout would not take the output in time.
 */
static int drain(struct session *s, int deadline_ms)
{
	uint64_t until =
		now_ns(CLOCK_MONOTONIC) + (uint64_t)(deadline_ms > 0 ? deadline_ms : 0) * 1000000;
	int err;

	for (;;) {
		release_held(s, false);
		err = ring_buffer__consume(s->rb);
		sink_flush(&s->sink, &s->out.buf, s->stop, deadline_ms);
		if (err != -ECANCELED)
			break;
		if (!s->final_drain && *s->stop)
			break;
		if (s->final_drain &&
		    (s->sink.closed || s->sink.stalled || now_ns(CLOCK_MONOTONIC) >= until))
			break;
	}
	return err < 0 && err != -ECANCELED && err != -EINTR ? err : 0;
}

/* At exit: the naming thread's last answers awaited (no longer than a held record may wait),
   then every held record written. */
static void flush_held(struct session *s)
{
	uint64_t until = now_ns(CLOCK_MONOTONIC) + NAME_WAIT_NS;

	while (!deferral_empty(&s->held) && now_ns(CLOCK_MONOTONIC) < until) {
		struct pollfd p = {.fd = namer_fd(s->namer), .events = POLLIN};

		release_held(s, false);
		if (deferral_empty(&s->held) || namer_idle(s->namer))
			break;
		poll(&p, 1, 10);
	}
	release_held(s, true);
	sink_flush(&s->sink, &s->out.buf, s->stop, DRAIN_MS);
}

static void check_loss(struct session *s, uint64_t now)
{
	uint64_t lost = counter(s, CC_CNT_LOST);

	if (lost == s->lost_seen)
		return;
	output_lost(&s->out, lost - s->lost_seen, lost);
	if (now - s->last_warn_ns >= 1000000000ull) {
		fprintf(stderr,
			"copenclose: warning: %llu events lost so far: the ring buffer was full "
			"(a larger --ringbuf-size or a faster stdout helps)\n",
			(unsigned long long)lost);
		s->last_warn_ns = now;
	}
	s->lost_seen = lost;
}

/* The leak report, written out now (at exit, or on SIGUSR1). */
static void report_leaks(struct session *s, int deadline_ms, int asked)
{
	long n;

	if (!s->fd_table) {
		fputs("copenclose: no leak report: no descriptor table is kept (--no-fd-table, -x, "
		      "or close not traced)\n",
		      stderr);
		return;
	}
	n = fdlife_report(&s->fds, &s->out, s->layout.v2_mount[0] ? s->res : NULL,
			  now_ns(CLOCK_MONOTONIC), s->older_ns, asked);
	if (n < 0)
		fprintf(stderr, "copenclose: cannot make the leak report: %s\n", strerror((int)-n));
	sink_flush(&s->sink, &s->out.buf, s->stop, deadline_ms);
}

static const char *key_name(enum id_key by)
{
	static const char *const names[] = {"hostname", "cgroup v2 id", "pid namespace",
					    "mount namespace"};
	return names[by];
}

static void print_tracing(const struct session *s)
{
	const struct config *cfg = s->cfg;
	char list[128] = "";
	size_t used = 0;

	for (int i = 0; i < CC_SYS_MAX; i++)
		if (cfg->syscalls & (1u << i))
			used += snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "",
					 syscalls_name(i));
	fprintf(stderr, "Tracing %s (%s; containers keyed by %s). Hit Ctrl-C to end.\n", list,
		s->mode == ATTACH_FENTRY ? "fentry: the kernel's own functions"
		: cfg->compat		 ? "syscall tracepoints, raw_syscalls for 32-bit calls"
					 : "syscall tracepoints",
		key_name(cfg->by));
	if (s->blind[0])
		fprintf(stderr,
			"copenclose: note: this kernel lacks %s: those io_uring or 32-bit "
			"calls are not seen\n",
			s->blind);
}

/* Every interval: the kernel's tally into the rows, /metrics, and the view. */
static int tick(struct session *s, uint64_t now, int final)
{
	double secs = (double)(now - s->last_tick) / 1e9;
	int err;

	s->sz.state.events_lost = counter(s, CC_CNT_LOST);
	s->sz.state.cgroup_lost = counter(s, CC_CNT_CG_LOST);
	s->sz.state.tally_full = counter(s, CC_CNT_TALLY_FULL);
	err = summarize_collect(&s->sz, s->res, bpf_map__fd(s->skel->maps.tally),
				bpf_map__fd(s->skel->maps.lost_by_cgroup), s->ncpus,
				s->fd_table ? s->fds.table : NULL, now);
	if (err)
		return err;
	s->last_tick = now;
	if (s->view && s->view->tick(s->view->ctx, &s->sz.sum, secs, final))
		s->quit = 1;
	summary_next_interval(&s->sz.sum);
	return 0;
}

/* The epoll set: the ring buffer, and stdout where it can tell us it closed. */
static int make_poller(struct session *s)
{
	struct epoll_event e = {.events = EPOLLIN};
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		return -errno;
	e.data.fd = ring_buffer__epoll_fd(s->rb);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, e.data.fd, &e)) {
		close(ep);
		return -errno;
	}
	e.events = 0; /* EPOLLERR and EPOLLHUP are always reported */
	e.data.fd = STDOUT_FILENO;
	if (!s->view) /* a view learns of a closed stdout from its next write */
		epoll_ctl(ep, EPOLL_CTL_ADD, STDOUT_FILENO, &e); /* regular files cannot: fine */
	e.events = EPOLLIN;					 /* the naming thread's answers */
	e.data.fd = namer_fd(s->namer);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, e.data.fd, &e)) {
		close(ep);
		return -errno;
	}
	if (s->view && s->view->key_fd >= 0) {
		e.events = EPOLLIN;
		e.data.fd = s->view->key_fd;
		epoll_ctl(ep, EPOLL_CTL_ADD, e.data.fd, &e);
	}
	return ep;
}

static int poll_loop(struct session *s)
{
	uint64_t start = now_ns(CLOCK_MONOTONIC), next_check = start + LOSS_CHECK_NS;
	uint64_t end = s->cfg->duration > 0 ? start + (uint64_t)(s->cfg->duration * 1e9) : 0;
	int ep = make_poller(s), err = 0;

	if (ep < 0)
		return ep;
	s->last_tick = start;
	s->next_tick = start + s->tick_ns;
	while (!*s->stop && !s->sink.closed && !s->quit) {
		struct epoll_event evs[4];
		int timeout = POLL_MS, n;
		uint64_t now = now_ns(CLOCK_MONOTONIC);

		if (end) {
			if (now >= end)
				break;
			if ((end - now) / 1000000 < (uint64_t)timeout)
				timeout = (int)((end - now) / 1000000) + 1;
		}
		if (s->summarizing && (s->next_tick - now) / 1000000 < (uint64_t)timeout)
			timeout =
				now >= s->next_tick ? 0 : (int)((s->next_tick - now) / 1000000) + 1;
		if (!deferral_empty(&s->held)) { /* wake for the oldest held record's deadline */
			uint64_t due = deferral_next_deadline(&s->held);

			if (due <= now)
				timeout = 0;
			else if ((due - now) / 1000000 < (uint64_t)timeout)
				timeout = (int)((due - now) / 1000000) + 1;
		}
		n = epoll_wait(ep, evs, 4, timeout);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == STDOUT_FILENO && !s->view)
				s->sink.closed = 1;
			else if (s->view && evs[i].data.fd == s->view->key_fd &&
				 s->view->key(s->view->ctx))
				s->quit = 1;
		}
		if ((err = drain(s, -1)))
			break;
		if (*s->report) {
			*s->report = 0;
			report_leaks(s, -1, 1);
			if (s->cfg->output ==
			    OUTPUT_TABLE) { /* the events go on: their heading again */
				strbuf_addc(&s->out.buf, '\n');
				output_header(&s->out);
				sink_flush(&s->sink, &s->out.buf, s->stop, -1);
			}
		}
		now = now_ns(CLOCK_MONOTONIC);
		if (now >= next_check) {
			if (!s->view)
				check_loss(s, now);
			next_check = now + LOSS_CHECK_NS;
		}
		if (s->summarizing && now >= s->next_tick) {
			if ((err = tick(s, now, 0)))
				break;
			while (s->next_tick <= now)
				s->next_tick += s->tick_ns;
		}
	}
	close(ep);
	return err;
}

/* The calls traced in the kernel: those asked for, and with the descriptor table every call that
   makes a descriptor, and close (their events feed the table; only those asked for are written). */
static unsigned int attach_calls(const struct session *s)
{
	return s->cfg->syscalls | (s->fd_table ? SYSCALLS_MAKE_FD | 1u << CC_SYS_CLOSE : 0);
}

static int set_filters(struct session *s, const struct host_ns *host)
{
	const struct config *cfg = s->cfg;
	struct copenclose_bpf *skel = s->skel;
	uint32_t ring = cfg->ringbuf_mib << 20;

	skel->rodata->targ_self_tgid = getpid();
	skel->rodata->targ_tgid = cfg->pid;
	skel->rodata->targ_failed = cfg->failed;
	skel->rodata->targ_comm_set = cfg->comm_set;
	memcpy((char *)skel->rodata->targ_comm, cfg->comm, sizeof(cfg->comm));
	/* a selected container is never the host: the kernel drops the host's events */
	skel->rodata->targ_ignore_host = cfg->ignore_host || selector_active(&s->sel);
	/* set before the cgroup is known: until it is, every event is dropped */
	skel->rodata->targ_cgroup_set =
		cfg->cgroup || (cfg->container && !selector_active(&s->sel));
	skel->rodata->targ_syscalls = attach_calls(s);
	skel->rodata->host_pidns = host->pidns;
	skel->rodata->host_mntns = host->mntns;
	skel->rodata->host_utsns = host->utsns;
	skel->rodata->host_pid_initial = host->pidns == PREFLIGHT_INIT_PIDNS_INO;
	skel->rodata->wakeup_bytes = ring / 8;
	skel->rodata->targ_tally = s->summarizing;
	skel->rodata->targ_tally_calls = cfg->syscalls;
	if (!s->summarizing) /* a per-CPU hash is preallocated: no memory for one unused */
		bpf_map__set_max_entries(skel->maps.tally, 1);
	if (s->view) { /* top: the paths of successful opens, and what the table is made of */
		skel->rodata->targ_stream = s->fd_table ? SYSCALLS_MAKE_FD | 1u << CC_SYS_CLOSE
							: 1u << CC_SYS_OPEN | 1u << CC_SYS_OPENAT |
								  1u << CC_SYS_OPENAT2;
		skel->rodata->targ_stream_failed = false;
	}
	return bpf_map__set_max_entries(skel->maps.events, ring);
}

/* -G and -c: the cgroup whose subtree is traced, opened for the cgroup array map. */
static int open_cgroup_filter(struct session *s)
{
	const struct config *cfg = s->cfg;
	const char *v2 = s->layout.v2_mount;
	char path[4096];
	int fd, err;

	s->cgroup_fd = -1;
	if (!cfg->cgroup && (!cfg->container || selector_active(&s->sel)))
		return 0;
	if (cfg->container) {
		err = resolver_find(s->res, cfg->container, path, sizeof(path));
		if (err == -ENOENT) {
			int n = resolver_running(s->res, path, sizeof(path));

			fprintf(stderr, "copenclose: no running container matches '%s' (%s%s)\n",
				cfg->container, n > 0 ? "running: " : "no container is running",
				n > 0 ? path : "");
			return TRACER_USAGE;
		}
		if (err == -EEXIST) {
			fprintf(stderr, "copenclose: '%s' matches several containers: %s\n",
				cfg->container, path);
			return TRACER_USAGE;
		}
		if (err) {
			fprintf(stderr, "copenclose: cannot look up container '%s': %s\n",
				cfg->container, strerror(-err));
			return TRACER_FAILED;
		}
	} else {
		snprintf(path, sizeof(path), "%s", cfg->cgroup);
	}
	fd = cgroup_open(v2, path);
	if (fd == -EXDEV) {
		fprintf(stderr, "copenclose: cgroup '%s' is outside the cgroup v2 hierarchy (%s)\n",
			path, v2);
		return TRACER_USAGE;
	}
	if (fd < 0) {
		fprintf(stderr, "copenclose: cgroup '%s' not found under %s: %s\n", path, v2,
			strerror(-fd));
		return TRACER_USAGE;
	}
	s->cgroup_fd = fd;
	return 0;
}

/*
 * BPF reports pids as the kernel's initial PID namespace numbers them, and the self filter
 * compares them with getpid(): so the tracer runs there (--pid=host in a container), and takes
 * the host's namespaces from the host, never its own.
 */
static int preflight_host(const struct config *cfg, struct host_ns *host)
{
	enum hostns_source source;
	int err = hostns_check_pidns("/proc", getpid());

	if (err == -EXDEV) {
		fputs("copenclose: this process is not in the host's PID namespace, so the pids it "
		      "would report are not the host's: in a container, run it with --pid=host "
		      "(Kubernetes: hostPID: true)\n",
		      stderr);
		return TRACER_FAILED;
	}
	if (err) {
		fprintf(stderr,
			"copenclose: cannot tell whether this is the host's PID namespace from "
			"/proc/self and /proc/2/stat: %s\n",
			strerror(-err));
		return TRACER_FAILED;
	}
	if ((err = hostns_read("/proc", host, &source))) {
		fprintf(stderr,
			"copenclose: cannot read the host's namespaces in /proc/1/ns%s: %s%s\n",
			err == -EACCES || err == -EPERM ? " (nor the kernel's in /proc/2/ns)" : "",
			strerror(-err),
			err == -EACCES || err == -EPERM ? ": run as root or with CAP_SYS_PTRACE"
							: "");
		return TRACER_FAILED;
	}
	if (source == HOSTNS_KTHREADD && cfg->verbose)
		fputs("copenclose: /proc/1/ns is not readable: the host's namespaces are the "
		      "kernel's initial ones, read from kthreadd's /proc/2/ns\n",
		      stderr);
	return 0;
}

static int preflight(const struct config *cfg, struct host_ns *host)
{
	char dir[64];
	int mounted, err;

	if (preflight_privileges()) {
		fputs("copenclose: permission denied: run as root, or with CAP_BPF and CAP_PERFMON "
		      "(and CAP_DAC_READ_SEARCH to reach tracefs)\n",
		      stderr);
		return TRACER_FAILED;
	}
	if (preflight_btf("/sys/kernel/btf/vmlinux")) {
		fputs("copenclose: kernel BTF not found at /sys/kernel/btf/vmlinux: this kernel was "
		      "built without CONFIG_DEBUG_INFO_BTF=y, which CO-RE needs\n",
		      stderr);
		return TRACER_FAILED;
	}
	err = preflight_tracefs(dir, sizeof(dir), &mounted);
	if (err == -ENOENT) {
		fputs("copenclose: tracefs has no syscall tracepoints: this kernel was built without "
		      "CONFIG_FTRACE_SYSCALLS\n",
		      stderr);
		return TRACER_FAILED;
	}
	if (err) {
		fprintf(stderr,
			"copenclose: tracefs is not mounted and mounting it on /sys/kernel/tracing "
			"failed: %s (mount it: mount -t tracefs tracefs /sys/kernel/tracing)\n",
			strerror(-err));
		return TRACER_FAILED;
	}
	if (mounted && cfg->verbose)
		fprintf(stderr, "copenclose: mounted tracefs on %s\n", dir);
	return preflight_host(cfg, host);
}

static bool selector_pred(void *ctx, const struct container_info *ci)
{
	return selector_match(ctx, ci);
}

/* Says what the selector waits for, and how many running containers it takes already. */
static void announce_selector(struct session *s)
{
	const struct selector *sel = &s->sel;
	int n = s->layout.v2_mount[0] ? resolver_count(s->res, selector_pred, &s->sel) : 0;
	char what[768];

	snprintf(what, sizeof(what), "%s%s%s%s%s%s%s%s%s", sel->container ? "container '" : "",
		 sel->container ? sel->container : "", sel->container ? "'" : "",
		 sel->pod ? (sel->container ? " of pod '" : "pod '") : "", sel->pod ? sel->pod : "",
		 sel->pod ? "'" : "",
		 sel->k8s_namespace
			 ? (sel->container || sel->pod ? " in namespace '" : "namespace '")
			 : "",
		 sel->k8s_namespace ? sel->k8s_namespace : "", sel->k8s_namespace ? "'" : "");
	if (n > 0)
		fprintf(stderr,
			"copenclose: %d running container%s match %s; those started later are "
			"taken too\n",
			n, n == 1 ? "" : "s", what);
	else
		fprintf(stderr, "copenclose: waiting for %s: none is running yet\n", what);
}

/*
 * Open, set the filters, choose mode's programs, load and attach; on failure everything is
 * released and s->why says what failed. The cgroup filter is set before anything attaches.
 */
static int load_mode(struct session *s, const struct host_ns *host, enum attach_mode mode)
{
	struct config acfg;
	char what[128];
	int err;

	s->mode = mode;
	s->skel = copenclose_bpf__open();
	if (!s->skel) {
		err = -errno;
		snprintf(s->why, sizeof(s->why), "cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	if ((err = set_filters(s, host))) {
		snprintf(s->why, sizeof(s->why), "cannot size the ring buffer: %s", strerror(-err));
		goto fail;
	}
	acfg = *s->cfg;
	acfg.syscalls = attach_calls(s);
	err = attach_select(s->skel->obj, &acfg, mode, what, sizeof(what), s->blind,
			    sizeof(s->blind));
	if (err) {
		snprintf(s->why, sizeof(s->why), err == -ENOENT ? "this kernel has no %s" : "%s",
			 what);
		goto fail;
	}
	bpf_program__set_autoload(s->skel->progs.proc_exit, s->fd_table);
	bpf_program__set_autoload(s->skel->progs.proc_exec, s->fd_table);
	if ((err = copenclose_bpf__load(s->skel))) {
		snprintf(s->why, sizeof(s->why), "cannot load the BPF programs: %s",
			 strerror(-err));
		goto fail;
	}
	if (s->cgroup_fd >= 0) {
		uint32_t zero = 0;

		if ((err = bpf_map__update_elem(s->skel->maps.cgroup_filter, &zero, sizeof(zero),
						&s->cgroup_fd, sizeof(s->cgroup_fd), BPF_ANY))) {
			snprintf(s->why, sizeof(s->why), "cannot set the cgroup filter: %s",
				 strerror(-err));
			goto fail;
		}
	}
	if ((err = copenclose_bpf__attach(s->skel))) {
		snprintf(s->why, sizeof(s->why), "cannot attach the BPF programs (%s mode): %s",
			 attach_mode_name(mode), strerror(-err));
		goto fail;
	}
	return 0;
fail:
	copenclose_bpf__destroy(s->skel);
	s->skel = NULL;
	s->blind[0] = '\0';
	return err ? err : -EINVAL;
}

/*
 * The kernel side: checks, load and attach, with the privileges that needs. Nothing here reads a
 * file another user may write: runtime state and cgroup names are read only once privileges
 * are dropped (setup_names).
 */
static int setup_kernel(struct session *s)
{
	const struct config *cfg = s->cfg;
	struct host_ns host;
	int err;

	if ((err = preflight(cfg, &host)))
		return err;
	if ((err = cgroup_detect("/proc/self/mountinfo", &s->layout))) {
		fprintf(stderr, "copenclose: cannot read the cgroup mounts: %s\n", strerror(-err));
		return TRACER_FAILED;
	}
	if (s->layout.mode == CGROUP_MODE_LEGACY)
		fputs("copenclose: note: this host has no cgroup v2 hierarchy (legacy cgroups): "
		      "containers are told apart by namespaces and /proc/PID/cgroup\n",
		      stderr);
	if ((cfg->cgroup || cfg->container) && !s->layout.v2_mount[0]) {
		fprintf(stderr,
			"copenclose: %s needs the cgroup v2 hierarchy, which is not mounted "
			"on this host\n",
			cfg->cgroup ? "-G" : "-c");
		return TRACER_FAILED;
	}
	if (cfg->pod || cfg->k8s_namespace || (cfg->container && cfg->wait)) {
		s->sel.container = cfg->container;
		s->sel.pod = cfg->pod;
		s->sel.k8s_namespace = cfg->k8s_namespace;
	}
	s->ncpus = libbpf_num_possible_cpus();
	if (cfg->attach == ATTACH_FENTRY || cfg->attach == ATTACH_AUTO) {
		err = load_mode(s, &host, ATTACH_FENTRY);
		if (err == 0)
			goto loaded;
		if (cfg->attach == ATTACH_FENTRY) {
			fprintf(stderr,
				"copenclose: the fentry attach mode is not available here: %s%s\n",
				s->why, cfg->verbose ? "" : " (-v shows libbpf's messages)");
			return TRACER_FAILED;
		}
		if (cfg->verbose)
			fprintf(stderr, "copenclose: fentry mode not available (%s): tracepoints\n",
				s->why);
	}
	if ((err = load_mode(s, &host, ATTACH_TRACEPOINT))) {
		fprintf(stderr, "copenclose: %s%s\n", s->why,
			cfg->verbose ? "" : " (-v shows libbpf's messages)");
		return TRACER_FAILED;
	}
loaded:
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), handle_record, s, NULL);
	if (!s->rb) {
		fprintf(stderr, "copenclose: cannot map the ring buffer: %s\n", strerror(errno));
		return TRACER_FAILED;
	}
	return 0;
}

/*
 * Unprivileged now: the resolver primed from the runtimes' state, the -c or -G cgroup set (until
 * then, with either, the programs drop every event: an empty slot of the cgroup array is no
 * match).
 */
static int setup_names(struct session *s)
{
	const struct config *cfg = s->cfg;
	struct resolver_opts ro = {0};
	struct resolver *back;
	uint32_t zero = 0;
	int err;

	ro.v2_mount = s->layout.v2_mount;
	ro.state_root = "";
	ro.dirs = &cfg->state_dirs;
	/* the naming thread's resolver, primed with the running containers; used here first (the
	   thread is not started yet), then only by the thread */
	if ((err = resolver_new(&ro, &back))) {
		fprintf(stderr, "copenclose: cannot start the container resolver: %s\n",
			strerror(-err));
		return TRACER_FAILED;
	}
	s->res = back;
	if (selector_active(&s->sel))
		announce_selector(s);
	err = open_cgroup_filter(s);
	s->res = NULL;
	if (err) {
		resolver_free(back);
		return err;
	}
	/* the consumer's cache, fed by the thread's answers; looks files up itself only for the
	   per-interval and exit reports (summaries, leaks, losses), never per event */
	ro.no_prime = true;
	if ((err = resolver_new(&ro, &s->res)) || (err = resolver_new(&ro, &s->guess)) ||
	    (err = deferral_init(&s->held, HELD_MAX_RECS, HELD_MAX_BYTES)) ||
	    (err = namer_start(&s->namer, back, NAMER_QUEUE))) {
		resolver_free(back);
		fprintf(stderr, "copenclose: cannot start the container naming thread: %s\n",
			strerror(-err));
		return TRACER_FAILED;
	}
	if (s->summarizing &&
	    (err = summarize_init(&s->sz, cfg, s->layout.v2_mount, s->view != NULL))) {
		fprintf(stderr, "copenclose: cannot serve metrics on %s: %s\n", cfg->metrics,
			err == -EPROTONOSUPPORT ? "this static build has no HTTP server"
						: strerror(-err));
		return TRACER_FAILED;
	}
	if (s->cgroup_fd >= 0 &&
	    (err = bpf_map__update_elem(s->skel->maps.cgroup_filter, &zero, sizeof(zero),
					&s->cgroup_fd, sizeof(s->cgroup_fd), BPF_ANY))) {
		fprintf(stderr, "copenclose: cannot set the cgroup filter: %s\n", strerror(-err));
		return TRACER_FAILED;
	}
	return 0;
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/*
 * Detach every program. Each syscall tracepoint's detach waits for RCU grace periods (about
 * 80 ms here); detaching them side by side lets those waits overlap, so exit stays prompt.
 */
static void detach_all(struct copenclose_bpf *skel)
{
	const struct bpf_object_skeleton *sk = skel->skeleton;
	enum { N = 64 };
	pthread_t threads[N];
	int started[N] = {0}, n = sk->prog_cnt < N ? sk->prog_cnt : N;

	for (int i = 0; i < n; i++) {
		struct bpf_link *link = *sk->progs[i].link;

		if (link && pthread_create(&threads[i], NULL, destroy_link, link) == 0)
			started[i] = 1;
	}
	for (int i = 0; i < sk->prog_cnt; i++) {
		struct bpf_link **link = sk->progs[i].link;

		if (i < n && started[i])
			pthread_join(threads[i], NULL);
		else if (*link)
			bpf_link__destroy(*link);
		*link = NULL;
	}
}

/*
 * The events the kernel lost, per cgroup, so the user learns whose events are missing. The
 * per-cgroup table is bounded (its LRU evicts): what it no longer holds is said, as the
 * difference between the total and the sum of the entries.
 */
static void report_loss_by_cgroup(struct session *s, uint64_t lost)
{
	uint64_t key, next, val, sum = 0, more_events = 0;
	int shown = 0, more = 0;
	void *prev = NULL;

	while (bpf_map__get_next_key(s->skel->maps.lost_by_cgroup, prev, &next, sizeof(next)) ==
	       0) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(s->skel->maps.lost_by_cgroup, &key, sizeof(key), &val,
					 sizeof(val), 0))
			continue;
		sum += val;
		if (shown++ >= 8) {
			more++;
			more_events += val;
			continue;
		}
		const struct cgroup_identity *id = resolver_lookup(s->res, key);

		fprintf(stderr, "copenclose: lost %llu events of cgroup %llu (%s%s%s)\n",
			(unsigned long long)val, (unsigned long long)key,
			id->path ? id->path : "path unknown",
			id->ctr.is_container ? ", container " : "",
			id->ctr.is_container ? id->ctr.id : "");
	}
	if (more)
		fprintf(stderr, "copenclose: and %llu events lost in %d more cgroups\n",
			(unsigned long long)more_events, more);
	if (sum < lost)
		fprintf(stderr,
			"copenclose: the losses per cgroup are a lower bound: %llu of the %llu lost "
			"events are not attributed to a cgroup (the table of %u cgroups evicted "
			"them)\n",
			(unsigned long long)(lost - sum), (unsigned long long)lost,
			bpf_map__max_entries(s->skel->maps.lost_by_cgroup));
}

/* Records written before their cgroup was named; with -v, how the naming thread was used. */
static void report_naming(const struct session *s)
{
	const struct deferral *d = &s->held;

	if (d->late || d->pushed)
		fprintf(stderr,
			"copenclose: %llu records written before their cgroup was named (%llu after "
			"waiting %llu ms for the naming thread, %llu early: too many held)\n",
			(unsigned long long)(d->late + d->pushed), (unsigned long long)d->late,
			NAME_WAIT_NS / 1000000, (unsigned long long)d->pushed);
	if (s->namer && s->namer->refused)
		fprintf(stderr,
			"copenclose: %llu naming requests refused: the naming thread's queue was "
			"full\n",
			(unsigned long long)s->namer->refused);
	if (s->cfg->verbose && s->namer)
		fprintf(stderr,
			"copenclose: naming: %llu requests (%llu merged with one waiting), %llu "
			"records held until named, %llu of them named then\n",
			(unsigned long long)s->namer->asked, (unsigned long long)s->namer->merged,
			(unsigned long long)d->held, (unsigned long long)d->named);
}

/* The descriptor table is kept when close is traced (or a leak report asked for), in top when a
   call that makes descriptors is counted (its FDS column), unless -x drops the successful calls
   it is made of or --no-fd-table turns it off. */
static int want_fd_table(const struct config *cfg, const struct tracer_view *view)
{
	if (cfg->no_fd_table || cfg->failed)
		return 0;
	if (view)
		return !!(cfg->syscalls & SYSCALLS_MAKE_FD);
	return (cfg->syscalls & (1u << CC_SYS_CLOSE)) || cfg->leaks_older >= 0;
}

static void report_fd_table(struct session *s)
{
	struct fdtable_stats st;

	if (!s->fd_table)
		return;
	fdtable_stats(s->fds.table, &st);
	if (st.dropped_total || st.dropped_proc || st.dropped_bytes)
		fprintf(stderr,
			"copenclose: descriptor table full: %llu descriptors not recorded (%llu over "
			"the total, %llu over a process's share, %llu over the path bytes); their "
			"ends are reported as unknown\n",
			(unsigned long long)(st.dropped_total + st.dropped_proc + st.dropped_bytes),
			(unsigned long long)st.dropped_total, (unsigned long long)st.dropped_proc,
			(unsigned long long)st.dropped_bytes);
}

int tracer_run(const struct config *cfg, volatile sig_atomic_t *stop, volatile sig_atomic_t *report)
{
	return tracer_run_view(cfg, stop, report, NULL);
}

int tracer_run_view(const struct config *cfg, volatile sig_atomic_t *stop,
		    volatile sig_atomic_t *report, const struct tracer_view *view)
{
	struct session s = {
		.cfg = cfg, .stop = stop, .report = report, .cgroup_fd = -1, .view = view};
	uint64_t seen, lost, unread, cg_lost;
	int rc, err;

	sink_init(&s.sink, STDOUT_FILENO);
	s.summarizing = view || cfg->metrics;
	s.tick_ns = view ? (uint64_t)(view->interval * 1e9) : 1000000000ull;
	libbpf_set_print(cfg->verbose ? libbpf_verbose : libbpf_quiet);
	output_init(&s.out, cfg->output, cfg->by,
		    (int64_t)(now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC)));
	s.fd_table = want_fd_table(cfg, view);
	s.older_ns = cfg->leaks_older > 0 ? (uint64_t)(cfg->leaks_older * 1e9) : 0;
	if (s.fd_table && (err = fdlife_init(&s.fds, NULL))) {
		fprintf(stderr, "copenclose: cannot make the descriptor table: %s\n",
			strerror(-err));
		rc = TRACER_FAILED;
		goto cleanup;
	}
	rc = setup_kernel(&s);
	if (rc)
		goto cleanup;
	if ((err = preflight_drop_privileges(PREFLIGHT_USER_UID, PREFLIGHT_USER_GID)))
		fprintf(stderr,
			"copenclose: warning: could not drop privileges to uid %d: %s (running on "
			"with CAP_DAC_READ_SEARCH only)\n",
			PREFLIGHT_USER_UID, strerror(-err));
	rc = setup_names(&s);
	if (rc)
		goto cleanup;
	print_tracing(&s);
	if (!view)
		output_header(&s.out);
	sink_flush(&s.sink, &s.out.buf, s.stop, -1);
	err = poll_loop(&s);
	/* exit order: detach, drain, read the counters, print */
	detach_all(s.skel);
	s.final_drain = 1;
	if (!s.sink.closed) {
		drain(&s, DRAIN_MS);
		flush_held(&s);
		if (!view)
			check_loss(
				&s,
				now_ns(CLOCK_MONOTONIC)); /* the JSON record of the last losses */
		sink_flush(&s.sink, &s.out.buf, s.stop, DRAIN_MS);
		if (s.fd_table && !view) /* top makes no leak report */
			report_leaks(&s, DRAIN_MS, 0);
	}
	if (s.summarizing && !err) /* the last interval: what came in since the last tick */
		err = tick(&s, now_ns(CLOCK_MONOTONIC), 1);
	seen = counter(&s, CC_CNT_SEEN);
	lost = counter(&s, CC_CNT_LOST);
	/* a view writes no event lines */
	unread = view ? 0 : seen - lost - s.sink.delivered - s.not_selected - s.fed_only;
	if (lost)
		report_loss_by_cgroup(&s, lost);
	if ((cg_lost = counter(&s, CC_CNT_PROC_LOST)))
		fprintf(stderr,
			"copenclose: %llu exit or exec records lost: the descriptors they ended may "
			"be reported as still open\n",
			(unsigned long long)cg_lost);
	report_fd_table(&s);
	report_naming(&s);
	if ((cg_lost = counter(&s, CC_CNT_CG_LOST)))
		fprintf(stderr,
			"copenclose: %llu cgroup records lost: containers created then may be unnamed\n",
			(unsigned long long)cg_lost);
	if (err)
		fprintf(stderr, "copenclose: polling the ring buffer failed: %s\n", strerror(-err));
	if (s.sink.error)
		fprintf(stderr, "copenclose: cannot write to stdout: %s\n", strerror(s.sink.error));
	if (view)
		fprintf(stderr, "copenclose: %llu calls counted, %llu records lost",
			(unsigned long long)s.sz.sum.total[SUM_EVENTS], (unsigned long long)lost);
	else
		fprintf(stderr, "copenclose: %llu events delivered, %llu lost",
			(unsigned long long)s.sink.delivered, (unsigned long long)lost);
	if (selector_active(&s.sel))
		fprintf(stderr, ", %llu not selected", (unsigned long long)s.not_selected);
	if (unread)
		fprintf(stderr, ", %llu unread", (unsigned long long)unread);
	fputc('\n', stderr);
	rc = err || s.sink.error	 ? TRACER_FAILED
	     : cfg->fail_on_loss && lost ? TRACER_LOST
					 : TRACER_OK;
cleanup:
	namer_stop(s.namer);
	deferral_free(&s.held);
	ring_buffer__free(s.rb);
	copenclose_bpf__destroy(s.skel);
	if (s.cgroup_fd >= 0)
		close(s.cgroup_fd);
	if (s.summarizing)
		summarize_free(&s.sz);
	resolver_free(s.res);
	resolver_free(s.guess);
	if (s.fd_table)
		fdlife_free(&s.fds);
	output_free(&s.out);
	return rc;
}
