/* What the user asked for: the tracer's whole configuration, filled by args_parse(). */
#ifndef CC_CONFIG_H
#define CC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "enrich/engine_state.h"

enum output_format {
	OUTPUT_TABLE = 0,
	OUTPUT_JSON,
};

/* What keys a container (the table's second column). */
enum id_key {
	BY_UTS = 0,
	BY_CGROUP,
	BY_PIDNS,
	BY_MNTNS,
};

/* Where the programs attach (--attach). */
enum attach_mode {
	ATTACH_AUTO = 0,   /* fentry where the kernel allows it, else tracepoint */
	ATTACH_TRACEPOINT, /* each system call's sys_exit tracepoint */
	ATTACH_FENTRY,	   /* the kernel's functions that make and end descriptors */
};

struct config {
	enum output_format output;
	enum id_key by;
	unsigned int syscalls; /* CC_SYS_* bits */
	bool ignore_host;      /* -I */
	bool failed;	       /* -x */
	bool verbose;	       /* -v */
	bool fail_on_loss;
	bool comm_set;
	bool compat; /* --compat: 32-bit calls in the tracepoint mode (raw_syscalls) */
	enum attach_mode attach;
	uint32_t pid; /* -p, 0 for all */
	char comm[CC_COMM_LEN];
	double duration;		 /* -d seconds, 0 for until stopped */
	const char *container;		 /* -c */
	bool wait;			 /* --wait: -c names a container that may not run yet */
	const char *pod;		 /* --pod */
	const char *k8s_namespace;	 /* --k8s-namespace */
	const char *cgroup;		 /* -G */
	uint32_t ringbuf_mib;		 /* power of two */
	struct engine_dirs state_dirs;	 /* the engines' defaults, and --state-dir's in front */
	bool no_fd_table;		 /* --no-fd-table */
	bool omit_null;			 /* --omit-null: JSON without the null members */
	double leaks_older;		 /* --leaks-older SECONDS; < 0 when not given */
	const char *metrics;		 /* --metrics ADDR:PORT, NULL for none */
	uint32_t metrics_grace;		 /* seconds the series of a gone container stay */
	uint32_t metrics_max_containers; /* containers with rows of their own; more: overflow */
	uint32_t rate_limit; /* --rate-limit: events a second per container, 0 for none */
	/* --path and --exclude-path, in the order given */
	struct path_filter {
		const char *prefix;
		bool exclude;
	} paths[CC_PREFIXES];
	uint32_t npaths;
	const char *gvisor_socket; /* --gvisor-socket: where runsc's remote sink connects */
};

#define CONFIG_METRICS_GRACE	      300
#define CONFIG_METRICS_MAX_CONTAINERS 1000

#endif
