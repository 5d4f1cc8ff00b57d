/* A FUSE file system whose every lookup below its root stalls while a gate file exists: a runtime
 * state directory on a hung mount, for the tests. */
/*
 * Usage: stallfs GATE MOUNTPOINT [FUSE options]
 * The root is an empty directory; looking up any name in it waits until GATE is removed, then
 * fails with ENOENT. Writes MOUNTPOINT's first stalled lookup to stderr ("stalled: /name").
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int stallfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	const char *gate;

	(void)fi;
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	gate = fuse_get_context()->private_data;
	fprintf(stderr, "stalled: %s\n", path);
	while (access(gate, F_OK) == 0)
		usleep(20000);
	return -ENOENT;
}

static int stallfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			   struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)path;
	(void)off;
	(void)fi;
	(void)flags;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	return 0;
}

static const struct fuse_operations stallfs_ops = {
	.getattr = stallfs_getattr,
	.readdir = stallfs_readdir,
};

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: stallfs GATE MOUNTPOINT [FUSE options]\n", stderr);
		return 2;
	}
	char *gate = argv[1];

	argv[1] = argv[0];
	return fuse_main(argc - 1, argv + 1, &stallfs_ops, gate);
}
