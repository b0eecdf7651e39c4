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

#include "scanner/targets.h"

static es_u128 A(const char *s)
{
	struct es_addr a;

	if (!es_addr_parse_any(s, &a))
		fail_msg("bad test address %s", s);
	return es_addr_to_u128(&a);
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
		es_u128 lo = 1, hi = 0;
		int rc = targets_parse_spec6(c->in, &lo, &hi, err, sizeof(err));

		if (rc != c->rc)
			fail_msg("%s: rc %d, want %d (%s)", c->in, rc, c->rc, err);
		if (rc == 0) {
			if (lo != A(c->lo) || hi != A(c->hi))
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
	struct ipset v4;
	char err[256];
	uint32_t lo, hi;
	bool is_name;

	(void)state;
	ipset_init(&v4);
	assert_int_equal(targets_add(&v4, "2001:db8::1", false, err, sizeof(err)), -1);
	assert_string_equal(err, "2001:db8::1: IPv6 targets are not supported here; give IPv4 addresses");
	assert_int_equal(targets_add(&v4, "2001:db8::/129", false, err, sizeof(err)), -1);
	assert_string_equal(err, "2001:db8::/129: prefix length must be 0..128");
	assert_int_equal(targets_parse_spec("::/0", &lo, &hi, &is_name, err, sizeof(err)), -1);
	assert_string_equal(err, "::/0: IPv6 targets are not supported here; give IPv4 addresses");
	assert_int_equal(v4.n, 0);
	ipset_free(&v4);
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
	struct ipset v4;
	struct ip6set v6;
	const struct target_sets ts = { &v4, &v6, 0 };
	char err[256];
	FILE *f;

	(void)state;
	ipset_init(&v4);
	ip6set_init(&v6);
	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_non_null(f);
	assert_int_equal(targets_add_stream_to(&ts, f, "list", false, true, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(targets_add_to(&ts, "2001:db8:3::1", false, err, sizeof(err)), 0);
	assert_int_equal(targets_add_to(&ts, "198.18.9.9", false, err, sizeof(err)), 0);
	assert_int_equal(ipset_finalize(&v4), 0);
	assert_int_equal(ip6set_finalize(&v6), 0);
	assert_int_equal(ipset_count(&v4), 1 + 4 + 1);
	assert_int_equal(ip6set_count(&v6), 4 + 3 + 1);   /* ::5 lies in ::4/126 */
	assert_true(v6.r[0].lo == A("2001:db8:1::4") && v6.r[0].hi == A("2001:db8:1::7"));

	/* an error in a file names FILE:LINE and the bad part */
	static const char bad[] = "2001:db8::1\n2001:db8::/129\n";
	f = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	assert_int_equal(targets_add_stream_to(&ts, f, "hits.txt", false, true, err, sizeof(err)), -1);
	fclose(f);
	assert_string_equal(err, "hits.txt:2: 2001:db8::/129: prefix length must be 0..128");
	ipset_free(&v4);
	ip6set_free(&v6);
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
	struct ipset v4;
	struct ip6set v6;
	struct target_sets ts = { &v4, &v6, ES_AF4 };
	char err[256];
	size_t n6 = gai_count("localhost", AF_INET6);

	(void)state;
	ipset_init(&v4);
	ip6set_init(&v6);
	assert_int_equal(targets_add_to(&ts, "localhost", true, err, sizeof(err)), 0);
	assert_int_equal(ipset_finalize(&v4), 0);
	assert_true(ipset_contains(&v4, 0x7f000001u));
	assert_int_equal(v6.n, 0);                 /* -4: no AAAA */
	ts.family = ES_AF6;
	ipset_free(&v4);
	ipset_init(&v4);
	if (n6 == 0) {
		assert_int_equal(targets_add_to(&ts, "localhost", true, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "cannot resolve localhost to an IPv6 address"));
	} else {
		assert_int_equal(targets_add_to(&ts, "localhost", true, err, sizeof(err)), 0);
		assert_int_equal(ip6set_finalize(&v6), 0);
		assert_true(ip6set_count(&v6) >= 1);
	}
	assert_int_equal(v4.n, 0);                 /* -6: no A */
	ts.family = 0;
	assert_int_equal(targets_add_to(&ts, "localhost", true, err, sizeof(err)), 0);
	assert_int_equal(v4.n, 1);
	ipset_free(&v4);
	ip6set_free(&v6);
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
