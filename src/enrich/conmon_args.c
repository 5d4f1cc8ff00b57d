/* conmon's command line, read for where a rootless podman container's state is. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "enrich/conmon_args.h"

#define ARGS_MAX 512 /* arguments of a conmon podman starts: about 70 */

/* conmon's options that take no value. */
static const char *const flags[] = {
	"-t",
	"--terminal",
	"-i",
	"--stdin",
	"--leave-stdin-open",
	"-s",
	"--systemd-cgroup",
	"--syslog",
	"--no-pivot",
	"--no-new-keyring",
	"--no-sync-log",
	"--exec",
	"--exec-attach",
	"--full-attach",
	"--replace-listen-pid",
	"--version",
	"--sync",
	"-h",
	"--help",
};

static int is_flag(const char *a)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(a, flags[i]) == 0)
			return 1;
	return 0;
}

/* Whether option text o (its part before any '=', n bytes) is short s or long l. */
static int is_opt(const char *o, size_t n, const char *s, const char *l)
{
	return (s && strlen(s) == n && memcmp(o, s, n) == 0) ||
	       (strlen(l) == n && memcmp(o, l, n) == 0);
}

/* The option o (n bytes before '=') with value v into its slot of out: 0, -EINVAL twice. */
static int take(struct conmon_args *out, const char *o, size_t n, const char *v)
{
	static const struct {
		const char *s, *l;
		size_t off;
	} opts[] = {
		{"-c", "--cid", offsetof(struct conmon_args, cid)},
		{"-n", "--name", offsetof(struct conmon_args, name)},
		{"-p", "--container-pidfile", offsetof(struct conmon_args, pidfile)},
		{"-P", "--conmon-pidfile", offsetof(struct conmon_args, conmon_pidfile)},
		{NULL, "--exit-dir", offsetof(struct conmon_args, exit_dir)},
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const char **slot = (const char **)(void *)((char *)out + opts[i].off);

		if (!is_opt(o, n, opts[i].s, opts[i].l))
			continue;
		if (*slot || !v[0])
			return -EINVAL; /* given twice (which one conmon took is not ours to guess),
					   or empty */
		*slot = v;
		return 0;
	}
	return 0; /* an option not read here */
}

/* conmon_args_parse, a left partly filled when it fails. */
static int parse(const char *cmdline, size_t len, struct conmon_args *a)
{
	const char *args[ARGS_MAX];
	size_t nargs = 0, i = 0, k0;

	while (i < len) {
		const char *z = memchr(cmdline + i, '\0', len - i);

		if (!z)
			break; /* an unterminated last argument is ignored */
		if (nargs == ARGS_MAX)
			return -EINVAL;
		args[nargs++] = cmdline + i;
		i = (size_t)(z - cmdline) + 1;
	}
	if (nargs == 0)
		return -EINVAL;
	k0 = strlen(args[0]);
	if (k0 < 6 || strcmp(args[0] + k0 - 6, "conmon") || (k0 > 6 && args[0][k0 - 7] != '/'))
		return -EINVAL;
	for (size_t k = 1; k < nargs; k++) {
		const char *o = args[k], *eq, *v;
		size_t n;

		if (strcmp(o, "--exit-command") == 0)
			break; /* what follows is podman's own command line */
		if (strcmp(o, "--exec") == 0)
			a->exec = 1;
		if (o[0] != '-' || strcmp(o, "-") == 0 || is_flag(o))
			continue; /* a positional argument, or an option without a value */
		eq = o[1] == '-' ? strchr(o, '=') : NULL;
		if (eq) {
			n = (size_t)(eq - o);
			v = eq + 1;
		} else {
			if (k + 1 == nargs)
				return -EINVAL; /* its value missing */
			n = strlen(o);
			v = args[++k];
		}
		if (take(a, o, n, v))
			return -EINVAL;
	}
	return a->cid ? 0 : -EINVAL;
}

int conmon_args_parse(const char *cmdline, size_t len, struct conmon_args *a)
{
	int err;

	if (!a)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	if (!cmdline || (err = parse(cmdline, len, a)) == 0)
		return cmdline ? 0 : -EINVAL;
	memset(a, 0, sizeof(*a));
	return err;
}

/* Whether the first n bytes of p are a clean absolute path other than "/": 1. */
static int clean_abs(const char *p, size_t n)
{
	size_t i = 1;

	if (n < 2 || p[0] != '/')
		return 0;
	while (i <= n) {
		const char *c = p + i, *sl = memchr(c, '/', n - i);
		size_t w = (size_t)((sl ? sl : p + n) - c);

		if (w == 0 || (w == 1 && c[0] == '.') || (w == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		i += w + 1;
	}
	return 1;
}

/* Whether the component of p ending before p[end] (a '/') is exactly s; its start in *start. */
static int last_is(const char *p, size_t end, const char *s, size_t *start)
{
	size_t n = strlen(s);

	if (end < n + 1 || memcmp(p + end - n, s, n) || p[end - n - 1] != '/')
		return 0;
	*start = end - n - 1;
	return 1;
}

size_t conmon_runroot(const char *path, const char *cid)
{
	size_t len, at, drv;

	if (!path || !cid || !cid[0] || strchr(cid, '/'))
		return 0;
	len = strlen(path);
	if (!last_is(path, len, "conmon.pid", &at) || !last_is(path, at, "userdata", &at) ||
	    !last_is(path, at, cid, &at))
		return 0;
	/* <driver>-containers: a plain word before "-containers" */
	drv = at;
	while (drv > 0 && path[drv - 1] != '/')
		drv--;
	if (drv == 0 || at - drv < 12 || memcmp(path + at - 11, "-containers", 11))
		return 0;
	for (size_t i = drv; i < at - 11; i++) {
		char c = path[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return clean_abs(path, drv - 1) ? drv - 1 : 0;
}

size_t conmon_rundir(const char *exit_dir)
{
	size_t len, at;

	if (!exit_dir)
		return 0;
	len = strlen(exit_dir);
	if (!last_is(exit_dir, len, "exits", &at) || !last_is(exit_dir, at, "tmp", &at) ||
	    !last_is(exit_dir, at, "libpod", &at))
		return 0;
	return clean_abs(exit_dir, at) ? at : 0;
}
