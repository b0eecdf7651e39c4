/*
 * test_api.c — the public API without the network: argument errors give
 * the codes echoscan.h documents, handles freed twice (through the same
 * pointer) are safe, addresses and target text parse as documented, and
 * level 3 round-trips: a request from es_probe_build, answered as a host's
 * kernel would, matches with its probe number and RTT, while a corrupted,
 * foreign-key or unrelated packet does not. Sockets are the lab's
 * (tests/lab/test_api.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "echoscan.h"
#include "engine/csum.h"

/* ---- addresses and targets ------------------------------------------- */

struct addr_case {
	const char *text;
	int rc;
	const char *back;     /* es_addr_format of the result, when ES_OK */
};

static const struct addr_case addr_cases[] = {
	{ "198.18.0.1", ES_OK, "198.18.0.1" },
	{ "0.0.0.0", ES_OK, "0.0.0.0" },
	{ "255.255.255.255", ES_OK, "255.255.255.255" },
	{ "198.18.0", ES_EINVAL, NULL },
	{ "198.18.0.256", ES_EINVAL, NULL },
	{ "", ES_EINVAL, NULL },
	{ "host.example", ES_EINVAL, NULL },
	{ "2001:db8::1", ES_OK, "2001:db8::1" },
	/* RFC 5952 out: lower case, no leading zeros, the longest zero run as "::" */
	{ "2001:0DB8:0000:0000:0001:0000:0000:0001", ES_OK, "2001:db8::1:0:0:1" },
	{ "2001:db8:0:1:1:1:1:1", ES_OK, "2001:db8:0:1:1:1:1:1" },
	{ "::", ES_OK, "::" },
	{ "::1", ES_OK, "::1" },
	{ "::ffff:198.18.0.1", ES_OK, "::ffff:198.18.0.1" },
	{ "2001:db8::zz", ES_EINVAL, NULL },
	{ "2001:db8::1%eth0", ES_EINVAL, NULL },   /* no zone index */
	{ "2001:db8::/64", ES_EINVAL, NULL },
};

static void test_addr(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct es_addr a;
		char buf[ES_ADDRSTRLEN];
		int rc = es_addr_parse(&a, c->text);

		if (rc != c->rc)
			fail_msg("es_addr_parse(\"%s\") = %s, want %s", c->text,
				 es_err_name(rc), es_err_name(c->rc));
		if (c->back)
			assert_string_equal(es_addr_format(&a, buf, sizeof(buf)), c->back);
	}
	assert_int_equal(es_addr_parse(NULL, "198.18.0.1"), ES_EINVAL);
	struct es_addr none = { 0 };
	char buf[ES_ADDRSTRLEN];
	assert_string_equal(es_addr_format(&none, buf, sizeof(buf)), "?");
}

struct target_case {
	const char *spec;
	int rc;
};

static const struct target_case target_cases[] = {
	{ "198.18.0.1", ES_OK },
	{ "198.18.0.0/24", ES_OK },
	{ "198.18.0.77/24", ES_OK },          /* host bits are masked */
	{ "198.18.0.0/0", ES_OK },
	{ "198.18.0.1-198.18.0.9", ES_OK },
	{ "198.18.0.9-198.18.0.1", ES_EINVAL }, /* ends before it starts */
	{ "198.18.0.0/33", ES_EINVAL },
	{ "198.18.0.0/", ES_EINVAL },
	{ "198.18.0.0/2x", ES_EINVAL },
	{ "198.18.0.0-", ES_EINVAL },
	{ "host.example", ES_EINVAL },        /* no names in a scan */
	{ "2001:db8::/64", ES_OK },           /* refused by es_scan_open: > 2^32 */
	{ "2001:db8::1", ES_OK },
	{ "2001:DB8::77/120", ES_OK },
	{ "2001:db8::1-2001:db8::9", ES_OK },
	{ "2001:db8::9-2001:db8::1", ES_EINVAL },
	{ "2001:db8::/129", ES_EINVAL },
	{ "2001:db8::/1000111111", ES_EINVAL },
	{ "2001:db8::zz", ES_EINVAL },
	{ "2001:db8::1-198.18.0.1", ES_EINVAL },
	{ "", ES_EINVAL },
};

