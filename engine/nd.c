/*
 * nd.c — neighbour solicitations out, advertisements in (see nd.h). The
 * template comes from libnet's IPv6, neighbour-solicitation and ND option
 * builders; stamping writes the four per-target fields and finishes the
 * ICMPv6 checksum from the template's sum of the constant words (our
 * address, the length, next header, type, our MAC option).
 */
#include <libnet.h>

#include "engine/nd.h"

#include <stdio.h>
#include <string.h>

#include "engine/csum.h"
#include "engine/frame_libnet.h"
#include "engine/parse6.h"

#define ND_ICMP_LEN   32                   /* header 8 + target 16 + option 8 */
#define OFF_IP        14
#define OFF_IP_DST    (OFF_IP + 24)
#define OFF_ICMP      (OFF_IP + 40)
#define OFF_TARGET    (OFF_ICMP + 8)
#define OPT_SLLA      1
#define OPT_TLLA      2

void nd_solicited_node(const uint8_t target[16], uint8_t group[16], uint8_t mac[6])
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(group, prefix, 13);
	memcpy(group + 13, target + 13, 3);
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

struct nd_layers_ctx { const uint8_t *src_mac, *saddr, *target; };

static int nd_layers(libnet_t *l, void *ctx, char *err, size_t errlen)
{
	const struct nd_layers_ctx *c = ctx;
	struct libnet_in6_addr src, dst, tgt;
	uint8_t group[16], mac[6];

	nd_solicited_node(c->target, group, mac);
	memcpy(src.__u6_addr.__u6_addr8, c->saddr, 16);
	memcpy(dst.__u6_addr.__u6_addr8, group, 16);
	memcpy(tgt.__u6_addr.__u6_addr8, c->target, 16);
	if (libnet_build_icmpv6_ndp_opt(OPT_SLLA, (uint8_t *)c->src_mac, 6, l, 0) == -1 ||
	    libnet_build_icmpv6_ndp_nsol(ND_NEIGHBOR_SOLICIT, 0, 0, tgt, NULL, 0, l, 0) == -1 ||
	    libnet_build_ipv6(0, 0, ND_ICMP_LEN, IPPROTO_ICMPV6, 255, src, dst, NULL, 0, l, 0) == -1 ||
	    libnet_build_ethernet(mac, c->src_mac, ETHERTYPE_IPV6, NULL, 0, l, 0) == -1) {
		snprintf(err, errlen, "libnet: building the neighbour solicitation: %s",
			 libnet_geterror(l));
		return -1;
	}
	return 0;
}

static int build(const uint8_t src_mac[6], const uint8_t saddr[16],
		 const uint8_t target[16], uint8_t *out, size_t *len,
		 char *err, size_t errlen)
{
	struct nd_layers_ctx c = { src_mac, saddr, target };

	return frame_libnet_build(nd_layers, &c, "neighbour solicitation", ND_NS_FRAME_LEN,
				  out, len, err, errlen);
}

int nd_build_full(const uint8_t src_mac[6], const uint8_t saddr[16],
		  const uint8_t target[16], uint8_t *out, size_t *len,
		  char *err, size_t errlen)
{
	return build(src_mac, saddr, target, out, len, err, errlen);
}

int nd_template_build(struct nd_template *t, const uint8_t src_mac[6],
		      const uint8_t saddr[16], char *err, size_t errlen)
{
	static const uint8_t zero[16];
	const uint8_t *f = t->frame;

	memset(t, 0, sizeof(*t));
	if (build(src_mac, saddr, zero, t->frame, &t->len, err, errlen) < 0)
		return -1;
	/* source, length, next header; the ICMPv6 words but the checksum,
	 * the target and nothing else that changes (the option is ours) */
	t->sum = csum_add(0, f + OFF_IP + 8, 16);
	t->sum += ND_ICMP_LEN + IPPROTO_ICMPV6;
	t->sum = csum_add(t->sum, f + OFF_ICMP, 2);
	t->sum = csum_add(t->sum, f + OFF_ICMP + 4, 4);
	t->sum = csum_add(t->sum, f + OFF_TARGET + 16, 8);
	return 0;
}

void nd_stamp(const struct nd_template *t, const uint8_t target[16], uint8_t *out)
{
	uint8_t group[16], mac[6];
	uint32_t sum;
	uint16_t c;

	memcpy(out, t->frame, t->len);
	nd_solicited_node(target, group, mac);
	memcpy(out, mac, 6);
	memcpy(out + OFF_IP_DST, group, 16);
	memcpy(out + OFF_TARGET, target, 16);
	sum = csum_add(t->sum, group, 16);
	sum = csum_add(sum, target, 16);
	c = csum_fold(sum);
	out[OFF_ICMP + 2] = (uint8_t)(c >> 8);
	out[OFF_ICMP + 3] = (uint8_t)c;
}

enum nd_status nd_parse_advert(int linktype, const uint8_t *frame, size_t caplen,
			       uint8_t target[16], uint8_t mac[6], uint8_t dst[16])
{
	struct parsed_icmp6 p;
	enum parse_status st = parse_frame6(linktype, frame, caplen, &p);
	const uint8_t *opt;
	size_t left;

	if (st == PARSE_NOT_ICMP || (st == PARSE_OK && p.type != ICMP6_T_NEIGHBOR_ADVERT))
		return ND_NOT_ADVERT;
	if (st != PARSE_OK || p.code != 0 || p.hlim != 255 || p.data_len < 16)
		return ND_INVALID;
	/* options after the target, each a multiple of 8 bytes, length > 0 */
	opt = p.data + 16;
	left = p.data_len - 16;
	while (left >= 8) {
		size_t olen = (size_t)opt[1] * 8;

		if (olen == 0 || olen > left)
			return ND_INVALID;
		if (opt[0] == OPT_TLLA && olen == 8) {
			memcpy(target, p.data, 16);
			memcpy(mac, opt + 2, 6);
			memcpy(dst, p.dst, 16);
			return ND_OK;
		}
		opt += olen;
		left -= olen;
	}
	return ND_INVALID;
}
