/* Unit tests of the naming request queue: order, the merging of lookups, bounds, copies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "enrich/idqueue.h"

static void test_fifo_order(void **state)
{
	struct idqueue q;
	struct idq_item it;

	assert_int_equal(idqueue_init(&q, 8), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LEARN, 7, "/a/b", 4, "runc"), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 9, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_FORGET, 7, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_len(&q), 3);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.kind, IDQ_LEARN);
	assert_int_equal(it.key, 7);
	assert_string_equal(it.path, "/a/b");
	assert_int_equal(it.len, 4);
	assert_string_equal(it.creator, "runc");
	assert_null(it.machine);
	free(it.path);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.kind, IDQ_LOOKUP);
	assert_int_equal(it.key, 9);
	assert_null(it.path);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.kind, IDQ_FORGET);
	assert_int_equal(idqueue_pop(&q, &it), -ENOENT);
	idqueue_free(&q);
}

/* A learn with the machine's name its creator gave: in the path's block, freed with it. */
static void test_learn_machine(void **state)
{
	struct idqueue q;
	struct idq_item it;

	(void)state;
	assert_int_equal(idqueue_init(&q, 8), 0);
	assert_int_equal(idqueue_push_learn(&q, 7, "/u/payload", 10, "systemd-nspawn", "web-1"), 0);
	assert_int_equal(idqueue_push_learn(&q, 8, "/v/payload", 10, "systemd-nspawn", NULL), 0);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.kind, IDQ_LEARN);
	assert_string_equal(it.path, "/u/payload");
	assert_int_equal(it.len, 10);
	assert_string_equal(it.creator, "systemd-nspawn");
	assert_string_equal(it.machine, "web-1");
	assert_ptr_equal(it.machine, it.path + 11);
	free(it.path);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_null(it.machine);
	free(it.path);
	idqueue_free(&q);
}

static void test_lookups_merge(void **state)
{
	struct idqueue q;
	struct idq_item it;

	assert_int_equal(idqueue_init(&q, 8), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 5, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 5, NULL, 0, NULL), 1);
	assert_int_equal(idqueue_len(&q), 1);
	/* a learn of the same cgroup answers too: a lookup after it merges */
	assert_int_equal(idqueue_push(&q, IDQ_LEARN, 6, "/x", 2, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 6, NULL, 0, NULL), 1);
	/* learns and forgets are commands: never merged */
	assert_int_equal(idqueue_push(&q, IDQ_LEARN, 6, "/x", 2, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_FORGET, 5, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_len(&q), 4);
	assert_int_equal(idqueue_pop(&q, &it), 0); /* lookup 5 */
	/* a forget of 5 still waits: a lookup of 5 merges with it (the answer is "gone") */
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 5, NULL, 0, NULL), 1);
	while (idqueue_pop(&q, &it) == 0)
		free(it.path);
	/* once popped, asked again */
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 5, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP_PID, 6, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP_PID, 6, NULL, 0, NULL), 1);
	idqueue_free(&q);
	/* a pid is given again: its lookup after its forget is the next process's, never merged */
	assert_int_equal(idqueue_init(&q, 8), 0);
	assert_int_equal(idqueue_push(&q, IDQ_FORGET, 9, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP_PID, 9, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP_PID, 9, NULL, 0, NULL), 1);
	assert_int_equal(idqueue_len(&q), 2);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.kind, IDQ_FORGET);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.kind, IDQ_LOOKUP_PID);
	assert_int_equal(it.key, 9);
	idqueue_free(&q);
}

