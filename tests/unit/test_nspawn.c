/* Unit tests for systemd-nspawn and machined scopes: container_parse_path on their cgroups
 * (src/enrich/container.c) and the machine's name from nspawn's arguments (src/enrich/nspawn.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "enrich/container.h"
#include "enrich/nspawn.h"

struct path_case {
	const char *path;
	int rc;
	const char *id;
	const char *payload; /* the container's cgroup is an nspawn payload/ */
};

static const struct path_case paths[] = {
	/* machined's nspawn machine; systemd escapes '-' as \x2d */
	{"/machine.slice/machine-debian\\x2dbookworm.scope", 1, "debian-bookworm", NULL},
	/* libvirt's qemu in a machined scope: the VM's monitor, a host process */
	{"/machine.slice/machine-qemu\\x2d1\\x2dweb01.scope", 0, NULL, NULL},
	{"/machine.slice/machine-qemu\\x2d12\\x2dweb01.scope/emulator", 0, NULL, NULL},
	{"/machine.slice/machine-qemu.scope", 1, "qemu", NULL},
	/* --keep-unit --register=no: the caller's cgroup split into payload/ and supervisor/ */
	{"/ccnspawn-42/payload", 1, "ccnspawn-42", "/ccnspawn-42/payload"},
	{"/ccnspawn-42/payload/init.scope", 1, "ccnspawn-42", "/ccnspawn-42/payload"},
	{"/ccnspawn-42/supervisor", 0, NULL, NULL},
	{"/machine.slice/systemd-nspawn@web\\x2d1.service/payload", 1, "web-1",
	 "/machine.slice/systemd-nspawn@web\\x2d1.service/payload"},
	{"/payload", 0, NULL, NULL},
};

static void test_paths(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct path_case *c = &paths[i];
		struct container_info ci;

		print_message("%s\n", c->path);
		assert_int_equal(container_parse_path(c->path, &ci), c->rc);
		if (c->rc != 1)
			continue;
		assert_string_equal(ci.runtime, "systemd-nspawn");
		assert_string_equal(ci.id, c->id);
		assert_int_equal(nspawn_is_payload(c->path, ci.cgroup_len), c->payload != NULL);
		if (c->payload)
			assert_int_equal(ci.cgroup_len, strlen(c->payload));
	}
}

#define ARGS(lit) lit, sizeof(lit) - 1

struct cmd_case {
	const char *args;
	size_t len;
	int rc;
	const char *name;
};

static const struct cmd_case cmds[] = {
	{ARGS("systemd-nspawn\0--register=no\0--keep-unit\0-M\0web\0-D\0/srv/x\0/bin/sh\0"), 0,
	 "web"},
	{ARGS("systemd-nspawn\0--machine=db\0/bin/sh\0"), 0, "db"},
	{ARGS("systemd-nspawn\0-Mdb2\0"), 0, "db2"},
	{ARGS("systemd-nspawn\0-D\0/var/lib/machines/bookworm/\0-b\0"), 0, "bookworm"},
	{ARGS("systemd-nspawn\0--image=/srv/img/alpine.raw\0"), 0, "alpine"},
	{ARGS("systemd-nspawn\0-q\0/bin/true\0-M\0notme\0"), -ENOENT, NULL},
	{ARGS("systemd-nspawn\0-M\0a/b\0"), -EINVAL, NULL},
	{ARGS("systemd-nspawn\0-M\0\x1b[31m\0"), -EINVAL, NULL},
	{ARGS("systemd-nspawn\0-M\0web"), -EINVAL, NULL}, /* cut: no final NUL */
	{ARGS("systemd-nspawn\0-M\0"), -ENOENT, NULL},
};

static void test_cmdline(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char name[64] = "";

		print_message("case %zu\n", i);
		assert_int_equal(
			nspawn_name_from_cmdline(cmds[i].args, cmds[i].len, name, sizeof(name)),
			cmds[i].rc);
		if (cmds[i].name)
			assert_string_equal(name, cmds[i].name);
	}
}

/* The arguments a cgroup_mkdir record carries: cut at the kernel's bound, a last argument
   without its NUL is left out. */
static void test_args(void **state)
{
	char name[64] = "";

	(void)state;
	assert_int_equal(nspawn_name_from_args(ARGS("systemd-nspawn\0-M\0web\0-D\0/srv/x"), name,
					       sizeof(name)),
			 0);
	assert_string_equal(name, "web");
	/* cut inside -M's value: no name (not a part of one) */
	assert_int_equal(nspawn_name_from_args(ARGS("systemd-nspawn\0-M\0we"), name, sizeof(name)),
			 -ENOENT);
	assert_int_equal(nspawn_name_from_args(ARGS("systemd-nsp"), name, sizeof(name)), -ENOENT);
	assert_int_equal(nspawn_name_from_args("", 0, name, sizeof(name)), -ENOENT);
	assert_int_equal(nspawn_name_from_args(NULL, 5, name, sizeof(name)), -ENOENT);
	assert_int_equal(
		nspawn_name_from_args(ARGS("systemd-nspawn\0-M\0../x\0"), name, sizeof(name)),
		-EINVAL);
	assert_string_equal(name, "web");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_args),
	};
	return cmocka_run_group_tests_name("nspawn", tests, NULL, NULL);
}
