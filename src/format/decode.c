/* Turns raw system-call values into the words users read: open flags, errno names, addresses. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "format/decode.h"
#include "util.h"

/*
 * Open flags as the kernel defines them (include/uapi/asm-generic/fcntl.h), in octal like the
 * kernel. Deliberately not the libc's O_* macros: those belong to the build machine's arch, and
 * arm64 moves four flags (arch/arm64/include/uapi/asm/fcntl.h); the values below are the ones
 * the traced kernel uses, x86_64 taking the generic ones.
 */
#define K_O_ACCMODE  03
#define K_O_CREAT    0100
#define K_O_EXCL     0200
#define K_O_NOCTTY   0400
#define K_O_TRUNC    01000
#define K_O_APPEND   02000
#define K_O_NONBLOCK 04000
#define K_O_DSYNC    010000
#define K_FASYNC     020000
#if defined(__aarch64__)
#define K_O_DIRECTORY 040000
#define K_O_NOFOLLOW  0100000
#define K_O_DIRECT    0200000
#define K_O_LARGEFILE 0400000
#else
#define K_O_DIRECT    040000
#define K_O_LARGEFILE 0100000
#define K_O_DIRECTORY 0200000
#define K_O_NOFOLLOW  0400000
#endif
#define K_O_NOATIME 01000000
#define K_O_CLOEXEC 02000000
#define K_O_SYNC    (04000000 | K_O_DSYNC) /* __O_SYNC carries O_DSYNC's bit */
#define K_O_PATH    010000000
#define K_O_TMPFILE (020000000 | K_O_DIRECTORY) /* __O_TMPFILE carries O_DIRECTORY's bit */

struct flag_name {
	uint64_t mask;
	const char *name;
};

/* Printed in this order; a composite mask is printed only when all its bits are set. */
static const struct flag_name open_flags[] = {
	{K_O_CREAT, "O_CREAT"},		{K_O_EXCL, "O_EXCL"},
	{K_O_NOCTTY, "O_NOCTTY"},	{K_O_TRUNC, "O_TRUNC"},
	{K_O_APPEND, "O_APPEND"},	{K_O_NONBLOCK, "O_NONBLOCK"},
	{K_O_DSYNC, "O_DSYNC"},		{K_O_SYNC, "O_SYNC"},
	{K_FASYNC, "FASYNC"},		{K_O_DIRECT, "O_DIRECT"},
	{K_O_LARGEFILE, "O_LARGEFILE"}, {K_O_DIRECTORY, "O_DIRECTORY"},
	{K_O_NOFOLLOW, "O_NOFOLLOW"},	{K_O_NOATIME, "O_NOATIME"},
	{K_O_CLOEXEC, "O_CLOEXEC"},	{K_O_PATH, "O_PATH"},
	{K_O_TMPFILE, "O_TMPFILE"},
};

static const struct flag_name resolve_flags[] = {
	{0x01, "RESOLVE_NO_XDEV"}, {0x02, "RESOLVE_NO_MAGICLINKS"}, {0x04, "RESOLVE_NO_SYMLINKS"},
	{0x08, "RESOLVE_BENEATH"}, {0x10, "RESOLVE_IN_ROOT"},	    {0x20, "RESOLVE_CACHED"},
};

/* Generic values (asm-generic/socket.h: O_NONBLOCK and O_CLOEXEC), shared by x86_64 and arm64. */
static const struct flag_name accept_flags[] = {
	{02000000, "SOCK_CLOEXEC"},
	{04000, "SOCK_NONBLOCK"},
};

static void add_hex(struct strbuf *b, uint64_t v)
{
	char tmp[18];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = hex_digit((unsigned int)v);
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	strbuf_add(b, tmp + i, sizeof(tmp) - i);
}

/*
 * Append the names of the masks of tab[0..n) all of whose bits are in v, '|'-separated, after
 * a '|' when sep is set; a mask that another matched entry contains is left out. Returns the
 * bits no name accounted for.
 */
static uint64_t add_flag_names(struct strbuf *b, const struct flag_name *tab, size_t n, uint64_t v,
			       int sep)
{
	uint64_t left = v;
	size_t i, j;

	for (i = 0; i < n; i++) {
		int covered = 0;

		if ((v & tab[i].mask) != tab[i].mask)
			continue;
		for (j = 0; j < n; j++) {
			if (j != i && (v & tab[j].mask) == tab[j].mask &&
			    (tab[j].mask & tab[i].mask) == tab[i].mask &&
			    tab[j].mask != tab[i].mask)
				covered = 1;
		}
		left &= ~tab[i].mask;
		if (covered)
			continue;
		if (sep)
			strbuf_addc(b, '|');
		strbuf_adds(b, tab[i].name);
		sep = 1;
	}
	return left;
}

void decode_open_flags(struct strbuf *b, uint64_t flags)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	uint64_t left;

	strbuf_adds(b, acc[flags & K_O_ACCMODE]);
	left = add_flag_names(b, open_flags, sizeof(open_flags) / sizeof(open_flags[0]),
			      flags & ~(uint64_t)K_O_ACCMODE, 1);
	if (left) {
		strbuf_addc(b, '|');
		add_hex(b, left);
	}
}

