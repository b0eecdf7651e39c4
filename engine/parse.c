/*
 * parse.c — decodes a captured frame (Ethernet with VLAN tags, raw IPv4 or
 * Linux cooked capture) down to the ICMP fields validation needs, including
 * the probe quoted inside ICMP errors. Every read is bounded by the captured
 * length and by the IP total length, whichever is smaller (Ethernet padding
 * follows short packets; a snap length cuts long ones). Pure: no allocation,
 * no state, safe on hostile input.
 *
 * Checksum policy: the ICMP checksum is verified when the whole message (as
 * the IP total length gives it) was captured. When the capture is shorter
 * it cannot be verified; the message is still decoded as far as it goes and
 * only an incomplete 8-byte ICMP header is PARSE_TRUNCATED. The IP header
 * checksum is not verified: a damaged address fails validation anyway.
 */
#include "engine/parse.h"

#include <string.h>

#include "engine/csum.h"

enum {
	LT_EN10MB = 1, LT_RAW_BSD = 12, LT_RAW_OBSD = 14, LT_RAW = 101,
	LT_LINUX_SLL = 113,
};
enum {
	ETH_HLEN = 14, SLL_HLEN = 16, VLAN_TAG_LEN = 4,
	ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_VLAN = 0x8100, ETHERTYPE_QINQ = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100,
};
enum { IP_MIN_HLEN = 20, ICMP_HLEN = 8, PROTO_ICMP = 1 };
enum { ICMP_ECHOREPLY = 0, ICMP_UNREACH = 3, ICMP_SOURCEQUENCH = 4,
       ICMP_REDIRECT = 5, ICMP_TIMXCEED = 11, ICMP_PARAMPROB = 12 };

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static bool is_error_type(uint8_t type)
{
	return type == ICMP_UNREACH || type == ICMP_SOURCEQUENCH ||
	       type == ICMP_REDIRECT || type == ICMP_TIMXCEED ||
	       type == ICMP_PARAMPROB;
}

/* Checks an IPv4 header's fixed part; returns its length through hlen.
 * Quoted headers skip the total-length check: some routers rewrite or
 * byte-swap it, and the quote is bounded by what was captured anyway. */
static enum parse_status ip_header(const uint8_t *ip, size_t len, bool quoted,
				   size_t *hlen)
{
	if (len < 1)
		return PARSE_TRUNCATED;
	if (ip[0] >> 4 != 4)
		return PARSE_MALFORMED;
	if ((ip[0] & 0x0f) < 5)
		return PARSE_MALFORMED;
	if (len < IP_MIN_HLEN)
		return PARSE_TRUNCATED;
	*hlen = (size_t)(ip[0] & 0x0f) * 4;
	if (!quoted && be16(ip + 2) < *hlen)
		return PARSE_MALFORMED;
	if (len < *hlen)
		return PARSE_TRUNCATED;
	return PARSE_OK;
}

static bool is_fragment(const uint8_t *ip)
{
	return (be16(ip + 6) & 0x3fff) != 0;   /* MF flag or a fragment offset */
}

/* The probe quoted in an ICMP error: its IP header (with options) and the
 * first 8 bytes of its ICMP header, then whatever of its payload is there. */
static enum parse_status parse_quote(const uint8_t *q, size_t qlen,
				     struct parsed_icmp *out)
{
	size_t hlen = 0;
	enum parse_status st = ip_header(q, qlen, true, &hlen);

	if (st != PARSE_OK)
		return st;
	out->q_src = be32(q + 12);
	out->q_dst = be32(q + 16);
	out->q_ipid = be16(q + 4);
	if (q[9] != PROTO_ICMP || is_fragment(q))
		return PARSE_NOT_ICMP;   /* an error about someone else's packet */
	if (qlen - hlen < ICMP_HLEN)
		return PARSE_TRUNCATED;
	const uint8_t *qi = q + hlen;
	out->has_quote = true;
	out->q_type = qi[0];
	out->q_id = be16(qi + 4);
	out->q_seq = be16(qi + 6);
	out->q_cksum = be16(qi + 2);
	/* Routers may quote less than the whole probe: bound by both. */
	size_t q_ip_len = be16(q + 2);
	size_t end = q_ip_len < qlen ? q_ip_len : qlen;
	out->q_data = qi + ICMP_HLEN;
	out->q_data_len = end > hlen + ICMP_HLEN ? end - hlen - ICMP_HLEN : 0;
	return PARSE_OK;
}

