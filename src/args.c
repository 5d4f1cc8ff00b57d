/* Parsing of copenclose's options, after bcc/libbpf-tools conventions; no exit(), no printing. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bpf/ratelimit.h"
#include "format/syscalls.h"
#include "summary/metrics.h"
#include "summary/topview.h"

enum {
	OPT_BY = 0x100,
	OPT_FAIL_ON_LOSS,
	OPT_RINGBUF,
	OPT_METRICS,
	OPT_METRICS_GRACE,
	OPT_METRICS_MAX,
	OPT_STATE_DIR,
	OPT_WAIT,
	OPT_POD,
	OPT_K8S_NS,
	OPT_NO_FD_TABLE,
	OPT_LEAKS_OLDER,
	OPT_ATTACH,
	OPT_COMPAT,
	OPT_RATE_LIMIT,
	OPT_OMIT_NULL,
	OPT_PATH,
	OPT_EXCLUDE_PATH,
	OPT_INTERVAL,
	OPT_SORT,
	OPT_GVISOR_SOCKET,
};

/* Which commands take an option. */
#define TRACE ARGS_CMD_TRACE
#define TOP   ARGS_CMD_TOP
#define BOTH  (ARGS_CMD_TRACE | ARGS_CMD_TOP)

/* The one option table of the tracer and of top: each option once, with the commands it is for. */
static const struct args_opt {
	const char *name;
	int has_arg;
	int val; /* its letter, or an OPT_* for a long option alone */
	unsigned int cmds;
} opts[] = {
	{"use-cgv2", no_argument, 'C', TRACE},
	{"ignore-host-ns", no_argument, 'I', BOTH},
	{"help", no_argument, 'h', BOTH},
	{"version", no_argument, 'V', TRACE},
	{"output", required_argument, 'o', BOTH},
	{"syscalls", required_argument, 'e', BOTH},
	{"pid", required_argument, 'p', TRACE},
	{"comm", required_argument, 'n', TRACE},
	{"failed", no_argument, 'x', TRACE},
	{"duration", required_argument, 'd', BOTH},
	{"container", required_argument, 'c', BOTH},
	{"cgroup", required_argument, 'G', BOTH},
	{"by", required_argument, OPT_BY, TRACE},
	{"verbose", no_argument, 'v', BOTH},
	{"fail-on-loss", no_argument, OPT_FAIL_ON_LOSS, TRACE},
	{"ringbuf-size", required_argument, OPT_RINGBUF, BOTH},
	{"metrics", required_argument, OPT_METRICS, BOTH},
	{"metrics-grace", required_argument, OPT_METRICS_GRACE, BOTH},
	{"metrics-max-containers", required_argument, OPT_METRICS_MAX, BOTH},
	{"state-dir", required_argument, OPT_STATE_DIR, TRACE},
	{"wait", no_argument, OPT_WAIT, TRACE},
	{"pod", required_argument, OPT_POD, TRACE},
	{"k8s-namespace", required_argument, OPT_K8S_NS, TRACE},
	{"no-fd-table", no_argument, OPT_NO_FD_TABLE, BOTH},
	{"leaks-older", required_argument, OPT_LEAKS_OLDER, TRACE},
	{"attach", required_argument, OPT_ATTACH, TRACE},
	{"compat", no_argument, OPT_COMPAT, TRACE},
	{"rate-limit", required_argument, OPT_RATE_LIMIT, TRACE},
	{"omit-null", no_argument, OPT_OMIT_NULL, TRACE},
	{"path", required_argument, OPT_PATH, TRACE},
	{"exclude-path", required_argument, OPT_EXCLUDE_PATH, TRACE},
	{"gvisor-socket", required_argument, OPT_GVISOR_SOCKET, TRACE},
	{"interval", required_argument, OPT_INTERVAL, TOP},
	{"sort", required_argument, OPT_SORT, TOP},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* getopt_long's tables for cmd: long (NOPTS + 1 entries) and short (":" and the letters). */
static void args_tables(unsigned int cmd, struct option *lo, char *sh)
{
	size_t n = 0, k = 0;

	sh[k++] = ':';
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(opts[i].cmds & cmd))
			continue;
		lo[n++] = (struct option){opts[i].name, opts[i].has_arg, NULL, opts[i].val};
		if (opts[i].val < 0x100) {
			sh[k++] = (char)opts[i].val;
			if (opts[i].has_arg == required_argument)
				sh[k++] = ':';
		}
	}
	lo[n] = (struct option){NULL, 0, NULL, 0};
	sh[k] = '\0';
}

