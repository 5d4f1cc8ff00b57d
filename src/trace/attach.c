/* Which BPF programs load in each attach mode, by their section names; nothing is loaded here. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cmd/doctor_verdict.h"
#include "format/syscalls.h"
#include "trace/attach.h"

#define OPENS	(1u << CC_SYS_OPEN | 1u << CC_SYS_OPENAT | 1u << CC_SYS_OPENAT2)
#define ACCEPTS (1u << CC_SYS_ACCEPT | 1u << CC_SYS_ACCEPT4)

/* The fentry mode's programs: the calls each serves, and whether the mode works without it. */
static const struct fentry_prog {
	const char *name;
	unsigned int calls;
	bool optional; /* io_uring's and 32-bit paths: a blind spot when missing, not a failure */
} fentry_progs[] = {
	{"fe_sys_openat2", OPENS, false},
	{"fe_sys_openat2_1", OPENS, false},
	{"fe_sys_openat2_2", OPENS, false},
	{"fe_sys_openat2_3", OPENS, false},
	{"fx_filp_open", OPENS, false},
	{"fx_sys_openat2", OPENS, false},
	{"fx_sys_openat2_1", OPENS, false},
	{"fx_sys_openat2_2", OPENS, false},
	{"fx_sys_openat2_3", OPENS, false},
	{"fe_fd_install", OPENS | ACCEPTS, false},
	{"fe_io_openat2", 1u << CC_SYS_OPENAT | 1u << CC_SYS_OPENAT2, true},
	{"fx_io_openat2", 1u << CC_SYS_OPENAT | 1u << CC_SYS_OPENAT2, true},
	{"fe_sys_accept4", ACCEPTS, false},
	{"fx_do_accept", ACCEPTS, false},
	{"fx_sys_accept4", ACCEPTS, false},
	{"fe_io_accept", 1u << CC_SYS_ACCEPT, true},
	{"fx_io_accept", 1u << CC_SYS_ACCEPT, true},
	{"fx_sys_close", 1u << CC_SYS_CLOSE, false},
	{"fx_ia32_close", 1u << CC_SYS_CLOSE, true},
	{"fx_io_close", 1u << CC_SYS_CLOSE, true},
	{"fe_sys_connect", 1u << CC_SYS_CONNECT, false},
	{"fx_connect_file", 1u << CC_SYS_CONNECT, false},
	{"fx_sys_connect", 1u << CC_SYS_CONNECT, false},
	{"fe_io_connect", 1u << CC_SYS_CONNECT, true},
	{"fx_io_connect", 1u << CC_SYS_CONNECT, true},
};

const char *attach_mode_name(enum attach_mode mode)
{
	switch (mode) {
	case ATTACH_TRACEPOINT:
		return "tracepoint";
	case ATTACH_FENTRY:
		return "fentry";
	default:
		return "auto";
	}
}

static const struct fentry_prog *fentry_prog_of(const char *name)
{
	for (size_t i = 0; i < sizeof(fentry_progs) / sizeof(fentry_progs[0]); i++)
		if (strcmp(fentry_progs[i].name, name) == 0)
			return &fentry_progs[i];
	return NULL;
}

bool attach_optional(const char *name)
{
	const struct fentry_prog *fp = fentry_prog_of(name);

	return fp && fp->optional;
}

/* Whether the syscall tracepoint a program attaches to exists (open has none on arm64). */
/* (faccessat with AT_EACCESS: access() drops the capabilities of a caller that is not root.) */
static bool tracepoint_exists(const char *event)
{
	char p[512];

	snprintf(p, sizeof(p), "/sys/kernel/tracing/events/syscalls/%s", event);
	if (faccessat(AT_FDCWD, p, F_OK, AT_EACCESS) == 0)
		return true;
	snprintf(p, sizeof(p), "/sys/kernel/debug/tracing/events/syscalls/%s", event);
	return faccessat(AT_FDCWD, p, F_OK, AT_EACCESS) == 0;
}

/*
 * Whether this kernel loads and attaches a trampoline at all: one two-instruction program on
 * fd_install, loaded, attached and released. Far cheaper than failing to load the whole object
 * (which parses the kernel's BTF again and prepares every program) where it cannot.
 */
static int trampoline_works(const struct btf *vmlinux)
{
	const struct bpf_insn ret0[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int id = btf__find_by_name_kind(vmlinux, "fd_install", BTF_KIND_FUNC);
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id > 0 ? (__u32)id : 0);
	int fd, link, err = 0;

	if (id <= 0)
		return -ENOENT;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "cc_probe", "GPL", ret0, 2, &opts);
	if (fd < 0)
		return fd;
	link = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	if (link < 0)
		err = link;
	else
		close(link);
	close(fd);
	return err;
}

