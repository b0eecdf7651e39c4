/*
 * test_numparse.c — table-driven checks of the bounded number parsers: good
 * values give the exact result, bad ones fail with a message naming the
 * option and the text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "scanner/numparse.h"

enum kind { U64, RATE, DUR };

struct num_case {
	enum kind kind;
	const char *in;
	uint64_t min, max;
	int rc;
	uint64_t want;       /* when rc == 0 */
	const char *msg;     /* when rc == -1: exact message, or NULL */
};

#define MS 1000000ULL
#define SEC 1000000000ULL

static const struct num_case cases[] = {
	{ U64, "0", 0, 10, 0, 0, NULL },
	{ U64, "64", 1, 255, 0, 64, NULL },
	{ U64, "255", 1, 255, 0, 255, NULL },
	{ U64, "18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX, NULL },
	{ U64, "300", 1, 255, -1, 0, "--ttl: 300 is out of range 1..255" },
	{ U64, "0", 1, 255, -1, 0, "--ttl: 0 is out of range 1..255" },
	{ U64, "18446744073709551616", 0, UINT64_MAX, -1, 0,
	  "--ttl: 18446744073709551616 is too large (at most 18446744073709551615)" },
	{ U64, "99999999999999999999999", 1, 255, -1, 0, NULL },
	{ U64, "", 0, 10, -1, 0, "--ttl: \"\" is not a whole number" },
	{ U64, "-1", 0, 10, -1, 0, "--ttl: \"-1\" is not a whole number" },
	{ U64, "+1", 0, 10, -1, 0, NULL },
	{ U64, " 1", 0, 10, -1, 0, NULL },
	{ U64, "1 ", 0, 10, -1, 0, NULL },
	{ U64, "12x", 0, 100, -1, 0, "--ttl: \"12x\" is not a whole number" },
	{ U64, "1.0", 0, 10, -1, 0, NULL },
	{ U64, "0x10", 0, 100, -1, 0, NULL },

	{ RATE, "10000", 1, UINT64_MAX, 0, 10000, NULL },
	{ RATE, "10k", 1, UINT64_MAX, 0, 10000, NULL },
	{ RATE, "10K", 1, UINT64_MAX, 0, 10000, NULL },
	{ RATE, "1.5M", 1, UINT64_MAX, 0, 1500000, NULL },
	{ RATE, "2G", 1, UINT64_MAX, 0, 2000000000, NULL },
	{ RATE, "0.001k", 1, UINT64_MAX, 0, 1, NULL },
	{ RATE, "2.50", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "10.0", 1, UINT64_MAX, 0, 10, NULL },
	{ RATE, "1.000000001G", 1, UINT64_MAX, 0, 1000000001, NULL },
	{ RATE, "max", 1, UINT64_MAX, 0, UINT64_MAX, NULL },
	{ RATE, "max", 1, 1000, 0, UINT64_MAX, NULL },
	{ RATE, "12x", 1, UINT64_MAX, -1, 0,
	  "--rate: \"12x\" is not a rate (use e.g. 10000, 10k, 1.5M or max)" },
	{ RATE, "0.0001k", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "1.5", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, ".5k", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "5.k", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "k", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "10kk", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "10m", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "-5", 1, UINT64_MAX, -1, 0, NULL },
	{ RATE, "0", 1, UINT64_MAX, -1, 0, "--rate: 0 is too small (at least 1)" },
	{ RATE, "20000000000G", 1, UINT64_MAX, -1, 0,
	  "--rate: 20000000000G is too large (at most 18446744073709551615)" },
	{ RATE, "99999999999999999999", 1, UINT64_MAX, -1, 0,
	  "--rate: 99999999999999999999 is too large (at most 18446744073709551615)" },
	{ RATE, "18446744073709551616", 1, UINT64_MAX, -1, 0,
	  "--rate: 18446744073709551616 is too large (at most 18446744073709551615)" },
	{ U64, "18446744073709551616", 1, UINT64_MAX, -1, 0,
	  "--ttl: 18446744073709551616 is too large (at most 18446744073709551615)" },
	{ RATE, "18446744073709551615", 1, UINT64_MAX, 0, UINT64_MAX, NULL },
	{ RATE, "2k", 1, 1000, -1, 0, "--rate: 2k is out of range 1..1000" },

	{ DUR, "8", 0, UINT64_MAX, 0, 8 * SEC, NULL },
	{ DUR, "0.5", 0, UINT64_MAX, 0, SEC / 2, NULL },
	{ DUR, "250ms", 0, UINT64_MAX, 0, 250 * MS, NULL },
	{ DUR, "1.5ms", 0, UINT64_MAX, 0, 1500000, NULL },
	{ DUR, "3s", 0, UINT64_MAX, 0, 3 * SEC, NULL },
	{ DUR, "2m", 0, UINT64_MAX, 0, 120 * SEC, NULL },
	{ DUR, "1h", 0, UINT64_MAX, 0, 3600 * SEC, NULL },
	{ DUR, "0.25h", 0, UINT64_MAX, 0, 900 * SEC, NULL },
	{ DUR, "0.000000001", 0, UINT64_MAX, 0, 1, NULL },
	{ DUR, "0", 0, UINT64_MAX, 0, 0, NULL },
	{ DUR, "2h", 0, 3600 * SEC, -1, 0, "--cooldown: 2h is too large (at most 1h)" },
	{ DUR, "1ms", SEC, 60 * SEC, -1, 0, "--cooldown: 1ms is out of range 1s..1m" },
	{ DUR, "5x", 0, UINT64_MAX, -1, 0,
	  "--cooldown: \"5x\" is not a duration (use e.g. 8, 0.5, 250ms, 2m or 1h)" },
	{ DUR, "", 0, UINT64_MAX, -1, 0, NULL },
	{ DUR, "ms", 0, UINT64_MAX, -1, 0, NULL },
	{ DUR, "-1", 0, UINT64_MAX, -1, 0, NULL },
	{ DUR, "1.s", 0, UINT64_MAX, -1, 0, NULL },
	{ DUR, "1 s", 0, UINT64_MAX, -1, 0, NULL },
	{ DUR, "1sec", 0, UINT64_MAX, -1, 0, NULL },
	{ DUR, "99999999999h", 0, UINT64_MAX, -1, 0, NULL },
	{ DUR, "99999999999h", SEC, UINT64_MAX, -1, 0,
	  "--cooldown: 99999999999h is too large (at most 18446744073.709551615s)" },
};

static int run(const struct num_case *c, uint64_t *out, char *err, size_t len)
{
	switch (c->kind) {
	case U64:
		return num_u64("--ttl", c->in, c->min, c->max, out, err, len);
	case RATE:
		return num_rate("--rate", c->in, c->min, c->max, out, err, len);
	default:
		return num_duration("--cooldown", c->in, c->min, c->max, out, err, len);
	}
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct num_case *c = &cases[i];
		uint64_t out = 12345;
		char err[256] = "";
		int rc = run(c, &out, err, sizeof(err));

		if (rc != c->rc || (rc == 0 && out != c->want))
			print_error("case %zu: \"%s\" gave rc %d, %llu (%s)\n", i,
				    c->in, rc, (unsigned long long)out, err);
		assert_int_equal(rc, c->rc);
		if (rc == 0) {
			assert_true(out == c->want);
			continue;
		}
		assert_true(out == 12345);
		assert_non_null(strstr(err, c->kind == U64 ? "--ttl" :
				       c->kind == RATE ? "--rate" : "--cooldown"));
		if (c->msg)
			assert_string_equal(err, c->msg);
	}
}

