/* test_ring.c — the SPSC result queue, single-threaded and across threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>

#include "engine/ring.h"

static void test_fill_and_drain(void **state)
{
	struct ring r;
	struct es_result res = { 0 }, out[16];

	(void)state;
	assert_int_equal(ring_init(&r, 5), 0);  /* rounds up to 8 */
	for (uint32_t i = 0; i < 8; i++) {
		res.saddr = i;
		assert_true(ring_push(&r, &res));
	}
	assert_false(ring_push(&r, &res));
	assert_int_equal(ring_pop(&r, out, 3), 3);
	assert_int_equal(out[0].saddr, 0);
	assert_int_equal(out[2].saddr, 2);
	assert_int_equal(ring_pop(&r, out, 16), 5);
	assert_int_equal(out[4].saddr, 7);
	assert_int_equal(ring_pop(&r, out, 16), 0);
	ring_free(&r);
}

#define N_ITEMS 200000u

static void *producer(void *arg)
{
	struct ring *r = arg;
	struct es_result res = { 0 };

	for (uint32_t i = 0; i < N_ITEMS; i++) {
		res.saddr = i;
		while (!ring_push(r, &res))
			sched_yield();
	}
	return NULL;
}

static void test_threads_keep_order(void **state)
{
	struct ring r;
	struct es_result out[64];
	pthread_t t;
	uint32_t expect = 0;

	(void)state;
	assert_int_equal(ring_init(&r, 64), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &r), 0);
	while (expect < N_ITEMS) {
		size_t n = ring_pop(&r, out, 64);

		for (size_t i = 0; i < n; i++)
			assert_int_equal(out[i].saddr, expect++);
	}
	pthread_join(t, NULL);
	ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_and_drain),
		cmocka_unit_test(test_threads_keep_order),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
