/* The host rule's cgroup half kept for the kernel, in the cg_verdict map. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "enrich/cgroup.h"
#include "enrich/container.h"
#include "enrich/hostrule.h"
#include "trace/session.h"
#include "trace/verdicts.h"

/* At most this many cgroups judged at start (the map holds CC_CG_VERDICTS; LRU beyond). */
#define PRIME_MAX (CC_CG_VERDICTS / 2)

struct prime {
	int fd;
	struct resolver *r;
	int kept;
};

static int keep(int fd, uint64_t id, uint8_t verdict)
{
	return bpf_map_update_elem(fd, &id, &verdict, BPF_ANY) ? -errno : 0;
}

static int prime_one(void *ctx, uint64_t id, const char *path, size_t len)
{
	struct prime *p = ctx;
	struct container_info ci;
	char bare[CONTAINER_ID_LEN];
	size_t blen;
	int in;

	in = resolver_identify_path(p->r, path, &ci);
	/* a malformed name, or a top-level one that may be a runc container's whose state is not
	   written yet: judged when its events come */
	if (in < 0 || (in == 0 && container_bare_candidate(path, bare, sizeof(bare), &blen) == 1 &&
		       blen == len))
		return 0;
	if (keep(p->fd, id, in ? CC_CG_CONTAINER : CC_CG_HOST) == 0)
		p->kept++;
	return 0;
}

int verdicts_prime(int map_fd, struct resolver *r, const char *v2_mount)
{
	struct prime p = {map_fd, r, 0};
	struct stat st;
	int err;

	if (!v2_mount || !*v2_mount)
		return 0;
	if (stat(v2_mount, &st))
		return -errno;
	if ((err = keep(map_fd, st.st_ino, CC_CG_HOST))) /* the root: no container's */
		return err;
	p.kept++;
	if ((err = cgroup_walk(v2_mount, prime_one, &p, PRIME_MAX)))
		return err;
	return p.kept;
}

bool verdicts_unsure_dropped(struct session *s, const struct cc_event *ev,
			     const struct cgroup_identity *id)
{
	bool pending;
	int v;

	if (!(ev->status & CC_ST_HOST_UNSURE))
		return false;
	if (s->layout.v2_mount[0]) {
		pending = resolver_pending(s->res, ev->cgroup_id);
		v = hostrule_verdict(ev->status, resolver_peek(s->res, ev->cgroup_id, NULL),
				     pending);
		if (v)
			keep(bpf_map__fd(s->skel->maps.cg_verdict), ev->cgroup_id, (uint8_t)v);
	}
	if (!s->cfg->ignore_host || !hostrule_host(ev->status, id))
		return false;
	s->host_dropped++;
	return true;
}

void verdicts_forget(struct session *s, uint64_t cgroup_id)
{
	if (s->layout.v2_mount[0])
		bpf_map_delete_elem(bpf_map__fd(s->skel->maps.cg_verdict), &cgroup_id);
}
