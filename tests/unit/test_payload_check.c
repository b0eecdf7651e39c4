/*
 * test_payload_check.c — probe_payload_check, the payload rule the IPv4 and
 * IPv6 probe builders share, on its max parameter (PROBE_PAYLOAD_MAX and
 * PROBE6_PAYLOAD_MAX): the bounds, an empty pattern, and the messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "engine/probe.h"
#include "engine/probe6.h"

struct pc_case {
	uint16_t len, max;
	const uint8_t *pattern;
	size_t pattern_len;
	int rc;
	const char *err;
};

static const uint8_t pat[] = { 0xab };

static const struct pc_case cases[] = {
	{ 18, PROBE_PAYLOAD_MAX, NULL, 0, 0, "" },
	{ 17, PROBE_PAYLOAD_MAX, NULL, 0, -1, "probe payload length 17 out of range 18..1472" },
	{ 1472, PROBE_PAYLOAD_MAX, NULL, 0, 0, "" },
	{ 1473, PROBE_PAYLOAD_MAX, NULL, 0, -1, "probe payload length 1473 out of range 18..1472" },
	{ 1452, PROBE6_PAYLOAD_MAX, pat, 1, 0, "" },
	{ 1453, PROBE6_PAYLOAD_MAX, NULL, 0, -1, "probe payload length 1453 out of range 18..1452" },
	{ 0, PROBE6_PAYLOAD_MAX, NULL, 0, -1, "probe payload length 0 out of range 18..1452" },
	{ 56, PROBE_PAYLOAD_MAX, pat, 0, -1, "probe fill pattern is empty" },
	{ 56, PROBE6_PAYLOAD_MAX, pat, 0, -1, "probe fill pattern is empty" },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "";

		assert_int_equal(probe_payload_check(cases[i].len, cases[i].max, cases[i].pattern,
						     cases[i].pattern_len, err, sizeof(err)),
				 cases[i].rc);
		assert_string_equal(err, cases[i].err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
