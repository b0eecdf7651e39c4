/*
 * test_fields.c — unit tests of output/fields.c: the table order writer.c
 * relies on, the default lists, the -f/--fields parser (good lists and every
 * kind of bad list with its exact message) and the --list-fields text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output/fields.h"

static const char *const result_order[] = {
	"saddr", "daddr", "responder", "rtt_us", "ttl", "type", "code",
	"classification", "success", "repeat", "cooldown", "probe", "ipid",
	"size", "timestamp", "mac", "probe_ttl",
};

static const char *const stats_order[] = {
	"saddr", "sent", "received", "loss", "rtt_min_us", "rtt_avg_us",
	"rtt_max_us", "rtt_mdev_us", "jitter_us", "timestamp",
};

static void check_order(enum record_kind kind, const char *const *names, unsigned count)
{
	unsigned n;
	const struct field_def *t = fields_table(kind, &n);

	assert_int_equal(n, count);
	for (unsigned i = 0; i < n; i++) {
		assert_string_equal(t[i].name, names[i]);
		assert_non_null(t[i].help);
	}
}

static void test_table_order(void **state)
{
	(void)state;
	check_order(REC_RESULT, result_order, sizeof(result_order) / sizeof(result_order[0]));
	check_order(REC_STATS, stats_order, sizeof(stats_order) / sizeof(stats_order[0]));
}

static void test_types(void **state)
{
	unsigned n;
	const struct field_def *r = fields_table(REC_RESULT, &n);
	const struct field_def *s = fields_table(REC_STATS, &n);

	(void)state;
	assert_int_equal(r[0].type, FT_STRING);   /* saddr */
	assert_int_equal(r[3].type, FT_FLOAT);    /* rtt_us */
	assert_int_equal(r[4].type, FT_INT);      /* ttl */
	assert_int_equal(r[8].type, FT_BOOL);     /* success */
	assert_int_equal(r[14].type, FT_STRING);  /* timestamp */
	assert_int_equal(s[1].type, FT_INT);      /* sent */
	assert_int_equal(s[3].type, FT_FLOAT);    /* loss */
	assert_int_equal(s[8].type, FT_FLOAT);    /* jitter_us */
}

/* Renders a list as "name,name,..." for compact expectations. */
static void list_names(enum record_kind kind, const struct field_list *l, char *buf, size_t len)
{
	unsigned n;
	const struct field_def *t = fields_table(kind, &n);
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < l->n; i++) {
		assert_true(l->id[i] < n);
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", t[l->id[i]].name);
		assert_true(used < len);
	}
}

static void test_defaults(void **state)
{
	struct field_list l;
	char buf[512];

	(void)state;
	fields_default(REC_RESULT, &l);
	list_names(REC_RESULT, &l, buf, sizeof(buf));
	assert_string_equal(buf, "saddr,rtt_us,ttl,classification,success");
	fields_default(REC_STATS, &l);
	list_names(REC_STATS, &l, buf, sizeof(buf));
	assert_string_equal(buf, "saddr,sent,received,loss,rtt_min_us,rtt_avg_us,rtt_max_us,"
			    "rtt_mdev_us,jitter_us");
}

struct good_case {
	enum record_kind kind;
	const char *in;
	const char *want;
};

static const struct good_case good_cases[] = {
	{ REC_RESULT, "saddr", "saddr" },
	{ REC_RESULT, "saddr,rtt_us,ttl", "saddr,rtt_us,ttl" },
	{ REC_RESULT, " timestamp , saddr\t,code ", "timestamp,saddr,code" },
	{ REC_RESULT, "*", "saddr,daddr,responder,rtt_us,ttl,type,code,classification,success,"
			   "repeat,cooldown,probe,ipid,size,timestamp,mac,probe_ttl" },
	{ REC_RESULT, " * ", "saddr,daddr,responder,rtt_us,ttl,type,code,classification,success,"
			     "repeat,cooldown,probe,ipid,size,timestamp,mac,probe_ttl" },
	{ REC_STATS, "saddr,loss", "saddr,loss" },
	{ REC_STATS, "*", "saddr,sent,received,loss,rtt_min_us,rtt_avg_us,rtt_max_us,"
			  "rtt_mdev_us,jitter_us,timestamp" },
};

