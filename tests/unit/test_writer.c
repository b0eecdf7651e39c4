/*
 * test_writer.c — unit tests of output/writer.c: exact CSV, JSON and text
 * lines for results and per-host statistics, RFC 4180 and RFC 8259 escaping,
 * RFC 3339 timestamps, output format names, the error path of a stream
 * whose reader went away (EPIPE recorded, nothing more written), and a
 * regular file that fills up (RLIMIT_FSIZE standing in for a full disk) left
 * ending on a whole line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "output/writer.h"

/* An IPv4 es_addr (network order bytes). */
#define IP4(a, b, c, d) { .family = 4, .bytes = { a, b, c, d } }

static const struct es_reply res_echo = {
	.ts_ns = 1700000000123456789ull, .rtt_ns = 132412,
	.target = IP4(198, 18, 0, 1), .local = IP4(198, 18, 255, 254), .responder = IP4(198, 18, 0, 1),
	.probe = 0, .ipid = 4660, .size = 46, .ttl = 64, .type = 0, .code = 0,
	.classification = ES_CLASS_ECHOREPLY, .success = 1, .repeat = 0, .cooldown = 0,
	.mac = { 0x02, 0x42, 0xc6, 0x12, 0x00, 0xab },
};

static const struct es_reply res_unreach = {
	.ts_ns = 0, .rtt_ns = -1,
	.target = IP4(198, 18, 0, 7), .local = IP4(198, 18, 255, 254), .responder = IP4(198, 18, 1, 1),
	.probe = 2, .ipid = 65535, .size = 74, .ttl = 63, .type = 3, .code = 1,
	.classification = ES_CLASS_UNREACH, .success = 0, .repeat = 1, .cooldown = 1,
};

/* address, transmitted, received, duplicates, loss (not read: the writer
 * computes it), min, avg, max, mdev, jitter, period end */
static const struct es_host_stats stats_rows[] = {
	{ IP4(198, 18, 0, 3), 5, 4, 0, 0, 80000, 102000, 130000, 17500, 21333, 0 },
	{ IP4(198, 18, 0, 4), 5, 0, 0, 0, -1, -1, -1, -1, -1, 0 },
	{ IP4(198, 18, 0, 5), 3, 1, 0, 0, 1500000, 12345678, 250000000, 0, 0, 0 },
	{ IP4(198, 18, 0, 6), 0, 0, 0, 0, -1, -1, -1, -1, -1, 1700000000123456789ull },
};

/* Output of a writer into an open_memstream buffer. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
	struct writer w;
};

static void cap_open(struct capture *c, enum out_format fmt, enum record_kind kind,
		     const char *fields)
{
	struct field_list l;
	char err[256];

	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	if (fields) {
		assert_int_equal(fields_parse(kind, fields, &l, err, sizeof(err)), 0);
		writer_init(&c->w, c->f, fmt, kind, &l);
	} else {
		writer_init(&c->w, c->f, fmt, kind, NULL);
	}
}

static void cap_check(struct capture *c, const char *want)
{
	assert_int_equal(writer_flush(&c->w), 0);
	assert_int_equal(c->w.err, 0);
	assert_int_equal(fclose(c->f), 0);
	assert_string_equal(c->buf, want);
	free(c->buf);
}

struct result_case {
	enum out_format fmt;
	const char *fields;   /* NULL: defaults */
	const char *want;
};

