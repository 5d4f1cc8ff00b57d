/* Events the kernel skipped without a trace: BPF programs' recursion misses. */
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "trace/misses.h"

uint64_t misses_read(struct bpf_object *obj)
{
	struct bpf_program *prog;
	uint64_t sum = 0;

	bpf_object__for_each_program(prog, obj)
	{
		const char *name = bpf_program__name(prog);
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_program__fd(prog);

		/* records that are not events are counted apart, or not at all */
		if (fd < 0 || strncmp(name, "cgroup_", 7) == 0 || strncmp(name, "proc_", 5) == 0)
			continue;
		/* an open's steps whose skipped calls lose nothing, or are counted by the programs
		   themselves (attach_fentry.bpf.h, CC_OPEN_COPIES): fx_sys_openat2 sends the event
		   of a system call whose other steps were skipped, is CC_OPEN_COPIES programs that
		   each end it, and a skip of all of them is counted lost at the task's next open;
		   fe_sys_openat2's copies, the same; fx_io_openat2 counts an io_uring open that
		   fx_filp_open was skipped for */
		/* the tracepoint mode's copies (attach_tp_copies.bpf.h), the same: a call whose
		   every exit copy was skipped is counted at the task's next traced call */
		if (strncmp(name, "tpc_", 4) == 0)
			continue;
		if (strncmp(name, "fe_sys_openat2", 14) == 0 ||
		    strncmp(name, "fx_sys_openat2", 14) == 0 || strcmp(name, "fx_filp_open") == 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			sum += info.recursion_misses;
	}
	return sum;
}
