/* A trial of an attach mode with the tracer's own object: what doctor reports is what happens. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpf/event.h"
#include "copenclose.skel.h"
#include "format/syscalls.h"
#include "trace/attach.h"
#include "trace/optional.h"
#include "trace/selfcheck.h"

/* One try; -EAGAIN when the kernel refused an optional program, added to refused. */
static int trial_once(enum attach_mode mode, char *why, size_t why_size, char *blind,
		      size_t blind_size, char *refused, size_t refused_size,
		      struct optional_logs *logs)
{
	struct config cfg = {.syscalls = SYSCALLS_ALL, .attach = mode};
	struct copenclose_bpf *skel;
	const char *name;
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
	else if ((err = optional_prepare(skel->obj, refused, logs)))
		snprintf(why, why_size, "cannot prepare the optional programs: %s", strerror(-err));
	else if ((err = copenclose_bpf__load(skel))) {
		snprintf(why, why_size, "cannot load the BPF programs: %s", strerror(-err));
		if ((name = optional_refused(logs)) && !optional_add(refused, refused_size, name))
			err = -EAGAIN;
	} else if ((err = optional_attach(skel->skeleton, refused, refused_size))) {
		snprintf(why, why_size, "cannot attach the BPF programs (%s mode): %s",
			 attach_mode_name(mode), strerror(-err));
	} else {
		/* the tracer's self-check, with doctor's own calls */
		int checked;
		double ms;

		err = selfcheck_run(skel, why, why_size, &checked, &ms);
	}
	copenclose_bpf__destroy(skel);
	return err;
}

int attach_trial(enum attach_mode mode, char *why, size_t why_size, char *blind, size_t blind_size)
{
	struct optional_logs *logs = malloc(sizeof(*logs));
	char refused[256] = "";
	int err = -EAGAIN;

	if (!logs) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i <= OPTIONAL_MAX && err == -EAGAIN; i++)
		err = trial_once(mode, why, why_size, blind, blind_size, refused, sizeof(refused),
				 logs);
	free(logs);
	/* what the kernel refused is not seen either: named as the tracer names it */
	if (!err && refused[0] && blind_size) {
		size_t n = strlen(blind);

		snprintf(blind + n, blind_size - n, "%s%s (refused)", n ? ", " : "", refused);
	}
	return err == -EAGAIN ? -EINVAL : err;
}
