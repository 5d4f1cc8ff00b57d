/* Recognising a container runtime and its innermost container from a cgroup path (pure). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enrich/container.h"
#include "util.h"

/* One component of a path: [s, s + n). */
struct comp {
	const char *s;
	size_t n;
	size_t end; /* offset just past it in the whole path */
};

/* The most components kept as context for a match (parents looked at). */
#define CTX 3

static int is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return 1;
}

static int is_hex64(const char *s, size_t n)
{
	return n == 64 && is_lower_hex(s, n);
}

static int comp_is(const struct comp *c, const char *lit)
{
	return c && mem_is(c->s, c->n, lit);
}

static int has_suffix(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s + n - l, lit, l) == 0;
}

/* "<prefix><64 hex><suffix>", suffix "" or ".scope" as allowed. */
static int hex_between(const struct comp *c, const char *prefix, int scope_ok, int bare_ok)
{
	size_t p = strlen(prefix);
	const char *s = c->s;
	size_t n = c->n;

	if (!mem_has_prefix(s, n, prefix))
		return 0;
	s += p;
	n -= p;
	if (n == 64 + 6 && scope_ok && has_suffix(s, n, ".scope"))
		return is_hex64(s, 64);
	return bare_ok && is_hex64(s, n);
}

/* A name as runtimes that name containers by hand allow it: [A-Za-z0-9_.+-], not "." or "..". */
static int is_plain_name(const char *s, size_t n)
{
	if (n == 0 || n >= CONTAINER_ID_LEN)
		return 0;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '+' || c == '-'))
			return 0;
	}
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undo systemd's unit-name escaping (\xHH); 0, or -EINVAL when the result is not a plain name. */
static int systemd_unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\') {
			int hi, lo;

			if (i + 3 >= n)
				return -EINVAL;
			if (s[i + 1] != 'x' || (hi = hexval(s[i + 2])) < 0 ||
			    (lo = hexval(s[i + 3])) < 0)
				return -EINVAL;
			c = (char)(hi << 4 | lo);
			i += 3;
		}
		if (o + 1 >= size)
			return -EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	return is_plain_name(out, o) ? 0 : -EINVAL;
}

/* A Kubernetes pod component of the cgroupfs layout: "pod" and a UID. */
static int is_pod_dir(const struct comp *c)
{
	if (!c || !mem_has_prefix(c->s, c->n, "pod") || c->n != 3 + 36)
		return 0;
	for (size_t i = 3; i < c->n; i++) {
		char ch = c->s[i];

		if (i - 3 == 8 || i - 3 == 13 || i - 3 == 18 || i - 3 == 23) {
			if (ch != '-' && ch != '_')
				return 0;
		} else if (!is_lower_hex(&ch, 1)) {
			return 0;
		}
	}
	return 1;
}

static void set(struct container_info *out, const char *runtime, const char *id, size_t n,
		size_t end)
{
	memset(out, 0, sizeof(*out));
	out->is_container = true;
	snprintf(out->runtime, sizeof(out->runtime), "%s", runtime);
	memcpy(out->id, id, n);
	out->id[n] = '\0';
	memcpy(out->name, id, n);
	out->name[n] = '\0';
	out->cgroup_len = end;
}

/* libvirt's machined scope for a qemu virtual machine: "qemu-<n>-<name>" (its monitor). */
static int is_vm_monitor(const char *name)
{
	size_t d;

	if (strncmp(name, "qemu-", 5) != 0)
		return 0;
	d = strspn(name + 5, "0123456789");
	return d > 0 && name[5 + d] == '-';
}

/*
 * The name of the unit whose cgroup systemd-nspawn --keep-unit split: "machine-NAME.scope" and
 * "systemd-nspawn@NAME.service" name the machine, any other cgroup is named as it is. 0 or
 * -EINVAL.
 */
