/*
 * test_ivset.c — the interval core of engine/ivset_impl.h on its key-width
 * parameter: instantiated here on 8-bit keys, so the whole key space (256
 * keys) can be checked exhaustively against a bitmap after every step of
 * random additions, removals and subtractions that often touch 0 and the
 * top key (where hi + 1 would wrap at any width): the ranges stay sorted,
 * disjoint and non-adjacent, the count, ivset_at for every rank and
 * ivset_find (before and after finalize) agree with the bitmap. The 32- and
 * 128-bit instantiations are covered by test_ipset.c and test_ip6set.c.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

struct set8_range { uint8_t lo, hi; };
struct set8 {
	struct set8_range *r;
	size_t n, cap;
	uint16_t *prefix;
	uint16_t total;
	bool final;
};

#define IVSET_SET     struct set8
#define IVSET_RANGE   struct set8_range
#define IVSET_KEY     uint8_t
#define IVSET_KEY_MAX UINT8_MAX
#define IVSET_COUNT   uint16_t
#include "engine/ivset_impl.h"

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A random range, one time in four pinned to 0 or to the top key. */
static void rand_range(uint64_t *x, uint8_t *lo, uint8_t *hi)
{
	uint64_t v = next(x);
	unsigned a = v & 0xff, len = (v >> 8) % 24;

	if ((v >> 16) % 8 == 0)
		a = 0;
	else if ((v >> 16) % 8 == 1)
		a = len > 255 ? 0 : 255 - len;
	*lo = (uint8_t)a;
	*hi = (uint8_t)(a + len > 255 ? 255 : a + len);
}

static void check(struct set8 *s, const bool in[256])
{
	unsigned k = 0;

	for (unsigned v = 0; v < 256; v++)
		assert_int_equal(ivset_find(s, (uint8_t)v) != IVSET_NONE, in[v]);
	assert_int_equal(ivset_finalize(s), 0);
	for (size_t i = 1; i < s->n; i++)
		assert_true(s->r[i].lo > s->r[i - 1].hi + 1);   /* sorted, gap of 1+ */
	for (unsigned v = 0; v < 256; v++) {
		assert_int_equal(ivset_find(s, (uint8_t)v) != IVSET_NONE, in[v]);
		if (in[v])
			assert_int_equal(ivset_at(s, k++), v);
	}
	assert_int_equal(s->total, k);
}

static void test_random_ops(void **state)
{
	uint64_t x = 0x243f6a8885a308d3ull;

	(void)state;
	for (int round = 0; round < 400; round++) {
		struct set8 s = { 0 }, ex = { 0 };
		bool in[256] = { false };

		for (int step = 0; step < 12; step++) {
			uint8_t lo, hi;
			unsigned kind = next(&x) % 4;

			rand_range(&x, &lo, &hi);
			if (kind == 3) {          /* subtract a set of two ranges */
				ex.n = 0;
				assert_int_equal(ivset_add(&ex, lo, hi), 0);
				for (unsigned v = lo; v <= hi; v++)
					in[v] = false;
				rand_range(&x, &lo, &hi);
				assert_int_equal(ivset_add(&ex, lo, hi), 0);
				for (unsigned v = lo; v <= hi; v++)
					in[v] = false;
				assert_int_equal(ivset_subtract(&s, &ex), 0);
			} else if (kind == 2) {
				assert_int_equal(ivset_remove(&s, lo, hi), 0);
				for (unsigned v = lo; v <= hi; v++)
					in[v] = false;
			} else {
				assert_int_equal(ivset_add(&s, lo, hi), 0);
				for (unsigned v = lo; v <= hi; v++)
					in[v] = true;
			}
			if (step % 3 == 2)
				check(&s, in);
		}
		check(&s, in);
		free(s.r);
		free(s.prefix);
		free(ex.r);
	}
}

/* The edges by hand: the whole space, the top key alone, a split at both
 * ends, and lo > hi refused. */
static void test_edges(void **state)
{
	struct set8 s = { 0 }, ex = { 0 };

	(void)state;
	assert_int_equal(ivset_add(&s, 0, 255), 0);
	assert_int_equal(ivset_finalize(&s), 0);
	assert_int_equal(s.total, 256);
	assert_int_equal(ivset_at(&s, 255), 255);
	assert_int_equal(ivset_remove(&s, 1, 254), 0);          /* split */
	assert_int_equal(s.n, 2);
	assert_true(s.r[0].lo == 0 && s.r[0].hi == 0 && s.r[1].lo == 255 && s.r[1].hi == 255);
	assert_int_equal(ivset_add(&s, 255, 255), 0);           /* duplicate top */
	assert_int_equal(ivset_add(&s, 254, 254), 0);           /* adjacent below top */
	assert_int_equal(ivset_finalize(&s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.total, 3);
	assert_int_equal(ivset_at(&s, 1), 254);
	assert_int_equal(ivset_add(&ex, 255, 255), 0);
	assert_int_equal(ivset_subtract(&s, &ex), 0);
	assert_int_equal(ivset_finalize(&s), 0);
	assert_int_equal(s.total, 2);
	assert_int_equal(ivset_add(&s, 5, 4), -1);
	assert_int_equal(ivset_remove(&s, 5, 4), -1);
	free(s.r);
	free(s.prefix);
	free(ex.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_ops),
		cmocka_unit_test(test_edges),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
