/* A trial of an attach mode with the tracer's own object: what doctor reports is what happens. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpf/event.h"
#include "copenclose.skel.h"
#include "format/syscalls.h"
#include "trace/attach.h"

int attach_trial(enum attach_mode mode, char *why, size_t why_size, char *blind, size_t blind_size)
{
	struct config cfg = {.syscalls = SYSCALLS_ALL, .attach = mode};
	struct copenclose_bpf *skel;
	char what[128];
	int err;

	why[0] = '\0';
	skel = copenclose_bpf__open();
	if (!skel) {
		err = -errno;
		snprintf(why, why_size, "cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	/* the smallest ring: nothing is read from it */
	bpf_map__set_max_entries(skel->maps.events, 1 << 16);
	err = attach_select(skel->obj, &cfg, mode, what, sizeof(what), blind, blind_size);
	if (err)
		snprintf(why, why_size, err == -ENOENT ? "this kernel has no %s" : "%s", what);
	else if ((err = copenclose_bpf__load(skel)))
		snprintf(why, why_size, "cannot load the BPF programs: %s", strerror(-err));
	else if ((err = copenclose_bpf__attach(skel)))
		snprintf(why, why_size, "cannot attach the BPF programs (%s mode): %s",
			 attach_mode_name(mode), strerror(-err));
	copenclose_bpf__destroy(skel);
	return err;
}
