/* Filling a doctor_setting: the value as text safe to print and compare, or why there is none. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/doctor_setting.h"

void doctor_setting_set(struct doctor_setting *out, const char *v, size_t n, int line)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < sizeof(out->value); i++)
		out->value[j++] = isprint((unsigned char)v[i]) ? v[i] : '?';
	out->value[j] = '\0';
	out->line = line;
}

int doctor_setting_malformed(struct doctor_setting *out, int line, const char *what)
{
	snprintf(out->note, sizeof(out->note), "malformed at line %d: %s", line, what);
	out->value[0] = '\0';
	out->line = 0;
	return -EINVAL;
}