static const struct result_case result_cases[] = {
	{ OUT_CSV, NULL,
	  "saddr,rtt_us,ttl,classification,success\n"
	  "198.18.0.1,132.412,64,echoreply,1\n"
	  "198.18.0.7,,63,unreach,0\n" },
	{ OUT_JSON, NULL,
	  "{\"saddr\":\"198.18.0.1\",\"rtt_us\":132.412,\"ttl\":64,\"classification\":\"echoreply\","
	  "\"success\":true}\n"
	  "{\"saddr\":\"198.18.0.7\",\"rtt_us\":null,\"ttl\":63,\"classification\":\"unreach\","
	  "\"success\":false}\n" },
	{ OUT_TEXT, NULL, "198.18.0.1\n198.18.0.7\n" },
	{ OUT_TEXT, "ttl,code", "198.18.0.1\n198.18.0.7\n" },
	{ OUT_CSV, "*",
	  "saddr,daddr,responder,rtt_us,ttl,type,code,classification,success,repeat,cooldown,"
	  "probe,ipid,size,timestamp,mac,probe_ttl\n"
	  "198.18.0.1,198.18.255.254,198.18.0.1,132.412,64,0,0,echoreply,1,0,0,0,4660,46,"
	  "2023-11-14T22:13:20.123456Z,02:42:c6:12:00:ab,\n"
	  "198.18.0.7,198.18.255.254,198.18.1.1,,63,3,1,unreach,0,1,1,2,65535,74,"
	  "1970-01-01T00:00:00.000000Z,,\n" },
	{ OUT_JSON, "*",
	  "{\"saddr\":\"198.18.0.1\",\"daddr\":\"198.18.255.254\",\"responder\":\"198.18.0.1\","
	  "\"rtt_us\":132.412,\"ttl\":64,\"type\":0,\"code\":0,\"classification\":\"echoreply\","
	  "\"success\":true,\"repeat\":false,\"cooldown\":false,\"probe\":0,\"ipid\":4660,"
	  "\"size\":46,\"timestamp\":\"2023-11-14T22:13:20.123456Z\",\"mac\":\"02:42:c6:12:00:ab\",\"probe_ttl\":null}\n"
	  "{\"saddr\":\"198.18.0.7\",\"daddr\":\"198.18.255.254\",\"responder\":\"198.18.1.1\","
	  "\"rtt_us\":null,\"ttl\":63,\"type\":3,\"code\":1,\"classification\":\"unreach\","
	  "\"success\":false,\"repeat\":true,\"cooldown\":true,\"probe\":2,\"ipid\":65535,"
	  "\"size\":74,\"timestamp\":\"1970-01-01T00:00:00.000000Z\",\"mac\":null,\"probe_ttl\":null}\n" },
	{ OUT_CSV, "saddr,mac",
	  "saddr,mac\n198.18.0.1,02:42:c6:12:00:ab\n198.18.0.7,\n" },
	{ OUT_JSON, "mac",
	  "{\"mac\":\"02:42:c6:12:00:ab\"}\n{\"mac\":null}\n" },
	{ OUT_CSV, "timestamp,saddr",
	  "timestamp,saddr\n"
	  "2023-11-14T22:13:20.123456Z,198.18.0.1\n"
	  "1970-01-01T00:00:00.000000Z,198.18.0.7\n" },
};

static void test_results(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(result_cases) / sizeof(result_cases[0]); i++) {
		const struct result_case *rc = &result_cases[i];
		struct capture c;

		print_message("case %zu\n", i);
		cap_open(&c, rc->fmt, REC_RESULT, rc->fields);
		assert_int_equal(writer_result(&c.w, &res_echo), 0);
		assert_int_equal(writer_result(&c.w, &res_unreach), 0);
		cap_check(&c, rc->want);
	}
}

/* An IPv6 es_addr from text (es_addr_parse takes IPv4 only for now). */
static void v6(struct es_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	a->family = 6;
	assert_int_equal(inet_pton(AF_INET6, text, a->bytes), 1);
}

/* IPv6 results: the three addresses in RFC 5952 text in every format. */
static void test_results_v6(void **state)
{
	static const struct { enum out_format fmt; const char *want; } cases[] = {
		{ OUT_CSV, "saddr,daddr,responder,ttl,type,code,classification\n"
			   "2001:db8:1::ff,2001:db8::2,2001:db8:1::ff,64,129,0,echoreply\n"
			   "2001:db8:1::7,2001:db8::2,2001:db8::1,63,1,3,unreach\n" },
		{ OUT_JSON, "{\"saddr\":\"2001:db8:1::ff\",\"daddr\":\"2001:db8::2\","
			    "\"responder\":\"2001:db8:1::ff\",\"ttl\":64,\"type\":129,\"code\":0,"
			    "\"classification\":\"echoreply\"}\n"
			    "{\"saddr\":\"2001:db8:1::7\",\"daddr\":\"2001:db8::2\","
			    "\"responder\":\"2001:db8::1\",\"ttl\":63,\"type\":1,\"code\":3,"
			    "\"classification\":\"unreach\"}\n" },
		{ OUT_TEXT, "2001:db8:1::ff\n2001:db8:1::7\n" },
	};
	struct es_reply echo = res_echo, unr = res_unreach;

	(void)state;
	v6(&echo.target, "2001:db8:1::ff");
	v6(&echo.local, "2001:db8::2");
	echo.responder = echo.target;
	echo.type = 129;
	v6(&unr.target, "2001:db8:1::7");
	unr.local = echo.local;
	v6(&unr.responder, "2001:db8::1");
	unr.code = 3;
	unr.type = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;

		cap_open(&c, cases[i].fmt, REC_RESULT,
			 "saddr,daddr,responder,ttl,type,code,classification");
		assert_int_equal(writer_result(&c.w, &echo), 0);
		assert_int_equal(writer_result(&c.w, &unr), 0);
		cap_check(&c, cases[i].want);
	}
}