/* A tiny err buffer truncates the message but never overflows. */
static void test_small_err_buffer(void **state)
{
	char err[8];
	uint64_t out;

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(num_u64("--ttl", "abc", 0, 1, &out, err, 6), -1);
	assert_string_equal(err, "--ttl");
	assert_int_equal(err[7], 'x');
}

/* num_decimal: plain decimals only, exact where the decimal is exact. */
static void test_decimal(void **state)
{
	static const struct {
		const char *in;
		int rc;
		double want;
		const char *msg;
	} dc[] = {
		{ "3", 0, 3.0, NULL },
		{ "0", 0, 0.0, NULL },
		{ "0.5", 0, 0.5, NULL },
		{ "1.25", 0, 1.25, NULL },
		{ "3600", 0, 3600.0, NULL },
		{ "3600.5", -1, 0, "-w: 3600.5 is out of range 0..3600" },
		{ "99999999999999999999999", -1, 0, NULL },
		{ "", -1, 0, "-w: \"\" is not a number (use e.g. 3 or 0.5)" },
		{ "-1", -1, 0, "-w: \"-1\" is not a number (use e.g. 3 or 0.5)" },
		{ "+1", -1, 0, NULL },
		{ "1e3", -1, 0, NULL },
		{ "inf", -1, 0, NULL },
		{ "nan", -1, 0, NULL },
		{ "0x10", -1, 0, NULL },
		{ " 1", -1, 0, NULL },
		{ "1.", -1, 0, NULL },
		{ ".5", -1, 0, NULL },
		{ "1s", -1, 0, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(dc) / sizeof(dc[0]); i++) {
		char err[128] = "";
		double out = -7;
		int rc = num_decimal("-w", dc[i].in, 0, 3600, &out, err, sizeof(err));

		if (rc != dc[i].rc)
			fail_msg("num_decimal(\"%s\") = %d (%s), want %d", dc[i].in, rc, err,
				 dc[i].rc);
		if (rc == 0 && out != dc[i].want)
			fail_msg("num_decimal(\"%s\") gave %g, want %g", dc[i].in, out, dc[i].want);
		if (rc < 0 && dc[i].msg)
			assert_string_equal(err, dc[i].msg);
		if (rc < 0 && !strstr(err, "-w"))
			fail_msg("num_decimal(\"%s\"): \"%s\" does not name the option", dc[i].in, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_decimal),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
