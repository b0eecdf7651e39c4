/*
 * test_classify.c — validation and classification of real probes turned
 * into replies and ICMP errors: what is accepted (with the right fields and
 * RTT), what is rejected as invalid (any tampered tag, time, probe number or
 * MAC, a wrong key, cut key fields), and what is ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/classify.h"
#include "engine/csum.h"
#include "engine/parse.h"
#include "engine/probe.h"

#define OUR_ADDR  0xc0a80001u
#define TARGET    0xc6120304u
#define ROUTER    0x0a000001u
#define SENT_NS   1700000000000000000ULL
#define RTT_NS    1234567ULL
#define PAYLOAD   56
#define NPROBES   3

static const struct vkey key = { { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
				   0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf } };
static const struct classify_ctx ctx = { .key = &key, .saddr = OUR_ADDR, .nprobes = NPROBES };

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static size_t make_probe_k(uint8_t *fr, const struct vkey *k, uint32_t daddr,
			   uint16_t payload_len, uint16_t probe, uint64_t ts)
{
	struct probe_params p = {
		.src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
		.saddr = OUR_ADDR, .ttl = 64, .payload_len = payload_len,
	};
	struct probe_template t;
	struct probe_fields f = { .daddr = daddr, .probe = probe, .ts_ns = ts };
	char err[256];

	assert_int_equal(probe_template_build(&t, &p, k, err, sizeof(err)), 0);
	probe_stamp(&t, &f, fr);
	return t.len;
}

static size_t make_probe(uint8_t *fr, uint16_t payload_len, uint16_t probe)
{
	return make_probe_k(fr, &key, TARGET, payload_len, probe, SENT_NS);
}

static size_t build_ip(uint8_t *out, uint32_t src, uint32_t dst, uint16_t ipid,
		       size_t opt_len, const uint8_t *body, size_t body_len)
{
	size_t hlen = 20 + opt_len;

	memset(out, 0, hlen);
	out[0] = (uint8_t)(0x40 | hlen / 4);
	put16(out + 2, (uint16_t)(hlen + body_len));
	put16(out + 4, ipid);
	out[8] = 57;
	out[9] = 1;
	put32(out + 12, src);
	put32(out + 16, dst);
	memset(out + 20, 1, opt_len);
	memmove(out + hlen, body, body_len);
	put16(out + 10, csum_fold(csum_add(0, out, hlen)));
	return hlen + body_len;
}

static void fix_icmp_sum(uint8_t *icmp, size_t len)
{
	put16(icmp + 2, 0);
	put16(icmp + 2, csum_fold(csum_add(0, icmp, len)));
}

static size_t eth_wrap(uint8_t *fr, const uint8_t *ip, size_t ip_len)
{
	static const uint8_t hdr[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 };
	memmove(fr + 14, ip, ip_len);
	memcpy(fr, hdr, 14);
	return 14 + ip_len;
}

/* Probe -> echo reply from src to dst (swapped addresses, type 0). */
static size_t make_reply_from(uint8_t *fr, size_t probe_len, uint32_t src, uint32_t dst,
			      size_t opt_len)
{
	uint8_t icmp[PROBE_FRAME_MAX], ip[PROBE_FRAME_MAX + 40];
	size_t icmp_len = probe_len - 34;

	memcpy(icmp, fr + 34, icmp_len);
	icmp[0] = 0;
	fix_icmp_sum(icmp, icmp_len);
	return eth_wrap(fr, ip, build_ip(ip, src, dst, 0x1234, opt_len, icmp, icmp_len));
}

static size_t make_reply(uint8_t *fr, size_t probe_len, size_t opt_len)
{
	return make_reply_from(fr, probe_len, TARGET, OUR_ADDR, opt_len);
}

/* Probe -> ICMP error from ROUTER quoting quote_len bytes of the probe's IP
 * packet, whose header gets q_opt bytes of options. */
static size_t make_error(uint8_t *fr, size_t probe_len, uint8_t type, uint8_t code,
			 size_t q_opt, size_t quote_len, size_t opt_len)
{
	uint8_t q[PROBE_FRAME_MAX + 40], icmp[PROBE_FRAME_MAX + 80], ip[PROBE_FRAME_MAX + 160];
	const uint8_t *pip = fr + 14;
	size_t qn = build_ip(q, get32(pip + 12), get32(pip + 16), get16(pip + 4),
			     q_opt, pip + 20, probe_len - 34);
	if (quote_len > qn)
		quote_len = qn;
	memset(icmp, 0, 8);
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + 8, q, quote_len);
	fix_icmp_sum(icmp, 8 + quote_len);
	return eth_wrap(fr, ip, build_ip(ip, ROUTER, OUR_ADDR, 0x4321, opt_len, icmp,
					 8 + quote_len));
}

