/* The attach self-check: each program exercised by one call of the tracer's own thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf/event.h" /* the skeleton's read-only data holds its types */
#include "copenclose.skel.h"
#include "format/syscalls.h"
#include "trace/selfcheck.h"

#define OPENS	(1u << CC_SYS_OPEN | 1u << CC_SYS_OPENAT | 1u << CC_SYS_OPENAT2)
#define ACCEPTS (1u << CC_SYS_ACCEPT | 1u << CC_SYS_ACCEPT4)

#define HOOK_NAME(name) #name,
static const char *const hook_names[CC_HOOKS] = {CC_HOOKS_LIST(HOOK_NAME)};
#undef HOOK_NAME

/* The calls that run each hook, as selfcheck_calls makes them (an open of "/" succeeds, so it
   reaches do_filp_open and fd_install; the accept finds nothing and fails with EAGAIN in
   do_accept; the accept4 takes the connection and installs it). */
static const unsigned int hook_calls[CC_HOOKS] = {
	[CC_HOOK_exit_open] = 1u << CC_SYS_OPEN,
	[CC_HOOK_exit_creat] = SELFCHECK_CREAT,
	[CC_HOOK_exit_openat] = 1u << CC_SYS_OPENAT,
	[CC_HOOK_exit_openat2] = 1u << CC_SYS_OPENAT2,
	[CC_HOOK_exit_close] = 1u << CC_SYS_CLOSE,
	[CC_HOOK_exit_connect] = 1u << CC_SYS_CONNECT,
	[CC_HOOK_exit_accept] = 1u << CC_SYS_ACCEPT,
	[CC_HOOK_exit_accept4] = 1u << CC_SYS_ACCEPT4,
	[CC_HOOK_fe_sys_openat2] = OPENS,
	[CC_HOOK_fx_filp_open] = OPENS,
	[CC_HOOK_fx_sys_openat2] = OPENS,
	[CC_HOOK_fe_fd_install] = OPENS | 1u << CC_SYS_ACCEPT4,
	[CC_HOOK_fe_sys_accept4] = ACCEPTS,
	[CC_HOOK_fx_do_accept] = ACCEPTS,
	[CC_HOOK_fx_sys_accept4] = ACCEPTS,
	[CC_HOOK_fx_sys_close] = 1u << CC_SYS_CLOSE,
	[CC_HOOK_fe_sys_connect] = 1u << CC_SYS_CONNECT,
	[CC_HOOK_fx_connect_file] = 1u << CC_SYS_CONNECT,
	[CC_HOOK_fx_sys_connect] = 1u << CC_SYS_CONNECT,
};

const char *selfcheck_hook_name(int h)
{
	return h >= 0 && h < CC_HOOKS ? hook_names[h] : NULL;
}

int selfcheck_hook_of(const char *prog_name)
{
	for (int h = 0; h < CC_HOOKS; h++) {
		size_t n = strlen(hook_names[h]);
		const char *rest = prog_name + n;

		if (strncmp(hook_names[h], prog_name, n) != 0)
			continue;
		/* the program, or one of its copies (NAME_1 to NAME_9: attach_fentry_open.bpf.h) */
		if (!rest[0] || (rest[0] == '_' && rest[1] >= '1' && rest[1] <= '9' && !rest[2]))
			return h;
	}
	return -1;
}

unsigned int selfcheck_calls_of(int h)
{
	return h >= 0 && h < CC_HOOKS ? hook_calls[h] : 0;
}

int selfcheck_silent(const bool loaded[CC_HOOKS], const uint64_t hits[CC_HOOKS], unsigned int made)
{
	for (int h = 0; h < CC_HOOKS; h++)
		if (loaded[h] && (hook_calls[h] & made) && hits[h] == 0)
			return h;
	return -1;
}

void selfcheck_why(int h, const char *sec, unsigned int made, char *buf, size_t size)
{
	unsigned int calls = selfcheck_calls_of(h) & made;
	char list[96] = "";
	size_t n = 0;
	int last = -1, count = 0;

	for (int i = 0; i <= CC_SYS_MAX; i++)
		if (calls & (1u << i))
			last = i;
	for (int i = 0; i <= CC_SYS_MAX && n < sizeof(list); i++) {
		if (!(calls & (1u << i)))
			continue;
		n += snprintf(list + n, sizeof(list) - n, "%s%s",
			      count == 0  ? ""
			      : i == last ? " and "
					  : ", ",
			      i == CC_SYS_MAX ? "creat" : syscalls_name(i));
		count++;
	}
	snprintf(buf, size, "the program %s on %s did not run for the tracer's own %s call%s",
		 selfcheck_hook_name(h) ? selfcheck_hook_name(h) : "?", sec, list,
		 count == 1 ? "" : "s");
}

