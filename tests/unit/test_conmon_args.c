/* Unit tests for reading conmon's command line (src/enrich/conmon_args.c): podman 4.3's own line
 * as Debian 12's rootless podman starts conmon (with $XDG_RUNTIME_DIR unset, and with --runroot),
 * and hostile lines (not conmon, options twice, empty or missing values, what podman's own
 * command line after --exit-command says, too many arguments) and hostile paths (relative, "..",
 * another container's, no <driver>-containers) that name no place. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "enrich/conmon_args.h"

#define ID	 "78b2c7212039443c9aa5252a63407a2151a29c4ae7e6d74efb8b8b44c004f1b0"
#define UD	 "/vfs-containers/" ID "/userdata"
#define CMD(lit) lit, sizeof(lit) - 1

/* podman 4.3's conmon of a rootless container, XDG_RUNTIME_DIR unset (ps -o args, NUL-separated) */
static const char podman43[] =
	"/usr/bin/conmon\0--api-version\0001\0-c\0" ID "\0-u\0" ID "\0-r\0/usr/bin/runc\0-b\0"
	"/home/u/.local/share/containers/storage" UD "\0-p\0/tmp/podman-run-61990/containers" UD
	"/pidfile\0-n\0probe1\0--exit-dir\0/tmp/podman-run-61990/libpod/tmp/exits\0--full-attach\0"
	"-l\0k8s-file:/home/u/.local/share/containers/storage" UD "/ctr.log\0--log-level\0warning\0"
	"--runtime-arg\0--log-format=json\0--runtime-arg\0--log\0--runtime-arg=/tmp/podman-run-61990/"
	"containers" UD "/oci-log\0--conmon-pidfile\0/tmp/podman-run-61990/containers" UD
	"/conmon.pid\0--exit-command\0/usr/bin/podman\0--exit-command-arg\0--root\0"
	"--exit-command-arg\0/home/u/.local/share/containers/storage\0--exit-command-arg\0"
	"--runroot\0--exit-command-arg\0/tmp/podman-run-61990/containers\0--exit-command-arg\0"
	"--network-config-dir\0--exit-command-arg\0\0--exit-command-arg\0container\0"
	"--exit-command-arg\0cleanup\0--exit-command-arg\0" ID "\0";

static void test_podman43(void **st)
{
	struct conmon_args a;

	(void)st;
	assert_int_equal(conmon_args_parse(podman43, sizeof(podman43) - 1, &a), 0);
	assert_string_equal(a.cid, ID);
	assert_string_equal(a.name, "probe1");
	assert_string_equal(a.pidfile, "/tmp/podman-run-61990/containers" UD "/pidfile");
	assert_string_equal(a.conmon_pidfile, "/tmp/podman-run-61990/containers" UD "/conmon.pid");
	assert_string_equal(a.exit_dir, "/tmp/podman-run-61990/libpod/tmp/exits");
	assert_int_equal(a.exec, 0);
	assert_int_equal(conmon_runroot(a.conmon_pidfile, a.cid),
			 strlen("/tmp/podman-run-61990/containers"));
	assert_int_equal(conmon_rundir(a.exit_dir), strlen("/tmp/podman-run-61990"));
}

/* --opt=VALUE, the long names, a flag before -c, a podman exec session's conmon, a bare name */
static void test_forms(void **st)
{
	struct conmon_args a;

	(void)st;
	assert_int_equal(conmon_args_parse(CMD("conmon\0--full-attach\0--cid=abc\0--name=web\0"
					       "--container-pidfile=/r/p\0-P\0/r/c\0--exec\0"
					       "--exit-dir=/x/libpod/tmp/exits\0"),
					   &a),
			 0);
	assert_string_equal(a.cid, "abc");
	assert_string_equal(a.name, "web");
	assert_string_equal(a.pidfile, "/r/p");
	assert_string_equal(a.conmon_pidfile, "/r/c");
	assert_string_equal(a.exit_dir, "/x/libpod/tmp/exits");
	assert_int_equal(a.exec, 1);
	/* an unterminated last argument is ignored, -t takes no value */
	assert_int_equal(conmon_args_parse(CMD("conmon\0-t\0-c\0abc\0-n"), &a), 0);
	assert_string_equal(a.cid, "abc");
	assert_null(a.name);
	/* what podman's own command line says after --exit-command is not conmon's */
	assert_int_equal(conmon_args_parse(CMD("conmon\0-c\0abc\0--exit-command\0podman\0-c\0x\0"
					       "--conmon-pidfile\0/etc/shadow\0"),
					   &a),
			 0);
	assert_null(a.conmon_pidfile);
}

