/* copenclose doctor: the subcommand; gathers what this host allows, concludes, and reports. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "cmd/doctor_probe.h"
#include "cmd/doctor_report.h"
#include "cmd/doctor_runtimes.h"
#include "cmd/doctor_verdict.h"
#include "trace/attach.h"

static void usage(FILE *f)
{
	fputs("usage: copenclose doctor [--json] [--btf FILE]\n"
	      "Report what this host's kernel, cgroup layout and container runtimes allow for\n"
	      "tracing containers, and what to change. Exit status 0 when tracing will work.\n"
	      "\n"
	      "  --json       one JSON object instead of the text report\n"
	      "  --btf FILE   kernel BTF to check and probe with (default " DOCTOR_DEFAULT_BTF ")\n"
	      "  -h, --help   this help\n"
	      "\n"
	      "examples:\n"
	      "  copenclose doctor\n"
	      "  copenclose doctor --json | jq .strategy\n",
	      f);
}

int doctor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"btf", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct doctor_report *r;
	struct strbuf b = {0};
	const char *btf = NULL;
	bool json = false;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'b':
			btf = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr,
				"copenclose doctor: unknown option or missing argument: %s\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "copenclose doctor: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fputs("copenclose doctor: out of memory\n", stderr);
		return 1;
	}
	/* gather, decide, then write: the report never calls back into what gathered it */
	doctor_probe_kernel(r, btf);
	doctor_probe_cgroups(r);
	r->bpf_probed = doctor_bpf_probe(btf, r->tracefs[0] != '\0', &r->bpf) == 0;
	/* the mode --attach auto gets: the tracer's own object, loaded and attached as it does */
	if (r->bpf_probed && r->bpf.prog[DOCTOR_PROG_FENTRY] && r->btf) {
		r->fentry_tried = true;
		r->fentry_err = attach_trial(ATTACH_FENTRY, r->fentry_why, sizeof(r->fentry_why),
					     r->fentry_blind, sizeof(r->fentry_blind));
	}
	/* where auto gets the tracepoints: that mode tried too, with the tracer's self-check */
	if (r->bpf_probed && r->bpf.prog[DOCTOR_PROG_TRACEPOINT] && r->tracefs[0] &&
	    (!r->fentry_tried || r->fentry_err)) {
		char blind[8];

		r->tp_tried = true;
		r->tp_err = attach_trial(ATTACH_TRACEPOINT, r->tp_why, sizeof(r->tp_why), blind,
					 sizeof(blind));
	}
	doctor_runtimes_find(r);
	doctor_conclude(r);
	if (json)
		doctor_report_json(r, &b);
	else
		doctor_report_text(r, &b);
	rc = r->works ? 0 : 1;
	if (b.oom || fwrite(b.buf, 1, b.len, stdout) != b.len || fflush(stdout)) {
		fputs("copenclose doctor: failed to write the report\n", stderr);
		rc = 1;
	}
	if (!r->works)
		fprintf(stderr, "copenclose doctor: tracing will not work here: %s\n", r->problem);
	strbuf_free(&b);
	free(r);
	return rc;
}
