/*
 * test_ipset.c — the interval set: merging (overlap, adjacency,
 * containment), removal (splits, edges, everything), subtraction, counts up
 * to 2^32, ipset_at at range boundaries and membership, each checked against
 * the exact intervals expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/ipset.h"

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define MAXR 8

struct op { char kind; uint32_t lo, hi; };  /* '+' add, '-' remove */

struct set_case {
	const char *name;
	struct op ops[MAXR];
	size_t nops;
	struct ipset_range want[MAXR];
	size_t nwant;
	uint64_t count;
};

static const struct set_case cases[] = {
	{ "empty", { { 0 } }, 0, { { 0 } }, 0, 0 },
	{ "single", { { '+', 5, 5 } }, 1, { { 5, 5 } }, 1, 1 },
	{ "overlap", { { '+', 10, 20 }, { '+', 15, 30 } }, 2, { { 10, 30 } }, 1, 21 },
	{ "adjacent", { { '+', 6, 9 }, { '+', 1, 5 } }, 2, { { 1, 9 } }, 1, 9 },
	{ "gap of one stays", { { '+', 1, 5 }, { '+', 7, 9 } }, 2,
	  { { 1, 5 }, { 7, 9 } }, 2, 8 },
	{ "containment", { { '+', 100, 200 }, { '+', 150, 160 }, { '+', 100, 200 } }, 3,
	  { { 100, 200 } }, 1, 101 },
	{ "unsorted chain", { { '+', 50, 60 }, { '+', 10, 20 }, { '+', 30, 40 },
			      { '+', 21, 29 } }, 4, { { 10, 40 }, { 50, 60 } }, 2, 42 },
	{ "whole space", { { '+', 0, UINT32_MAX } }, 1, { { 0, UINT32_MAX } }, 1,
	  1ULL << 32 },
	{ "two halves", { { '+', 0x80000000u, UINT32_MAX }, { '+', 0, 0x7fffffffu } }, 2,
	  { { 0, UINT32_MAX } }, 1, 1ULL << 32 },
	{ "split middle", { { '+', 10, 20 }, { '-', 15, 15 } }, 2,
	  { { 10, 14 }, { 16, 20 } }, 2, 10 },
	{ "remove all", { { '+', 10, 20 }, { '+', 30, 40 }, { '-', 0, 100 } }, 3,
	  { { 0 } }, 0, 0 },
	{ "remove edges", { { '+', 10, 20 }, { '-', 10, 10 }, { '-', 20, 25 } }, 3,
	  { { 11, 19 } }, 1, 9 },
	{ "remove exact", { { '+', 10, 20 }, { '+', 30, 40 }, { '-', 10, 20 } }, 3,
	  { { 30, 40 } }, 1, 11 },
	{ "remove across", { { '+', 10, 20 }, { '+', 30, 40 }, { '+', 50, 60 },
			     { '-', 15, 55 } }, 4, { { 10, 14 }, { 56, 60 } }, 2, 10 },
	{ "remove before merge", { { '+', 30, 40 }, { '+', 10, 35 }, { '-', 20, 20 } }, 3,
	  { { 10, 19 }, { 21, 40 } }, 2, 30 },
	{ "remove outside", { { '+', 10, 20 }, { '-', 21, 30 }, { '-', 0, 9 } }, 3,
	  { { 10, 20 } }, 1, 11 },
	{ "add after remove", { { '+', 10, 20 }, { '-', 12, 18 }, { '+', 15, 15 } }, 3,
	  { { 10, 11 }, { 15, 15 }, { 19, 20 } }, 3, 5 },
	{ "space minus /8", { { '+', 0, UINT32_MAX }, { '-', A(10, 0, 0, 0), A(10, 255, 255, 255) } },
	  2, { { 0, A(9, 255, 255, 255) }, { A(11, 0, 0, 0), UINT32_MAX } }, 2,
	  (1ULL << 32) - (1ULL << 24) },
	{ "remove top and bottom", { { '+', 0, UINT32_MAX }, { '-', 0, 0 },
				     { '-', UINT32_MAX, UINT32_MAX } }, 3,
	  { { 1, UINT32_MAX - 1 } }, 1, (1ULL << 32) - 2 },
};

static void apply(struct ipset *s, const struct op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ops[i].kind == '+')
			assert_int_equal(ipset_add(s, ops[i].lo, ops[i].hi), 0);
		else
			assert_int_equal(ipset_remove(s, ops[i].lo, ops[i].hi), 0);
	}
}

static void check_ranges(const struct ipset *s, const struct set_case *c)
{
	if (s->n != c->nwant)
		print_error("case \"%s\": %zu ranges, want %zu\n", c->name, s->n, c->nwant);
	assert_int_equal(s->n, c->nwant);
	for (size_t i = 0; i < c->nwant; i++) {
		assert_int_equal(s->r[i].lo, c->want[i].lo);
		assert_int_equal(s->r[i].hi, c->want[i].hi);
	}
	assert_true(ipset_count(s) == c->count);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipset s;
		ipset_init(&s);
		apply(&s, cases[i].ops, cases[i].nops);
		assert_int_equal(ipset_finalize(&s), 0);
		assert_true(s.final);
		check_ranges(&s, &cases[i]);
		ipset_free(&s);
	}
}

