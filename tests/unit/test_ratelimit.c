/* Unit tests of --rate-limit: the bucket's arithmetic against a plain token bucket (long runs,
   the clock's wrap, jumps forwards and backwards), the counts read per container, the record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bpf/event.h"
#include "bpf/ratelimit.h"
#include "format/throttled.h"
#include "trace/deferral.h"
#include "trace/throttle.h"

/* The model: a bucket of burst tokens refilled at one token per interval, kept as the credit in
   the bucket's time units, on a clock that is never wrapped (128 bits). */
struct model {
	unsigned __int128 credit, cap, last;
	uint64_t interval;
};

static void model_init(struct model *m, uint32_t rate, uint32_t burst, unsigned __int128 t0)
{
	m->interval = cc_rl_interval(rate);
	m->cap = (unsigned __int128)m->interval * burst;
	m->credit = m->cap;
	m->last = t0;
}

static int model_admit(struct model *m, unsigned __int128 t)
{
	if (t > m->last) {
		m->credit += t - m->last;
		if (m->credit > m->cap)
			m->credit = m->cap;
		m->last = t;
	}
	if (m->credit < m->interval)
		return 0;
	m->credit -= m->interval;
	return 1;
}

/* The kernel's sequence: admit, then raise tat to its base and add one interval. */
static int bucket_admit(uint64_t *tat, uint64_t now, uint32_t rate, uint32_t burst)
{
	__u64 base;

	if (!cc_rl_admit(*tat, now, cc_rl_tolerance(rate, burst), &base))
		return 0;
	*tat = base + cc_rl_interval(rate);
	return 1;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* n events with random gaps around the interval (so the bucket is full, empty and between),
   starting at start on the 64-bit clock: every decision as the model's. */
static void run_against_model(uint32_t rate, uint32_t burst, uint64_t start, long n)
{
	uint64_t interval = cc_rl_interval(rate), tat = start, now = start;
	unsigned __int128 t = 0;
	struct model m;
	long admitted = 0;

	model_init(&m, rate, burst, 0);
	for (long i = 0; i < n; i++) {
		uint64_t r = next_rand(), gap;

		/* mostly floods (gaps far below the interval), some idle times above the burst */
		if (r % 100 < 90)
			gap = r % (interval / 4 + 1);
		else if (r % 100 < 99)
			gap = r % (interval * 2 + 1);
		else
			gap = r % (interval * ((uint64_t)burst + 3) + 1);
		now += gap;
		t += gap;
		int want = model_admit(&m, t), got = bucket_admit(&tat, now, rate, burst);

		if (want != got)
			fail_msg("rate %u burst %u: event %ld at %llu: bucket %d, model %d", rate,
				 burst, i, (unsigned long long)now, got, want);
		admitted += got;
	}
	/* never more than the burst and the refill of the time that passed */
	assert_true((unsigned __int128)admitted <= burst + t / interval);
}

static void test_long_runs(void **state)
{
	static const uint32_t rates[] = {1, 3, 7, 1000, 99991, 100000, CC_RL_MAX};

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		run_against_model(rates[i], rates[i], 1000, 200000);
		run_against_model(rates[i], 1, 1000, 100000);
		run_against_model(rates[i], 16, 1000, 100000);
	}
}

/* The 64-bit clock in the bucket's units wraps (after 36 years of uptime, or at any start for
   the test): decisions are the same as on a clock that does not. */
static void test_clock_wrap(void **state)
{
	run_against_model(1000, 1000, UINT64_MAX - cc_rl_interval(1000) * 5000, 300000);
	run_against_model(CC_RL_MAX, 64, UINT64_MAX - 100, 300000);
	run_against_model(1, 1, UINT64_MAX - cc_rl_interval(1) / 2, 10000);
}

/* Saturated for one second from a full bucket: the burst, then one event per interval. */
static void test_one_second(void **state)
{
	static const uint32_t rates[] = {1, 10, 1000, 250000};

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint32_t rate = rates[i];
		uint64_t start = cc_rl_time(5000000000ull), tat = start, step = cc_rl_time(1000);
		long admitted = 0;

		for (uint64_t now = start; now <= start + cc_rl_time(1000000000ull); now += step)
			admitted += bucket_admit(&tat, now, rate, rate);
		assert_int_equal(admitted, 2 * (long)rate);
	}
}

