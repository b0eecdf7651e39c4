/*
 * test_parse.c — the frame decoder on real probes (stamped from a libnet
 * template) turned by hand into replies and ICMP errors: every link type,
 * IP options outside and inside the quote, padding, bad checksums, non-ICMP
 * traffic, malformed headers, and every truncation of every frame (each
 * parsed from an exact-size heap copy so the sanitizer catches overreads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/csum.h"
#include "engine/parse.h"
#include "engine/probe.h"

#define OUR_ADDR    0xc0a80001u   /* 192.168.0.1 */
#define TARGET      0xc6120304u   /* 198.18.3.4 */
#define ROUTER      0x0a000001u   /* 10.0.0.1 */
#define PAYLOAD     56

static const struct vkey key = { { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6 } };

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* A stamped probe (Ethernet frame) for TARGET. */
static size_t make_probe(uint8_t *fr, uint16_t payload_len, uint16_t probe)
{
	struct probe_params p = {
		.src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
		.saddr = OUR_ADDR, .ttl = 64, .payload_len = payload_len,
	};
	struct probe_template t;
	struct probe_fields f = { .daddr = TARGET, .probe = probe,
				  .ts_ns = 1700000000000000000ULL };
	char err[256];

	assert_int_equal(probe_template_build(&t, &p, &key, err, sizeof(err)), 0);
	probe_stamp(&t, &f, fr);
	return t.len;
}

/* Writes an IPv4 header with opt_len bytes of NOP options, then body. */
static size_t build_ip(uint8_t *out, uint32_t src, uint32_t dst, uint8_t proto,
		       uint16_t ipid, size_t opt_len, const uint8_t *body, size_t body_len)
{
	size_t hlen = 20 + opt_len;

	memset(out, 0, hlen);
	out[0] = (uint8_t)(0x40 | hlen / 4);
	put16(out + 2, (uint16_t)(hlen + body_len));
	put16(out + 4, ipid);
	out[8] = 57;
	out[9] = proto;
	put32(out + 12, src);
	put32(out + 16, dst);
	memset(out + 20, 1, opt_len);
	memmove(out + hlen, body, body_len);
	put16(out + 10, csum_fold(csum_add(0, out, hlen)));
	return hlen + body_len;
}

/* Writes an ICMP message (type, code, bytes 4..7 = rest) with its checksum. */
static size_t build_icmp(uint8_t *out, uint8_t type, uint8_t code, uint32_t rest,
			 const uint8_t *body, size_t body_len)
{
	memmove(out + 8, body, body_len);
	out[0] = type;
	out[1] = code;
	put16(out + 2, 0);
	put32(out + 4, rest);
	put16(out + 2, csum_fold(csum_add(0, out, 8 + body_len)));
	return 8 + body_len;
}

static size_t eth_wrap(uint8_t *fr, const uint8_t *ip, size_t ip_len)
{
	static const uint8_t hdr[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 };
	memmove(fr + 14, ip, ip_len);
	memcpy(fr, hdr, 14);
	return 14 + ip_len;
}

/* Probe -> echo reply from TARGET, with opt_len bytes of outer options. */
static size_t make_reply(uint8_t *fr, size_t probe_len, size_t opt_len)
{
	uint8_t icmp[PROBE_FRAME_MAX], ip[PROBE_FRAME_MAX + 40];
	size_t icmp_len = probe_len - 34;

	memcpy(icmp, fr + 34, icmp_len);
	icmp[0] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 2, csum_fold(csum_add(0, icmp, icmp_len)));
	size_t n = build_ip(ip, TARGET, OUR_ADDR, 1, 0x1234, opt_len, icmp, icmp_len);
	return eth_wrap(fr, ip, n);
}

/* Probe -> ICMP error from ROUTER quoting quote_len bytes of the probe's IP
 * packet (re-headered with q_opt bytes of options first). */
