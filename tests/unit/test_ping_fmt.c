/*
 * test_ping_fmt.c — `echoscan ping` text against iputils ping 20221126.
 * Most expected strings are copied from real iputils runs in the lab (the
 * RTTs below 1 ms are exact in its output, so the statistics lines can be
 * recomputed from them); the rounding boundaries and the ICMP wording follow
 * iputils' source. Each failure prints the case and both strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scanner/ping_fmt.h"
#include "scanner/ping_opts.h"

#define MS 1000000ull

static void check_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		print_error("%s:\n  got  \"%s\"\n  want \"%s\"\n", what, got, want);
	assert_string_equal(got, want);
}

/* ---- time= ---------------------------------------------------------------- */

static const struct { long us; const char *want; } time_cases[] = {
	{ 27, "0.027" }, { 120, "0.120" }, { 677, "0.677" },        /* real */
	{ 3343, "3.34" }, { 3437, "3.44" },                          /* real, 3 ms */
	{ 20316, "20.3" }, { 20506, "20.5" },                        /* real, 20 ms */
	{ 150546, "151" }, { 150557, "151" },                        /* real, 150 ms */
	{ 0, "0.000" }, { 999, "0.999" }, { 1000, "1.00" }, { 1004, "1.00" },
	{ 1005, "1.01" }, { 9994, "9.99" }, { 9995, "10.0" }, { 10049, "10.0" },
	{ 10050, "10.1" }, { 99949, "99.9" }, { 99950, "100" }, { 100499, "100" },
	{ 100500, "101" }, { 1234567, "1235" },
};

static void test_time(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		char buf[32], what[64];

		ping_fmt_time(buf, sizeof(buf), time_cases[i].us);
		snprintf(what, sizeof(what), "time= of %ld us", time_cases[i].us);
		check_str(what, buf, time_cases[i].want);
	}
}

/* ---- statistics from real runs -------------------------------------------- */

struct run_case {
	long tx, errors;
	int n;
	long rtt[10];
	int dup[10];
	uint64_t elapsed_ns;
	const char *summary, *rtt_line;
};

static const struct run_case runs[] = {
	{ 3, 0, 3, { 27, 24, 60 }, { 0 }, 405 * MS,
	  "3 packets transmitted, 3 received, 0% packet loss, time 405ms",
	  "rtt min/avg/max/mdev = 0.024/0.037/0.060/0.016 ms" },
	{ 3, 0, 3, { 120, 51, 54 }, { 0 }, 408 * MS,
	  "3 packets transmitted, 3 received, 0% packet loss, time 408ms",
	  "rtt min/avg/max/mdev = 0.051/0.075/0.120/0.031 ms" },
	{ 3, 0, 5, { 644, 677, 313, 363, 331 }, { 0, 1, 0, 1, 0 }, 406 * MS,
	  "3 packets transmitted, 3 received, +2 duplicates, 0% packet loss, time 406ms",
	  "rtt min/avg/max/mdev = 0.313/0.465/0.677/0.160 ms" },
	{ 3, 0, 2, { 39, 72 }, { 0 }, 406 * MS,
	  "3 packets transmitted, 2 received, 33.3333% packet loss, time 406ms",
	  "rtt min/avg/max/mdev = 0.039/0.055/0.072/0.016 ms" },
	{ 6, 0, 4, { 47, 86, 59, 52 }, { 0 }, 1019 * MS,
	  "6 packets transmitted, 4 received, 33.3333% packet loss, time 1019ms",
	  "rtt min/avg/max/mdev = 0.047/0.061/0.086/0.015 ms" },
	{ 7, 0, 5, { 24, 26, 29, 24, 28 }, { 0 }, 1221 * MS,
	  "7 packets transmitted, 5 received, 28.5714% packet loss, time 1221ms",
	  "rtt min/avg/max/mdev = 0.024/0.026/0.029/0.002 ms" },
	{ 2, 0, 1, { 40 }, { 0 }, 203 * MS,
	  "2 packets transmitted, 1 received, 50% packet loss, time 203ms",
	  "rtt min/avg/max/mdev = 0.040/0.040/0.040/0.000 ms" },
	{ 3, 1, 2, { 59, 63 }, { 0 }, 407 * MS,
	  "3 packets transmitted, 2 received, +1 errors, 33.3333% packet loss, time 407ms",
	  "rtt min/avg/max/mdev = 0.059/0.061/0.063/0.002 ms" },
	{ 2, 0, 2, { 3343, 3437 }, { 0 }, 200 * MS,
	  "2 packets transmitted, 2 received, 0% packet loss, time 200ms",
	  "rtt min/avg/max/mdev = 3.343/3.390/3.437/0.047 ms" },
	{ 2, 0, 2, { 150546, 150557 }, { 0 }, 201 * MS,
	  "2 packets transmitted, 2 received, 0% packet loss, time 201ms",
	  "rtt min/avg/max/mdev = 150.546/150.551/150.557/0.005 ms" },
	/* variance 8: iputils' integer square root gives 3, not 2 */
	{ 3, 0, 3, { 100, 100, 106 }, { 0 }, 400 * MS,
	  "3 packets transmitted, 3 received, 0% packet loss, time 400ms",
	  "rtt min/avg/max/mdev = 0.100/0.102/0.106/0.003 ms" },
	{ 3, 3, 0, { 0 }, { 0 }, 412 * MS,
	  "3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 412ms", "" },
	{ 1, 1, 0, { 0 }, { 0 }, 0,
	  "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms", "" },
	{ 4, 0, 0, { 0 }, { 0 }, 3060 * MS,
	  "4 packets transmitted, 0 received, 100% packet loss, time 3060ms", "" },
	{ 0, 0, 0, { 0 }, { 0 }, 0, "0 packets transmitted, 0 received", "" },
	/* rounding of the total time to the millisecond */
	{ 1, 0, 0, { 0 }, { 0 }, 405 * MS + 499999,
	  "1 packets transmitted, 0 received, 100% packet loss, time 405ms", "" },
	{ 1, 0, 0, { 0 }, { 0 }, 405 * MS + 500000,
	  "1 packets transmitted, 0 received, 100% packet loss, time 406ms", "" },
};

