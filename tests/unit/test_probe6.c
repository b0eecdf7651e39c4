/*
 * test_probe6.c — the IPv6 probe end to end without a network: the tag and
 * MAC words against siphash24() on the documented bytes; stamped frames
 * against full libnet builds byte for byte (payload sizes, patterns, with
 * and without Ethernet) with the ICMPv6 checksum checked independently over
 * the pseudo-header; then build -> answer -> parse -> classify round trips:
 * echo replies (valid, wrong key, forged MAC, wrong probe number, bad
 * checksum, not to us), every ICMPv6 error type and code quoting the probe
 * (whole, cut to the headers, a changed flow label, a foreign quote, a
 * forged tag), extension headers, VLAN and cooked captures, and every
 * truncation of a reply (never a read past the end: run under ASan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "engine/classify6.h"
#include "engine/csum.h"
#include "engine/parse6.h"
#include "engine/probe6.h"
#include "engine/siphash.h"

static const struct vkey key = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } };
static const struct vkey other_key = { { 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 } };
static const uint8_t our[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t router[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t target[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 };
#define T0 1700000000123456789ull

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* Independent of parse6: the RFC 4443 checksum from the bytes. */
static uint16_t ref_csum(const uint8_t *ip6, size_t icmp_len)
{
	uint8_t ph[40] = { 0 };

	memcpy(ph, ip6 + 8, 32);
	ph[34] = (uint8_t)(icmp_len >> 8);
	ph[35] = (uint8_t)icmp_len;
	ph[39] = 58;
	return csum_fold(csum_add(csum_add(0, ph, 40), ip6 + 40, icmp_len));
}

static void set_csum(uint8_t *ip6)
{
	size_t len = (size_t)(ip6[4] << 8 | ip6[5]);

	put16(ip6 + 42, 0);
	put16(ip6 + 42, ref_csum(ip6, len));
}

static void test_hash_layout(void **state)
{
	uint8_t m[27];

	(void)state;
	for (unsigned probe = 0; probe < 70000; probe += 4099) {
		uint64_t ts = T0 + probe * 977ull;

		m[0] = 'T';
		memcpy(m + 1, target, 16);
		put16(m + 17, (uint16_t)probe);
		assert_int_equal(validate6_tag(&key, target, (uint16_t)probe),
				 (uint32_t)siphash24(key.k, m, 19));
		m[0] = 'M';
		for (int i = 0; i < 8; i++)
			m[17 + i] = (uint8_t)(ts >> (56 - 8 * i));
		put16(m + 25, (uint16_t)probe);
		assert_true(validate6_mac(&key, target, ts, (uint16_t)probe) ==
			    siphash24(key.k, m, 27));
	}
	/* the two families' tags differ for the same low bytes */
	assert_true(validate6_tag(&key, target, 0) != validate_tag(&key, 0x12340000u, 0));
}

static void params(struct probe6_params *p, uint16_t plen, bool ip_layer,
		   const uint8_t *pattern, size_t pattern_len)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(p->dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
	memcpy(p->saddr, our, 16);
	p->hop_limit = 64;
	p->payload_len = plen;
	p->pattern = pattern;
	p->pattern_len = pattern_len;
	p->ip_layer = ip_layer;
}

