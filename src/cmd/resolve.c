/* copenclose resolve PATH-OR-PID: which container a cgroup path or a process belongs to, as JSON.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/cgroup.h"
#include "cmd/commands.h"
#include "format/escape.h"
#include "enrich/resolver.h"
#include "format/strbuf.h"

#define RESOLVE_USAGE "usage: copenclose resolve PATH-OR-PID\n"

/* A PID: decimal digits only, no sign, no leading zero, within pid_t. */
static int parse_pid(const char *s, uint32_t *pid)
{
	unsigned long v = 0;

	if (!*s || *s == '0' || strlen(s) > 10)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > INT_MAX)
		return 0;
	*pid = (uint32_t)v;
	return 1;
}

static void json_opt(struct strbuf *b, const char *key, const char *v)
{
	escape_json_key(b, key, false);
	escape_json_str(b, v, v ? strlen(v) : 0);
}

/* The one JSON object; cgroup_id 0 stands for unknown (no cgroup has id 0). */
static void format(struct strbuf *b, const char *cgroup, uint64_t cgroup_id,
		   const struct container_info *ci)
{
	int in = ci->is_container;
	int own = container_engine_own(ci); /* rootless podman's own: its engine, no container */

	strbuf_addc(b, '{');
	escape_json_key(b, "cgroup", true);
	escape_json_str(b, cgroup, strlen(cgroup));
	escape_json_key(b, "cgroup_id", false);
	if (cgroup_id)
		strbuf_addu(b, cgroup_id);
	else
		strbuf_adds(b, "null");
	json_opt(b, "container_runtime", (in || own) && ci->runtime[0] ? ci->runtime : NULL);
	json_opt(b, "container_id", in ? ci->id : NULL);
	json_opt(b, "container_name", in ? ci->name : NULL);
	json_opt(b, "container_trust", container_trust_word(ci));
	/* what the engine's state says of the image and the pod; null when unknown */
	json_opt(b, "container_image", in && ci->image[0] ? ci->image : NULL);
	json_opt(b, "k8s_namespace", in && ci->k8s_namespace[0] ? ci->k8s_namespace : NULL);
	json_opt(b, "k8s_pod", in && ci->k8s_pod[0] ? ci->k8s_pod : NULL);
	json_opt(b, "k8s_pod_uid", in && ci->k8s_pod_uid[0] ? ci->k8s_pod_uid : NULL);
	json_opt(b, "k8s_container", in && ci->k8s_container[0] ? ci->k8s_container : NULL);
	json_opt(b, "k8s_qos", in && ci->k8s_qos[0] ? ci->k8s_qos : NULL);
	escape_json_key(b, "k8s_sandbox", false);
	strbuf_adds(b, !in ? "null" : ci->k8s_sandbox ? "true" : "false");
	strbuf_adds(b, "}\n");
}

int resolve_main(int argc, char **argv)
{
	char cgroup[PATH_MAX], rel[PATH_MAX];
	struct cgroup_layout layout;
	struct resolver_opts ro = {0};
	struct resolver *r = NULL;
	struct container_info ci, ns;
	struct strbuf b = {0};
	enum proc_cgroup_source src = PROC_CGROUP_V1;
	uint64_t id = 0;
	uint32_t pid;
	const char *arg;
	int err, rc = 1;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(RESOLVE_USAGE
		      "Prints, as one JSON object, the container that a cgroup (a path "
		      "inside the v2 hierarchy,\nor under its mount) or a process "
		      "belongs to.\n",
		      stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-' || !argv[1][0]) {
		fputs("copenclose: resolve takes one cgroup path or PID. " RESOLVE_USAGE, stderr);
		return 2;
	}
	arg = argv[1];
	if (cgroup_detect("/proc/self/mountinfo", &layout))
		layout.v2_mount[0] = '\0';
	ro.v2_mount = layout.v2_mount;
	ro.state_root = "";
	ro.no_prime = true;
	if ((err = resolver_new(&ro, &r))) {
		fprintf(stderr, "copenclose: cannot start the container resolver: %s\n",
			strerror(-err));
		return 1;
	}
	if (parse_pid(arg, &pid)) {
		err = resolver_pid_cgroup(r, pid, cgroup, sizeof(cgroup), &src);
		if (err) {
			fprintf(stderr, "copenclose: cannot read the cgroup of process %u: %s\n",
				pid, err == -ESRCH ? "no such process" : strerror(-err));
			goto out;
		}
		if (src == PROC_CGROUP_V2 && layout.v2_mount[0] &&
		    cgroup_lookup(layout.v2_mount, cgroup, &id, rel, sizeof(rel)) != 0)
			id = 0;
	} else if (arg[0] != '/') {
		fprintf(stderr,
			"copenclose: '%s' is neither a PID nor a cgroup path (one starts with "
			"/)\n",
			arg);
		goto out;
	} else {
		if (strlen(arg) >= sizeof(cgroup)) {
			fprintf(stderr, "copenclose: cgroup path too long\n");
			goto out;
		}
		strcpy(cgroup, arg);
		err = layout.v2_mount[0]
			      ? cgroup_lookup(layout.v2_mount, arg, &id, rel, sizeof(rel))
			      : -ENODEV;
		if (err == 0) {
			strcpy(cgroup, rel);
		} else if (err == -ENOMEM) {
			fputs("copenclose: out of memory\n", stderr);
			goto out;
		} else {
			/* not a cgroup of this host (or not one we may look at): the path alone,
			   inside the hierarchy when it was given under the v2 mount */
			size_t m = strlen(layout.v2_mount);

			id = 0;
			if (m > 1 && strncmp(arg, layout.v2_mount, m) == 0 && arg[m] == '/')
				memmove(cgroup, cgroup + m, strlen(cgroup + m) + 1);
		}
	}
	if (resolver_identify_path(r, cgroup, &ci) < 0) {
		fprintf(stderr, "copenclose: malformed cgroup path\n");
		goto out;
	}
	/* a process in no container's cgroup: a container with no cgroup of its own (a gVisor
	   sandbox's, rootless podman's), or an engine's own, by its state */
	if (!ci.is_container && parse_pid(arg, &pid) && resolver_lookup_ns(r, pid, &ns) == 1)
		ci = ns;
	format(&b, cgroup, id, &ci);
	if (b.oom) {
		fputs("copenclose: out of memory\n", stderr);
		goto out;
	}
	if (fwrite(b.buf, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
		fprintf(stderr, "copenclose: cannot write the result: %s\n", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	strbuf_free(&b);
	resolver_free(r);
	return rc;
}