static void run_stats(const struct run_case *c, struct ping_stats *st)
{
	ping_stats_init(st);
	st->ntransmitted = c->tx;
	st->nerrors = c->errors;
	for (int i = 0; i < c->n; i++) {
		ping_stats_add_rtt(st, c->rtt[i]);
		if (c->dup[i])
			st->nrepeats++;
		else
			st->nreceived++;
	}
}

static void test_runs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct ping_stats st;
		char buf[256], what[64];

		run_stats(&runs[i], &st);
		snprintf(what, sizeof(what), "run %zu summary", i);
		ping_fmt_summary(buf, sizeof(buf), &st, runs[i].elapsed_ns);
		check_str(what, buf, runs[i].summary);
		snprintf(what, sizeof(what), "run %zu rtt line", i);
		ping_fmt_rtt(buf, sizeof(buf), &st, runs[i].elapsed_ns, false);
		check_str(what, buf, runs[i].rtt_line);
	}
}

/* SIGQUIT line of a real run (4 replies, each duplicated; iputils printed
 * "\r4/4 packets, 0% loss, ..." on stderr). */
static void test_status(void **state)
{
	static const long rtt[] = { 332, 353, 291, 342, 328, 403, 349, 370 };
	struct ping_stats st;
	char buf[256];

	(void)state;
	ping_stats_init(&st);
	st.ntransmitted = 3;
	ping_fmt_status(buf, sizeof(buf), &st);
	check_str("status without replies", buf, "0/3 packets, 100% loss");
	st.ntransmitted = 4;
	for (int i = 0; i < 8; i++) {
		ping_stats_add_rtt(&st, rtt[i]);
		if (i % 2)
			st.nrepeats++;
		else
			st.nreceived++;
	}
	ping_fmt_status(buf, sizeof(buf), &st);
	check_str("status", buf, "4/4 packets, 0% loss, min/avg/ewma/max = 0.291/0.346/0.344/0.403 ms");
	st.ntransmitted = 6;
	ping_fmt_status(buf, sizeof(buf), &st);
	check_str("status, integer loss", buf,
		  "4/6 packets, 33% loss, min/avg/ewma/max = 0.291/0.346/0.344/0.403 ms");
}

/* Flood: the rtt line gains ipg/ewma (inter-packet gap, moving average). */
static void test_ipg(void **state)
{
	struct ping_stats st;
	char buf[256];

	(void)state;
	ping_stats_init(&st);
	st.ntransmitted = 20;
	for (int i = 0; i < 20; i++) {
		ping_stats_add_rtt(&st, 5);
		st.nreceived++;
	}
	ping_fmt_rtt(buf, sizeof(buf), &st, 190 * MS, true);
	check_str("flood rtt line", buf,
		  "rtt min/avg/max/mdev = 0.005/0.005/0.005/0.000 ms, ipg/ewma 10.000/0.005 ms");
	st.ntransmitted = 1;
	ping_fmt_rtt(buf, sizeof(buf), &st, 0, true);
	check_str("one probe: no ipg", buf, "rtt min/avg/max/mdev = 0.005/0.005/0.005/0.000 ms");
}