/* An address the reply does not know (family 0) reads as its family's zero
 * address, as the engine's records printed it; probe_ttl empty when 0. */
static void test_result_unknown_local_and_ttl(void **state)
{
	struct es_reply r4 = res_echo, r6 = res_echo;
	struct capture c;

	(void)state;
	r6.probe_ttl = 7;
	memset(&r4.local, 0, sizeof(r4.local));
	v6(&r6.target, "2001:db8::5");
	r6.responder = r6.target;
	memset(&r6.local, 0, sizeof(r6.local));
	cap_open(&c, OUT_CSV, REC_RESULT, "saddr,daddr,probe_ttl");
	assert_int_equal(writer_result(&c.w, &r4), 0);
	assert_int_equal(writer_result(&c.w, &r6), 0);
	cap_check(&c, "saddr,daddr,probe_ttl\n198.18.0.1,0.0.0.0,\n2001:db8::5,::,7\n");
}

static void test_rtt_decimals(void **state)
{
	static const struct { int64_t ns; const char *csv; } cases[] = {
		{ 0, "0.000" }, { 1, "0.001" }, { 999, "0.999" }, { 1000, "1.000" },
		{ 132412, "132.412" }, { 5000000000, "5000000.000" }, { -1, "" }, { -7, "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct es_reply r = res_echo;
		struct capture c;
		char want[64];

		r.rtt_ns = cases[i].ns;
		cap_open(&c, OUT_CSV, REC_RESULT, "rtt_us");
		assert_int_equal(writer_result(&c.w, &r), 0);
		snprintf(want, sizeof(want), "rtt_us\n%s\n", cases[i].csv);
		cap_check(&c, want);
	}
}

static void test_header_once(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c, OUT_CSV, REC_RESULT, "saddr");
	assert_int_equal(writer_header(&c.w), 0);
	assert_true(c.w.header_done);
	assert_int_equal(writer_header(&c.w), 0);
	assert_int_equal(writer_result(&c.w, &res_echo), 0);
	cap_check(&c, "saddr\n198.18.0.1\n");

	/* JSON and text have no header. */
	cap_open(&c, OUT_JSON, REC_RESULT, "saddr");
	assert_int_equal(writer_header(&c.w), 0);
	cap_check(&c, "");
	cap_open(&c, OUT_TEXT, REC_STATS, NULL);
	assert_int_equal(writer_header(&c.w), 0);
	cap_check(&c, "");
}

struct stats_case {
	enum out_format fmt;
	const char *fields;
	const char *want;
};

