/* Command-line parsing of the tracer's options into a struct config. */
#ifndef CC_ARGS_H
#define CC_ARGS_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"

enum args_result {
	ARGS_OK = 0,
	ARGS_HELP = 1,	  /* --help: print args_usage() and exit 0 */
	ARGS_VERSION = 2, /* --version */
};

/* The commands that share the option table. */
enum args_cmd {
	ARGS_CMD_TRACE = 1, /* copenclose [OPTIONS] */
	ARGS_CMD_TOP = 2,   /* copenclose top [OPTIONS] */
};

/* What top takes beside the tracer's options. */
struct args_top {
	double interval; /* --interval: seconds between two refreshes (default 1) */
	int sort;	 /* --sort: an enum topview_sort (default opens) */
};

/* 0, ARGS_HELP, ARGS_VERSION, or -EINVAL with a one-line message in err. */
int args_parse(int argc, char **argv, struct config *cfg, char *err, size_t err_size);

/*
 * top's options (argv[0] is "top"), from the same table: those of the tracer that top takes,
 * with the same checks and defaults but --by cgroup, then --interval and --sort. 0, ARGS_HELP, or
 * -EINVAL with a one-line message in err.
 */
int args_parse_top(int argc, char **argv, struct config *cfg, struct args_top *top, char *err,
		   size_t err_size);
void args_usage(FILE *out);
const char *args_usage_line(void);

/* An option's value: a whole number from min to max (no sign); 0 or -EINVAL. */
int args_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* An option's value: a number of seconds from min to max; 0 or -EINVAL. */
int args_seconds(const char *s, double min, double max, double *out);

#endif