static size_t make_error(uint8_t *fr, size_t probe_len, uint8_t type, uint8_t code,
			 size_t q_opt, size_t quote_len, size_t opt_len)
{
	uint8_t q[PROBE_FRAME_MAX + 40], icmp[PROBE_FRAME_MAX + 80], ip[PROBE_FRAME_MAX + 160];
	const uint8_t *pip = fr + 14;
	size_t qn = build_ip(q, OUR_ADDR, TARGET, 1, get16(pip + 4), q_opt, pip + 20,
			     probe_len - 34);
	q[8] = 1;   /* routers quote the TTL as it arrived */
	put16(q + 10, 0);
	put16(q + 10, csum_fold(csum_add(0, q, 20 + q_opt)));
	if (quote_len > qn)
		quote_len = qn;
	size_t in = build_icmp(icmp, type, code, 0, q, quote_len);
	size_t n = build_ip(ip, ROUTER, OUR_ADDR, 1, 0x4321, opt_len, icmp, in);
	return eth_wrap(fr, ip, n);
}

static enum parse_status parse_copy(int lt, const uint8_t *fr, size_t len,
				    struct parsed_icmp *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, fr, len);
	enum parse_status st = parse_frame(lt, copy, len, out);
	/* Pointers into the copy become dangling: rebase them onto fr. */
	if (out->data)
		out->data = fr + (out->data - copy);
	if (out->q_data)
		out->q_data = fr + (out->q_data - copy);
	free(copy);
	return st;
}

static void test_echo_request_and_reply(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	struct parsed_icmp p;
	size_t n = make_probe(fr, PAYLOAD, 2);

	assert_int_equal(parse_copy(1, fr, n, &p), PARSE_OK);
	assert_int_equal(p.type, 8);
	assert_int_equal(p.src, OUR_ADDR);
	assert_int_equal(p.dst, TARGET);
	assert_int_equal(p.ipid, 2);
	assert_int_equal(p.data_len, PAYLOAD);
	assert_false(p.has_quote);

	static const size_t opts[] = { 0, 4, 20, 40 };
	for (size_t i = 0; i < 4; i++) {
		n = make_probe(fr, PAYLOAD, 2);
		uint32_t tag = (uint32_t)get16(fr + 38) << 16 | get16(fr + 40);
		n = make_reply(fr, n, opts[i]);
		assert_int_equal(parse_copy(1, fr, n, &p), PARSE_OK);
		assert_int_equal(p.type, 0);
		assert_int_equal(p.code, 0);
		assert_int_equal(p.src, TARGET);
		assert_int_equal(p.dst, OUR_ADDR);
		assert_int_equal(p.ip_len, 20 + opts[i] + 8 + PAYLOAD);
		assert_int_equal(p.ipid, 0x1234);
		assert_int_equal(p.ttl, 57);
		assert_int_equal((uint32_t)p.id << 16 | p.seq, tag);
		assert_int_equal(p.data_len, PAYLOAD);
		assert_ptr_equal(p.data, fr + 14 + 20 + opts[i] + 8);
		assert_int_equal(get16(p.data + 16), 2);
	}
}

struct err_case {
	const char *name;
	uint8_t type, code;
	size_t q_opt, quote_len, opt_len;
	enum parse_status st;
	size_t q_data_len;
};

