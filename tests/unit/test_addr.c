/*
 * test_addr.c — the family-carrying address: parsing (both families, strict),
 * RFC 5952 text for every rule of the RFC (section 4: leading zeros, "::" for
 * the longest run of two or more zero groups, the first on a tie, never for
 * one group, lower case; section 5: IPv4-mapped in dotted form), a round trip
 * through inet_pton, ordering and the 128-bit conversions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "engine/addr.h"

struct fmt_case { const char *in, *out; };

static const struct fmt_case fmts[] = {
	{ "198.18.0.1", "198.18.0.1" },
	{ "0.0.0.0", "0.0.0.0" },
	{ "255.255.255.255", "255.255.255.255" },
	{ "10.100.0.9", "10.100.0.9" },
	{ "::", "::" },
	{ "::1", "::1" },
	{ "1::", "1::" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
	{ "2001:DB8::ABCD", "2001:db8::abcd" },
	{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },      /* first of equal runs */
	{ "2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1" },        /* the longest run */
	{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },   /* never one group */
	{ "2001:db8:1::", "2001:db8:1::" },
	{ "2001:db8:1::ffff", "2001:db8:1::ffff" },
	{ "fe80::1:2", "fe80::1:2" },
	{ "0:0:1:0:0:0:1:0", "0:0:1::1:0" },
	{ "1:0:0:0:0:0:0:0", "1::" },
	{ "0:0:0:0:0:0:0:2", "::2" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ "::ffff:198.18.0.1", "::ffff:198.18.0.1" },
	{ "::ffff:c612:1", "::ffff:198.18.0.1" },
	{ "::198.18.0.1", "::c612:1" },                       /* not the deprecated form */
	{ "::ffff:0:0", "::ffff:0.0.0.0" },
	{ "0:0:0:0:1:ffff:1:2", "::1:ffff:1:2" },
	{ "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
	{ "2001:db8:0:1:2:3:4:0", "2001:db8:0:1:2:3:4:0" },
	{ "2001:db8:0:0:2:3:4:0", "2001:db8::2:3:4:0" },
	{ "0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1" },
	{ "abcd:ef01:2345:6789:abcd:ef01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789" },
	{ "0:0:0:0:0:ffff:ffff:ffff", "::ffff:255.255.255.255" },
};

static void test_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct es_addr a, back;
		char buf[ES_ADDR_STRLEN];
		size_t n;

		assert_true(es_addr_parse_any(fmts[i].in, &a));
		n = es_addr_text(&a, buf, sizeof(buf));
		if (strcmp(buf, fmts[i].out) != 0)
			fail_msg("%s: got %s, want %s", fmts[i].in, buf, fmts[i].out);
		assert_int_equal(n, strlen(fmts[i].out));
		/* the text reads back as the same address */
		assert_true(es_addr_parse_any(buf, &back));
		assert_true(es_addr_equal(&a, &back));
	}
}

static void test_format_small_buffer(void **state)
{
	struct es_addr a;
	char buf[12];

	(void)state;
	assert_true(es_addr_parse_any("2001:db8::1", &a));
	assert_int_equal(es_addr_text(&a, buf, 12), 11);
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(es_addr_text(&a, buf, 11), 0);
	assert_string_equal(buf, "");
	a = es_addr_v4(0xc6120001u);
	assert_int_equal(es_addr_text(&a, buf, 11), 10);
	assert_int_equal(es_addr_text(&a, buf, 10), 0);
}

/* Every pattern of zero and non-zero groups (2^8) with a few values each:
 * the text parses back to the address and, like inet_ntop's, never holds
 * ":::" or a second "::". */
static void test_format_exhaustive(void **state)
{
	(void)state;
	for (unsigned mask = 0; mask < 256; mask++) {
		uint8_t b[16] = { 0 };
		struct es_addr a, back;
		char buf[ES_ADDR_STRLEN];
		const char *dc;

		for (int g = 0; g < 8; g++)
			if (mask & (1u << g)) {
				b[2 * g] = (uint8_t)(g * 17);
				b[2 * g + 1] = (uint8_t)(mask | 1);
			}
		a = es_addr_v6(b);
		assert_true(es_addr_text(&a, buf, sizeof(buf)) > 0);
		assert_true(es_addr_parse_any(buf, &back));
		if (!es_addr_equal(&a, &back))
			fail_msg("mask %02x: %s does not read back", mask, buf);
		assert_null(strstr(buf, ":::"));
		dc = strstr(buf, "::");
		if (dc)
			assert_null(strstr(dc + 1, "::"));
	}
}

static void test_parse(void **state)
{
	static const char *const bad[] = {
		"", "2001:db8::zz", "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0",
		"01.2.3.4", "1.2.3", "256.1.1.1", "2001:db8::/64", " ::1", "::1 ", "x",
		"1.2.3.4:80", ":", ":::",
	};
	struct es_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (es_addr_parse_any(bad[i], &a))
			fail_msg("\"%s\" parsed", bad[i]);
	assert_true(es_addr_parse_any("198.18.0.1", &a));
	assert_int_equal(a.family, ES_AF4);
	assert_memory_equal(a.bytes, "\xc6\x12\x00\x01", 4);
	for (int i = 4; i < 16; i++)
		assert_int_equal(a.bytes[i], 0);
	assert_true(es_addr_parse_any("2001:db8::1", &a));
	assert_int_equal(a.family, ES_AF6);
	assert_int_equal(a.bytes[0], 0x20);
	assert_int_equal(a.bytes[15], 1);
}

static void test_u128_and_order(void **state)
{
	struct es_addr a, b, c, v4;
	es_u128 v;

	(void)state;
	assert_true(es_addr_parse_any("2001:db8:1::ff", &a));
	v = es_addr_to_u128(&a);
	assert_true(es_addr_hi64(&a) == 0x20010db800010000ull);
	assert_true(es_addr_lo64(&a) == 0xffull);
	b = es_addr_from_u128(v + 1);
	assert_true(es_addr_parse_any("2001:db8:1::100", &c));
	assert_true(es_addr_equal(&b, &c));
	assert_true(es_addr_cmp(&a, &b) < 0);
	assert_true(es_addr_cmp(&b, &a) > 0);
	v4 = es_addr_v4(0xffffffffu);
	assert_true(es_addr_cmp(&v4, &a) < 0);   /* IPv4 first */
	b = es_addr_from_u128(~(es_u128)0);
	assert_int_equal(b.bytes[0], 0xff);
	assert_int_equal(b.bytes[15], 0xff);
	assert_true(es_addr_parse_any("fe80::1", &a));
	assert_true(es_addr_is_link_local6(&a));
	assert_true(es_addr_parse_any("febf::1", &a));
	assert_true(es_addr_is_link_local6(&a));
	assert_true(es_addr_parse_any("fec0::1", &a));
	assert_false(es_addr_is_link_local6(&a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_format_exhaustive),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_u128_and_order),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
