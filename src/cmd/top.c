/* copenclose top: a live per-container view, redrawn in place on a terminal, lines otherwise. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cmd/commands.h"
#include "format/strbuf.h"
#include "summary/topview.h"
#include "trace/sink.h"
#include "trace/tracer.h"

#define TOP_SCREEN_ON  "\033[?1049h\033[?25l" /* alternate screen, cursor hidden */
#define TOP_SCREEN_OFF "\033[?25h\033[?1049l"
#define TOP_REDRAW     "\033[H\033[2J"

struct top {
	enum output_format format;
	enum topview_sort sort;
	bool tty;	      /* stdout is a terminal: redraw in place */
	bool keys;	      /* stdin is a terminal in raw mode */
	bool screen;	      /* the alternate screen is on (from the first refresh: errors
				 before it stay visible) */
	struct termios saved; /* stdin's settings before */
	struct strbuf buf;
	struct sink out; /* stdout */
};

static volatile sig_atomic_t top_stop;
static volatile sig_atomic_t top_no_report; /* top makes no leak report: never set */

static void top_on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static const char top_usage_line[] =
	"Usage: copenclose top [-Iv] [-o table|json] [--interval SECONDS] [--sort COLUMN] "
	"[-c CONTAINER] [-G CGROUP] [-e SYSCALLS] [-d SECONDS] [--metrics ADDR:PORT] [--no-fd-table]";

static void top_usage(FILE *out)
{
	fprintf(out, "%s\n\n", top_usage_line);
	fputs("A live view of what every container opens, closes, connects and accepts, one\n"
	      "row per container (the host is one row), refreshed every interval.\n"
	      "\n"
	      "  -o, --output FORMAT     table (default) or json (one object per container per\n"
	      "                          interval)\n"
	      "      --interval SECONDS  time between two refreshes (default 1)\n"
	      "      --sort COLUMN       opens (default), failed, closes, connects, accepts, fds,\n"
	      "                          rate, cpu, mem, io or name\n"
	      "  -I, --ignore-host-ns    no row for the host\n"
	      "  -c, --container ID      only this container (its name, or a unique id prefix)\n"
	      "  -G, --cgroup PATH       only this cgroup v2 and every cgroup below it\n"
	      "  -e, --syscalls LIST     count only these system calls (as the tracer's -e)\n"
	      "  -d, --duration SECONDS  stop after this long\n"
	      "      --metrics ADDR:PORT also serve Prometheus metrics there (:PORT: 127.0.0.1)\n"
	      "      --metrics-grace SECONDS  how long a gone container's row and series stay\n"
	      "                          (default 300)\n"
	      "      --metrics-max-containers N  containers with a row of their own (default\n"
	      "                          1000); later ones share the row (overflow)\n"
	      "      --ringbuf-size MIB  ring buffer size, a power of two (default 8)\n"
	      "      --no-fd-table       stream no closes and keep no descriptor table: FDS is\n"
	      "                          then opens minus closes since tracing began\n"
	      "  -v, --verbose           show libbpf's messages\n"
	      "  -h, --help              this help\n"
	      "\n"
	      "Keys on a terminal: s sorts by the next column, q quits.\n"
	      "\n"
	      "Examples:\n"
	      "  copenclose top -I --sort failed   # containers with the most failed opens first\n"
	      "  copenclose top -o json --interval 5 | jq .\n",
	      out);
}

/* 0 to go on, 1 for --help (printed), 2 after a one-line error: the tracer's option table
   (args.c), with top's own options. */
static int top_parse(int argc, char **argv, struct config *cfg, struct top *t, double *interval)
{
	struct args_top top;
	char err[256];
	int rc = args_parse_top(argc, argv, cfg, &top, err, sizeof(err));

	if (rc == ARGS_HELP) {
		top_usage(stdout);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "copenclose top: %s. %s\n", err, top_usage_line);
		return 2;
	}
	t->format = cfg->output;
	cfg->output = OUTPUT_TABLE; /* -o is the view's; the session under it is as it was */
	t->sort = (enum topview_sort)top.sort;
	*interval = top.interval;
	return 0;
}

/*
 * All of b to stdout in whole lines (the sink's rules: a blocked write ends when a signal asks to
 * stop, the line it began is finished within SINK_FINISH_MS or no more is written); -EPIPE and
 * the like when the reader is gone, -EINTR when stopped before all went out.
 */
