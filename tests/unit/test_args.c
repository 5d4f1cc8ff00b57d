/* Unit tests of the command-line parser: the original's flags, the new options, bad input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"
#include "format/syscalls.h"
#include "summary/topview.h"

#define PARSE(cfg, err, ...)                                                                       \
	({                                                                                         \
		char *argv[] = {"copenclose", __VA_ARGS__, NULL};                                  \
		args_parse((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, &(cfg), (err),         \
			   sizeof(err));                                                           \
	})

static void test_defaults(void **state)
{
	char *argv[] = {"copenclose", NULL};
	struct config cfg;
	char err[256];

	assert_int_equal(args_parse(1, argv, &cfg, err, sizeof(err)), ARGS_OK);
	assert_int_equal(cfg.output, OUTPUT_TABLE);
	assert_int_equal(cfg.by, BY_UTS);
	assert_int_equal(cfg.syscalls, SYSCALLS_ALL);
	assert_false(cfg.ignore_host);
	assert_int_equal(cfg.pid, 0);
	assert_int_equal(cfg.ringbuf_mib, 8);
}

static void test_original_flags(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE(cfg, err, "-C", "-I"), ARGS_OK);
	assert_int_equal(cfg.by, BY_CGROUP);
	assert_true(cfg.ignore_host);
	assert_int_equal(PARSE(cfg, err, "--use-cgv2", "--ignore-host-ns"), ARGS_OK);
	assert_int_equal(cfg.by, BY_CGROUP);
	assert_true(cfg.ignore_host);
	assert_int_equal(PARSE(cfg, err, "-h"), ARGS_HELP);
	assert_int_equal(PARSE(cfg, err, "--help"), ARGS_HELP);
	assert_int_equal(PARSE(cfg, err, "-V"), ARGS_VERSION);
	assert_int_equal(PARSE(cfg, err, "--version"), ARGS_VERSION);
}

static void test_new_options(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE(cfg, err, "-o", "json", "-e", "open,close", "-p", "42", "-n",
			       "nginx", "-x", "-d", "1.5", "--by", "mntns", "-v", "--fail-on-loss",
			       "--ringbuf-size", "64"),
			 ARGS_OK);
	assert_int_equal(cfg.output, OUTPUT_JSON);
	assert_int_equal(cfg.syscalls, (1u << CC_SYS_OPEN) | (1u << CC_SYS_CLOSE));
	assert_int_equal(cfg.pid, 42);
	assert_true(cfg.comm_set);
	assert_string_equal(cfg.comm, "nginx");
	assert_true(cfg.failed);
	assert_true(cfg.duration > 1.49 && cfg.duration < 1.51);
	assert_int_equal(cfg.by, BY_MNTNS);
	assert_true(cfg.verbose);
	assert_true(cfg.fail_on_loss);
	assert_int_equal(cfg.ringbuf_mib, 64);
	assert_int_equal(PARSE(cfg, err, "-c", "web"), ARGS_OK);
	assert_string_equal(cfg.container, "web");
	assert_int_equal(PARSE(cfg, err, "--cgroup=/system.slice"), ARGS_OK);
	assert_string_equal(cfg.cgroup, "/system.slice");
	assert_int_equal(PARSE(cfg, err, "--by=pidns"), ARGS_OK);
	assert_int_equal(cfg.by, BY_PIDNS);
	assert_int_equal(PARSE(cfg, err, "-C", "--by", "uts"), ARGS_OK);
	assert_int_equal(cfg.by, BY_UTS);
	assert_int_equal(PARSE(cfg, err, "--rate-limit", "250", "--path", "/etc", "--exclude-path",
			       "/etc/ssl", "--path=/data"),
			 ARGS_OK);
	assert_int_equal(cfg.rate_limit, 250);
	assert_int_equal(cfg.npaths, 3);
	assert_string_equal(cfg.paths[0].prefix, "/etc");
	assert_false(cfg.paths[0].exclude);
	assert_string_equal(cfg.paths[1].prefix, "/etc/ssl");
	assert_true(cfg.paths[1].exclude);
	assert_string_equal(cfg.paths[2].prefix, "/data");
}

/* At most CC_PREFIXES path filters, each at most CC_PREFIX_MAX bytes. */
static void test_path_limits(void **state)
{
	char *argv[2 * CC_PREFIXES + 3] = {"copenclose"}, err[256], long_prefix[CC_PREFIX_MAX + 2];
	struct config cfg;
	int argc = 1;

	for (int i = 0; i < CC_PREFIXES; i++) {
		argv[argc++] = i % 2 ? "--path" : "--exclude-path";
		argv[argc++] = "/x";
	}
	assert_int_equal(args_parse(argc, argv, &cfg, err, sizeof(err)), ARGS_OK);
	assert_int_equal(cfg.npaths, CC_PREFIXES);
	argv[argc++] = "--path";
	argv[argc++] = "/y";
	assert_int_equal(args_parse(argc, argv, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too many --path and --exclude-path: at most 16"));
	memset(long_prefix, 'a', sizeof(long_prefix));
	long_prefix[0] = '/';
	long_prefix[CC_PREFIX_MAX] = 0;
	assert_int_equal(PARSE(cfg, err, "--path", long_prefix), ARGS_OK);
	long_prefix[CC_PREFIX_MAX] = 'a';
	long_prefix[CC_PREFIX_MAX + 1] = 0;
	assert_int_equal(PARSE(cfg, err, "--path", long_prefix), -EINVAL);
	assert_non_null(strstr(err, "at most 256 bytes"));
}

static const struct {
	const char *args[3];
	const char *message;
} bad_cases[] = {
	{{"--bogus"}, "unknown option '--bogus'"},
	{{"-Z"}, "unknown option '-Z'"},
	{{"-p", "notanumber"}, "invalid PID 'notanumber'"},
	{{"-p", "-5"}, "invalid PID '-5'"},
	{{"-p", "0"}, "invalid PID '0'"},
	{{"-p", "99999999999"}, "invalid PID '99999999999'"},
	{{"-o", "xml"}, "invalid output format 'xml'"},
	{{"-e", "open,read"}, "unknown system call 'read'"},
	{{"-e", ""}, "unknown system call ''"},
	{{"-d", "0"}, "invalid duration '0'"},
	{{"-d", "abc"}, "invalid duration 'abc'"},
	{{"-d", "-1"}, "invalid duration '-1'"},
	{{"--by", "ipc"}, "invalid --by 'ipc'"},
	{{"-n", "a-very-long-command-name"}, "invalid comm"},
	{{"--ringbuf-size", "3"}, "invalid --ringbuf-size '3'"},
	{{"-c", "a", "-G"}, "needs a value"},
	{{"extra"}, "unexpected argument 'extra'"},
	{{"--wait"}, "--wait needs -c NAME"},
	{{"--pod", ""}, "empty pod name"},
	{{"--k8s-namespace", ""}, "empty namespace"},
	{{"--pod", "p", "-G"}, "needs a value"},
	{{"--state-dir", "podman=/x"}, "invalid --state-dir 'podman=/x'"},
	{{"--state-dir", "docker=rel"}, "invalid --state-dir 'docker=rel'"},
	{{"-p"}, "option '-p' needs a value"},
	{{"--leaks-older", "-1"}, "invalid --leaks-older '-1'"},
	{{"--leaks-older", "soon"}, "invalid --leaks-older 'soon'"},
	{{"--leaks-older", "5", "--no-fd-table"}, "--leaks-older needs the descriptor table"},
	{{"--leaks-older", "5", "-x"}, "--leaks-older needs the successful opens"},
	{{"--omit-null"}, "--omit-null needs -o json"},
	{{"--omit-null", "-o", "table"}, "--omit-null needs -o json"},
	{{"--rate-limit", "0"}, "invalid --rate-limit '0'"},
	{{"--rate-limit", "-5"}, "invalid --rate-limit '-5'"},
	{{"--rate-limit", "lots"}, "invalid --rate-limit 'lots'"},
	{{"--rate-limit", "10000001"}, "invalid --rate-limit '10000001'"},
	{{"--path", "etc"}, "invalid --path 'etc': an absolute path prefix"},
	{{"--path", ""}, "invalid --path '': an absolute path prefix"},
	{{"--exclude-path", "./x"}, "invalid --exclude-path './x'"},
	{{"--exclude-path", "-1"}, "invalid --exclude-path '-1'"},
};

static void test_bad_input(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char *argv[5] = {"copenclose"};
		int argc = 1;
		struct config cfg;
		char err[256] = "";

		for (int j = 0; j < 3 && bad_cases[i].args[j]; j++)
			argv[argc++] = (char *)bad_cases[i].args[j];
		assert_int_equal(args_parse(argc, argv, &cfg, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad_cases[i].message))
			fail_msg("case %zu: '%s' does not contain '%s'", i, err,
				 bad_cases[i].message);
		assert_null(strchr(err, '\n'));
	}
}

static void test_container_and_cgroup_exclusive(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE(cfg, err, "-c", "web", "-G", "/x"), -EINVAL);
	assert_non_null(strstr(err, "cannot be combined"));
}