/* ---- lines ------------------------------------------------------------- */

static void test_lines(void **state)
{
	char buf[256];

	(void)state;
	ping_fmt_reply(buf, sizeof(buf), 64, "198.18.0.2", 1, 64, 677, true);
	check_str("dup reply", buf, "64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.677 ms (DUP!)");
	ping_fmt_reply(buf, sizeof(buf), 26, "198.18.0.4", 3, 64, 59, false);
	check_str("small reply", buf, "26 bytes from 198.18.0.4: icmp_seq=3 ttl=64 time=0.059 ms");
	ping_fmt_reply(buf, sizeof(buf), 108, "198.18.0.1", 2, 64, 20394, false);
	check_str("slow reply", buf, "108 bytes from 198.18.0.1: icmp_seq=2 ttl=64 time=20.4 ms");
	ping_fmt_error(buf, sizeof(buf), "198.18.0.6", 1, 3, 1, 0);
	check_str("unreachable", buf, "From 198.18.0.6 icmp_seq=1 Destination Host Unreachable");
	ping_fmt_header(buf, sizeof(buf), "198.18.0.0", "198.18.0.0", NULL, "", 56);
	check_str("header", buf, "PING 198.18.0.0 (198.18.0.0) 56(84) bytes of data.");
	ping_fmt_header(buf, sizeof(buf), "198.18.0.0", "198.18.0.0", "198.19.0.1", "ves", 56);
	check_str("header -I ves", buf,
		  "PING 198.18.0.0 (198.18.0.0) from 198.19.0.1 ves: 56(84) bytes of data.");
	ping_fmt_header(buf, sizeof(buf), "198.18.0.0", "198.18.0.0", "198.19.0.1", "", 56);
	check_str("header -I addr", buf,
		  "PING 198.18.0.0 (198.18.0.0) from 198.19.0.1 : 56(84) bytes of data.");
	ping_fmt_header(buf, sizeof(buf), "198.18.0.4", "198.18.0.4", NULL, "", 18);
	check_str("header -s 18", buf, "PING 198.18.0.4 (198.18.0.4) 18(46) bytes of data.");
}

static const struct { uint8_t type, code; uint32_t info; const char *want; } icmp_cases[] = {
	{ 3, 0, 0, "Destination Net Unreachable" },
	{ 3, 1, 0, "Destination Host Unreachable" },
	{ 3, 2, 0, "Destination Protocol Unreachable" },
	{ 3, 3, 0, "Destination Port Unreachable" },
	{ 3, 4, 1400, "Frag needed and DF set (mtu = 1400)" },
	{ 3, 5, 0, "Source Route Failed" },
	{ 3, 6, 0, "Destination Net Unknown" },
	{ 3, 7, 0, "Destination Host Unknown" },
	{ 3, 8, 0, "Source Host Isolated" },
	{ 3, 9, 0, "Destination Net Prohibited" },
	{ 3, 10, 0, "Destination Host Prohibited" },
	{ 3, 11, 0, "Destination Net Unreachable for Type of Service" },
	{ 3, 12, 0, "Destination Host Unreachable for Type of Service" },
	{ 3, 13, 0, "Packet filtered" },
	{ 3, 14, 0, "Precedence Violation" },
	{ 3, 15, 0, "Precedence Cutoff" },
	{ 3, 16, 0, "Dest Unreachable, Bad Code: 16" },
	{ 11, 0, 0, "Time to live exceeded" },
	{ 11, 1, 0, "Frag reassembly time exceeded" },
	{ 11, 7, 0, "Time exceeded, Bad Code: 7" },
	{ 12, 0, 20, "Parameter problem: pointer = 20" },
	{ 4, 0, 0, "Source Quench" },
	{ 5, 1, 0xC6130002, "Redirect Host(New nexthop: 198.19.0.2)" },
	{ 5, 0, 0xC6130002, "Redirect Network(New nexthop: 198.19.0.2)" },
	{ 5, 9, 0xC6130002, "Redirect, Bad Code: 9(New nexthop: 198.19.0.2)" },
	{ 0, 0, 0, "Echo Reply" },
	{ 8, 0, 0, "Echo Request" },
	{ 42, 0, 0, "Bad ICMP type: 42" },
};

static void test_icmp_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(icmp_cases) / sizeof(icmp_cases[0]); i++) {
		char buf[128], what[64];

		ping_fmt_icmp(buf, sizeof(buf), icmp_cases[i].type, icmp_cases[i].code,
			      icmp_cases[i].info);
		snprintf(what, sizeof(what), "ICMP type %u code %u", icmp_cases[i].type,
			 icmp_cases[i].code);
		check_str(what, buf, icmp_cases[i].want);
	}
}

