/*
 * parse6.c — IPv6 frames down to the ICMPv6 fields, the quoted probe of
 * ICMPv6 errors included. Every read is bounded by the captured length and
 * the IPv6 payload length, whichever ends first. The ICMPv6 checksum (over
 * the pseudo-header) is verified when the whole message was captured.
 */
#include "engine/parse6.h"

#include <string.h>

#include "engine/be.h"
#include "engine/csum.h"
#include "engine/linkhdr.h"

enum { IP6_HLEN = 40, ICMP6_HLEN = 8, ETHERTYPE_IPV6 = 0x86dd };
enum { NH_HOPOPTS = 0, NH_ROUTING = 43, NH_FRAGMENT = 44, NH_ICMP6 = 58,
       NH_DSTOPTS = 60 };

uint16_t parse6_icmp_csum(const uint8_t src[16], const uint8_t dst[16],
			  const uint8_t *msg, size_t len)
{
	uint32_t sum = csum_add(0, src, 16);

	sum = csum_add(sum, dst, 16);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + NH_ICMP6;
	return csum_fold(csum_add(sum, msg, len));
}

/* Walks the extension headers after a fixed header whose next header is nh;
 * p[0..len) is what follows the fixed header. Returns the offset of the
 * ICMPv6 header, or a status: PARSE_NOT_ICMP for another protocol or a
 * non-first fragment, PARSE_TRUNCATED when the chain runs past len. */
static enum parse_status skip_ext(uint8_t nh, const uint8_t *p, size_t len, size_t *off)
{
	size_t o = 0;

	for (int hops = 0; hops < 8; hops++) {
		switch (nh) {
		case NH_ICMP6:
			*off = o;
			return PARSE_OK;
		case NH_HOPOPTS:
		case NH_ROUTING:
		case NH_DSTOPTS:
			if (len < o + 2)
				return PARSE_TRUNCATED;
			nh = p[o];
			o += ((size_t)p[o + 1] + 1) * 8;
			break;
		case NH_FRAGMENT:
			if (len < o + 8)
				return PARSE_TRUNCATED;
			if ((be_rd16(p + o + 2) & 0xfff8) != 0)
				return PARSE_NOT_ICMP;   /* not the first fragment */
			nh = p[o];
			o += 8;
			break;
		default:
			return PARSE_NOT_ICMP;
		}
		if (o > len)
			return PARSE_TRUNCATED;
	}
	return PARSE_NOT_ICMP;   /* a chain this long is not our traffic */
}

static bool is_error_type(uint8_t type)
{
	return type >= ICMP6_T_UNREACH && type <= ICMP6_T_PARAM_PROB;
}

/* The probe quoted by an ICMPv6 error: IPv6 header, extension headers,
 * the ICMPv6 header, then as much of its payload as is there (RFC 4443
 * quotes up to the minimum MTU, so normally the whole probe). */
static enum parse_status parse_quote(const uint8_t *q, size_t qlen,
				     struct parsed_icmp6 *out)
{
	size_t off = 0, end;
	enum parse_status st;

	if (qlen < IP6_HLEN)
		return PARSE_TRUNCATED;
	if (q[0] >> 4 != 6)
		return PARSE_MALFORMED;
	memcpy(out->q_src, q + 8, 16);
	memcpy(out->q_dst, q + 24, 16);
	out->q_flow = be_rd32(q) & 0xfffff;
	st = skip_ext(q[6], q + IP6_HLEN, qlen - IP6_HLEN, &off);
	if (st != PARSE_OK)
		return st;
	off += IP6_HLEN;
	if (qlen < off + ICMP6_HLEN)
		return PARSE_TRUNCATED;
	out->has_quote = true;
	out->q_type = q[off];
	out->q_id = be_rd16(q + off + 4);
	out->q_seq = be_rd16(q + off + 6);
	/* bound by the quoted payload length as well (routers may cut) */
	end = (size_t)be_rd16(q + 4) + IP6_HLEN;
	if (end > qlen)
		end = qlen;
	out->q_data = q + off + ICMP6_HLEN;
	out->q_data_len = end > off + ICMP6_HLEN ? end - off - ICMP6_HLEN : 0;
	return PARSE_OK;
}

enum parse_status parse_ipv6(const uint8_t *ip, size_t len, struct parsed_icmp6 *out)
{
	size_t off = 0, end, icmp_len;
	const uint8_t *icmp;
	enum parse_status st;
	bool whole, bad_sum;

	memset(out, 0, sizeof(*out));
	if (len < 1)
		return PARSE_TRUNCATED;
	if (ip[0] >> 4 != 6)
		return PARSE_MALFORMED;
	if (len < IP6_HLEN)
		return PARSE_TRUNCATED;
	out->flow = be_rd32(ip) & 0xfffff;
	out->plen = be_rd16(ip + 4);
	out->hlim = ip[7];
	memcpy(out->src, ip + 8, 16);
	memcpy(out->dst, ip + 24, 16);
	end = (size_t)out->plen + IP6_HLEN;          /* jumbograms are not ours */
	whole = len >= end;
	if (end > len)
		end = len;
	st = skip_ext(ip[6], ip + IP6_HLEN, end - IP6_HLEN, &off);
	if (st != PARSE_OK)
		return st == PARSE_TRUNCATED && whole ? PARSE_MALFORMED : st;
	off += IP6_HLEN;
	if (end < off + ICMP6_HLEN)
		return whole ? PARSE_MALFORMED : PARSE_TRUNCATED;
	icmp = ip + off;
	icmp_len = end - off;
	out->type = icmp[0];
	out->code = icmp[1];
	out->id = be_rd16(icmp + 4);
	out->seq = be_rd16(icmp + 6);
	out->rest = be_rd32(icmp + 4);
	out->data = icmp + ICMP6_HLEN;
	out->data_len = icmp_len - ICMP6_HLEN;
	bad_sum = whole && parse6_icmp_csum(out->src, out->dst, icmp, icmp_len) != 0;
	st = PARSE_OK;
	if (is_error_type(out->type))
		st = parse_quote(out->data, out->data_len, out);
	return bad_sum ? PARSE_BAD_CSUM : st;
}

enum parse_status parse_frame6(int linktype, const uint8_t *pkt, size_t caplen,
			       struct parsed_icmp6 *out)
{
	size_t off = 0;
	enum parse_status st = link_skip(linktype, pkt, caplen, ETHERTYPE_IPV6, &off);

	memset(out, 0, sizeof(*out));
	if (st != PARSE_OK)
		return st;
	if (off == 0 && (caplen < 1 || pkt[0] >> 4 != 6))
		return PARSE_NOT_ICMP;   /* raw, not IPv6 */
	return parse_ipv6(pkt + off, caplen - off, out);
}
