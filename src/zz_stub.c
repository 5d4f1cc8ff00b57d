/* TEMPORARY stub, not committed */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "decode.h"
#include "resolver.h"
#include "commands.h"
#include "cgroup.h"
size_t escape_table(struct strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c < 32 || c > 126) {
			char t[5];
			snprintf(t, 5, "\\x%02x", c);
			strbuf_add(b, t, 4);
		} else
			strbuf_addc(b, c);
	}
	return n;
}
void escape_json(struct strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c < 32 || c > 126 || c == '"' || c == '\\') {
			char t[7];
			snprintf(t, 7, "\\u%04x", c);
			strbuf_add(b, t, 6);
		} else
			strbuf_addc(b, c);
	}
}
void escape_json_str(struct strbuf *b, const char *s, size_t n)
{
	if (!s) {
		strbuf_adds(b, "null");
		return;
	}
	strbuf_addc(b, '"');
	escape_json(b, s, n);
	strbuf_addc(b, '"');
}
void decode_open_flags(struct strbuf *b, uint64_t f)
{
	char t[32];
	snprintf(t, 32, "0x%llx", (unsigned long long)f);
	strbuf_adds(b, t);
}
void decode_resolve_flags(struct strbuf *b, uint64_t f)
{
	decode_open_flags(b, f);
}
void decode_accept_flags(struct strbuf *b, uint64_t f)
{
	decode_open_flags(b, f);
}
const char *decode_errno_name(int e)
{
	return e == 2 ? "ENOENT" : e == 9 ? "EBADF" : NULL;
}
int decode_sockaddr(struct strbuf *b, const void *sa, size_t len)
{
	(void)sa;
	char t[32];
	snprintf(t, 32, "sa:%zu", len);
	strbuf_adds(b, t);
	return 0;
}
struct resolver {
	char v2[4096];
	struct cgroup_identity id;
	char path[4096];
};
int resolver_new(const struct resolver_opts *o, struct resolver **out)
{
	*out = calloc(1, sizeof(**out));
	snprintf((*out)->v2, 4096, "%s", o->v2_mount ? o->v2_mount : "");
	return 0;
}
void resolver_free(struct resolver *r)
{
	free(r);
}
const struct cgroup_identity *resolver_lookup(struct resolver *r, uint64_t id)
{
	memset(&r->id, 0, sizeof r->id);
	r->id.cgroup_id = id;
	if (cgroup_id_to_path(r->v2, id, r->path, 4096) == 0) {
		r->id.path = r->path;
		container_parse_path(r->path, &r->id.ctr);
	}
	return &r->id;
}
void resolver_learn(struct resolver *r, uint64_t id, const char *p, size_t l)
{
	(void)r;
	(void)id;
	(void)p;
	(void)l;
}
void resolver_forget(struct resolver *r, uint64_t id)
{
	(void)r;
	(void)id;
}
int resolver_lookup_pid(struct resolver *r, uint32_t pid, struct container_info *o)
{
	(void)r;
	(void)pid;
	(void)o;
	return -ENOENT;
}
int resolver_find(struct resolver *r, const char *q, char *p, size_t s)
{
	(void)r;
	(void)q;
	(void)p;
	(void)s;
	return -ENOENT;
}
int container_parse_path(const char *path, struct container_info *out)
{
	memset(out, 0, sizeof *out);
	if (strncmp(path, "/cc", 3) == 0) {
		out->is_container = 1;
		strcpy(out->runtime, "runc");
		snprintf(out->id, 128, "%s", path + 1);
		snprintf(out->name, 256, "%s", path + 1);
		return 1;
	}
	return 0;
}
int doctor_main(int c, char **v)
{
	(void)c;
	(void)v;
	return 1;
}
int resolve_main(int c, char **v)
{
	(void)c;
	(void)v;
	return 1;
}
