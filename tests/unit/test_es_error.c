/*
 * test_es_error.c — the public error codes keep their values and names,
 * es_strerror never returns NULL or an empty text, every code has its own
 * text, and the version calls agree with the header's macros.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "echoscan.h"

struct code_case {
	int code;
	int value;          /* the value the enum must keep (ABI) */
	const char *name;
	const char *word;   /* a word the text must contain */
};

static const struct code_case codes[] = {
	{ ES_OK, 0, "ES_OK", "success" },
	{ ES_EINVAL, -1, "ES_EINVAL", "invalid" },
	{ ES_EPERM, -2, "ES_EPERM", "CAP_NET_RAW" },
	{ ES_ENODEV, -3, "ES_ENODEV", "interface" },
	{ ES_ENOROUTE, -4, "ES_ENOROUTE", "route" },
	{ ES_ENOMEM, -5, "ES_ENOMEM", "memory" },
	{ ES_ESYS, -6, "ES_ESYS", "system call" },
	{ ES_EUNSUPPORTED, -7, "ES_EUNSUPPORTED", "not supported" },
	{ ES_ESTATE, -8, "ES_ESTATE", "state" },
	{ ES_ENOTFOUND, -9, "ES_ENOTFOUND", "resolve" },
	{ ES_ETIMEDOUT, -10, "ES_ETIMEDOUT", "timed out" },
};
#define N_CODES (sizeof(codes) / sizeof(codes[0]))

static void test_codes(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CODES; i++) {
		const struct code_case *c = &codes[i];
		const char *t = es_strerror(c->code);
		assert_int_equal(c->code, c->value);
		assert_non_null(t);
		if (strstr(t, c->word) == NULL)
			fail_msg("es_strerror(%s) = \"%s\" lacks \"%s\"", c->name, t, c->word);
		assert_string_equal(es_err_name(c->code), c->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(t, es_strerror(codes[j].code)) == 0)
				fail_msg("%s and %s share the text \"%s\"", c->name, codes[j].name, t);
	}
}

static void test_unknown(void **state)
{
	(void)state;
	static const int unknown[] = { 1, 42, -11, -1000, INT_MIN, INT_MAX };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_string_equal(es_strerror(unknown[i]), "unknown error");
		assert_string_equal(es_err_name(unknown[i]), "ES_UNKNOWN");
	}
}

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(es_version(), ES_VERSION_HEX);
	assert_int_equal(es_version() >> 16, ES_VERSION_MAJOR);
	assert_string_equal(es_version_string(), ES_VERSION_STRING);
	char want[32];
	snprintf(want, sizeof(want), "%d.%d.%d", ES_VERSION_MAJOR, ES_VERSION_MINOR,
		 ES_VERSION_PATCH);
	assert_string_equal(es_version_string(), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_version),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
