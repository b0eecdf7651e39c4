/*
 * test_neigh.c — the on-link MAC table: insert/lookup/count on a table of
 * cases (new, same, changed, edge addresses and MACs), a large random run
 * checked against a plain reference array, free and reuse; and the
 * kernel prefill's argument check and netlink round trip (read-only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/neigh.h"

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void test_empty(void **state)
{
	(void)state;
	struct neigh_table t;
	uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 };
	static const uint8_t nine[6] = { 9, 9, 9, 9, 9, 9 };

	neigh_init(&t);
	assert_int_equal(neigh_count(&t), 0);
	assert_false(neigh_lookup(&t, 0, mac));
	assert_false(neigh_lookup(&t, 0xc6120501u, mac));
	assert_memory_equal(mac, nine, 6);       /* untouched when absent */
	assert_false(t.oom);
	neigh_free(&t);
	neigh_free(&t);                          /* twice is fine */
}

static void test_insert_table(void **state)
{
	(void)state;
	static const struct {
		uint32_t addr;
		uint8_t mac[6];
		enum neigh_insert_result want;
		uint64_t count;
	} steps[] = {
		{ 0xc6120502u, { 0x02, 0, 0, 0, 0, 0x02 }, NEIGH_ADDED, 1 },
		{ 0xc6120502u, { 0x02, 0, 0, 0, 0, 0x02 }, NEIGH_SAME, 1 },
		{ 0xc6120502u, { 0x02, 0, 0, 0, 0, 0x03 }, NEIGH_CHANGED, 1 },
		{ 0xc6120503u, { 0x02, 0, 0, 0, 0, 0x03 }, NEIGH_ADDED, 2 },
		{ 0x00000000u, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, NEIGH_ADDED, 3 },
		{ 0xffffffffu, { 0, 0, 0, 0, 0, 0 }, NEIGH_ADDED, 4 },
		{ 0xffffffffu, { 0, 0, 0, 0, 0, 1 }, NEIGH_CHANGED, 4 },
		/* differs only in the top byte (bits 40..47) */
		{ 0xc6120503u, { 0x03, 0, 0, 0, 0, 0x03 }, NEIGH_CHANGED, 4 },
		{ 0x0a000001u, { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc }, NEIGH_ADDED, 5 },
	};
	struct neigh_table t;

	neigh_init(&t);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint8_t mac[6];

		assert_int_equal(neigh_insert(&t, steps[i].addr, steps[i].mac), steps[i].want);
		assert_int_equal(neigh_count(&t), steps[i].count);
		assert_true(neigh_lookup(&t, steps[i].addr, mac));
		assert_memory_equal(mac, steps[i].mac, 6);
		assert_true(neigh_lookup(&t, steps[i].addr, NULL));
	}
	/* neighbours of the keys are absent */
	assert_false(neigh_lookup(&t, 0xc6120501u, NULL));
	assert_false(neigh_lookup(&t, 0xc6120504u, NULL));
	assert_false(neigh_lookup(&t, 0xfffffffeu, NULL));
	assert_false(neigh_lookup(&t, 1, NULL));
	assert_false(t.oom);
	neigh_free(&t);
	assert_int_equal(neigh_count(&t), 0);
	assert_false(neigh_lookup(&t, 0xc6120502u, NULL));
	/* reusable after free */
	static const uint8_t m[6] = { 2, 4, 6, 8, 10, 12 };
	assert_int_equal(neigh_insert(&t, 0xc6120502u, m), NEIGH_ADDED);
	assert_int_equal(neigh_count(&t), 1);
	neigh_free(&t);
}

#define NREF 65536

static void test_random_against_reference(void **state)
{
	(void)state;
	/* A /16 with a reference array indexed by the low 16 bits. */
	uint64_t *ref = calloc(NREF, sizeof(*ref));   /* 0 = absent, else mac | 1<<48 */
	struct neigh_table t;
	uint64_t s = 7, count = 0;
	const uint32_t base = 0xc6120000u;

	assert_non_null(ref);
	neigh_init(&t);
	for (int i = 0; i < 200000; i++) {
		uint32_t low = (uint32_t)(rng_next(&s) % NREF);
		uint64_t v = rng_next(&s) & 0xffffffffffffULL;
		uint8_t mac[6];

		if (rng_next(&s) % 4 == 0 && ref[low])   /* sometimes repeat the MAC */
			v = ref[low] & 0xffffffffffffULL;
		for (int k = 0; k < 6; k++)
			mac[k] = (uint8_t)(v >> (40 - 8 * k));
		enum neigh_insert_result want = !ref[low] ? NEIGH_ADDED :
			(ref[low] & 0xffffffffffffULL) == v ? NEIGH_SAME : NEIGH_CHANGED;
		assert_int_equal(neigh_insert(&t, base + low, mac), want);
		if (!ref[low])
			count++;
		ref[low] = v | 1ULL << 48;
	}
	assert_int_equal(neigh_count(&t), count);
	for (uint32_t low = 0; low < NREF; low++) {
		uint8_t mac[6];
		bool found = neigh_lookup(&t, base + low, mac);

		assert_int_equal(found, ref[low] != 0);
		if (found) {
			uint64_t v = 0;
			for (int k = 0; k < 6; k++)
				v = v << 8 | mac[k];
			assert_int_equal(v, ref[low] & 0xffffffffffffULL);
		}
	}
	/* outside the /16 */
	assert_false(neigh_lookup(&t, base - 1, NULL));
	assert_false(neigh_lookup(&t, base + NREF, NULL));
	assert_false(t.oom);
	neigh_free(&t);
	free(ref);
}

static void test_prefill_args(void **state)
{
	(void)state;
	struct neigh_table t;
	char err[256] = "";

	neigh_init(&t);
	assert_int_equal(neigh_prefill(0, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "interface index 0"));
	assert_int_equal(neigh_prefill(-3, &t, err, sizeof(err)), -1);
	assert_int_equal(neigh_count(&t), 0);
	neigh_free(&t);
}

static void test_prefill_loopback(void **state)
{
	(void)state;
	struct neigh_table t;
	char err[256] = "";

	/* lo (index 1 in every namespace) never has ARP neighbours: the dump
	 * must complete without error and add nothing. */
	neigh_init(&t);
	err[0] = '\0';
	long n = neigh_prefill(1, &t, err, sizeof(err));
	if (n < 0)
		fail_msg("neigh_prefill(lo): %s", err);
	assert_int_equal(n, 0);
	assert_int_equal(neigh_count(&t), 0);
	neigh_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_insert_table),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_prefill_args),
		cmocka_unit_test(test_prefill_loopback),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