static void test_whole_space_minus_8_subtract(void **state)
{
	struct ipset s, ex;

	(void)state;
	ipset_init(&s);
	ipset_init(&ex);
	assert_int_equal(ipset_add(&s, 0, UINT32_MAX), 0);
	assert_int_equal(ipset_add(&ex, A(10, 0, 0, 0), A(10, 255, 255, 255)), 0);
	assert_int_equal(ipset_subtract(&s, &ex), 0);
	assert_int_equal(ipset_finalize(&s), 0);
	assert_true(ipset_count(&s) == (1ULL << 32) - (1ULL << 24));
	assert_int_equal(ipset_at(&s, A(10, 0, 0, 0) - 1), A(9, 255, 255, 255));
	assert_int_equal(ipset_at(&s, A(10, 0, 0, 0)), A(11, 0, 0, 0));
	assert_int_equal(ipset_at(&s, ipset_count(&s) - 1), UINT32_MAX);
	assert_false(ipset_contains(&s, A(10, 1, 2, 3)));
	assert_true(ipset_contains(&s, A(11, 0, 0, 0)));
	ipset_free(&s);
	ipset_free(&ex);
}

/* Exclusions given unsorted and overlapping, cutting several ranges. */
static void test_subtract_many(void **state)
{
	static const struct ipset_range add[] = { { 0, 99 }, { 200, 299 }, { 400, 499 } };
	static const struct ipset_range rem[] = {
		{ 450, 600 }, { 50, 60 }, { 55, 70 }, { 250, 250 }, { 0, 0 }, { 99, 210 },
	};
	static const struct ipset_range want[] = {
		{ 1, 49 }, { 71, 98 }, { 211, 249 }, { 251, 299 }, { 400, 449 },
	};
	struct ipset s, ex;

	(void)state;
	ipset_init(&s);
	ipset_init(&ex);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(ipset_add(&s, add[i].lo, add[i].hi), 0);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(ipset_add(&ex, rem[i].lo, rem[i].hi), 0);
	assert_int_equal(ipset_subtract(&s, &ex), 0);
	assert_int_equal(ipset_finalize(&s), 0);
	assert_int_equal(s.n, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(s.r[i].lo, want[i].lo);
		assert_int_equal(s.r[i].hi, want[i].hi);
	}
	assert_int_equal(ipset_count(&s), 49 + 28 + 39 + 49 + 50);
	ipset_free(&s);
	ipset_free(&ex);
}

struct at_case { uint64_t i; uint32_t want; };

static void test_at_boundaries(void **state)
{
	/* {10..12}, {20..20}, {30..34}: indexes 0-2, 3, 4-8 */
	static const struct at_case at[] = {
		{ 0, 10 }, { 2, 12 }, { 3, 20 }, { 4, 30 }, { 8, 34 },
	};
	struct ipset s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add(&s, 30, 34), 0);
	assert_int_equal(ipset_add(&s, 20, 20), 0);
	assert_int_equal(ipset_add(&s, 10, 12), 0);
	assert_int_equal(ipset_finalize(&s), 0);
	assert_int_equal(ipset_count(&s), 9);
	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++)
		assert_int_equal(ipset_at(&s, at[k].i), at[k].want);
	for (uint32_t a = 0; a < 40; a++) {
		bool in = (a >= 10 && a <= 12) || a == 20 || (a >= 30 && a <= 34);
		assert_int_equal(ipset_contains(&s, a), in);
	}
	ipset_free(&s);
}

/* Adding after finalize clears final; finalizing again rebuilds the index. */
static void test_refinalize(void **state)
{
	struct ipset s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add(&s, 100, 199), 0);
	assert_int_equal(ipset_finalize(&s), 0);
	assert_int_equal(ipset_count(&s), 100);
	assert_int_equal(ipset_add(&s, 0, 9), 0);
	assert_false(s.final);
	assert_true(ipset_contains(&s, 5));   /* works unfinalized too */
	assert_false(ipset_contains(&s, 50));
	assert_int_equal(ipset_finalize(&s), 0);
	assert_int_equal(ipset_count(&s), 110);
	assert_int_equal(ipset_at(&s, 10), 100);
	assert_int_equal(ipset_remove(&s, 0, 99), 0);
	assert_int_equal(ipset_finalize(&s), 0);
	assert_int_equal(ipset_count(&s), 100);
	assert_int_equal(ipset_at(&s, 0), 100);
	ipset_free(&s);
}

/* Many ranges: memory grows with ranges only, and a /8 in /24 pieces
 * merges back into one range. */
static void test_many_pieces_merge(void **state)
{
	struct ipset s;

	(void)state;
	ipset_init(&s);
	for (uint32_t i = 65536; i-- > 0;)
		assert_int_equal(ipset_add(&s, A(10, 0, 0, 0) + i * 256, A(10, 0, 0, 255) + i * 256), 0);
	assert_int_equal(ipset_finalize(&s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(ipset_count(&s), 1 << 24);
	ipset_free(&s);
}

static void test_bad_range(void **state)
{
	struct ipset s;

	(void)state;
	ipset_init(&s);
	assert_int_equal(ipset_add(&s, 5, 4), -1);
	assert_int_equal(ipset_remove(&s, 5, 4), -1);
	assert_int_equal(s.n, 0);
	ipset_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_whole_space_minus_8_subtract),
		cmocka_unit_test(test_subtract_many),
		cmocka_unit_test(test_at_boundaries),
		cmocka_unit_test(test_refinalize),
		cmocka_unit_test(test_many_pieces_merge),
		cmocka_unit_test(test_bad_range),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