/* The reason classify_why gave for the last run_cap. */
static enum invalid_reason last_why;

/* Parses from an exact-size heap copy (so ASan sees overreads) and
 * classifies at capture time SENT_NS + RTT_NS. */
static enum verdict run_cap(const uint8_t *fr, size_t cap, enum parse_status *st,
			    struct es_result *r)
{
	uint8_t *copy = malloc(cap ? cap : 1);
	struct parsed_icmp p;

	assert_non_null(copy);
	memcpy(copy, fr, cap);
	*st = parse_frame(1, copy, cap, &p);
	enum verdict v = classify_why(&ctx, &p, SENT_NS + RTT_NS, r, &last_why);
	/* the reason is given exactly when the verdict is INVALID */
	assert_int_equal(v == VERDICT_INVALID, last_why != INVALID_NONE);
	assert_int_equal(classify(&ctx, &p, SENT_NS + RTT_NS, r), v);
	free(copy);
	return v;
}

static enum verdict run(const uint8_t *fr, size_t n, struct es_result *r)
{
	enum parse_status st;
	memset(r, 0, sizeof(*r));
	r->repeat = 0xaa;
	r->cooldown = 0x55;
	memset(r->mac, 0xcc, sizeof(r->mac));
	enum verdict v = run_cap(fr, n, &st, r);
	assert_int_equal(st, PARSE_OK);
	assert_int_equal(r->repeat, 0xaa);     /* never touched */
	assert_int_equal(r->cooldown, 0x55);
	if (v == VERDICT_VALID) {              /* no MAC: the receiver adds it */
		static const uint8_t none[6];
		assert_memory_equal(r->mac, none, 6);
	}
	return v;
}

static void test_reply_valid(void **state)
{
	(void)state;
	static const size_t opts[] = { 0, 8, 40 };
	for (size_t i = 0; i < 3; i++) {
		for (uint16_t probe = 0; probe < NPROBES; probe++) {
			uint8_t fr[PROBE_FRAME_MAX + 100];
			struct es_result r;
			size_t n = make_reply(fr, make_probe(fr, PAYLOAD, probe), opts[i]);

			assert_int_equal(run(fr, n, &r), VERDICT_VALID);
			assert_int_equal(r.ts_ns, SENT_NS + RTT_NS);
			assert_int_equal(r.rtt_ns, RTT_NS);
			assert_int_equal(r.saddr, TARGET);
			assert_int_equal(r.daddr, OUR_ADDR);
			assert_int_equal(r.responder, TARGET);
			assert_int_equal(r.probe, probe);
			assert_int_equal(r.ipid, 0x1234);
			assert_int_equal(r.size, 20 + opts[i] + 8 + PAYLOAD);
			assert_int_equal(r.ttl, 57);
			assert_int_equal(r.type, 0);
			assert_int_equal(r.code, 0);
			assert_int_equal(r.classification, ES_CLASS_ECHOREPLY);
			assert_int_equal(r.success, 1);
		}
	}
}

/* Each row flips bits at one offset of the reply (checksum fixed after). */
static void test_reply_tampered(void **state)
{
	(void)state;
	static const struct { const char *name; size_t off; uint8_t x;
			      enum invalid_reason why; } rows[] = {
		{ "id", 38, 0x01, INVALID_TAG }, { "id high", 39, 0x80, INVALID_TAG },
		{ "seq", 40, 0x10, INVALID_TAG }, { "seq low", 41, 0x01, INVALID_TAG },
		{ "ts", 42, 0x01, INVALID_MAC }, { "ts low", 49, 0x01, INVALID_MAC },
		{ "mac", 50, 0x01, INVALID_MAC }, { "mac low", 57, 0x80, INVALID_MAC },
		{ "probe", 59, 0x01, INVALID_TAG }, { "probe high", 58, 0x01, INVALID_PROBE },
		{ "src addr", 14 + 15, 0x01, INVALID_TAG },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t fr[PROBE_FRAME_MAX + 100];
		struct es_result r;
		size_t n = make_reply(fr, make_probe(fr, PAYLOAD, 1), 0);

		fr[rows[i].off] ^= rows[i].x;
		if (rows[i].off < 34) {   /* IP header edit: redo its checksum */
			put16(fr + 24, 0);
			put16(fr + 24, csum_fold(csum_add(0, fr + 14, 20)));
		}
		fix_icmp_sum(fr + 34, n - 34);
		enum verdict v = run(fr, n, &r);
		if (v != VERDICT_INVALID || last_why != rows[i].why)
			fail_msg("%s: verdict %d reason %s, want invalid (%s)", rows[i].name, v,
				 invalid_reason_name(last_why), invalid_reason_name(rows[i].why));
	}
}