static void test_stamp_matches_libnet(void **state)
{
	static const uint16_t sizes[] = { 18, 19, 56, 57, 1000, PROBE6_PAYLOAD_MAX };
	static const uint8_t pat[] = { 0xde, 0xad, 0xbe };
	static uint8_t a[PROBE6_FRAME_MAX], b[PROBE6_FRAME_MAX];
	char err[256];

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (int v = 0; v < 4; v++) {
			struct probe6_params p;
			struct probe6_template t;
			size_t len = 0;

			params(&p, sizes[s], v & 1, v & 2 ? pat : NULL, v & 2 ? sizeof(pat) : 0);
			assert_int_equal(probe6_template_build(&t, &p, &key, err, sizeof(err)), 0);
			assert_int_equal(t.len, PROBE6_HDR_LEN - (v & 1 ? PROBE_ETH_LEN : 0) + sizes[s]);
			for (unsigned probe = 0; probe < 66000; probe += 6007) {
				struct probe6_fields f = { .probe = (uint16_t)probe, .ts_ns = T0 + probe };
				const uint8_t *ip;

				memcpy(f.daddr, target, 16);
				f.daddr[15] = (uint8_t)(probe * 7);
				f.daddr[3] = (uint8_t)probe;
				probe6_stamp(&t, &f, a);
				assert_int_equal(probe6_build_full(&p, &key, &f, b, &len, err, sizeof(err)), 0);
				assert_int_equal(len, t.len);
				assert_memory_equal(a, b, len);
				ip = a + t.link_len;
				if (!(v & 1)) {
					assert_int_equal(a[12], 0x86);
					assert_int_equal(a[13], 0xdd);
				}
				assert_int_equal(ip[0], 0x60);
				assert_int_equal((ip[1] & 0x0f) << 16 | ip[2] << 8 | ip[3], (uint16_t)probe);
				assert_int_equal(ip[4] << 8 | ip[5], 8 + sizes[s]);
				assert_int_equal(ip[6], 58);
				assert_int_equal(ip[7], 64);
				assert_memory_equal(ip + 8, our, 16);
				assert_memory_equal(ip + 24, f.daddr, 16);
				assert_int_equal(ip[40], 128);
				assert_int_equal(ref_csum(ip, 8 + sizes[s]), 0);
			}
		}
}

/* A stamped probe (Ethernet) for target/probe in fr; returns its length. */
static size_t make_probe(uint8_t *fr, const struct vkey *k, const uint8_t *daddr,
			 uint16_t probe, uint16_t plen)
{
	struct probe6_params p;
	struct probe6_template t;
	struct probe6_fields f = { .probe = probe, .ts_ns = T0 };
	char err[256];

	params(&p, plen, false, NULL, 0);
	assert_int_equal(probe6_template_build(&t, &p, k, err, sizeof(err)), 0);
	memcpy(f.daddr, daddr, 16);
	probe6_stamp(&t, &f, fr);
	return t.len;
}

/* The target's echo reply to a probe frame: addresses swapped, type 129. */
static size_t make_reply(uint8_t *fr, const uint8_t *probe_fr, size_t len)
{
	uint8_t *ip = fr + 14;

	memcpy(fr, probe_fr, len);
	memcpy(ip + 8, probe_fr + 14 + 24, 16);
	memcpy(ip + 24, probe_fr + 14 + 8, 16);
	ip[1] = 0; ip[2] = 0; ip[3] = 0;
	ip[7] = 61;
	ip[40] = 129;
	set_csum(ip);
	return len;
}

/* An ICMPv6 error from router quoting qlen bytes of the probe packet. */
static size_t make_error(uint8_t *fr, const uint8_t *probe_fr, size_t probe_len,
			 uint8_t type, uint8_t code, size_t qlen)
{
	uint8_t *ip = fr + 14;
	size_t icmp_len = 8 + qlen;

	memcpy(fr, probe_fr, 14);
	memset(ip, 0, 48);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)icmp_len);
	ip[6] = 58;
	ip[7] = 63;
	memcpy(ip + 8, router, 16);
	memcpy(ip + 24, our, 16);
	ip[40] = type;
	ip[41] = code;
	if (type == ICMP6_T_PACKET_TOO_BIG)
		put16(ip + 46, 1280);
	memcpy(ip + 48, probe_fr + 14, qlen < probe_len - 14 ? qlen : probe_len - 14);
	set_csum(ip);
	return 14 + 48 + qlen;
}

static enum verdict judge(const uint8_t *fr, size_t len, const struct vkey *k,
			  uint16_t nprobes, struct es_result *res, struct es_addrs6 *a,
			  enum invalid_reason *why)
{
	struct classify6_ctx c = { .key = k, .nprobes = nprobes };
	struct parsed_icmp6 p;
	enum parse_status st = parse_frame6(1, fr, len, &p);

	memcpy(c.saddr, our, 16);
	if (st != PARSE_OK) {
		*why = invalid_from_parse(st);
		return st == PARSE_NOT_ICMP ? VERDICT_IGNORE : VERDICT_INVALID;
	}
	return classify6_why(&c, &p, T0 + 5000, res, a, why);
}