static void decode_flag_set(struct strbuf *b, const struct flag_name *tab, size_t n, uint64_t v)
{
	uint64_t left;
	size_t start = b->len;

	if (!v) {
		strbuf_addc(b, '0');
		return;
	}
	left = add_flag_names(b, tab, n, v, 0);
	if (left) {
		if (b->len != start)
			strbuf_addc(b, '|');
		add_hex(b, left);
	}
}

void decode_resolve_flags(struct strbuf *b, uint64_t resolve)
{
	decode_flag_set(b, resolve_flags, sizeof(resolve_flags) / sizeof(resolve_flags[0]),
			resolve);
}

void decode_accept_flags(struct strbuf *b, uint64_t flags)
{
	decode_flag_set(b, accept_flags, sizeof(accept_flags) / sizeof(accept_flags[0]), flags);
}

/* include/uapi/asm-generic/errno-base.h and errno.h: the same numbers on x86_64 and arm64. */
static const char *const errno_names[] = {
	[1] = "EPERM",
	[2] = "ENOENT",
	[3] = "ESRCH",
	[4] = "EINTR",
	[5] = "EIO",
	[6] = "ENXIO",
	[7] = "E2BIG",
	[8] = "ENOEXEC",
	[9] = "EBADF",
	[10] = "ECHILD",
	[11] = "EAGAIN",
	[12] = "ENOMEM",
	[13] = "EACCES",
	[14] = "EFAULT",
	[15] = "ENOTBLK",
	[16] = "EBUSY",
	[17] = "EEXIST",
	[18] = "EXDEV",
	[19] = "ENODEV",
	[20] = "ENOTDIR",
	[21] = "EISDIR",
	[22] = "EINVAL",
	[23] = "ENFILE",
	[24] = "EMFILE",
	[25] = "ENOTTY",
	[26] = "ETXTBSY",
	[27] = "EFBIG",
	[28] = "ENOSPC",
	[29] = "ESPIPE",
	[30] = "EROFS",
	[31] = "EMLINK",
	[32] = "EPIPE",
	[33] = "EDOM",
	[34] = "ERANGE",
	[35] = "EDEADLK",
	[36] = "ENAMETOOLONG",
	[37] = "ENOLCK",
	[38] = "ENOSYS",
	[39] = "ENOTEMPTY",
	[40] = "ELOOP",
	[42] = "ENOMSG",
	[43] = "EIDRM",
	[44] = "ECHRNG",
	[45] = "EL2NSYNC",
	[46] = "EL3HLT",
	[47] = "EL3RST",
	[48] = "ELNRNG",
	[49] = "EUNATCH",
	[50] = "ENOCSI",
	[51] = "EL2HLT",
	[52] = "EBADE",
	[53] = "EBADR",
	[54] = "EXFULL",
	[55] = "ENOANO",
	[56] = "EBADRQC",
	[57] = "EBADSLT",
	[59] = "EBFONT",
	[60] = "ENOSTR",
	[61] = "ENODATA",
	[62] = "ETIME",
	[63] = "ENOSR",
	[64] = "ENONET",
	[65] = "ENOPKG",
	[66] = "EREMOTE",
	[67] = "ENOLINK",
	[68] = "EADV",
	[69] = "ESRMNT",
	[70] = "ECOMM",
	[71] = "EPROTO",
	[72] = "EMULTIHOP",
	[73] = "EDOTDOT",
	[74] = "EBADMSG",
	[75] = "EOVERFLOW",
	[76] = "ENOTUNIQ",
	[77] = "EBADFD",
	[78] = "EREMCHG",
	[79] = "ELIBACC",
	[80] = "ELIBBAD",
	[81] = "ELIBSCN",
	[82] = "ELIBMAX",
	[83] = "ELIBEXEC",
	[84] = "EILSEQ",
	[85] = "ERESTART",
	[86] = "ESTRPIPE",
	[87] = "EUSERS",
	[88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ",
	[90] = "EMSGSIZE",
	[91] = "EPROTOTYPE",
	[92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT",
	[94] = "ESOCKTNOSUPPORT",
	[95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT",
	[97] = "EAFNOSUPPORT",
	[98] = "EADDRINUSE",
	[99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN",
	[101] = "ENETUNREACH",
	[102] = "ENETRESET",
	[103] = "ECONNABORTED",
	[104] = "ECONNRESET",
	[105] = "ENOBUFS",
	[106] = "EISCONN",
	[107] = "ENOTCONN",
	[108] = "ESHUTDOWN",
	[109] = "ETOOMANYREFS",
	[110] = "ETIMEDOUT",
	[111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN",
	[113] = "EHOSTUNREACH",
	[114] = "EALREADY",
	[115] = "EINPROGRESS",
	[116] = "ESTALE",
	[117] = "EUCLEAN",
	[118] = "ENOTNAM",
	[119] = "ENAVAIL",
	[120] = "EISNAM",
	[121] = "EREMOTEIO",
	[122] = "EDQUOT",
	[123] = "ENOMEDIUM",
	[124] = "EMEDIUMTYPE",
	[125] = "ECANCELED",
	[126] = "ENOKEY",
	[127] = "EKEYEXPIRED",
	[128] = "EKEYREVOKED",
	[129] = "EKEYREJECTED",
	[130] = "EOWNERDEAD",
	[131] = "ENOTRECOVERABLE",
	[132] = "ERFKILL",
	[133] = "EHWPOISON",
};

/*
 * Kernel-internal codes (include/linux/errno.h). A process never sees the ERESTART* ones, but
 * a sys_exit tracepoint does: it runs before signal delivery turns them into EINTR or restarts
 * the call (an accept() interrupted by a signal exits with ERESTARTSYS there). ENOTSUPP leaks
 * to user space from some drivers and from BPF.
 */
static const char *const kernel_errno_names[] = {
	[512 - 512] = "ERESTARTSYS",	[513 - 512] = "ERESTARTNOINTR",
	[514 - 512] = "ERESTARTNOHAND", [516 - 512] = "ERESTART_RESTARTBLOCK",
	[524 - 512] = "ENOTSUPP",
};

const char *decode_errno_name(int err)
{
	if (err > 0 && (size_t)err < sizeof(errno_names) / sizeof(errno_names[0]))
		return errno_names[err];
	if (err >= 512 &&
	    (size_t)(err - 512) < sizeof(kernel_errno_names) / sizeof(kernel_errno_names[0]))
		return kernel_errno_names[err - 512];
	return NULL;
}

static void add_ipv4(struct strbuf *b, const unsigned char *a)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			strbuf_addc(b, '.');
		strbuf_addu(b, a[i]);
	}
}

/* RFC 5952: lowercase, no leading zeros, the longest run (first on a tie) of two or more zero
 * groups as "::", and ::ffff:a.b.c.d for an IPv4-mapped address. */
static void add_ipv6(struct strbuf *b, const unsigned char *a)
{
	unsigned int w[8];
	int i, best = -1, bestlen = 1, cur = -1;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0)
				cur = i;
			if (i - cur + 1 > bestlen) {
				best = cur;
				bestlen = i - cur + 1;
			}
		} else {
			cur = -1;
		}
	}
	if (best == 0 && bestlen == 5 && w[5] == 0xffff) {
		strbuf_add(b, "::ffff:", 7);
		add_ipv4(b, a + 12);
		return;
	}
	for (i = 0; i < 8; i++) {
		char tmp[4];
		int n = 0, shift;

		if (i == best) {
			strbuf_add(b, "::", 2);
			i += bestlen - 1;
			continue;
		}
		if (i && i != best + bestlen)
			strbuf_addc(b, ':');
		for (shift = 12; shift > 0 && !(w[i] >> shift); shift -= 4)
			;
		for (; shift >= 0; shift -= 4)
			tmp[n++] = hex_digit(w[i] >> shift);
		strbuf_add(b, tmp, n);
	}
}