static void test_targets(void **state)
{
	es_scan_config *c = NULL;

	(void)state;
	assert_int_equal(es_scan_config_new(&c), ES_OK);
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(target_cases) / sizeof(target_cases[0]); i++) {
		int rc = es_scan_config_add_target(c, target_cases[i].spec);

		if (rc != target_cases[i].rc)
			fail_msg("add_target(\"%s\") = %s, want %s", target_cases[i].spec,
				 es_err_name(rc), es_err_name(target_cases[i].rc));
	}
	assert_int_equal(es_scan_config_add_target(c, NULL), ES_EINVAL);
	assert_int_equal(es_scan_config_add_target(NULL, "198.18.0.1"), ES_EINVAL);
	{
		/* more than 2^32 IPv6 targets: refused before any socket opens */
		es_scan *s = NULL;
		char err[256];

		assert_int_equal(es_scan_open(&s, c, err, sizeof(err)), ES_EINVAL);
		assert_null(s);
		assert_non_null(strstr(err, "at most 2^32"));
	}
	es_scan_config_free(&c);
	assert_null(c);
	{
		/* IPv6 targets and datagram sockets: not yet */
		es_scan *s = NULL;
		char err[256];

		assert_int_equal(es_scan_config_new(&c), ES_OK);
		assert_int_equal(es_scan_config_add_target(c, "2001:db8::1"), ES_OK);
		assert_int_equal(es_scan_config_set_mode(c, ES_MODE_DGRAM), ES_OK);
		assert_int_equal(es_scan_open(&s, c, err, sizeof(err)), ES_EUNSUPPORTED);
		assert_null(s);
		es_scan_config_free(&c);
	}
}

/* ---- configuration setters -------------------------------------------- */

static void test_setters(void **state)
{
	es_scan_config *c = NULL;

	(void)state;
	assert_int_equal(es_scan_config_new(NULL), ES_EINVAL);
	assert_int_equal(es_scan_config_new(&c), ES_OK);
	struct { const char *what; int rc, want; } t[] = {
		{ "probes 0", es_scan_config_set_probes(c, 0), ES_EINVAL },
		{ "probes 1", es_scan_config_set_probes(c, 1), ES_OK },
		{ "probes 65535", es_scan_config_set_probes(c, 65535), ES_OK },
		{ "probes 65536", es_scan_config_set_probes(c, 65536), ES_EINVAL },
		{ "ttl 0", es_scan_config_set_ttl(c, 0), ES_EINVAL },
		{ "ttl 255", es_scan_config_set_ttl(c, 255), ES_OK },
		{ "ttl 256", es_scan_config_set_ttl(c, 256), ES_EINVAL },
		{ "size 17", es_scan_config_set_size(c, 17), ES_EINVAL },
		{ "size 18", es_scan_config_set_size(c, 18), ES_OK },
		{ "size 1472", es_scan_config_set_size(c, 1472), ES_OK },
		{ "size 1473", es_scan_config_set_size(c, 1473), ES_EINVAL },
		{ "cooldown 1 day", es_scan_config_set_cooldown(c, 86400000000000ull), ES_OK },
		{ "cooldown > 1 day", es_scan_config_set_cooldown(c, 86400000000001ull), ES_EINVAL },
		{ "mode 3", es_scan_config_set_mode(c, (enum es_mode)3), ES_EINVAL },
		{ "mode dgram", es_scan_config_set_mode(c, ES_MODE_DGRAM), ES_OK },
		{ "source bad", es_scan_config_set_source(c, "198.18.0"), ES_EINVAL },
		{ "source v6", es_scan_config_set_source(c, "2001:db8::1"), ES_EUNSUPPORTED },
		{ "source ok", es_scan_config_set_source(c, "198.18.0.1"), ES_OK },
		{ "source NULL", es_scan_config_set_source(c, NULL), ES_OK },
		{ "interface empty", es_scan_config_set_interface(c, ""), ES_EINVAL },
		{ "interface long", es_scan_config_set_interface(c, "abcdefghijklmnop"), ES_EINVAL },
		{ "interface ok", es_scan_config_set_interface(c, "eth9"), ES_OK },
		{ "rate NULL", es_scan_config_set_rate(NULL, 5), ES_EINVAL },
		{ "seed NULL", es_scan_config_set_seed(NULL, 5), ES_EINVAL },
		{ "report NULL", es_scan_config_set_report_all(NULL, 1), ES_EINVAL },
		{ "interval NULL", es_scan_config_set_interval(NULL, 5), ES_EINVAL },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].rc != t[i].want)
			fail_msg("%s: %s, want %s", t[i].what, es_err_name(t[i].rc),
				 es_err_name(t[i].want));
	es_scan_config_free(&c);
}