static void test_reply_rejected(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 100];
	struct es_result r;
	struct vkey other = key;
	size_t n;

	other.k[0] ^= 1;
	n = make_reply(fr, make_probe_k(fr, &other, TARGET, PAYLOAD, 0, SENT_NS), 0);
	assert_int_equal(run(fr, n, &r), VERDICT_INVALID);            /* wrong key */
	assert_int_equal(last_why, INVALID_TAG);
	n = make_reply(fr, make_probe(fr, PAYLOAD, NPROBES), 0);
	assert_int_equal(run(fr, n, &r), VERDICT_INVALID);            /* probe >= P */
	assert_int_equal(last_why, INVALID_PROBE);
	n = make_reply(fr, make_probe(fr, PAYLOAD, 0xffff), 0);
	assert_int_equal(run(fr, n, &r), VERDICT_INVALID);
	assert_int_equal(last_why, INVALID_PROBE);
	/* Another host answering with our probe to TARGET. */
	n = make_reply_from(fr, make_probe(fr, PAYLOAD, 0), TARGET + 1, OUR_ADDR, 0);
	assert_int_equal(run(fr, n, &r), VERDICT_INVALID);
	assert_int_equal(last_why, INVALID_TAG);
	/* Reply shorter than the stamp (host truncated the echo data). */
	n = make_reply(fr, make_probe(fr, PAYLOAD, 0), 0);
	put16(fr + 16, 20 + 8 + 17);
	put16(fr + 24, 0);
	put16(fr + 24, csum_fold(csum_add(0, fr + 14, 20)));
	fix_icmp_sum(fr + 34, 8 + 17);
	assert_int_equal(run(fr, 14 + 20 + 8 + 17, &r), VERDICT_INVALID);
	assert_int_equal(last_why, INVALID_SHORT);
}

static void test_ignored(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 100];
	struct es_result r;
	size_t n;

	/* Not addressed to us. */
	n = make_reply_from(fr, make_probe(fr, PAYLOAD, 0), TARGET, OUR_ADDR + 1, 0);
	assert_int_equal(run(fr, n, &r), VERDICT_IGNORE);
	/* An echo request to us (someone pinging the scanner). */
	n = make_reply(fr, make_probe(fr, PAYLOAD, 0), 0);
	fr[34] = 8;
	fix_icmp_sum(fr + 34, n - 34);
	assert_int_equal(run(fr, n, &r), VERDICT_IGNORE);
	/* Our own probe seen on the wire. */
	n = make_probe(fr, PAYLOAD, 0);
	assert_int_equal(run(fr, n, &r), VERDICT_IGNORE);
	/* Timestamp reply, router advertisement: not replies to echo probes. */
	static const uint8_t types[] = { 14, 9, 13, 17, 42 };
	for (size_t i = 0; i < sizeof(types); i++) {
		n = make_reply(fr, make_probe(fr, PAYLOAD, 0), 0);
		fr[34] = types[i];
		fix_icmp_sum(fr + 34, n - 34);
		assert_int_equal(run(fr, n, &r), VERDICT_IGNORE);
	}
}

struct err_row {
	const char *name;
	uint8_t type, code;
	size_t q_opt, quote_len, opt_len;
	uint8_t cls;
	int64_t rtt;
};