static void test_hostile(void **st)
{
	static const struct {
		const char *text;
		size_t len;
	} bad[] = {
		{CMD("")},				    /* nothing */
		{CMD("\0")},				    /* an empty first argument */
		{CMD("/usr/bin/notconmon\0-c\0abc\0")},	    /* not conmon */
		{CMD("conmonx\0-c\0abc\0")},		    /* not conmon */
		{CMD("/usr/bin/conmon\0-n\0web\0")},	    /* no -c */
		{CMD("conmon\0-c\0abc\0--cid\0def\0")},	    /* -c twice */
		{CMD("conmon\0-c\0abc\0-P\0/a\0-P\0/b\0")}, /* --conmon-pidfile twice */
		{CMD("conmon\0-c\0\0")},		    /* an empty -c */
		{CMD("conmon\0-c\0abc\0--exit-dir=\0")},    /* an empty --exit-dir */
		{CMD("conmon\0-c\0abc\0-n\0")},		    /* -n without its value */
		{CMD("conmon\0-n\0-c\0abc\0")},		    /* the name "-c", then no -c */
		{CMD("conmon\0--exit-command\0-c\0abc\0")}, /* -c only in podman's line */
		{CMD("conmon\0-c")},			    /* unterminated: no -c at all */
	};
	struct conmon_args a;
	char *many;
	size_t len = 0;

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("case %zu\n", i);
		assert_int_equal(conmon_args_parse(bad[i].text, bad[i].len, &a), -EINVAL);
		assert_null(a.cid);
	}
	assert_int_equal(conmon_args_parse(NULL, 4, &a), -EINVAL);
	/* more arguments than any conmon podman starts */
	many = malloc(8 + 600 * 3);
	assert_non_null(many);
	memcpy(many, "conmon\0-c\0abc\0", 14);
	len = 14;
	for (int i = 0; i < 600; i++, len += 3)
		memcpy(many + len, "-t\0", 3);
	assert_int_equal(conmon_args_parse(many, len, &a), -EINVAL);
	free(many);
}

static void test_runroot(void **st)
{
	(void)st;
	assert_int_equal(conmon_runroot("/srv/rr" UD "/conmon.pid", ID), strlen("/srv/rr"));
	assert_int_equal(
		conmon_runroot("/srv/rr/overlay-containers/" ID "/userdata/conmon.pid", ID),
		strlen("/srv/rr"));
	assert_int_equal(conmon_runroot("/srv/rr" UD "/conmon.pid", "abc"), 0); /* another's */
	assert_int_equal(conmon_runroot("/srv/rr" UD "/conmon.pid", "../" ID), 0);
	assert_int_equal(conmon_runroot("srv/rr" UD "/conmon.pid", ID), 0);	/* relative */
	assert_int_equal(conmon_runroot("/srv/../rr" UD "/conmon.pid", ID), 0); /* ".." */
	assert_int_equal(conmon_runroot("/srv/./rr" UD "/conmon.pid", ID), 0);	/* "." */
	assert_int_equal(conmon_runroot("/srv//rr" UD "/conmon.pid", ID), 0);	/* empty */
	assert_int_equal(conmon_runroot(UD "/conmon.pid", ID), 0);		/* "/" itself */
	assert_int_equal(conmon_runroot("/srv/rr" UD "/pidfile", ID), 0);	/* not conmon.pid */
	assert_int_equal(conmon_runroot("/srv/rr" UD "/conmon.pid/", ID), 0);
	assert_int_equal(conmon_runroot("/srv/rr/-containers/" ID "/userdata/conmon.pid", ID), 0);
	assert_int_equal(conmon_runroot("/srv/rr/VFS-containers/" ID "/userdata/conmon.pid", ID),
			 0);
	assert_int_equal(conmon_runroot("/srv/rr/vfs-stuff/" ID "/userdata/conmon.pid", ID), 0);
	assert_int_equal(conmon_runroot("/srv/rr/x/" ID "/userdata/conmon.pid", ID), 0);
	assert_int_equal(conmon_runroot("/conmon.pid", ID), 0);
	assert_int_equal(conmon_runroot(NULL, ID), 0);
	assert_int_equal(conmon_runroot("/srv/rr" UD "/conmon.pid", ""), 0);
}

static void test_rundir(void **st)
{
	(void)st;
	assert_int_equal(conmon_rundir("/run/user/1000/libpod/tmp/exits"),
			 strlen("/run/user/1000"));
	assert_int_equal(conmon_rundir("/libpod/tmp/exits"), 0);      /* "/" itself */
	assert_int_equal(conmon_rundir("x/libpod/tmp/exits"), 0);     /* relative */
	assert_int_equal(conmon_rundir("/a/../libpod/tmp/exits"), 0); /* ".." */
	assert_int_equal(conmon_rundir("/a/libpod/tmp/exits/"), 0);   /* a trailing slash */
	assert_int_equal(conmon_rundir("/a/libpod/tmp/exitsx"), 0);   /* not exits */
	assert_int_equal(conmon_rundir("/a/xlibpod/tmp/exits"), 0);   /* not libpod */
	assert_int_equal(conmon_rundir("/a/libpod/tmp2/exits"), 0);   /* not tmp */
	assert_int_equal(conmon_rundir("exits"), 0);
	assert_int_equal(conmon_rundir(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_podman43), cmocka_unit_test(test_forms),
		cmocka_unit_test(test_hostile),	 cmocka_unit_test(test_runroot),
		cmocka_unit_test(test_rundir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