/* iputils 20221126's print_icmp of ping6_common.c, word for word. */
static const struct { uint8_t type, code; uint32_t info; const char *want; } icmp6_cases[] = {
	{ 1, 0, 0, "Destination unreachable: No route" },
	{ 1, 1, 0, "Destination unreachable: Administratively prohibited" },
	{ 1, 2, 0, "Destination unreachable: Beyond scope of source address" },
	{ 1, 3, 0, "Destination unreachable: Address unreachable" },
	{ 1, 4, 0, "Destination unreachable: Port unreachable" },
	{ 1, 5, 0, "Destination unreachable: Unknown code 5" },
	{ 1, 6, 0, "Destination unreachable: Unknown code 6" },
	{ 2, 0, 1280, "Packet too big: mtu=1280" },
	{ 2, 3, 1400, "Packet too big: mtu=1400, code=3" },
	{ 3, 0, 0, "Time exceeded: Hop limit" },
	{ 3, 1, 0, "Time exceeded: Defragmentation failure" },
	{ 3, 7, 0, "Time exceeded: code 7" },
	{ 4, 0, 6, "Parameter problem: Wrong header field at 6" },
	{ 4, 1, 40, "Parameter problem: Unknown header at 40" },
	{ 4, 2, 42, "Parameter problem: Unknown option at 42" },
	{ 4, 9, 1, "Parameter problem: code 9 at 1" },
	{ 128, 0, 0, "Echo request" },
	{ 129, 0, 0, "Echo reply" },
	{ 130, 0, 0, "MLD Query" },
	{ 131, 0, 0, "MLD Report" },
	{ 132, 0, 0, "MLD Reduction" },
	{ 137, 0, 0, "unknown icmp type: 137" },
};

static void test_icmp6_text(void **state)
{
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(icmp6_cases) / sizeof(icmp6_cases[0]); i++) {
		char what[64];

		ping_fmt_icmp6(buf, sizeof(buf), icmp6_cases[i].type, icmp6_cases[i].code,
			       icmp6_cases[i].info);
		snprintf(what, sizeof(what), "ICMPv6 type %u code %u", icmp6_cases[i].type,
			 icmp6_cases[i].code);
		check_str(what, buf, icmp6_cases[i].want);
	}
	ping_fmt_error6(buf, sizeof(buf), "2001:db8::1", 2, 1, 3, 0);
	check_str("error6", buf, "From 2001:db8::1 icmp_seq=2 Destination unreachable: Address unreachable");
	ping_fmt_header6(buf, sizeof(buf), "::1", "::1", 0, NULL, "", 56);
	check_str("header6", buf, "PING ::1(::1) 56 data bytes");
	ping_fmt_header6(buf, sizeof(buf), "h6", "h6 (2001:db8::3)", 0, "2001:db8::2", "ves", 100);
	check_str("header6 -I", buf, "PING h6(h6 (2001:db8::3)) from 2001:db8::2 ves: 100 data bytes");
	ping_fmt_header6(buf, sizeof(buf), "::1", "::1", 0x1234, NULL, "", 56);
	check_str("header6 -F", buf, "PING ::1(::1) , flow 0x01234, 56 data bytes");
}

/* ---- -p ---------------------------------------------------------------- */

static void test_pattern(void **state)
{
	uint8_t pat[PING_PATTERN_MAX];
	char buf[64], err[128];
	int n;

	(void)state;
	n = ping_parse_pattern("abc", pat, err, sizeof(err));
	assert_int_equal(n, 2);
	ping_fmt_pattern(buf, sizeof(buf), pat, (size_t)n);
	check_str("-p abc", buf, "PATTERN: 0xab0c");            /* real */
	n = ping_parse_pattern("0102", pat, err, sizeof(err));
	ping_fmt_pattern(buf, sizeof(buf), pat, (size_t)n);
	check_str("-p 0102", buf, "PATTERN: 0x0102");           /* real */
	n = ping_parse_pattern("00112233445566778899aabbccddeeff0011", pat, err, sizeof(err));
	assert_int_equal(n, 16);
	assert_int_equal(pat[15], 0xff);
	assert_int_equal(ping_parse_pattern("", pat, err, sizeof(err)), 0);
	assert_int_equal(ping_parse_pattern("12g4", pat, err, sizeof(err)), -1);
	check_str("bad pattern", err, "-p: patterns must be specified as hex digits: 12g4");
}

/* ---- options ------------------------------------------------------------- */

