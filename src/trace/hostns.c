/* Whether the tracer runs in the host's PID namespace, and the host's namespaces, from /proc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/hostns.h"

/* include/linux/sched.h: set on kernel threads only. */
#define HOSTNS_PF_KTHREAD 0x00200000ul

int hostns_stat_flags(const char *text, unsigned long *flags)
{
	/* the command name is between the first '(' and the last ')', and may hold either */
	const char *p = strrchr(text, ')');
	char *end;

	if (!p || !strchr(text, '('))
		return -EINVAL;
	p++;
	/* state, then ppid, pgrp, session, tty_nr, tpgid (signed), then flags */
	if (*p++ != ' ' || !*p || *p == ' ' || *++p != ' ')
		return -EINVAL;
	for (int i = 0; i < 5; i++) {
		strtol(p, &end, 10);
		if (end == p || *end != ' ')
			return -EINVAL;
		p = end;
	}
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	*flags = strtoul(p, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -EINVAL;
	return 0;
}

int hostns_is_kthread(const char *proc, pid_t pid)
{
	char path[4096], text[1024];
	unsigned long flags;
	ssize_t n;
	int fd, err;

	if (snprintf(path, sizeof(path), "%s/%d/stat", proc, (int)pid) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	text[n] = '\0';
	if ((err = hostns_stat_flags(text, &flags)))
		return err;
	return !!(flags & HOSTNS_PF_KTHREAD);
}

int hostns_check_pidns(const char *proc, pid_t self)
{
	char path[4096], link[32];
	ssize_t n;
	char *end;
	long pid;
	int k;

	if (snprintf(path, sizeof(path), "%s/self", proc) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	pid = strtol(link, &end, 10);
	if (end == link || *end)
		return -EINVAL;
	/* another namespace's /proc (the host's, bind-mounted into a container) */
	if (pid != self)
		return -EXDEV;
	k = hostns_is_kthread(proc, 2);
	if (k == -ENOENT) {
		char one[4096];

		/*
		 * No PID 2: a container's own namespace with few processes, where its PID 1 shows;
		 * or a /proc mounted with hidepid that hides root's processes from us, PID 1 too.
		 */
		snprintf(one, sizeof(one), "%s/1", proc);
		return access(one, F_OK) == 0 ? -EXDEV : -EACCES;
	}
	if (k == 0)
		return -EXDEV;
	return k < 0 ? k : 0;
}

static int ns_inum(const char *proc, const char *pid, const char *ns, uint32_t *out)
{
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s/ns/%s", proc, pid, ns) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st))
		return -errno;
	*out = (uint32_t)st.st_ino;
	return 0;
}

static int read_ns(const char *proc, const char *pid, struct host_ns *ns)
{
	int err;

	if ((err = ns_inum(proc, pid, "pid", &ns->pidns)) ||
	    (err = ns_inum(proc, pid, "mnt", &ns->mntns)) ||
	    (err = ns_inum(proc, pid, "uts", &ns->utsns)))
		return err;
	return 0;
}

int hostns_read(const char *proc, struct host_ns *ns, enum hostns_source *source)
{
	int err = read_ns(proc, "1", ns);

	*source = HOSTNS_PID1;
	if (err != -EACCES && err != -EPERM)
		return err;
	/*
	 * A PID 1 that is not dumpable hides its namespaces even from root. Kernel threads run in
	 * the kernel's initial namespaces, which are the host's: read kthreadd's, never our own
	 * (in a container they are the container's).
	 */
	if (hostns_is_kthread(proc, 2) != 1 || read_ns(proc, "2", ns))
		return err;
	*source = HOSTNS_KTHREADD;
	return 0;
}
