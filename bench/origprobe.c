/* The original copenclose's approach in user space: a perf buffer read line by line into a table.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "origprobe.h"
#include "origprobe.skel.h"

static volatile sig_atomic_t orig_exiting;

struct orig_state {
	unsigned long long delivered;
	unsigned long long lost;
};

static void orig_on_signal(int sig)
{
	(void)sig;
	orig_exiting = 1;
}

static const char *orig_name(__u32 nr)
{
	switch (nr) {
	case SYS_open:
		return "open";
	case SYS_openat:
		return "openat";
	case SYS_openat2:
		return "openat2";
	case SYS_close:
		return "close";
	case SYS_connect:
		return "connect";
	case SYS_accept:
		return "accept";
	case SYS_accept4:
		return "accept4";
	}
	return "?";
}

static void orig_on_event(void *ctx, int cpu, void *data, __u32 size)
{
	struct orig_state *st = ctx;
	const struct orig_event *ev = data;
	char when[16];
	time_t t = time(NULL);
	struct tm tm;

	(void)cpu;
	if (size < sizeof(*ev))
		return;
	strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&t, &tm));
	printf("%-8s %-16.64s %-7u %-6u %-6u %-8s %.16s\n", when, ev->hostname, ev->pid, ev->uid,
	       ev->gid, orig_name(ev->nr), ev->comm);
	st->delivered++;
}

static void orig_on_lost(void *ctx, int cpu, __u64 cnt)
{
	struct orig_state *st = ctx;

	(void)cpu;
	st->lost += cnt;
}

static int orig_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void orig_usage(FILE *f)
{
	fprintf(f,
		"usage: origprobe [--floor-tp | --floor-raw-tp]\n"
		"  (none)          one program on raw_syscalls/sys_enter, events through a perf buffer\n"
		"  --floor-tp      only an empty program on syscalls/sys_exit_openat\n"
		"  --floor-raw-tp  only an empty raw_tp program on sys_exit (every system call)\n");
}

int main(int argc, char **argv)
{
	static const long nrs[] = {SYS_open,	SYS_openat, SYS_openat2, SYS_close,
				   SYS_connect, SYS_accept, SYS_accept4};
	struct sigaction sa = {.sa_handler = orig_on_signal};
	struct orig_state st = {0};
	struct perf_buffer *pb = NULL;
	struct origprobe_bpf *skel;
	const char *mode = argc > 1 ? argv[1] : "";
	int err;

	if (argc > 2 ||
	    (argc == 2 && strcmp(mode, "--floor-tp") && strcmp(mode, "--floor-raw-tp"))) {
		orig_usage(stderr);
		return 2;
	}
	libbpf_set_print(orig_quiet);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = origprobe_bpf__open();
	if (!skel) {
		fprintf(stderr, "origprobe: failed to open BPF object\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		skel->rodata->targ_nr[i] = nrs[i];
	bpf_program__set_autoload(skel->progs.orig_sys_enter, !*mode);
	bpf_program__set_autoload(skel->progs.floor_tp, !strcmp(mode, "--floor-tp"));
	bpf_program__set_autoload(skel->progs.floor_raw_tp, !strcmp(mode, "--floor-raw-tp"));
	err = origprobe_bpf__load(skel);
	if (!err)
		err = origprobe_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "origprobe: failed to load or attach: %s\n", strerror(-err));
		goto cleanup;
	}
	pb = perf_buffer__new(bpf_map__fd(skel->maps.events), 64, orig_on_event, orig_on_lost, &st,
			      NULL);
	if (!pb) {
		err = -errno;
		fprintf(stderr, "origprobe: failed to open perf buffer: %s\n", strerror(-err));
		goto cleanup;
	}
	printf("%-8s %-16s %-7s %-6s %-6s %-8s %s\n", "TIME", "HOSTNAME", "PID", "UID", "GID",
	       "SYSCALL", "COMM");
	fflush(stdout);
	fprintf(stderr, "Tracing %s. Hit Ctrl-C to end.\n",
		*mode ? mode + 2 : "open, openat, openat2, close, connect, accept, accept4");
	while (!orig_exiting) {
		err = perf_buffer__poll(pb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "origprobe: polling failed: %s\n", strerror(-err));
			goto cleanup;
		}
		err = 0;
	}
	fflush(stdout);
	fprintf(stderr, "origprobe: %llu events delivered, %llu lost\n", st.delivered, st.lost);
cleanup:
	perf_buffer__free(pb);
	origprobe_bpf__destroy(skel);
	return err ? 1 : 0;
}
