/* test_cli.c — the sweep command line: defaults, values, and every error
 * naming the offending input (cli_parse prints nothing itself). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "scanner/cli.h"
#include "scanner/targets.h"

#define MAX_ARGS 32

static int parse(const char *line, struct options *o, char *err, size_t errlen)
{
	static char buf[512];
	char *argv[MAX_ARGS + 1];
	int argc = 0;

	snprintf(buf, sizeof(buf), "echoscan %s", line);
	for (char *t = strtok(buf, " "); t && argc < MAX_ARGS; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	err[0] = '\0';
	return cli_parse(argc, argv, o, err, errlen);
}

static void test_defaults(void **state)
{
	struct options o;
	char err[256];

	(void)state;
	assert_int_equal(parse("198.18.0.0/24", &o, err, sizeof(err)), 0);
	assert_int_equal(es_targets_count4(o.set), 256);
	assert_int_equal(o.rate, 10000);
	assert_int_equal(o.probes, 1);
	assert_int_equal(o.cooldown_ns, 8000000000ull);   /* the adaptive cooldown's cap */
	assert_false(o.cooldown_given);
	assert_int_equal(o.ttl, 64);
	assert_int_equal(o.size, 18);
	assert_int_equal(o.format, OUT_CSV);
	assert_int_equal(o.shards, 1);
	assert_false(o.stats);
	cli_free(&o);
}

static void test_values(void **state)
{
	struct options o;
	char err[256];

	(void)state;
	assert_int_equal(parse("-r 1.5M -P 3 -c 0.5 --ttl 9 --size 100 -O json "
			       "-x 198.18.0.128/25 -iL /dev/null 198.18.0.0/24", &o, err, sizeof(err)), -1);
	if (!strstr(err, "/dev/null: no targets"))
		fail_msg("got \"%s\"", err);
	assert_int_equal(parse("-r 1.5M -P 3 -c 0.5 --ttl 9 --size 100 -O json "
			       "-x 198.18.0.128/25 198.18.0.0/24", &o, err, sizeof(err)), 0);
	assert_int_equal(o.rate, 1500000);
	assert_int_equal(o.probes, 3);
	assert_int_equal(o.cooldown_ns, 500000000ull);
	assert_true(o.cooldown_given);
	assert_int_equal(o.ttl, 9);
	assert_int_equal(o.size, 100);
	assert_int_equal(o.format, OUT_JSON);
	assert_int_equal(es_targets_count4(o.set), 128);
	cli_free(&o);
	assert_int_equal(parse("-r max --loop 198.18.0.1", &o, err, sizeof(err)), 0);
	assert_int_equal(o.rate, 0);
	assert_true(o.stats);
	assert_int_equal(o.interval_ns, 1000000000ull);
	assert_int_equal(o.report_every_ns, 10000000000ull);
	assert_int_equal(o.format, OUT_TEXT);
	cli_free(&o);
}

/* 0.0.0.0/8, 224.0.0.0/4 and 240.0.0.0/4 are skipped unless a target lies
 * inside them or --no-default-exclude is given. */
struct reserved_case { const char *args; uint64_t count, skipped; };

#define ALL     4294967296ull
#define R0      16777216ull          /* 0.0.0.0/8 */
#define R224    268435456ull         /* 224.0.0.0/4, and so 240.0.0.0/4 */

static const struct reserved_case reserved_cases[] = {
	{ "0.0.0.0/0", ALL - R0 - 2 * R224, R0 + 2 * R224 },
	{ "--no-default-exclude 0.0.0.0/0", ALL, 0 },
	{ "224.0.0.1", 1, 0 },
	{ "240.0.0.0/8", R0, 0 },
	{ "255.255.255.255", 1, 0 },
	{ "0.0.0.0", 1, 0 },
	{ "224.0.0.0/3", 2 * R224, 0 },                      /* all reserved: named */
	{ "0.0.0.0/7", R0, R0 },                              /* only 1.0.0.0/8 left */
	{ "223.255.255.254-224.0.0.1", 2, 2 },                /* straddles: not inside */
	{ "0.0.0.0/0 224.0.0.1", ALL - R0 - 2 * R224 + 1, R0 + 2 * R224 - 1 },
	{ "0.0.0.0/0 240.0.0.0/8 0.1.2.3", ALL - R0 - 2 * R224 + R0 + 1, R0 + 2 * R224 - R0 - 1 },
	{ "-x 224.0.0.0/4 0.0.0.0/0", ALL - R0 - 2 * R224, R0 + R224 },  /* -x counted apart */
	{ "198.18.0.0/24", 256, 0 },
};