static void test_waiting_filters(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE(cfg, err, "-c", "db", "--wait"), ARGS_OK);
	assert_string_equal(cfg.container, "db");
	assert_true(cfg.wait);
	assert_int_equal(PARSE(cfg, err, "--pod", "cart", "--k8s-namespace", "shop"), ARGS_OK);
	assert_string_equal(cfg.pod, "cart");
	assert_string_equal(cfg.k8s_namespace, "shop");
	assert_false(cfg.wait);
	assert_int_equal(PARSE(cfg, err, "--k8s-namespace", "shop", "-G", "/x"), -EINVAL);
	assert_non_null(strstr(err, "cannot be combined with -G"));
	assert_int_equal(PARSE(cfg, err, "--state-dir", "containerd=/run/k3s/containerd"), ARGS_OK);
	assert_string_equal(cfg.state_dirs.dir[ENGINE_CONTAINERD][0], "/run/k3s/containerd");
	assert_string_equal(cfg.state_dirs.dir[ENGINE_CONTAINERD][1], "/run/containerd");
}

static void test_fd_table_options(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE(cfg, err, "-e", "close"), ARGS_OK);
	assert_false(cfg.no_fd_table);
	assert_true(cfg.leaks_older < 0); /* not given */
	assert_int_equal(PARSE(cfg, err, "--no-fd-table"), ARGS_OK);
	assert_true(cfg.no_fd_table);
	assert_false(cfg.omit_null);
	assert_int_equal(PARSE(cfg, err, "--omit-null", "-o", "json"), ARGS_OK);
	assert_true(cfg.omit_null);
	assert_int_equal(PARSE(cfg, err, "--leaks-older", "2.5"), ARGS_OK);
	assert_true(cfg.leaks_older == 2.5);
	assert_int_equal(PARSE(cfg, err, "--leaks-older", "0"), ARGS_OK);
	assert_true(cfg.leaks_older == 0);
}