static void test_echo_reply(void **state)
{
	static uint8_t pr[PROBE6_FRAME_MAX], fr[PROBE6_FRAME_MAX];
	struct es_result res;
	struct es_addrs6 a;
	enum invalid_reason why;
	size_t len = make_probe(pr, &key, target, 3, 56);

	(void)state;
	make_reply(fr, pr, len);
	assert_int_equal(judge(fr, len, &key, 4, &res, &a, &why), VERDICT_VALID);
	assert_memory_equal(a.saddr.bytes, target, 16);
	assert_int_equal(a.saddr.family, ES_AF6);
	assert_memory_equal(a.daddr.bytes, our, 16);
	assert_int_equal(res.probe, 3);
	assert_int_equal(res.rtt_ns, 5000);
	assert_int_equal(res.classification, ES_CLASS_ECHOREPLY);
	assert_int_equal(res.success, 1);
	assert_int_equal(res.ttl, 61);
	assert_int_equal(res.type, 129);
	assert_int_equal(res.size, 40 + 8 + 56);

	/* probe 3 is not below 3 */
	assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_PROBE);
	/* another run's key */
	assert_int_equal(judge(fr, len, &other_key, 4, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_TAG);
	/* a reply from another address than the probed one */
	fr[14 + 8 + 15] ^= 1;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 4, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_TAG);
	fr[14 + 8 + 15] ^= 1;
	/* a forged MAC with a valid checksum */
	fr[14 + 48 + 9] ^= 0x40;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 4, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_MAC);
	/* a forged send time */
	fr[14 + 48 + 9] ^= 0x40;
	fr[14 + 48 + 7] ^= 1;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 4, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_MAC);
	fr[14 + 48 + 7] ^= 1;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 4, &res, &a, &why), VERDICT_VALID);
	/* a wrong checksum */
	fr[14 + 43] ^= 1;
	assert_int_equal(judge(fr, len, &key, 4, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_CHECKSUM);
	fr[14 + 43] ^= 1;
	/* not addressed to us */
	fr[14 + 24 + 15] ^= 1;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 4, &res, &a, &why), VERDICT_IGNORE);
	fr[14 + 24 + 15] ^= 1;
	/* too short for the stamp */
	len = make_probe(pr, &key, target, 0, 18);
	make_reply(fr, pr, len);
	put16(fr + 14 + 4, 8 + 17);
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len - 1, &key, 4, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_SHORT);
	/* our own echo request coming back (loopback): not a reply */
	assert_int_equal(judge(pr, len, &key, 4, &res, &a, &why), VERDICT_IGNORE);
}

struct err_case { uint8_t type, code, cls; };

static const struct err_case errs[] = {
	{ 1, 0, ES_CLASS_UNREACH }, { 1, 1, ES_CLASS_UNREACH }, { 1, 2, ES_CLASS_UNREACH },
	{ 1, 3, ES_CLASS_UNREACH }, { 1, 4, ES_CLASS_UNREACH }, { 1, 5, ES_CLASS_UNREACH },
	{ 1, 6, ES_CLASS_UNREACH }, { 2, 0, ES_CLASS_OTHER }, { 3, 0, ES_CLASS_TIMXCEED },
	{ 3, 1, ES_CLASS_TIMXCEED }, { 4, 0, ES_CLASS_OTHER }, { 4, 1, ES_CLASS_OTHER },
	{ 4, 2, ES_CLASS_OTHER },
};

