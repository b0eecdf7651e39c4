/*
 * test_ip6set.c — IPv6 interval sets: merging of overlapping and adjacent
 * ranges (the top address included, where hi + 1 would wrap), subtraction
 * (splits, trims, whole removals), counts (saturated above 2^64, the whole
 * space), ip6set_at against a brute-force enumeration, and membership.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "engine/ip6set.h"

#define TOP (~(es_u128)0)
static es_u128 A(const char *s)
{
	struct es_addr a;

	assert_true(es_addr_parse_any(s, &a));
	return es_addr_to_u128(&a);
}

static void test_merge(void **state)
{
	struct ip6set s;

	(void)state;
	ip6set_init(&s);
	assert_int_equal(ip6set_add(&s, A("2001:db8::10"), A("2001:db8::1f")), 0);
	assert_int_equal(ip6set_add(&s, A("2001:db8::"), A("2001:db8::f")), 0);   /* adjacent */
	assert_int_equal(ip6set_add(&s, A("2001:db8::18"), A("2001:db8::30")), 0); /* overlap */
	assert_int_equal(ip6set_add(&s, A("2001:db8::40"), A("2001:db8::40")), 0);
	assert_int_equal(ip6set_add(&s, TOP - 1, TOP), 0);
	assert_int_equal(ip6set_add(&s, TOP, TOP), 0);
	assert_int_equal(ip6set_finalize(&s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(ip6set_count(&s), 0x31 + 1 + 2);
	assert_true(s.r[0].lo == A("2001:db8::") && s.r[0].hi == A("2001:db8::30"));
	assert_true(s.r[2].lo == TOP - 1 && s.r[2].hi == TOP);
	assert_int_equal(ip6set_add(&s, 2, 1), -1);
	ip6set_free(&s);
}

static void test_counts(void **state)
{
	struct ip6set s;

	(void)state;
	ip6set_init(&s);
	assert_int_equal(ip6set_finalize(&s), 0);
	assert_int_equal(ip6set_count(&s), 0);
	assert_int_equal(ip6set_add(&s, A("2001:db8::"), A("2001:db8::ffff:ffff")), 0);
	assert_int_equal(ip6set_finalize(&s), 0);
	assert_int_equal(ip6set_count(&s), 1ull << 32);
	assert_int_equal(ip6set_add(&s, A("2001:db8:1::"), A("2001:db8:1::ffff:ffff:ffff:ffff")), 0);
	assert_int_equal(ip6set_finalize(&s), 0);
	assert_true(ip6set_count(&s) == UINT64_MAX);   /* 2^64 + 2^32: saturated */
	assert_false(s.full);
	assert_int_equal(ip6set_add(&s, 0, TOP), 0);
	assert_int_equal(ip6set_finalize(&s), 0);
	assert_true(s.full);
	assert_true(ip6set_count(&s) == UINT64_MAX);
	ip6set_free(&s);
}

struct sub_case {
	const char *lo, *hi;          /* the set */
	const char *xlo, *xhi;        /* removed */
	unsigned n;                   /* ranges left */
	uint64_t count;
};

static const struct sub_case subs[] = {
	{ "2001:db8::", "2001:db8::ff", "2001:db8::10", "2001:db8::1f", 2, 240 },  /* split */
	{ "2001:db8::", "2001:db8::ff", "2001:db8::", "2001:db8::f", 1, 240 },     /* head */
	{ "2001:db8::", "2001:db8::ff", "2001:db8::f0", "2001:db8::1:0", 1, 240 }, /* tail */
	{ "2001:db8::", "2001:db8::ff", "2001:db7::", "2001:db9::", 0, 0 },        /* all */
	{ "2001:db8::", "2001:db8::ff", "2001:db9::", "2001:db9::ff", 1, 256 },    /* none */
	{ "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, 1 },
	{ "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 1, 1 },
};

static void test_subtract(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		struct ip6set s, x;

		ip6set_init(&s);
		ip6set_init(&x);
		assert_int_equal(ip6set_add(&s, A(subs[i].lo), A(subs[i].hi)), 0);
		assert_int_equal(ip6set_add(&x, A(subs[i].xlo), A(subs[i].xhi)), 0);
		assert_int_equal(ip6set_subtract(&s, &x), 0);
		assert_int_equal(ip6set_finalize(&s), 0);
		if (s.n != subs[i].n || ip6set_count(&s) != subs[i].count)
			fail_msg("case %zu: %zu ranges, %llu addresses", i, s.n,
				 (unsigned long long)ip6set_count(&s));
		ip6set_free(&s);
		ip6set_free(&x);
	}
}

/* Random small ranges in a 512-address window, a few removed: ip6set_at
 * and ip6set_contains agree with a bitmap. */
static void test_at_bruteforce(void **state)
{
	uint64_t rnd = 0x9e3779b97f4a7c15ull;
	const es_u128 base = A("2001:db8:ffff:ffff:ffff:ffff:ffff:ff00");

	(void)state;
	for (int round = 0; round < 50; round++) {
		struct ip6set s, x;
		bool in[512] = { false };
		uint64_t k = 0;

		ip6set_init(&s);
		ip6set_init(&x);
		for (int j = 0; j < 12; j++) {
			unsigned lo, len;
			bool rm = j % 4 == 3;

			rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17;
			lo = (unsigned)(rnd % 500);
			len = (unsigned)(rnd >> 32) % 12;
			assert_int_equal(ip6set_add(rm ? &x : &s, base + lo, base + lo + len), 0);
		}
		/* bitmap: additions, then removals */
		for (size_t r = 0; r < s.n; r++)
			for (es_u128 v = s.r[r].lo; v <= s.r[r].hi; v++)
				in[v - base] = true;
		for (size_t r = 0; r < x.n; r++)
			for (es_u128 v = x.r[r].lo; v <= x.r[r].hi; v++)
				in[v - base] = false;
		assert_int_equal(ip6set_subtract(&s, &x), 0);
		assert_int_equal(ip6set_finalize(&s), 0);
		for (unsigned v = 0; v < 512; v++) {
			struct es_addr a = es_addr_from_u128(base + v);

			assert_int_equal(ip6set_contains(&s, &a), in[v]);
			if (in[v]) {
				struct es_addr got = ip6set_at(&s, k++);
				assert_true(es_addr_equal(&got, &a));
			}
		}
		assert_int_equal(ip6set_count(&s), k);
		ip6set_free(&s);
		ip6set_free(&x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_subtract),
		cmocka_unit_test(test_at_bruteforce),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
