/*
 * test_trace_probe.c — the traceroute probe (engine/trace_probe.c): stamped
 * frames whose checksums verify and whose header bits say what the header
 * says; encode -> quote (only IP header + 8 bytes, or the whole probe) ->
 * parse -> classify round trips for every TTL and for send times across the
 * 24-bit µs wrap; echo replies; quotes from the wrong key, random quotes and
 * real quotes with any one bit of the check changed all rejected; the TTL
 * stamp against a full libnet build; the reach hint.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/classify.h"
#include "engine/csum.h"
#include "engine/parse.h"
#include "engine/probe.h"
#include "engine/trace_probe.h"
#include "engine/validate.h"

#define SADDR   0xc6130a01u     /* 198.19.10.1: us */
#define ROUTER  0xc6130c02u     /* 198.19.12.2 */

static const struct vkey key = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } };
static const struct vkey other = { { 16, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1 } };

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void make_template(struct probe_template *t, uint16_t payload_len, const struct vkey *k)
{
	struct probe_params p = {
		.src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
		.saddr = SADDR, .ttl = 64, .payload_len = payload_len,
	};
	char err[128];

	assert_int_equal(probe_template_build(t, &p, k, err, sizeof(err)), 0);
}

/* An IPv4 packet from src to dst with ICMP type/code and body (after the
 * 8-byte ICMP header), checksums filled. Returns its length. */
static size_t make_icmp(uint8_t *out, uint32_t src, uint32_t dst, uint8_t type, uint8_t code,
			const uint8_t *hdr4, const uint8_t *body, size_t body_len)
{
	size_t len = 20 + 8 + body_len;

	memset(out, 0, 28);
	out[0] = 0x45;
	put16(out + 2, (uint16_t)len);
	out[8] = 60;
	out[9] = 1;
	put32(out + 12, src);
	put32(out + 16, dst);
	put16(out + 10, csum_fold(csum_add(0, out, 20)));
	out[20] = type;
	out[21] = code;
	if (hdr4)
		memcpy(out + 24, hdr4, 4);
	memcpy(out + 28, body, body_len);
	put16(out + 22, csum_fold(csum_add(0, out + 20, 8 + body_len)));
	return len;
}

/* A router's time exceeded quoting the first qlen bytes of the probe's IP
 * packet (its TTL as the router saw it: 1). */
static size_t make_timxceed(uint8_t *out, const uint8_t *probe_ip, size_t qlen, uint8_t type)
{
	uint8_t q[1600];

	memcpy(q, probe_ip, qlen);
	q[8] = 1;
	put16(q + 10, 0);
	put16(q + 10, csum_fold(csum_add(0, q, 20)));
	return make_icmp(out, ROUTER, SADDR, type, 0, NULL, q, qlen);
}

static enum verdict run_classify(const struct vkey *k, const uint8_t *pkt, size_t len,
				 uint64_t now, struct es_result *res, enum invalid_reason *why)
{
	struct parsed_icmp p;
	struct classify_ctx c = { .key = k, .saddr = SADDR, .nprobes = 1, .trace = true };

	assert_int_equal(parse_ipv4(pkt, len, &p), PARSE_OK);
	return classify_why(&c, &p, now, res, why);
}

static void test_stamp_fields(void **state)
{
	struct probe_template t;
	uint8_t fr[PROBE_FRAME_MAX];
	uint64_t s = 7;

	(void)state;
	make_template(&t, 32, &key);
	for (int i = 0; i < 20000; i++) {
		uint32_t daddr = (uint32_t)rng_next(&s);
		uint8_t ttl = (uint8_t)(1 + rng_next(&s) % 255);
		uint64_t ts = rng_next(&s) >> 4;
		uint32_t tu = trace_time(ts), chk = trace_check(&key, daddr, ttl, tu);
		const uint8_t *ip = fr + PROBE_ETH_LEN, *icmp = ip + 20;

		trace_stamp(&t, daddr, ttl, ts, fr);
		assert_int_equal(csum_fold(csum_add(0, ip, 20)), 0);
		assert_int_equal(csum_fold(csum_add(0, icmp, 8 + 32)), 0);
		assert_int_equal(ip[8], ttl);
		assert_int_equal(be16(ip + 4), (uint16_t)(ttl << 8 | tu >> 16));
		assert_int_equal(be16(icmp + 4), (uint16_t)tu);
		assert_int_equal(be16(icmp + 6), (uint16_t)(chk >> 16));
		assert_int_equal(be16(icmp + 2), (uint16_t)chk);
		assert_int_equal(icmp[0], 8);
		/* the fill after the compensation bytes is the template's */
		assert_memory_equal(icmp + 8 + 20, t.frame + PROBE_HDR_LEN + 20, 12);
	}
}

