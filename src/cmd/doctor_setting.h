/* One setting read from a runtime's configuration file: its value, line, or why it is unreadable.
 */
#ifndef CC_DOCTOR_SETTING_H
#define CC_DOCTOR_SETTING_H

#include <stddef.h>

struct doctor_setting {
	char value[64]; /* normalised: "systemd", "cgroupfs", "runc", ...; "" when absent */
	int line;	/* 1-based line where the value was found; 0 when absent or unknown */
	char note[160]; /* why the file could not be read (malformed), "" otherwise */
};

/* Set out->value from v[0..n), printable ASCII kept and anything else as '?', and out->line. */
void doctor_setting_set(struct doctor_setting *out, const char *v, size_t n, int line);

/* out emptied and its note "malformed at line LINE: WHAT"; returns -EINVAL. */
int doctor_setting_malformed(struct doctor_setting *out, int line, const char *what);

#endif
