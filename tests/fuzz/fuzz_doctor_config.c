/* libFuzzer target: every doctor configuration scanner on arbitrary bytes; abort() on a broken
 * promise. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/doctor_config.h"
#include "cmd/doctor_runtimes.h"

typedef int (*parse_fn)(const char *, size_t, struct doctor_setting *);

/*
 * The promises: 0 with a value and a line (docker: the line may be unknown, 0, when the option
 * is spelled with escapes), -ENOENT with nothing, -EINVAL with a note.
 */
static void check(int rc, const struct doctor_setting *s, int line_min)
{
	if (memchr(s->value, '\0', sizeof(s->value)) == NULL ||
	    memchr(s->note, '\0', sizeof(s->note)) == NULL)
		abort();
	if (rc == 0 && (s->line < line_min || s->value[0] == '\0' || s->note[0] != '\0'))
		abort();
	if (rc == -ENOENT && (s->value[0] != '\0' || s->line != 0))
		abort();
	if (rc == -EINVAL && (s->note[0] == '\0' || s->value[0] != '\0'))
		abort();
	if (rc != 0 && rc != -ENOENT && rc != -EINVAL && rc != -ENOMEM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const parse_fn fns[] = {doctor_config_docker, doctor_config_containerd,
				       doctor_config_podman, doctor_config_podman_runtime,
				       doctor_config_crio,   doctor_config_kubelet};
	/* an exact-size copy, so reading past the end is caught */
	char *text = malloc(size ? size : 1);
	struct doctor_setting s;
	char version[16];

	if (!text)
		return 0;
	memcpy(text, data, size);
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		check(fns[i](text, size, &s), &s, fns[i] == doctor_config_docker ? 0 : 1);
	doctor_version_parse(text, size, version, sizeof(version));
	if (!memchr(version, '\0', sizeof(version)))
		abort();
	free(text);
	return 0;
}
