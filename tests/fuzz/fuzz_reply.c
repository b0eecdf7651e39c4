/*
 * fuzz_reply.c — libFuzzer harness that reaches classify's deep paths. The
 * input does not spell bytes but a reply: which target and probe number,
 * echo reply or which ICMP error (with code and RFC 4884 length byte), IP
 * options outside and inside the quote, how much of the probe an error
 * quotes, the link type and the RTT; then up to 8 byte edits (with or
 * without fixing the ICMP checksum afterwards) and a cut of the captured
 * length. The frame starts from a real probe built by the sender's own code
 * (probe_template_build + probe_stamp), so:
 *   - without edits it is a genuine reply that must validate, with the
 *     right host, probe number, class and RTT;
 *   - with any edits, a valid verdict must still name the probed host and
 *     probe number (a byte edit cannot forge the keyed hash for another).
 * The frame is parsed from an exact-size heap copy so ASan sees overreads.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/classify.h"
#include "engine/csum.h"
#include "engine/parse.h"
#include "engine/probe.h"
#include "tests/fuzz/fuzz_util.h"

#define OUR_ADDR 0xc6130001u     /* 198.19.0.1 */
#define ROUTER   0xc6130002u
#define SENT_NS  1700000000000000000ull
#define NPROBES  3
#define MAX_FRAME (PROBE_FRAME_MAX + 256)

static const struct vkey key = { { 0x5e, 0xc7, 0x21, 0x09, 0x77, 0x3a, 0x4f, 0x10,
				   0x88, 0xd2, 0x6b, 0x01, 0xee, 0x42, 0x90, 0x3c } };
static const uint8_t icmp_types[] = { 0, 3, 11, 12, 4, 5 };

struct reply_spec {
	uint8_t type, code, len_byte;      /* len_byte: ICMP byte 5 of an error */
	uint32_t daddr;
	uint16_t probe, payload_len, quote_len;
	size_t opt, q_opt;                 /* IP option bytes, 0..40 */
	unsigned link;                     /* 0 Ethernet, 1 +802.1Q, 2 raw, 3 SLL */
	uint32_t rtt_ns;
};

/* An IPv4 header with opt_len option bytes in front of body. */
static size_t build_ip(uint8_t *out, uint32_t src, uint32_t dst, uint16_t ipid,
		       size_t opt_len, const uint8_t *body, size_t body_len,
		       size_t total_len)
{
	size_t hlen = 20 + opt_len;

	memset(out, 0, hlen);
	out[0] = (uint8_t)(0x40 | hlen / 4);
	fuzz_put16(out + 2, (uint16_t)total_len);
	fuzz_put16(out + 4, ipid);
	out[8] = 61;
	out[9] = 1;
	fuzz_put32(out + 12, src);
	fuzz_put32(out + 16, dst);
	memset(out + 20, 1, opt_len);          /* NOPs */
	memmove(out + hlen, body, body_len);
	fuzz_put16(out + 10, csum_fold(csum_add(0, out, hlen)));
	return hlen + body_len;
}

static void fix_icmp_sum(uint8_t *icmp, size_t len)
{
	fuzz_put16(icmp + 2, 0);
	fuzz_put16(icmp + 2, csum_fold(csum_add(0, icmp, len)));
}

/* The probe as the sender stamps it; returns its frame length. */
static size_t make_probe(const struct reply_spec *s, uint8_t *fr)
{
	struct probe_params pp = {
		.src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
		.saddr = OUR_ADDR, .ttl = 64, .payload_len = s->payload_len,
	};
	struct probe_fields f = { .daddr = s->daddr, .probe = s->probe, .ts_ns = SENT_NS };
	static struct probe_template t;
	char err[256];

	FUZZ_CHECK(probe_template_build(&t, &pp, &key, err, sizeof(err)) == 0, "%s", err);
	probe_stamp(&t, &f, fr);
	return t.len;
}

/* The reply's IP packet; *icmp_off is where its ICMP header starts. */
static size_t make_reply_ip(const struct reply_spec *s, const uint8_t *probe,
			    size_t probe_len, uint8_t *ip, size_t *icmp_off)
{
	static uint8_t icmp[MAX_FRAME], q[MAX_FRAME];
	const uint8_t *pip = probe + PROBE_ETH_LEN;
	size_t body = probe_len - PROBE_ETH_LEN - PROBE_IP_LEN, icmp_len;

	if (s->type == 0) {
		memcpy(icmp, pip + PROBE_IP_LEN, body);
		icmp[0] = 0;
		icmp[1] = s->code;
		icmp_len = body;
	} else {
		size_t qn = build_ip(q, fuzz_get32(pip + 12), fuzz_get32(pip + 16),
				     fuzz_get16(pip + 4), s->q_opt, pip + PROBE_IP_LEN, body,
				     20 + s->q_opt + body);
		size_t ql = s->quote_len < qn ? s->quote_len : qn;

		memset(icmp, 0, 8);
		icmp[0] = s->type;
		icmp[1] = s->code;
		icmp[5] = s->len_byte;
		memcpy(icmp + 8, q, ql);
		icmp_len = 8 + ql;
	}
	fix_icmp_sum(icmp, icmp_len);
	*icmp_off = 20 + s->opt;
	return build_ip(ip, s->type == 0 ? s->daddr : ROUTER, OUR_ADDR, 0x2bad, s->opt,
			icmp, icmp_len, 20 + s->opt + icmp_len);
}