static const struct err_case err_cases[] = {
	{ "unreach host, whole probe", 3, 1, 0, 9999, 0, PARSE_OK, PAYLOAD },
	{ "timxceed, ip+8", 11, 0, 0, 28, 0, PARSE_OK, 0 },
	{ "timxceed, ip+8+10", 11, 0, 0, 38, 0, PARSE_OK, 10 },
	{ "unreach, quoted options", 3, 3, 12, 9999, 0, PARSE_OK, PAYLOAD },
	{ "unreach, both options", 3, 10, 8, 9999, 16, PARSE_OK, PAYLOAD },
	{ "paramprob, options ip+8", 12, 0, 40, 68, 40, PARSE_OK, 0 },
	{ "source quench", 4, 0, 0, 28, 0, PARSE_OK, 0 },
	{ "redirect", 5, 1, 0, 9999, 0, PARSE_OK, PAYLOAD },
	{ "quote ip only", 11, 0, 0, 20, 0, PARSE_TRUNCATED, 0 },
	{ "quote ip+4", 3, 1, 0, 24, 0, PARSE_TRUNCATED, 0 },
	{ "quote short ip", 3, 1, 0, 12, 0, PARSE_TRUNCATED, 0 },
	{ "quote empty", 3, 1, 0, 0, 0, PARSE_TRUNCATED, 0 },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		uint8_t fr[PROBE_FRAME_MAX + 200];
		struct parsed_icmp p;
		size_t n = make_probe(fr, PAYLOAD, 1);
		uint32_t tag = (uint32_t)get16(fr + 38) << 16 | get16(fr + 40);

		n = make_error(fr, n, c->type, c->code, c->q_opt, c->quote_len, c->opt_len);
		enum parse_status st = parse_copy(1, fr, n, &p);
		if (st != c->st)
			fail_msg("%s: status %s want %s", c->name, parse_status_str(st),
				 parse_status_str(c->st));
		assert_int_equal(p.type, c->type);
		assert_int_equal(p.code, c->code);
		assert_int_equal(p.src, ROUTER);
		assert_int_equal(p.dst, OUR_ADDR);
		if (c->st != PARSE_OK) {
			assert_false(p.has_quote);
			continue;
		}
		assert_true(p.has_quote);
		assert_int_equal(p.q_src, OUR_ADDR);
		assert_int_equal(p.q_dst, TARGET);
		assert_int_equal(p.q_ipid, 1);
		assert_int_equal(p.q_type, 8);
		assert_int_equal((uint32_t)p.q_id << 16 | p.q_seq, tag);
		if (p.q_data_len != c->q_data_len)
			fail_msg("%s: q_data_len %zu want %zu", c->name, p.q_data_len,
				 c->q_data_len);
		if (c->q_data_len >= 18)
			assert_int_equal(get16(p.q_data + 16), 1);
	}
}