static void test_reserved(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reserved_cases) / sizeof(reserved_cases[0]); i++) {
		const struct reserved_case *c = &reserved_cases[i];
		struct options o;
		char err[256];

		print_message("case %zu: %s\n", i, c->args);
		assert_int_equal(parse(c->args, &o, err, sizeof(err)), 0);
		assert_int_equal(es_targets_count4(o.set), c->count);
		assert_int_equal(o.skipped_reserved, c->skipped);
		cli_free(&o);
	}
}

struct bad { const char *args; const char *want; };

static const struct bad bad_cases[] = {
	{ "1.2.3.4/33", "1.2.3.4/33" },
	{ "300.1.1.1", "300.1.1.1" },
	{ "198.18.0.9-198.18.0.1", "198.18.0.9-198.18.0.1" },
	{ "-r 12x 198.18.0.1", "12x" },
	{ "-P 0 198.18.0.1", "--probes" },
	{ "--ttl 300 198.18.0.1", "--ttl" },
	{ "--size 5 198.18.0.1", "--size" },
	{ "-O xml 198.18.0.1", "xml" },
	{ "-f saddr,nope 198.18.0.1", "nope" },
	{ "--seed 1 --shards 2 --shard 3 198.18.0.1", "--shard 3" },
	{ "--shards 2 198.18.0.1", "--seed" },
	{ "-iL /nonexistent/file", "/nonexistent/file" },
	{ "--bogus-option 198.18.0.1", "--bogus-option" },
	{ "-r", "-r" },
	{ "", "no targets" },
	{ "-x 198.18.0.0/24 198.18.0.0/25", "excluded" },
	{ "--loop -P 3 198.18.0.1", "--loop" },
	{ "--report-every 5 198.18.0.1", "--report-every" },
	{ "--stats --all 198.18.0.1", "--all" },
	{ "--tx warp 198.18.0.1", "warp" },
	{ "--tx xdp --xdp-mode fast 198.18.0.1", "fast" },
	{ "--xdp-mode copy 198.18.0.1", "--tx xdp" },
	{ "--rx bpf 198.18.0.1", "bpf" },
	{ "--rx xdp --tx dgram 198.18.0.1", "--tx dgram" },
	{ "--notes hello 198.18.0.1", "-m FILE" },
	{ "--pcap-all 198.18.0.1", "--pcap FILE" },
	{ "-m m.json --dry-run 198.18.0.1", "--dry-run" },
	{ "--resume st --stats 198.18.0.1", "--stats" },
	{ "--resume st --loop 198.18.0.1", "--loop" },
	{ "--resume st --dry-run 198.18.0.1", "--dry-run" },
	{ "--resume", "--resume" },
	{ "-x 223.255.255.255 223.255.255.255-224.0.0.0", "--no-default-exclude" },
};

