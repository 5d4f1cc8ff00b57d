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

enum {
	OPT_BY = 0x100,
	OPT_FAIL_ON_LOSS,
	OPT_RINGBUF,
	OPT_METRICS,
	OPT_METRICS_GRACE,
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
};

static const struct option long_opts[] = {
	{"use-cgv2", no_argument, NULL, 'C'},
	{"ignore-host-ns", no_argument, NULL, 'I'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"output", required_argument, NULL, 'o'},
	{"syscalls", required_argument, NULL, 'e'},
	{"pid", required_argument, NULL, 'p'},
	{"comm", required_argument, NULL, 'n'},
	{"failed", no_argument, NULL, 'x'},
	{"duration", required_argument, NULL, 'd'},
	{"container", required_argument, NULL, 'c'},
	{"cgroup", required_argument, NULL, 'G'},
	{"by", required_argument, NULL, OPT_BY},
	{"verbose", no_argument, NULL, 'v'},
	{"fail-on-loss", no_argument, NULL, OPT_FAIL_ON_LOSS},
	{"ringbuf-size", required_argument, NULL, OPT_RINGBUF},
	{"metrics", required_argument, NULL, OPT_METRICS},
	{"metrics-grace", required_argument, NULL, OPT_METRICS_GRACE},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"wait", no_argument, NULL, OPT_WAIT},
	{"pod", required_argument, NULL, OPT_POD},
	{"k8s-namespace", required_argument, NULL, OPT_K8S_NS},
	{"no-fd-table", no_argument, NULL, OPT_NO_FD_TABLE},
	{"leaks-older", required_argument, NULL, OPT_LEAKS_OLDER},
	{"attach", required_argument, NULL, OPT_ATTACH},
	{"compat", no_argument, NULL, OPT_COMPAT},
	{"rate-limit", required_argument, NULL, OPT_RATE_LIMIT},
	{"omit-null", no_argument, NULL, OPT_OMIT_NULL},
	{"path", required_argument, NULL, OPT_PATH},
	{"exclude-path", required_argument, NULL, OPT_EXCLUDE_PATH},
	{NULL, 0, NULL, 0},
};

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
	      "                          cri-o, docker, runc, crun; e.g. containerd=/run/k3s/containerd)\n"
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
	      "      --fail-on-loss      exit with status 3 when events were lost\n"
	      "      --metrics ADDR:PORT serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	      "                          (:PORT listens on 127.0.0.1 only)\n"
	      "      --metrics-grace SECONDS  how long the series of a container that is gone\n"
	      "                          stay (default 300)\n"
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

int args_parse(int argc, char **argv, struct config *cfg, char *err, size_t err_size)
{
	char bad[80];
	int c, rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->syscalls = SYSCALLS_ALL;
	cfg->ringbuf_mib = 8;
	cfg->metrics_grace = CONFIG_METRICS_GRACE;
	engine_dirs_defaults(&cfg->state_dirs);
	cfg->leaks_older = -1;
	optind = 0; /* reset getopt for repeated calls */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":CIhVo:e:p:n:xd:c:G:v", long_opts, NULL)) != -1) {
		switch (c) {
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
				     "containerd, cri-o, docker, runc, crun (at most %d each)",
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
