/* Pressure stall information of a cgroup v2 directory: the `some avg10` of cpu, memory and io. */
#ifndef CC_PSI_H
#define CC_PSI_H

#include <stdbool.h>
#include <stddef.h>

enum psi_resource {
	PSI_CPU = 0,
	PSI_MEM,
	PSI_IO,
	PSI_MAX,
};

struct psi {
	bool has[PSI_MAX];     /* false where the file is absent or unreadable ("-", null) */
	double avg10[PSI_MAX]; /* percent of the last 10 s some task stalled */
};

/*
 * The `some avg10=` value of a pressure file's text (text[0..len), not NUL-terminated):
 * 0 and *out, or -EINVAL when the text has no well-formed "some" line (a line "some " then
 * space-separated key=value fields with avg10 a decimal from 0 to 100).
 */
int psi_parse_some_avg10(const char *text, size_t len, double *out);

/*
 * The three values of the cgroup at path (inside the v2 hierarchy mounted at v2_mount); a
 * resource whose file is absent or malformed is left has[] = false. Never fails.
 */
void psi_read(const char *v2_mount, const char *path, struct psi *out);

#endif
