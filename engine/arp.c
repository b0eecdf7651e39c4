/*
 * arp.c — the ARP request frame and the reply parser (see arp.h). libnet
 * crafts the request (the template once per path, and the reference frame
 * the tests compare against); per target only the four bytes of the target
 * protocol address change, and ARP has no checksum to fix. The parser reads
 * nothing past caplen and keeps no state.
 */
#include "engine/arp_libnet.h"
#include "engine/be.h"
#include "engine/frame_libnet.h"
#include "engine/linkhdr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	ETHERTYPE_ARP_ = 0x0806, ETHERTYPE_IPV4_ = 0x0800,
	ARP_HTYPE_ETHER = 1, ARP_OP_REQUEST = 1, ARP_OP_REPLY = 2,
};

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int arp_libnet_build(libnet_t *l, const uint8_t src_mac[6], uint32_t saddr,
		     uint32_t tpa, struct arp_ptags *tags, char *err, size_t errlen)
{
	uint8_t spa_b[4], tpa_b[4];
	libnet_ptag_t t;
	const char *what = "ARP";

	put_be32(spa_b, saddr);
	put_be32(tpa_b, tpa);
	t = libnet_build_arp(ARPHRD_ETHER, ETHERTYPE_IP, 6, 4, ARPOP_REQUEST,
			     src_mac, spa_b, zero_mac, tpa_b, NULL, 0, l, tags->arp);
	if (t == -1)
		goto failed;
	tags->arp = t;
	what = "Ethernet";
	t = libnet_build_ethernet(bcast_mac, src_mac, ETHERTYPE_ARP, NULL, 0, l,
				  tags->eth);
	if (t == -1)
		goto failed;
	tags->eth = t;
	return 0;
failed:
	/* libnet deletes a pblock whose update fails: start over next time. */
	snprintf(err, errlen, "libnet: building the %s header of an ARP request: %s",
		 what, libnet_geterror(l));
	libnet_clear_packet(l);
	memset(tags, 0, sizeof(*tags));
	return -1;
}

struct arp_layers_ctx { const uint8_t *src_mac; uint32_t saddr, tpa; };

static int arp_layers(libnet_t *l, void *ctx, char *err, size_t errlen)
{
	const struct arp_layers_ctx *c = ctx;
	struct arp_ptags tags = { 0, 0 };

	return arp_libnet_build(l, c->src_mac, c->saddr, c->tpa, &tags, err, errlen);
}

int arp_build_full(const uint8_t src_mac[6], uint32_t saddr, uint32_t tpa,
		   uint8_t *out, size_t *len, char *err, size_t errlen)
{
	struct arp_layers_ctx c = { src_mac, saddr, tpa };

	return frame_libnet_build(arp_layers, &c, "ARP request", ARP_FRAME_LEN, out, len,
				  err, errlen);
}

int arp_template_build(struct arp_template *t, const uint8_t src_mac[6],
		       uint32_t saddr, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	return arp_build_full(src_mac, saddr, 0, t->frame, &t->len, err, errlen);
}

void arp_restamp(uint32_t tpa, uint8_t *out)
{
	put_be32(out + ARP_OFF_TPA, tpa);
}

void arp_stamp(const struct arp_template *t, uint32_t tpa, uint8_t *out)
{
	memcpy(out, t->frame, ARP_FRAME_LEN);
	arp_restamp(tpa, out);
}

void arp_stamp_batch(const struct arp_template *t, const uint32_t *tpa,
		     unsigned n, uint8_t *const *out)
{
	for (unsigned i = 0; i < n; i++)
		arp_stamp(t, tpa[i], out[i]);
}

/* The offset of the ARP body after the link-layer header (and any VLAN
 * tags), or 0 with *st set when the frame is not ARP or is cut short. */
static size_t arp_offset(int linktype, const uint8_t *f, size_t caplen,
			 enum arp_status *st)
{
	size_t off = 0;
	enum parse_status ps = link_skip(linktype, f, caplen, ETHERTYPE_ARP_, &off);

	*st = ps == PARSE_TRUNCATED ? ARP_TRUNCATED : ARP_NOT_REPLY;
	return ps == PARSE_OK ? off : 0;   /* raw IP links: 0, not ARP */
}

enum arp_status arp_parse_reply(int linktype, const uint8_t *frame, size_t caplen,
				struct arp_reply *out)
{
	enum arp_status st;
	size_t off = arp_offset(linktype, frame, caplen, &st);
	const uint8_t *a;

	if (!off)
		return st;
	a = frame + off;
	/* The fixed part first: a short frame of another hardware type is
	 * "not ours", not "truncated". */
	if (caplen < off + 8)
		return ARP_TRUNCATED;
	if (be_rd16(a) != ARP_HTYPE_ETHER || be_rd16(a + 2) != ETHERTYPE_IPV4_ ||
	    a[4] != 6 || a[5] != 4 || be_rd16(a + 6) != ARP_OP_REPLY)
		return ARP_NOT_REPLY;
	if (caplen < off + ARP_BODY_LEN)
		return ARP_TRUNCATED;
	/* sha at 8, spa at 14, tha at 18, tpa at 24 */
	if (!memcmp(a + 8, zero_mac, 6) || (a[8] & 1) || be_rd32(a + 14) == 0)
		return ARP_MALFORMED;
	memcpy(out->sha, a + 8, 6);
	out->spa = be_rd32(a + 14);
	memcpy(out->tha, a + 18, 6);
	out->tpa = be_rd32(a + 24);
	return ARP_OK;
}

const char *arp_status_str(enum arp_status s)
{
	switch (s) {
	case ARP_OK:        return "ok";
	case ARP_NOT_REPLY: return "not an Ethernet/IPv4 ARP reply";
	case ARP_TRUNCATED: return "truncated";
	case ARP_MALFORMED: return "malformed";
	}
	return "unknown ARP status";
}
