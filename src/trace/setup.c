/* Setting the tracing session up: the kernel's filters, the attach mode's programs loaded and
   attached, the naming thread and the names known at start; and the programs detached at exit. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/ratelimit.h"
#include "format/syscalls.h"
#include "trace/hostns.h"
#include "trace/optional.h"
#include "trace/pathfilter.h"
#include "trace/preflight.h"
#include "trace/selfcheck.h"
#include "trace/session.h"
#include "trace/verdicts.h"

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
	bool include;
	int n;

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
	skel->rodata->targ_cg_verdicts = s->layout.v2_mount[0] != '\0';
	skel->rodata->host_pid_initial = host->pidns == PREFLIGHT_INIT_PIDNS_INO;
	skel->rodata->wakeup_bytes = ring / 8;
	skel->rodata->targ_tally = s->summarizing;
	skel->rodata->targ_tally_calls = cfg->syscalls;
	if (!s->summarizing) /* a per-CPU hash is preallocated: no memory for one unused */
		bpf_map__set_max_entries(skel->maps.tally, 1);
	if (cfg->rate_limit) { /* a burst of one second's events */
		skel->rodata->targ_rl_interval = cc_rl_interval(cfg->rate_limit);
		skel->rodata->targ_rl_tolerance = cc_rl_tolerance(cfg->rate_limit, cfg->rate_limit);
	} else {
		bpf_map__set_max_entries(skel->maps.buckets, 1);
	}
	if ((n = pathfilter_fill(cfg, (struct cc_prefix *)skel->rodata->targ_paths, &include)) < 0)
		return n;
	skel->rodata->targ_npaths = (uint32_t)n;
	skel->rodata->targ_path_include = include;
	/* an excluded open's close is dropped too: its descriptor is remembered */
	skel->rodata->targ_path_fds = n > 0 && (attach_calls(s) & (1u << CC_SYS_CLOSE));
	if (!skel->rodata->targ_path_fds)
		bpf_map__set_max_entries(skel->maps.excluded_fds, 1);
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

			fprintf(stderr, "copenclose: no running container matches '%s'%s (%s%s)\n",
				cfg->container,
				strlen(cfg->container) < SELECTOR_MIN_PREFIX
					? " (an id prefix takes at least 12 characters)"
					: "",
				n > 0 ? "running: " : "no container is running", n > 0 ? path : "");
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
	const char *call;
	char dir[64];
	int mounted, err, seccomp;

	if (preflight_privileges()) {
		cap_t caps = cap_get_proc();
		int bpf = preflight_has_cap(caps, CAP_BPF),
		    perfmon = preflight_has_cap(caps, CAP_PERFMON);

		cap_free(caps);
		fprintf(stderr,
			"copenclose: permission denied: %s missing: run as root, or with CAP_BPF and "
			"CAP_PERFMON (and CAP_DAC_READ_SEARCH to reach tracefs)\n",
			!bpf && !perfmon ? "CAP_BPF and CAP_PERFMON are"
			: !bpf		 ? "CAP_BPF is"
					 : "CAP_PERFMON is");
		return TRACER_FAILED;
	}
	if (preflight_syscalls(&call, &seccomp)) {
		fprintf(stderr,
			"copenclose: %s() is refused although the capabilities it needs are held: %s\n",
			call,
			seccomp ? "a seccomp profile forbids it (a container runtime's default allows "
				  "it only with CAP_SYS_ADMIN): run it with seccomp unconfined "
				  "(--security-opt seccomp=unconfined; Kubernetes: seccompProfile: "
				  "Unconfined)"
				: "a security module forbids it");
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
	if (err == -EACCES) {
		fprintf(stderr,
			"copenclose: cannot reach tracefs in %s: %s: CAP_DAC_READ_SEARCH is missing "
			"(run as root or with it)\n",
			dir, strerror(-err));
		return TRACER_FAILED;
	}
	if (err) {
		fprintf(stderr,
			"copenclose: tracefs is not mounted and mounting it on /sys/kernel/tracing "
			"failed: %s%s (mount it: mount -t tracefs tracefs /sys/kernel/tracing)\n",
			strerror(-err), err == -EPERM ? ": CAP_SYS_ADMIN is missing" : "");
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
 * released and s->why says what failed. The -c/-G cgroup is not known yet (it is looked up
 * once privileges are dropped, session_setup_names): until it is set, the programs drop every
 * event when either is given. -EAGAIN when the kernel refused to load an optional program
 * (named in s->refused: the next try leaves it out).
 */
static int load_mode_once(struct session *s, const struct host_ns *host, enum attach_mode mode,
			  struct optional_logs *logs)
{
	struct config acfg;
	const char *name;
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
	/* an exit also ends a legacy host's name of the process (kept per pid) */
	bpf_program__set_autoload(s->skel->progs.proc_exit, s->fd_table || !s->layout.v2_mount[0]);
	bpf_program__set_autoload(s->skel->progs.proc_exec, s->fd_table);
	if ((err = optional_prepare(s->skel->obj, s->refused, logs))) {
		snprintf(s->why, sizeof(s->why), "cannot prepare the optional programs: %s",
			 strerror(-err));
		goto fail;
	}
	if ((err = copenclose_bpf__load(s->skel))) {
		snprintf(s->why, sizeof(s->why), "cannot load the BPF programs: %s",
			 strerror(-err));
		if ((name = optional_refused(logs)) &&
		    !optional_add(s->refused, sizeof(s->refused), name))
			err = -EAGAIN;
		goto fail;
	}
	if ((err = optional_attach(s->skel->skeleton, s->refused, sizeof(s->refused)))) {
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

/* load_mode_once, again without each optional program the kernel refused, one at a time. */
static int load_mode(struct session *s, const struct host_ns *host, enum attach_mode mode)
{
	struct optional_logs *logs = malloc(sizeof(*logs));
	int err = -EAGAIN;

	s->refused[0] = '\0';
	if (!logs) {
		snprintf(s->why, sizeof(s->why), "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i <= OPTIONAL_MAX && err == -EAGAIN; i++)
		err = load_mode_once(s, host, mode, logs);
	free(logs);
	if (err)
		s->refused[0] = '\0';
	return err == -EAGAIN ? -EINVAL : err;
}

/*
 * The attach self-check (selfcheck.c): every program exercised ran for the tracer's own calls. A
 * silent one releases the object, with s->why naming it and the calls it did not see.
 */
static int self_check(struct session *s)
{
	int checked, err;
	double ms;

	err = selfcheck_run(s->skel, s->why, sizeof(s->why), &checked, &ms);
	if (s->cfg->verbose)
		fprintf(stderr,
			"copenclose: self-check of the %s mode: %d programs exercised by the "
			"tracer's own calls, %s, in %.2f ms\n",
			attach_mode_name(s->mode), checked, err ? "one silent" : "each ran", ms);
	if (err) {
		copenclose_bpf__destroy(s->skel);
		s->skel = NULL;
		s->blind[0] = s->refused[0] = '\0';
	}
	return err;
}

/*
 * The kernel side: checks, load and attach, with the privileges that needs. Nothing here reads a
 * file another user may write: runtime state and cgroup names are read only once privileges
 * are dropped (setup_names).
 */
int session_setup_kernel(struct session *s)
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
		if (err == 0 && (err = self_check(s)) == 0)
			goto loaded;
		if (cfg->attach == ATTACH_FENTRY) {
			fprintf(stderr,
				"copenclose: the fentry attach mode is not available here: %s%s\n",
				s->why, cfg->verbose ? "" : " (-v shows libbpf's messages)");
			return TRACER_FAILED;
		}
		/* said without -v, once tracing starts: what is seen depends on it */
		snprintf(s->fallback, sizeof(s->fallback), "%s", s->why);
	}
	if ((err = load_mode(s, &host, ATTACH_TRACEPOINT))) {
		fprintf(stderr, "copenclose: %s%s\n", s->why,
			cfg->verbose ? "" : " (-v shows libbpf's messages)");
		return TRACER_FAILED;
	}
	if (self_check(s)) {
		fprintf(stderr, "copenclose: %s: those calls cannot be seen here\n", s->why);
		return TRACER_FAILED;
	}
loaded:
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), session_handle_record, s, NULL);
	if (!s->rb) {
		fprintf(stderr, "copenclose: cannot map the ring buffer: %s\n", strerror(errno));
		return TRACER_FAILED;
	}
	return 0;
}

/* A cgroup the naming thread saw removed (or swept): unless records of it wait for its name
   (the consumer forgets it once they are written), the path guesses forget it too. */
static bool held_has(void *ctx, uint64_t key)
{
	struct session *s = ctx;

	if (deferral_holds(&s->held, key))
		return true;
	resolver_forget(s->guess, key);
	return false;
}

#define SANDBOXES_MAX 64

void session_find_sandboxes(struct session *s)
{
	if (!s->layout.v2_mount[0] ||
	    !(s->sandboxes = calloc(SANDBOXES_MAX, sizeof(*s->sandboxes))))
		return;
	s->nsandboxes = nsowner_running("", &s->cfg->state_dirs, s->sandboxes, SANDBOXES_MAX);
}

/*
 * The sandboxes found at start into the consumer's cache, by their mount namespaces, and the
 * root cgroup, where they stay on a hybrid host (a record is keyed by its mount namespace once
 * its cgroup is known as no container's: known at once, none waits for it).
 */
static void publish_sandboxes(struct session *s)
{
	struct cgroup_identity top = {.path = "/"};
	struct stat st;

	if (s->layout.v2_mount[0] && stat(s->layout.v2_mount, &st) == 0) {
		top.cgroup_id = st.st_ino;
		resolver_publish(s->res, top.cgroup_id, &top, false);
	}
	for (size_t i = 0; i < s->nsandboxes; i++) {
		struct cgroup_identity id = {.ctr = s->sandboxes[i].ci};

		id.cgroup_id = NAMER_NS_KEY(s->sandboxes[i].mntns);
		resolver_publish(s->res, id.cgroup_id, &id, true);
	}
	free(s->sandboxes);
	s->sandboxes = NULL;
	s->nsandboxes = 0;
}

/*
 * Unprivileged now: the resolver primed from the runtimes' state, the -c or -G cgroup set (until
 * then, with either, the programs drop every event: an empty slot of the cgroup array is no
 * match).
 */
int session_setup_names(struct session *s)
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
	/* the test harness checks the host key against the kernel's verdict on every event */
	s->out.kernel_host_key = getenv("COPENCLOSE_TEST_KERNEL_HOST") != NULL;
	/* the host rule's verdicts on the cgroups there are (the rest are judged as they come) */
	if ((err = verdicts_prime(bpf_map__fd(s->skel->maps.cg_verdict), back,
				  s->layout.v2_mount)) < 0 &&
	    cfg->verbose)
		fprintf(stderr, "copenclose: cannot judge the cgroups there are: %s\n",
			strerror(-err));
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
	namer_forget_unless(s->namer, held_has, s);
	publish_sandboxes(s);
	if (s->summarizing &&
	    (err = summarize_init(&s->sz, cfg, s->layout.v2_mount, s->view != NULL))) {
		fprintf(stderr, "copenclose: cannot serve metrics on %s: %s\n", cfg->metrics,
			err == -EPROTONOSUPPORT ? "this static build has no HTTP server"
						: strerror(-err));
		return TRACER_FAILED;
	}
	if (s->summarizing)
		summarize_names(&s->sz, s->res, s->guess, s->namer);
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
static void detach_some(const struct bpf_object_skeleton *sk, bool ends_call)
{
	enum { N = 64 };
	pthread_t threads[N];
	int started[N] = {0}, n = sk->prog_cnt < N ? sk->prog_cnt : N;

	for (int i = 0; i < n; i++) {
		struct bpf_link *link = *sk->progs[i].link;

		if (link && optional_ends_call(*sk->progs[i].prog) == ends_call &&
		    pthread_create(&threads[i], NULL, destroy_link, link) == 0)
			started[i] = 1;
	}
	for (int i = 0; i < sk->prog_cnt; i++) {
		struct bpf_link **link = sk->progs[i].link;

		if (i < n && started[i])
			pthread_join(threads[i], NULL);
		else if (*link && optional_ends_call(*sk->progs[i].prog) == ends_call)
			bpf_link__destroy(*link);
		else
			continue;
		*link = NULL;
	}
}

void session_detach_all(struct copenclose_bpf *skel)
{
	/* the programs that end a call last (optional_ends_call) */
	detach_some(skel->skeleton, false);
	detach_some(skel->skeleton, true);
}