/* A jump forwards by any amount refills to the burst, never past it; no overflow. */
static void test_jump_forwards(void **state)
{
	static const uint64_t jumps[] = {1ull << 40, 1ull << 62, (1ull << 63) - 1};
	uint32_t rate = 1000, burst = 50;

	for (size_t i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
		uint64_t now = 12345, tat = now;
		int n = 0;

		while (bucket_admit(&tat, now, rate, burst))
			n++;
		assert_int_equal(n, burst);
		now += jumps[i];
		n = 0;
		while (bucket_admit(&tat, now, rate, burst) && n <= (int)burst)
			n++;
		assert_int_equal(n, burst);
	}
}

/* A jump backwards admits nothing until the clock is back where the bucket was (never a burst
   from a difference read as huge), then as before. */
static void test_jump_backwards(void **state)
{
	uint32_t rate = 1000, burst = 10;
	uint64_t interval = cc_rl_interval(rate), now = 1ull << 50, tat = now;
	int n = 0;

	while (bucket_admit(&tat, now, rate, burst))
		n++;
	assert_int_equal(n, burst);
	for (uint64_t back = interval; back < (1ull << 62); back *= 7)
		assert_int_equal(bucket_admit(&tat, now - back, rate, burst), 0);
	/* one interval later (on the clock that went back and came again): one event */
	assert_int_equal(bucket_admit(&tat, now + interval, rate, burst), 1);
	assert_int_equal(bucket_admit(&tat, now + interval, rate, burst), 0);
}

/* The interval is 1/rate seconds rounded down in 1/16 ns: the rate is exceeded by less than
   0.07% at the highest rate allowed, and never undercut. */
static void test_interval(void **state)
{
	const uint64_t second = 1000000000ull << CC_RL_SHIFT;

	for (uint32_t rate = 1; rate <= CC_RL_MAX; rate += rate < 100 ? 1 : rate / 7) {
		uint64_t t = cc_rl_interval(rate);

		assert_true(t * rate <= second);
		assert_true((t + 1) * rate > second);
		assert_true((double)(second - t * rate) / (double)second < 0.0007);
	}
	assert_int_equal(cc_rl_tolerance(100, 1), 0);
	assert_int_equal(cc_rl_tolerance(100, 100), 99 * cc_rl_interval(100));
}

static void test_delta(void **state)
{
	struct throttle t = {0};
	uint64_t c[CC_SYS_MAX] = {0}, d[CC_SYS_MAX];

	c[CC_SYS_OPENAT] = 5;
	assert_int_equal(throttle_delta(&t, 77, c, d), 5); /* new: all of it */
	assert_int_equal(d[CC_SYS_OPENAT], 5);
	c[CC_SYS_OPENAT] = 12;
	c[CC_SYS_CLOSE] = 3;
	assert_int_equal(throttle_delta(&t, 77, c, d), 10);
	assert_int_equal(d[CC_SYS_OPENAT], 7);
	assert_int_equal(d[CC_SYS_CLOSE], 3);
	assert_int_equal(throttle_delta(&t, 77, c, d), 0); /* nothing new */
	/* evicted and made again: its counts started over */
	memset(c, 0, sizeof(c));
	c[CC_SYS_CLOSE] = 2;
	assert_int_equal(throttle_delta(&t, 77, c, d), 2);
	assert_int_equal(d[CC_SYS_OPENAT], 0);
	assert_int_equal(d[CC_SYS_CLOSE], 2);
	assert_int_equal(t.reported, 17);
	/* many keys in any order: each found again */
	for (uint32_t k = 0; k < 3000; k++) {
		memset(c, 0, sizeof(c));
		c[CC_SYS_OPEN] = 1;
		assert_int_equal(throttle_delta(&t, (k * 2654435761u) % 100003, c, d), 1);
	}
	for (uint32_t k = 0; k < 3000; k++) {
		c[CC_SYS_OPEN] = 4;
		assert_int_equal(throttle_delta(&t, (k * 2654435761u) % 100003, c, d), 3);
	}
	for (size_t i = 1; i < t.n; i++)
		assert_true(t.seen[i - 1].key < t.seen[i].key);
	assert_int_equal(t.n, 3001);
	assert_int_equal(t.reported, 17 + 3000 * 4);
	throttle_free(&t);
}

