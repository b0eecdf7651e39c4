/*
 * test_sources.c — the -S values: each accepted form (address, CIDR, range,
 * repeats and overlaps merged) with the exact address list, and every
 * refused input (host names, garbage, 0.0.0.0, over SRCSEL_MAX in one value
 * or in all) with its message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/srcsel.h"
#include "scanner/sources.h"

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

struct ok_case {
	const char *in[4];          /* -S values, NULL-terminated */
	size_t n;                   /* addresses expected */
	uint32_t first, last;
	const char *first_text;
};

static void test_accepted(void **state)
{
	(void)state;
	static const struct ok_case cases[] = {
		{ { "198.19.1.8" }, 1, A(198, 19, 1, 8), A(198, 19, 1, 8), "198.19.1.8" },
		{ { "198.19.1.8/32" }, 1, A(198, 19, 1, 8), A(198, 19, 1, 8), "198.19.1.8" },
		{ { "198.19.1.8/29" }, 8, A(198, 19, 1, 8), A(198, 19, 1, 15), "198.19.1.8" },
		{ { "198.19.1.13/29" }, 8, A(198, 19, 1, 8), A(198, 19, 1, 15), "198.19.1.8" },
		{ { "198.19.1.250-198.19.2.5" }, 12, A(198, 19, 1, 250), A(198, 19, 2, 5), "198.19.1.250" },
		{ { "198.19.1.12/30", "198.19.1.8-198.19.1.11", "198.19.1.9" }, 8,
		  A(198, 19, 1, 8), A(198, 19, 1, 15), "198.19.1.8" },
		{ { "198.19.9.1", "198.19.1.1" }, 2, A(198, 19, 1, 1), A(198, 19, 9, 1), "198.19.1.1" },
		{ { "198.18.0.0/16" }, 65536, A(198, 18, 0, 0), A(198, 18, 255, 255), "198.18.0.0" },
		{ { "198.18.0.0/17", "198.18.128.0/17" }, 65536, A(198, 18, 0, 0), A(198, 18, 255, 255),
		  "198.18.0.0" },
		{ { "255.255.255.255" }, 1, 0xffffffffu, 0xffffffffu, "255.255.255.255" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ok_case *c = &cases[i];
		struct sources s;
		char err[256] = "";

		sources_init(&s);
		for (int k = 0; k < 4 && c->in[k]; k++)
			assert_int_equal(sources_add(&s, c->in[k], err, sizeof(err)), 0);
		assert_int_equal(sources_finish(&s, err, sizeof(err)), 0);
		assert_int_equal(s.n, c->n);
		assert_int_equal(s.addr[0], c->first);
		assert_int_equal(s.addr[s.n - 1], c->last);
		assert_string_equal(s.first, c->first_text);
		for (size_t k = 1; k < s.n; k++)
			assert_true(s.addr[k] > s.addr[k - 1]);   /* sorted, unique */
		sources_free(&s);
	}
}

static void test_none(void **state)
{
	(void)state;
	struct sources s;
	char err[64] = "";

	sources_init(&s);
	assert_int_equal(sources_finish(&s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	assert_null(s.addr);
	assert_string_equal(s.first, "");
	sources_free(&s);
}

struct bad_case {
	const char *in[3];
	int fail_at;                /* index of the value refused, 3 = at finish */
	const char *msg;
};

static void test_refused(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ { "gateway.example" }, 0, "-S gateway.example: not an IPv4 address, CIDR or range "
		  "(use a.b.c.d, a.b.c.d/len or a.b.c.d-e.f.g.h)" },
		{ { "198.19.1.8/33" }, 0, "-S 198.19.1.8/33: not an IPv4 address, CIDR or range "
		  "(use a.b.c.d, a.b.c.d/len or a.b.c.d-e.f.g.h)" },
		{ { "198.19.1.9-198.19.1.8" }, 0, "-S 198.19.1.9-198.19.1.8: not an IPv4 address, "
		  "CIDR or range (use a.b.c.d, a.b.c.d/len or a.b.c.d-e.f.g.h)" },
		{ { "" }, 0, "-S : not an IPv4 address, CIDR or range "
		  "(use a.b.c.d, a.b.c.d/len or a.b.c.d-e.f.g.h)" },
		{ { "0.0.0.0" }, 0, "-S 0.0.0.0: 0.0.0.0 cannot be a source address" },
		{ { "198.19.1.1", "0.0.0.0/30" }, 1, "-S 0.0.0.0/30: 0.0.0.0 cannot be a source address" },
		{ { "198.18.0.0/15" }, 0, "-S 198.18.0.0/15: 131072 addresses: at most 65536 source addresses" },
		{ { "198.18.0.0/16", "198.20.0.1" }, 3,
		  "-S: 65537 source addresses in all: at most 65536 (give fewer or smaller ranges)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct sources s;
		char err[256] = "";
		int k;

		sources_init(&s);
		for (k = 0; k < 3 && c->in[k]; k++) {
			int rc = sources_add(&s, c->in[k], err, sizeof(err));

			assert_int_equal(rc, k == c->fail_at ? -1 : 0);
			if (rc < 0)
				break;
		}
		if (c->fail_at == 3)
			assert_int_equal(sources_finish(&s, err, sizeof(err)), -1);
		assert_string_equal(err, c->msg);
		sources_free(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