/* The same reply seen through each link type. */
static void test_link_types(void **state)
{
	(void)state;
	uint8_t eth[PROBE_FRAME_MAX + 200], fr[PROBE_FRAME_MAX + 200];
	size_t n = make_reply(eth, make_probe(eth, PAYLOAD, 0), 0);
	size_t ip_len = n - 14;
	struct parsed_icmp p;
	static const struct { const char *name; int lt; const char *hdr; size_t hlen; } rows[] = {
		{ "ethernet", 1, "\2\0\0\0\0\1\2\0\0\0\0\2\x08\x00", 14 },
		{ "802.1Q", 1, "\2\0\0\0\0\1\2\0\0\0\0\2\x81\x00\x00\x05\x08\x00", 18 },
		{ "QinQ", 1, "\2\0\0\0\0\1\2\0\0\0\0\2\x88\xa8\x00\x05\x81\x00\x00\x07\x08\x00", 22 },
		{ "raw 12", 12, "", 0 },
		{ "raw 14", 14, "", 0 },
		{ "raw 101", 101, "", 0 },
		{ "sll", 113, "\0\0\0\1\0\6\2\0\0\0\0\2\0\0\x08\x00", 16 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memcpy(fr, rows[i].hdr, rows[i].hlen);
		memcpy(fr + rows[i].hlen, eth + 14, ip_len);
		enum parse_status st = parse_copy(rows[i].lt, fr, rows[i].hlen + ip_len, &p);
		if (st != PARSE_OK)
			fail_msg("%s: %s", rows[i].name, parse_status_str(st));
		assert_int_equal(p.type, 0);
		assert_int_equal(p.src, TARGET);
		assert_int_equal(p.data_len, PAYLOAD);
		/* Cut inside the link header: truncated, never a crash. */
		if (rows[i].hlen)
			assert_int_equal(parse_copy(rows[i].lt, fr, rows[i].hlen - 1, &p),
					 PARSE_TRUNCATED);
	}
}

static void test_padding_and_short_capture(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	struct parsed_icmp p;
	size_t n = make_reply(fr, make_probe(fr, 18, 0), 0);

	/* Ethernet padding after the IP packet: not part of the message. */
	memset(fr + n, 0xa5, 10);
	assert_int_equal(parse_copy(1, fr, n + 10, &p), PARSE_OK);
	assert_int_equal(p.data_len, 18);
	/* Snap length cut inside the payload: decoded, checksum not verifiable. */
	n = make_reply(fr, make_probe(fr, 1000, 0), 0);
	assert_int_equal(parse_copy(1, fr, 14 + 20 + 8 + 100, &p), PARSE_OK);
	assert_int_equal(p.data_len, 100);
}

static void test_bad_checksum(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	struct parsed_icmp p;
	size_t n = make_reply(fr, make_probe(fr, PAYLOAD, 0), 0);

	fr[n - 1] ^= 0x40;
	assert_int_equal(parse_copy(1, fr, n, &p), PARSE_BAD_CSUM);
	assert_int_equal(p.type, 0);          /* fields still filled */
	assert_int_equal(p.src, TARGET);
	assert_int_equal(p.data_len, PAYLOAD);
	n = make_error(fr, make_probe(fr, PAYLOAD, 0), 3, 1, 0, 9999, 0);
	fr[n - 5] ^= 1;
	assert_int_equal(parse_copy(1, fr, n, &p), PARSE_BAD_CSUM);
	assert_true(p.has_quote);
	assert_int_equal(p.q_dst, TARGET);
}

/* Edits the outer IP header of an Ethernet frame, then fixes its checksum. */
static void ip_edit(uint8_t *fr, size_t off, uint8_t val)
{
	fr[14 + off] = val;
	put16(fr + 24, 0);
	put16(fr + 24, csum_fold(csum_add(0, fr + 14, (size_t)(fr[14] & 15) * 4)));
}

static void test_not_icmp_and_malformed(void **state)
{
	(void)state;
	struct row { const char *name; int lt; size_t off; uint8_t val; enum parse_status st; };
	static const struct row rows[] = {
		{ "udp", 1, 14 + 9, 17, PARSE_NOT_ICMP },
		{ "MF set", 1, 14 + 6, 0x20, PARSE_NOT_ICMP },
		{ "frag offset", 1, 14 + 7, 0x01, PARSE_NOT_ICMP },
		{ "DF set is fine", 1, 14 + 6, 0x40, PARSE_OK },
		{ "ipv6 ethertype", 1, 12, 0x86, PARSE_NOT_ICMP },
		{ "arp ethertype", 1, 13, 0x06, PARSE_NOT_ICMP },
		{ "version 5", 1, 14, 0x55, PARSE_MALFORMED },
		{ "ihl 4", 1, 14, 0x44, PARSE_MALFORMED },
		{ "ip_len < ihl", 1, 14 + 3, 16, PARSE_MALFORMED },
		{ "ip_len < ihl+8", 1, 14 + 3, 27, PARSE_MALFORMED },
		{ "ihl beyond ip_len", 1, 14, 0x4f, PARSE_MALFORMED },
		{ "unknown linktype", 0, 0, 0, PARSE_NOT_ICMP },
		{ "loopback linktype", 108, 0, 0, PARSE_NOT_ICMP },
		{ "sll ipv6", 113, 0, 0, PARSE_NOT_ICMP },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t fr[PROBE_FRAME_MAX + 200];
		struct parsed_icmp p;
		size_t n = make_reply(fr, make_probe(fr, 18, 0), 0);
		if (rows[i].off >= 14)
			ip_edit(fr, rows[i].off - 14, rows[i].val);
		else if (rows[i].lt == 1)
			fr[rows[i].off] = rows[i].val;
		if (rows[i].lt == 113) {   /* SLL header carrying IPv6 */
			memset(fr, 0, 16);
			fr[14] = 0x86;
			fr[15] = 0xdd;
		}
		enum parse_status st = parse_copy(rows[i].lt, fr, n, &p);
		if (st != rows[i].st)
			fail_msg("%s: %s want %s", rows[i].name, parse_status_str(st),
				 parse_status_str(rows[i].st));
	}
	uint8_t v6[40] = { 0x60 };
	struct parsed_icmp p;
	assert_int_equal(parse_copy(101, v6, sizeof(v6), &p), PARSE_NOT_ICMP);
	assert_int_equal(parse_copy(12, v6, 0, &p), PARSE_TRUNCATED);
	assert_int_equal(parse_ipv4(v6, sizeof(v6), &p), PARSE_MALFORMED);
}

static void test_quote_not_ours(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	struct parsed_icmp p;
	size_t n = make_probe(fr, PAYLOAD, 0);

	n = make_error(fr, n, 3, 3, 0, 9999, 0);
	fr[34 + 8 + 9] = 17;   /* the quoted packet becomes UDP */
	put16(fr + 36, 0);
	put16(fr + 36, csum_fold(csum_add(0, fr + 34, n - 34)));
	assert_int_equal(parse_copy(1, fr, n, &p), PARSE_NOT_ICMP);
	assert_false(p.has_quote);
	assert_int_equal(p.q_dst, TARGET);
}

/* RFC 4884: a 128-byte quote followed by an extension structure. */
static void test_rfc4884_length(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	struct parsed_icmp p;
	size_t n = make_probe(fr, 400, 0);
	size_t hdr = 14 + 20;

	n = make_error(fr, n, 11, 0, 0, 128 + 20, 0);   /* 20 bytes stand in for the extension */
	fr[hdr + 5] = 128 / 4;
	put16(fr + hdr + 2, 0);
	put16(fr + hdr + 2, csum_fold(csum_add(0, fr + hdr, n - hdr)));
	assert_int_equal(parse_copy(1, fr, n, &p), PARSE_OK);
	assert_int_equal(p.q_data_len, 128 - 28);
	fr[hdr + 5] = 3;   /* too small to be a length: ignored */
	put16(fr + hdr + 2, 0);
	put16(fr + hdr + 2, csum_fold(csum_add(0, fr + hdr, n - hdr)));
	assert_int_equal(parse_copy(1, fr, n, &p), PARSE_OK);
	assert_int_equal(p.q_data_len, 148 - 28);
}

/* Bytes after the quoted packet (padding, extensions without RFC 4884
 * length) are not quoted payload: bounded by the quoted total length. */
static void test_quote_bounded_by_quoted_length(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	struct parsed_icmp p;
	size_t n = make_error(fr, make_probe(fr, PAYLOAD, 0), 3, 1, 0, 9999, 0);

	memset(fr + n, 0xee, 12);
	n += 12;
	put16(fr + 16, (uint16_t)(n - 14));
	put16(fr + 24, 0);
	put16(fr + 24, csum_fold(csum_add(0, fr + 14, 20)));
	put16(fr + 36, 0);
	put16(fr + 36, csum_fold(csum_add(0, fr + 34, n - 34)));
	assert_int_equal(parse_copy(1, fr, n, &p), PARSE_OK);
	assert_int_equal(p.data_len, 20 + 8 + PAYLOAD + 12);
	assert_int_equal(p.q_data_len, PAYLOAD);
}

/* Every prefix of every frame: no overread (ASan), sane status and bounds. */
static void check_prefixes(const uint8_t *fr, size_t n, size_t ip_off, size_t icmp_off)
{
	for (size_t cap = 0; cap <= n; cap++) {
		struct parsed_icmp p;
		enum parse_status st = parse_copy(1, fr, cap, &p);
		if (cap < icmp_off + 8) {
			if (st != PARSE_TRUNCATED)
				fail_msg("cap %zu (< headers %zu): %s", cap, icmp_off + 8,
					 parse_status_str(st));
			continue;
		}
		assert_true(st == PARSE_OK || st == PARSE_TRUNCATED);
		assert_true(p.data + p.data_len <= fr + cap);
		if (p.has_quote)
			assert_true(p.q_data + p.q_data_len <= fr + cap);
		(void)ip_off;
	}
}

static void test_truncation_everywhere(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	size_t n;

	n = make_probe(fr, PAYLOAD, 0);
	check_prefixes(fr, n, 14, 34);
	n = make_reply(fr, make_probe(fr, PAYLOAD, 0), 24);
	check_prefixes(fr, n, 14, 58);
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		n = make_error(fr, make_probe(fr, PAYLOAD, 0), c->type, c->code, c->q_opt,
			       c->quote_len, c->opt_len);
		check_prefixes(fr, n, 14, 34 + c->opt_len);
	}
}

static void test_status_strings(void **state)
{
	(void)state;
	for (int s = PARSE_OK; s <= PARSE_BAD_CSUM; s++) {
		const char *a = parse_status_str((enum parse_status)s);
		assert_non_null(a);
		for (int t = s + 1; t <= PARSE_BAD_CSUM; t++)
			assert_string_not_equal(a, parse_status_str((enum parse_status)t));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_request_and_reply),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_padding_and_short_capture),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_not_icmp_and_malformed),
		cmocka_unit_test(test_quote_not_ours),
		cmocka_unit_test(test_rfc4884_length),
		cmocka_unit_test(test_quote_bounded_by_quoted_length),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_status_strings),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
