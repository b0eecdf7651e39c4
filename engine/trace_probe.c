/*
 * trace_probe.c — the stateless traceroute probe (see trace_probe.h): its
 * stamping into the sweep's template, the matching of replies and quotes,
 * and the bounded "target reached" hint the sender reads.
 *
 * Why these bits: a router's time exceeded may quote only the IP header and
 * the first 8 bytes of the ICMP message (RFC 792), and the quoted TTL is the
 * router's (1 or 0), not ours. So the probe's TTL, its send time and a keyed
 * check must all sit in the IP ID and the ICMP header: 8 + 24 + 32 bits. The
 * check covers daddr, so a quote is only accepted for the destination it
 * names; a forger must guess 32 keyed bits per (daddr, ttl, time).
 */
#include "engine/trace_probe.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine/be.h"
#include "engine/csum.h"
#include "engine/siphash.h"

#define OFF_ICMP     PROBE_IP_LEN
#define OFF_PAYLOAD  (PROBE_IP_LEN + PROBE_ICMP_LEN)
#define OFF_COMP     PROBE_STAMP_LEN          /* compensation, in the payload */

enum { ICMP_ECHOREPLY = 0, ICMP_UNREACH = 3, ICMP_ECHO = 8, ICMP_TIMXCEED = 11 };

uint32_t trace_check(const struct vkey *key, uint32_t daddr, uint8_t ttl, uint32_t t_us)
{
	uint8_t m[9] = { 'R', (uint8_t)(daddr >> 24), (uint8_t)(daddr >> 16),
			 (uint8_t)(daddr >> 8), (uint8_t)daddr, ttl,
			 (uint8_t)(t_us >> 16), (uint8_t)(t_us >> 8), (uint8_t)t_us };

	return (uint32_t)siphash24(key->k, m, sizeof(m));
}

