/*
 * test_progress.c — the status line's progress part: percent and time left
 * while sending and cooling, never past 100 % and no unsigned underflow when
 * more was sent than planned, and the pass number (no percent, no ETA) with
 * --loop, where one pass is not the whole run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "scanner/progress.h"

static void test_table(void **state)
{
	static const struct { struct progress_in in; const char *want; } rows[] = {
		{ { .sent = 0, .total = 100, .send_secs = 0, .cooldown_s = 8 }, "  0% (0:00 left)" },
		{ { .sent = 25, .total = 100, .send_secs = 1, .cooldown_s = 8 }, " 25% (0:11 left)" },
		{ { .sent = 50, .total = 100, .send_secs = 30, .cooldown_s = 8 }, " 50% (0:38 left)" },
		{ { .sent = 1, .total = 7200, .send_secs = 1, .cooldown_s = 0 }, "  0% (1:59:59 left)" },
		{ { .sent = 100, .total = 100, .send_secs = 2, .cooldown_s = 8 }, "100% (0:08 left)" },
		/* more sent than planned (a pass counted once): 100 %, no underflow */
		{ { .sent = 500, .total = 100, .send_secs = 5, .cooldown_s = 8 }, "100% (0:08 left)" },
		{ { .sent = 100, .total = 100, .cooling = true, .cooldown_left_s = 3 },
		  "100% (0:03 left, cooling down)" },
		{ { .sent = 5, .total = 0, .send_secs = 1 }, "100% (0:00 left)" },
		/* --resume at 50 %: 10 more sent in 1 s, 40 to go */
		{ { .done_before = 50, .sent = 10, .total = 100, .send_secs = 1, .cooldown_s = 8 },
		  " 60% (0:12 left)" },
		{ { .done_before = 95, .sent = 10, .total = 100, .send_secs = 1, .cooldown_s = 8 },
		  "100% (0:08 left)" },
		/* --loop: the "500% (511388075298876:09:44 left)" */
		{ { .loop = true, .sent = 5000000, .total = 1000000, .passes = 5, .send_secs = 5,
		    .cooldown_s = 8 }, "pass 5" },
		{ { .loop = true, .sent = 0, .total = 1000000, .passes = 1 }, "pass 1" },
		{ { .loop = true, .sent = 70, .total = 10, .passes = 7, .cooling = true,
		    .cooldown_left_s = 1 }, "pass 7 (0:01 left, cooling down)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[96];

		progress_fmt(buf, sizeof(buf), &rows[i].in);
		if (strcmp(buf, rows[i].want) != 0)
			fail_msg("row %zu: \"%s\", want \"%s\"", i, buf, rows[i].want);
	}
}

static void test_clock(void **state)
{
	static const struct { uint64_t s; const char *want; } rows[] = {
		{ 0, "0:00" }, { 59, "0:59" }, { 61, "1:01" }, { 3599, "59:59" },
		{ 3600, "1:00:00" }, { 360000, "100:00:00" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[32];

		progress_clock(buf, sizeof(buf), rows[i].s);
		assert_string_equal(buf, rows[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_clock),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
