/*
 * test_rate.c — pacing on a simulated clock: the total allowed tracks
 * elapsed * rate within one probe, no 10 ms window gets much more than its
 * share, batches stay single at low rates, unlimited mode, long runs without
 * overflow, rate_wait never returns early, and a run with a deadline
 * (--max-runtime) sends exactly duration * rate probes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/rate.h"

#define SIM_NS   3000000000ull   /* 3 simulated seconds */
#define T0       1000000000000ull

/* Small deterministic generator for irregular clock steps. */
static uint32_t next_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* Sends everything allowed at time now; returns how many. */
static uint64_t drain(struct rate *r, uint64_t now)
{
	uint64_t total = 0, wait;
	unsigned n;

	while ((n = rate_allow(r, now, &wait)) > 0) {
		rate_sent(r, n);
		total += n;
	}
	return total;
}

static void check_exact(uint64_t pps)
{
	struct rate r;
	uint32_t seed = 42;
	uint64_t t;

	rate_init(&r, pps, 256, T0);
	for (t = 0; t <= SIM_NS; t += 1 + next_rand(&seed) % 20000) {
		unsigned __int128 ideal = (unsigned __int128)t * pps;
		uint64_t want = (uint64_t)(ideal / 1000000000u);

		drain(&r, T0 + t);
		/* sent = floor(t * pps) + 1: probe 0 goes at the start. */
		if (r.sent < want || r.sent > want + 1)
			fail_msg("pps %llu at t=%llu ns: sent %llu, ideal %llu",
				 (unsigned long long)pps,
				 (unsigned long long)t,
				 (unsigned long long)r.sent,
				 (unsigned long long)want);
	}
}

static void test_exact_10k(void **state)
{
	(void)state;
	check_exact(10000);
}

static void test_exact_100k(void **state)
{
	(void)state;
	check_exact(100000);
}

static void test_exact_1m(void **state)
{
	(void)state;
	check_exact(1000000);
}

/* Counts sends per 1 ms bucket while the caller sends whenever allowed and
 * sleeps exactly wait_ns otherwise, then checks every sliding 10 ms window. */
static void check_windows(uint64_t pps)
{
	enum { BUCKETS = 3000 };
	uint64_t *per_ms = calloc(BUCKETS, sizeof(*per_ms));
	uint64_t t = 0, wait, share = pps / 100, max_seen = 0;
	struct rate r;
	unsigned n, i, j;

	assert_non_null(per_ms);
	rate_init(&r, pps, 256, T0);
	while (t < (uint64_t)BUCKETS * 1000000) {
		n = rate_allow(&r, T0 + t, &wait);
		if (n) {
			rate_sent(&r, n);
			per_ms[t / 1000000] += n;
			t += 100;         /* cost of sending a batch */
		} else {
			assert_true(wait > 0);
			t += wait;
		}
	}
	for (i = 0; i + 10 <= BUCKETS; i++) {
		uint64_t sum = 0;

		for (j = i; j < i + 10; j++)
			sum += per_ms[j];
		if (sum > max_seen)
			max_seen = sum;
	}
	free(per_ms);
	if (max_seen * 2 > share * 3)
		fail_msg("pps %llu: a 10 ms window got %llu probes, share %llu",
			 (unsigned long long)pps, (unsigned long long)max_seen,
			 (unsigned long long)share);
}

static void test_windows(void **state)
{
	(void)state;
	check_windows(10000);
	check_windows(100000);
	check_windows(1000000);
}

static void test_unlimited(void **state)
{
	struct rate r;
	uint64_t wait = 123;
	int i;

	(void)state;
	rate_init(&r, 0, 64, T0);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(rate_allow(&r, T0, &wait), 64);
		assert_int_equal(wait, 0);
		rate_sent(&r, 64);
	}
	assert_int_equal(r.sent, 64000);
}

/* At low rates each call allows one probe even when the caller is late. */
static void test_low_rate_batches(void **state)
{
	static const uint64_t rates[] = { 1, 10, 500, 1000, 1999 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
		struct rate r;
		uint64_t t;

		rate_init(&r, rates[k], 256, T0);
		for (t = 0; t < SIM_NS; t += 250000) {
			uint64_t wait;
			unsigned n;

			while ((n = rate_allow(&r, T0 + t, &wait)) > 0) {
				assert_int_equal(n, 1);
				rate_sent(&r, n);
			}
		}
		/* A caller 1 s late still gets single probes. */
		assert_int_equal(rate_allow(&r, T0 + SIM_NS + 1000000000ull,
					    NULL), 1);
	}
}

static void test_batch_cap(void **state)
{
	struct rate r;

	(void)state;
	rate_init(&r, 100000, 256, T0);
	/* 10 ms late: 1000 due, but a batch covers ~1 ms (100 probes). */
	assert_int_equal(rate_allow(&r, T0 + 10000000, NULL), 100);
	rate_init(&r, 10000000, 256, T0);
	assert_int_equal(rate_allow(&r, T0 + 10000000, NULL), 256);
}

