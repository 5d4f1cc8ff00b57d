/* The fixture tree the naming tests read instead of / : a fresh directory under $TMPDIR holding
 * proc/PID/{stat,status,uid_map,mountinfo,cmdline,cgroup,ns/mnt} for each process a test makes,
 * and whatever runtime state files it puts beside them; removed whole. */
#ifndef CC_FIXTURE_TREE_H
#define CC_FIXTURE_TREE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Make a fresh tree NAME-XXXXXX under $TMPDIR (else /tmp) into root (size bytes), readable by
   all. */
static inline void fixture_tree_make(char *root, size_t size, const char *name)
{
	snprintf(root, size, "%s/%s-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
	assert_non_null(mkdtemp(root));
	chmod(root, 0755);
}

/* Remove the tree: 0, or -1 when it could not be. */
static inline int fixture_tree_remove(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write len bytes of text to root/rel, making its missing directories with dirmode. */
static inline void fixture_put(const char *root, mode_t dirmode, const char *rel, const char *text,
			       size_t len)
{
	char p[512], *slash;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (slash = strchr(p + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(p, dirmode);
		*slash = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* fixture_put of a formatted text. */
__attribute__((format(printf, 4, 5))) static inline void
fixture_putf(const char *root, mode_t dirmode, const char *rel, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fixture_put(root, dirmode, rel, text, strlen(text));
}

/* A process as /proc shows it to any user. */
struct fixture_proc {
	int pid, ppid;
	unsigned owner;	   /* its user namespace's owner (uid_map maps 0 to it); 0: the initial */
	const char *nspid; /* status's NSpid (NULL: the pid alone) */
	int mount;	 /* its mountinfo's first mount id; 0: a zombie (no mountinfo nor ns/mnt) */
	const char *cmd; /* its command line, NUL-separated, cmdlen bytes */
	size_t cmdlen;
	const char *cgroup; /* its v1 pids and memory cgroup (NULL: "/"); v2: "/" */
};

/* Write p's files under root/proc/PID (missing directories made with dirmode). */
static inline void fixture_proc(const char *root, mode_t dirmode, const struct fixture_proc *p)
{
	const char *cg = p->cgroup ? p->cgroup : "/";
	char rel[64], nspid[16];

	snprintf(nspid, sizeof(nspid), "%d", p->pid);
	snprintf(rel, sizeof(rel), "proc/%d/stat", p->pid);
	fixture_putf(root, dirmode, rel, "%d (exe) %c %d %d 0 0", p->pid, p->mount ? 'S' : 'Z',
		     p->ppid, p->ppid);
	snprintf(rel, sizeof(rel), "proc/%d/status", p->pid);
	fixture_putf(root, dirmode, rel,
		     "Name:\tx\nUmask:\t0022\nState:\t%s\nPPid:\t%d\nNSpid:\t%s\nNSpgid:\t1\n",
		     p->mount ? "S (sleeping)" : "Z (zombie)", p->ppid,
		     p->nspid ? p->nspid : nspid);
	snprintf(rel, sizeof(rel), "proc/%d/uid_map", p->pid);
	if (p->owner)
		fixture_putf(root, dirmode, rel, "         0 %10u          1\n", p->owner);
	else
		fixture_putf(root, dirmode, rel, "         0          0 4294967295\n");
	snprintf(rel, sizeof(rel), "proc/%d/cmdline", p->pid);
	fixture_put(root, dirmode, rel, p->cmd, p->cmdlen);
	snprintf(rel, sizeof(rel), "proc/%d/cgroup", p->pid);
	fixture_putf(root, dirmode, rel, "8:pids:%s\n4:memory:%s\n0::/\n", cg, cg);
	if (!p->mount)
		return;
	snprintf(rel, sizeof(rel), "proc/%d/mountinfo", p->pid);
	fixture_putf(root, dirmode, rel,
		     "%d 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n%d %d 0:5 / /proc rw\n",
		     p->mount, p->mount + 1, p->mount);
	snprintf(rel, sizeof(rel), "proc/%d/ns/mnt", p->pid);
	fixture_put(root, dirmode, rel, "", 0);
}

/* The pids from pid up its parents (the fixture's status files' PPid), at most max of them, as
   the tracer passes an event's lineage: how many were written to l. */
static inline size_t fixture_lineage(const char *root, uint32_t pid, uint32_t *l, size_t max)
{
	size_t n = 0;

	while (pid > 1 && n < max) {
		char p[512], buf[256];
		FILE *f;
		const char *pp;

		l[n++] = pid;
		snprintf(p, sizeof(p), "%s/proc/%u/status", root, pid);
		f = fopen(p, "r");
		if (!f)
			break;
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
		pp = strstr(buf, "PPid:\t");
		pid = pp ? (uint32_t)strtoul(pp + 6, NULL, 10) : 0;
	}
	return n;
}

#endif