/* A container's name outlives its cgroup: the copy kept names its last throttled events. */
static void test_name_kept(void **state)
{
	struct throttle t = {0};
	uint64_t c[CC_SYS_MAX] = {1}, d[CC_SYS_MAX];
	struct cgroup_identity id = {.cgroup_id = 9, .path = "/web"}, *kept;
	const struct cgroup_identity *got;
	char path[] = "/web";

	id.path = path;
	id.ctr.is_container = true;
	strcpy(id.ctr.name, "web");
	assert_null(throttle_name(&t, 5, 9, NULL)); /* a bucket not seen */
	assert_ptr_equal(throttle_name(&t, 5, 9, &id), &id);
	assert_int_equal(throttle_delta(&t, 5, c, d), 1);
	assert_ptr_equal(throttle_name(&t, 5, 9, &id), &id);
	path[1] = 'x'; /* the caller's copy changes: not the one kept */
	got = throttle_name(&t, 5, 9, NULL);
	assert_non_null(got);
	assert_string_equal(got->path, "/web");
	assert_string_equal(got->ctr.name, "web");
	assert_null(throttle_name(&t, 5, 10, NULL)); /* another cgroup of the bucket: unknown */
	kept = t.seen[0].named;
	assert_non_null(kept);
	throttle_free(&t);
}

/* A sandbox's bucket named from its events before any was throttled: its first throttled
   record, read once the sandbox is no longer named, has that name; its counts start whole. */
static void test_name_kept_early(void **state)
{
	struct throttle t = {0};
	uint64_t c[CC_SYS_MAX] = {27}, d[CC_SYS_MAX];
	struct cgroup_identity id = {.cgroup_id = 1}, *kept;
	const struct cgroup_identity *got;
	char path[] = "/";

	(void)state;
	id.path = path;
	id.ctr.is_container = true;
	strcpy(id.ctr.runtime, "runsc");
	strcpy(id.ctr.id, "sb");
	assert_int_equal(throttle_keep(&t, 4026532243u, &id), 0);
	assert_int_equal(throttle_keep(&t, 4026532243u, &id), 0); /* again: one entry */
	assert_int_equal(t.n, 1);
	path[0] = 'x';
	got = throttle_name(&t, 4026532243u, 1, NULL);
	assert_non_null(got);
	assert_string_equal(got->ctr.runtime, "runsc");
	assert_string_equal(got->ctr.id, "sb");
	assert_string_equal(got->path, "/");
	assert_int_equal(throttle_delta(&t, 4026532243u, c, d), 27);
	assert_int_equal(d[0], 27);
	assert_false(throttle_must_wait(&t, 4026532243u, 1, NULL, true, false));
	kept = t.seen[0].named;
	assert_non_null(kept);
	throttle_free(&t);
}

static void test_record_json(void **state)
{
	struct output o;
	struct cgroup_identity id = {.cgroup_id = 4242, .path = "/web\n1"};
	struct throttled_rec r = {.wall_ns = 1764990000123456789ull,
				  .interval_ns = 1000000000ull,
				  .pidns = 4026532180u,
				  .cgroup_id = 4242,
				  .total = 99};
	const char *want =
		"{\"time\":\"2025-12-06T03:00:00.123456Z\",\"type\":\"throttled\","
		"\"interval_ns\":1000000000,\"host\":false,\"pidns\":4026532180,\"mntns\":null,"
		"\"cgroup_id\":4242,"
		"\"cgroup\":\"/web\\n1\",\"container_id\":\"abc\",\"container_runtime\":\"runc\","
		"\"container_name\":\"web\",\"container_image\":null,\"k8s_namespace\":null,"
		"\"k8s_pod\":null,\"k8s_pod_uid\":null,\"k8s_container\":null,"
		"\"counts\":{\"openat\":40,\"close\":2},\"throttled\":42,\"throttled_total\":99}\n";

	id.ctr.is_container = true;
	strcpy(id.ctr.id, "abc");
	strcpy(id.ctr.runtime, "runc");
	strcpy(id.ctr.name, "web");
	r.counts[CC_SYS_OPENAT] = 40;
	r.counts[CC_SYS_CLOSE] = 2;
	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	output_throttled(&o, &r, &id);
	assert_int_equal(o.buf.len, strlen(want));
	assert_memory_equal(o.buf.buf, want, strlen(want));
	output_free(&o);
}

