/*
 * test_split.c — sharing a scan among sender threads: every target number
 * belongs to exactly one sender in blocks of SPLIT_BLOCK, the shares are
 * about even, the automatic thread count, the safe position (the least of
 * the senders'), and passes/targets-in-pass at a position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/split.h"

static void test_owns_exactly_one(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 7; n++) {
		uint64_t per[8] = { 0 };

		for (uint64_t c = 0; c < 100000; c++) {
			unsigned owners = 0;

			for (unsigned i = 0; i < n; i++)
				if (split_owns(c, i, n)) {
					owners++;
					per[i]++;
				}
			if (owners != 1)
				fail_msg("target %llu of %u senders: %u owners",
					 (unsigned long long)c, n, owners);
		}
		/* shares differ by at most one block */
		for (unsigned i = 1; i < n; i++)
			if (per[0] > per[i] + SPLIT_BLOCK || per[i] > per[0] + SPLIT_BLOCK)
				fail_msg("%u senders: share 0 has %llu, share %u has %llu", n,
					 (unsigned long long)per[0], i, (unsigned long long)per[i]);
	}
}

static void test_blocks(void **state)
{
	(void)state;
	assert_true(split_owns(0, 0, 2));
	assert_true(split_owns(SPLIT_BLOCK - 1, 0, 2));
	assert_true(split_owns(SPLIT_BLOCK, 1, 2));
	assert_true(split_owns(2 * SPLIT_BLOCK, 0, 2));
	assert_true(split_owns(12345, 0, 1));
	assert_true(split_owns(12345, 0, 0));    /* 0 senders means one */
}

static void test_auto(void **state)
{
	static const struct { unsigned cpus, queues; uint64_t rate; unsigned want; } rows[] = {
		{ 2, 1, 0, 1 },            /* this lab machine: the receiver needs the other core */
		{ 2, 8, 0, 1 },
		{ 4, 1, 0, 1 },            /* one TX queue: senders would share its lock */
		{ 4, 4, 0, 2 },            /* half the CPUs */
		{ 16, 8, 0, 4 },           /* at most 4 */
		{ 16, 2, 0, 2 },           /* one per queue */
		{ 16, 8, 100000, 1 },      /* a rate one sender keeps easily */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned got = split_auto(rows[i].cpus, rows[i].queues, rows[i].rate);

		if (got != rows[i].want)
			fail_msg("split_auto(%u cpus, %u queues, rate %llu) = %u, want %u",
				 rows[i].cpus, rows[i].queues, (unsigned long long)rows[i].rate,
				 got, rows[i].want);
	}
}

static void test_position(void **state)
{
	uint64_t p[] = { 700, 650, 900 };

	(void)state;
	assert_int_equal(split_position(p, 3), 650);
	assert_int_equal(split_position(p, 1), 700);
	assert_int_equal(split_position(p, 0), 0);
}

static void test_progress(void **state)
{
	static const struct { uint64_t pos, per_pass, passes, pass_sent; } rows[] = {
		{ 0, 100, 1, 0 },
		{ 1, 100, 1, 1 },
		{ 99, 100, 1, 99 },
		{ 100, 100, 1, 100 },      /* a pass boundary: the pass just done */
		{ 101, 100, 2, 1 },
		{ 300, 100, 3, 100 },      /* the end of a 3-pass scan */
		{ 0, 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t passes, sent;

		split_progress(rows[i].pos, rows[i].per_pass, &passes, &sent);
		if (passes != rows[i].passes || sent != rows[i].pass_sent)
			fail_msg("position %llu of %llu per pass: passes %llu, in pass %llu; "
				 "want %llu, %llu", (unsigned long long)rows[i].pos,
				 (unsigned long long)rows[i].per_pass, (unsigned long long)passes,
				 (unsigned long long)sent, (unsigned long long)rows[i].passes,
				 (unsigned long long)rows[i].pass_sent);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owns_exactly_one),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_position),
		cmocka_unit_test(test_progress),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
