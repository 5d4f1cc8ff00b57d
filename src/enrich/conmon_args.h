/* conmon's command line, as rootless podman starts it, read for where the container's state is:
 * its run root (from --conmon-pidfile) and podman's run directory (from --exit-dir), wherever
 * $XDG_RUNTIME_DIR, --runroot or storage.conf put them. Pure: the text is hostile. */
#ifndef CC_CONMON_ARGS_H
#define CC_CONMON_ARGS_H

#include <stddef.h>

/* What a conmon command line says (pointers into the text parsed; NULL when absent). */
struct conmon_args {
	const char *cid;	    /* -c, --cid: the container's id */
	const char *name;	    /* -n, --name */
	const char *pidfile;	    /* -p, --container-pidfile */
	const char *conmon_pidfile; /* -P, --conmon-pidfile */
	const char *exit_dir;	    /* --exit-dir */
	int exec;		    /* --exec: a podman exec session's, not the container's own */
};

/*
 * Pure: the NUL-separated command line cmdline (len bytes, as /proc/PID/cmdline shows it) into a:
 * 0 when its first argument is conmon (or a path ending in /conmon) and it names one -c; -EINVAL
 * when it is not conmon, has no -c, gives one of the options above twice, ends in an option
 * missing its value, gives one of them an empty value, or has more arguments than a podman's conmon
 * (512). "--opt VALUE" and
 * "--opt=VALUE" are both read; conmon's options without a value are known; what follows
 * --exit-command is podman's own command line, not read. An unterminated last argument is
 * ignored.
 */
int conmon_args_parse(const char *cmdline, size_t len, struct conmon_args *a);

/*
 * Pure: the run root in a --conmon-pidfile path, DIR/<driver>-containers/cid/userdata/conmon.pid
 * (driver a plain word): the length of DIR, 0 when path has not that shape or DIR is not a clean
 * absolute path (no empty, "." or ".." component, not "/").
 */
size_t conmon_runroot(const char *path, const char *cid);

/*
 * Pure: podman's run directory in an --exit-dir path, DIR/libpod/tmp/exits: the length of DIR,
 * 0 when path has not that shape or DIR is not a clean absolute path (as above).
 */
size_t conmon_rundir(const char *exit_dir);

#endif