static void test_record_host_and_table(void **state)
{
	struct output o;
	struct throttled_rec r = {.wall_ns = 1764990000000000000ull, .interval_ns = 1500000000ull};
	const char *json_want =
		"{\"time\":\"2025-12-06T03:00:00.000000Z\",\"type\":\"throttled\","
		"\"interval_ns\":1500000000,\"host\":true,\"pidns\":null,\"mntns\":null,"
		"\"cgroup_id\":0,"
		"\"cgroup\":null,\"container_id\":null,\"container_runtime\":null,"
		"\"container_name\":null,\"container_image\":null,\"k8s_namespace\":null,"
		"\"k8s_pod\":null,\"k8s_pod_uid\":null,\"k8s_container\":null,"
		"\"counts\":{\"open\":1},\"throttled\":1,\"throttled_total\":0}\n";
	const char *table_want = "03:00:00 throttled 1 events of the host in 1.500 s: open 1\n";
	struct cgroup_identity id = {.cgroup_id = 7, .path = "/x"};
	const char *ns_want = "03:00:00 throttled 3 events of pid namespace 5 (cgroup /x) in 1.500 "
			      "s: open 1, connect 2\n";

	r.counts[CC_SYS_OPEN] = 1;
	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	output_throttled(&o, &r, NULL);
	assert_int_equal(o.buf.len, strlen(json_want));
	assert_memory_equal(o.buf.buf, json_want, strlen(json_want));
	output_free(&o);
	output_init(&o, OUTPUT_TABLE, BY_UTS, 0);
	o.utc = 1;
	output_throttled(&o, &r, NULL);
	assert_int_equal(o.buf.len, strlen(table_want));
	assert_memory_equal(o.buf.buf, table_want, strlen(table_want));
	o.buf.len = 0;
	r.pidns = 5;
	r.counts[CC_SYS_CONNECT] = 2;
	output_throttled(&o, &r, &id);
	assert_int_equal(o.buf.len, strlen(ns_want));
	assert_memory_equal(o.buf.buf, ns_want, strlen(ns_want));
	/* a bucket keyed by a mount namespace (a gVisor sandbox's): not the host's */
	o.buf.len = 0;
	r.pidns = 0;
	r.mntns = 6;
	output_throttled(&o, &r, &id);
	strbuf_addc(&o.buf, '\0');
	assert_string_equal(o.buf.buf + 9, "throttled 3 events of mount namespace 6 (cgroup /x) in "
					   "1.500 s: open 1, connect 2\n");
	output_free(&o);
	output_init(&o, OUTPUT_JSON, BY_UTS, 0);
	output_throttled(&o, &r, &id);
	strbuf_addc(&o.buf, '\0');
	assert_non_null(strstr(o.buf.buf, ",\"host\":false,\"pidns\":null,\"mntns\":6,"));
	output_free(&o);
}

/* A throttled record waits for its cgroup's name where cgroups are named, unless a copy of the
   name is kept; it never passes its cgroup's records held already. */