/* An open of "/" by one of the three calls: the bit of the call when it opened it. */
static unsigned int open_root(int sc)
{
	struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC};
	long fd = -1;

	if (sc == CC_SYS_OPENAT)
		fd = openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#ifdef SYS_open
	else if (sc == CC_SYS_OPEN)
		fd = syscall(SYS_open, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#endif
#ifdef SYS_openat2
	else if (sc == CC_SYS_OPENAT2)
		fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
#endif
	if (fd < 0)
		return 0;
	return 1u << sc | (close((int)fd) == 0 ? 1u << CC_SYS_CLOSE : 0);
}

/* connect, accept4 and accept on a unix socket of the abstract namespace, named by the kernel. */
static unsigned int sockets(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len = sizeof(sa_family_t);
	unsigned int made = 0;
	int l, c = -1, a;

	l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l < 0)
		return 0;
	/* an address of the family alone: the kernel binds a free abstract name (autobind) */
	if (bind(l, (struct sockaddr *)&sa, len) || listen(l, 2))
		goto out;
	len = sizeof(sa);
	if (getsockname(l, (struct sockaddr *)&sa, &len) ||
	    (c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto out;
	if (connect(c, (struct sockaddr *)&sa, len) == 0)
		made |= 1u << CC_SYS_CONNECT;
	if ((a = accept4(l, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		made |= 1u << CC_SYS_ACCEPT4;
		close(a);
	}
#ifdef SYS_accept
	if (syscall(SYS_accept, l, NULL, NULL) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		made |= 1u << CC_SYS_ACCEPT;
#endif
out:
	if (c >= 0)
		close(c);
	close(l);
	return made;
}

unsigned int selfcheck_calls(void)
{
	unsigned int made = open_root(CC_SYS_OPENAT) | open_root(CC_SYS_OPEN) |
			    open_root(CC_SYS_OPENAT2) | sockets();

#ifdef SYS_creat
	/* "": refused in getname, after the call entered (its exit tracepoint fires) */
	if (syscall(SYS_creat, "", 0) < 0 && errno == ENOENT)
		made |= SELFCHECK_CREAT;
#endif
	return made;
}

/* The tracepoint mode's raw tracepoint copies (attach_tp_copies.bpf.h, where the kernel runs
   tracepoint programs preemptibly) make the records of the per-call programs they replace and
   count those programs' hooks: each traced call's hook is then theirs. */
static void copies_hooks(const struct copenclose_bpf *skel, bool *loaded, const char **sec)
{
	static const struct {
		int hook, sc;
	} tp[] = {
		{CC_HOOK_exit_open, CC_SYS_OPEN},     {CC_HOOK_exit_creat, CC_SYS_OPEN},
		{CC_HOOK_exit_openat, CC_SYS_OPENAT}, {CC_HOOK_exit_openat2, CC_SYS_OPENAT2},
		{CC_HOOK_exit_close, CC_SYS_CLOSE},   {CC_HOOK_exit_connect, CC_SYS_CONNECT},
		{CC_HOOK_exit_accept, CC_SYS_ACCEPT}, {CC_HOOK_exit_accept4, CC_SYS_ACCEPT4},
	};

	for (size_t i = 0; i < sizeof(tp) / sizeof(tp[0]); i++) {
		if (!(skel->rodata->targ_syscalls & (1u << tp[i].sc)))
			continue;
		loaded[tp[i].hook] = true;
		sec[tp[i].hook] = "raw_tp/sys_exit";
	}
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int selfcheck_run(struct copenclose_bpf *skel, char *why, size_t size, int *checked, double *ms)
{
	bool loaded[CC_HOOKS] = {false};
	uint64_t hits[CC_HOOKS];
	const char *sec[CC_HOOKS] = {NULL};
	struct bpf_program *prog;
	double start = now_ms();
	unsigned int made;
	int h;

	*checked = 0;
	bpf_object__for_each_program(prog, skel->obj)
	{
		if (bpf_program__autoload(prog) &&
		    strcmp(bpf_program__name(prog), "tpc_exit_0") == 0)
			copies_hooks(skel, loaded, sec);
		if (!bpf_program__autoload(prog) ||
		    (h = selfcheck_hook_of(bpf_program__name(prog))) < 0)
			continue;
		loaded[h] = true;
		sec[h] = bpf_program__section_name(prog);
	}
	memset((void *)skel->bss->selfcheck_hits, 0, sizeof(skel->bss->selfcheck_hits));
	skel->bss->selfcheck_tid = (uint32_t)syscall(SYS_gettid);
	__sync_synchronize();
	made = selfcheck_calls();
	__sync_synchronize();
	skel->bss->selfcheck_tid = 0;
	memcpy(hits, (const void *)skel->bss->selfcheck_hits, sizeof(hits));
	for (h = 0; h < CC_HOOKS; h++)
		*checked += loaded[h] && (hook_calls[h] & made);
	*ms = now_ms() - start;
	if ((h = selfcheck_silent(loaded, hits, made)) < 0)
		return 0;
	selfcheck_why(h, sec[h], made, why, size);
	return -ENOENT;
}