static void test_errors(void **state)
{
	static uint8_t pr[PROBE6_FRAME_MAX], fr[PROBE6_FRAME_MAX + 64];
	struct es_result res;
	struct es_addrs6 a;
	enum invalid_reason why;
	size_t plen = make_probe(pr, &key, target, 2, 56), len;

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		/* the whole probe quoted */
		len = make_error(fr, pr, plen, errs[i].type, errs[i].code, plen - 14);
		if (judge(fr, len, &key, 3, &res, &a, &why) != VERDICT_VALID)
			fail_msg("type %u code %u: not valid (%u)", errs[i].type, errs[i].code, why);
		assert_int_equal(res.classification, errs[i].cls);
		assert_int_equal(res.type, errs[i].type);
		assert_int_equal(res.code, errs[i].code);
		assert_int_equal(res.success, 0);
		assert_int_equal(res.probe, 2);
		assert_int_equal(res.rtt_ns, 5000);
		assert_memory_equal(a.saddr.bytes, target, 16);
		assert_memory_equal(a.responder.bytes, router, 16);
		if (errs[i].type == 2)
			assert_int_equal(res.info, 1280);
		/* cut to the headers: the flow label gives the probe, no RTT */
		len = make_error(fr, pr, plen, errs[i].type, errs[i].code, 48);
		assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_VALID);
		assert_int_equal(res.probe, 2);
		assert_int_equal(res.rtt_ns, -1);
		assert_int_equal(res.classification, errs[i].cls);
	}
	/* a router that rewrote the label: the quoted stamp's number */
	len = make_error(fr, pr, plen, 1, 3, plen - 14);
	fr[14 + 48 + 3] ^= 0x5a;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_VALID);
	assert_int_equal(res.probe, 2);
	/* ... but without the stamp the tag cannot match a wrong number */
	len = make_error(fr, pr, plen, 1, 3, 48);
	fr[14 + 48 + 3] = 1;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_QUOTE);
	/* a label beyond the probe count, no stamp */
	fr[14 + 48 + 3] = 9;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_PROBE);
	/* a forged tag in the quote */
	len = make_error(fr, pr, plen, 1, 0, plen - 14);
	fr[14 + 48 + 45] ^= 1;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_INVALID);
	assert_int_equal(why, INVALID_QUOTE);
	/* another run's key */
	len = make_error(fr, pr, plen, 1, 0, plen - 14);
	assert_int_equal(judge(fr, len, &other_key, 3, &res, &a, &why), VERDICT_INVALID);
	/* a quote of someone else's request: not about us */
	fr[14 + 48 + 8 + 15] ^= 1;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_IGNORE);
	/* a quote of a reply, not a request */
	len = make_error(fr, pr, plen, 1, 0, plen - 14);
	fr[14 + 48 + 40] = 129;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_IGNORE);
	/* the MAC in a whole quote fails: still valid (the tag checked), no RTT */
	len = make_error(fr, pr, plen, 3, 0, plen - 14);
	fr[14 + 48 + 48 + 9] ^= 1;
	set_csum(fr + 14);
	assert_int_equal(judge(fr, len, &key, 3, &res, &a, &why), VERDICT_VALID);
	assert_int_equal(res.rtt_ns, -1);
}

/* A hop-by-hop header in front of the reply, a VLAN tag, a cooked capture
 * header, a first fragment and a later one. */
static void test_encapsulation(void **state)
{
	static uint8_t pr[PROBE6_FRAME_MAX], fr[PROBE6_FRAME_MAX], ex[PROBE6_FRAME_MAX + 32];
	struct parsed_icmp6 p;
	struct es_result res;
	struct es_addrs6 a;
	enum invalid_reason why;
	size_t len = make_probe(pr, &key, target, 1, 40), icmp_len = len - 54;
	struct classify6_ctx c = { .key = &key, .nprobes = 2 };

	(void)state;
	memcpy(c.saddr, our, 16);
	make_reply(fr, pr, len);
	/* hop-by-hop (8 bytes, PadN) */
	memcpy(ex, fr, 54);
	ex[14 + 6] = 0;
	put16(ex + 14 + 4, (uint16_t)(icmp_len + 8));
	memcpy(ex + 54, "\x3a\x00\x01\x04\x00\x00\x00\x00", 8);
	memcpy(ex + 62, fr + 54, icmp_len);
	assert_int_equal(parse_frame6(1, ex, len + 8, &p), PARSE_OK);
	assert_int_equal(classify6_why(&c, &p, T0 + 1, &res, &a, &why), VERDICT_VALID);
	/* a first fragment (offset 0, M set) parses; a later one is not ours */
	memcpy(ex + 54, "\x3a\x00\x00\x01\x12\x34\x56\x78", 8);
	ex[14 + 6] = 44;
	assert_int_equal(parse_frame6(1, ex, len + 8, &p), PARSE_OK);
	ex[56] = 0x05;
	assert_int_equal(parse_frame6(1, ex, len + 8, &p), PARSE_NOT_ICMP);
	/* an extension header running past the packet */
	ex[14 + 6] = 60;
	memcpy(ex + 54, "\x3a\xff", 2);
	assert_int_equal(parse_frame6(1, ex, len + 8, &p), PARSE_MALFORMED);
	/* 802.1Q */
	memcpy(ex, fr, 12);
	memcpy(ex + 12, "\x81\x00\x00\x05", 4);
	memcpy(ex + 16, fr + 12, len - 12);
	assert_int_equal(parse_frame6(1, ex, len + 4, &p), PARSE_OK);
	assert_int_equal(classify6_why(&c, &p, T0 + 1, &res, &a, &why), VERDICT_VALID);
	/* Linux cooked (SLL): protocol at 14..15 */
	memset(ex, 0, 16);
	memcpy(ex + 14, "\x86\xdd", 2);
	memcpy(ex + 16, fr + 14, len - 14);
	assert_int_equal(parse_frame6(113, ex, len + 2, &p), PARSE_OK);
	/* raw IP */
	assert_int_equal(parse_frame6(101, fr + 14, len - 14, &p), PARSE_OK);
	assert_int_equal(classify6_why(&c, &p, T0 + 1, &res, &a, &why), VERDICT_VALID);
	/* IPv4 is not for this parser */
	fr[12] = 0x08; fr[13] = 0x00;
	assert_int_equal(parse_frame6(1, fr, len, &p), PARSE_NOT_ICMP);
	assert_int_equal(parse_frame6(101, (const uint8_t *)"\x45\x00", 2, &p), PARSE_NOT_ICMP);
}

