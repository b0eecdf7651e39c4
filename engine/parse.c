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

#include "engine/be.h"
#include "engine/csum.h"
#include "engine/linkhdr.h"

enum { ETHERTYPE_IPV4 = 0x0800 };
enum { IP_MIN_HLEN = 20, ICMP_HLEN = 8, PROTO_ICMP = 1 };
enum { ICMP_ECHOREPLY = 0, ICMP_UNREACH = 3, ICMP_SOURCEQUENCH = 4,
       ICMP_REDIRECT = 5, ICMP_TIMXCEED = 11, ICMP_PARAMPROB = 12 };

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
	if (!quoted && be_rd16(ip + 2) < *hlen)
		return PARSE_MALFORMED;
	if (len < *hlen)
		return PARSE_TRUNCATED;
	return PARSE_OK;
}

static bool is_fragment(const uint8_t *ip)
{
	return (be_rd16(ip + 6) & 0x3fff) != 0;   /* MF flag or a fragment offset */
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
	out->q_src = be_rd32(q + 12);
	out->q_dst = be_rd32(q + 16);
	out->q_ipid = be_rd16(q + 4);
	if (q[9] != PROTO_ICMP || is_fragment(q))
		return PARSE_NOT_ICMP;   /* an error about someone else's packet */
	if (qlen - hlen < ICMP_HLEN)
		return PARSE_TRUNCATED;
	const uint8_t *qi = q + hlen;
	out->has_quote = true;
	out->q_type = qi[0];
	out->q_id = be_rd16(qi + 4);
	out->q_seq = be_rd16(qi + 6);
	out->q_cksum = be_rd16(qi + 2);
	/* Routers may quote less than the whole probe: bound by both. */
	size_t q_ip_len = be_rd16(q + 2);
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
	out->ip_len = be_rd16(ip + 2);
	out->ipid = be_rd16(ip + 4);
	out->ttl = ip[8];
	out->src = be_rd32(ip + 12);
	out->dst = be_rd32(ip + 16);
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
	out->id = be_rd16(icmp + 4);
	out->seq = be_rd16(icmp + 6);
	out->rest = (uint32_t)out->id << 16 | out->seq;
	out->data = icmp + ICMP_HLEN;
	out->data_len = icmp_len - ICMP_HLEN;

	bool whole = len >= out->ip_len;
	bool bad_sum = whole && csum_fold(csum_add(0, icmp, icmp_len)) != 0;
	if (is_error_type(out->type))
		st = parse_quote(out->data, quote_len(icmp, out->data_len), out);
	return bad_sum ? PARSE_BAD_CSUM : st;
}

enum parse_status parse_frame(int linktype, const uint8_t *pkt, size_t caplen,
			      struct parsed_icmp *out)
{
	size_t off = 0;
	enum parse_status st = link_skip(linktype, pkt, caplen, ETHERTYPE_IPV4, &off);

	memset(out, 0, sizeof(*out));
	if (st != PARSE_OK)
		return st;
	if (off == 0 && caplen >= 1 && pkt[0] >> 4 == 6)
		return PARSE_NOT_ICMP;   /* raw IPv6 */
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