static const char usage_line[] =
	"Usage: copenclose [-CIvx] [-o table|json] [-e SYSCALLS] [-p PID] [-n COMM] [-d SECONDS] "
	"[-c CONTAINER [--wait]] [--pod NAME] [--k8s-namespace NS] [-G CGROUP] "
	"[--by uts|cgroup|pidns|mntns] [--metrics ADDR:PORT] | top | doctor | resolve PATH-OR-PID";

const char *args_usage_line(void)
{
	return usage_line;
}

void args_usage(FILE *out)
{
	fprintf(out, "%s\n\n", usage_line);
	fputs("Trace the system calls that create and end file descriptors, and tell which\n"
	      "container each came from.\n"
	      "\n"
	      "  -C, --use-cgv2          key containers by cgroup v2 id (same as --by cgroup)\n"
	      "  -I, --ignore-host-ns    drop events from the host's own namespaces\n"
	      "      --by KEY            what keys a container: uts (default), cgroup, pidns, mntns\n"
	      "  -o, --output FORMAT     table (default) or json (JSON lines)\n"
	      "      --omit-null         with -o json: leave out the keys whose value is null\n"
	      "  -e, --syscalls LIST     trace only these: open,openat,openat2,close,connect,\n"
	      "                          accept,accept4 (also all, open*, accept*)\n"
	      "  -p, --pid PID           only this process\n"
	      "  -n, --comm NAME         only tasks whose comm is NAME\n"
	      "  -x, --failed            only failed calls\n"
	      "  -c, --container ID      only this container (its name, or a unique id prefix)\n"
	      "      --wait              with -c: the container may start later; wait for it\n"
	      "      --pod NAME          only the containers of Kubernetes pods named NAME,\n"
	      "                          running now or started later\n"
	      "      --k8s-namespace NS  only the containers of pods in namespace NS (idem)\n"
	      "  -G, --cgroup PATH       only this cgroup v2 and every cgroup below it\n"
	      "  -d, --duration SECONDS  stop after this long\n"
	      "      --ringbuf-size MIB  ring buffer size, a power of two (default 8)\n"
	      "      --state-dir ENGINE=DIR  also look for ENGINE's state in DIR (containerd,\n"
	      "                          cri-o, docker, runc, crun, runsc; e.g.\n"
	      "                          containerd=/run/k3s/containerd)\n"
	      "      --attach MODE       auto (default), tracepoint or fentry: where the programs\n"
	      "                          attach (fentry also sees io_uring and 32-bit calls)\n"
	      "      --compat            with tracepoints, also see 32-bit calls (raw_syscalls: a\n"
	      "                          cost on every system call)\n"
	      "      --rate-limit N      at most N events a second per container (the host is\n"
	      "                          one), in bursts of up to N; the others are counted as\n"
	      "                          throttled, by container and system call\n"
	      "      --path PREFIX       only opens whose path starts with PREFIX (absolute;\n"
	      "                          repeatable), matched in the kernel\n"
	      "      --exclude-path PREFIX  no opens whose path starts with PREFIX, nor the\n"
	      "                          closes of their descriptors (repeatable; wins over --path)\n"
	      "      --gvisor-socket PATH  receive gVisor's runtime monitoring on this unix\n"
	      "                          socket (runsc's remote sink, --pod-init-config): the\n"
	      "                          sandboxed programs' own calls, \"via\": \"gvisor\"\n"
	      "      --fail-on-loss      exit with status 3 when events were lost or left unread\n"
	      "      --metrics ADDR:PORT serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	      "                          (:PORT listens on 127.0.0.1 only)\n"
	      "      --metrics-grace SECONDS  how long the series of a container that is gone\n"
	      "                          stay (default 300)\n"
	      "      --metrics-max-containers N  containers with series of their own (default\n"
	      "                          1000); later ones are counted in one overflow row,\n"
	      "                          container=\"(overflow)\", until they are gone\n"
	      "      --leaks-older SECONDS  the leak report (at exit and on SIGUSR1) lists only\n"
	      "                          descriptors open for at least this long\n"
	      "      --no-fd-table       keep no descriptor table: closes do not say what they\n"
	      "                          closed, no exit/exec ends, no leak report\n"
	      "  -v, --verbose           show libbpf's messages\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           the version\n"
	      "\n"
	      "Subcommands:\n"
	      "  top [OPTIONS]           a live view of every container's counts (top --help)\n"
	      "  doctor [--json]         what this host's kernel, cgroups and runtimes allow\n"
	      "  resolve PATH-OR-PID     the container of a cgroup path or a process, as JSON\n"
	      "  gvisor-config SOCKET    runsc's --pod-init-config for --gvisor-socket SOCKET\n"
	      "\n"
	      "Examples:\n"
	      "  copenclose                   # every container and the host, as a table\n"
	      "  copenclose -I -C             # containers only, keyed by cgroup v2 id\n"
	      "  copenclose -o json -x        # failed calls as JSON lines\n"
	      "  copenclose -c web -e connect # what container 'web' connects to\n"
	      "  copenclose -c db --wait      # container 'db', from when it starts\n"
	      "  copenclose --k8s-namespace shop  # every pod of namespace shop\n"
	      "  copenclose -G /system.slice  # a cgroup subtree\n"
	      "  copenclose -e close --leaks-older 60  # closes with what they closed; at exit\n"
	      "                               # and on SIGUSR1, what is open for a minute or more\n",
	      out);
}