/* Every TTL, send times across the wrap of the 24-bit µs counter, RTTs from
 * 0 to 16 s, quotes of 28 bytes and of the whole probe, time exceeded and
 * unreachable. */
static void test_round_trip(void **state)
{
	static const uint64_t rtts_us[] = { 0, 1, 999, 250000, 3000000, 16000000 };
	struct probe_template t;
	uint8_t fr[PROBE_FRAME_MAX], pkt[1600];
	uint64_t s = 11;

	(void)state;
	make_template(&t, 32, &key);
	for (unsigned ttl = 1; ttl <= 255; ttl++) {
		for (unsigned k = 0; k < 8; k++) {
			uint32_t daddr = 0xc6120000u | (uint32_t)(rng_next(&s) & 0xffff);
			/* k 0..3: just below and at the wrap of t; else random */
			uint64_t base = 1700000000ull * 1000000ull + (rng_next(&s) % 100000000ull);
			uint64_t us = k < 4 ? (base & ~(uint64_t)TRACE_TIME_MASK) + TRACE_TIME_MASK - 1 + k : base;
			uint64_t ts = us * 1000 + rng_next(&s) % 1000;
			uint64_t rtt = rtts_us[(ttl + k) % 6] * 1000 + rng_next(&s) % 1000;
			struct es_result r;
			enum invalid_reason why;
			size_t n;

			trace_stamp(&t, daddr, (uint8_t)ttl, ts, fr);
			/* 28-byte quote: RTT in µs, within 1 µs */
			n = make_timxceed(pkt, fr + PROBE_ETH_LEN, 28, 11);
			assert_int_equal(run_classify(&key, pkt, n, ts + rtt, &r, &why), VERDICT_VALID);
			assert_int_equal(r.probe_ttl, ttl);
			assert_int_equal(r.saddr, daddr);
			assert_int_equal(r.responder, ROUTER);
			assert_int_equal(r.classification, ES_CLASS_TIMXCEED);
			assert_true(r.rtt_ns >= 0);
			assert_true((uint64_t)r.rtt_ns / 1000 <= rtt / 1000 + 1 &&
				    (uint64_t)r.rtt_ns / 1000 + 1 >= rtt / 1000);
			/* whole probe quoted: exact RTT from the stamp */
			n = make_timxceed(pkt, fr + PROBE_ETH_LEN, 60, 3);
			assert_int_equal(run_classify(&key, pkt, n, ts + rtt, &r, &why), VERDICT_VALID);
			assert_int_equal(r.probe_ttl, ttl);
			assert_int_equal(r.classification, ES_CLASS_UNREACH);
			assert_int_equal(r.rtt_ns, (int64_t)rtt);
		}
	}
}

/* The target's echo reply: same id, seq and payload, type 0. */
static void test_echo_reply(void **state)
{
	struct probe_template t;
	uint8_t fr[PROBE_FRAME_MAX], pkt[1600];
	uint64_t s = 5;

	(void)state;
	make_template(&t, 32, &key);
	for (unsigned ttl = 1; ttl <= 255; ttl++) {
		uint32_t daddr = (uint32_t)rng_next(&s) | 1;
		uint64_t ts = rng_next(&s) >> 8, rtt = rng_next(&s) % 5000000000ull;
		const uint8_t *icmp = fr + PROBE_ETH_LEN + 20;
		struct es_result r;
		enum invalid_reason why;
		size_t n;

		trace_stamp(&t, daddr, (uint8_t)ttl, ts, fr);
		n = make_icmp(pkt, daddr, SADDR, 0, 0, icmp + 4, icmp + 8, 32);
		assert_int_equal(run_classify(&key, pkt, n, ts + rtt, &r, &why), VERDICT_VALID);
		assert_int_equal(r.probe_ttl, ttl);
		assert_int_equal(r.saddr, daddr);
		assert_int_equal(r.rtt_ns, (int64_t)rtt);
		assert_int_equal(r.classification, ES_CLASS_ECHOREPLY);
		/* the reply from elsewhere, or under another key: rejected */
		n = make_icmp(pkt, daddr ^ 1, SADDR, 0, 0, icmp + 4, icmp + 8, 32);
		assert_int_equal(run_classify(&key, pkt, n, ts + rtt, &r, &why), VERDICT_INVALID);
		n = make_icmp(pkt, daddr, SADDR, 0, 0, icmp + 4, icmp + 8, 32);
		assert_int_equal(run_classify(&other, pkt, n, ts + rtt, &r, &why), VERDICT_INVALID);
	}
}

/* Forgeries: another key, random fields, a real quote with one bit of the
 * IP ID, id, seq, checksum or quoted destination changed, a whole quote
 * whose stamp was altered. None may pass. */
