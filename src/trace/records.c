/* From a ring-buffer record to its line: the record named from the consumer's cache, written at
   once or held until the naming thread answers, fed to the descriptor table and the summaries. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enrich/nspawn.h"
#include "trace/recname.h"
#include "trace/session.h"
#include "trace/verdicts.h"
#include "format/syscalls.h"
#include "trace/pathfilter.h"

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
	size_t mark;

	if (verdicts_unsure_dropped(s, ev, id))
		return;
	/* a container the selector does not choose is neither written nor kept in the table */
	if (selector_active(&s->sel) && !(id && selector_match(&s->sel, &id->ctr))) {
		s->not_selected++;
		return;
	}
	/* --rate-limit: a sandbox's bucket (its mount namespace's) keeps the name its events have,
	   for its throttled records written once it is gone and no longer named (without memory
	   for it, they are named as its cgroup is) */
	if (s->cfg->rate_limit && id && id->ctr.is_container && ev->via != CC_VIA_GVISOR &&
	    (ev->status & (CC_ST_PIDNS_HOST | CC_ST_USERNS)) == (CC_ST_PIDNS_HOST | CC_ST_USERNS))
		(void)throttle_keep(&s->throttle, ev->mntns, id);
	/* the table is the host's processes': a sandbox's pids (gVisor's sink) are its own; a
	   record named by its mount namespace keeps it, for the leak report */
	if (s->fd_table && ev->via != CC_VIA_GVISOR) {
		uint64_t key = session_record_key(s, ev);

		closed = fdlife_event_ns(&s->fds, ev, size,
					 NAMER_IS_NS_KEY(key) ? (uint32_t)key : 0);
	} else {
		closed = NULL;
	}
	if (ev->syscall >= CC_SYS_MAX || !(s->cfg->syscalls & (1u << ev->syscall))) {
		s->fed_only++; /* attached only to feed the table */
		fdtable_release(closed);
		return;
	}
	if (s->summarizing && ev->via != CC_VIA_GVISOR) /* the tally is the kernel's */
		summarize_event(&s->sz, ev, size, id, session_record_key(s, ev));
	if (s->view) { /* the view shows rows, not lines */
		fdtable_release(closed);
		return;
	}
	if (closed)
		fdlife_origin(closed, &origin);
	/* held records released at once can outgrow a batch: each line is counted in one */
	if (sink_full(&s->sink))
		sink_flush(&s->sink, &s->out.buf, s->stop, s->final_drain ? DRAIN_MS : -1);
	mark = strbuf_begin(&s->out.buf);
	output_event_closing(&s->out, ev, size, id, closed ? &origin : NULL);
	if (strbuf_end(&s->out.buf, mark)) /* taken back whole: no half line, counted */
		s->unformatted++;
	else
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

	size_t mark = strbuf_begin(&p->s->out.buf);

	fdlife_origin(e, &origin);
	output_fd_end(&p->s->out, p->rec, e->fd, &origin, p->id);
	strbuf_end(&p->s->out.buf, mark); /* not an event: no half line, nothing to count */
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
 * A process ended on a legacy host, where names are kept per process: its name goes with it (a
 * process given its pid next is named afresh), now and after the naming thread's answers asked
 * before (one in flight would put it back).
 */
static void forget_process(struct session *s, const struct cc_event *ev)
{
	uint64_t key = NAMER_PID_KEY(ev->pid);

	resolver_forget(s->res, key);
	namer_ask(s->namer, IDQ_FORGET, key, NULL, 0, NULL);
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
		handle_syscall(s, data, size, id ? id : session_identify(s, data, &legacy));
	} else if (type == CC_REC_PROC_EXIT || type == CC_REC_PROC_EXEC) {
		handle_proc(s, data,
			    id			       ? id
			    : proc_needs_name(s, data) ? session_identify(s, data, &legacy)
						       : NULL);
		if (type == CC_REC_PROC_EXIT && !s->layout.v2_mount[0])
			forget_process(s, data);
	} else if (type == CC_REC_CGROUP_RMDIR) {
		const struct cc_cgroup_event *cg = data;

		if (s->summarizing) /* before the caches forget the name it goes with */
			summarize_removed(&s->sz, cg->cgroup_id, now_ns(CLOCK_MONOTONIC));
		resolver_forget(s->res, cg->cgroup_id);
		resolver_forget(s->guess, cg->cgroup_id);
		verdicts_forget(s, cg->cgroup_id);
	} else if (type == THROTTLE_REC_HELD && size == sizeof(struct throttle_held)) {
		const struct throttle_held *h = data;

		/* named as it would have been at once (its mount namespace's container) */
		session_write_throttled(s, h, id ? id : session_throttled_known(s, h, &legacy),
					NULL);
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
	} else if (type == THROTTLE_REC_HELD) { /* named too late: as an event is, not kept */
		const struct throttle_held *h = data;

		session_write_throttled(s, h, NULL,
					resolver_peek(s->guess, h->rec.cgroup_id, NULL));
	} else { /* named too late: written with what its cgroup's path told, else the id alone
		    (counted in held.late) */
		const struct cc_event *ev = data;
		const struct cgroup_identity *g =
			s->layout.v2_mount[0] ? resolver_peek(s->guess, ev->cgroup_id, NULL) : NULL;

		/* one that waited for its mount namespace's name: its cgroup's, known */
		if (!g && s->layout.v2_mount[0])
			g = resolver_peek(s->res, ev->cgroup_id, NULL);

		dispatch(s, data, size, g ? g : unnamed(data, &scratch));
	}
}