static const struct err_row err_rows[] = {
	{ "host unreach, whole probe", 3, 1, 0, 9999, 0, ES_CLASS_UNREACH, RTT_NS },
	{ "port unreach, whole probe", 3, 3, 0, 9999, 0, ES_CLASS_UNREACH, RTT_NS },
	{ "admin prohibited, ip+8", 3, 13, 0, 28, 0, ES_CLASS_UNREACH, -1 },
	{ "time exceeded, ip+8", 11, 0, 0, 28, 0, ES_CLASS_TIMXCEED, -1 },
	{ "time exceeded, 17 payload bytes", 11, 0, 0, 28 + 17, 0, ES_CLASS_TIMXCEED, -1 },
	{ "time exceeded, 18 payload bytes", 11, 0, 0, 28 + 18, 0, ES_CLASS_TIMXCEED, RTT_NS },
	{ "unreach, options both", 3, 1, 12, 9999, 20, ES_CLASS_UNREACH, RTT_NS },
	{ "timxceed, quoted options ip+8", 11, 1, 40, 68, 0, ES_CLASS_TIMXCEED, -1 },
	{ "source quench", 4, 0, 0, 28, 0, ES_CLASS_OTHER, -1 },
	{ "redirect", 5, 1, 0, 9999, 0, ES_CLASS_OTHER, RTT_NS },
	{ "parameter problem", 12, 0, 4, 9999, 4, ES_CLASS_OTHER, RTT_NS },
};

static void test_errors_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++) {
		const struct err_row *e = &err_rows[i];
		uint8_t fr[PROBE_FRAME_MAX + 200];
		struct es_result r;
		size_t n = make_error(fr, make_probe(fr, PAYLOAD, 2), e->type, e->code,
				      e->q_opt, e->quote_len, e->opt_len);
		enum verdict v = run(fr, n, &r);
		if (v != VERDICT_VALID)
			fail_msg("%s: verdict %d", e->name, v);
		assert_int_equal(r.saddr, TARGET);
		assert_int_equal(r.responder, ROUTER);
		assert_int_equal(r.daddr, OUR_ADDR);
		assert_int_equal(r.probe, 2);
		assert_int_equal(r.type, e->type);
		assert_int_equal(r.code, e->code);
		assert_int_equal(r.classification, e->cls);
		assert_int_equal(r.success, 0);
		assert_int_equal(r.ipid, 0x4321);
		assert_int_equal(r.size, n - 14);
		if (r.rtt_ns != e->rtt)
			fail_msg("%s: rtt %lld want %lld", e->name, (long long)r.rtt_ns,
				 (long long)e->rtt);
	}
}

/* Offsets in an error frame without options: quote at 42, quoted ICMP at 62. */
static void test_errors_tampered(void **state)
{
	(void)state;
	static const struct { const char *name; size_t off; uint8_t x; enum verdict v;
			      int64_t rtt; enum invalid_reason why; } rows[] = {
		{ "quoted ipid (probe)", 42 + 5, 0x01, VERDICT_INVALID, 0, INVALID_QUOTE },
		{ "quoted ipid >= P", 42 + 4, 0x01, VERDICT_INVALID, 0, INVALID_PROBE },
		{ "quoted dst", 42 + 19, 0x01, VERDICT_INVALID, 0, INVALID_QUOTE },
		{ "quoted id", 62 + 4, 0x01, VERDICT_INVALID, 0, INVALID_QUOTE },
		{ "quoted seq", 62 + 7, 0x01, VERDICT_INVALID, 0, INVALID_QUOTE },
		{ "quoted src", 42 + 15, 0x01, VERDICT_IGNORE, 0, INVALID_NONE },
		{ "quoted type reply", 62, 0x08, VERDICT_IGNORE, 0, INVALID_NONE },
		{ "quoted payload ts", 70 + 7, 0x01, VERDICT_VALID, -1, INVALID_NONE },
		{ "quoted payload mac", 70 + 8, 0x01, VERDICT_VALID, -1, INVALID_NONE },
		{ "quoted payload probe", 70 + 17, 0x01, VERDICT_VALID, -1, INVALID_NONE },
		{ "quoted fill", 70 + 30, 0x01, VERDICT_VALID, RTT_NS, INVALID_NONE },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t fr[PROBE_FRAME_MAX + 200];
		struct es_result r;
		size_t n = make_error(fr, make_probe(fr, PAYLOAD, 1), 3, 1, 0, 9999, 0);

		fr[rows[i].off] ^= rows[i].x;
		fix_icmp_sum(fr + 34, n - 34);
		enum verdict v = run(fr, n, &r);
		if (v != rows[i].v || last_why != rows[i].why)
			fail_msg("%s: verdict %d (%s) want %d (%s)", rows[i].name, v,
				 invalid_reason_name(last_why), rows[i].v,
				 invalid_reason_name(rows[i].why));
		if (v == VERDICT_VALID && r.rtt_ns != rows[i].rtt)
			fail_msg("%s: rtt %lld", rows[i].name, (long long)r.rtt_ns);
	}
	/* An error about a probe sent with another key. */
	struct vkey other = key;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	struct es_result r;
	other.k[7] ^= 0x20;
	size_t n = make_error(fr, make_probe_k(fr, &other, TARGET, PAYLOAD, 0, SENT_NS),
			      11, 0, 0, 28, 0);
	assert_int_equal(run(fr, n, &r), VERDICT_INVALID);
	assert_int_equal(last_why, INVALID_QUOTE);
	/* An error sent to another address. */
	n = make_error(fr, make_probe(fr, PAYLOAD, 0), 11, 0, 0, 28, 0);
	fr[14 + 19] ^= 1;
	put16(fr + 24, 0);
	put16(fr + 24, csum_fold(csum_add(0, fr + 14, 20)));
	assert_int_equal(run(fr, n, &r), VERDICT_IGNORE);
}