static enum ping_parse_result parse(struct ping_opts *o, char *err, size_t errlen, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"ping";
	va_start(ap, errlen);
	for (char *a; argc < 15 && (a = va_arg(ap, char *)) != NULL; )
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return ping_opts_parse(argc, argv, o, err, errlen);
}

static void test_options(void **state)
{
	struct ping_opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), "198.18.0.1", NULL), PING_OPTS_OK);
	assert_int_equal(o.size, 56);
	assert_true(o.interval_ns == 1000 * MS && o.linger_ns == 10000 * MS && o.count == 0);
	assert_int_equal(parse(&o, err, sizeof(err), "-c", "5", "-i", "0.2", "-W", "1", "-s", "18",
			       "-t", "3", "-q", "-I", "ves", "198.18.0.1", NULL), PING_OPTS_OK);
	assert_true(o.count == 5 && o.interval_ns == 200 * MS && o.linger_ns == 1000 * MS);
	assert_true(o.size == 18 && o.ttl == 3 && o.quiet && o.ifname && !o.source);
	/* options after the host, as GNU getopt allows */
	assert_int_equal(parse(&o, err, sizeof(err), "198.18.0.1", "-c", "2", "-I", "198.19.0.1",
			       NULL), PING_OPTS_OK);
	assert_true(o.count == 2 && o.source && !o.ifname);
	assert_int_equal(parse(&o, err, sizeof(err), "-f", "198.18.0.1", NULL), PING_OPTS_OK);
	assert_true(o.flood && o.interval_ns == 0);
	assert_int_equal(parse(&o, err, sizeof(err), "-f", "-i", "0.5", "198.18.0.1", NULL),
			 PING_OPTS_OK);
	assert_true(o.flood && o.interval_ns == 500 * MS);
	assert_int_equal(parse(&o, err, sizeof(err), "-s", "0", "198.18.0.1", NULL), PING_OPTS_OK);
	assert_int_equal(o.size, 0);
	assert_int_equal(parse(&o, err, sizeof(err), "-s", "65507", "198.18.0.1", NULL), PING_OPTS_OK);
	assert_int_equal(o.size, 65507);
	assert_int_equal(parse(&o, err, sizeof(err), "-s", "65508", "198.18.0.1", NULL),
			 PING_OPTS_ERROR);
	assert_non_null(strstr(err, "-s"));
	assert_non_null(strstr(err, "65507"));
	assert_int_equal(parse(&o, err, sizeof(err), "-c", "70000", "198.18.0.1", NULL), PING_OPTS_OK);
	assert_true(o.count == 70000);
	assert_int_equal(parse(&o, err, sizeof(err), "-c", "0", "198.18.0.1", NULL), PING_OPTS_ERROR);
	assert_non_null(strstr(err, "-c"));
	assert_int_equal(parse(&o, err, sizeof(err), "-W", "0", "198.18.0.1", NULL), PING_OPTS_ERROR);
	assert_int_equal(parse(&o, err, sizeof(err), "-x", "198.18.0.1", NULL), PING_OPTS_USAGE);
	check_str("bad option", err, "invalid option -- 'x'");
	assert_int_equal(parse(&o, err, sizeof(err), "-c", NULL), PING_OPTS_USAGE);
	assert_int_equal(parse(&o, err, sizeof(err), NULL), PING_OPTS_USAGE);
	check_str("no host", err, "usage error: Destination address required");
	assert_int_equal(parse(&o, err, sizeof(err), "-h", NULL), PING_OPTS_HELP);
}