static void test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *c = &good_cases[i];
		struct field_list l;
		char err[256] = "", buf[512];

		print_message("case %zu: \"%s\"\n", i, c->in);
		assert_int_equal(fields_parse(c->kind, c->in, &l, err, sizeof(err)), 0);
		assert_string_equal(err, "");
		list_names(c->kind, &l, buf, sizeof(buf));
		assert_string_equal(buf, c->want);
	}
}

struct bad_case {
	enum record_kind kind;
	const char *in;
	const char *err;
};

static const struct bad_case bad_cases[] = {
	{ REC_RESULT, "", "empty field list \"\" (see --list-fields)" },
	{ REC_RESULT, "  ", "empty field list \"  \" (see --list-fields)" },
	{ REC_RESULT, "saddr,,ttl", "empty field name in field list \"saddr,,ttl\"" },
	{ REC_RESULT, "saddr,", "empty field name in field list \"saddr,\"" },
	{ REC_RESULT, ",saddr", "empty field name in field list \",saddr\"" },
	{ REC_RESULT, "saddr, ,ttl", "empty field name in field list \"saddr, ,ttl\"" },
	{ REC_RESULT, "xyz", "unknown field \"xyz\" (valid: saddr, daddr, responder, rtt_us, ttl, "
			     "type, code, classification, success, repeat, cooldown, probe, ipid, "
			     "size, timestamp, mac, probe_ttl)" },
	{ REC_RESULT, "saddr, Saddr", "unknown field \"Saddr\" (valid: saddr, daddr, responder, "
				      "rtt_us, ttl, type, code, classification, success, repeat, "
				      "cooldown, probe, ipid, size, timestamp, mac, probe_ttl)" },
	{ REC_RESULT, "loss", "unknown field \"loss\" (valid: saddr, daddr, responder, rtt_us, ttl, "
			      "type, code, classification, success, repeat, cooldown, probe, ipid, "
			      "size, timestamp, mac, probe_ttl)" },
	{ REC_STATS, "ttl", "unknown field \"ttl\" (valid: saddr, sent, received, loss, rtt_min_us, "
			    "rtt_avg_us, rtt_max_us, rtt_mdev_us, jitter_us, timestamp)" },
	{ REC_RESULT, "ttl,saddr,ttl", "duplicate field \"ttl\" in field list \"ttl,saddr,ttl\"" },
	{ REC_RESULT, "saddr,*", "'*' must stand alone in field list \"saddr,*\"" },
	{ REC_RESULT, NULL, "missing field list" },
};

static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct field_list l = { .id = { 7 }, .n = 1 };
		char err[512] = "";

		print_message("case %zu: \"%s\"\n", i, c->in ? c->in : "(null)");
		assert_int_equal(fields_parse(c->kind, c->in, &l, err, sizeof(err)), -1);
		assert_string_equal(err, c->err);
		/* A failed parse leaves the caller's list alone. */
		assert_int_equal(l.n, 1);
		assert_int_equal(l.id[0], 7);
	}
}

static void test_parse_small_err_buffer(void **state)
{
	struct field_list l;
	char err[16];

	(void)state;
	assert_int_equal(fields_parse(REC_RESULT, "nosuchfield", &l, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown field \"");
}

static void test_print_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	fields_print_help(f, REC_STATS);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "saddr           string  the probed host\n"));
	assert_non_null(strstr(buf, "\nsent            int     probes sent to the host\n"));
	assert_non_null(strstr(buf, "\nloss            float   lost probes in percent"));
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	fields_print_help(f, REC_RESULT);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "\nsuccess         bool    1 for an echo reply\n"));
	assert_non_null(strstr(buf, "\nclassification  string  echoreply, unreach, timxceed or other\n"));
	/* One line per field. */
	size_t lines = 0;
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, sizeof(result_order) / sizeof(result_order[0]));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_order),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_small_err_buffer),
		cmocka_unit_test(test_print_help),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