/* Whether /proc/kallsyms names a text symbol name ("ADDRESS T NAME", or "t"). */
static bool kallsyms_text(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], sym[256], type;
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %c %255s", &type, sym) == 2 &&
			(type == 'T' || type == 't') && strcmp(sym, name) == 0;
	if (f)
		fclose(f);
	return found;
}

bool attach_direct_calls(const struct btf *vmlinux)
{
	if (btf__find_by_name_kind(vmlinux, "register_ftrace_direct", BTF_KIND_FUNC) > 0 ||
	    btf__find_by_name_kind(vmlinux, "register_ftrace_direct_multi", BTF_KIND_FUNC) > 0)
		return true;
	/* 5.10's BTF leaves the function out (it is not traceable itself): its symbol then */
	return kallsyms_text("register_ftrace_direct");
}

void attach_trampoline_why(int err, bool direct_calls, char *buf, size_t size)
{
	if (err == -CC_ENOTSUPP && !direct_calls)
		snprintf(buf, size, "%s", ATTACH_NO_DIRECT_CALLS);
	else if (err == -CC_ENOTSUPP)
		snprintf(buf, size,
			 "trampolines: error 524 (ENOTSUPP: the kernel refused to attach)");
	else
		snprintf(buf, size, "trampolines: %s", strerror(-err));
}

static void append(char *buf, size_t size, const char *word)
{
	size_t n = strlen(buf);

	if (strstr(buf, word)) /* an fentry and fexit pair share a target */
		return;
	if (n < size)
		snprintf(buf + n, size - n, "%s%s", n ? ", " : "", word);
}

/* Whether the kernel's enum bpf_func_id names a helper: the test the BPF programs make (CO-RE). */
static bool kernel_has_helper(const struct btf *vmlinux, const char *name)
{
	int id = btf__find_by_name_kind(vmlinux, "bpf_func_id", BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(vmlinux, id) : NULL;
	const struct btf_enum *e = t ? btf_enum(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (strcmp(btf__name_by_offset(vmlinux, e[i].name_off), name) == 0)
			return true;
	return false;
}

/* Appends to what, ", "-separated, what the fentry programs need that this kernel lacks. */
static void fentry_lacks(const struct btf *vmlinux, char *what, size_t size)
{
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) != 1)
		append(what, size, "task storage maps (5.11)");
	if (!kernel_has_helper(vmlinux, "BPF_FUNC_get_current_task_btf"))
		append(what, size, "bpf_get_current_task_btf (5.11)");
	if (!kernel_has_helper(vmlinux, "BPF_FUNC_task_pt_regs"))
		append(what, size, "bpf_task_pt_regs (5.15)");
}

/* The kernel functions a hook's job has had across kernels, in the order they are tried. */
static const char *const renames[][2] = {
	{"do_filp_open", "do_file_open"}, /* 7.2 */
};

/* The name this kernel gives the function target was, or target itself. */
static const char *renamed(const struct btf *vmlinux, const char *target)
{
	for (size_t i = 0; i < sizeof(renames) / sizeof(renames[0]); i++)
		if (strcmp(renames[i][0], target) == 0 &&
		    btf__find_by_name_kind(vmlinux, renames[i][1], BTF_KIND_FUNC) > 0)
			return renames[i][1];
	return target;
}

/* Whether this kernel may preempt a task inside a BPF program (unknown counts as may): only then
   are an open's steps loaded in all their copies (attach_fentry.bpf.h, CC_OPEN_COPIES); where it
   cannot, the first copy does all and the others would cost two trampoline runs each. */
static bool bpf_preemptible(void)
{
	FILE *f = fopen("/sys/kernel/debug/sched/preempt", "re");
	char buf[128], mode[32];
	bool have = f && fgets(buf, sizeof(buf), f);
	struct utsname u;

	if (f)
		fclose(f);
	if (uname(&u))
		return true;
	return doctor_preemption(u.version, have ? buf : NULL, mode, sizeof(mode)) != 0;
}

/* fe_sys_openat2_N and fx_sys_openat2_N: a copy other than the first */
static bool open_copy(const char *name)
{
	return strlen(name) == 16 && strncmp(name + 2, "_sys_openat2_", 13) == 0;
}

/* Whether this kernel runs the syscall tracepoints' BPF programs preemptibly (7.x: its BTF has
   trace_call_bpf_faultable, which they are called through): then the tracepoint mode's programs
   are raw tracepoint copies (attach_tp_copies.bpf.h, CC_TP_COPIES), as the per-call tracepoints'
   programs would lose every call made on a CPU while a task is preempted inside one of them. */
static bool tp_preemptible(void)
{
	/* the tests' hook: the copies where the kernel does not need them (1), or not (0) */
	const char *hook = getenv("COPENCLOSE_TEST_TP_COPIES");
	struct btf *vmlinux;
	bool yes;

	if (hook && (strcmp(hook, "0") == 0 || strcmp(hook, "1") == 0))
		return hook[0] == '1';
	vmlinux = btf__load_vmlinux_btf();
	yes = vmlinux &&
	      btf__find_by_name_kind(vmlinux, "trace_call_bpf_faultable", BTF_KIND_FUNC) >= 0;
	btf__free(vmlinux);
	return yes;
}

