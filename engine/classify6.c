/*
 * classify6.c — turns a parsed ICMPv6 message into a scan result. Echo
 * replies are held to the tag in id:seq and the MAC in the payload; errors
 * to the tag of the probe they quote, the probe number coming from the
 * quoted flow label (IPv6's stand-in for the IP ID). Stateless and pure.
 */
#include "engine/classify6.h"

#include <string.h>

#include "engine/probe6.h"

static enum verdict invalid(enum invalid_reason r, enum invalid_reason *why)
{
	*why = r;
	return VERDICT_INVALID;
}

static bool tag_matches(const struct classify6_ctx *c, uint16_t id, uint16_t seq,
			const uint8_t daddr[16], uint16_t probe)
{
	return ((uint32_t)id << 16 | seq) == validate6_tag(c->key, daddr, probe);
}

static void fill_common(const struct parsed_icmp6 *p, uint64_t ts_ns,
			struct es_result *res, struct es_addrs6 *addrs)
{
	memset(res, 0, sizeof(*res));
	res->ts_ns = ts_ns;
	res->info = p->rest;
	res->size = (uint16_t)(p->plen + 40 < p->plen ? UINT16_MAX : p->plen + 40);
	res->ttl = p->hlim;
	res->type = p->type;
	res->code = p->code;
	addrs->daddr = es_addr_v6(p->dst);
	addrs->responder = es_addr_v6(p->src);
}

static enum verdict echo_reply(const struct classify6_ctx *c, const struct parsed_icmp6 *p,
			       uint64_t ts_ns, struct es_result *res,
			       struct es_addrs6 *addrs, enum invalid_reason *why)
{
	uint16_t probe;
	int64_t rtt;

	if (p->data_len < PROBE_STAMP_LEN)
		return invalid(INVALID_SHORT, why);
	probe = (uint16_t)(p->data[16] << 8 | p->data[17]);
	if (probe >= c->nprobes)
		return invalid(INVALID_PROBE, why);
	if (!tag_matches(c, p->id, p->seq, p->src, probe))
		return invalid(INVALID_TAG, why);
	rtt = probe6_payload_rtt(p->data, c->key, p->src, probe, ts_ns);
	if (rtt < 0)
		return invalid(INVALID_MAC, why);
	fill_common(p, ts_ns, res, addrs);
	res->rtt_ns = rtt;
	res->probe = probe;
	res->classification = ES_CLASS_ECHOREPLY;
	res->success = 1;
	addrs->saddr = es_addr_v6(p->src);
	return VERDICT_VALID;
}

static uint8_t error_class(uint8_t type)
{
	if (type == ICMP6_T_UNREACH)
		return ES_CLASS_UNREACH;
	if (type == ICMP6_T_TIME_EXCEEDED)
		return ES_CLASS_TIMXCEED;
	return ES_CLASS_OTHER;      /* packet too big, parameter problem */
}

/* Whether a is one of our sources. */
static bool ours(const struct classify6_ctx *c, const uint8_t a[16])
{
	if (c->n_saddrs == 0)
		return memcmp(a, c->saddr, 16) == 0;
	for (size_t i = 0; i < c->n_saddrs; i++)
		if (memcmp(a, c->saddrs[i], 16) == 0)
			return true;
	return false;
}

static enum verdict icmp_error(const struct classify6_ctx *c, const struct parsed_icmp6 *p,
			       uint64_t ts_ns, struct es_result *res,
			       struct es_addrs6 *addrs, enum invalid_reason *why)
{
	bool stamped = p->q_data_len >= PROBE_STAMP_LEN;
	uint32_t probe = p->q_flow;
	int64_t rtt;

	if (!p->has_quote || p->q_type != ICMP6_T_ECHO_REQUEST ||
	    !ours(c, p->q_src))
		return VERDICT_IGNORE;
	/* a label changed on the way: the quoted stamp's number, if quoted */
	if ((probe >= c->nprobes ||
	     !tag_matches(c, p->q_id, p->q_seq, p->q_dst, (uint16_t)probe)) && stamped)
		probe = (uint32_t)(p->q_data[16] << 8 | p->q_data[17]);
	if (probe >= c->nprobes)
		return invalid(INVALID_PROBE, why);
	if (!tag_matches(c, p->q_id, p->q_seq, p->q_dst, (uint16_t)probe))
		return invalid(INVALID_QUOTE, why);
	rtt = stamped ? probe6_payload_rtt(p->q_data, c->key, p->q_dst, (uint16_t)probe, ts_ns) : -1;
	fill_common(p, ts_ns, res, addrs);
	res->rtt_ns = rtt;
	res->probe = (uint16_t)probe;
	res->classification = error_class(p->type);
	res->success = 0;
	addrs->saddr = es_addr_v6(p->q_dst);
	return VERDICT_VALID;
}

enum verdict classify6_why(const struct classify6_ctx *c, const struct parsed_icmp6 *p,
			   uint64_t ts_ns, struct es_result *res, struct es_addrs6 *addrs,
			   enum invalid_reason *why)
{
	*why = INVALID_NONE;
	if (!ours(c, p->dst))
		return VERDICT_IGNORE;
	switch (p->type) {
	case ICMP6_T_ECHO_REPLY:
		return echo_reply(c, p, ts_ns, res, addrs, why);
	case ICMP6_T_UNREACH:
	case ICMP6_T_PACKET_TOO_BIG:
	case ICMP6_T_TIME_EXCEEDED:
	case ICMP6_T_PARAM_PROB:
		return icmp_error(c, p, ts_ns, res, addrs, why);
	default:
		return VERDICT_IGNORE;   /* echo requests, neighbour discovery, ... */
	}
}