/* -Q, -M, -B, -a, -U: values and iputils' messages. */
static void test_options_more(void **state)
{
	static const struct { const char *opt, *val; int tos, pmtu; const char *err; } t[] = {
		{ "-Q", "16", 16, -1, NULL },
		{ "-Q", "0x10", 16, -1, NULL },
		{ "-Q", "0XfF", 255, -1, NULL },
		{ "-Q", "0", 0, -1, NULL },
		{ "-Q", "256", 0, -1, "the decimal value of TOS bits must be in range 0-255: 256" },
		{ "-Q", "0x100", 0, -1, "the decimal value of TOS bits must be in range 0-255: 256" },
		{ "-Q", "lowdelay", 0, -1, "bad TOS value: lowdelay" },
		{ "-Q", "0x1g", 0, -1, "bad TOS value: 0x1g" },
		{ "-Q", "-1", 0, -1, "bad TOS value: -1" },
		{ "-M", "do", 0, 2, NULL },      /* IP_PMTUDISC_DO */
		{ "-M", "want", 0, 1, NULL },    /* IP_PMTUDISC_WANT */
		{ "-M", "dont", 0, 0, NULL },    /* IP_PMTUDISC_DONT */
		{ "-M", "probe", 0, -1, "invalid -M argument: probe" },
	};
	struct ping_opts o;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = parse(&o, err, sizeof(err), t[i].opt, t[i].val, "198.18.0.1", NULL);

		if (t[i].err) {
			assert_int_equal(rc, PING_OPTS_ERROR);
			check_str(t[i].val, err, t[i].err);
		} else {
			assert_int_equal(rc, PING_OPTS_OK);
			assert_int_equal(o.tos, t[i].tos);
			assert_int_equal(o.pmtudisc, t[i].pmtu);
		}
	}
	assert_int_equal(parse(&o, err, sizeof(err), "-a", "-U", "-B", "-4", "198.18.0.1", NULL),
			 PING_OPTS_OK);
	assert_true(o.audible && o.latency && o.strict_source && o.pmtudisc == -1 && o.tos == 0);
	assert_int_equal(o.family, 4);
	/* -4/-6 (iputils' words when both come), IPv6 sources for -I */
	assert_int_equal(parse(&o, err, sizeof(err), "2001:db8::1", NULL), PING_OPTS_OK);
	assert_int_equal(o.family, 0);
	assert_int_equal(parse(&o, err, sizeof(err), "-6", "-I", "2001:db8::2", "h", NULL), PING_OPTS_OK);
	assert_int_equal(o.family, 6);
	check_str("-I v6", o.source, "2001:db8::2");
	assert_null(o.ifname);
	assert_int_equal(parse(&o, err, sizeof(err), "-4", "-6", "h", NULL), PING_OPTS_ERROR);
	check_str("-4 -6", err, "only one -4 or -6 option may be specified");
	assert_int_equal(parse(&o, err, sizeof(err), "-6", "-4", "h", NULL), PING_OPTS_ERROR);
	check_str("-6 -4", err, "only one -4 or -6 option may be specified");
	assert_int_equal(parse(&o, err, sizeof(err), "-I", "2001:db8::zz", "h", NULL), PING_OPTS_ERROR);
	check_str("-I bad v6", err, "invalid source address: 2001:db8::zz");
	/* -F: iputils' parseflow() */
	assert_int_equal(parse(&o, err, sizeof(err), "-F", "0x1a2b", "h", NULL), PING_OPTS_OK);
	assert_true(o.flowinfo && o.flowlabel == 0x1a2b);
	assert_int_equal(parse(&o, err, sizeof(err), "-F", "1048575", "h", NULL), PING_OPTS_OK);
	assert_int_equal(o.flowlabel, 0xfffff);
	assert_int_equal(parse(&o, err, sizeof(err), "-F", "1048576", "h", NULL), PING_OPTS_ERROR);
	check_str("-F 2^20", err, "flow value is greater than 20 bits: 1048576");
	assert_int_equal(parse(&o, err, sizeof(err), "-F", "0x1g", "h", NULL), PING_OPTS_ERROR);
	check_str("-F 0x1g", err, "bad value for flowinfo: 0x1g");
}

/* The options added for the kernel socket path. */
static void test_options_kernel(void **state)
{
	struct ping_opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), "198.18.0.1", NULL), PING_OPTS_OK);
	assert_true(o.ident == -1 && o.preload == 1 && o.ts_type == -1 && !o.mark_set &&
		    o.sndbuf == 0 && !o.rroute && !o.adaptive && !o.version);
	assert_int_equal(parse(&o, err, sizeof(err), "-A", "-b", "-C", "-d", "-L", "-r", "-R", "-v",
			       "198.18.0.1", NULL), PING_OPTS_OK);
	assert_true(o.adaptive && o.broadcast && o.connect && o.so_debug && o.noloop &&
		    o.dontroute && o.rroute && o.verbose);
	assert_int_equal(parse(&o, err, sizeof(err), "-e", "77", "-l", "5", "-m", "4294967295",
			       "-S", "3000", "198.18.0.1", NULL), PING_OPTS_OK);
	assert_true(o.ident == 77 && o.preload == 5 && o.mark_set && o.mark == 4294967295u &&
		    o.sndbuf == 3000);
	assert_int_equal(parse(&o, err, sizeof(err), "-e", "65536", "198.18.0.1", NULL),
			 PING_OPTS_ERROR);
	assert_non_null(strstr(err, "-e"));
	assert_int_equal(parse(&o, err, sizeof(err), "-l", "0", "198.18.0.1", NULL), PING_OPTS_ERROR);
	assert_non_null(strstr(err, "-l"));
	assert_int_equal(parse(&o, err, sizeof(err), "-T", "tsonly", "198.18.0.1", NULL), PING_OPTS_OK);
	assert_int_equal(o.ts_type, 0);
	assert_int_equal(parse(&o, err, sizeof(err), "-T", "tsandaddr", "198.18.0.1", NULL),
			 PING_OPTS_OK);
	assert_int_equal(o.ts_type, 1);
	assert_int_equal(parse(&o, err, sizeof(err), "-T", "tsprespec", "198.18.0.1", NULL),
			 PING_OPTS_OK);
	assert_int_equal(o.ts_type, 3);
	assert_int_equal(parse(&o, err, sizeof(err), "-T", "tsall", "198.18.0.1", NULL),
			 PING_OPTS_ERROR);
	check_str("-T tsall", err, "invalid timestamp type: tsall");
	assert_int_equal(parse(&o, err, sizeof(err), "-R", "-T", "tsonly", "198.18.0.1", NULL),
			 PING_OPTS_ERROR);
	check_str("-R -T", err, "only one of -T or -R may be used");
	assert_int_equal(parse(&o, err, sizeof(err), "-T", "tsonly", "-R", "198.18.0.1", NULL),
			 PING_OPTS_ERROR);
	check_str("-T -R", err, "only one of -T or -R may be used");
	/* -V ends parsing at once, as iputils prints its version and exits */
	assert_int_equal(parse(&o, err, sizeof(err), "-V", NULL), PING_OPTS_OK);
	assert_true(o.version);
}

