/* The fentry mode's optional programs: turned off where the kernel refuses them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "trace/attach.h"
#include "trace/optional.h"

/* Whether name is one of list's ","-separated names. */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

int optional_add(char *list, size_t size, const char *name)
{
	size_t used = strlen(list), n = strlen(name);

	if (listed(list, name))
		return 0;
	if (used + (used ? 1 : 0) + n + 1 > size)
		return -ENOSPC;
	if (used)
		list[used++] = ',';
	memcpy(list + used, name, n + 1);
	return 0;
}

int optional_prepare(struct bpf_object *obj, const char *off, struct optional_logs *logs)
{
	/* r0 = *(u64 *)(r9 + 0); exit: r9 is never written, which the verifier refuses */
	const struct bpf_insn refused[] = {
		{.code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_9},
		{.code = BPF_JMP | BPF_EXIT},
	};
	const char *hook = getenv("COPENCLOSE_TEST_REFUSE");
	struct bpf_program *prog;
	int err;

	logs->n = 0;
	bpf_object__for_each_program(prog, obj)
	{
		const char *name = bpf_program__name(prog);

		if (!bpf_program__autoload(prog) || !attach_optional(name))
			continue;
		if (listed(off, name)) {
			if (bpf_program__set_autoload(prog, false))
				return -EINVAL;
			continue;
		}
		if (logs->n == OPTIONAL_MAX)
			return -ENOSPC;
		logs->buf[logs->n][0] = '\0';
		if ((err = bpf_program__set_log_buf(prog, logs->buf[logs->n], OPTIONAL_LOG)))
			return err;
		logs->prog[logs->n++] = prog;
		if (hook && strcmp(hook, name) == 0 &&
		    (err = bpf_program__set_insns(prog, (struct bpf_insn *)refused, 2)))
			return err;
	}
	return 0;
}

const char *optional_refused(const struct optional_logs *logs)
{
	for (int i = 0; i < logs->n; i++)
		if (logs->buf[i][0])
			return bpf_program__name(logs->prog[i]);
	return NULL;
}

bool optional_ends_call(const struct bpf_program *prog)
{
	return strncmp(bpf_program__section_name(prog), "fexit/", 6) == 0 ||
	       strncmp(bpf_program__name(prog), "tpc_exit_", 9) == 0;
}

int optional_attach(struct bpf_object_skeleton *s, char *refused, size_t size)
{
	const char *silent = getenv("COPENCLOSE_TEST_SILENT");

	/* the programs that end a call first: the others then never begin one that no program
	   ends (the fentry opens and the tracepoint copies count such a call lost) */
	for (int i = 0; i < 2 * s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i % s->prog_cnt].prog;
		struct bpf_link **link = s->progs[i % s->prog_cnt].link;
		int err;

		if (!bpf_program__autoload(prog) || !bpf_program__autoattach(prog) || *link ||
		    optional_ends_call(prog) != (i < s->prog_cnt))
			continue;
		/* the test hook: loaded, never attached, as a hook on a function never called */
		if (silent && strcmp(silent, bpf_program__name(prog)) == 0)
			continue;
		*link = bpf_program__attach(prog);
		if (*link)
			continue;
		err = -errno;
		if (!attach_optional(bpf_program__name(prog)))
			return err;
		optional_add(refused, size, bpf_program__name(prog));
	}
	return 0;
}