/*
 * With -I, a cgroup's records whose path does not say container wait for the naming thread's
 * answer longer (IGNORE_WAIT_NS more): the host rule drops what the path alone judges the host's,
 * and a runtime's cgroup whose name tells nothing (runc's "/<id>" or any cgroupsPath) holds its
 * init's first calls in the host's pid namespace; they are the container's.
 */
static uint64_t held_patience(void *ctx, uint64_t key)
{
	struct session *s = ctx;
	const struct cgroup_identity *g;

	if (!s->cfg->ignore_host)
		return 0;
	g = s->layout.v2_mount[0] ? resolver_peek(s->guess, key, NULL) : NULL;
	return g && g->ctr.is_container ? 0 : IGNORE_WAIT_NS;
}

/*
 * A record held for its cgroup's name, now known: a cgroup known as no container's keys a record
 * with namespaces of its own by its mount namespace (session_record_key), whose name it waits
 * for in turn (asked now), so that it is not written unnamed as soon as its cgroup is named.
 */
static uint64_t held_rekey(void *ctx, const void *data, size_t size, uint64_t key)
{
	struct session *s = ctx;
	uint32_t type;
	uint64_t k;

	memcpy(&type, data, sizeof(type));
	if ((type != CC_REC_SYSCALL && type != CC_REC_PROC_EXIT && type != CC_REC_PROC_EXEC) ||
	    size < sizeof(struct cc_event) || !s->layout.v2_mount[0] || NAMER_IS_NS_KEY(key))
		return key;
	k = session_record_key(s, data);
	if (k != key && !resolver_peek(s->res, k, NULL))
		session_ask(s, k, data);
	return k;
}

/* The held records that can go now, in order; the answers of the naming thread first. */
void session_release_held(struct session *s, bool force)
{
	const struct deferral_ops ops = {held_known, held_emit, s, held_patience, held_rekey};

	namer_collect(s->namer, s->res);
	if (!deferral_empty(&s->held))
		deferral_release(&s->held, &ops, now_ns(CLOCK_MONOTONIC), force);
}

/* A record held until its cgroup is named (or for NAME_WAIT_NS), behind those held. */
void session_hold(struct session *s, const void *data, size_t size, uint64_t key)
{
	const struct deferral_ops ops = {held_known, held_emit, s, held_patience, held_rekey};

	if (deferral_push(&s->held, &ops, key, now_ns(CLOCK_MONOTONIC) + NAME_WAIT_NS, data,
			  size)) {
		/* no memory to hold it (or larger than the bound): everything held, then it */
		deferral_release(&s->held, &ops, 0, true);
		dispatch(s, data, size, NULL);
	}
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
	struct cgroup_identity legacy;
	const struct cgroup_identity *id = NULL;

	if (!deferral_holds(&s->held, key) &&
	    (!needs_name || (id = session_identify(s, data, &legacy)))) {
		dispatch(s, data, size, id);
		return;
	}
	if (needs_name && !resolver_peek(s->res, key, NULL))
		session_ask(s, key, data);
	session_hold(s, data, size, key);
}

