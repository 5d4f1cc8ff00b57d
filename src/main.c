/* copenclose: parse the command line and hand over to the tracer or a subcommand. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cmd/commands.h"
#include "trace/preflight.h"
#include "trace/tracer.h"

static volatile sig_atomic_t stop, report;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		report = 1;
	else
		stop = 1;
}

/* No SA_RESTART: a blocked write or wait must return so the loop sees the flag. */
static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[256];
	int rc;

	if (preflight_secure_exec()) {
		fputs("copenclose: refusing to run setuid, setgid or with file capabilities (a "
		      "secure-execution start): run it as root or grant the process, not the file, "
		      "its capabilities\n",
		      stderr);
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "doctor") == 0)
		return doctor_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "top") == 0)
		return top_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "resolve") == 0)
		return resolve_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "gvisor-config") == 0)
		return gvisor_config_main(argc - 1, argv + 1);
	rc = args_parse(argc, argv, &cfg, err, sizeof(err));
	if (rc == ARGS_HELP) {
		args_usage(stdout);
		return 0;
	}
	if (rc == ARGS_VERSION) {
		printf("copenclose %s\n", CC_VERSION);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "copenclose: %s. %s\n", err, args_usage_line());
		return 2;
	}
	install_signals();
	return tracer_run(&cfg, &stop, &report);
}
