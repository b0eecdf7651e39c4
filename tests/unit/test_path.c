/*
 * test_path.c — the path table: the span search the sender runs per target
 * (table-driven over hand-built spans, including the ends of the address
 * space), the MAC slot packing, and path_table_build where it can run on any
 * machine without sending anything: 127/8 is local through lo everywhere,
 * and the -i/-S/-G overrides apply to every target or name the bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <net/if_arp.h>

#include "echoscan.h"
#include "engine/path.h"

static void test_span_search(void **state)
{
	struct path_span spans[] = {
		{ 0x00000000u, 0x000000ffu, 0, 0 },
		{ 0x0a000000u, 0x0a0000ffu, 1, 0 },
		{ 0x0a000100u, 0x0a000100u, 2, 0 },
		{ 0xc6120000u, 0xc612ffffu, 1, 0 },
		{ 0xffffff00u, 0xffffffffu, 3, 0 },
	};
	struct path_table t = { .spans = spans, .n_spans = 5 };
	static const struct { uint32_t addr; int span; } rows[] = {
		{ 0x00000000u, 0 }, { 0x000000ffu, 0 }, { 0x00000100u, -1 },
		{ 0x09ffffffu, -1 }, { 0x0a000000u, 1 }, { 0x0a000080u, 1 },
		{ 0x0a000100u, 2 }, { 0x0a000101u, -1 }, { 0xc6120005u, 3 },
		{ 0xc6130000u, -1 }, { 0xfffffeffu, -1 }, { 0xffffff00u, 4 },
		{ 0xffffffffu, 4 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct path_span *sp = path_span_of(&t, rows[i].addr);
		int got = sp ? (int)(sp - spans) : -1;

		if (got != rows[i].span)
			fail_msg("address %08x: span %d, expected %d", rows[i].addr, got,
				 rows[i].span);
	}
	t.n_spans = 0;
	assert_null(path_span_of(&t, 0));
}

static void test_mac_pack(void **state)
{
	static const uint8_t macs[][6] = {
		{ 0, 0, 0, 0, 0, 0 }, { 0x02, 0, 0, 0, 0, 1 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
		uint8_t back[6];
		uint64_t v = path_mac_pack(macs[i]);

		assert_true(v & PATH_MAC_KNOWN);   /* never 0, even for a zero MAC */
		path_mac_unpack(v, back);
		assert_memory_equal(back, macs[i], 6);
	}
}

static void build_set(struct ipset *s, uint32_t lo, uint32_t hi)
{
	ipset_init(s);
	assert_int_equal(ipset_add(s, lo, hi), 0);
	assert_int_equal(ipset_finalize(s), 0);
}

static void test_build_loopback(void **state)
{
	struct path_table t;
	struct ipset s;
	char err[256] = "";

	(void)state;
	build_set(&s, 0x7f000000u, 0x7f000003u);
	if (path_table_build(&t, &s, NULL, 100, err, sizeof(err)) != 0)
		fail_msg("path_table_build(127.0.0.0/30): %s", err);
	assert_int_equal(t.n_spans, 1);
	assert_int_equal(t.n_paths, 1);
	assert_int_equal(t.n_devs, 1);
	assert_int_equal(t.paths[0].kind, PATH_LOCAL);
	assert_int_equal(t.paths[0].saddr, 0x7f000001u);
	assert_string_equal(t.devs[0].ifname, "lo");
	assert_int_equal(t.devs[0].linktype, ARPHRD_LOOPBACK);
	assert_true(t.devs[0].via_ip);
	assert_int_equal(t.devs[0].link_len, 0);
	assert_int_equal(t.n_skip, 0);
	assert_int_equal(t.n_onlink, 0);
	assert_non_null(path_span_of(&t, 0x7f000002u));
	assert_null(path_span_of(&t, 0x7f000004u));
	path_table_free(&t);
	path_table_free(&t);   /* safe twice */
	ipset_free(&s);
}

static void test_build_overrides(void **state)
{
	struct path_table t;
	struct ipset s;
	char err[256] = "";
	struct route_overrides ov = { .ifname = "lo", .saddr = "127.0.0.9" };

	(void)state;
	build_set(&s, 0x7f000001u, 0x7f000001u);
	if (path_table_build(&t, &s, &ov, 100, err, sizeof(err)) != 0)
		fail_msg("path_table_build(127.0.0.1, -i lo -S 127.0.0.9): %s", err);
	assert_int_equal(t.paths[0].saddr, 0x7f000009u);
	path_table_free(&t);
	ipset_free(&s);
}

static void test_build_bad(void **state)
{
	static const struct {
		struct route_overrides ov;
		const char *needle;
		int code;
	} rows[] = {
		{ { "nosuchif9", NULL, NULL }, "nosuchif9", ES_ENODEV },
		{ { NULL, "10.1.2", NULL }, "-S 10.1.2", ES_EINVAL },
		{ { NULL, NULL, "aa:bb:cc:dd:ee" }, "-G aa:bb:cc:dd:ee", ES_EINVAL },
	};
	struct ipset s;

	(void)state;
	build_set(&s, 0x7f000001u, 0x7f000001u);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct path_table t;
		char err[256] = "";

		assert_int_equal(path_table_build(&t, &s, &rows[i].ov, 100, err,
						  sizeof(err)), rows[i].code);
		if (!strstr(err, rows[i].needle))
			fail_msg("error \"%s\" does not name \"%s\"", err, rows[i].needle);
		assert_int_equal(t.n_spans, 0);
	}
	ipset_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_span_search),
		cmocka_unit_test(test_mac_pack),
		cmocka_unit_test(test_build_loopback),
		cmocka_unit_test(test_build_overrides),
		cmocka_unit_test(test_build_bad),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
