/* copenclose gvisor-config SOCKET: the --pod-init-config file for runsc that sends the sandboxed
 * programs' calls to copenclose --gvisor-socket SOCKET (gVisor's remote sink). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/commands.h"

/* The points read (each at the call's exit, with the result), and the context each carries. */
static const char *const points[] = {
	"syscall/open/exit",	"syscall/openat/exit", "syscall/creat/exit",   "syscall/close/exit",
	"syscall/connect/exit", "syscall/accept/exit", "syscall/accept4/exit",
};
static const char *const context[] = {"time",	      "thread_id",   "group_id",
				      "container_id", "credentials", "process_name"};

int gvisor_config_json(const char *socket_path, char **out)
{
	json_t *pts = json_array(), *ctx, *root;
	size_t i;

	*out = NULL;
	if (!pts)
		return -ENOMEM;
	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		ctx = json_array();
		for (size_t k = 0; ctx && k < sizeof(context) / sizeof(context[0]); k++)
			json_array_append_new(ctx, json_string(context[k]));
		json_array_append_new(
			pts, json_pack("{s:s, s:o*}", "name", points[i], "context_fields", ctx));
	}
	root = json_pack("{s:{s:s, s:o, s:[{s:s, s:{s:s%}}]}}", "trace_session", "name", "Default",
			 "points", pts, "sinks", "name", "remote", "config", "endpoint",
			 socket_path, strlen(socket_path));
	if (!root)
		return -ENOMEM;
	*out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return *out ? 0 : -ENOMEM;
}

int gvisor_config_main(int argc, char **argv)
{
	char *text;
	int err;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("Usage: copenclose gvisor-config SOCKET\n\n"
		     "Print runsc's --pod-init-config file that sends gVisor's runtime monitoring\n"
		     "of open, openat, creat, close, connect, accept and accept4 to\n"
		     "copenclose --gvisor-socket SOCKET.");
		return 0;
	}
	if (argc != 2 || argv[1][0] != '/' || strlen(argv[1]) >= 108) {
		fputs("copenclose: gvisor-config takes one absolute socket path (at most 107 bytes). "
		      "Usage: copenclose gvisor-config SOCKET\n",
		      stderr);
		return 2;
	}
	if ((err = gvisor_config_json(argv[1], &text))) {
		fprintf(stderr, "copenclose: cannot make the configuration: %s\n", strerror(-err));
		return 1;
	}
	puts(text);
	free(text);
	return 0;
}
