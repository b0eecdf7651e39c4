/*
 * test_route.c — route_parse_mac on good and bad input (table-driven), and
 * route_lookup where it can run anywhere: 127.0.0.1 goes out on lo in every
 * network namespace, so it exercises the rtnetlink path without privileges;
 * plus the override checks, which fail before anything is looked up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <cmocka.h>

#include "echoscan.h"
#include "engine/route.h"

#define LOOPBACK 0x7f000001u

static void test_parse_mac_good(void **state)
{
	static const struct {
		const char *s;
		uint8_t mac[6];
	} cases[] = {
		{ "00:00:00:00:00:00", { 0, 0, 0, 0, 0, 0 } },
		{ "aa:bb:cc:dd:ee:ff", { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "AA:Bb:0c:D9:e0:F1", { 0xaa, 0xbb, 0x0c, 0xd9, 0xe0, 0xf1 } },
		{ "02:42:ac:11:00:02", { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t mac[6];

		if (route_parse_mac(cases[i].s, mac) != 0)
			fail_msg("route_parse_mac(\"%s\") failed", cases[i].s);
		assert_memory_equal(mac, cases[i].mac, 6);
	}
}

static void test_parse_mac_bad(void **state)
{
	static const char *const cases[] = {
		"", "aa", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:f",
		"aa:bb:cc:dd:ee:ff:", "aa:bb:cc:dd:ee:ff:00", "aa-bb-cc-dd-ee-ff",
		"a:bb:cc:dd:ee:ff0", "gg:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:fg",
		" aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff ", "aabb.ccdd.eeff",
		"aa:bb:cc:dd:ee:+f", "0x:bb:cc:dd:ee:ff",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t mac[6] = { 1, 2, 3, 4, 5, 6 };
		const uint8_t same[6] = { 1, 2, 3, 4, 5, 6 };

		if (route_parse_mac(cases[i], mac) != -1)
			fail_msg("route_parse_mac(\"%s\") accepted", cases[i]);
		assert_memory_equal(mac, same, 6);   /* untouched on error */
	}
	assert_int_equal(route_parse_mac(NULL, (uint8_t[6]){ 0 }), -1);
}

static void test_lookup_loopback(void **state)
{
	struct route_info ri;
	char err[256] = "";
	const uint8_t zero[6] = { 0 };

	(void)state;
	if (route_lookup(LOOPBACK, NULL, 100, &ri, err, sizeof(err)) != 0)
		fail_msg("route_lookup(127.0.0.1): %s", err);
	assert_string_equal(ri.ifname, "lo");
	assert_true(ri.ifindex > 0);
	assert_int_equal(ri.saddr, LOOPBACK);
	assert_int_equal(ri.nexthop, LOOPBACK);
	assert_true(ri.is_loopback);
	assert_int_equal(ri.linktype, ARPHRD_LOOPBACK);
	assert_memory_equal(ri.src_mac, zero, 6);
	assert_memory_equal(ri.dst_mac, zero, 6);
}

static void test_lookup_overrides(void **state)
{
	struct route_overrides ov = { .ifname = "lo", .saddr = "127.0.0.9" };
	struct route_info ri;
	char err[256] = "";

	(void)state;
	if (route_lookup(LOOPBACK, &ov, 100, &ri, err, sizeof(err)) != 0)
		fail_msg("route_lookup(127.0.0.1, -i lo -S 127.0.0.9): %s", err);
	assert_string_equal(ri.ifname, "lo");
	assert_int_equal(ri.saddr, 0x7f000009u);
}

static void test_lookup_bad_overrides(void **state)
{
	static const struct {
		struct route_overrides ov;
		const char *needle;
		int code;
	} cases[] = {
		{ { "nosuchif9", NULL, NULL }, "nosuchif9", ES_ENODEV },
		{ { NULL, "10.1.2", NULL }, "-S 10.1.2", ES_EINVAL },
		{ { NULL, "example.com", NULL }, "-S example.com", ES_EINVAL },
		{ { NULL, NULL, "aa:bb:cc:dd:ee" }, "-G aa:bb:cc:dd:ee", ES_EINVAL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct route_info ri;
		char err[256] = "";

		assert_int_equal(route_lookup(LOOPBACK, &cases[i].ov, 100, &ri,
					      err, sizeof(err)), cases[i].code);
		if (!strstr(err, cases[i].needle))
			fail_msg("error \"%s\" does not name \"%s\"", err,
				 cases[i].needle);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_mac_good),
		cmocka_unit_test(test_parse_mac_bad),
		cmocka_unit_test(test_lookup_loopback),
		cmocka_unit_test(test_lookup_overrides),
		cmocka_unit_test(test_lookup_bad_overrides),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