/* Several paths, several sources: a reply to any of them is ours, a reply
 * to an address that is none of them is ignored. */
static void test_several_sources(void **state)
{
	static uint8_t pr[PROBE6_FRAME_MAX], fr[PROBE6_FRAME_MAX];
	static const uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 2 };
	uint8_t srcs[2][16];
	struct classify6_ctx c = { .key = &key, .nprobes = 2 };
	struct parsed_icmp6 p;
	struct es_result res;
	struct es_addrs6 a;
	enum invalid_reason why;
	size_t len = make_probe(pr, &key, target, 1, 40);

	(void)state;
	make_reply(fr, pr, len);
	assert_int_equal(parse_frame6(1, fr, len, &p), PARSE_OK);
	memcpy(srcs[0], other, 16);
	memcpy(srcs[1], our, 16);
	c.saddrs = (const uint8_t (*)[16])srcs;
	c.n_saddrs = 2;
	assert_int_equal(classify6_why(&c, &p, T0 + 1, &res, &a, &why), VERDICT_VALID);
	assert_memory_equal(a.daddr.bytes, our, 16);
	/* our address not among them (c.saddr is not read with n_saddrs) */
	memcpy(c.saddr, our, 16);
	memcpy(srcs[1], other, 16);
	assert_int_equal(classify6_why(&c, &p, T0 + 1, &res, &a, &why), VERDICT_IGNORE);
	c.n_saddrs = 0;
	assert_int_equal(classify6_why(&c, &p, T0 + 1, &res, &a, &why), VERDICT_VALID);
}

/* Every prefix of a reply and of an error, each copied to a buffer of its
 * exact size so ASan catches any read past it. */
static void test_truncation(void **state)
{
	static uint8_t pr[PROBE6_FRAME_MAX], fr[PROBE6_FRAME_MAX + 64];
	struct es_result res;
	struct es_addrs6 a;
	enum invalid_reason why;
	size_t plen = make_probe(pr, &key, target, 0, 18);

	(void)state;
	for (int kind = 0; kind < 2; kind++) {
		size_t len = kind ? make_error(fr, pr, plen, 1, 4, plen - 14) : make_reply(fr, pr, plen);

		for (size_t cut = 0; cut <= len; cut++) {
			uint8_t *buf = malloc(cut ? cut : 1);
			enum verdict v;

			memcpy(buf, fr, cut);
			v = judge(buf, cut, &key, 1, &res, &a, &why);
			if (cut == len)
				assert_int_equal(v, VERDICT_VALID);
			else if (cut < 14 + 48)
				assert_int_not_equal(v, VERDICT_VALID);
			free(buf);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_layout),
		cmocka_unit_test(test_stamp_matches_libnet),
		cmocka_unit_test(test_echo_reply),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_encapsulation),
		cmocka_unit_test(test_several_sources),
		cmocka_unit_test(test_truncation),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