/* Every capture length: never VALID with key fields cut, and VALID (with
 * the RTT only when the whole stamp is there) once they are all present. */
static void test_truncated_captures(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 200];
	struct es_result r;
	enum parse_status st;
	size_t n = make_reply(fr, make_probe(fr, PAYLOAD, 1), 0);

	for (size_t cap = 0; cap <= n; cap++) {
		enum verdict v = run_cap(fr, cap, &st, &r);
		if (cap < 42 + 18)
			assert_int_not_equal(v, VERDICT_VALID);
		else
			assert_int_equal(v, VERDICT_VALID);
	}
	for (size_t i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++) {
		const struct err_row *e = &err_rows[i];
		n = make_error(fr, make_probe(fr, PAYLOAD, 2), e->type, e->code, e->q_opt,
			       e->quote_len, e->opt_len);
		size_t key_end = 14 + 20 + e->opt_len + 8 + 20 + e->q_opt + 8;
		for (size_t cap = 0; cap <= n; cap++) {
			enum verdict v = run_cap(fr, cap, &st, &r);
			if (cap < key_end) {
				if (v == VERDICT_VALID)
					fail_msg("%s: VALID at cap %zu < %zu", e->name, cap, key_end);
				continue;
			}
			assert_int_equal(v, VERDICT_VALID);
			if (cap < key_end + 18 || e->rtt < 0)
				assert_int_equal(r.rtt_ns, -1);
			else
				assert_int_equal(r.rtt_ns, RTT_NS);
		}
	}
}