static int nspawn_unit_name(const struct comp *u, char *buf, size_t size)
{
	const char *s = u->s;
	size_t n = u->n;

	if (mem_has_prefix(s, n, "machine-") && has_suffix(s, n, ".scope") && n > 8 + 6)
		return systemd_unescape(s + 8, n - 8 - 6, buf, size) == 0 && !is_vm_monitor(buf)
			       ? 0
			       : -EINVAL;
	if (mem_has_prefix(s, n, "systemd-nspawn@") && has_suffix(s, n, ".service") && n > 15 + 8)
		return systemd_unescape(s + 15, n - 15 - 8, buf, size);
	if (!is_plain_name(s, n) || n >= size)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/*
 * Whether component c (with its parents p[0] = parent, p[1] = grandparent, ...) is a
 * container's own cgroup; fills out when it is.
 */
static int match(const struct comp *c, const struct comp *const p[CTX], int seen_kubepods,
		 struct container_info *out)
{
	const char *s = c->s;
	size_t n = c->n;
	char buf[CONTAINER_ID_LEN];

	if (hex_between(c, "docker-", 1, 0)) {
		set(out, "docker", s + 7, 64, c->end);
		return 1;
	}
	if (hex_between(c, "libpod-", 1, 1)) {
		set(out, "podman", s + 7, 64, c->end);
		return 1;
	}
	if (hex_between(c, "cri-containerd-", 1, 0)) {
		set(out, "containerd", s + 15, 64, c->end);
		return 1;
	}
	if (hex_between(c, "crio-", 1, 1)) {
		set(out, "cri-o", s + 5, 64, c->end);
		return 1;
	}
	if (is_hex64(s, n)) {
		if (comp_is(p[0], "docker")) {
			set(out, "docker", s, 64, c->end);
			return 1;
		}
		if (p[0] && p[1] && comp_is(p[1], "ecs") && p[0]->n == 32 &&
		    is_lower_hex(p[0]->s, 32)) {
			set(out, "docker", s, 64, c->end);
			return 1;
		}
		/* the kubelet's cgroupfs layout names no engine: the resolver asks their state */
		if (seen_kubepods && is_pod_dir(p[0])) {
			set(out, "", s, 64, c->end);
			return 1;
		}
		return 0;
	}
	/* runc and crun with the systemd driver: cgroupsPath "<slice>:runc:<id>" */
	if (p[0] && has_suffix(p[0]->s, p[0]->n, ".slice") && has_suffix(s, n, ".scope") &&
	    n > 5 + 6 && (mem_has_prefix(s, n, "runc-") || mem_has_prefix(s, n, "crun-")) &&
	    is_plain_name(s + 5, n - 5 - 6)) {
		set(out, mem_has_prefix(s, n, "runc-") ? "runc" : "crun", s + 5, n - 5 - 6, c->end);
		return 1;
	}
	if (mem_has_prefix(s, n, "lxc.payload.") && is_plain_name(s + 12, n - 12)) {
		set(out, "lxc", s + 12, n - 12, c->end);
		return 1;
	}
	if (comp_is(p[0], "lxc") && !p[1] && is_plain_name(s, n)) {
		set(out, "lxc", s, n, c->end);
		return 1;
	}
	if (comp_is(p[0], "machine.slice") && mem_has_prefix(s, n, "machine-") &&
	    has_suffix(s, n, ".scope") && n > 8 + 6 &&
	    systemd_unescape(s + 8, n - 8 - 6, buf, sizeof(buf)) == 0) {
		if (is_vm_monitor(buf))
			return 0; /* a virtual machine's qemu (libvirt): a host process */
		set(out, "systemd-nspawn", buf, strlen(buf), c->end);
		return 1;
	}
	/* systemd-nspawn --keep-unit splits its unit's cgroup: the container in payload/, itself
	   in supervisor/ (the resolver confirms the sibling); named after the unit */
	if (comp_is(c, "payload") && p[0] && nspawn_unit_name(p[0], buf, sizeof(buf)) == 0) {
		set(out, "systemd-nspawn", buf, strlen(buf), c->end);
		return 1;
	}
	return 0;
}

/* "user@<uid>.service": the root of a subtree systemd delegates to an unprivileged user. */
static int is_user_delegation(const struct comp *c, uint32_t *uid)
{
	uint64_t v = 0;

	if (!mem_has_prefix(c->s, c->n, "user@") || !has_suffix(c->s, c->n, ".service"))
		return 0;
	if (c->n <= 5 + 8 || c->n > 5 + 10 + 8)
		return 0;
	for (size_t i = 5; i < c->n - 8; i++) {
		if (c->s[i] < '0' || c->s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(c->s[i] - '0');
	}
	if (v > UINT32_MAX)
		return 0;
	*uid = (uint32_t)v;
	return 1;
}

int container_parse_path(const char *path, struct container_info *out)
{
	struct comp hist[CTX + 1];
	size_t depth = 0, i = 0;
	int kubepods = 0, delegated = 0, found = 0;
	uint32_t uid = 0;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!path || path[0] != '/')
		return -EINVAL;
	while (path[i]) {
		struct comp c;
		const struct comp *p[CTX];
		struct container_info m;

		while (path[i] == '/')
			i++;
		if (!path[i])
			break;
		c.s = path + i;
		while (path[i] && path[i] != '/')
			i++;
		c.n = (size_t)(path + i - c.s);
		c.end = i;
		for (size_t k = 0; k < CTX; k++)
			p[k] = k < depth && k < CTX ? &hist[(depth - 1 - k) % (CTX + 1)] : NULL;
		if (match(&c, p, kubepods, &m)) {
			m.trust =
				delegated ? CONTAINER_TRUST_USER_DELEGATED : CONTAINER_TRUST_SYSTEM;
			m.owner_uid = delegated ? uid : 0;
			*out = m;
			found = 1;
		}
		if (mem_has_prefix(c.s, c.n, "kubepods"))
			kubepods = 1;
		if (!delegated && is_user_delegation(&c, &uid))
			delegated = 1;
		hist[depth % (CTX + 1)] = c;
		depth++;
	}
	return found;
}

int container_bare_candidate(const char *path, char *id, size_t size, size_t *cgroup_len)
{
	size_t n;

	if (!path || path[0] != '/')
		return -EINVAL;
	n = strcspn(path + 1, "/");
	if (!is_plain_name(path + 1, n) || n >= size)
		return 0;
	memcpy(id, path + 1, n);
	id[n] = '\0';
	if (cgroup_len)
		*cgroup_len = n + 1;
	return 1;
}