static void test_metrics_options(void **state)
{
	struct config cfg;
	char err[256];

	assert_int_equal(PARSE(cfg, err, "-I"), ARGS_OK);
	assert_null(cfg.metrics);
	assert_int_equal(cfg.metrics_grace, 300);
	assert_int_equal(PARSE(cfg, err, "--metrics", ":9464", "--metrics-grace", "5"), ARGS_OK);
	assert_string_equal(cfg.metrics, ":9464");
	assert_int_equal(cfg.metrics_grace, 5);
	assert_int_equal(PARSE(cfg, err, "--metrics", "[::1]:80"), ARGS_OK);
	assert_int_equal(PARSE(cfg, err, "--metrics", "localhost:80"), -EINVAL);
	assert_non_null(strstr(err, "invalid --metrics 'localhost:80'"));
	assert_int_equal(PARSE(cfg, err, "--metrics", "9464"), -EINVAL);
	assert_int_equal(PARSE(cfg, err, "--metrics-grace", "-1"), -EINVAL);
	assert_int_equal(PARSE(cfg, err, "--metrics-grace", "604801"), -EINVAL);
	assert_non_null(strstr(err, "invalid --metrics-grace"));
	assert_int_equal(PARSE(cfg, err, "--metrics"), -EINVAL);
}