static const struct stats_case stats_cases[] = {
	{ OUT_CSV, NULL,
	  "saddr,sent,received,loss,rtt_min_us,rtt_avg_us,rtt_max_us,rtt_mdev_us,jitter_us\n"
	  "198.18.0.3,5,4,20.00,80.000,102.000,130.000,17.500,21.333\n"
	  "198.18.0.4,5,0,100.00,,,,,\n"
	  "198.18.0.5,3,1,66.67,1500.000,12345.678,250000.000,0.000,0.000\n"
	  "198.18.0.6,0,0,,,,,,\n" },
	{ OUT_JSON, NULL,
	  "{\"saddr\":\"198.18.0.3\",\"sent\":5,\"received\":4,\"loss\":20.00,\"rtt_min_us\":80.000,"
	  "\"rtt_avg_us\":102.000,\"rtt_max_us\":130.000,\"rtt_mdev_us\":17.500,\"jitter_us\":21.333}\n"
	  "{\"saddr\":\"198.18.0.4\",\"sent\":5,\"received\":0,\"loss\":100.00,\"rtt_min_us\":null,"
	  "\"rtt_avg_us\":null,\"rtt_max_us\":null,\"rtt_mdev_us\":null,\"jitter_us\":null}\n"
	  "{\"saddr\":\"198.18.0.5\",\"sent\":3,\"received\":1,\"loss\":66.67,\"rtt_min_us\":1500.000,"
	  "\"rtt_avg_us\":12345.678,\"rtt_max_us\":250000.000,\"rtt_mdev_us\":0.000,\"jitter_us\":0.000}\n"
	  "{\"saddr\":\"198.18.0.6\",\"sent\":0,\"received\":0,\"loss\":null,\"rtt_min_us\":null,"
	  "\"rtt_avg_us\":null,\"rtt_max_us\":null,\"rtt_mdev_us\":null,\"jitter_us\":null}\n" },
	{ OUT_TEXT, NULL,
	  "198.18.0.3 : xmt/rcv/%loss = 5/4/20%, min/avg/max = 0.080/0.102/0.130\n"
	  "198.18.0.4 : xmt/rcv/%loss = 5/0/100%\n"
	  "198.18.0.5 : xmt/rcv/%loss = 3/1/66%, min/avg/max = 1.50/12.3/250\n"
	  "198.18.0.6 : xmt/rcv/%loss = 0/0/0%\n" },
	{ OUT_CSV, "loss,saddr",
	  "loss,saddr\n20.00,198.18.0.3\n100.00,198.18.0.4\n66.67,198.18.0.5\n,198.18.0.6\n" },
	{ OUT_CSV, "saddr,timestamp",
	  "saddr,timestamp\n198.18.0.3,1970-01-01T00:00:00.000000Z\n"
	  "198.18.0.4,1970-01-01T00:00:00.000000Z\n198.18.0.5,1970-01-01T00:00:00.000000Z\n"
	  "198.18.0.6,2023-11-14T22:13:20.123456Z\n" },
};

static void test_stats(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stats_cases) / sizeof(stats_cases[0]); i++) {
		const struct stats_case *sc = &stats_cases[i];
		struct capture c;

		print_message("case %zu\n", i);
		cap_open(&c, sc->fmt, REC_STATS, sc->fields);
		for (size_t j = 0; j < sizeof(stats_rows) / sizeof(stats_rows[0]); j++)
			assert_int_equal(writer_stats(&c.w, &stats_rows[j]), 0);
		cap_check(&c, sc->want);
	}
}

/* fping pads its host names so the colons line up: "%-*s :" */
static void test_stats_text_aligned(void **state)
{
	static const struct { unsigned width; const char *want; } cases[] = {
		{ 0,  "198.18.0.3 : xmt/rcv/%loss = 5/4/20%, min/avg/max = 0.080/0.102/0.130\n" },
		{ 10, "198.18.0.3 : xmt/rcv/%loss = 5/4/20%, min/avg/max = 0.080/0.102/0.130\n" },
		{ 12, "198.18.0.3   : xmt/rcv/%loss = 5/4/20%, min/avg/max = 0.080/0.102/0.130\n" },
		{ 15, "198.18.0.3      : xmt/rcv/%loss = 5/4/20%, min/avg/max = 0.080/0.102/0.130\n" },
	};
	static const struct { uint32_t addr; unsigned len; } lens[] = {
		{ 0, 7 }, { 0x01020304, 7 }, { 0x0a000009, 8 }, { 0x0a00000a, 9 },
		{ 0xc6120000, 10 }, { 0xc6120063, 11 }, { 0xc6120064, 12 }, { 0x64646464, 15 },
		{ 0xffffffff, 15 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;

		print_message("width %u\n", cases[i].width);
		cap_open(&c, OUT_TEXT, REC_STATS, NULL);
		writer_set_addr_width(&c.w, cases[i].width);
		assert_int_equal(writer_stats(&c.w, &stats_rows[0]), 0);
		cap_check(&c, cases[i].want);
	}
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		assert_int_equal(writer_addr_len(lens[i].addr), lens[i].len);
}

static void test_wrong_record_kind(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c, OUT_CSV, REC_STATS, NULL);
	assert_int_equal(writer_result(&c.w, &res_echo), -1);
	assert_int_equal(c.w.err, EINVAL);
	assert_int_equal(fclose(c.f), 0);
	assert_string_equal(c.buf, "");
	free(c.buf);
}

struct str_case {
	const char *in;
	const char *want;
};

static const struct str_case csv_cases[] = {
	{ "plain", "plain" },
	{ "", "" },
	{ "a,b", "\"a,b\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "\"", "\"\"\"\"" },
	{ "line\nbreak", "\"line\nbreak\"" },
	{ "cr\rhere", "\"cr\rhere\"" },
	{ " spaced ", " spaced " },
	{ "tab\there", "tab\there" },
};