/* A tracepoint-mode program: "tracepoint/syscalls/sys_exit_X" for one traced call. */
static bool want_tracepoint(const struct config *cfg, const char *sec)
{
	const char *event = strrchr(sec, '/');

	if (!event)
		return false;
	event++;
	/* creat(2), reported as the open it is (attach_tp.bpf.h) */
	if (strcmp(event, "sys_exit_creat") == 0)
		return (cfg->syscalls & (1u << CC_SYS_OPEN)) && tracepoint_exists(event);
	for (int i = 0; i < CC_SYS_MAX; i++)
		if (strcmp(event, syscalls_tracepoint(i)) == 0)
			return (cfg->syscalls & (1u << i)) && tracepoint_exists(event);
	return false;
}

int attach_select(struct bpf_object *obj, const struct config *cfg, enum attach_mode mode,
		  char *what, size_t what_size, char *blind, size_t blind_size)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	struct btf *vmlinux = NULL; /* parsed once here: a parse reads megabytes */
	bool tp_copies = mode == ATTACH_TRACEPOINT && tp_preemptible();
	int err = 0;

	if (what_size)
		what[0] = '\0';
	if (blind_size)
		blind[0] = '\0';
	bpf_object__for_each_program(prog, obj)
	{
		const char *sec = bpf_program__section_name(prog);
		const char *name = bpf_program__name(prog);
		bool on = false;

		if (strncmp(sec, "tp_btf/cgroup_", 14) == 0) {
			on = true; /* cgroup records, in every mode */
		} else if (strncmp(sec, "tracepoint/syscalls/", 20) == 0) {
			on = mode == ATTACH_TRACEPOINT && !tp_copies && want_tracepoint(cfg, sec);
		} else if (strncmp(name, "tpc_", 4) == 0) {
			on = tp_copies;
		} else if (strcmp(sec, "raw_tp/sys_exit") == 0) {
			on = mode == ATTACH_TRACEPOINT && cfg->compat;
		} else if (strncmp(sec, "fentry/", 7) == 0 || strncmp(sec, "fexit/", 6) == 0) {
			const struct fentry_prog *fp = fentry_prog_of(name);
			const char *target = strchr(sec, '/') + 1;

			on = mode == ATTACH_FENTRY && fp && (fp->calls & cfg->syscalls) &&
			     (!open_copy(name) || bpf_preemptible());
			if (on && !vmlinux) {
				if (!(vmlinux = btf__load_vmlinux_btf())) {
					err = -ENOENT;
					snprintf(what, what_size, "the kernel's BTF");
					break;
				}
				if ((err = trampoline_works(vmlinux))) {
					attach_trampoline_why(err, attach_direct_calls(vmlinux),
							      what, what_size);
					break;
				}
				fentry_lacks(vmlinux, what, what_size);
				if (what[0]) {
					err = -ENOENT;
					break;
				}
			}
			/* the function that does this job on this kernel, where it was renamed */
			if (on && btf__find_by_name_kind(vmlinux, target, BTF_KIND_FUNC) < 0 &&
			    renamed(vmlinux, target) != target) {
				target = renamed(vmlinux, target);
				if ((err = bpf_program__set_attach_target(prog, 0, target)))
					break;
			}
			if (on && btf__find_by_name_kind(vmlinux, target, BTF_KIND_FUNC) < 0) {
				on = false;
				if (!fp->optional) {
					snprintf(what, what_size, "function %s", target);
					err = -ENOENT;
					break;
				}
				append(blind, blind_size, target);
			}
		}
		if (bpf_program__set_autoload(prog, on)) {
			err = -EINVAL;
			break;
		}
	}
	/* io_uring's completions, with its connect's programs: a connect cancelled while it waited
	   ends there (attach_fentry.bpf.h) */
	if (!err) {
		struct bpf_program *c = bpf_object__find_program_by_name(obj, "fe_io_connect");
		struct bpf_program *t = bpf_object__find_program_by_name(obj, "tp_io_complete");

		if (c && t && bpf_program__set_autoload(t, bpf_program__autoload(c)))
			err = -EINVAL;
	}
	/* the fentry programs' maps: task storage, which kernels before 5.11 cannot create */
	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);

		if (!err && (strcmp(name, "pending_map") == 0 || strcmp(name, "uring_reqs") == 0) &&
		    bpf_map__set_autocreate(map, mode == ATTACH_FENTRY))
			err = -EINVAL;
		if (!err && strcmp(name, "tp_calls") == 0 &&
		    bpf_map__set_autocreate(map, tp_copies))
			err = -EINVAL;
	}
	btf__free(vmlinux);
	return err;
}
