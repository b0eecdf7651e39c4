/*
 * test_trace_opts.c — `echoscan trace`'s command line (scanner/trace_opts.c):
 * traceroute's options and defaults, -w's MAX[,HERE[,NEAR]] (factors not
 * given are 0, as in traceroute), -z's seconds-or-milliseconds, the
 * packetlen operand, when the output switches to records, and the errors
 * (each naming the bad option).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scanner/trace_opts.h"

#define MAXARGS 16

static int parse(const char *line, struct trace_opts *o, char *err, size_t errlen,
		 char store[MAXARGS][64], char **argv)
{
	int argc = 0;
	char buf[512];

	snprintf(buf, sizeof(buf), "trace %s", line);
	for (char *tok = strtok(buf, " "); tok && argc < MAXARGS - 1; tok = strtok(NULL, " ")) {
		snprintf(store[argc], 64, "%s", tok);
		argv[argc] = store[argc];
		argc++;
	}
	argv[argc] = NULL;
	return trace_opts_parse(argc, argv, o, err, errlen);
}

struct good {
	const char *line;
	bool records, numeric;
	unsigned nq, first, max, packetlen, tos;
	double wmax, here, near;
	uint64_t sendwait_ns;
	int ntargets;
};

static const struct good goods[] = {
	{ "198.18.0.1", false, false, 0, 1, 30, 60, 0, 5, 3, 10, 0, 1 },
	{ "-n 198.18.0.1", false, true, 0, 1, 30, 60, 0, 5, 3, 10, 0, 1 },
	{ "-I -n -q 1 -f 2 -m 4 198.18.0.1", false, true, 1, 2, 4, 60, 0, 5, 3, 10, 0, 1 },
	{ "-w 1 198.18.0.1", false, false, 0, 1, 30, 60, 0, 1, 0, 0, 0, 1 },
	{ "-w 2,4 198.18.0.1", false, false, 0, 1, 30, 60, 0, 2, 4, 0, 0, 1 },
	{ "-w 0.5,1.5,7 198.18.0.1", false, false, 0, 1, 30, 60, 0, 0.5, 1.5, 7, 0, 1 },
	{ "-z 0.5 198.18.0.1", false, false, 0, 1, 30, 60, 0, 5, 3, 10, 500000000, 1 },
	{ "-z 20 198.18.0.1", false, false, 0, 1, 30, 60, 0, 5, 3, 10, 20000000, 1 },
	{ "-z 10 198.18.0.1", false, false, 0, 1, 30, 60, 0, 5, 3, 10, 10000000000ull, 1 },
	{ "-z 250ms 198.18.0.1", false, false, 0, 1, 30, 60, 0, 5, 3, 10, 250000000, 1 },
	{ "-w 5.0,3,10 198.18.0.1", false, false, 0, 1, 30, 60, 0, 5, 3, 10, 0, 1 },
	{ "-w 0 198.18.0.1", false, false, 0, 1, 30, 60, 0, 0, 0, 0, 0, 1 },
	{ "-t 16 --max-ttl 8 198.18.0.1 100", false, false, 0, 1, 8, 100, 16, 5, 3, 10, 0, 1 },
	{ "198.18.0.0/24", true, false, 0, 1, 30, 60, 0, 5, 3, 10, 0, 1 },
	{ "198.18.0.1 198.18.0.2", true, false, 0, 1, 30, 60, 0, 5, 3, 10, 0, 2 },
	{ "-O json 198.18.0.1", true, false, 0, 1, 30, 60, 0, 5, 3, 10, 0, 1 },
	{ "--paths 198.18.0.1", true, false, 0, 1, 30, 60, 0, 5, 3, 10, 0, 1 },
	{ "198.18.0.0-198.18.0.9 --first-ttl 3", true, false, 0, 3, 30, 60, 0, 5, 3, 10, 0, 1 },
	{ "--rate max 198.18.0.1", true, false, 0, 1, 30, 60, 0, 5, 3, 10, 0, 1 },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		char store[MAXARGS][64], *argv[MAXARGS], err[256] = "";
		struct trace_opts o;

		print_message("case %zu: %s\n", i, g->line);
		assert_int_equal(parse(g->line, &o, err, sizeof(err), store, argv), 0);
		assert_int_equal(o.records, g->records);
		assert_int_equal(o.numeric, g->numeric);
		assert_int_equal(o.nqueries, g->nq);
		assert_int_equal(o.first_ttl, g->first);
		assert_int_equal(o.max_ttl, g->max);
		assert_int_equal(o.packetlen, g->packetlen);
		assert_int_equal(o.tos, g->tos);
		assert_true(o.wait_ns == (uint64_t)(g->wmax * 1e9));
		assert_true(o.wait_here == g->here && o.wait_near == g->near);
		assert_int_equal(o.sendwait_ns, g->sendwait_ns);
		assert_int_equal(o.ntargets, g->ntargets);
		if (o.rate_given)
			assert_int_equal(o.rate, 0);     /* "max" */
	}
}

static const struct { const char *line, *msg; } bads[] = {
	{ "", "no host given" },
	{ "-q 11 198.18.0.1", "-q" },
	{ "-q 0 198.18.0.1", "-q" },
	{ "-m 256 198.18.0.1", "-m" },
	{ "-f 0 198.18.0.1", "-f" },
	{ "-f 9 -m 8 198.18.0.1", "-f 9 is above -m 8" },
	{ "-w x 198.18.0.1", "-w x" },
	{ "-w 1,2,3,4 198.18.0.1", "-w 1,2,3,4" },
	{ "-w -1 198.18.0.1", "-w -1" },
	{ "-w 3601 198.18.0.1", "-w 3601" },
	{ "-w 1,3601 198.18.0.1", "-w 1,3601" },
	{ "-w 1,,2 198.18.0.1", "-w 1,,2" },
	{ "-w 1e3 198.18.0.1", "-w 1e3" },
	{ "-z 10001 198.18.0.1", "-z" },
	{ "-z -1 198.18.0.1", "-z" },
	{ "-z abc 198.18.0.1", "-z: \"abc\" is not a duration" },
	{ "-t 256 198.18.0.1", "-t" },
	{ "198.18.0.1 40", "packetlen" },
	{ "198.18.0.1 1501", "packetlen" },
	{ "-O xml 198.18.0.0/24", "xml" },
	{ "--fields nosuch 198.18.0.0/24", "nosuch" },
	{ "-X 198.18.0.1", "-X" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char store[MAXARGS][64], *argv[MAXARGS], err[256] = "";
		struct trace_opts o;

		print_message("case %zu: %s\n", i, bads[i].line);
		assert_int_equal(parse(bads[i].line, &o, err, sizeof(err), store, argv), -1);
		if (!strstr(err, bads[i].msg))
			fail_msg("error \"%s\" does not name \"%s\"", err, bads[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