/* Opening fails before any socket when the configuration is unusable. */
static void test_open_errors(void **state)
{
	es_scan_config *c = NULL;
	es_scan *s = (es_scan *)&s;    /* must come back NULL */
	char err[256] = "";

	(void)state;
	assert_int_equal(es_scan_open(NULL, NULL, err, sizeof(err)), ES_EINVAL);
	assert_int_equal(es_scan_open(&s, NULL, err, sizeof(err)), ES_EINVAL);
	assert_null(s);
	assert_int_equal(es_scan_config_new(&c), ES_OK);
	assert_int_equal(es_scan_open(&s, c, err, sizeof(err)), ES_EINVAL);   /* no targets */
	assert_null(s);
	if (!strstr(err, "no targets"))
		fail_msg("err \"%s\" does not say there are no targets", err);
	/* calls on no handle */
	assert_int_equal(es_scan_start(NULL, NULL, NULL, NULL), ES_EINVAL);
	assert_int_equal(es_scan_process(NULL), ES_EINVAL);
	assert_int_equal(es_scan_next_results(NULL, NULL, 0), ES_EINVAL);
	assert_int_equal(es_scan_wait(NULL, 0), ES_EINVAL);
	assert_int_equal(es_scan_get_stats(NULL, NULL), ES_EINVAL);
	assert_int_equal(es_scan_fd(NULL), ES_EINVAL);
	assert_int_equal(es_scan_timeout_ms(NULL), -1);
	assert_int_equal(es_scan_state(NULL), ES_SCAN_DONE);
	es_scan_stop(NULL);
	/* freeing twice through the same pointer, and NULL pointers */
	es_scan_close(&s);
	es_scan_close(&s);
	es_scan_close(NULL);
	es_scan_config_free(&c);
	assert_null(c);
	es_scan_config_free(&c);
	es_scan_config_free(NULL);
}

