/* Unit tests for the host rule (src/enrich/hostrule.h): the host key, identity_mismatch and the
 * verdict kept for the kernel, from the kernel's status bits and what naming knows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "enrich/hostrule.h"

enum named { UNNAMED, HOST_CG, CTR_CG, LEGACY_CTR, SANDBOX };

struct host_case {
	const char *what;
	uint16_t status;
	enum named named;
	bool pending;
	bool host;
	int mismatch;
	int verdict;
};

#define PID    CC_ST_PIDNS_HOST
#define UNSURE CC_ST_HOST_UNSURE
#define USERNS CC_ST_USERNS

static const struct host_case cases[] = {
	{"a service with PrivateTmp= (the kernel knew its cgroup)", PID | CC_ST_HOST, HOST_CG,
	 false, true, 0, 0},
	{"unshare -m in a cgroup the kernel did not know yet", PID | UNSURE, HOST_CG, false, true,
	 0, CC_CG_HOST},
	{"the same while its name may still change", PID | UNSURE, HOST_CG, true, true, 0, 0},
	{"runc's init in the container's new cgroup, host pid namespace", PID | UNSURE, CTR_CG,
	 false, false, 1, CC_CG_CONTAINER},
	{"docker --pid=host (the kernel knew the cgroup)", PID, CTR_CG, false, false, 1, 0},
	{"a container in its own pid namespace", 0, CTR_CG, false, false, 0, 0},
	{"unshare --pid in a host cgroup", 0, HOST_CG, false, false, 1, 0},
	{"unnamed, the kernel judged host", PID | CC_ST_HOST, UNNAMED, false, true, -1, 0},
	{"unnamed, the kernel judged container", PID, UNNAMED, false, false, -1, 0},
	{"unnamed, nobody judged", PID | UNSURE, UNNAMED, false, true, -1, 0},
	{"unnamed, own pid namespace", 0, UNNAMED, false, false, -1, 0},
	{"legacy host: a container's process by its pid", PID | UNSURE, LEGACY_CTR, false, false,
	 -1, 0},
	/* a user namespace of its own in the host's pid namespace: the kernel left it to user
	   space, which keeps no cgroup verdict for it (the kernel does not look) */
	{"gVisor's sandbox or stub, named by its mount namespace", PID | USERNS | UNSURE, SANDBOX,
	 false, false, 0, 0},
	{"gVisor's gofer (a pid namespace of its own)", 0, SANDBOX, false, false, 0, 0},
	{"unshare -U -r: no sandbox's, its cgroup the host's", PID | USERNS | UNSURE, HOST_CG,
	 false, true, 0, 0},
	{"unshare -U -r, unnamed", PID | USERNS | UNSURE, UNNAMED, false, true, -1, 0},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct host_case *c = &cases[i];
		struct cgroup_identity id = {.cgroup_id = 42};
		const struct cgroup_identity *p = c->named == UNNAMED ? NULL : &id;

		if (c->named == HOST_CG)
			id.path = "/system.slice/chrony.service";
		if (c->named == CTR_CG)
			id.path = "/abc";
		if (c->named == CTR_CG || c->named == LEGACY_CTR || c->named == SANDBOX)
			id.ctr.is_container = true;
		if (c->named == SANDBOX) { /* in the host's cgroup, named by its namespace */
			id.path = "/";
			strcpy(id.ctr.sandbox, "gvisor");
		}
		print_message("%s\n", c->what);
		assert_int_equal(hostrule_host(c->status, p), c->host);
		assert_int_equal(hostrule_mismatch(c->status, p), c->mismatch);
		assert_int_equal(hostrule_verdict(c->status, p, c->pending), c->verdict);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};
	return cmocka_run_group_tests_name("hostrule", tests, NULL, NULL);
}