static void test_wait_is_exact(void **state)
{
	struct rate r;
	uint64_t wait;

	(void)state;
	rate_init(&r, 3, 8, T0);   /* due at 0, 333333334, 666666667 ns */
	assert_int_equal(rate_allow(&r, T0, &wait), 1);
	rate_sent(&r, 1);
	assert_int_equal(rate_allow(&r, T0, &wait), 0);
	assert_int_equal(wait, 333333334);
	assert_int_equal(rate_allow(&r, T0 + 333333333, &wait), 0);
	assert_int_equal(wait, 1);
	assert_int_equal(rate_allow(&r, T0 + 333333334, &wait), 1);
	rate_sent(&r, 1);
	assert_int_equal(rate_allow(&r, T0 + 400000000, &wait), 0);
	assert_int_equal(wait, 666666667 - 400000000);
}

/* Ten days at 10 Mpps: elapsed * pps needs more than 64 bits. */
static void test_no_overflow(void **state)
{
	struct rate r;
	uint64_t ten_days = 864000ull * 1000000000ull, wait;

	(void)state;
	rate_init(&r, 10000000, 256, UINT64_C(1) << 62);
	r.sent = 8640000000000ull - 5;
	assert_int_equal(rate_allow(&r, r.start_ns + ten_days, &wait), 6);
	r.sent += 6;
	assert_int_equal(rate_allow(&r, r.start_ns + ten_days, &wait), 0);
	assert_int_equal(wait, 100);
}

static void test_wait_not_early(void **state)
{
	static const uint64_t waits[] = { 0, 1000, 50000, 200000, 3000000 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(waits) / sizeof(waits[0]); k++) {
		uint64_t t0 = rate_now_ns(), dt;

		rate_wait(waits[k]);
		dt = rate_now_ns() - t0;
		if (dt < waits[k] || dt > waits[k] + 50000000)
			fail_msg("rate_wait(%llu) took %llu ns",
				 (unsigned long long)waits[k],
				 (unsigned long long)dt);
	}
}

/* The sender's loop with a deadline (engine/scan.c send_pass): before it,
 * what rate_allow gives; once past it, what was due before it, within a
 * grace of 100 ms. Irregular clock steps, so the deadline falls anywhere in a
 * batch; lag_ns makes the sender fall behind by that much just before the
 * deadline (a busy machine). */
static uint64_t run_until(uint64_t pps, uint64_t duration_ns, uint32_t seed, uint64_t lag_ns)
{
	struct rate r;
	uint64_t now = T0, deadline = T0 + duration_ns, sent = 0, wait;
	bool lagged = false;

	rate_init(&r, pps, 256, T0);
	for (;;) {
		unsigned n;

		if (!lagged && lag_ns && now + lag_ns >= deadline) {
			now += lag_ns;
			lagged = true;
		}
		if (now >= deadline) {
			n = now < deadline + 100000000ull ? rate_allow_before(&r, deadline) : 0;
			if (n == 0)
				return sent;
		} else if ((n = rate_allow(&r, now, &wait)) == 0) {
			now += wait + next_rand(&seed) % 3000;   /* late wake-ups */
			continue;
		}
		rate_sent(&r, n);
		sent += n;
		now += next_rand(&seed) % 200000;
	}
}

static void test_deadline_exact(void **state)
{
	static const struct { uint64_t pps, ns, want; } rows[] = {
		{ 1000000, 3000000000ull, 3000000 },       /* --max-runtime 3 -r 1M */
		{ 1000, 1000000100ull, 1001 },             /* probe 1000 due 100 ns before */
		{ 1000, 1000000000ull, 1000 },             /* probe 1000 due at the deadline */
		{ 3, 1000000000ull, 3 },
		{ 3, 1000000001ull, 4 },
		{ 20000, 1500000000ull, 30000 },
		{ 7, 1, 1 },                               /* probe 0 is due at the start */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (uint32_t seed = 1; seed <= 10; seed++) {
			uint64_t got = run_until(rows[i].pps, rows[i].ns, seed, (seed % 3) * 2000000ull);

			if (got != rows[i].want)
				fail_msg("pps %llu for %llu ns (seed %u): %llu sent, want %llu",
					 (unsigned long long)rows[i].pps, (unsigned long long)rows[i].ns,
					 seed, (unsigned long long)got, (unsigned long long)rows[i].want);
		}
	}
	/* far behind (the sender cannot keep the rate): stops within the grace */
	assert_true(run_until(1000000, 1000000000ull, 1, 500000000ull) < 1000000);
	/* unlimited: nothing is owed after the deadline */
	struct rate r;
	rate_init(&r, 0, 256, T0);
	assert_int_equal(rate_allow_before(&r, T0 + 1000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_10k),
		cmocka_unit_test(test_exact_100k),
		cmocka_unit_test(test_exact_1m),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_low_rate_batches),
		cmocka_unit_test(test_batch_cap),
		cmocka_unit_test(test_wait_is_exact),
		cmocka_unit_test(test_no_overflow),
		cmocka_unit_test(test_wait_not_early),
		cmocka_unit_test(test_deadline_exact),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
