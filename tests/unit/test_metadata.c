/*
 * test_metadata.c — the run record (-m): exact lines for a known run (every
 * count in its place, nulls for "none", how far behind the rate), strings
 * escaped as JSON and made valid UTF-8 (table-driven: quotes, control bytes,
 * valid multi-byte text, invalid bytes, overlongs, surrogates), and a
 * failing stream reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/metadata.h"
#include "scanner/version.h"

static int parse(char **argv, int argc, struct options *o)
{
	char err[256] = "";
	int rc = cli_parse(argc, argv, o, err, sizeof(err));

	if (rc < 0)
		print_error("cli_parse: %s\n", err);
	return rc;
}

/* Runs metadata_write into memory; the caller frees the text. */
static char *render(const struct metadata_run *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(metadata_write(f, m), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void expect_line(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("missing line %s\nin:\n%s", line, text);
}

static void test_known_run(void **state)
{
	char *argv[] = { "echoscan", "-r", "max", "--seed", "42", "--shards", "4", "--shard", "3",
			 "-x", "198.18.0.0/30", "-n", "5", "-m", "m.json", "198.18.0.0/24", NULL };
	struct options o;
	struct es_scan_summary c = { .stats = { .sent = 5, .total = 5, .valid = 7, .invalid = 2,
						.up = 4, .unreach = 1, .dropped = 3, .targets = 5 },
				     .errors_other = 1, .capture_received = 9,
				     .by_class = { 5, 1, 1, 0 } };
	struct es_route rt = { .ifname = "ves", .source = { 4, { 198, 19, 0, 1 } },
			       .gateway_mac = { 0x02, 0, 0, 0, 0xab, 0x01 } };
	struct metadata_run m = { .o = &o, .c = &c, .seed = 42, .targets_shard = 63, .route = &rt,
				  .tx_backend = "ring",
				  .tx_auto = "packet ring (ves: no native XDP in its driver)",
				  .start_ns = 1700000000123456789ull,
				  .end_ns = 1700000002500000000ull, .duration_s = 2.3764,
				  .send_rate = 1234.56, .exit_status = 0 };
	char *t;

	(void)state;
	assert_int_equal(parse(argv, 16, &o), 0);
	m.targets_total = es_targets_count(o.set);
	t = render(&m);
	expect_line(t, "{\n  \"version\": \"" ECHOSCAN_VERSION "\",\n");
	expect_line(t, "\n  \"command\": [\"echoscan\", \"-r\", \"max\", \"--seed\", \"42\", \"--shards\", "
		    "\"4\", \"--shard\", \"3\", \"-x\", \"198.18.0.0/30\", \"-n\", \"5\", \"-m\", "
		    "\"m.json\", \"198.18.0.0/24\"],\n");
	expect_line(t, "\n  \"seed\": 42,\n  \"seed_given\": true,\n  \"shard\": 3,\n  \"shards\": 4,\n");
	expect_line(t, "\n  \"targets\": {\"total\": 252, \"shard\": 63, \"probed\": 5},\n");
	expect_line(t, "\n  \"exclusions\": {\"cidrs\": [\"198.18.0.0/30\"], \"files\": [], \"addresses\": 4},\n");
	expect_line(t, "\n  \"settings\": {\"probes_per_target\": 1, \"interval_s\": 0, \"cooldown_s\": 8, "
		    "\"max_targets\": 5, \"max_runtime_s\": null, \"ttl\": 64, \"size\": 18, "
		    "\"all\": false, \"stats\": false, \"loop\": false},\n");
	expect_line(t, "\n  \"rate\": {\"requested\": null, \"achieved\": 1234.6, \"behind_max_s\": null},\n");
	expect_line(t, "\n  \"probes\": {\"planned\": 5, \"sent\": 5, \"refused\": 0},\n");
	expect_line(t, "\n  \"replies\": {\"valid\": 7, \"echoreply\": 5, \"unreach\": 1, \"timxceed\": 1, "
		    "\"other\": 0, \"arp\": 0},\n");
	expect_line(t, "\n  \"hosts_up\": 4,\n  \"hosts_unreachable\": 1,\n  \"other_icmp_errors\": 1,\n"
		    "  \"invalid\": 2,\n  \"pcap\": {\"received\": 9, \"drops\": 3, \"file\": null, \"written\": null},\n");
	expect_line(t, "\n  \"start_time\": \"2023-11-14T22:13:20.123456Z\",\n"
		    "  \"end_time\": \"2023-11-14T22:13:22.500000Z\",\n  \"duration_s\": 2.376,\n");
	expect_line(t, "\n  \"interface\": \"ves\",\n  \"source\": \"198.19.0.1\",\n"
		    "  \"sources\": 1,\n  \"gateway_mac\": \"02:00:00:00:ab:01\",\n  \"tx_backend\": \"ring\",\n"
		    "  \"tx_auto\": \"packet ring (ves: no native XDP in its driver)\",\n");
	expect_line(t, "\n  \"interrupted\": false,\n  \"exit_status\": 0,\n  \"notes\": null\n}\n");
	free(t);
	/* no route, no backend (the scan never opened): nulls */
	m.route = NULL;
	m.tx_backend = NULL;
	m.tx_auto = NULL;
	m.interrupted = true;
	m.exit_status = 2;
	t = render(&m);
	expect_line(t, "\n  \"interface\": null,\n  \"source\": null,\n  \"sources\": 1,\n"
		    "  \"gateway_mac\": null,\n"
		    "  \"tx_backend\": null,\n  \"tx_auto\": null,\n  \"interrupted\": true,\n  \"exit_status\": 2,\n");
	free(t);
	cli_free(&o);
}

/* -S ranges: "sources" counts the addresses the probes were spread over.
 * With a rate (the default 10000), how far the sender fell behind. */
static void test_sources_count(void **state)
{
	char *argv[] = { "echoscan", "-S", "198.19.1.8/29", "-S", "198.19.1.20", "-m", "m.json",
			 "198.18.0.0/24", NULL };
	struct options o;
	struct es_scan_summary c = { .behind_max_ns = 23400000 };
	struct es_route rt = { .ifname = "ves", .source = { 4, { 198, 19, 1, 8 } } };
	struct metadata_run m = { .o = &o, .c = &c, .route = &rt };
	char *t;

	(void)state;
	assert_int_equal(parse(argv, 8, &o), 0);
	t = render(&m);
	expect_line(t, "\n  \"source\": \"198.19.1.8\",\n  \"sources\": 9,\n");
	expect_line(t, "\n  \"rate\": {\"requested\": 10000, \"achieved\": 0.0, \"behind_max_s\": 0.0234},\n");
	free(t);
	cli_free(&o);
}

struct str_case { const char *in, *want; };

static const struct str_case str_cases[] = {
	{ "plain", "\"plain\"" },
	{ "say \"hi\"\\", "\"say \\\"hi\\\"\\\\\"" },
	{ "tab\there\nnl\x01", "\"tab\\there\\nnl\\u0001\"" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
	{ "bad \xff end", "\"bad \xef\xbf\xbd end\"" },
	{ "cut \xc3", "\"cut \xef\xbf\xbd\"" },
	{ "overlong \xc0\xaf", "\"overlong \xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "overlong3 \xe0\x80\xaf", "\"overlong3 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "surrogate \xed\xa0\x80", "\"surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "too big \xf4\x90\x80\x80", "\"too big \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "", "\"\"" },
};

static void test_notes_escaped(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(str_cases) / sizeof(str_cases[0]); i++) {
		char *argv[] = { "echoscan", "-m", "m.json", "--notes", (char *)str_cases[i].in,
				 "198.18.0.1", NULL };
		struct options o;
		struct es_scan_summary c = { 0 };
		struct metadata_run m = { .o = &o, .c = &c };
		char want[256], *t;

		print_message("case %zu\n", i);
		assert_int_equal(parse(argv, 6, &o), 0);
		t = render(&m);
		snprintf(want, sizeof(want), "\n  \"notes\": %s\n}\n", str_cases[i].want);
		expect_line(t, want);
		free(t);
		cli_free(&o);
	}
}

static void test_stream_error(void **state)
{
	char *argv[] = { "echoscan", "198.18.0.1", NULL };
	struct options o;
	struct es_scan_summary c = { 0 };
	struct metadata_run m = { .o = &o, .c = &c };
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	assert_int_equal(parse(argv, 2, &o), 0);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(metadata_write(f, &m), -1);
	fclose(f);
	cli_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_run),
		cmocka_unit_test(test_sources_count),
		cmocka_unit_test(test_notes_escaped),
		cmocka_unit_test(test_stream_error),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