static int top_write(struct top *t)
{
	sink_flush(&t->out, &t->buf, &top_stop, -1);
	if (t->out.closed)
		return t->out.error ? -t->out.error : -EPIPE;
	return t->out.stalled ? -EINTR : 0;
}

static int top_tick(void *ctx, struct summary *sum, double seconds, int final)
{
	struct top *t = ctx;
	const struct summary_row **rows = calloc(sum->n ? sum->n : 1, sizeof(*rows));
	struct winsize ws = {0};
	struct timespec now;
	struct tm tm;
	char clock[40];
	int err;

	if (!rows)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	topview_sort_rows(sum, t->sort, rows);
	t->buf.len = 0;
	strbuf_begin(&t->buf);
	if (t->format == OUTPUT_JSON) {
		gmtime_r(&now.tv_sec, &tm);
		strftime(clock, sizeof(clock), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(clock + strlen(clock), sizeof(clock) - strlen(clock), ".%03ldZ",
			 now.tv_nsec / 1000000);
		for (size_t i = 0; i < sum->n; i++)
			topview_json(&t->buf, rows[i], seconds, clock);
	} else {
		localtime_r(&now.tv_sec, &tm);
		strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
		if (t->tty) {
			if (!t->screen) {
				strbuf_adds(&t->buf, TOP_SCREEN_ON);
				t->screen = true;
			}
			ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
			strbuf_adds(&t->buf, TOP_REDRAW);
		}
		topview_table(&t->buf, sum, rows, seconds, t->sort, clock, t->tty ? ws.ws_col : 0,
			      t->tty && ws.ws_row > 3 ? ws.ws_row - 3u : 0);
		if (!t->tty)
			strbuf_addc(&t->buf, '\n'); /* a blank line between intervals */
	}
	free(rows);
	if (strbuf_end(&t->buf, 0)) /* nothing of a view that could not be made whole */
		fputs("copenclose: top: no memory for this interval's view\n", stderr);
	if (final && t->screen) {
		/* the screen goes away at exit: leave it now, so the closing line stays visible */
		t->buf.len = 0;
		strbuf_adds(&t->buf, TOP_SCREEN_OFF);
		t->screen = false;
	}
	err = top_write(t);
	return err ? 1 : 0;
}

static int top_key(void *ctx)
{
	struct top *t = ctx;
	char keys[32];
	ssize_t n = read(STDIN_FILENO, keys, sizeof(keys));

	if (n == 0)
		return 1; /* the terminal went away */
	for (ssize_t i = 0; i < n; i++) {
		if (keys[i] == 'q' || keys[i] == 'Q')
			return 1;
		if (keys[i] == 's')
			t->sort = (t->sort + 1) % TOPVIEW_SORTS;
		if (keys[i] == 'S')
			t->sort = (t->sort + TOPVIEW_SORTS - 1) % TOPVIEW_SORTS;
	}
	return 0;
}

/* Keys without Enter and without echo; Ctrl-C still signals (ISIG stays). */
static void top_terminal_on(struct top *t)
{
	struct termios raw;

	/* only in the foreground: a background process that sets the terminal is stopped */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() &&
	    tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		raw = t->saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		t->keys = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
}

static void top_terminal_off(struct top *t)
{
	struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};

	/* a terminal that takes nothing (stopped with Ctrl-S) does not keep top from ending */
	if (t->screen && poll(&p, 1, SINK_FINISH_MS) == 1)
		(void)!write(STDOUT_FILENO, TOP_SCREEN_OFF, sizeof(TOP_SCREEN_OFF) - 1);
	if (t->keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
}

int top_main(int argc, char **argv)
{
	struct top t = {0};
	struct tracer_view view = {0};
	struct sigaction sa;
	struct config cfg;
	int rc;

	rc = top_parse(argc, argv, &cfg, &t, &view.interval);
	if (rc)
		return rc == 1 ? 0 : rc;
	t.tty = t.format == OUTPUT_TABLE && isatty(STDOUT_FILENO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = top_on_signal; /* no SA_RESTART: the loop must see the flag */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* SIGUSR1 asks the tracer for a leak report; top makes none, and must not die of it */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sink_init(&t.out, STDOUT_FILENO);
	view.ctx = &t;
	view.tick = top_tick;
	view.key = top_key;
	top_terminal_on(&t);
	view.key_fd = t.keys ? STDIN_FILENO : -1;
	rc = tracer_run_view(&cfg, &top_stop, &top_no_report, &view);
	top_terminal_off(&t);
	strbuf_free(&t.buf);
	return rc;
}
