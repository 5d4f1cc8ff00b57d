/* Environment checks with one clear answer each; the caller prints. */
#define _GNU_SOURCE /* setresuid, setresgid */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/capability.h>
#include <bpf/bpf.h>
#include <sys/mount.h>
#include <grp.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trace/preflight.h"

int preflight_has_cap(cap_t caps, int cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return caps && cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

int preflight_secure_exec(void)
{
	/*
	 * AT_SECURE is the kernel's own verdict on this exec: set for setuid, setgid, file
	 * capabilities and LSM transitions alike. The id comparison also catches a parent that
	 * changed its ids and then started us without a privileged exec.
	 */
	if (getauxval(AT_SECURE) || getuid() != geteuid() || getgid() != getegid())
		return -EPERM;
	return 0;
}

int preflight_privileges(void)
{
	cap_t caps = cap_get_proc();
	int ok;

	if (!caps)
		return -errno;
	ok = preflight_has_cap(caps, CAP_SYS_ADMIN) ||
	     (preflight_has_cap(caps, CAP_BPF) && preflight_has_cap(caps, CAP_PERFMON));
	cap_free(caps);
	return ok ? 0 : -EPERM;
}

/* Whether /proc/self/status says a seccomp filter is installed ("Seccomp:\t2"). */
static int seccomp_filtered(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	int mode = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	if (f)
		fclose(f);
	return mode == 2;
}

int preflight_syscalls(const char **call, int *seccomp)
{
	*call = NULL;
	*seccomp = seccomp_filtered();
	/* no such command: the kernel says EINVAL, after its own privilege check */
	if (syscall(SYS_bpf, -1, NULL, 0) < 0 && errno == EPERM)
		*call = "bpf";
	/* no attributes to read: EFAULT, before any privilege check */
	else if (syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0) < 0 && errno == EPERM)
		*call = "perf_event_open";
	return *call ? -EPERM : 0;
}

int preflight_btf(const char *path)
{
	unsigned char magic[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, magic, sizeof(magic));
	close(fd);
	/* struct btf_header starts with the 16-bit magic 0xeB9F in the host's byte order */
	if (n != 2 ||
	    !((magic[0] == 0x9f && magic[1] == 0xeb) || (magic[0] == 0xeb && magic[1] == 0x9f)))
		return -ENOENT;
	return 0;
}

static int has_syscall_events(const char *dir)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/events/syscalls", dir);
	return faccessat(AT_FDCWD, p, F_OK, AT_EACCESS) == 0;
}

int preflight_tracefs(char *dir, size_t size, int *mounted)
{
	static const char *const dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	char events[64];

	*mounted = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(events, sizeof(events), "%s/events", dirs[i]);
		if (faccessat(AT_FDCWD, events, F_OK, AT_EACCESS) == 0) {
			snprintf(dir, size, "%s", dirs[i]);
			return has_syscall_events(dirs[i]) ? 0 : -ENOENT;
		}
		/* mounted, but its directory (mode 0700) is closed to this process */
		if (errno == EACCES) {
			snprintf(dir, size, "%s", dirs[i]);
			return -EACCES;
		}
	}
	if (mount("tracefs", dirs[0], "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return -errno;
	*mounted = 1;
	snprintf(dir, size, "%s", dirs[0]);
	return has_syscall_events(dirs[0]) ? 0 : -ENOENT;
}

static int drop_bounding(void)
{
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (c != CAP_DAC_READ_SEARCH && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) &&
		    errno != EINVAL)
			return -errno;
	return 0;
}

/*
 * Permitted and effective sets reduced to CAP_DAC_READ_SEARCH (and CAP_BPF with keep_bpf), a
 * reduction the kernel allows when they are held; inheritable and ambient emptied. 0, or the
 * -errno of the attempt, which changed nothing (capset is all or nothing).
 */
static int keep_only(int keep_bpf)
{
	cap_value_t keep[] = {CAP_DAC_READ_SEARCH, CAP_BPF};
	int n = keep_bpf ? 2 : 1;
	cap_t caps = cap_init();
	int err = 0;

	if (!caps)
		return -errno;
	if (cap_set_flag(caps, CAP_PERMITTED, n, keep, CAP_SET) ||
	    cap_set_flag(caps, CAP_EFFECTIVE, n, keep, CAP_SET) || cap_set_proc(caps))
		err = -errno;
	cap_free(caps);
	if (!err)
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return err;
}

