/* A reader of the subset of TOML that container runtimes' configuration files are written in. */
#ifndef CC_DOCTOR_TOML_H
#define CC_DOCTOR_TOML_H

#include <stddef.h>

#include "cmd/doctor_setting.h"

/*
 * Pure: the value of key in the table whose header ends with table_suffix ("" for the root
 * table), as text in out (a string's contents, escapes kept raw, or a bare word such as true);
 * the last one wins. 0; -ENOENT when no such key; -EINVAL with out->note when the text is
 * outside the subset read (see doctor_toml.c). Bounded by len; allocates nothing.
 */
int doctor_toml_get(const char *text, size_t len, const char *table_suffix, const char *key,
		    struct doctor_setting *out);

#endif
