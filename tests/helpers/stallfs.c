/* A FUSE file system whose every lookup below its root stalls while a gate file exists: a runtime
 * state directory on a hung (or, with -d, slow) mount, for the tests and the benchmark. */
/*
 * Usage: stallfs [-d MS] GATE MOUNTPOINT [FUSE options]
 * The root is an empty directory; looking up any name in it waits until GATE is removed (and,
 * with -d, MS milliseconds at least), then fails with ENOENT. Writes each lookup to stderr
 * ("stalled: /name").
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct stallfs {
	const char *gate;
	long delay_ms;
};

static int stallfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	const struct stallfs *fs;

	(void)fi;
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	fs = fuse_get_context()->private_data;
	fprintf(stderr, "stalled: %s\n", path);
	if (fs->delay_ms > 0)
		usleep((useconds_t)fs->delay_ms * 1000);
	while (access(fs->gate, F_OK) == 0)
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
	struct stallfs fs = {0};
	int skip = 1;

	if (argc >= 3 && strcmp(argv[1], "-d") == 0) {
		fs.delay_ms = strtol(argv[2], NULL, 10);
		skip = 3;
	}
	if (argc - skip < 2 || fs.delay_ms < 0) {
		fputs("usage: stallfs [-d MS] GATE MOUNTPOINT [FUSE options]\n", stderr);
		return 2;
	}
	fs.gate = argv[skip];
	argv[skip] = argv[0];
	return fuse_main(argc - skip, argv + skip, &stallfs_ops, &fs);
}