/* RFC 4884: types 3, 11 and 12 may give the quote's length (in 32-bit words)
 * in byte 5, followed by an extension structure that is not part of it. Such
 * a quote is at least 128 bytes; a smaller value is junk, not a length. */
static size_t quote_len(const uint8_t *icmp, size_t avail)
{
	size_t words = icmp[5];
	bool ext = icmp[0] == ICMP_UNREACH || icmp[0] == ICMP_TIMXCEED ||
		   icmp[0] == ICMP_PARAMPROB;

	if (ext && words * 4 >= 128 && words * 4 < avail)
		return words * 4;
	return avail;
}

enum parse_status parse_ipv4(const uint8_t *ip, size_t len, struct parsed_icmp *out)
{
	size_t hlen = 0;
	enum parse_status st;

	memset(out, 0, sizeof(*out));
	st = ip_header(ip, len, false, &hlen);
	if (st != PARSE_OK)
		return st;
	out->ip_len = be16(ip + 2);
	out->ipid = be16(ip + 4);
	out->ttl = ip[8];
	out->src = be32(ip + 12);
	out->dst = be32(ip + 16);
	if (ip[9] != PROTO_ICMP || is_fragment(ip))
		return PARSE_NOT_ICMP;
	if (out->ip_len < hlen + ICMP_HLEN)
		return PARSE_MALFORMED;

	size_t end = out->ip_len < len ? out->ip_len : len;
	const uint8_t *icmp = ip + hlen;
	size_t icmp_len = end - hlen;
	if (icmp_len < ICMP_HLEN)
		return PARSE_TRUNCATED;
	out->type = icmp[0];
	out->code = icmp[1];
	out->id = be16(icmp + 4);
	out->seq = be16(icmp + 6);
	out->rest = (uint32_t)out->id << 16 | out->seq;
	out->data = icmp + ICMP_HLEN;
	out->data_len = icmp_len - ICMP_HLEN;

	bool whole = len >= out->ip_len;
	bool bad_sum = whole && csum_fold(csum_add(0, icmp, icmp_len)) != 0;
	if (is_error_type(out->type))
		st = parse_quote(out->data, quote_len(icmp, out->data_len), out);
	return bad_sum ? PARSE_BAD_CSUM : st;
}

/* Skips Ethernet and any 802.1Q / 802.1ad tags; returns the IP offset or 0. */
static size_t ether_skip(const uint8_t *pkt, size_t caplen, enum parse_status *st)
{
	size_t off = ETH_HLEN;

	if (caplen < ETH_HLEN) {
		*st = PARSE_TRUNCATED;
		return 0;
	}
	uint16_t type = be16(pkt + 12);
	while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
		if (caplen < off + VLAN_TAG_LEN) {
			*st = PARSE_TRUNCATED;
			return 0;
		}
		type = be16(pkt + off + 2);
		off += VLAN_TAG_LEN;
	}
	if (type != ETHERTYPE_IPV4) {
		*st = PARSE_NOT_ICMP;
		return 0;
	}
	return off;
}

enum parse_status parse_frame(int linktype, const uint8_t *pkt, size_t caplen,
			      struct parsed_icmp *out)
{
	enum parse_status st = PARSE_NOT_ICMP;
	size_t off;

	memset(out, 0, sizeof(*out));
	switch (linktype) {
	case LT_EN10MB:
		off = ether_skip(pkt, caplen, &st);
		if (!off)
			return st;
		break;
	case LT_RAW_BSD:
	case LT_RAW_OBSD:
	case LT_RAW:
		if (caplen >= 1 && pkt[0] >> 4 == 6)
			return PARSE_NOT_ICMP;
		off = 0;
		break;
	case LT_LINUX_SLL:
		if (caplen < SLL_HLEN)
			return PARSE_TRUNCATED;
		if (be16(pkt + 14) != ETHERTYPE_IPV4)
			return PARSE_NOT_ICMP;
		off = SLL_HLEN;
		break;
	default:
		return PARSE_NOT_ICMP;
	}
	return parse_ipv4(pkt + off, caplen - off, out);
}

const char *parse_status_str(enum parse_status s)
{
	switch (s) {
	case PARSE_OK:        return "ok";
	case PARSE_NOT_ICMP:  return "not IPv4/ICMP";
	case PARSE_TRUNCATED: return "truncated";
	case PARSE_MALFORMED: return "malformed";
	case PARSE_BAD_CSUM:  return "bad ICMP checksum";
	}
	return "unknown parse status";
}
