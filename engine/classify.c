/*
 * classify.c — turns a parsed ICMP message into a scan result. Echo replies
 * are checked against the tag in id:seq and the MAC in the payload; ICMP
 * errors against the tag of the probe they quote (IP ID = probe number,
 * id:seq = tag), which survives even in an error quoting only the IP header
 * plus 8 bytes. Stateless and pure: the run key is the only secret.
 */
#include "engine/classify.h"

#include <stdbool.h>
#include <string.h>

#include "engine/be.h"
#include "engine/probe.h"
#include "engine/trace_probe.h"

enum { ICMP_ECHOREPLY = 0, ICMP_UNREACH = 3, ICMP_SOURCEQUENCH = 4,
       ICMP_REDIRECT = 5, ICMP_ECHO = 8, ICMP_TIMXCEED = 11, ICMP_PARAMPROB = 12 };

static const char *const invalid_names[INVALID_COUNT] = {
	[INVALID_NONE] = "none",
	[INVALID_TRUNCATED] = "truncated",
	[INVALID_MALFORMED] = "malformed",
	[INVALID_CHECKSUM] = "checksum",
	[INVALID_SHORT] = "short payload",
	[INVALID_PROBE] = "probe number",
	[INVALID_TAG] = "tag",
	[INVALID_MAC] = "mac",
	[INVALID_QUOTE] = "foreign quote",
};

const char *invalid_reason_name(unsigned reason)
{
	return reason < INVALID_COUNT ? invalid_names[reason] : "?";
}

enum invalid_reason invalid_from_parse(enum parse_status s)
{
	switch (s) {
	case PARSE_TRUNCATED: return INVALID_TRUNCATED;
	case PARSE_MALFORMED: return INVALID_MALFORMED;
	case PARSE_BAD_CSUM:  return INVALID_CHECKSUM;
	default:              return INVALID_NONE;
	}
}

static bool ours(const struct classify_ctx *c, uint32_t addr)
{
	size_t lo = 0, hi = c->n_saddrs;

	if (hi == 0)
		return addr == c->saddr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->saddrs[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n_saddrs && c->saddrs[lo] == addr;
}

/* RTT from a stamped payload whose MAC checks for (daddr, probe), else -1.
 * A send time after the capture time (clock stepped back) clamps to 0. */
static void fill_common(const struct parsed_icmp *p, uint64_t ts_ns,
			struct es_result *res)
{
	res->ts_ns = ts_ns;
	res->family = 4;       /* ES_AF4 (engine/addr.h) */
	res->daddr = p->dst;
	res->responder = p->src;
	res->ipid = p->ipid;
	res->size = p->ip_len;
	res->ttl = p->ttl;
	res->type = p->type;
	res->code = p->code;
	res->info = p->rest;
	memset(res->mac, 0, sizeof(res->mac));   /* the receiver adds it on-link */
}

/* id:seq against the tag of (daddr, probe); with kernel_ident the kernel
 * owns the identifier and only seq carries the tag (its low 16 bits). */
static bool tag_matches(const struct classify_ctx *c, uint16_t id, uint16_t seq,
			uint32_t daddr, uint16_t probe)
{
	uint32_t tag = validate_tag(c->key, daddr, probe);

	if (c->kernel_ident)
		return seq == (uint16_t)tag;
	return ((uint32_t)id << 16 | seq) == tag;
}

static enum verdict invalid(enum invalid_reason r, enum invalid_reason *why)
{
	*why = r;
	return VERDICT_INVALID;
}

static enum verdict echo_reply(const struct classify_ctx *c, const struct parsed_icmp *p,
			       uint64_t ts_ns, struct es_result *res, enum invalid_reason *why)
{
	if (p->data_len < PROBE_STAMP_LEN)
		return invalid(INVALID_SHORT, why);
	uint16_t probe = (uint16_t)be_get(p->data + 16, 2);
	if (probe >= c->nprobes)
		return invalid(INVALID_PROBE, why);
	if (!tag_matches(c, p->id, p->seq, p->src, probe))
		return invalid(INVALID_TAG, why);
	int64_t rtt = probe_payload_rtt(p->data, c->key, p->src, probe, ts_ns);
	if (rtt < 0)
		return invalid(INVALID_MAC, why);
	fill_common(p, ts_ns, res);
	res->rtt_ns = rtt;
	res->saddr = p->src;
	res->probe = probe;
	res->classification = ES_CLASS_ECHOREPLY;
	res->success = 1;
	return VERDICT_VALID;
}

static uint8_t error_class(uint8_t type)
{
	if (type == ICMP_UNREACH)
		return ES_CLASS_UNREACH;
	if (type == ICMP_TIMXCEED)
		return ES_CLASS_TIMXCEED;
	return ES_CLASS_OTHER;
}

static enum verdict icmp_error(const struct classify_ctx *c, const struct parsed_icmp *p,
			       uint64_t ts_ns, struct es_result *res, enum invalid_reason *why)
{
	if (!p->has_quote || p->q_type != ICMP_ECHO ||
	    (!c->kernel_ident && p->q_src != p->dst))
		return VERDICT_IGNORE;
	uint16_t probe = p->q_ipid;
	if (probe >= c->nprobes)
		return invalid(INVALID_PROBE, why);
	if (!tag_matches(c, p->q_id, p->q_seq, p->q_dst, probe))
		return invalid(INVALID_QUOTE, why);
	int64_t rtt = p->q_data_len >= PROBE_STAMP_LEN ?
		      probe_payload_rtt(p->q_data, c->key, p->q_dst, probe, ts_ns) : -1;
	/* 16 tag bits alone are not enough where the MAC was there to check */
	if (c->kernel_ident && p->q_data_len >= PROBE_STAMP_LEN && rtt < 0)
		return invalid(INVALID_MAC, why);
	fill_common(p, ts_ns, res);
	res->rtt_ns = rtt;
	res->saddr = p->q_dst;
	res->probe = probe;
	res->classification = error_class(p->type);
	res->success = 0;
	return VERDICT_VALID;
}

enum verdict classify_why(const struct classify_ctx *c, const struct parsed_icmp *p,
			  uint64_t ts_ns, struct es_result *res, enum invalid_reason *why)
{
	*why = INVALID_NONE;
	if (!c->kernel_ident && !ours(c, p->dst))
		return VERDICT_IGNORE;
	if (c->trace)
		return trace_classify(c, p, ts_ns, res, why);
	switch (p->type) {
	case ICMP_ECHOREPLY:
		return echo_reply(c, p, ts_ns, res, why);
	case ICMP_UNREACH:
	case ICMP_SOURCEQUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIMXCEED:
	case ICMP_PARAMPROB:
		return icmp_error(c, p, ts_ns, res, why);
	default:
		return VERDICT_IGNORE;   /* echo requests and everything else */
	}
}

enum verdict classify(const struct classify_ctx *c, const struct parsed_icmp *p,
		      uint64_t ts_ns, struct es_result *res)
{
	enum invalid_reason why;

	return classify_why(c, p, ts_ns, res, &why);
}