static void test_ping_errors(void **state)
{
	struct es_ping_options o;
	struct es_ping_stats st;
	const char *one[] = { "198.18.0.1" };
	const char *bad[] = { "198.18.0.1", "nonsense" };
	char err[256];

	(void)state;
	es_ping_options_init(&o);
	assert_int_equal(o.version, ES_PING_OPTIONS_V1);
	assert_int_equal(o.count, 4);
	struct es_ping_options cases[10];
	for (int i = 0; i < 10; i++)
		es_ping_options_init(&cases[i]);
	cases[0].version = 0;
	cases[1].count = 0;
	cases[2].count = 65536;
	cases[3].timeout_ns = 0;
	cases[4].size = 17;
	cases[5].ttl = 256;
	cases[6].interval_ns = 999999;      /* es_ping: under 1 ms */
	cases[7].mode = (enum es_mode)7;
	cases[8].interface = "";
	cases[9].interface = "sixteen-chars-if";  /* IFNAMSIZ is 16 with the NUL */
	for (int i = 0; i < 10; i++) {
		int rc = es_ping("198.18.0.1", &cases[i], NULL, NULL, &st, err, sizeof(err));

		if (rc != ES_EINVAL)
			fail_msg("es_ping options case %d: %s (%s), want ES_EINVAL", i,
				 es_err_name(rc), err);
		assert_int_equal(st.transmitted, 0);
		/* the same options for es_multiping, except the interval */
		if (i == 6)
			continue;
		rc = es_multiping(one, 1, &cases[i], NULL, NULL, NULL, NULL, err, sizeof(err));
		if (rc != ES_EINVAL)
			fail_msg("es_multiping options case %d: %s, want ES_EINVAL", i, es_err_name(rc));
	}
	assert_int_equal(es_ping(NULL, NULL, NULL, NULL, &st, err, sizeof(err)), ES_EINVAL);
	/* a source that is no address of the host's family: refused before any
	 * socket opens; so is an IPv6 host's interval under 1 ms */
	{
		static const struct { const char *host, *source; uint64_t interval_ns; } fam[] = {
			{ "198.18.0.1", "2001:db8::2", 0 },
			{ "198.18.0.1", "not-an-address", 0 },
			{ "2001:db8::1", "198.18.0.1", 0 },
			{ "2001:db8::1", "2001:db8::2", 1000 },
		};

		for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
			struct es_ping_options of;
			int rc;

			es_ping_options_init(&of);
			of.source = fam[i].source;
			if (fam[i].interval_ns)
				of.interval_ns = fam[i].interval_ns;
			rc = es_ping(fam[i].host, &of, NULL, NULL, &st, err, sizeof(err));
			if (rc != ES_EINVAL)
				fail_msg("es_ping %s from %s: %s (%s), want ES_EINVAL", fam[i].host,
					 fam[i].source, es_err_name(rc), err);
			assert_int_equal(st.transmitted, 0);
			if (!fam[i].interval_ns)
				assert_int_equal(st.address.family, strchr(fam[i].host, ':') ? 6 : 4);
		}
	}
	assert_int_equal(es_multiping(NULL, 1, NULL, NULL, NULL, NULL, NULL, err, sizeof(err)),
			 ES_EINVAL);
	assert_int_equal(es_multiping(one, 0, NULL, NULL, NULL, NULL, NULL, err, sizeof(err)),
			 ES_EINVAL);
	{
		/* IPv6 targets: checked like IPv4 ones, before any socket opens */
		const char *v6[] = { "198.18.0.1", "2001:db8::/129" };
		const char *v6big[] = { "2001:db8::/64" };

		assert_int_equal(es_multiping(v6, 2, NULL, NULL, NULL, NULL, NULL, err,
					      sizeof(err)), ES_EINVAL);
		assert_non_null(strstr(err, "2001:db8::/129"));
		assert_int_equal(es_multiping(v6big, 1, NULL, NULL, NULL, NULL, NULL, err,
					      sizeof(err)), ES_EINVAL);
	}
	assert_int_equal(es_multiping(bad, 2, NULL, NULL, NULL, NULL, NULL, err, sizeof(err)),
			 ES_EINVAL);
	if (!strstr(err, "nonsense"))
		fail_msg("err \"%s\" does not name the bad target", err);
	/* no err buffer: the code alone */
	assert_int_equal(es_multiping(bad, 2, NULL, NULL, NULL, NULL, NULL, NULL, 0), ES_EINVAL);
}

/* ---- level 3 ---------------------------------------------------------- */

static void key_opts(struct es_key_options *o, enum es_wire wire, const uint8_t *secret)
{
	es_key_options_init(o);
	o->wire = wire;
	o->secret = secret;
	o->source = wire == ES_WIRE_IPV4 ? "198.18.0.1" : NULL;
}