#define PARSE_TOP(cfg, top, err, ...)                                                              \
	({                                                                                         \
		char *argv[] = {"top", __VA_ARGS__, NULL};                                         \
		args_parse_top((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, &(cfg), &(top),    \
			       (err), sizeof(err));                                                \
	})

/* top's options come from the tracer's table: the shared ones parsed and checked alike, top's
   own (--interval, --sort) only there, the tracer's own refused. */
static void test_top_options(void **state)
{
	char *argv[] = {"top", NULL};
	struct args_top top;
	struct config cfg;
	char err[256];

	assert_int_equal(args_parse_top(1, argv, &cfg, &top, err, sizeof(err)), ARGS_OK);
	assert_int_equal(cfg.by, BY_CGROUP);
	assert_int_equal(cfg.syscalls, SYSCALLS_ALL);
	assert_int_equal(cfg.ringbuf_mib, 8);
	assert_int_equal(cfg.metrics_grace, CONFIG_METRICS_GRACE);
	assert_true(top.interval == 1);
	assert_int_equal(top.sort, TOPVIEW_OPENS);
	assert_int_equal(PARSE_TOP(cfg, top, err, "-o", "json", "--interval", "2.5", "--sort",
				   "failed", "-I", "-c", "web", "-e", "open,close", "-d", "3",
				   "--metrics", ":9100", "--metrics-grace", "60", "--ringbuf-size",
				   "16", "--no-fd-table", "-v"),
			 ARGS_OK);
	assert_int_equal(cfg.output, OUTPUT_JSON);
	assert_true(top.interval == 2.5);
	assert_int_equal(top.sort, TOPVIEW_FAILED);
	assert_true(cfg.ignore_host);
	assert_string_equal(cfg.container, "web");
	assert_int_equal(cfg.syscalls, (1u << CC_SYS_OPEN) | (1u << CC_SYS_CLOSE));
	assert_true(cfg.duration == 3);
	assert_string_equal(cfg.metrics, ":9100");
	assert_int_equal(cfg.metrics_grace, 60);
	assert_int_equal(cfg.ringbuf_mib, 16);
	assert_true(cfg.no_fd_table);
	assert_true(cfg.verbose);
	assert_int_equal(PARSE_TOP(cfg, top, err, "-h"), ARGS_HELP);
	assert_int_equal(PARSE_TOP(cfg, top, err, "--help"), ARGS_HELP);
	/* the same checks as the tracer's */
	assert_int_equal(PARSE_TOP(cfg, top, err, "--ringbuf-size", "3"), -EINVAL);
	assert_non_null(strstr(err, "--ringbuf-size"));
	assert_int_equal(PARSE_TOP(cfg, top, err, "-c", "a", "-G", "/b"), -EINVAL);
	assert_string_equal(err, "-c and -G cannot be combined");
	assert_int_equal(PARSE_TOP(cfg, top, err, "--interval", "0.05"), -EINVAL);
	assert_non_null(strstr(err, "--interval"));
	assert_int_equal(PARSE_TOP(cfg, top, err, "--sort", "nope"), -EINVAL);
	assert_non_null(strstr(err, "--sort"));
	/* the tracer's own options are not top's, and top's not the tracer's */
	assert_int_equal(PARSE_TOP(cfg, top, err, "-p", "1"), -EINVAL);
	assert_string_equal(err, "unknown option '-p'");
	assert_int_equal(PARSE_TOP(cfg, top, err, "--pod", "x"), -EINVAL);
	assert_string_equal(err, "unknown option '--pod'");
	assert_int_equal(PARSE_TOP(cfg, top, err, "-V"), -EINVAL);
	assert_int_equal(PARSE(cfg, err, "--interval", "1"), -EINVAL);
	assert_string_equal(err, "unknown option '--interval'");
	assert_int_equal(PARSE(cfg, err, "--sort", "opens"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_options),
		cmocka_unit_test(test_fd_table_options),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_original_flags),
		cmocka_unit_test(test_new_options),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_path_limits),
		cmocka_unit_test(test_container_and_cgroup_exclusive),
		cmocka_unit_test(test_waiting_filters),
		cmocka_unit_test(test_metrics_options),
	};
	return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
