/*
 * test_rate.c — pacing on a simulated clock: the total allowed tracks
 * elapsed * rate (never ahead, at most one batch behind), no 10 ms window
 * gets more than 1.2x its share (also with stalls), one wake-up per batch,
 * the batch size at a rate, when a wait is spun or slept, catching up after
 * a stall, batches stay single at low rates, unlimited mode, long runs
 * without overflow, rate_wait never returns early, and a run with a deadline
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
		/* due = floor(t * pps) + 1 (probe 0 is due at the start): never
		 * more sent, and less only by the part of a batch not due yet */
		if (r.sent > want + 1 || r.sent + r.batch <= want + 1)
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
 * sleeps exactly wait_ns otherwise (stalled every every_ns for up to
 * stall_ns more, a busy machine), then checks every sliding 10 ms window
 * against 1.2x its share. Returns the wake-ups (waits) seen. */
static uint64_t check_windows_every(uint64_t pps, uint64_t stall_ns, uint64_t every_ns)
{
	enum { BUCKETS = 3000 };
	uint64_t *per_ms = calloc(BUCKETS, sizeof(*per_ms));
	uint64_t t = 0, wait, share = pps / 100, max_seen = 0, wakeups = 0;
	uint64_t next_stall = every_ns;
	uint32_t seed = 7;
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
			wakeups++;
			if (stall_ns && t >= next_stall) {
				t += next_rand(&seed) % stall_ns;
				next_stall += every_ns;
			}
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
	if (max_seen * 5 > share * 6)
		fail_msg("pps %llu, stalls up to %llu ns: a 10 ms window got %llu probes, share %llu",
			 (unsigned long long)pps, (unsigned long long)stall_ns,
			 (unsigned long long)max_seen, (unsigned long long)share);
	return wakeups;
}

static uint64_t check_windows(uint64_t pps, uint64_t stall_ns)
{
	return check_windows_every(pps, stall_ns, 37000000);
}

static void test_windows(void **state)
{
	(void)state;
	check_windows(10000, 0);
	check_windows(100000, 0);
	check_windows(1000000, 0);
}

/* Stalls of up to 2 ms every 37 ms (more than a batch owed on waking),
 * and of up to 7 ms every 97 ms (several batches; section 7 traced
 * stalls of 1.5-7 ms every 60-120 ms on the shared VM): the backlog is
 * caught up at 17/16 of the rate, not sent at once. (Stalls that take
 * more than 1/16 of the time on average cannot be caught up that way.) */
static void test_windows_stalls(void **state)
{
	(void)state;
	check_windows(10000, 2000000);
	check_windows(100000, 2000000);
	check_windows(1000000, 2000000);
	check_windows_every(10000, 7000000, 97000000);
	check_windows_every(100000, 7000000, 97000000);
	check_windows_every(1000000, 7000000, 97000000);
}

/* A sender that sleeps until it is allowed wakes once per batch. */
static void test_one_wakeup_per_batch(void **state)
{
	static const struct { uint64_t pps; uint64_t wakeups; } rows[] = {
		{ 1000, 3000 },        /* single probes: one wake-up each */
		{ 10000, 3000 },       /* 10 a batch, 1000 batches a second */
		{ 100000, 3000 },      /* 100 a batch */
		{ 1000000, 11719 },    /* 256 a batch (the cap): 3e6 / 256 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t w = check_windows(rows[i].pps, 0);

		if (w + 2 < rows[i].wakeups || w > rows[i].wakeups + 2)
			fail_msg("pps %llu: %llu wake-ups in 3 s, want ~%llu",
				 (unsigned long long)rows[i].pps, (unsigned long long)w,
				 (unsigned long long)rows[i].wakeups);
	}
}

static void test_batch_size(void **state)
{
	static const struct { uint64_t pps; unsigned max, want; } rows[] = {
		{ 0, 256, 256 },             /* unlimited: the cap */
		{ 1, 256, 1 },
		{ 1999, 256, 1 },
		{ 2000, 256, 2 },
		{ 10000, 256, 10 },          /* a millisecond of traffic */
		{ 100000, 256, 100 },
		{ 256999, 256, 256 },
		{ 255999, 256, 255 },
		{ 1000000, 256, 256 },       /* capped */
		{ 100000, 16, 16 },
		{ 100000, 0, 1 },            /* a cap of 0 means 1 */
		{ UINT64_MAX, 256, 256 },    /* no overflow */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned got = rate_batch(rows[i].pps, rows[i].max);

		if (got != rows[i].want)
			fail_msg("rate_batch(%llu, %u) = %u, want %u",
				 (unsigned long long)rows[i].pps, rows[i].max, got, rows[i].want);
	}
}