static void test_bounded(void **state)
{
	struct idqueue q;
	struct idq_item it;

	assert_int_equal(idqueue_init(&q, 3), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 1, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 2, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LEARN, 3, "/c", 2, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 4, NULL, 0, NULL), -EAGAIN);
	assert_int_equal(idqueue_push(&q, IDQ_LEARN, 4, "/d", 2, NULL), -EAGAIN);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 2, NULL, 0, NULL), 1); /* full, but waits */
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.key, 1);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 4, NULL, 0, NULL), 0);
	/* the ring wraps: order kept */
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.key, 2);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.key, 3);
	free(it.path);
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_int_equal(it.key, 4);
	assert_int_equal(idqueue_len(&q), 0);
	/* freed with a path still queued: no leak (checked under a sanitizer or valgrind) */
	assert_int_equal(idqueue_push(&q, IDQ_LEARN, 9, "/e", 2, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 10, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 11, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LOOKUP, 12, NULL, 0, NULL), -EAGAIN);
	/* forgets have as much room again: a removed cgroup is not kept for want of it */
	for (uint64_t k = 13; k < 16; k++)
		assert_int_equal(idqueue_push(&q, IDQ_FORGET, k, NULL, 0, NULL), 0);
	assert_int_equal(idqueue_push(&q, IDQ_FORGET, 16, NULL, 0, NULL), -EAGAIN);
	assert_int_equal(idqueue_len(&q), 6);
	idqueue_free(&q);
}

static void test_copies_and_refusals(void **state)
{
	struct idqueue q;
	struct idq_item it;
	char path[] = "/system.slice/x";
	char creator[64];

	memset(creator, 'c', sizeof(creator) - 1);
	creator[sizeof(creator) - 1] = '\0';
	assert_int_equal(idqueue_init(&q, 2), 0);
	assert_int_equal(idqueue_push(&q, IDQ_LEARN, 1, NULL, 0, NULL), -EINVAL);
	/* len bytes only, made a string; the caller's buffer may change after */
	assert_int_equal(idqueue_push(&q, IDQ_LEARN, 1, path, 6, creator), 0);
	path[1] = 'X';
	assert_int_equal(idqueue_pop(&q, &it), 0);
	assert_string_equal(it.path, "/syste");
	assert_int_equal(strlen(it.creator), IDQ_CREATOR_LEN - 1); /* cut, terminated */
	free(it.path);
	idqueue_free(&q);
	assert_int_equal(idqueue_init(&q, 0), -EINVAL);
}

/*
 * Against a model (a plain array searched from end to end): random pushes and pops of keys from
 * a small range, so that the hash's runs collide, wrap and are closed again on removal.
 */
static void test_against_model(void **state)
{
	enum { CAP = 13, STEPS = 200000 };
	struct {
		enum idq_kind kind;
		uint64_t key;
	} model[2 * CAP];
	size_t mn = 0;
	struct idqueue q;
	struct idq_item it;
	unsigned int seed = 12345;

	assert_int_equal(idqueue_init(&q, CAP), 0);
	for (int step = 0; step < STEPS; step++) {
		int r = rand_r(&seed) % 10;
		/* 24 keys, half of them spread wider: runs of the hash meet and wrap */
		uint64_t key = (uint64_t)(rand_r(&seed) % 24) * (r & 1 ? 16 : 1);

		if (r < 6) {
			enum idq_kind kind = r < 4 ? IDQ_LOOKUP : r == 4 ? IDQ_FORGET : IDQ_LEARN;
			int want = 0, got;

			if (kind == IDQ_LOOKUP)
				for (size_t i = 0; i < mn; i++)
					if (model[i].key == key)
						want = 1;
			if (!want && mn >= (kind == IDQ_FORGET ? 2 * CAP : CAP))
				want = -EAGAIN;
			got = idqueue_push(&q, kind, key, "/p", 2, NULL);
			assert_int_equal(got, want);
			if (want == 0) {
				model[mn].kind = kind;
				model[mn].key = key;
				mn++;
			}
		} else {
			int got = idqueue_pop(&q, &it);

			if (!mn) {
				assert_int_equal(got, -ENOENT);
				continue;
			}
			assert_int_equal(got, 0);
			assert_int_equal(it.kind, model[0].kind);
			assert_int_equal(it.key, model[0].key);
			free(it.path);
			memmove(model, model + 1, (mn - 1) * sizeof(model[0]));
			mn--;
		}
		assert_int_equal(idqueue_len(&q), mn);
	}
	idqueue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_order),	    cmocka_unit_test(test_learn_machine),
		cmocka_unit_test(test_lookups_merge),	    cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_copies_and_refusals), cmocka_unit_test(test_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
