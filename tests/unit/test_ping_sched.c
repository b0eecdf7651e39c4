/*
 * test_ping_sched.c — `echoscan ping`'s send schedule on the kernel socket
 * path against iputils ping's pinger() arithmetic: each case drives the
 * schedule with a fake clock and replies, and lists when probes go out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scanner/ping_sched.h"

#define MS 1000000ull

/* Simulates `ms` milliseconds in 1 ms steps; a probe is answered `rtt_ms`
 * after it leaves (never when rtt_ms < 0). Writes the send times (ms) into
 * out, returns how many. */
static int simulate(long interval, int preload, long rtt_ms, long ms, long *out, int max)
{
	struct ping_sched s;
	long sent_at[4096];
	long nrecv = 0;
	int n = 0;

	ping_sched_init(&s, interval, preload, false);
	for (long t = 0; t < ms; t++) {
		/* replies due by now */
		while (rtt_ms >= 0 && nrecv < s.ntransmitted && sent_at[nrecv] + rtt_ms <= t) {
			ping_sched_ack(&s, (uint16_t)(nrecv + 1));
			nrecv++;
		}
		while (ping_sched_check(&s, (uint64_t)t * MS, nrecv, 0) == 0 && n < max) {
			sent_at[s.ntransmitted] = t;
			out[n++] = t;
			ping_sched_sent(&s);
		}
	}
	return n;
}

static void expect(const char *what, const long *got, int n, const long *want, int nwant)
{
	if (n != nwant)
		fail_msg("%s: %d probes, want %d", what, n, nwant);
	for (int i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("%s: probe %d at %ld ms, want %ld", what, i, got[i], want[i]);
}

static void test_interval(void **state)
{
	long got[64];
	static const long want[] = { 0, 200, 400, 600, 800 };
	int n;

	(void)state;
	n = simulate(200, 1, 1, 1000, got, 64);
	expect("-i 0.2", got, n, want, 5);
}

static void test_preload(void **state)
{
	long got[64];
	/* iputils -l 3 -i 0.2: three at once, then one per interval */
	static const long want[] = { 0, 0, 0, 200, 400, 600, 800 };
	int n;

	(void)state;
	n = simulate(200, 3, 1, 1000, got, 64);
	expect("-l 3 -i 0.2", got, n, want, 7);
}

static void test_flood(void **state)
{
	long got[4096];
	static const long silent[] = { 0, 10, 20, 30, 40 };
	int n;

	(void)state;
	/* replies after 2 ms: the next probe goes as each reply comes */
	n = simulate(0, 1, 2, 20, got, 4096);
	if (n != 10)
		fail_msg("flood, 2 ms replies: %d probes in 20 ms, want 10", n);
	for (int i = 0; i < n; i++)
		assert_int_equal(got[i], 2 * i);
	/* no replies: 100 per second */
	n = simulate(0, 1, -1, 50, got, 4096);
	expect("flood, silent host", got, n, silent, 5);
	/* -l 2: two in flight */
	n = simulate(0, 2, 4, 8, got, 4096);
	if (n != 4 || got[0] != 0 || got[1] != 0 || got[2] != 4 || got[3] != 4)
		fail_msg("flood -l 2, 4 ms replies: %d probes (%ld %ld %ld %ld)", n, got[0],
			 n > 1 ? got[1] : -1, n > 2 ? got[2] : -1, n > 3 ? got[3] : -1);
}

static void test_adaptive(void **state)
{
	struct ping_sched s;

	(void)state;
	ping_sched_init(&s, 1000, 1, false);
	ping_sched_adapt(&s, 0);                 /* no RTT yet: unchanged */
	assert_int_equal(s.interval_ms, 1000);
	ping_sched_adapt(&s, 8 * 1500);          /* 1.5 ms average: 2 ms */
	assert_int_equal(s.interval_ms, 2);
	ping_sched_adapt(&s, 8 * 20);            /* 20 us: 0, flood-like */
	assert_int_equal(s.interval_ms, 0);
	ping_sched_init(&s, 1000, 1, true);
	ping_sched_adapt(&s, 8 * 20);            /* users keep 2 ms */
	assert_int_equal(s.interval_ms, 2);
	s.rtt_addend = 3000;                     /* after buffer overflows */
	ping_sched_adapt(&s, 8 * 1500);
	assert_int_equal(s.interval_ms, 5);
}

static void test_in_flight(void **state)
{
	struct ping_sched s;

	(void)state;
	ping_sched_init(&s, 0, 1, false);
	for (int i = 0; i < 5; i++)
		ping_sched_sent(&s);
	assert_int_equal(ping_sched_in_flight(&s, 0, 0), 5);
	ping_sched_ack(&s, 3);                   /* seq 3 answered: 4 and 5 in flight */
	assert_int_equal(ping_sched_in_flight(&s, 1, 0), 2);
	assert_int_equal(s.pipesize, 3);
	ping_sched_ack(&s, 1);                   /* a late reply does not go back */
	assert_int_equal(ping_sched_in_flight(&s, 2, 0), 2);
	assert_int_equal(s.pipesize, 5);
	/* across the 16-bit wrap */
	ping_sched_init(&s, 0, 1, false);
	for (long i = 0; i < 65537; i++)
		ping_sched_sent(&s);
	ping_sched_ack(&s, 1);                   /* the 65537th probe's sequence */
	assert_int_equal(ping_sched_in_flight(&s, 0, 0), 0);
	assert_int_equal(ping_sched_failed(&s), PING_SCHED_MIN_MS);
	s.interval_ms = 200;
	assert_int_equal(ping_sched_failed(&s), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_preload),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_adaptive),
		cmocka_unit_test(test_in_flight),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