static void test_spin_or_sleep(void **state)
{
	static const struct { uint64_t wait; enum rate_how want; } rows[] = {
		{ 0, RATE_SPIN },
		{ 1000, RATE_SPIN },
		{ 49999, RATE_SPIN },
		{ 50000, RATE_SLEEP },       /* a batch due every 50 us or less often */
		{ 1000000, RATE_SLEEP },     /* 100 kpps: a batch every ms */
		{ 10000000, RATE_SLEEP },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rate_wait_how(rows[i].wait) != rows[i].want)
			fail_msg("rate_wait_how(%llu) = %d, want %d",
				 (unsigned long long)rows[i].wait, rate_wait_how(rows[i].wait),
				 rows[i].want);
}

/* Waking 2 ms late at 100 kpps (3 batches of 100 owed): the first batch
 * goes at once, the next one a catch-up gap (batch / (pps * 17/16) =
 * 941176 ns) later, not at once; the catch-up has a schedule of its own, so
 * waking 100 us late shortens the next gap by as much. Waking 10 ms late
 * (10 batches owed): paced at once; 20 ms late (20 batches): back to back
 * until less than 10 ms of traffic (10 batches) is owed, then paced. */
static void test_catch_up(void **state)
{
	struct rate r;
	uint64_t wait, now;

	(void)state;
	rate_init(&r, 100000, 256, T0);
	now = T0 + 3000000;                   /* 301 due */
	assert_int_equal(rate_allow(&r, now, &wait), 100);
	rate_sent(&r, 100);
	assert_int_equal(rate_allow(&r, now, &wait), 0);
	assert_int_equal(wait, 941176);
	assert_int_equal(rate_allow(&r, now + 941175, &wait), 0);
	assert_int_equal(wait, 1);
	assert_int_equal(rate_allow(&r, now + 941176 + 100000, &wait), 100);
	rate_sent(&r, 100);
	assert_int_equal(rate_allow(&r, now + 941176 + 100000, &wait), 0);
	assert_int_equal(wait, 941176 - 100000);
	/* 489 due, 200 sent: a batch goes, and with less than 2 batches (189)
	 * owed the next one still waits its gap, not sent at once (which put
	 * 2-3 batches back to back at the end of every catch-up) */
	assert_int_equal(rate_allow(&r, now + 2 * 941176, &wait), 100);
	rate_sent(&r, 100);
	assert_int_equal(rate_allow(&r, now + 2 * 941176, &wait), 0);
	assert_int_equal(wait, 941176);

	rate_init(&r, 100000, 256, T0);
	now = T0 + 20000000;                  /* 2001 due */
	for (int i = 0; i < 11; i++) {        /* owed 2001, 1901, ..., 1001 */
		assert_int_equal(rate_allow(&r, now, &wait), 100);
		rate_sent(&r, 100);
	}
	/* 901 owed: 9 batches, paced */
	assert_int_equal(rate_allow(&r, now, &wait), 0);
	assert_int_equal(wait, 941176);
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
	/* 10 ms late: 1000 due, but a batch covers 1 ms (100 probes). */
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
	/* probe 8640000000000 is due exactly then: 261 owed, one batch */
	r.sent = 8640000000000ull - 260;
	assert_int_equal(rate_allow(&r, r.start_ns + ten_days, &wait), 256);
	r.sent += 256;
	/* 5 owed: wait until the batch's last probe (+251) is due */
	assert_int_equal(rate_allow(&r, r.start_ns + ten_days, &wait), 0);
	assert_int_equal(wait, 25100);
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
static uint64_t run_share_until(uint64_t pps, uint64_t duration_ns, uint32_t seed,
				uint64_t lag_ns, unsigned index, unsigned shares)
{
	struct rate r;
	uint64_t now = T0, deadline = T0 + duration_ns, sent = 0, wait;
	bool lagged = false;

	rate_init_share(&r, pps, 256, T0, index, shares);
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

static uint64_t run_until(uint64_t pps, uint64_t duration_ns, uint32_t seed, uint64_t lag_ns)
{
	return run_share_until(pps, duration_ns, seed, lag_ns, 0, 1);
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

/* Several senders (--sender-threads): each runs its share of the schedule
 * with a deadline, each with its own irregular clock; their totals add up
 * to exactly what one sender sends, for rates that do not divide evenly. */
static void test_shares_deadline_exact(void **state)
{
	static const struct { uint64_t pps, ns, want; } rows[] = {
		{ 1000000, 3000000000ull, 3000000 },
		{ 1000, 1000000100ull, 1001 },
		{ 1000, 1000000000ull, 1000 },
		{ 3, 1000000001ull, 4 },
		{ 20000, 1500000000ull, 30000 },
		{ 100003, 1234567891ull, 123461 },   /* floor(1.234567891 * 100003) + 1 */
		{ 7, 1, 1 },
	};

	(void)state;
	for (unsigned n = 2; n <= 5; n++)
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			uint64_t total = 0;

			for (unsigned k = 0; k < n; k++)
				total += run_share_until(rows[i].pps, rows[i].ns, 7 + k,
							 (k % 3) * 1000000ull, k, n);
			if (total != rows[i].want)
				fail_msg("%u shares of %llu pps for %llu ns: %llu sent, want %llu", n,
					 (unsigned long long)rows[i].pps, (unsigned long long)rows[i].ns,
					 (unsigned long long)total, (unsigned long long)rows[i].want);
		}
}

/* A share is the schedule's probes index, index + n, ...: at 3 pps, share
 * 1 of 2 is due at probe 1 (333333334 ns), then probe 3 (1 s); its batch is
 * sized from its share of the rate (100 kpps in 2 shares: 50 = 1 ms of
 * 50 kpps), and a rate below the number of shares still gives single
 * probes, not unlimited batches. */
static void test_share_schedule(void **state)
{
	struct rate r;
	uint64_t wait;

	(void)state;
	rate_init_share(&r, 3, 8, T0, 1, 2);
	assert_int_equal(rate_allow(&r, T0, &wait), 0);
	assert_int_equal(wait, 333333334);
	assert_int_equal(rate_allow(&r, T0 + 333333334, &wait), 1);
	rate_sent(&r, 1);
	assert_int_equal(rate_allow(&r, T0 + 333333334, &wait), 0);
	assert_int_equal(wait, 1000000000 - 333333334);
	rate_init_share(&r, 3, 8, T0, 0, 2);
	assert_int_equal(rate_allow(&r, T0, &wait), 1);     /* probe 0 */
	rate_sent(&r, 1);
	assert_int_equal(rate_allow(&r, T0, &wait), 0);
	assert_int_equal(wait, 666666667);                  /* probe 2 */

	rate_init_share(&r, 100000, 256, T0, 1, 2);
	assert_int_equal(r.batch, 50);
	rate_init_share(&r, 1, 256, T0, 3, 4);
	assert_int_equal(r.batch, 1);
	assert_int_equal(rate_allow(&r, T0 + 2000000000ull, &wait), 0);   /* probes 0..2 due */
	assert_int_equal(rate_allow(&r, T0 + 3000000000ull, &wait), 1);   /* probe 3 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_10k),
		cmocka_unit_test(test_exact_100k),
		cmocka_unit_test(test_exact_1m),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_windows_stalls),
		cmocka_unit_test(test_one_wakeup_per_batch),
		cmocka_unit_test(test_batch_size),
		cmocka_unit_test(test_spin_or_sleep),
		cmocka_unit_test(test_catch_up),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_low_rate_batches),
		cmocka_unit_test(test_batch_cap),
		cmocka_unit_test(test_wait_is_exact),
		cmocka_unit_test(test_no_overflow),
		cmocka_unit_test(test_wait_not_early),
		cmocka_unit_test(test_deadline_exact),
		cmocka_unit_test(test_shares_deadline_exact),
		cmocka_unit_test(test_share_schedule),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