/* Every set emptied (ambient with permitted): checked by the caller, which reads what is left. */
static void keep_none(void)
{
	cap_t caps = cap_init();

	if (caps)
		cap_set_proc(caps);
	cap_free(caps);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

/* Whether the permitted, effective, inheritable or ambient set holds a capability but only
   CAP_DAC_READ_SEARCH (and CAP_BPF with keep_bpf). */
static int holds_other_than(int keep_bpf)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v;
	int other = !caps;

	for (int c = 0; caps && c <= CAP_LAST_CAP && !other; c++) {
		if (c == CAP_DAC_READ_SEARCH || (keep_bpf && c == CAP_BPF))
			continue;
		for (int f = CAP_EFFECTIVE; f <= CAP_INHERITABLE && !other; f++)
			other = cap_get_flag(caps, c, (cap_flag_t)f, &v) || v == CAP_SET;
		other = other || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1;
	}
	cap_free(caps);
	return other;
}

/* Whether the bounding set holds nothing but CAP_DAC_READ_SEARCH. */
static int bounding_reduced(void)
{
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (c != CAP_DAC_READ_SEARCH && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			return 0;
	return 1;
}

static void first_error(int *err, int failed)
{
	if (failed && !*err)
		*err = -errno;
}

int preflight_drop_privileges(uid_t uid, gid_t gid, int keep_bpf, struct preflight_dropped *left)
{
	/*
	 * Locked before the uid changes, while CAP_SETPCAP is still held: uid 0 never regains
	 * capabilities (NOROOT), the uid change keeps them (NO_SETUID_FIXUP, so the one kept
	 * survives it), and neither can be undone, nor ambient capabilities raised.
	 */
	unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
			     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			     SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	int err = 0, locked = prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) == 0;

	first_error(&err, !locked);
	/*
	 * Without CAP_SETPCAP neither the securebits nor the bounding set can change: keep-caps
	 * (allowed to anyone) carries the permitted set across the uid change instead, reduced
	 * right after. Each step is tried whatever failed before it: uid 0 without capabilities
	 * still owns root's files.
	 */
	if (locked)
		first_error(&err, drop_bounding() != 0);
	else
		prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	first_error(&err, setgroups(0, NULL) != 0);
	first_error(&err, setresgid(gid, gid, gid) != 0);
	first_error(&err, setresuid(uid, uid, uid) != 0);
	left->kept_dac_read_search = 0;
	left->kept_bpf = 0;
	/* CAP_BPF where asked for and held; else CAP_DAC_READ_SEARCH alone, if held */
	if (keep_bpf && !keep_only(1)) {
		left->kept_dac_read_search = 1;
		left->kept_bpf = 1;
	} else if (!keep_only(0)) {
		left->kept_dac_read_search = 1;
	} else {
		keep_none();
		if (!err)
			err = -EPERM;
	}
	first_error(&err, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0);
	if (!locked)
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	left->uid = geteuid();
	left->gid = getegid();
	left->bounding_reduced = bounding_reduced();
	/* the promise of this function: never more than the one capability, whatever failed */
	left->other_caps = holds_other_than(left->kept_bpf);
	if (left->other_caps && !err)
		err = -EPERM;
	return err;
}

int preflight_bpf_needs_cap(int map_fd)
{
	cap_t held = cap_get_proc(), none = NULL;
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int r, err;

	if (!held)
		return -errno;
	/* the effective set emptied for one call, the permitted set untouched: raised again after
	 */
	if (!(none = cap_dup(held)) || cap_clear_flag(none, CAP_EFFECTIVE) || cap_set_proc(none)) {
		err = -errno;
		cap_free(none);
		cap_free(held);
		return err ? err : -EPERM;
	}
	memset(&info, 0, sizeof(info));
	r = bpf_obj_get_info_by_fd(map_fd, &info, &len) ? -errno : 0;
	err = cap_set_proc(held) ? -errno : 0;
	cap_free(none);
	cap_free(held);
	if (err)
		return err;
	return r == -EPERM ? 1 : 0;
}
