/*
 * test_srcsel.c — the per-target source choice: fixed values (so a change
 * that would move targets between sources in a re-run or --resume shows),
 * always in range, one source for n = 1, the same choice for the same seed
 * and target, different spreads for different seeds, and an even spread
 * over a /16 for several n (each share within 5% of n's mean; the expected
 * deviation of a binomial count here is about 1%).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/srcsel.h"

static void test_fixed_values(void **state)
{
	(void)state;
	static const struct { uint64_t seed; uint32_t daddr; size_t n, want; } cases[] = {
		{ 0, 0, 8, 7 }, { 1, 0xc6120001u, 8, 0 },
		{ 42, 0xc6120001u, 8, 0 }, { 42, 0xc6120002u, 65536, 9682 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = srcsel_index(cases[i].seed, cases[i].daddr, cases[i].n);

		assert_int_equal(got, cases[i].want);
	}
}

static void test_one_source(void **state)
{
	(void)state;
	for (uint32_t a = 0; a < 100000; a += 7)
		assert_int_equal(srcsel_index(a * 31ull, a, 1), 0);
}

static void test_range_and_spread(void **state)
{
	(void)state;
	static const size_t ns[] = { 2, 3, 8, 29, 256 };
	size_t count[256];

	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		size_t n = ns[k];
		double mean = 65536.0 / (double)n;

		for (size_t i = 0; i < n; i++)
			count[i] = 0;
		for (uint32_t a = 0xc6120000u; a <= 0xc612ffffu; a++) {
			size_t i = srcsel_index(0x1234abcdull, a, n);

			assert_true(i < n);
			count[i]++;
		}
		for (size_t i = 0; i < n && n <= 29; i++)
			assert_true(count[i] > mean * 0.95 && count[i] < mean * 1.05);
		for (size_t i = 0; i < n; i++)   /* 256 sources: 256 per share, +-20% */
			assert_true(count[i] > mean * 0.8 && count[i] < mean * 1.2);
	}
}

static void test_seed_matters(void **state)
{
	(void)state;
	size_t differ = 0;

	for (uint32_t a = 0xc6120000u; a < 0xc6120000u + 4096; a++)
		differ += srcsel_index(1, a, 8) != srcsel_index(2, a, 8);
	/* independent choices agree 1 time in 8 */
	assert_true(differ > 4096 * 7 / 8 - 200 && differ < 4096 * 7 / 8 + 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_values),
		cmocka_unit_test(test_one_source),
		cmocka_unit_test(test_range_and_spread),
		cmocka_unit_test(test_seed_matters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