static void add_port(struct strbuf *b, const unsigned char *p)
{
	strbuf_addc(b, ':');
	strbuf_addu(b, (unsigned int)p[0] << 8 | p[1]);
}

/* Largest sun_path the kernel accepts (struct sockaddr_un). */
#define UNIX_PATH_MAX 108

int decode_sockaddr(struct strbuf *b, const void *sa, size_t len)
{
	const unsigned char *p = sa;
	uint16_t family;

	if (!sa || len < sizeof(family))
		return -EINVAL;
	memcpy(&family, p, sizeof(family)); /* sa_family_t: host byte order */
	switch (family) {
	case 2: /* AF_INET: family, port, address */
		if (len < 8)
			return -EINVAL;
		add_ipv4(b, p + 4);
		add_port(b, p + 2);
		return 0;
	case 10: { /* AF_INET6: family, port, flowinfo, address, scope id (optional, RFC 2133) */
		uint32_t scope = 0;

		if (len < 24)
			return -EINVAL;
		if (len >= 28)
			memcpy(&scope, p + 24, sizeof(scope));
		strbuf_addc(b, '[');
		add_ipv6(b, p + 8);
		if (scope) {
			strbuf_addc(b, '%');
			strbuf_addu(b, scope);
		}
		strbuf_addc(b, ']');
		add_port(b, p + 2);
		return 0;
	}
	case 1: { /* AF_UNIX */
		const unsigned char *path = p + 2;
		size_t n = len - 2, i;

		if (n > UNIX_PATH_MAX)
			n = UNIX_PATH_MAX;
		strbuf_add(b, "unix:", 5);
		if (n == 0)
			return 0; /* unnamed */
		if (path[0] != 0) {
			const unsigned char *nul = memchr(path, 0, n);

			strbuf_add(b, path, nul ? (size_t)(nul - path) : n);
			return 0;
		}
		/* Abstract: every byte up to len counts; show NULs as '@' like ss(8). */
		for (i = 0; i < n; i++)
			strbuf_addc(b, path[i] ? (char)path[i] : '@');
		return 0;
	}
	default:
		strbuf_add(b, "family:", 7);
		strbuf_addu(b, family);
		return 0;
	}
}