/* Reply lines beyond the plain one: iputils' order of the optional parts. */
static void test_reply_lines(void **state)
{
	static const struct { struct ping_reply_line r; const char *want; } t[] = {
		{ { 8, "198.18.0.5", 1, -1, 64, false, 0, false, false },
		  "8 bytes from 198.18.0.5: icmp_seq=1 ttl=64" },                       /* -s 0, real */
		{ { 64, "198.18.0.5", 1, 10120, 64, true, 21, false, false },
		  "64 bytes from 198.18.0.5: icmp_seq=1 ident=10120 ttl=64 time=0.021 ms" },  /* -v, real */
		{ { 30, "198.18.0.5", 2, -1, 64, true, 21, true, true },
		  "30 bytes from 198.18.0.5: icmp_seq=2 ttl=64 (truncated)" },
		{ { 64, "host5.lab.test (198.18.0.5)", 3, -1, 63, true, 1500, true, false },
		  "64 bytes from host5.lab.test (198.18.0.5): icmp_seq=3 ttl=63 time=1.50 ms (DUP!)" },
		{ { 64, "198.18.0.5", 4, -1, -1, true, 5, false, false },
		  "64 bytes from 198.18.0.5: icmp_seq=4 time=0.005 ms" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ping_fmt_reply_line(buf, sizeof(buf), &t[i].r);
		check_str("reply line", buf, t[i].want);
	}
	ping_fmt_header_opt(buf, sizeof(buf), "198.18.0.5", "198.18.0.5", NULL, "", 56, 40);
	check_str("header -R", buf, "PING 198.18.0.5 (198.18.0.5) 56(124) bytes of data.");
	ping_fmt_header(buf, sizeof(buf), "198.18.0.5", "198.18.0.5", NULL, "", 0);
	check_str("header -s 0", buf, "PING 198.18.0.5 (198.18.0.5) 0(28) bytes of data.");
}

/* The statistics' second line: no rtt part without times, pipe, ipg for -A. */
static void test_rtt_pipe(void **state)
{
	struct ping_stats st;
	char buf[256];
	static const long rtt[] = { 23, 5, 4, 4, 4 };     /* a real -l 5 run */

	(void)state;
	ping_stats_init(&st);
	st.ntransmitted = 5;
	for (size_t i = 0; i < 5; i++) {
		ping_stats_add_rtt(&st, rtt[i]);
		st.nreceived++;
	}
	st.pipesize = 5;
	ping_fmt_rtt(buf, sizeof(buf), &st, 0, false);
	check_str("-l 5", buf, "rtt min/avg/max/mdev = 0.004/0.008/0.023/0.007 ms, pipe 5");
	st.untimed = true;
	ping_fmt_rtt(buf, sizeof(buf), &st, 0, false);
	check_str("-s 8 -l 5", buf, "pipe 5");
	st.pipesize = 1;
	ping_fmt_rtt(buf, sizeof(buf), &st, 0, false);
	check_str("-s 0", buf, "");
	ping_fmt_status(buf, sizeof(buf), &st);
	check_str("status without times", buf, "5/5 packets, 0% loss");
}

static const char *num_addr(void *ctx, uint32_t a)
{
	static char buf[2][16];
	static int n;
	char *b = buf[n++ & 1];

	(void)ctx;
	snprintf(b, 16, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
	return b;
}

/* -R and -T: the options iputils sends, and its printing of the replies'
 * (the strings are real iputils output against a lab host). */
static void test_ipopts(void **state)
{
	uint8_t o[40];
	uint8_t rr[40] = { 7, 39, 20, 198, 19, 0, 1, 198, 18, 0, 5, 198, 18, 0, 5, 198, 19, 0, 1 };
	uint8_t ts[40] = { 68, 40, 21, 0, 0x02, 0xd5, 0xaa, 0xee, 0x02, 0xd5, 0xaa, 0xee,
			   0x02, 0xd5, 0xaa, 0xee, 0x02, 0xd5, 0xaa, 0xef };
	uint8_t ta[40] = { 68, 36, 37, 0x11, 198, 19, 0, 1, 0, 0, 0, 10, 198, 18, 0, 5, 0, 0, 0, 10,
			   198, 18, 0, 5, 0, 0, 0, 10, 198, 19, 0, 1, 0, 0, 0, 12 };
	struct ping_rr_memo memo = { .len = 0 };
	char buf[1024];

	(void)state;
	assert_int_equal(ping_build_ipopts(o, true, -1), 40);
	assert_true(o[0] == 1 && o[1] == 7 && o[2] == 39 && o[3] == 4 && o[39] == 0);
	assert_int_equal(ping_build_ipopts(o, false, 0), 40);
	assert_true(o[0] == 68 && o[1] == 40 && o[2] == 5 && o[3] == 0);
	assert_int_equal(ping_build_ipopts(o, false, 1), 36);
	assert_int_equal(ping_build_ipopts(o, false, 3), 4);
	assert_int_equal(ping_build_ipopts(o, false, -1), 0);

	buf[0] = '\0';
	ping_fmt_ipopts(buf, sizeof(buf), rr, sizeof(rr), &memo, false, num_addr, NULL);
	check_str("RR", buf, "\nRR: \t198.19.0.1\n\t198.18.0.5\n\t198.18.0.5\n\t198.19.0.1\n");
	buf[0] = '\0';
	ping_fmt_ipopts(buf, sizeof(buf), rr, sizeof(rr), &memo, false, num_addr, NULL);
	check_str("RR again", buf, "\t(same route)");
	buf[0] = '\0';
	ping_fmt_ipopts(buf, sizeof(buf), ts, sizeof(ts), &memo, false, num_addr, NULL);
	check_str("TS tsonly", buf, "\nTS: \t47557358 absolute\n\t0\n\t0\n\t1\n");
	buf[0] = '\0';
	ping_fmt_ipopts(buf, sizeof(buf), ta, sizeof(ta), &memo, false, num_addr, NULL);
	check_str("TS tsandaddr", buf, "\nTS: \t198.19.0.1\t10 absolute\n\t198.18.0.5\t0\n"
		  "\t198.18.0.5\t0\n\t198.19.0.1\t2\nUnrecorded hops: 1\n");
}

/* icmp_seq: the nth probe shows (n + 1) mod 65536, from the engine's n mod 65535. */
static void test_seq(void **state)
{
	static const struct { long sent; uint16_t probe; unsigned nprobes, want; } t[] = {
		{ 1, 0, 65535, 1 },
		{ 5, 4, 5, 5 },
		{ 65535, 65534, 65535, 65535 },      /* n = 65534 */
		{ 65536, 0, 65535, 0 },              /* n = 65535: iputils shows 0 */
		{ 65537, 1, 65535, 1 },              /* n = 65536 */
		{ 65537, 65534, 65535, 65535 },      /* a late reply to n = 65534 */
		{ 131072, 1, 65535, 0 },             /* n = 2 * 65535 + 1 = 131071: 131072 & 0xffff */
		{ 131073, 2, 65535, 1 },             /* n = 131072 */
		{ 131073, 1, 65535, 0 },             /* a late reply to n = 131071 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned got = ping_seq_of(t[i].sent, t[i].probe, t[i].nprobes);

		if (got != t[i].want)
			fail_msg("ping_seq_of(%ld, %u, %u) = %u, want %u", t[i].sent, t[i].probe,
				 t[i].nprobes, got, t[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_ipg),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_icmp_text),
		cmocka_unit_test(test_icmp6_text),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_more),
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_options_kernel),
		cmocka_unit_test(test_reply_lines),
		cmocka_unit_test(test_rtt_pipe),
		cmocka_unit_test(test_ipopts),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
