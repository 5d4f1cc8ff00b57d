/* The pressure files' parser (pure) and their reader from a cgroup v2 directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "summary/psi.h"

/* "NN.NN" (digits, at most one dot) from 0 to 100 in s[0..n). */
static int psi_number(const char *s, size_t n, double *out)
{
	char tmp[16], *end;
	int dots = 0;

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && i > 0 && ++dots == 1)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*out = strtod(tmp, &end);
	if (*end || *out > 100.0)
		return -EINVAL;
	return 0;
}

int psi_parse_some_avg10(const char *text, size_t len, double *out)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *f;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > 5 && memcmp(p, "some ", 5) == 0) {
			for (f = p + 5; f < eol;) {
				const char *sp = memchr(f, ' ', (size_t)(eol - f));

				if (!sp)
					sp = eol;
				if (sp - f > 6 && memcmp(f, "avg10=", 6) == 0)
					return psi_number(f + 6, (size_t)(sp - f - 6), out);
				f = sp + 1;
			}
			return -EINVAL;
		}
		p = eol + 1;
	}
	return -EINVAL;
}

void psi_read(const char *v2_mount, const char *path, struct psi *out)
{
	static const char *const files[PSI_MAX] = {"cpu.pressure", "memory.pressure",
						   "io.pressure"};
	char name[4096], text[512];

	memset(out, 0, sizeof(*out));
	if (!v2_mount || !*v2_mount || !path)
		return;
	for (int i = 0; i < PSI_MAX; i++) {
		ssize_t n;
		int fd;

		if ((size_t)snprintf(name, sizeof(name), "%s%s%s/%s", v2_mount,
				     *path == '/' ? "" : "/", strcmp(path, "/") ? path : "",
				     files[i]) >= sizeof(name))
			continue;
		fd = open(name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, text, sizeof(text));
		close(fd);
		if (n > 0 && psi_parse_some_avg10(text, (size_t)n, &out->avg10[i]) == 0)
			out->has[i] = true;
	}
}