int args_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int args_seconds(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || *end || !*s || !(*out >= min) || *out > max)
		return -EINVAL;
	return 0;
}

static int args_metrics_addr(const char *s)
{
	struct sockaddr_storage sa;
	socklen_t len;

	return metrics_parse_addr(s, &sa, &len);
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, err_size, __VA_ARGS__);                                              \
		return -EINVAL;                                                                    \
	} while (0)

/* The options of cmd in argv into cfg (and top's into top); the checks of both after. */
static int args_parse_cmd(unsigned int cmd, int argc, char **argv, struct config *cfg,
			  struct args_top *top, char *err, size_t err_size)
{
	struct option lo[NOPTS + 1];
	char bad[80], sh[2 * NOPTS + 2];
	int c, rc, v;

	memset(cfg, 0, sizeof(*cfg));
	cfg->syscalls = SYSCALLS_ALL;
	cfg->ringbuf_mib = 8;
	cfg->metrics_grace = CONFIG_METRICS_GRACE;
	cfg->metrics_max_containers = CONFIG_METRICS_MAX_CONTAINERS;
	engine_dirs_defaults(&cfg->state_dirs);
	cfg->leaks_older = -1;
	if (top) {
		cfg->by = BY_CGROUP; /* top's rows are cgroups */
		top->interval = 1;
		top->sort = TOPVIEW_OPENS;
	}
	args_tables(cmd, lo, sh);
	optind = 0; /* reset getopt for repeated calls */
	opterr = 0;
	while ((c = getopt_long(argc, argv, sh, lo, NULL)) != -1) {
		switch (c) {
		case OPT_INTERVAL:
			if (args_seconds(optarg, 0.1, 3600, &top->interval))
				FAIL("invalid --interval '%.64s': seconds from 0.1 to 3600",
				     optarg);
			break;
		case OPT_SORT:
			if ((v = topview_sort_parse(optarg)) < 0)
				FAIL("invalid --sort '%.64s': use %s", optarg, TOPVIEW_SORT_NAMES);
			top->sort = v;
			break;
		case 'C':
			cfg->by = BY_CGROUP;
			break;
		case 'I':
			cfg->ignore_host = true;
			break;
		case 'h':
			return ARGS_HELP;
		case 'V':
			return ARGS_VERSION;
		case 'o':
			if (strcmp(optarg, "table") == 0)
				cfg->output = OUTPUT_TABLE;
			else if (strcmp(optarg, "json") == 0)
				cfg->output = OUTPUT_JSON;
			else
				FAIL("invalid output format '%.64s': use table or json", optarg);
			break;
		case 'e':
			if (syscalls_parse_list(optarg, &cfg->syscalls, bad, sizeof(bad)))
				FAIL("unknown system call '%s' in -e: use open, openat, openat2, close, "
				     "connect, accept, accept4",
				     bad);
			break;
		case 'p':
			if (args_u32(optarg, 1, INT_MAX, &cfg->pid))
				FAIL("invalid PID '%.64s'", optarg);
			break;
		case 'n':
			if (strlen(optarg) >= CC_COMM_LEN || !*optarg)
				FAIL("invalid comm '%.64s': 1 to %d characters", optarg,
				     CC_COMM_LEN - 1);
			strcpy(cfg->comm, optarg);
			cfg->comm_set = true;
			break;
		case 'x':
			cfg->failed = true;
			break;
		case 'd':
			/* above 0: the least positive double is the least allowed */
			if (args_seconds(optarg, DBL_TRUE_MIN, 1e9, &cfg->duration))
				FAIL("invalid duration '%.64s': a number of seconds above 0",
				     optarg);
			break;
		case 'c':
			if (!*optarg)
				FAIL("empty container name");
			cfg->container = optarg;
			break;
		case 'G':
			if (!*optarg)
				FAIL("empty cgroup path");
			cfg->cgroup = optarg;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case OPT_BY:
			if (strcmp(optarg, "uts") == 0)
				cfg->by = BY_UTS;
			else if (strcmp(optarg, "cgroup") == 0)
				cfg->by = BY_CGROUP;
			else if (strcmp(optarg, "pidns") == 0)
				cfg->by = BY_PIDNS;
			else if (strcmp(optarg, "mntns") == 0)
				cfg->by = BY_MNTNS;
			else
				FAIL("invalid --by '%.64s': use uts, cgroup, pidns or mntns",
				     optarg);
			break;
		case OPT_ATTACH:
			if (strcmp(optarg, "auto") == 0)
				cfg->attach = ATTACH_AUTO;
			else if (strcmp(optarg, "tracepoint") == 0)
				cfg->attach = ATTACH_TRACEPOINT;
			else if (strcmp(optarg, "fentry") == 0)
				cfg->attach = ATTACH_FENTRY;
			else
				FAIL("invalid --attach '%.64s': use auto, tracepoint or fentry",
				     optarg);
			break;
		case OPT_COMPAT:
			cfg->compat = true;
			break;
		case OPT_RATE_LIMIT:
			if (args_u32(optarg, 1, CC_RL_MAX, &cfg->rate_limit))
				FAIL("invalid --rate-limit '%.64s': events a second from 1 to %u",
				     optarg, CC_RL_MAX);
			break;
		case OPT_PATH:
		case OPT_EXCLUDE_PATH:
			if (optarg[0] != '/' || strlen(optarg) > CC_PREFIX_MAX)
				FAIL("invalid --%s '%.64s': an absolute path prefix (starting with /), "
				     "at most %d bytes",
				     c == OPT_PATH ? "path" : "exclude-path", optarg,
				     CC_PREFIX_MAX);
			if (cfg->npaths == CC_PREFIXES)
				FAIL("too many --path and --exclude-path: at most %d in all",
				     CC_PREFIXES);
			cfg->paths[cfg->npaths].prefix = optarg;
			cfg->paths[cfg->npaths++].exclude = c == OPT_EXCLUDE_PATH;
			break;
		case OPT_GVISOR_SOCKET:
			if (optarg[0] != '/' || strlen(optarg) >= 108)
				FAIL("invalid --gvisor-socket '%.64s': an absolute path of at most 107 "
				     "bytes",
				     optarg);
			cfg->gvisor_socket = optarg;
			break;
		case OPT_FAIL_ON_LOSS:
			cfg->fail_on_loss = true;
			break;
		case OPT_RINGBUF:
			if (args_u32(optarg, 1, 1024, &cfg->ringbuf_mib) ||
			    (cfg->ringbuf_mib & (cfg->ringbuf_mib - 1)))
				FAIL("invalid --ringbuf-size '%.64s': a power of two from 1 to 1024",
				     optarg);
			break;
		case OPT_METRICS:
			if ((rc = args_metrics_addr(optarg)))
				FAIL("invalid --metrics '%.64s': ADDR:PORT, [ADDR6]:PORT or :PORT with "
				     "a numeric address",
				     optarg);
			cfg->metrics = optarg;
			break;
		case OPT_METRICS_GRACE:
			if (args_u32(optarg, 0, 86400 * 7, &cfg->metrics_grace))
				FAIL("invalid --metrics-grace '%.64s': seconds from 0 to 604800",
				     optarg);
			break;
		case OPT_METRICS_MAX:
			if (args_u32(optarg, 1, 1000000, &cfg->metrics_max_containers))
				FAIL("invalid --metrics-max-containers '%.64s': from 1 to 1000000",
				     optarg);
			break;
		case OPT_WAIT:
			cfg->wait = true;
			break;
		case OPT_POD:
			if (!*optarg)
				FAIL("empty pod name");
			cfg->pod = optarg;
			break;
		case OPT_K8S_NS:
			if (!*optarg)
				FAIL("empty namespace");
			cfg->k8s_namespace = optarg;
			break;
		case OPT_STATE_DIR:
			if (engine_dirs_add(&cfg->state_dirs, optarg))
				FAIL("invalid --state-dir '%.64s': ENGINE=/DIR, ENGINE one of "
				     "containerd, cri-o, docker, runc, crun, runsc (at most %d each)",
				     optarg, ENGINE_DIRS_MAX);
			break;
		case OPT_NO_FD_TABLE:
			cfg->no_fd_table = true;
			break;
		case OPT_OMIT_NULL:
			cfg->omit_null = true;
			break;
		case OPT_LEAKS_OLDER:
			if (args_seconds(optarg, 0, 1e9, &cfg->leaks_older))
				FAIL("invalid --leaks-older '%.64s': a number of seconds, 0 or more",
				     optarg);
			break;
		case ':':
			FAIL("option '%.64s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				FAIL("unknown option '-%c'", optopt);
			FAIL("unknown option '%.64s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		FAIL("unexpected argument '%.64s'", argv[optind]);
	if (cfg->container && cfg->cgroup)
		FAIL("-c and -G cannot be combined");
	if (cfg->wait && !cfg->container)
		FAIL("--wait needs -c NAME");
	if ((cfg->pod || cfg->k8s_namespace) && cfg->cgroup)
		FAIL("--pod and --k8s-namespace cannot be combined with -G");
	if (cfg->leaks_older >= 0 && cfg->no_fd_table)
		FAIL("--leaks-older needs the descriptor table, which --no-fd-table turns off");
	if (cfg->omit_null && cfg->output != OUTPUT_JSON)
		FAIL("--omit-null needs -o json");
	if (cfg->leaks_older >= 0 && cfg->failed)
		FAIL("--leaks-older needs the successful opens, which -x drops");
	return ARGS_OK;
}

int args_parse(int argc, char **argv, struct config *cfg, char *err, size_t err_size)
{
	return args_parse_cmd(ARGS_CMD_TRACE, argc, argv, cfg, NULL, err, err_size);
}

int args_parse_top(int argc, char **argv, struct config *cfg, struct args_top *top, char *err,
		   size_t err_size)
{
	if (!top)
		return -EINVAL;
	return args_parse_cmd(ARGS_CMD_TOP, argc, argv, cfg, top, err, err_size);
}
