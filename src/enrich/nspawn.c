/* systemd-nspawn --keep-unit's payload/ and supervisor/ cgroups, and the machine's name. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enrich/nspawn.h"

#define PAYLOAD "/payload"

int nspawn_is_payload(const char *path, size_t cgroup_len)
{
	size_t n = strlen(PAYLOAD);

	return path && cgroup_len > n && cgroup_len <= strlen(path) &&
	       memcmp(path + cgroup_len - n, PAYLOAD, n) == 0;
}

static int plain(const char *s, size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && !strchr("-_.+@:", s[i]))
			return 0;
	return 1;
}

/* The value of an option in args at i (its own or the next argument): NULL when not this one. */
static const char *option(const char *const *argv, int argc, int *i, const char *sh,
			  const char *lng)
{
	const char *a = argv[*i];
	size_t l = strlen(lng);

	if (sh && strcmp(a, sh) == 0)
		return *i + 1 < argc ? argv[++*i] : NULL;
	if (sh && strncmp(a, sh, 2) == 0 && a[2] && a[1] != '-')
		return a + 2;
	if (strncmp(a, lng, l) == 0 && a[l] == '=')
		return a + l + 1;
	if (strcmp(a, lng) == 0)
		return *i + 1 < argc ? argv[++*i] : NULL;
	return NULL;
}

static int set_name(const char *s, size_t n, char *name, size_t size)
{
	if (!plain(s, n) || n >= size)
		return -EINVAL;
	memcpy(name, s, n);
	name[n] = '\0';
	return 0;
}

int nspawn_name_from_cmdline(const char *args, size_t len, char *name, size_t size)
{
	const char *argv[256], *machine = NULL, *dir = NULL, *v;
	int argc = 0;
	size_t o = 0, n;

	if (!args || !name || size == 0)
		return -EINVAL;
	while (o < len && argc < 256) {
		argv[argc++] = args + o;
		n = strnlen(args + o, len - o);
		if (o + n >= len) /* the last argument unterminated: cut */
			return -EINVAL;
		o += n + 1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if ((v = option(argv, argc, &i, "-M", "--machine")))
			machine = v;
		else if ((v = option(argv, argc, &i, "-D", "--directory")) ||
			 (v = option(argv, argc, &i, "-i", "--image")))
			dir = v;
		else if (argv[i][0] != '-')
			break; /* the command to run in the container */
	}
	if (machine)
		return set_name(machine, strlen(machine), name, size);
	if (!dir)
		return -ENOENT;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	v = dir + n;
	while (v > dir && v[-1] != '/')
		v--;
	n -= (size_t)(v - dir);
	if (n > 4 && memcmp(v + n - 4, ".raw", 4) == 0)
		n -= 4;
	return set_name(v, n, name, size);
}

int nspawn_name_from_args(const char *args, size_t len, char *name, size_t size)
{
	while (args && len > 0 && args[len - 1] != '\0')
		len--;
	if (!args || len == 0)
		return -ENOENT;
	return nspawn_name_from_cmdline(args, len, name, size);
}

/* The first pid in a cgroup.procs file: > 0, or 0 when none could be read. */
static long first_pid(const char *file)
{
	char buf[32];
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int nspawn_confirm(const char *v2_mount, const char *proc_root, const char *path, size_t cgroup_len,
		   char *name, size_t size)
{
	char dir[PATH_MAX], file[PATH_MAX + 32], args[4096];
	size_t unit = cgroup_len - strlen(PAYLOAD);
	struct stat st;
	ssize_t n;
	long pid;
	int fd;

	if (!nspawn_is_payload(path, cgroup_len) || !v2_mount)
		return -EINVAL;
	if (snprintf(dir, sizeof(dir), "%s%.*s/supervisor", v2_mount, (int)unit, path) >=
	    (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	pid = first_pid(file);
	if (pid <= 0)
		return 1;
	snprintf(file, sizeof(file), "%s/proc/%ld/cmdline", proc_root ? proc_root : "", pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	n = read(fd, args, sizeof(args));
	close(fd);
	if (n > 0 && (size_t)n < sizeof(args))
		nspawn_name_from_cmdline(args, (size_t)n, name, size);
	return 1;
}
