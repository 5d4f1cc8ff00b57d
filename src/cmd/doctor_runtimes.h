/* doctor's container runtimes: which are installed, their versions and configured cgroup driver.
 */
#ifndef CC_DOCTOR_RUNTIMES_H
#define CC_DOCTOR_RUNTIMES_H

#include <stddef.h>

#include "cmd/doctor_report.h"

/*
 * Into r->rt and r->nrt: every runtime whose program is installed, its version (from
 * `--version`, bounded in time), its cgroup driver and where that was set (its configuration
 * files, or the default for r->systemd and r->cg.mode), and podman's OCI runtime. A file that
 * cannot be read or parsed leaves a note and the default. Verdicts are not decided here.
 */
void doctor_runtimes_find(struct doctor_report *r);

/* Pure: the version in the first line of a `--version` output ("runc version 1.1.5" -> "1.1.5"). */
void doctor_version_parse(const char *text, size_t len, char *out, size_t size);

#endif