static void test_forged(void **state)
{
	struct probe_template t, tk;
	uint8_t fr[PROBE_FRAME_MAX], q[64], pkt[1600];
	uint64_t s = 99, ts = 1700000000123456789ull;
	struct es_result r;
	enum invalid_reason why;
	size_t n;

	(void)state;
	make_template(&t, 32, &key);
	make_template(&tk, 32, &other);
	for (int i = 0; i < 2000; i++) {
		uint32_t daddr = (uint32_t)rng_next(&s);
		uint8_t ttl = (uint8_t)(1 + i % 255);

		trace_stamp(&tk, daddr, ttl, ts + (uint64_t)i * 7919, fr);
		n = make_timxceed(pkt, fr + PROBE_ETH_LEN, 28, 11);
		assert_int_equal(run_classify(&key, pkt, n, ts, &r, &why), VERDICT_INVALID);
		assert_int_equal(why, INVALID_QUOTE);

		trace_stamp(&t, daddr, ttl, ts + (uint64_t)i * 7919, fr);
		for (int bit = 0; bit < 16 * 4 + 32; bit++) {
			/* bytes 4..5 (IP ID), 16..19 (dst), 22..23 (cksum), 24..27 (id, seq) */
			static const int off[] = { 4, 5, 16, 17, 18, 19, 22, 23, 24, 25, 26, 27 };
			int b = bit % 96, byte = off[b / 8];

			memcpy(q, fr + PROBE_ETH_LEN, 28);
			q[byte] ^= (uint8_t)(1u << (b % 8));
			n = make_timxceed(pkt, q, 28, 11);
			assert_int_not_equal(run_classify(&key, pkt, n, ts, &r, &why), VERDICT_VALID);
		}
		/* the whole probe quoted, its stamp's MAC altered */
		memcpy(q, fr + PROBE_ETH_LEN, 60);
		q[28 + 9] ^= 0x40;
		n = make_timxceed(pkt, q, 60, 11);
		assert_int_equal(run_classify(&key, pkt, n, ts, &r, &why), VERDICT_INVALID);
	}
	/* random quotes of echo requests from us */
	for (int i = 0; i < 200000; i++) {
		memcpy(q, fr + PROBE_ETH_LEN, 28);
		put16(q + 4, (uint16_t)rng_next(&s));
		put32(q + 16, (uint32_t)rng_next(&s));
		put16(q + 22, (uint16_t)rng_next(&s));   /* checksum */
		put32(q + 24, (uint32_t)rng_next(&s));
		n = make_timxceed(pkt, q, 28, i & 1 ? 11 : 3);
		assert_int_not_equal(run_classify(&key, pkt, n, ts, &r, &why), VERDICT_VALID);
	}
}

/* probe_set_ttl on a stamped probe gives the bytes of a full build with
 * that TTL. */
static void test_set_ttl(void **state)
{
	struct probe_params p = {
		.src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
		.saddr = SADDR, .ttl = 64, .payload_len = 18,
	};
	struct probe_template t;
	uint8_t a[PROBE_FRAME_MAX], b[PROBE_FRAME_MAX];
	char err[128];
	size_t len;

	(void)state;
	assert_int_equal(probe_template_build(&t, &p, &key, err, sizeof(err)), 0);
	for (unsigned ttl = 0; ttl <= 255; ttl++) {
		struct probe_fields f = { 0xc6120000u + ttl * 977u, (uint16_t)(ttl % 3),
					  1700000000000000000ull + ttl };

		probe_stamp(&t, &f, a);
		probe_set_ttl(&t, a, (uint8_t)ttl);
		p.ttl = (uint8_t)ttl;
		assert_int_equal(probe_build_full(&p, &key, &f, b, &len, err, sizeof(err)), 0);
		assert_int_equal(len, t.len);
		assert_memory_equal(a, b, len);
	}
}

static void test_reach(void **state)
{
	struct trace_reach r;

	(void)state;
	assert_int_equal(trace_reach_init(&r, 4), 0);
	assert_true(trace_reach_wanted(&r, 1, 30));
	trace_reach_note(&r, 1, 6);
	assert_true(trace_reach_wanted(&r, 1, 6));
	assert_false(trace_reach_wanted(&r, 1, 7));
	trace_reach_note(&r, 1, 9);              /* a later, longer one changes nothing */
	assert_false(trace_reach_wanted(&r, 1, 7));
	trace_reach_note(&r, 1, 4);
	assert_false(trace_reach_wanted(&r, 1, 5));
	assert_true(trace_reach_wanted(&r, 0, 200));
	assert_true(trace_reach_wanted(&r, 99, 200));   /* out of range: no hint */
	trace_reach_note(&r, 99, 1);
	trace_reach_free(&r);
	assert_true(trace_reach_wanted(&r, 1, 200));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stamp_fields),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_echo_reply),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_set_ttl),
		cmocka_unit_test(test_reach),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