int session_handle_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	uint32_t type;

	if (size < sizeof(type))
		return 0;
	memcpy(&type, data, sizeof(type));
	if (type == CC_REC_SYSCALL && size >= sizeof(struct cc_event)) {
		handle_or_hold(s, data, size, session_record_key(s, data), true);
	} else if ((type == CC_REC_PROC_EXIT || type == CC_REC_PROC_EXEC) &&
		   size >= sizeof(struct cc_event)) {
		handle_or_hold(s, data, size, session_record_key(s, data),
			       proc_needs_name(s, data));
	} else if ((type == CC_REC_CGROUP_MKDIR || type == CC_REC_CGROUP_RMDIR) &&
		   size >= sizeof(struct cc_cgroup_event)) {
		const struct cc_cgroup_event *cg = data;
		size_t len = tail_bytes(cg->tail_len, size, sizeof(*cg));

		if (type == CC_REC_CGROUP_RMDIR) {
			/* the thread forgets after the lookups asked before; the caches, in order;
			   an unnamed cgroup's is held for its name, which its last calls in the
			   summaries go with (asked before the thread forgets) */
			bool name = s->summarizing && summarize_unnamed(&s->sz, cg->cgroup_id);

			if (name)
				namer_ask(s->namer, IDQ_LOOKUP, cg->cgroup_id, NULL, 0, NULL);
			namer_ask(s->namer, IDQ_FORGET, cg->cgroup_id, NULL, 0, NULL);
			if (name)
				session_hold(s, data, sizeof(*cg), cg->cgroup_id);
			else
				handle_or_hold(s, data, sizeof(*cg), cg->cgroup_id, false);
		} else if (!(cg->status & CC_ST_TAIL_TRUNCATED)) {
			/* a cut path is not learnt: a lookup by id finds the whole one */
			char creator[CC_COMM_LEN + 1] = "", machine[CONTAINER_NAME_LEN];
			size_t args = size - sizeof(*cg) > len ? size - sizeof(*cg) - len - 1 : 0;

			memcpy(creator, cg->comm, CC_COMM_LEN);
			/* systemd-nspawn's arguments, read at its mkdir: the machine's name */
			if (cg->args_len && len == cg->tail_len && args >= cg->args_len &&
			    nspawn_name_from_args(cg->tail + len + 1, cg->args_len, machine,
						  sizeof(machine)) == 0)
				namer_learn(s->namer, cg->cgroup_id, cg->tail, len, creator,
					    machine);
			else
				namer_ask(s->namer, IDQ_LEARN, cg->cgroup_id, cg->tail, len,
					  creator);
			resolver_guess(s->guess, cg->cgroup_id, cg->tail, len);
		}
	}
	if (*s->stop && !s->final_drain)
		return -EINTR; /* end the consume loop now, the record is consumed */
	if (sink_full(&s->sink) || s->out.buf.len >= BATCH_BYTES)
		return -ECANCELED;
	return 0;
}

/* Whether -e, -p, -n, -x, -G, --path and --exclude-path let a gVisor event through (the
   container's selection is handle_syscall's). */
static bool gvisor_passes(struct session *s, const struct cc_event *ev, size_t size)
{
	const struct config *cfg = s->cfg;
	char path[CC_PATH_MAX + 1];
	size_t n;

	if (!(cfg->syscalls & (1u << ev->syscall)) || (cfg->pid && ev->pid != cfg->pid) ||
	    (cfg->failed && ev->ret >= 0) || cfg->cgroup ||
	    (cfg->comm_set && strncmp(ev->comm, cfg->comm, CC_COMM_LEN)))
		return false;
	if (!s->gv_npaths || (ev->syscall != CC_SYS_OPEN && ev->syscall != CC_SYS_OPENAT))
		return true;
	n = tail_bytes(ev->tail_len, size, sizeof(*ev));
	memcpy(path, ev->tail, n);
	path[n] = '\0';
	return pathfilter_pass(s->gv_paths, s->gv_npaths, s->gv_include, path);
}

void session_handle_gvisor(void *ctx, struct cc_event *ev, size_t size,
			   const struct container_info *ci, int64_t time_ns)
{
	struct session *s = ctx;
	struct cgroup_identity id = {.ctr = *ci};
	uint64_t lines = s->sink.batch + s->sink.delivered + s->sink.unwritten;
	uint64_t other = s->not_selected + s->unformatted;
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	/* the sandbox's wall clock, on the monotonic one the writers add their offset to */
	ev->ts_ns = time_ns > s->out.mono_to_real_ns ? (uint64_t)(time_ns - s->out.mono_to_real_ns)
						     : now;
	if (!gvisor_passes(s, ev, size)) {
		s->gv_filtered++;
		return;
	}
	handle_syscall(s, ev, size, &id);
	s->gv_written += s->sink.batch + s->sink.delivered + s->sink.unwritten - lines;
	s->gv_other += s->not_selected + s->unformatted - other;
}