/* Parse failures map to their reasons; every reason has its own name. */
static void test_invalid_reasons(void **state)
{
	(void)state;
	static const struct { enum parse_status st; enum invalid_reason why; } map[] = {
		{ PARSE_OK, INVALID_NONE }, { PARSE_NOT_ICMP, INVALID_NONE },
		{ PARSE_TRUNCATED, INVALID_TRUNCATED }, { PARSE_MALFORMED, INVALID_MALFORMED },
		{ PARSE_BAD_CSUM, INVALID_CHECKSUM },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		assert_int_equal(invalid_from_parse(map[i].st), map[i].why);
	for (unsigned i = 0; i < INVALID_COUNT; i++) {
		assert_non_null(invalid_reason_name(i));
		assert_string_not_equal(invalid_reason_name(i), "?");
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(invalid_reason_name(i), invalid_reason_name(j));
	}
	assert_string_equal(invalid_reason_name(INVALID_COUNT), "?");
	assert_string_equal(invalid_reason_name(INVALID_CHECKSUM), "checksum");
	assert_string_equal(invalid_reason_name(INVALID_MAC), "mac");

	/* A reply with a wrong ICMP checksum fails in the parser. */
	uint8_t fr[PROBE_FRAME_MAX + 100];
	struct es_result r;
	enum parse_status st;
	size_t n = make_reply(fr, make_probe(fr, PAYLOAD, 1), 0);
	fr[n - 1] ^= 0x40;
	run_cap(fr, n, &st, &r);
	assert_int_equal(invalid_from_parse(st), INVALID_CHECKSUM);
}

static void test_rtt_clamp_and_random(void **state)
{
	(void)state;
	uint8_t fr[PROBE_FRAME_MAX + 100];
	struct es_result r;
	/* Sent "after" capture (clock stepped): valid, RTT clamped to 0. */
	size_t n = make_reply(fr, make_probe_k(fr, &key, TARGET, PAYLOAD, 0,
					       SENT_NS + RTT_NS + 5), 0);
	assert_int_equal(run(fr, n, &r), VERDICT_VALID);
	assert_int_equal(r.rtt_ns, 0);

	uint64_t s = 0x1234567;
	for (int i = 0; i < 2000; i++) {
		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		uint32_t daddr = (uint32_t)s;
		uint16_t probe = (uint16_t)(s >> 40) % NPROBES;
		uint64_t ts = SENT_NS - (s >> 44);
		n = make_reply_from(fr, make_probe_k(fr, &key, daddr, 18 + (s >> 32) % 100,
						     probe, ts), daddr, OUR_ADDR, 0);
		assert_int_equal(run(fr, n, &r), VERDICT_VALID);
		assert_int_equal(r.saddr, daddr);
		assert_int_equal(r.probe, probe);
		assert_int_equal(r.rtt_ns, (int64_t)(SENT_NS + RTT_NS - ts));
		/* Any single bit of id, seq or the stamp flipped: invalid. */
		size_t bit = (size_t)(s >> 20) % ((4 + 18) * 8);
		fr[38 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		fix_icmp_sum(fr + 34, n - 34);
		assert_int_equal(run(fr, n, &r), VERDICT_INVALID);
	}
}

/* Several paths, several sources: a reply to any of them is ours, a reply
 * to any other address is not; an error must quote a probe from the address
 * it is sent to. */
static void test_source_set(void **state)
{
	static const uint32_t srcs[] = { 0x7f000001u, OUR_ADDR, 0xc6120501u };
	static const struct { const char *name; uint32_t dst; enum verdict v; } rows[] = {
		{ "lowest source", 0x7f000001u, VERDICT_VALID },
		{ "middle source", OUR_ADDR, VERDICT_VALID },
		{ "highest source", 0xc6120501u, VERDICT_VALID },
		{ "below all", 0x01010101u, VERDICT_IGNORE },
		{ "between", 0xc6120500u, VERDICT_IGNORE },
		{ "above all", 0xc6120502u, VERDICT_IGNORE },
	};
	const struct classify_ctx multi = { .key = &key, .nprobes = NPROBES,
					    .saddrs = srcs, .n_saddrs = 3 };

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t fr[PROBE_FRAME_MAX + 100];
		struct parsed_icmp p;
		struct es_result r;
		size_t n = make_reply_from(fr, make_probe(fr, PAYLOAD, 1), TARGET,
					   rows[i].dst, 0);

		assert_int_equal(parse_frame(1, fr, n, &p), PARSE_OK);
		if (classify(&multi, &p, SENT_NS + RTT_NS, &r) != rows[i].v)
			fail_msg("%s: verdict differs from %d", rows[i].name, rows[i].v);
		if (rows[i].v == VERDICT_VALID)
			assert_int_equal(r.daddr, rows[i].dst);
	}
	/* an error sent to one source about a probe from another: not ours */
	{
		uint8_t fr[PROBE_FRAME_MAX + 100];
		struct parsed_icmp p;
		struct es_result r;
		size_t n = make_error(fr, make_probe(fr, PAYLOAD, 1), 3, 1, 0, 9999, 0);

		put32(fr + 14 + 16, 0xc6120501u);   /* outer dst: another source */
		assert_int_equal(parse_frame(1, fr, n, &p), PARSE_OK);
		assert_int_equal(classify(&multi, &p, SENT_NS + RTT_NS, &r), VERDICT_IGNORE);
		put32(fr + 14 + 16, OUR_ADDR);
		assert_int_equal(parse_frame(1, fr, n, &p), PARSE_OK);
		assert_int_equal(classify(&multi, &p, SENT_NS + RTT_NS, &r), VERDICT_VALID);
	}
}

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(es_class_name(ES_CLASS_ECHOREPLY), "echoreply");
	assert_string_equal(es_class_name(ES_CLASS_UNREACH), "unreach");
	assert_string_equal(es_class_name(ES_CLASS_TIMXCEED), "timxceed");
	assert_string_equal(es_class_name(ES_CLASS_OTHER), "other");
	assert_string_equal(es_class_name(ES_CLASS_ARP), "arp");
	assert_string_equal(es_class_name(ES_CLASS_COUNT), "other");
	assert_string_equal(es_class_name(1000), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_valid),
		cmocka_unit_test(test_reply_tampered),
		cmocka_unit_test(test_reply_rejected),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_errors_valid),
		cmocka_unit_test(test_errors_tampered),
		cmocka_unit_test(test_truncated_captures),
		cmocka_unit_test(test_invalid_reasons),
		cmocka_unit_test(test_rtt_clamp_and_random),
		cmocka_unit_test(test_source_set),
		cmocka_unit_test(test_class_names),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
