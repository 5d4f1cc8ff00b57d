/* The tracing session at run time: the ring buffer polled in batches, records written or held for
   their names, summaries ticked, the accounting at exit (setup.c sets the session up). */
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

#include "trace/deadline.h"
#include "trace/misses.h"
#include "trace/pathfilter.h"
#include "trace/preflight.h"
#include "trace/verdicts.h"
#include "format/syscalls.h"
#include "trace/footprint.h"
#include "trace/session.h"

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

/* The sum of one counter over the CPUs into *sum: 0, or -errno when the kernel refused it. */
static int counter_read(struct session *s, enum cc_counter which, uint64_t *sum)
{
	uint64_t vals[s->ncpus > 0 ? s->ncpus : 1];
	uint32_t key = which;

	*sum = 0;
	if (bpf_map__lookup_elem(s->skel->maps.counters, &key, sizeof(key), vals,
				 sizeof(uint64_t) * s->ncpus, 0))
		return -errno;
	for (int i = 0; i < s->ncpus; i++)
		*sum += vals[i];
	return 0;
}

/* One counter, 0 when unreadable (the closing line says when they are). */
static uint64_t counter(struct session *s, enum cc_counter which)
{
	uint64_t sum;

	counter_read(s, which, &sum);
	return sum;
}

/*
 * Consume what the ring holds, flushing every batch; returns when the ring is empty, when asked
 * to stop, or (at exit, with a deadline) when stdout would not take a batch in deadline_ms. At
 * exit the programs are detached, so the ring only empties: a stdout that takes the output gets
 * all of it (no longer than DRAIN_ALL_MS; what is left then is counted unread).
 */
