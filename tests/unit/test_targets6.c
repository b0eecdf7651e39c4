/*
 * test_targets6.c — IPv6 targets: every accepted form with its exact range
 * (prefixes masked, ranges), malformed ones with their messages (the issue's
 * 2001:db8::/129 and 2001:db8::zz among them), targets of both families in
 * one call sequence and one file, the refusal where only IPv4 is taken,
 * and what host names resolve to with -4 / -6 (no packets: "localhost" is
 * answered by /etc/hosts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/addr.h"
#include "scanner/targets.h"

static es_u128 A(const char *s)
{
	struct es_addr a;

	if (!es_addr_parse_any(s, &a))
		fail_msg("bad test address %s", s);
	return es_addr_to_u128(&a);
}

/* The sealed set's first IPv6 range (IPv4 ranges come first). */
static void first6(const es_targets *t, es_u128 *lo, es_u128 *hi)
{
	struct es_addr a, b;

	for (size_t i = 0; es_targets_range(t, i, &a, &b) == ES_OK; i++) {
		if (a.family == ES_AF6) {
			*lo = es_addr_to_u128(&a);
			*hi = es_addr_to_u128(&b);
			return;
		}
	}
	fail_msg("no IPv6 range");
}

struct spec6_case {
	const char *in;
	int rc;
	const char *lo, *hi;      /* rc == 0 */
	const char *msg;          /* exact message when rc == -1 */
};

static const struct spec6_case specs[] = {
	{ "2001:db8::1", 0, "2001:db8::1", "2001:db8::1", NULL },
	{ "::", 0, "::", "::", NULL },
	{ "::/0", 0, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "2001:db8:1::/112", 0, "2001:db8:1::", "2001:db8:1::ffff", NULL },
	{ "2001:db8:1::77/112", 0, "2001:db8:1::", "2001:db8:1::ffff", NULL },
	{ "2001:db8::/32", 0, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "2001:db8::5/128", 0, "2001:db8::5", "2001:db8::5", NULL },
	{ "2001:db8::5/127", 0, "2001:db8::4", "2001:db8::5", NULL },
	{ "2001:db8::ffff/1", 0, "::", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "2001:db8::1-2001:db8::ff", 0, "2001:db8::1", "2001:db8::ff", NULL },
	{ "2001:db8::1-2001:db8::1", 0, "2001:db8::1", "2001:db8::1", NULL },
	{ "::ffff:198.18.0.1", 0, "::ffff:198.18.0.1", "::ffff:198.18.0.1", NULL },

	{ "2001:db8::/129", -1, NULL, NULL, "2001:db8::/129: prefix length must be 0..128" },
	{ "2001:db8::zz", -1, NULL, NULL, "2001:db8::zz: \"2001:db8::zz\" is not an IPv6 address" },
	{ "2001:db8::/", -1, NULL, NULL, "2001:db8::/: prefix length must be 0..128" },
	{ "2001:db8::/064", -1, NULL, NULL, "2001:db8::/064: prefix length must be 0..128" },
	{ "2001:db8::/1000", -1, NULL, NULL, "2001:db8::/1000: prefix length must be 0..128" },
	{ "2001:db8::/-1", -1, NULL, NULL, "2001:db8::/-1: prefix length must be 0..128" },
	{ "2001:db8::/6x", -1, NULL, NULL, "2001:db8::/6x: prefix length must be 0..128" },
	{ "2001:db8::/64/8", -1, NULL, NULL, "2001:db8::/64/8: prefix length must be 0..128" },
	{ "2001:db8::9-2001:db8::1", -1, NULL, NULL,
	  "2001:db8::9-2001:db8::1: range start is after its end" },
	{ "2001:db8::1-198.18.0.1", -1, NULL, NULL,
	  "2001:db8::1-198.18.0.1: \"198.18.0.1\" is not an IPv6 address" },
	{ "2001:db8::1-", -1, NULL, NULL, "2001:db8::1-: \"\" is not an IPv6 address" },
	{ "fe80::1%eth0", -1, NULL, NULL, "fe80::1%eth0: \"fe80::1%eth0\" is not an IPv6 address" },
	{ "2001:db8:::1", -1, NULL, NULL, "2001:db8:::1: \"2001:db8:::1\" is not an IPv6 address" },
	{ "1.2.3.4:80", -1, NULL, NULL, "1.2.3.4:80: \"1.2.3.4:80\" is not an IPv6 address" },
};

static void test_parse_spec6(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct spec6_case *c = &specs[i];
		char err[256] = "";
		struct es_addr lo = { 0 }, hi = { 0 };
		int rc = targets_parse_spec6(c->in, &lo, &hi, err, sizeof(err));

		if (rc != c->rc)
			fail_msg("%s: rc %d, want %d (%s)", c->in, rc, c->rc, err);
		if (rc == 0) {
			if (lo.family != ES_AF6 || hi.family != ES_AF6 ||
			    es_addr_to_u128(&lo) != A(c->lo) || es_addr_to_u128(&hi) != A(c->hi))
				fail_msg("%s: wrong range", c->in);
		} else if (strcmp(err, c->msg) != 0) {
			fail_msg("%s: message \"%s\", want \"%s\"", c->in, err, c->msg);
		}
	}
}

