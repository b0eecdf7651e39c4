/*
 * test_rx.c — the capture stamp conversion of engine/rx.c: nanosecond
 * precision passes tv_usec through, microsecond precision (when the kernel
 * refuses nanoseconds) scales it, so RTTs stay right either way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/rx.h"

static void test_ts(void **state)
{
	static const struct { uint64_t sec, frac; bool nano; uint64_t want; } rows[] = {
		{ 0, 0, true, 0 },
		{ 1, 1, true, 1000000001ull },
		{ 1, 1, false, 1000001000ull },
		{ 1700000000, 999999999, true, 1700000000999999999ull },
		{ 1700000000, 999999, false, 1700000000999999000ull },
		{ 1700000000, 123456, false, 1700000000123456000ull },
		{ 1700000000, 123456, true, 1700000000000123456ull },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(rx_ts_ns(rows[i].sec, rows[i].frac, rows[i].nano), rows[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ts),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