static void test_must_wait(void **state)
{
	struct throttle t = {0};
	uint64_t c[CC_SYS_MAX] = {1}, d[CC_SYS_MAX];
	struct cgroup_identity id = {.cgroup_id = 9};

	assert_true(throttle_must_wait(&t, 5, 9, NULL, true, false));	/* not named */
	assert_false(throttle_must_wait(&t, 5, 9, &id, true, false));	/* named */
	assert_true(throttle_must_wait(&t, 5, 9, &id, true, true));	/* behind held ones */
	assert_false(throttle_must_wait(&t, 5, 9, NULL, false, false)); /* nothing names it */
	assert_false(throttle_must_wait(&t, 5, 0, NULL, true, false));	/* no cgroup read */
	assert_true(throttle_must_wait(&t, 0, 9, NULL, true, false));	/* the host's too */
	assert_int_equal(throttle_delta(&t, 5, c, d), 1);
	assert_ptr_equal(throttle_name(&t, 5, 9, &id), &id); /* kept for bucket 5, cgroup 9 */
	assert_false(throttle_must_wait(&t, 5, 9, NULL, true, false)); /* the copy names it */
	assert_true(throttle_must_wait(&t, 5, 9, NULL, true, true));
	assert_true(throttle_must_wait(&t, 5, 10, NULL, true, false)); /* another cgroup: not */
	throttle_free(&t);
}

/* What the held records hand back, in order, and whether named then. */
struct held_seen {
	uint64_t known;
	unsigned char out[4][sizeof(struct throttle_held)];
	size_t size[4];
	bool out_known[4];
	size_t n;
};

static bool held_known(void *ctx, uint64_t key)
{
	return ((struct held_seen *)ctx)->known == key;
}

static void held_emit(void *ctx, const void *data, size_t size, bool known)
{
	struct held_seen *s = ctx;

	assert_true(s->n < 4);
	assert_true(size <= sizeof(s->out[0]));
	memcpy(s->out[s->n], data, size);
	s->size[s->n] = size;
	s->out_known[s->n++] = known;
}

/* A throttled record held as the events are: out whole once its cgroup is named, behind the
   cgroup's records held before it, or at its deadline unnamed. */
static void test_held_record(void **state)
{
	struct held_seen s = {0};
	const struct deferral_ops ops = {held_known, held_emit, &s, NULL, NULL};
	struct throttle_held h = {.type = THROTTLE_REC_HELD, .key = 4026532180u}, h2;
	uint32_t ev = CC_REC_SYSCALL; /* an event of the same cgroup, held before */
	struct deferral d;

	assert_true(THROTTLE_REC_HELD > CC_REC_PROC_EXEC); /* never a kernel record's type */
	h.rec.cgroup_id = 77;
	h.rec.pidns = h.key;
	h.rec.counts[CC_SYS_OPENAT] = 4321;
	h.rec.total = 5000;
	h.rec.interval_ns = 1000000000ull;
	h2 = h;
	h2.key = 4026532199u;
	h2.rec.cgroup_id = 88;
	assert_int_equal(deferral_init(&d, 8, 4096), 0);
	assert_int_equal(deferral_push(&d, &ops, 77, 100, &ev, sizeof(ev)), 0);
	assert_int_equal(deferral_push(&d, &ops, 77, 150, &h, sizeof(h)), 0);
	assert_int_equal(deferral_push(&d, &ops, 88, 150, &h2, sizeof(h2)), 0);
	assert_int_equal(deferral_release(&d, &ops, 50, false), 0); /* none named, none due */
	s.known = 77;
	assert_int_equal(deferral_release(&d, &ops, 60, false), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.size[0], sizeof(ev)); /* the event first */
	assert_int_equal(s.size[1], sizeof(h));
	assert_memory_equal(s.out[1], &h, sizeof(h));
	assert_true(s.out_known[1]);
	assert_int_equal(deferral_release(&d, &ops, 149, false), 0); /* 88: not yet due */
	assert_int_equal(deferral_release(&d, &ops, 150, false), 1); /* due: out unnamed */
	assert_int_equal(s.size[2], sizeof(h2));
	assert_memory_equal(s.out[2], &h2, sizeof(h2));
	assert_false(s.out_known[2]);
	assert_true(deferral_empty(&d));
	deferral_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_kept_early),
		cmocka_unit_test(test_long_runs),
		cmocka_unit_test(test_clock_wrap),
		cmocka_unit_test(test_one_second),
		cmocka_unit_test(test_jump_forwards),
		cmocka_unit_test(test_jump_backwards),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_name_kept),
		cmocka_unit_test(test_record_json),
		cmocka_unit_test(test_record_host_and_table),
		cmocka_unit_test(test_must_wait),
		cmocka_unit_test(test_held_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
