/* Unit tests of the receiver of gVisor's remote sink on a real unix socket (no privileges): the
   handshake, points in order with their container, bad messages counted and the connection kept,
   the queue's bound, several sandboxes at once, a stale socket replaced and a file kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gvisor.pb-c.h"
#include "trace/gvisor_listen.h"
#include "trace/gvisor_point.h"

static char dir[256], path[300];
static struct engine_dirs nodirs; /* no runsc root: containers named by what points say */

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/cc-gvl-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gv.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

/* A sandbox: connected, its handshake sent and answered. */
static int sandbox(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	unsigned char in[16];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	strcpy(a.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, "\x08\x01", 2, 0), 2);
	assert_int_equal(recv(fd, in, sizeof(in), 0), 2);
	assert_memory_equal(in, "\x08\x01", 2);
	return fd;
}

/* close(fd) = 0 by pid in container id, with the sink's dropped count. */
static void send_close(int sfd, int pid, const char *id, int fd, uint32_t dropped)
{
	unsigned char m[256];
	uint16_t hs = 8, type = GVISOR_MSG_CLOSE;
	Ccgv__ContextData cd = CCGV__CONTEXT_DATA__INIT;
	Ccgv__Exit ex = CCGV__EXIT__INIT;
	Ccgv__Close c = CCGV__CLOSE__INIT;
	size_t n;

	cd.thread_group_id = cd.thread_id = pid;
	cd.container_id = (char *)id;
	cd.process_name = "sh";
	c.context_data = &cd;
	c.exit = &ex;
	c.sysno = SYS_close;
	c.fd = fd;
	memcpy(m, &hs, 2);
	memcpy(m + 2, &type, 2);
	memcpy(m + 4, &dropped, 4);
	n = 8 + ccgv__close__pack(&c, m + 8);
	assert_int_equal(send(sfd, m, n, 0), (ssize_t)n);
}

struct got {
	int n;
	int fds[16];
	char ids[16][CONTAINER_ID_LEN];
};

static void take(void *ctx, struct cc_event *ev, size_t size, const struct container_info *ci,
		 int64_t time_ns)
{
	struct got *g = ctx;

	(void)size;
	(void)time_ns;
	assert_string_equal(ci->runtime, "runsc");
	assert_string_equal(ci->sandbox, "gvisor");
	if (g->n < 16) {
		g->fds[g->n] = ev->fd;
		strcpy(g->ids[g->n], ci->id);
	}
	g->n++;
}

/* Wait until the receiver counted want messages in all (points, bad and ignored). */
static void settle(struct gvisor_listener *g, uint64_t want)
{
	struct gvisor_stats st;

	for (int i = 0; i < 500; i++) {
		gvisor_listen_stats(g, &st);
		if (st.points + st.queue_full + st.malformed + st.oversized + st.ignored >= want)
			return;
		usleep(10000);
	}
	fail_msg("the receiver did not count %llu messages", (unsigned long long)want);
}

static void test_points(void **state)
{
	struct gvisor_listener *g;
	struct gvisor_stats st;
	struct got got = {0};
	struct pollfd p;
	static unsigned char big[GVISOR_MSG_MAX + 100];
	int a, b;

	(void)state;
	assert_int_equal(gvisor_listen_open(&g, path, &nodirs), 0);
	assert_int_equal(gvisor_listen_start(g), 0);
	a = sandbox();
	b = sandbox();
	send_close(a, 1, "ctr-a", 3, 0);
	assert_int_equal(send(a, "\x08\x00\x07\x00", 4, 0), 4); /* shorter than a header */
	memset(big, 0, sizeof(big));
	assert_int_equal(send(a, big, sizeof(big), 0), (ssize_t)sizeof(big)); /* oversized */
	send_close(a, 1, "ctr-a", 4, 2); /* the sink dropped 2 meanwhile */
	send_close(b, 9, "ctr-b", 5, 0);
	settle(g, 5);
	p.fd = gvisor_listen_fd(g);
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_int_equal(gvisor_listen_take(g, 100, take, &got), 3);
	assert_int_equal(got.n, 3);
	/* a's in order, b's with its own container */
	for (int i = 0, k = 0; i < 3; i++) {
		if (strcmp(got.ids[i], "ctr-a") == 0)
			assert_int_equal(got.fds[i], 3 + k++);
		else
			assert_string_equal(got.ids[i], "ctr-b");
	}
	assert_int_equal(poll(&p, 1, 0), 0); /* nothing left: not readable */
	gvisor_listen_stats(g, &st);
	assert_int_equal(st.connections, 2);
	assert_int_equal(st.points, 3);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.oversized, 1);
	assert_int_equal(st.sandbox_dropped, 2);
	assert_int_equal(st.queue_full, 0);
	close(a);
	close(b);
	gvisor_listen_free(g);
	assert_int_equal(access(path, F_OK), -1); /* the socket removed */
}

static void test_bound(void **state)
{
	struct gvisor_listener *g;
	struct gvisor_stats st;
	struct got got = {0};
	int a;

	(void)state;
	assert_int_equal(gvisor_listen_open(&g, path, &nodirs), 0);
	assert_int_equal(gvisor_listen_start(g), 0);
	a = sandbox();
	for (int i = 0; i < GVISOR_QUEUE_MAX + 10; i++)
		send_close(a, 1, "c", 3, 0);
	settle(g, GVISOR_QUEUE_MAX + 10);
	gvisor_listen_stats(g, &st);
	assert_int_equal(st.points, GVISOR_QUEUE_MAX);
	assert_int_equal(st.queue_full, 10);
	assert_int_equal(gvisor_listen_take(g, 1000, take, &got), 1000);
	assert_int_equal(gvisor_listen_take(g, SIZE_MAX, take, &got), GVISOR_QUEUE_MAX - 1000);
	/* a handshake of a version this side does not speak is refused */
	{
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		char c;

		strcpy(sa.sun_path, path);
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(send(fd, "\x08\x00", 2, 0), 2); /* version 0 */
		assert_int_equal(recv(fd, &c, 1, 0), 0);	 /* closed */
		close(fd);
	}
	gvisor_listen_stats(g, &st);
	assert_int_equal(st.refused, 1);
	close(a);
	gvisor_listen_free(g); /* with connections open */
}

static void test_path(void **state)
{
	struct gvisor_listener *g, *h;
	int fd;

	(void)state;
	/* a stale socket (nobody listening) is replaced; a live one is not */
	assert_int_equal(gvisor_listen_open(&g, path, &nodirs), 0);
	assert_int_equal(gvisor_listen_open(&h, path, &nodirs), -EADDRINUSE);
	gvisor_listen_free(g);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	{
		struct sockaddr_un a = {.sun_family = AF_UNIX};

		strcpy(a.sun_path, path);
		assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	}
	close(fd);
	assert_int_equal(gvisor_listen_open(&g, path, &nodirs), 0);
	gvisor_listen_free(g);
	/* a regular file is never removed */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(gvisor_listen_open(&g, path, &nodirs), -EADDRINUSE);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
