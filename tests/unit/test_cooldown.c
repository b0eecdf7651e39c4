/* test_cooldown.c — the default cooldown: 4 x the slowest RTT seen, between
 * 1 s and 8 s after the last probe. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/cooldown.h"

#define MS 1000000ull

struct cd_case { uint64_t rtt_max_ns, want_ns; };

static const struct cd_case cases[] = {
	{ 0, 1000 * MS },                  /* nothing answered: the floor */
	{ 1, 1000 * MS },
	{ 20 * MS, 1000 * MS },            /* a LAN or the lab's delayed host */
	{ 250 * MS, 1000 * MS },           /* exactly the floor */
	{ 251 * MS, 1004 * MS },
	{ 300 * MS, 1200 * MS },
	{ 1500 * MS, 6000 * MS },
	{ 2000 * MS, 8000 * MS },          /* exactly the cap */
	{ 2001 * MS, 8000 * MS },
	{ 60000 * MS, 8000 * MS },
	{ UINT64_MAX, 8000 * MS },         /* no overflow */
	{ UINT64_MAX / 4 + 1, 8000 * MS },
};

static void test_auto(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: rtt_max %llu ns\n", i, (unsigned long long)cases[i].rtt_max_ns);
		assert_int_equal(cooldown_auto_ns(cases[i].rtt_max_ns), cases[i].want_ns);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