/* Puts the link header in front; returns the frame length and link type. */
static size_t add_link(unsigned link, uint8_t *fr, const uint8_t *ip, size_t ip_len,
		       int *linktype, size_t *ip_off)
{
	static const uint8_t eth[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	size_t off = 0;

	switch (link) {
	case 0:
	case 1:
		memcpy(fr, eth, 12);
		off = 12;
		if (link == 1) {
			fuzz_put16(fr + off, 0x8100);
			fuzz_put16(fr + off + 2, 7);
			off += 4;
		}
		fuzz_put16(fr + off, 0x0800);
		off += 2;
		*linktype = 1;
		break;
	case 2:
		*linktype = 101;
		break;
	default:
		memset(fr, 0, 14);
		fuzz_put16(fr + 14, 0x0800);
		off = 16;
		*linktype = 113;
		break;
	}
	memcpy(fr + off, ip, ip_len);
	*ip_off = off;
	return off + ip_len;
}

static void read_spec(struct fuzz_in *in, struct reply_spec *s)
{
	s->type = icmp_types[fuzz_u8(in) % sizeof(icmp_types)];
	s->code = fuzz_u8(in);
	s->len_byte = fuzz_u8(in);
	s->daddr = fuzz_u32(in);
	s->probe = fuzz_u8(in) % NPROBES;
	s->payload_len = (uint16_t)(PROBE_PAYLOAD_MIN +
		fuzz_u16(in) % (PROBE_PAYLOAD_MAX - PROBE_PAYLOAD_MIN + 1));
	s->opt = (size_t)(fuzz_u8(in) % 11) * 4;
	s->q_opt = (size_t)(fuzz_u8(in) % 11) * 4;
	s->quote_len = fuzz_u16(in);
	s->link = fuzz_u8(in) % 4;
	s->rtt_ns = fuzz_u32(in);
}

static uint8_t expected_class(uint8_t type)
{
	return type == 0 ? ES_CLASS_ECHOREPLY : type == 3 ? ES_CLASS_UNREACH :
	       type == 11 ? ES_CLASS_TIMXCEED : ES_CLASS_OTHER;
}

/* A genuine reply: what classify must make of it. */
static void check_clean(const struct reply_spec *s, enum parse_status st, enum verdict v,
			const struct es_result *r)
{
	size_t q_hlen = 20 + s->q_opt;

	if (s->type != 0 && (s->len_byte != 0 || s->quote_len < q_hlen + 8))
		return;   /* an RFC 4884 length or a short quote may cut the key fields */
	FUZZ_CHECK(st == PARSE_OK && v == VERDICT_VALID, "genuine type %u reply: %s, verdict %d",
		   s->type, parse_status_str(st), (int)v);
	FUZZ_CHECK(r->classification == expected_class(s->type), "class %u for type %u",
		   r->classification, s->type);
	FUZZ_CHECK(r->success == (s->type == 0), "success %u for type %u", r->success, s->type);
	bool stamped = s->type == 0 || s->quote_len >= q_hlen + 8 + PROBE_STAMP_LEN;
	FUZZ_CHECK(r->rtt_ns == (stamped ? (int64_t)s->rtt_ns : -1), "rtt %lld, sent %u",
		   (long long)r->rtt_ns, s->rtt_ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t probe[PROBE_FRAME_MAX], ip[MAX_FRAME], fr[MAX_FRAME];
	/* the raw-socket mode: with kernel_ident only 16 tag bits are
	 * checked, so a byte edit could meet a collision by chance */
	const struct classify_ctx ctx = { .key = &key, .saddr = OUR_ADDR, .nprobes = NPROBES };
	struct fuzz_in in = { data, size };
	struct reply_spec s;
	struct parsed_icmp p;
	struct es_result r;
	size_t icmp_off, ip_off;
	int linktype;

	read_spec(&in, &s);
	size_t ip_len = make_reply_ip(&s, probe, make_probe(&s, probe), ip, &icmp_off);
	size_t len = add_link(s.link, fr, ip, ip_len, &linktype, &ip_off);

	unsigned nedits = fuzz_u8(&in) % 9;
	bool fix_sum = fuzz_u8(&in) & 1;
	size_t cut = fuzz_u16(&in);
	for (unsigned i = 0; i < nedits; i++) {
		size_t off = fuzz_u16(&in) % len;
		fr[off] ^= fuzz_u8(&in) | 1;    /* always a change */
	}
	if (nedits && fix_sum)
		fix_icmp_sum(fr + ip_off + icmp_off, ip_len - icmp_off);
	size_t caplen = cut && cut < len ? cut : len;

	uint8_t *copy = malloc(caplen ? caplen : 1);
	FUZZ_CHECK(copy != NULL, "malloc %zu", caplen);
	memcpy(copy, fr, caplen);
	enum parse_status st = parse_frame(linktype, copy, caplen, &p);
	enum verdict v = VERDICT_IGNORE;
	memset(&r, 0, sizeof(r));
	if (st == PARSE_OK)      /* what the receiver does */
		v = classify(&ctx, &p, SENT_NS + s.rtt_ns, &r);
	free(copy);

	if (v == VERDICT_VALID) {
		FUZZ_CHECK(r.saddr == s.daddr, "valid reply names %08x, probed %08x",
			   r.saddr, s.daddr);
		FUZZ_CHECK(r.probe == s.probe, "valid reply names probe %u, sent %u",
			   r.probe, s.probe);
	}
	if (nedits == 0 && caplen == len)
		check_clean(&s, st, v, &r);
	return 0;
}