/* Where only IPv4 is taken (the IPv4 parser, sets without v6), a valid
 * IPv6 target is refused by name, a malformed one as malformed. */
static void test_ipv4_only(void **state)
{
	es_targets *v4 = NULL;
	char err[256];
	uint32_t lo, hi;
	bool is_name;

	(void)state;
	assert_int_equal(es_targets_new(&v4), ES_OK);
	assert_int_equal(targets_add(v4, "2001:db8::1", false, err, sizeof(err)), -1);
	assert_string_equal(err, "2001:db8::1: IPv6 targets are not supported here; give IPv4 addresses");
	assert_int_equal(targets_add(v4, "2001:db8::/129", false, err, sizeof(err)), -1);
	assert_string_equal(err, "2001:db8::/129: prefix length must be 0..128");
	assert_int_equal(targets_parse_spec("::/0", &lo, &hi, &is_name, err, sizeof(err)), -1);
	assert_string_equal(err, "::/0: IPv6 targets are not supported here; give IPv4 addresses");
	assert_int_equal(es_targets_seal(v4), ES_OK);
	assert_int_equal(es_targets_nranges(v4), 0);
	es_targets_free(&v4);
}

static void test_mixed(void **state)
{
	static const char text[] =
		"# mixed hitlist\n"
		"198.18.0.1\n"
		"2001:db8:1::5   # one\r\n"
		"\n"
		"2001:db8:1::4/126\n"
		"198.18.1.0/30\n"
		"  2001:db8:2::1-2001:db8:2::3\n";
	struct target_sets ts = { .v6 = true };
	es_u128 lo = 0, hi = 0;
	char err[256];
	FILE *f;

	(void)state;
	assert_int_equal(es_targets_new(&ts.set), ES_OK);
	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_non_null(f);
	assert_int_equal(targets_add_stream_to(&ts, f, "list", false, true, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(targets_add_to(&ts, "2001:db8:3::1", false, err, sizeof(err)), 0);
	assert_int_equal(targets_add_to(&ts, "198.18.9.9", false, err, sizeof(err)), 0);
	assert_int_equal(ts.added, 5 + 2);
	assert_int_equal(es_targets_seal(ts.set), ES_OK);
	assert_int_equal(es_targets_count4(ts.set), 1 + 4 + 1);
	assert_int_equal(es_targets_count6(ts.set), 4 + 3 + 1);   /* ::5 lies in ::4/126 */
	first6(ts.set, &lo, &hi);
	assert_true(lo == A("2001:db8:1::4") && hi == A("2001:db8:1::7"));

	/* an error in a file names FILE:LINE and the bad part */
	static const char bad[] = "2001:db8::1\n2001:db8::/129\n";
	f = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	assert_int_equal(targets_add_stream_to(&ts, f, "hits.txt", false, true, err, sizeof(err)), -1);
	fclose(f);
	assert_string_equal(err, "hits.txt:2: 2001:db8::/129: prefix length must be 0..128");
	es_targets_free(&ts.set);
}

/* What getaddrinfo itself gives for name in family af (0 if nothing). */
static size_t gai_count(const char *name, int af)
{
	struct addrinfo hints = { .ai_family = af, .ai_socktype = SOCK_DGRAM }, *res;
	size_t n = 0;

	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		n++;
	freeaddrinfo(res);
	return n;
}

static void test_names(void **state)
{
	struct target_sets ts = { .v6 = true, .family = TARGETS_AF4 };
	struct es_addr a;
	bool found;
	char err[256];
	size_t n6 = gai_count("localhost", AF_INET6);

	(void)state;
	assert_int_equal(es_targets_new(&ts.set), ES_OK);
	assert_int_equal(targets_add_to(&ts, "localhost", true, err, sizeof(err)), 0);
	assert_int_equal(es_targets_seal(ts.set), ES_OK);
	found = false;
	for (uint64_t i = 0; i < es_targets_count4(ts.set); i++) {
		assert_int_equal(es_targets_at(ts.set, i, &a), ES_OK);
		found |= a.family == ES_AF4 && memcmp(a.bytes, "\x7f\0\0\x01", 4) == 0;
	}
	assert_true(found);                        /* 127.0.0.1 */
	assert_int_equal(es_targets_count6(ts.set), 0);   /* -4: no AAAA */
	ts.family = TARGETS_AF6;
	es_targets_free(&ts.set);
	assert_int_equal(es_targets_new(&ts.set), ES_OK);
	if (n6 == 0) {
		assert_int_equal(targets_add_to(&ts, "localhost", true, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "cannot resolve localhost to an IPv6 address"));
	} else {
		assert_int_equal(targets_add_to(&ts, "localhost", true, err, sizeof(err)), 0);
		assert_int_equal(es_targets_seal(ts.set), ES_OK);
		assert_true(es_targets_count6(ts.set) >= 1);
	}
	assert_int_equal(es_targets_seal(ts.set), ES_OK);
	assert_int_equal(es_targets_count4(ts.set), 0);   /* -6: no A */
	ts.family = 0;
	assert_int_equal(targets_add_to(&ts, "localhost", true, err, sizeof(err)), 0);
	assert_int_equal(es_targets_seal(ts.set), ES_OK);
	assert_int_equal(es_targets_count4(ts.set), 1);
	es_targets_free(&ts.set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_spec6),
		cmocka_unit_test(test_ipv4_only),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_names),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
