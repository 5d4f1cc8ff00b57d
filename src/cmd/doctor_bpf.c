/* Which BPF program types load and attach here, and whether the ring buffer works: by trying. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd/doctor_probe.h"
#include "probe.skel.h"

/* Failing probes are expected: libbpf's own messages would only alarm. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static struct bpf_program *prog_of(struct probe_bpf *skel, enum doctor_prog p)
{
	switch (p) {
	case DOCTOR_PROG_TRACEPOINT:
		return skel->progs.probe_tp;
	case DOCTOR_PROG_RAW_TP:
		return skel->progs.probe_raw_tp;
	case DOCTOR_PROG_TP_BTF:
		return skel->progs.probe_tp_btf;
	case DOCTOR_PROG_FENTRY:
		return skel->progs.probe_fentry;
	case DOCTOR_PROG_KPROBE:
		return skel->progs.probe_kprobe;
	case DOCTOR_PROG_LSM:
		return skel->progs.probe_lsm;
	default:
		return NULL;
	}
}

/* Load program p alone and, unless load_only, attach it; everything is released after. */
static int try_prog(const char *btf_path, enum doctor_prog p, bool load_only)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct bpf_link *link = NULL;
	struct probe_bpf *skel;
	int err = 0;

	skel = probe_bpf__open_opts(&opts);
	if (!skel)
		return errno ? -errno : -EINVAL;
	for (int i = 0; i < DOCTOR_PROG_COUNT; i++)
		bpf_program__set_autoload(prog_of(skel, i), i == (int)p);
	err = probe_bpf__load(skel);
	if (err)
		goto cleanup;
	if (!load_only) {
		link = bpf_program__attach(prog_of(skel, p));
		if (!link)
			err = errno ? -errno : -EINVAL;
	}
cleanup:
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
	return err < 0 ? err : (err ? -EINVAL : 0);
}

static int no_sample(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

static int try_ringbuf(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct ring_buffer *rb;
	int fd, err = 0;

	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "cc_doctor_rb", 0, 0,
			    (unsigned int)(page > 0 ? page : 4096) * 4, NULL);
	if (fd < 0)
		return fd;
	rb = ring_buffer__new(fd, no_sample, NULL, NULL);
	if (!rb)
		err = errno ? -errno : -EINVAL;
	ring_buffer__free(rb);
	close(fd);
	return err;
}

int doctor_bpf_probe(const char *btf_path, bool tracefs, struct doctor_bpf *out)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet);

	memset(out, 0, sizeof(*out));
	out->tp_load_only = !tracefs;
	for (int i = 0; i < DOCTOR_PROG_COUNT; i++) {
		out->err[i] = try_prog(btf_path, i, i == DOCTOR_PROG_TRACEPOINT && !tracefs);
		out->prog[i] = out->err[i] == 0;
	}
	out->ringbuf_err = try_ringbuf();
	out->ringbuf = out->ringbuf_err == 0;
	libbpf_set_print(old);
	return 0;
}