static void test_key_errors(void **state)
{
	struct es_key_options o;
	es_key *k = (es_key *)&k;
	char err[256];

	(void)state;
	assert_int_equal(es_key_new(NULL, NULL, err, sizeof(err)), ES_EINVAL);
	key_opts(&o, ES_WIRE_IPV4, NULL);
	o.source = NULL;                      /* the IPv4 wire needs our address */
	assert_int_equal(es_key_new(&k, &o, err, sizeof(err)), ES_EINVAL);
	assert_null(k);
	struct { const char *what; int field; long v; } t[] = {
		{ "version", 0, 2 }, { "wire", 1, 7 }, { "size", 2, 17 }, { "size", 2, 1473 },
		{ "ttl", 3, 0 }, { "ttl", 3, 256 }, { "probes", 4, 0 }, { "probes", 4, 65536 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		key_opts(&o, ES_WIRE_IPV4, NULL);
		switch (t[i].field) {
		case 0: o.version = (unsigned)t[i].v; break;
		case 1: o.wire = (enum es_wire)t[i].v; break;
		case 2: o.size = (size_t)t[i].v; break;
		case 3: o.ttl = (int)t[i].v; break;
		default: o.probes = (unsigned)t[i].v; break;
		}
		int rc = es_key_new(&k, &o, err, sizeof(err));
		if (rc != ES_EINVAL)
			fail_msg("es_key_new %s %ld: %s, want ES_EINVAL", t[i].what, t[i].v,
				 es_err_name(rc));
		assert_null(k);
	}
	key_opts(&o, ES_WIRE_IPV4, NULL);
	o.source = "2001:db8::1";
	assert_int_equal(es_key_new(&k, &o, err, sizeof(err)), ES_EUNSUPPORTED);
	es_key_free(&k);
	es_key_free(NULL);
}

/* What a host's kernel sends back for an echo request (IPv4 wire): source
 * and destination swapped, type 0, checksums fixed. */
static size_t answer(const uint8_t *req, size_t len, uint8_t *rep)
{
	memcpy(rep, req, len);
	memcpy(rep + 12, req + 16, 4);
	memcpy(rep + 16, req + 12, 4);
	rep[8] = 63;                         /* TTL */
	rep[10] = rep[11] = 0;
	uint16_t s = csum_buf(rep, 20);
	memcpy(rep + 10, &s, 2);
	rep[20] = 0;                         /* echo reply */
	rep[22] = rep[23] = 0;
	s = csum_buf(rep + 20, len - 20);
	memcpy(rep + 22, &s, 2);
	return len;
}

static void test_probe_roundtrip_ipv4(void **state)
{
	static const uint8_t secret[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t other[16] = { 9 };
	struct es_key_options o;
	es_key *k = NULL, *k2 = NULL;
	struct es_addr dst;
	struct es_reply r;
	uint8_t req[ES_PROBE_MAX], rep[ES_PROBE_MAX];
	size_t len = 0;
	char err[256], buf[ES_ADDRSTRLEN];
	uint64_t t0 = 1700000000000000000ull;

	(void)state;
	key_opts(&o, ES_WIRE_IPV4, secret);
	o.probes = 10;
	assert_int_equal(es_key_new(&k, &o, err, sizeof(err)), ES_OK);
	key_opts(&o, ES_WIRE_IPV4, other);
	assert_int_equal(es_key_new(&k2, &o, err, sizeof(err)), ES_OK);
	assert_int_equal(es_addr_parse(&dst, "198.18.7.9"), ES_OK);

	/* argument errors */
	assert_int_equal(es_probe_build(k, &dst, 10, t0, req, sizeof(req), &len), ES_EINVAL);
	assert_int_equal(es_probe_build(k, &dst, 3, t0, req, 40, &len), ES_EINVAL);
	assert_int_equal(es_probe_build(NULL, &dst, 3, t0, req, sizeof(req), &len), ES_EINVAL);
	assert_int_equal(es_reply_match(k, NULL, 0, NULL, 0, &r), ES_EINVAL);

	assert_int_equal(es_probe_build(k, &dst, 3, t0, req, sizeof(req), &len), ES_OK);
	assert_int_equal(len, 20 + 8 + 56);
	assert_int_equal(req[0], 0x45);
	assert_int_equal(req[9], 1);                     /* ICMP */
	assert_int_equal(req[20], 8);                    /* echo request */
	assert_int_equal(req[4] << 8 | req[5], 3);       /* IP ID = probe */
	assert_int_equal(csum_buf(req, 20), 0);
	assert_int_equal(csum_buf(req + 20, len - 20), 0);

	answer(req, len, rep);
	assert_int_equal(es_reply_match(k, rep, len, NULL, t0 + 250000, &r), ES_MATCH_VALID);
	assert_string_equal(es_addr_format(&r.target, buf, sizeof(buf)), "198.18.7.9");
	assert_string_equal(es_addr_format(&r.responder, buf, sizeof(buf)), "198.18.7.9");
	assert_string_equal(es_addr_format(&r.local, buf, sizeof(buf)), "198.18.0.1");
	assert_int_equal(r.probe, 3);
	assert_int_equal(r.rtt_ns, 250000);
	assert_int_equal(r.classification, ES_CLASS_ECHOREPLY);
	assert_int_equal(r.success, 1);
	assert_int_equal(r.ttl, 63);

	/* another key's reply, our own request, a flipped payload byte with the
	 * checksum fixed (the MAC fails), something that is not ICMP */
	assert_int_equal(es_reply_match(k2, rep, len, NULL, t0, &r), ES_MATCH_INVALID);
	assert_int_equal(es_reply_match(k, req, len, NULL, t0, &r), ES_MATCH_IGNORE);
	rep[20 + 8 + 5] ^= 0x10;
	rep[22] = rep[23] = 0;
	uint16_t s = csum_buf(rep + 20, len - 20);
	memcpy(rep + 22, &s, 2);
	assert_int_equal(es_reply_match(k, rep, len, NULL, t0, &r), ES_MATCH_INVALID);
	rep[9] = 17;
	assert_int_equal(es_reply_match(k, rep, len, NULL, t0, &r), ES_MATCH_IGNORE);
	assert_int_equal(es_reply_match(k, rep, 10, NULL, t0, &r), ES_MATCH_INVALID);
	es_key_free(&k);
	assert_null(k);
	es_key_free(&k);
	es_key_free(&k2);
}

/* ICMP datagram sockets: the kernel picks the identifier (here: any) and
 * the reply comes without an IP header, its sender from recvfrom. */
static void test_probe_roundtrip_icmp(void **state)
{
	struct es_key_options o;
	es_key *k = NULL;
	struct es_addr dst, from;
	struct es_reply r;
	uint8_t req[ES_PROBE_MAX];
	size_t len = 0;
	char err[256];
	uint64_t t0 = 1700000000000000000ull;

	(void)state;
	key_opts(&o, ES_WIRE_ICMP, NULL);        /* a random secret */
	o.size = 18;
	assert_int_equal(es_key_new(&k, &o, err, sizeof(err)), ES_OK);
	assert_int_equal(es_addr_parse(&dst, "198.18.7.9"), ES_OK);
	assert_int_equal(es_probe_build(k, &dst, 0, t0, req, sizeof(req), &len), ES_OK);
	assert_int_equal(len, 8 + 18);
	assert_int_equal(req[0], 8);
	/* the kernel's identifier, the reply's type */
	req[4] = 0x12;
	req[5] = 0x34;
	req[0] = 0;
	from = dst;
	assert_int_equal(es_reply_match(k, req, len, &from, t0 + 1000, &r), ES_MATCH_VALID);
	assert_int_equal(r.probe, 0);
	assert_int_equal(r.rtt_ns, 1000);
	assert_int_equal(es_reply_match(k, req, len, NULL, t0, &r), ES_EINVAL);
	/* from another host: the MAC over the destination fails */
	assert_int_equal(es_addr_parse(&from, "198.18.7.10"), ES_OK);
	assert_int_equal(es_reply_match(k, req, len, &from, t0, &r), ES_MATCH_INVALID);
	es_key_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_ping_errors),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_probe_roundtrip_ipv4),
		cmocka_unit_test(test_probe_roundtrip_icmp),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