static void test_csv_field(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(csv_cases) / sizeof(csv_cases[0]); i++) {
		char buf[64];

		print_message("case %zu\n", i);
		assert_int_equal(fmt_csv_field(buf, sizeof(buf), csv_cases[i].in),
				 (int)strlen(csv_cases[i].want));
		assert_string_equal(buf, csv_cases[i].want);
	}
}

static const struct str_case json_cases[] = {
	{ "plain", "\"plain\"" },
	{ "", "\"\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "\x01", "\"\\u0001\"" },
	{ "a\x1f" "b", "\"a\\u001fb\"" },
	{ "n\nr\rt\tb\bf\f", "\"n\\nr\\rt\\tb\\bf\\f\"" },
	{ "\x7f/\xc3\xa9", "\"\x7f/\xc3\xa9\"" },
};

static void test_json_string(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		char buf[64];

		print_message("case %zu\n", i);
		assert_int_equal(fmt_json_string(buf, sizeof(buf), json_cases[i].in),
				 (int)strlen(json_cases[i].want));
		assert_string_equal(buf, json_cases[i].want);
	}
}

/* Exact fit returns the length; one byte less returns -1. */
static void test_small_buffers(void **state)
{
	static const struct {
		int (*fn)(char *, size_t, const char *);
		const char *in;
		int len;
	} cases[] = {
		{ fmt_csv_field, "abc", 3 },
		{ fmt_csv_field, "a,b", 5 },
		{ fmt_csv_field, "\"", 4 },
		{ fmt_csv_field, "", 0 },
		{ fmt_json_string, "", 2 },
		{ fmt_json_string, "a", 3 },
		{ fmt_json_string, "\n", 4 },
		{ fmt_json_string, "\x02", 8 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[16];

		print_message("case %zu\n", i);
		assert_int_equal(cases[i].fn(buf, (size_t)cases[i].len + 1, cases[i].in), cases[i].len);
		assert_int_equal(cases[i].fn(buf, (size_t)cases[i].len, cases[i].in), -1);
	}
}

static void test_timestamp(void **state)
{
	static const struct { uint64_t ns; const char *want; } cases[] = {
		{ 0, "1970-01-01T00:00:00.000000Z" },
		{ 999, "1970-01-01T00:00:00.000000Z" },
		{ 1999, "1970-01-01T00:00:00.000001Z" },
		{ 1700000000123456789ull, "2023-11-14T22:13:20.123456Z" },
		{ 951782400000000000ull, "2000-02-29T00:00:00.000000Z" },
		{ 4102444799999999999ull, "2099-12-31T23:59:59.999999Z" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fmt_timestamp(buf, sizeof(buf), cases[i].ns), 27);
		assert_string_equal(buf, cases[i].want);
	}
	assert_int_equal(fmt_timestamp(buf, 28, 0), 27);
	assert_int_equal(fmt_timestamp(buf, 27, 0), -1);
}

static void test_format_parse(void **state)
{
	static const struct { const char *in; int rc; enum out_format fmt; const char *err; } cases[] = {
		{ "csv", 0, OUT_CSV, "" },
		{ "json", 0, OUT_JSON, "" },
		{ "ndjson", 0, OUT_JSON, "" },
		{ "jsonl", 0, OUT_JSON, "" },
		{ "text", 0, OUT_TEXT, "" },
		{ "xml", -1, OUT_TEXT, "unknown output format \"xml\" (use csv, json or text)" },
		{ "CSV", -1, OUT_TEXT, "unknown output format \"CSV\" (use csv, json or text)" },
		{ "", -1, OUT_TEXT, "unknown output format \"\" (use csv, json or text)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum out_format fmt = OUT_TEXT;
		char err[128] = "";

		print_message("case %zu: %s\n", i, cases[i].in);
		assert_int_equal(writer_format_parse(cases[i].in, &fmt, err, sizeof(err)), cases[i].rc);
		assert_int_equal(fmt, cases[i].fmt);
		assert_string_equal(err, cases[i].err);
	}
}

static void test_fmemopen(void **state)
{
	char mem[256];
	FILE *f;
	struct writer w;

	(void)state;
	memset(mem, 'x', sizeof(mem));
	f = fmemopen(mem, sizeof(mem), "w");
	assert_non_null(f);
	writer_init(&w, f, OUT_CSV, REC_RESULT, NULL);
	assert_int_equal(writer_result(&w, &res_unreach), 0);
	assert_int_equal(writer_flush(&w), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(mem, "saddr,rtt_us,ttl,classification,success\n198.18.0.7,,63,unreach,0\n");
}

static FILE *broken_pipe(int bufmode)
{
	int fds[2];
	FILE *f;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(close(fds[0]), 0);
	f = fdopen(fds[1], "w");
	assert_non_null(f);
	assert_int_equal(setvbuf(f, NULL, bufmode, 1 << 16), 0);
	return f;
}

static void test_epipe_buffered(void **state)
{
	FILE *f = broken_pipe(_IOFBF);
	struct writer w;

	(void)state;
	writer_init(&w, f, OUT_JSON, REC_RESULT, NULL);
	assert_int_equal(writer_result(&w, &res_echo), 0);   /* still in the stdio buffer */
	assert_int_equal(writer_flush(&w), -1);
	assert_int_equal(w.err, EPIPE);
	/* The stream stays failed: later records are refused, the first errno kept. */
	assert_int_equal(writer_result(&w, &res_echo), -1);
	assert_int_equal(writer_flush(&w), -1);
	assert_int_equal(w.err, EPIPE);
	fclose(f);
}

static void test_epipe_unbuffered(void **state)
{
	FILE *f = broken_pipe(_IONBF);
	struct writer w;

	(void)state;
	writer_init(&w, f, OUT_CSV, REC_STATS, NULL);
	assert_int_equal(writer_stats(&w, &stats_rows[0]), -1);
	assert_int_equal(w.err, EPIPE);
	assert_false(w.header_done);
	assert_int_equal(writer_stats(&w, &stats_rows[0]), -1);
	assert_int_equal(w.err, EPIPE);
	fclose(f);
}

/* A file that cannot grow past `limit` bytes: every write beyond fails with
 * EFBIG, like ENOSPC on a full disk. What is left must be whole lines. */
static void fill_limited_file(enum out_format fmt, enum record_kind kind, rlim_t limit,
			      bool via_line)
{
	struct rlimit old, lim;
	FILE *f = tmpfile();
	struct writer w;
	struct stat st;
	char *data;
	int rc = 0;

	assert_non_null(f);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = limit;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	writer_init(&w, f, fmt, kind, NULL);
	for (int i = 0; i < 10000 && rc == 0; i++) {
		if (via_line)
			rc = writer_line(&w, "[12:34:56]");
		else if (kind == REC_RESULT)
			rc = writer_result(&w, &res_echo);
		else
			rc = writer_stats(&w, &stats_rows[i % 4]);
		if (rc == 0 && i % 7 == 0)
			rc = writer_flush(&w);
	}
	if (rc == 0)
		rc = writer_flush(&w);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -1);
	assert_int_equal(w.err, EFBIG);
	/* refused from now on, and the file stays as it is */
	assert_int_equal(writer_result(&w, &res_echo), -1);
	assert_int_equal(fstat(fileno(f), &st), 0);
	assert_true(st.st_size > 0 && st.st_size <= (off_t)limit);
	data = malloc((size_t)st.st_size);
	assert_non_null(data);
	assert_int_equal(pread(fileno(f), data, (size_t)st.st_size, 0), st.st_size);
	print_message("fmt %d: %lld bytes kept of %lu\n", fmt, (long long)st.st_size,
		      (unsigned long)limit);
	assert_int_equal(data[st.st_size - 1], '\n');
	free(data);
	fclose(f);
}

static void test_full_file_whole_lines(void **state)
{
	(void)state;
	fill_limited_file(OUT_JSON, REC_RESULT, 1000, false);
	fill_limited_file(OUT_CSV, REC_RESULT, 4097, false);
	fill_limited_file(OUT_TEXT, REC_STATS, 70001, false);
	fill_limited_file(OUT_TEXT, REC_STATS, 333, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_results_v6),
		cmocka_unit_test(test_result_unknown_local_and_ttl),
		cmocka_unit_test(test_rtt_decimals),
		cmocka_unit_test(test_header_once),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_text_aligned),
		cmocka_unit_test(test_wrong_record_kind),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_fmemopen),
		cmocka_unit_test(test_full_file_whole_lines),
		cmocka_unit_test(test_epipe_buffered),
		cmocka_unit_test(test_epipe_unbuffered),
	};

	signal(SIGPIPE, SIG_IGN);
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