/* --tx xdp and its modes */
static void test_xdp(void **state)
{
	static const struct { const char *args; enum cli_xdp_mode mode; } cases[] = {
		{ "--tx xdp 198.18.0.1", CLI_XDP_AUTO },
		{ "--tx xdp --xdp-mode auto 198.18.0.1", CLI_XDP_AUTO },
		{ "--tx xdp --xdp-mode copy 198.18.0.1", CLI_XDP_COPY },
		{ "--xdp-mode zerocopy --tx xdp 198.18.0.1", CLI_XDP_ZEROCOPY },
		{ "--tx xdp --xdp-mode zero-copy 198.18.0.1", CLI_XDP_ZEROCOPY },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options o;
		char err[256];

		print_message("case %zu: %s\n", i, cases[i].args);
		assert_int_equal(parse(cases[i].args, &o, err, sizeof(err)), 0);
		assert_int_equal(o.tx, CLI_TX_XDP);
		assert_int_equal(o.xdp_mode, cases[i].mode);
		assert_false(o.rx_xdp);
		cli_free(&o);
	}
	{
		struct options o;
		char err[256];

		assert_int_equal(parse("--rx xdp 198.18.0.1", &o, err, sizeof(err)), 0);
		assert_true(o.rx_xdp);
		cli_free(&o);
		assert_int_equal(parse("--rx xdp --rx pcap 198.18.0.1", &o, err, sizeof(err)), 0);
		assert_false(o.rx_xdp);
		cli_free(&o);
	}
}

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct options o;
		char err[512];

		print_message("case %zu: %s\n", i, bad_cases[i].args);
		assert_int_equal(parse(bad_cases[i].args, &o, err, sizeof(err)), -1);
		if (!strstr(err, bad_cases[i].want))
			fail_msg("error \"%s\" does not name \"%s\"", err, bad_cases[i].want);
	}
}

/* IPv6 targets beside IPv4 ones, exclusions of both, the size bound and
 * the options that do not take IPv6 targets yet. */
static void test_ipv6(void **state)
{
	static const struct { const char *args, *want; } bad6[] = {
		{ "2001:db8::/129", "2001:db8::/129: prefix length must be 0..128" },
		{ "2001:db8::zz", "2001:db8::zz: \"2001:db8::zz\" is not an IPv6 address" },
		{ "::/0", "IPv6 targets (::/0) hold 2^64 or more addresses" },
		{ "2001:db8::/64", "list the IPv6 addresses to probe in a hitlist (-iL FILE" },
		{ "2001:db8::/95", "IPv6 targets (2001:db8::/95) hold 8589934592 addresses" },
		{ "2001:db8::/96 198.18.0.0/31", "(with the IPv4 targets, more than 2^32)" },
		{ "--resume x 2001:db8::1", "--resume does not take IPv6 targets yet" },
		{ "-S 198.18.0.9 2001:db8::1", "-S does not take IPv6 targets yet" },
		{ "-x 2001:db8::/120 2001:db8::/120", "every target is excluded" },
	};
	struct options o;
	char err[512];

	(void)state;
	assert_int_equal(parse("198.18.0.0/30 2001:db8:1::/120 -x 2001:db8:1::/124 -x 198.18.0.1",
			       &o, err, sizeof(err)), 0);
	assert_int_equal(es_targets_count4(o.set), 3);
	assert_int_equal(es_targets_count6(o.set), 256 - 16);
	assert_int_equal(o.record.excluded, 1);
	assert_int_equal(o.record.excluded6, 16);
	assert_int_equal(o.family, 0);        /* names: A and AAAA */
	cli_free(&o);
	assert_int_equal(parse("-6 2001:db8::1", &o, err, sizeof(err)), 0);
	assert_int_equal(o.family, TARGETS_AF6);
	cli_free(&o);
	assert_int_equal(parse("-6 -4 198.18.0.1", &o, err, sizeof(err)), 0);
	assert_int_equal(o.family, TARGETS_AF4);
	cli_free(&o);
	assert_int_equal(parse("2001:db8::/96", &o, err, sizeof(err)), 0);   /* 2^32 exactly */
	assert_int_equal(es_targets_count6(o.set), 1ull << 32);
	assert_int_equal(es_targets_count4(o.set), 0);
	cli_free(&o);
	for (size_t i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
		print_message("case %zu: %s\n", i, bad6[i].args);
		assert_int_equal(parse(bad6[i].args, &o, err, sizeof(err)), -1);
		if (!strstr(err, bad6[i].want))
			fail_msg("error \"%s\" does not name \"%s\"", err, bad6[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_xdp),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_ipv6),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
