/*
 * test_trace_seq.c — a kernel-socket trace's probe numbers
 * (engine/trace_seq.c): for TTL ranges and probe counts at their limits,
 * every (TTL, slot) gets its own number, the numbers run 0..count-1 in
 * sending order (hop by hop) and map back to the same (TTL, slot); numbers
 * from count on (a stranger's, or another trace's) map to nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/trace_seq.h"

struct seq_case {
	unsigned first, last, probes, count;
};

static const struct seq_case cases[] = {
	{ 1, 30, 3, 90 },       /* traceroute's defaults */
	{ 1, 1, 1, 1 },         /* one probe */
	{ 5, 5, 10, 10 },       /* one hop, the most probes */
	{ 1, 255, 10, 2550 },   /* every TTL, the most probes */
	{ 254, 255, 3, 6 },     /* the top of the range */
	{ 7, 12, 4, 24 },
};

static void test_round_trip(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct seq_case *k = &cases[c];
		struct trace_seq q = { k->first, k->last, k->probes };
		unsigned next = 0, ttl, slot;

		assert_int_equal(trace_seq_count(&q), k->count);
		for (unsigned t = k->first; t <= k->last; t++) {
			for (unsigned s = 0; s < k->probes; s++) {
				uint16_t p = trace_seq_probe(&q, t, s);

				assert_int_equal(p, next);      /* sending order */
				next++;
				ttl = slot = 999;
				assert_true(trace_seq_hop(&q, p, &ttl, &slot));
				assert_int_equal(ttl, t);
				assert_int_equal(slot, s);
			}
		}
		assert_int_equal(next, k->count);
	}
}

static void test_strangers(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct seq_case *k = &cases[c];
		struct trace_seq q = { k->first, k->last, k->probes };
		static const unsigned beyond[] = { 0, 1, 2, 1000, 65534, 65535 };

		for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
			unsigned p = k->count + beyond[i], ttl = 999, slot = 999;

			if (p > 65535)
				continue;
			assert_false(trace_seq_hop(&q, p, &ttl, &slot));
			assert_int_equal(ttl, 999);     /* nothing written */
			assert_int_equal(slot, 999);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_strangers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
