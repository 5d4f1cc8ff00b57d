/* The tracing session's state, shared by the files of trace/ that run it (tracer.c: the event
   loop and the accounting at exit; records.c: each record named, written or held; setup.c:
   filters, load, attach, naming, detach). Private to trace/: others call tracer.h. */
#ifndef CC_SESSION_H
#define CC_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bpf/event.h" /* the skeleton's read-only data holds its types */
#include "copenclose.skel.h"
#include "enrich/cgroup.h"
#include "enrich/namer.h"
#include "enrich/nsowner.h"
#include "enrich/resolver.h"
#include "enrich/selector.h"
#include "format/output.h"
#include "trace/attach.h"
#include "trace/deferral.h"
#include "trace/fdlife.h"
#include "trace/gvisor_listen.h"
#include "trace/sink.h"
#include "trace/summarize.h"
#include "trace/throttle.h"
#include "trace/tracer.h"
#include "util.h"

#define POLL_MS	      50	 /* the longest an event waits in the ring on a quiet system */
#define BATCH_BYTES   (1u << 20) /* output bytes between two flushes */
#define DRAIN_MS      300	 /* how long exit may spend draining into a slow stdout */
#define DRAIN_ALL_MS  10000	 /* and emptying the ring into a stdout that takes it */
#define LOSS_CHECK_NS 250000000	 /* how often the loss counters are read */
/* An event whose cgroup is not named yet waits for the naming thread this long at most, then is
   written with what is known; at most this many records (and bytes of them) wait. */
#define NAME_WAIT_NS   100000000ull
#define IGNORE_WAIT_NS 2000000000ull /* with -I, what the path does not tell waits longer */
#define HELD_MAX_RECS  65536
#define HELD_MAX_BYTES (16u << 20)
#define NAMER_QUEUE    4096 /* naming requests waiting at most */
#define GVISOR_TAKE    1024 /* gVisor's events handled between two flushes, at most */

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
	char refused[256];     /* the optional programs it refused to load or attach */
	char why[256];	       /* what failed in load_mode() */
	char fallback[256];    /* why --attach auto did not get fentry, said with Tracing */
	struct sink sink;      /* stdout */
	uint64_t lost_seen;    /* the kernel's loss counter when last reported */
	struct selector sel;   /* -c --wait, --pod, --k8s-namespace: chosen on the identity */
	uint64_t not_selected; /* events the selector dropped */
	uint64_t host_dropped; /* the host's, dropped under -I where the kernel could not judge */
	uint64_t unformatted;  /* event lines dropped: no memory to format them */
	uint64_t last_warn_ns;
	int fd_table;			/* the descriptor table is kept (fds is set up) */
	struct fdlife fds;		/* the descriptor table */
	uint64_t fed_only;		/* events read only to feed the table, not written (-e) */
	uint64_t older_ns;		/* --leaks-older */
	const struct tracer_view *view; /* top, or NULL */
	bool summarizing;		/* top or --metrics: the kernel tallies */
	struct summarize sz;
	uint64_t tick_ns, next_tick, last_tick;
	int quit;		    /* the view asked to end */
	struct throttle throttle;   /* --rate-limit: the counts reported so far */
	uint64_t next_throttle;	    /* when the buckets are read next */
	uint64_t sandbox_notes[32]; /* hashes of the sandboxes' ids said on stderr */
	size_t sandboxes_noted;
	struct nsowner_found *sandboxes; /* found running at start, until the cache has them */
	size_t nsandboxes;
	/* --gvisor-socket: gVisor's own points, filtered in user space as the kernel filters */
	struct gvisor_listener *gvisor;
	struct cc_prefix gv_paths[CC_PREFIXES]; /* --path and --exclude-path */
	int gv_npaths;
	bool gv_include;
	uint64_t gv_written;  /* gVisor's events formatted for stdout (not the kernel's) */
	uint64_t gv_filtered; /* dropped by a filter */
	uint64_t gv_other;    /* not selected or not formatted (in those counts too) */
};

/* Filters set, the programs of the chosen attach mode loaded and attached, the ring buffer open;
   0 or a TRACER_* status, said on stderr. */
int session_setup_kernel(struct session *s);

/* The gVisor sandboxes running, found while the privileges to see their namespaces are held. */
void session_find_sandboxes(struct session *s);

/* The naming thread started, the running containers named, -c resolved; 0 or a TRACER_* status. */
int session_setup_names(struct session *s);

/* The ring buffer's callback: one record handled (written, held for its name, or fed to the
   summaries); -ECANCELED when the batch is full, -EINTR when asked to stop. */
int session_handle_record(void *ctx, void *data, size_t size);

/* The held records whose cgroup is named (or, with force, all of them) written, in order. */
void session_release_held(struct session *s, bool force);

/* A record held until key is named (or as long as a record may wait), behind those held. */
void session_hold(struct session *s, const void *data, size_t size, uint64_t key);

/* --rate-limit: a throttled record for each container that had events throttled since the last
   call (now: CLOCK_MONOTONIC); one whose cgroup is not named yet is held like the events. */
void session_report_throttled(struct session *s, uint64_t now);

/*
 * What the consumer's cache knows of a throttled record's container: its bucket's last throttled
 * task's cgroup (a miss is asked of the naming thread), or, where that is no container's, the
 * container its mount namespace names (a gVisor sandbox's processes, in the host's cgroup: named
 * as their events are, into *buf), but never for the host's own bucket. Now and when released
 * from the held records alike.
 */
const struct cgroup_identity *session_throttled_known(struct session *s,
						      const struct throttle_held *h,
						      struct cgroup_identity *buf);

/* A throttled record written, named by id (the consumer's cache's, kept for its bucket), else by
   the copy kept of its cgroup, else by guess (not kept; NULL: its ids alone). */
void session_write_throttled(struct session *s, const struct throttle_held *h,
			     const struct cgroup_identity *id, const struct cgroup_identity *guess);

/* An event of gVisor's runtime monitoring (ev: its own copy; ci: its container; time_ns:
   CLOCK_REALTIME, 0 when unknown) filtered and written as the kernel's are. */
void session_handle_gvisor(void *ctx, struct cc_event *ev, size_t size,
			   const struct container_info *ci, int64_t time_ns);

/* Every program detached (in parallel: each detach waits for an RCU grace period). */
void session_detach_all(struct copenclose_bpf *skel);

#endif