static inline void st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One's-complement 16-bit addition (end-around carry). */
static inline uint16_t add1c(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

void trace_stamp(const struct probe_template *t, uint32_t daddr, uint8_t ttl,
		 uint64_t ts_ns, uint8_t *out)
{
	const uint8_t *tip = t->frame + t->link_len;
	uint8_t *ip = out + t->link_len, *icmp = ip + OFF_ICMP, *pl = ip + OFF_PAYLOAD;
	uint32_t tu = trace_time(ts_ns);
	uint32_t chk = trace_check(&t->key, daddr, ttl, tu);
	uint16_t ipid = (uint16_t)(ttl << 8 | tu >> 16);
	uint16_t want = (uint16_t)chk;
	uint32_t sum;
	uint16_t comp;

	memcpy(out, t->frame, t->len);
	/* IP: ID, destination and checksum from the template's constant sum,
	 * then the TTL (RFC 1624 on its word) */
	st16(ip + 4, ipid);
	st16(ip + 16, (uint16_t)(daddr >> 16));
	st16(ip + 18, (uint16_t)daddr);
	st16(ip + 10, csum_fold(t->ip_sum + ipid + (daddr >> 16) + (daddr & 0xffff)));
	probe_set_ttl(t, out, ttl);

	/* ICMP: id, seq and the stamp; then two payload bytes chosen so that
	 * the checksum comes out as the low half of the check */
	st16(icmp + 4, (uint16_t)tu);
	st16(icmp + 6, (uint16_t)(chk >> 16));
	probe_payload_stamp(pl, &t->key, daddr, ts_ns, ttl);
	/* the template's constant sum counts the fill at OFF_COMP: take it out */
	sum = t->icmp_sum + (0xffffu - ld16(tip + OFF_PAYLOAD + OFF_COMP));
	sum = csum_add(sum, icmp + 4, 4);
	sum = csum_add(sum, pl, PROBE_STAMP_LEN);
	/* fold(sum) + comp = ~want, so with want in the checksum field the
	 * message sums to 0xffff */
	comp = add1c((uint16_t)~want, (uint16_t)~add1c(sum, 0));
	st16(pl + OFF_COMP, comp);
	st16(icmp + 2, want);
}

static int64_t rtt_from_us(uint32_t tu, uint64_t now_ns)
{
	return (int64_t)((trace_time(now_ns) - tu) & TRACE_TIME_MASK) * 1000;
}

/* The stamp (when present) must agree with the header fields: same TTL,
 * same µs time, MAC good. Returns the RTT in ns, or -1. */
static int64_t stamp_rtt(const struct vkey *key, uint32_t daddr, const uint8_t *pl,
			 uint8_t ttl, uint32_t tu, uint64_t now_ns)
{
	uint64_t sent = be_get(pl, 8);
	int64_t rtt = probe_payload_rtt(pl, key, daddr, ttl, now_ns);

	if (rtt < 0 || trace_time(sent) != tu)
		return -1;
	return rtt;
}

bool trace_match_quote(const struct vkey *key, const struct parsed_icmp *p,
		       uint64_t now_ns, struct trace_match *m)
{
	uint8_t ttl = (uint8_t)(p->q_ipid >> 8);
	uint32_t tu = (uint32_t)(p->q_ipid & 0xff) << 16 | p->q_id;
	uint32_t chk;

	if (ttl == 0)
		return false;
	chk = trace_check(key, p->q_dst, ttl, tu);
	/* both halves compared without an early exit */
	if (((chk >> 16) ^ p->q_seq) | ((chk & 0xffff) ^ p->q_cksum))
		return false;
	m->ttl = ttl;
	if (p->q_data_len >= PROBE_STAMP_LEN) {
		m->rtt_ns = stamp_rtt(key, p->q_dst, p->q_data, ttl, tu, now_ns);
		return m->rtt_ns >= 0;
	}
	m->rtt_ns = rtt_from_us(tu, now_ns);
	return true;
}

bool trace_match_reply(const struct vkey *key, const struct parsed_icmp *p,
		       uint64_t now_ns, struct trace_match *m)
{
	uint64_t ttl16;
	uint32_t tu, chk;

	if (p->data_len < PROBE_STAMP_LEN)
		return false;
	ttl16 = be_get(p->data + 16, 2);
	if (ttl16 == 0 || ttl16 > 255)
		return false;
	tu = trace_time(be_get(p->data, 8));
	chk = trace_check(key, p->src, (uint8_t)ttl16, tu);
	if (p->id != (uint16_t)tu || p->seq != (uint16_t)(chk >> 16))
		return false;
	m->ttl = (uint8_t)ttl16;
	m->rtt_ns = stamp_rtt(key, p->src, p->data, m->ttl, tu, now_ns);
	return m->rtt_ns >= 0;
}

static void fill(const struct parsed_icmp *p, uint64_t ts_ns, const struct trace_match *m,
		 struct es_result *res)
{
	memset(res, 0, sizeof(*res));
	res->ts_ns = ts_ns;
	res->rtt_ns = m->rtt_ns;
	res->daddr = p->dst;
	res->responder = p->src;
	res->info = p->rest;
	res->ipid = p->ipid;
	res->size = p->ip_len;
	res->ttl = p->ttl;
	res->type = p->type;
	res->code = p->code;
	res->probe = m->ttl;
	res->probe_ttl = m->ttl;
}

enum verdict trace_classify(const struct classify_ctx *c, const struct parsed_icmp *p,
			    uint64_t ts_ns, struct es_result *res, enum invalid_reason *why)
{
	struct trace_match m;

	*why = INVALID_NONE;
	if (p->type == ICMP_ECHOREPLY) {
		if (p->data_len < PROBE_STAMP_LEN) {
			*why = INVALID_SHORT;
			return VERDICT_INVALID;
		}
		if (!trace_match_reply(c->key, p, ts_ns, &m)) {
			*why = INVALID_MAC;
			return VERDICT_INVALID;
		}
		fill(p, ts_ns, &m, res);
		res->saddr = p->src;
		res->classification = ES_CLASS_ECHOREPLY;
		res->success = 1;
		return VERDICT_VALID;
	}
	if (p->type != ICMP_UNREACH && p->type != ICMP_TIMXCEED && p->type != 4 &&
	    p->type != 5 && p->type != 12)
		return VERDICT_IGNORE;
	if (!p->has_quote || p->q_type != ICMP_ECHO || p->q_src != p->dst)
		return VERDICT_IGNORE;
	if (!trace_match_quote(c->key, p, ts_ns, &m)) {
		*why = INVALID_QUOTE;
		return VERDICT_INVALID;
	}
	fill(p, ts_ns, &m, res);
	res->saddr = p->q_dst;
	res->classification = p->type == ICMP_UNREACH ? ES_CLASS_UNREACH :
			      p->type == ICMP_TIMXCEED ? ES_CLASS_TIMXCEED : ES_CLASS_OTHER;
	return VERDICT_VALID;
}

int trace_reach_init(struct trace_reach *r, uint64_t n)
{
	r->n = 0;
	r->dist = NULL;
	if (n == 0 || n > SIZE_MAX / sizeof(*r->dist))
		return -1;
	r->dist = calloc((size_t)n, sizeof(*r->dist));
	if (!r->dist)
		return -1;
	r->n = n;
	return 0;
}

void trace_reach_free(struct trace_reach *r)
{
	free(r->dist);
	r->dist = NULL;
	r->n = 0;
}

void trace_reach_note(struct trace_reach *r, uint64_t i, uint8_t ttl)
{
	uint8_t d;

	if (i >= r->n || ttl == 0)
		return;
	/* one writer (the receiver): load, compare, store */
	d = atomic_load_explicit(&r->dist[i], memory_order_relaxed);
	if (d == 0 || ttl < d)
		atomic_store_explicit(&r->dist[i], ttl, memory_order_relaxed);
}

bool trace_reach_wanted(const struct trace_reach *r, uint64_t i, uint8_t ttl)
{
	uint8_t d;

	if (i >= r->n)
		return true;
	d = atomic_load_explicit(&r->dist[i], memory_order_relaxed);
	return d == 0 || ttl <= d;
}