static int drain(struct session *s, int deadline_ms)
{
	uint64_t until = now_ns(CLOCK_MONOTONIC) + (uint64_t)DRAIN_ALL_MS * 1000000;
	size_t gv = 0;
	int err;

	for (;;) {
		session_release_held(s, false);
		err = ring_buffer__consume(s->rb);
		if (s->gvisor) /* gVisor's points, a batch at a time as the ring's */
			gv = gvisor_listen_take(s->gvisor, GVISOR_TAKE, session_handle_gvisor, s);
		sink_flush(&s->sink, &s->out.buf, s->stop, deadline_ms);
		if (err != -ECANCELED && gv < GVISOR_TAKE)
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
	uint64_t until =
		now_ns(CLOCK_MONOTONIC) + NAME_WAIT_NS + (s->cfg->ignore_host ? IGNORE_WAIT_NS : 0);

	while (!deferral_empty(&s->held) && now_ns(CLOCK_MONOTONIC) < until) {
		struct pollfd p = {.fd = namer_fd(s->namer), .events = POLLIN};

		session_release_held(s, false);
		if (deferral_empty(&s->held) || namer_idle(s->namer))
			break;
		poll(&p, 1, 10);
	}
	session_release_held(s, true);
	sink_flush(&s->sink, &s->out.buf, s->stop, DRAIN_MS);
}

/* gVisor's points lost: dropped by the sandboxes' sinks, or with the queue full. */
static uint64_t gvisor_lost(struct session *s)
{
	struct gvisor_stats st;

	if (!s->gvisor)
		return 0;
	gvisor_listen_stats(s->gvisor, &st);
	return st.sandbox_dropped + st.queue_full;
}

/* What the receiver of gVisor's points counted, in one line. */
static void report_gvisor(struct session *s)
{
	struct gvisor_stats st;

	if (!s->gvisor)
		return;
	gvisor_listen_stats(s->gvisor, &st);
	fprintf(stderr,
		"copenclose: gvisor: %llu events from %llu sandbox connections (%llu written, %llu "
		"filtered), %llu lost (%llu dropped by the sandboxes, %llu with the queue full), "
		"%llu malformed and %llu oversized messages dropped, %llu other points ignored, "
		"%llu connections refused\n",
		(unsigned long long)st.points, (unsigned long long)st.connections,
		(unsigned long long)s->gv_written, (unsigned long long)s->gv_filtered,
		(unsigned long long)(st.sandbox_dropped + st.queue_full),
		(unsigned long long)st.sandbox_dropped, (unsigned long long)st.queue_full,
		(unsigned long long)st.malformed, (unsigned long long)st.oversized,
		(unsigned long long)st.ignored, (unsigned long long)st.refused);
}

/* Events lost: the ring buffer's drops and the calls the kernel skipped a program for. */
static uint64_t lost_all(struct session *s, uint64_t *misses)
{
	*misses = misses_read(s->skel->obj);
	return counter(s, CC_CNT_LOST) + *misses;
}

static void check_loss(struct session *s, uint64_t now)
{
	uint64_t misses, lost = lost_all(s, &misses);

	if (lost == s->lost_seen)
		return;
	output_lost(&s->out, lost - s->lost_seen, lost);
	if (now - s->last_warn_ns >= 1000000000ull) {
		fprintf(stderr, "copenclose: warning: %llu events lost so far: %s\n",
			(unsigned long long)lost,
			misses ? "the kernel skipped programs (recursion misses)"
			       : "the ring buffer was full (a larger --ringbuf-size or a faster "
				 "stdout helps)");
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

	if (s->fallback[0])
		fprintf(stderr,
			"copenclose: the fentry attach mode is not available here (%s): syscall "
			"tracepoints instead\n",
			s->fallback);
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
	if (s->refused[0])
		fprintf(stderr,
			"copenclose: note: the kernel refused the optional programs %s (-v shows "
			"why): what they see of io_uring or 32-bit calls is not seen\n",
			s->refused);
}

/* Every interval: the kernel's tally into the rows, /metrics, and the view. */
static int tick(struct session *s, uint64_t now, int final)
{
	double secs = (double)(now - s->last_tick) / 1e9;
	uint64_t misses;
	int err;

	s->sz.state.events_lost = lost_all(s, &misses);
	s->sz.state.cgroup_lost = counter(s, CC_CNT_CG_LOST);
	s->sz.state.tally_full = counter(s, CC_CNT_TALLY_FULL);
	footprint_fill(s, &s->sz.state);
	s->sz.state.events_throttled = counter(s, CC_CNT_THROTTLED);
	err = summarize_collect(&s->sz, bpf_map__fd(s->skel->maps.tally),
				bpf_map__fd(s->skel->maps.lost_by_cgroup), s->ncpus,
				s->fd_table ? s->fds.table : NULL, now, final);
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
	if (s->gvisor) { /* gVisor's points waiting */
		e.events = EPOLLIN;
		e.data.fd = gvisor_listen_fd(s->gvisor);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, e.data.fd, &e)) {
			close(ep);
			return -errno;
		}
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
	s->throttle.last_ns = start;
	s->next_throttle = start + 1000000000ull;
	while (!*s->stop && !s->sink.closed && !s->quit) {
		struct epoll_event evs[4];
		int timeout = POLL_MS, n;
		uint64_t now = now_ns(CLOCK_MONOTONIC);

		if (end) {
			if (now >= end)
				break;
			timeout = deadline_timeout_ms(now, end, timeout);
		}
		if (s->summarizing) /* an overdue tick: no wait at all */
			timeout = deadline_timeout_ms(now, s->next_tick, timeout);
		if (!deferral_empty(&s->held)) /* wake for the oldest held record's deadline */
			timeout =
				deadline_timeout_ms(now, deferral_next_deadline(&s->held), timeout);
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
		if (s->cfg->rate_limit && now >= s->next_throttle) {
			session_report_throttled(s, now);
			s->next_throttle = now + 1000000000ull;
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

/*
 * The events the kernel lost, per cgroup, so the user learns whose events are missing. The
 * per-cgroup table is bounded (its LRU evicts), and with top or --metrics the entries of removed
 * cgroups are deleted once their losses are counted in their rows: what it no longer holds is
 * said, each part by its cause, as the difference between the total and the sum of the entries.
 */
static void report_loss_by_cgroup(struct session *s, uint64_t lost)
{
	uint64_t key, next, val, sum = 0, more_events = 0,
				 removed = s->summarizing ? tally_lost_deleted(s->sz.tally) : 0;
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
		const struct cgroup_identity *id = resolver_peek(s->res, key, NULL);

		fprintf(stderr, "copenclose: lost %llu events of cgroup %llu (%s%s%s)\n",
			(unsigned long long)val, (unsigned long long)key,
			id && id->path ? id->path : "path unknown",
			id && id->ctr.is_container ? ", container " : "",
			id && id->ctr.is_container ? id->ctr.id : "");
	}
	if (more)
		fprintf(stderr, "copenclose: and %llu events lost in %d more cgroups\n",
			(unsigned long long)more_events, more);
	if (removed)
		fprintf(stderr,
			"copenclose: and %llu events lost in cgroups removed while tracing (counted "
			"in their rows, then forgotten)\n",
			(unsigned long long)removed);
	if (sum + removed < lost)
		fprintf(stderr,
			"copenclose: the losses per cgroup are a lower bound: %llu of the %llu lost "
			"events are not attributed to a cgroup (the table of %u cgroups evicted "
			"them)\n",
			(unsigned long long)(lost - sum - removed), (unsigned long long)lost,
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
	struct preflight_dropped left;
	uint64_t seen, lost, unread = 0, accounted, cg_lost, throttled, misses;
	int seen_err, lost_err, keep_bpf;
	int rc, err;

	sink_init(&s.sink, STDOUT_FILENO);
	s.summarizing = view || cfg->metrics;
	s.tick_ns = view ? (uint64_t)(view->interval * 1e9) : 1000000000ull;
	libbpf_set_print(cfg->verbose ? libbpf_verbose : libbpf_quiet);
	output_init(&s.out, cfg->output, cfg->by,
		    (int64_t)(now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC)));
	s.out.omit_null = cfg->omit_null;
	s.fd_table = want_fd_table(cfg, view);
	s.older_ns = cfg->leaks_older > 0 ? (uint64_t)(cfg->leaks_older * 1e9) : 0;
	if (s.fd_table && (err = fdlife_init(&s.fds, NULL))) {
		fprintf(stderr, "copenclose: cannot make the descriptor table: %s\n",
			strerror(-err));
		rc = TRACER_FAILED;
		goto cleanup;
	}
	rc = session_setup_kernel(&s);
	if (rc)
		goto cleanup;
	session_find_sandboxes(&s);
	/* bound while privileges allow any path; its thread starts once names can be read */
	if (cfg->gvisor_socket) {
		if ((err = gvisor_listen_open(&s.gvisor, cfg->gvisor_socket, &cfg->state_dirs))) {
			fprintf(stderr,
				"copenclose: cannot listen for gVisor's runtime monitoring on %s: "
				"%s\n",
				cfg->gvisor_socket,
				err == -EADDRINUSE
					? "in use (something listens there, or it is not a "
					  "socket)"
					: strerror(-err));
			rc = TRACER_FAILED;
			goto cleanup;
		}
		s.gv_npaths = pathfilter_fill(cfg, s.gv_paths, &s.gv_include);
		if (s.gv_npaths < 0)
			s.gv_npaths = 0;
	}
	/* older kernels (5.10; not 6.1) answer no bpf() call of a process without CAP_BPF while
	   unprivileged BPF is disabled (Debian's default): the counters, statistics and maps would
	   all go unread after the drop */
	keep_bpf = preflight_bpf_needs_cap(bpf_map__fd(s.skel->maps.counters)) == 1;
	if ((err = preflight_drop_privileges(PREFLIGHT_USER_UID, PREFLIGHT_USER_GID, keep_bpf,
					     &left)))
		fprintf(stderr,
			"copenclose: warning: could not drop privileges as planned: %s (running on "
			"as uid %u gid %u with %s%s)\n",
			strerror(-err), (unsigned)left.uid, (unsigned)left.gid,
			left.other_caps		    ? "capabilities it could not drop"
			: left.kept_dac_read_search ? "CAP_DAC_READ_SEARCH only"
			: left.uid == 0 ? "no capability: cgroup ids resolved by walking the tree"
					: "no capability: root-only runtime state unread",
			left.bounding_reduced ? "" : ", bounding set kept: no CAP_SETPCAP");
	if (left.kept_bpf)
		fprintf(stderr,
			"copenclose: this kernel answers no bpf() call without CAP_BPF while "
			"unprivileged BPF is disabled: CAP_BPF kept beside "
			"CAP_DAC_READ_SEARCH, to read the counters and maps\n");
	else if (keep_bpf)
		fprintf(stderr,
			"copenclose: this kernel answers no bpf() call without CAP_BPF while "
			"unprivileged BPF is disabled, and CAP_BPF is not held: the counters and "
			"maps cannot be read once privileges are dropped\n");
	rc = session_setup_names(&s);
	if (rc)
		goto cleanup;
	if (s.gvisor && (err = gvisor_listen_start(s.gvisor))) {
		fprintf(stderr, "copenclose: cannot start the receiver of gVisor's points: %s\n",
			strerror(-err));
		rc = TRACER_FAILED;
		goto cleanup;
	}
	print_tracing(&s);
	if (!view)
		output_header(&s.out);
	sink_flush(&s.sink, &s.out.buf, s.stop, -1);
	err = poll_loop(&s);
	/* exit order: detach, drain, read the counters, print */
	session_detach_all(s.skel);
	s.final_drain = 1;
	if (!s.sink.closed) {
		drain(&s, DRAIN_MS);
		flush_held(&s);
		if (!view)
			check_loss(
				&s,
				now_ns(CLOCK_MONOTONIC)); /* the JSON record of the last losses */
		if (cfg->rate_limit) { /* the last records, named like the others (or held) */
			session_report_throttled(&s, now_ns(CLOCK_MONOTONIC));
			flush_held(&s);
		}
		sink_flush(&s.sink, &s.out.buf, s.stop, DRAIN_MS);
		if (s.fd_table && !view) /* top makes no leak report */
			report_leaks(&s, DRAIN_MS, 0);
	}
	if (s.summarizing && !err) /* the last interval: what came in since the last tick */
		err = tick(&s, now_ns(CLOCK_MONOTONIC), 1);
	seen_err = counter_read(&s, CC_CNT_SEEN, &seen);
	lost_err = counter_read(&s, CC_CNT_LOST, &lost);
	throttled = counter(&s, CC_CNT_THROTTLED);
	if (throttled > s.throttle.reported)
		fprintf(stderr,
			"copenclose: %llu throttled events are not attributed to a container (the "
			"table of %u containers evicted them)\n",
			(unsigned long long)(throttled - s.throttle.reported),
			bpf_map__max_entries(s.skel->maps.buckets));
	/* a view writes no event lines; an unreadable counter, or a sum above it, is said, never
	   a wrapped number */
	/* gVisor's events are not the kernel's: out of its accounting, their losses in lost */
	accounted = lost + s.sink.delivered + s.not_selected + s.fed_only + s.host_dropped +
		    s.unformatted;
	accounted -= accounted >= s.gv_written + s.gv_other ? s.gv_written + s.gv_other : accounted;
	if (!view && !seen_err && seen >= accounted)
		unread = seen - accounted;
	if (lost)
		report_loss_by_cgroup(&s, lost);
	/* skipped calls never reached a program: no cgroup is known for them */
	if ((misses = misses_read(s.skel->obj)))
		fprintf(stderr, "copenclose: %llu events lost, unattributed: %s\n",
			(unsigned long long)misses, MISSES_WHY);
	lost += misses;
	if ((cg_lost = counter(&s, CC_CNT_PROC_LOST)))
		fprintf(stderr,
			"copenclose: %llu exit or exec records lost: the descriptors they ended may "
			"be reported as still open\n",
			(unsigned long long)cg_lost);
	report_fd_table(&s);
	report_naming(&s);
	report_gvisor(&s);
	lost += gvisor_lost(&s);
	if ((cg_lost = counter(&s, CC_CNT_CG_LOST)))
		fprintf(stderr,
			"copenclose: %llu cgroup records lost: containers created then may be unnamed\n",
			(unsigned long long)cg_lost);
	if (err)
		fprintf(stderr, "copenclose: polling the ring buffer failed: %s\n", strerror(-err));
	if (s.sink.error)
		fprintf(stderr, "copenclose: cannot write to stdout: %s\n", strerror(s.sink.error));
	if (s.sink.cut)
		fprintf(stderr,
			"copenclose: stdout took nothing for %d ms in the middle of a line: that last "
			"line is cut, and counted unread\n",
			SINK_FINISH_MS);
	if (view)
		fprintf(stderr, "copenclose: %llu calls counted, %llu records lost",
			(unsigned long long)s.sz.sum.total[SUM_EVENTS], (unsigned long long)lost);
	else if (lost_err)
		fprintf(stderr, "copenclose: %llu events delivered, lost unknown",
			(unsigned long long)s.sink.delivered);
	else
		fprintf(stderr, "copenclose: %llu events delivered, %llu lost",
			(unsigned long long)s.sink.delivered, (unsigned long long)lost);
	if (cfg->rate_limit)
		fprintf(stderr, ", %llu throttled", (unsigned long long)throttled);
	if (selector_active(&s.sel))
		fprintf(stderr, ", %llu not selected", (unsigned long long)s.not_selected);
	if (s.unformatted)
		fprintf(stderr, ", %llu dropped for want of memory",
			(unsigned long long)s.unformatted);
	if (unread)
		fprintf(stderr, ", %llu unread", (unsigned long long)unread);
	else if (!view && seen_err)
		fprintf(stderr, ", unread unknown (the kernel refused to read the counters: %s)",
			strerror(-seen_err));
	else if (!view && seen < accounted)
		fprintf(stderr, ", unread unknown (%llu more accounted for than the %llu seen)",
			(unsigned long long)(accounted - seen), (unsigned long long)seen);
	fputc('\n', stderr);
	/* a loss that cannot be read is not a loss ruled out, nor is an event left unread */
	rc = err || s.sink.error				 ? TRACER_FAILED
	     : cfg->fail_on_loss && (lost || lost_err || unread) ? TRACER_LOST
								 : TRACER_OK;
cleanup:
	gvisor_listen_free(s.gvisor);
	namer_stop(s.namer);
	deferral_free(&s.held);
	ring_buffer__free(s.rb);
	copenclose_bpf__destroy(s.skel);
	if (s.cgroup_fd >= 0)
		close(s.cgroup_fd);
	if (s.summarizing)
		summarize_free(&s.sz);
	throttle_free(&s.throttle);
	resolver_free(s.res);
	resolver_free(s.guess);
	free(s.sandboxes);
	if (s.fd_table)
		fdlife_free(&s.fds);
	output_free(&s.out);
	return rc;
}
